"""Semantic checks on parsed agreements: IDs, numbering, cross-references, tags.

Syntax problems are found by the parser; this module only looks at the model, so every rule is a small pure
function from an :class:`Agreement` to diagnostics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from kspub.chinese_text import canonical_key, internal_references, normalise, reference_key, sibling_key
from kspub.errors import Diagnostic, Severity
from kspub.model import KNOWN_TAGS, Agreement, Node, NodeKind

Rule = Callable[[Agreement], Iterator[Diagnostic]]


def _diag(a: Agreement, code: str, message: str, line: int, severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(code, message, a.path, line, severity)


def check_ids(a: Agreement) -> Iterator[Diagnostic]:
    seen: dict[str, Node] = {}
    retired = set(a.meta.retired)
    for n in a.nodes:
        if not n.id:
            continue
        if n.id in seen:
            yield _diag(
                a,
                "KS203",
                f"条款 ID “{n.id}” 重复（第 {seen[n.id].id_line} 行已使用）：同一协议内 ID 必须唯一，请为其中一条另起一个描述内容的 ID。",
                n.id_line,
            )
        else:
            seen[n.id] = n
        if n.id in retired:
            yield _diag(
                a,
                "KS204",
                f"条款 ID “{n.id}” 已在 retired 中登记为退役，不能再次使用：请另起新 ID；如是恢复旧条款，请先从 retired 中删除并说明原因。",
                n.id_line,
            )
    for n in a.nodes:
        for old in n.replaces:
            if old in seen:
                yield _diag(
                    a,
                    "KS208",
                    f"replaces 声明取代 “{old}”，但该 ID 仍在本协议中（第 {seen[old].id_line} 行）：被取代的条款应删除。",
                    n.id_line,
                )
            if old == n.id:
                yield _diag(a, "KS208", "条款不能声明取代自己：replaces 只写被合并、拆分或更名前的旧 ID。", n.id_line)


def check_tags(a: Agreement) -> Iterator[Diagnostic]:
    for n in a.nodes:
        for tag in n.tags:
            if tag not in KNOWN_TAGS:
                yield _diag(
                    a,
                    "KS503",
                    f"未知的主题标签 “{tag}”：可用标签为 {', '.join(sorted(KNOWN_TAGS))}。",
                    n.id_line,
                )


def check_empty(a: Agreement) -> Iterator[Diagnostic]:
    for n in a.nodes:
        body = n.title if n.kind is NodeKind.SECTION else n.text
        if not body.strip():
            yield _diag(a, "KS504", "条款只有编号没有正文：请补上正文，或删除该条款（并在 retired 中登记其 ID）。", n.line)


def check_numbering(a: Agreement) -> Iterator[Diagnostic]:
    groups: dict[tuple[str | None, str], list[tuple[int, Node]]] = defaultdict(list)
    for n in a.nodes:
        key = sibling_key(n.number) if n.number else None
        if key is not None:
            groups[(n.parent, key[0])].append((key[1], n))
    for members in groups.values():
        for (prev, prev_node), (value, node) in zip(members, members[1:], strict=False):
            if value == prev:
                yield _diag(
                    a,
                    "KS302",
                    f"编号 “{node.number}” 与同级的上一条（第 {prev_node.line} 行）重复：同一编号印出两条，引用"
                    f"“第{node.number}条”时无法确定所指。请核对并改正编号。",
                    node.line,
                )
            elif value != prev + 1:
                yield _diag(
                    a,
                    "KS301",
                    f"编号不连续：“{prev_node.number}” 之后是 “{node.number}”：请核对是否漏了条款或编号有误。",
                    node.line,
                    Severity.WARNING,
                )


def check_cross_refs(a: Agreement) -> Iterator[Diagnostic]:
    """Every internal cross-reference (本协议第4.4条, 本声明第9.9条, 第9.9条, 本协议第九条) names a display number
    the agreement prints; the same pattern materiality uses to follow a renumbering."""
    keys = {reference_key(n.number) for n in a.nodes if n.number}
    canonical = {canonical_key(k) for k in keys}
    for n in a.nodes:
        for ref in internal_references(normalise(n.text or n.title)):
            if ref.key in keys or canonical_key(ref.key) in canonical:
                continue
            yield _diag(
                a,
                "KS401",
                f"交叉引用 “{ref.display}” 找不到对应条款：本协议没有编号为 {ref.key} 的条款，请改正引用或编号。",
                n.line,
            )


def check_notice_default(a: Agreement) -> Iterator[Diagnostic]:
    """Every agreement declares ``notice.default``: without it a later material change would need no notice
    at all and take effect the day it is announced."""
    notice = a.meta.notice or {}
    if notice.get("default") is None:
        line = a.meta.field_lines.get("notice") or a.meta.field_lines.get("version") or 1
        yield _diag(a, "KS140", "头信息没有默认通知规则 notice.default：没有 default，本协议以后的实质性变更就可以在公告当天"
                    "生效。请写明协议约定的变更通知期、渠道和约定该期限的条款 ID，例如 notice: {default: {period: 30日, "
                    "channels: [site, email], clause: amendment-notice}}；协议本身没有约定通知期的，请与法务确认后写明。",
                    line)  # fmt: skip


def check_consent_plan(a: Agreement) -> Iterator[Diagnostic]:
    """The consent plan (``consent``) reads and names existing clauses (kspub.law.consent)."""
    from kspub.law.consent import lint_consent

    yield from lint_consent(a)


RULES: tuple[Rule, ...] = (check_ids, check_tags, check_empty, check_numbering, check_cross_refs,
                           check_notice_default, check_consent_plan)  # fmt: skip


def lint_agreement(a: Agreement, rules: Iterable[Rule] = RULES) -> list[Diagnostic]:
    """Every semantic problem in one agreement, in rule order."""
    out: list[Diagnostic] = []
    for rule in rules:
        out.extend(rule(a))
    return out
