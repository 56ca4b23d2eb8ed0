"""Lint of the notice rules: the block reads, the clauses it names exist, and every rule is bound to the text it
rests on (docs/decisions/0404-rule-text-binding.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kspub.errors import Diagnostic, KspubError
from kspub.law.notice import NoticePolicy, load_policy, reference_number
from kspub.law.period import at_least
from kspub.model import Agreement

if TYPE_CHECKING:
    from kspub.law.period import Period


def lint_notice(a: Agreement) -> list[Diagnostic]:
    """Lint rule: the notice block reads, every clause it names exists, and every rule is bound to its text
    (:func:`lint_binding`)."""
    policy, diags = load_policy(a.meta, a.path)
    ids = {n.id for n in a.nodes} | set(a.meta.retired)
    for rule in policy.rules:
        for cid in rule.clauses:
            if cid not in ids:
                diags.append(
                    Diagnostic(
                        "KS121",
                        f"通知规则（{rule.describe(a)}）引用了不存在的条款 ID “{cid}”：请改正 clauses。",
                        a.path,
                        a.meta.field_lines.get("notice"),
                    )
                )
    return diags + lint_binding(a, policy)


#: A rule cites a clause ID the agreement does not have.
RULE_CLAUSE_MISSING = "KS130"
#: A rule's period is not written in the clause it cites.
RULE_PERIOD_NOT_IN_TEXT = "KS131"
#: A rule's period is shorter than the statute it cites allows.
RULE_BELOW_STATUTE = "KS132"
#: A rule cites a statute article the repository does not know.
UNKNOWN_STATUTE = "KS133"
#: A rule cites the agreement's own clause by its printed number instead of by clause ID.
RULE_CITES_NUMBER = "KS134"
#: A rule has a period but neither a clause nor a statute that sets it.
RULE_PERIOD_WITHOUT_SOURCE = "KS135"


def text_periods(text: str) -> list[Period]:
    """Every period written in ``text`` (提前10个自然日, 30天内, 三十日), Arabic or Chinese numerals, as parsed
    periods, so the comparison is of periods and not of strings."""
    import re

    from kspub.chinese_text import normalise
    from kspub.law.period import _CN_PERIOD, parse_period

    out: list[Period] = []
    for match in re.finditer(_CN_PERIOD, normalise(text)):
        try:
            out.append(parse_period(match.group(0)))
        except KspubError:
            continue
    return out


def lint_binding(a: Agreement, policy: NoticePolicy) -> list[Diagnostic]:
    """Each rule bound to its text (docs/decisions/0404-rule-text-binding.md): the clauses it rests on exist and
    write its period (KS130, KS131); its statutes are known (KS133) and not undercut (KS132); it cites clauses by
    ID, not by a number a renumbering would leave pointing elsewhere (KS134); a period has a source (KS135)."""
    from kspub.law.period import parse_period
    from kspub.law.statutes import cited_articles, mentions_own_clause

    line = a.meta.field_lines.get("notice")
    nodes = a.by_id()
    out: list[Diagnostic] = []

    def add(code: str, message: str) -> None:
        out.append(Diagnostic(code, message, a.path, line))

    for rule in ((policy.default,) if policy.default else ()) + policy.rules:
        name = rule.describe(a)
        for cid in rule.sources:
            if cid not in nodes:
                add(RULE_CLAUSE_MISSING, f"通知规则（{name}）所依据的条款 ID “{cid}” 在本协议中不存在：请把 clause 改为"
                    "规则所依据的条款的 ID。")  # fmt: skip
        if mentions_own_clause(rule.basis):
            add(RULE_CITES_NUMBER, f"通知规则的 basis “{rule.basis}” 按编号引用本协议条款：条款重新编号后编号会指向别的"
                "条款。请改为 clause: 条款ID（报告会显示该条款当前的编号），basis 只写法律条文。")  # fmt: skip
        floors: list[tuple[str, Period]] = []
        for citation in cited_articles(rule.basis):
            if citation.article is None:
                if citation.law is None and mentions_own_clause(rule.basis):
                    continue  # a number of this agreement: KS134 above
                add(UNKNOWN_STATUTE, f"通知规则引用的 “{citation.text}” 不是本仓库收录的法律条文：请核对法律名称和条号；"
                    "可引用的条文见 docs/legal/statutes.md，新增条文请先收录原文。")  # fmt: skip
            elif citation.article.floor:
                floors.append((citation.article.citation, parse_period(citation.article.floor)))
        if rule.period is None:
            continue
        for citation_text, floor in floors:
            if not at_least(rule.period, floor):
                add(RULE_BELOW_STATUTE, f"通知规则（{name}）的通知期 {rule.period.display} 短于{citation_text}规定的"
                    f"{floor.display}：协议不能降低法律规定的期限。")  # fmt: skip
        cited = [nodes[cid] for cid in rule.sources if cid in nodes]
        if cited:
            written = [p for n in cited for p in text_periods(n.text or n.title)]
            if rule.period not in written:
                found = "、".join(dict.fromkeys(p.display for p in written)) or "没有任何期限"
                numbers = "、".join(reference_number(n.number) or n.id for n in cited)
                add(RULE_PERIOD_NOT_IN_TEXT, f"通知规则的通知期 {rule.period.display} 与所依据的条款 {numbers} 不一致（条款中"
                    f"写的是：{found}）：请让规则与条款一致，或改正 clause。")  # fmt: skip
        elif not rule.sources and not floors and not mentions_own_clause(rule.basis):
            add(RULE_PERIOD_WITHOUT_SOURCE, f"通知规则（{name}）的通知期 {rule.period.display} 没有来源：请用 clause 写明"
                "约定该期限的条款，或在 basis 中引用规定该期限的法律条文。")  # fmt: skip
    return out
