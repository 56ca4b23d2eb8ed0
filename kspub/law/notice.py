"""Notice rules as data, and what notice a set of changes needs.

Each agreement declares in its front matter a default notice window and overrides by clause tag or clause ID,
each citing the clause it rests on by clause ID (``clause``) and any statute by article (``basis``), and the
statutes whose duties apply to every change (``statutes``) (docs/source-format.md §四). Given the changes between
two versions, :func:`assess` says which rules apply, the channels, whether fresh consent is required, and the
earliest lawful effective date counted from the announced date under the Civil Code's period rules;
:mod:`kspub.law.rules_in_force` does so under the base version's rules and the new version's and lets the
stricter govern, and lists what a version changes in the rules themselves (docs/decisions/0403, 0404);
:mod:`kspub.law.notice_lint` checks each rule against the text it rests on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kspub.errors import Diagnostic, KspubError
from kspub.model import Agreement, Meta

if TYPE_CHECKING:
    from kspub.law.counting import EffectiveWindow
    from kspub.law.period import EndMode, Period, RollMode
    from kspub.law.workdays import WorkCalendar

CHANNELS: Mapping[str, str] = {
    "site": "网页公告",
    "email": "电子邮件",
    "message": "站内信",
    "sms": "短信",
    "console": "控制台提示",
    "popup": "弹窗提示",
    "written": "书面通知",
}
_RULE_KEYS = frozenset({"period", "channels", "basis", "clause", "consent", "tags", "clauses", "note"})
_POLICY_KEYS = frozenset({"default", "rules", "roll", "end", "statutes"})


@dataclass(frozen=True, slots=True)
class NoticeRule:
    """One notice requirement: a window, channels and/or fresh consent, and where it comes from."""

    basis: str
    """The statute the rule comes from (个人信息保护法第十四条); empty when it rests only on clauses. Older texts
    cite their own clauses here by number (本协议第4.4条): lint asks for ``clause`` instead (KS134)."""
    period: Period | None = None
    channels: tuple[str, ...] = ()
    consent: bool = False
    """True when a change takes effect for a user only with fresh consent (PIPL Art. 14)."""
    tags: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()
    note: str = ""
    is_default: bool = False
    sources: tuple[str, ...] = ()
    """The clause IDs of the agreement the rule rests on (``clause``): the report prints their current numbers."""
    duties: tuple[str, ...] = ()
    """Actions a statute requires of its own (E-Commerce Law Art. 34), in Chinese."""
    applies_all: bool = False
    """A statutory duty (``notice.statutes``): applies to every material change, beside the default."""

    def describe(self, agreement: Agreement | None = None, *, by_title: bool = False) -> str:
        """The rule's basis as a reader needs it: each cited clause by its current display number in
        ``agreement`` (本协议第4.4条), then the statute. A clause the agreement no longer has is named by ID.
        ``by_title``: cited from another document (the SLA catalogue), where 本协议 would name nothing, so the
        agreement is named by its title (金山云云服务使用协议第1.1条)."""
        parts: list[str] = []
        nodes = agreement.by_id() if agreement is not None else {}
        word = agreement.meta.title if by_title and agreement is not None else own_word(agreement)
        for cid in self.sources:
            node = nodes.get(cid)
            number = reference_number(node.number) if node is not None and node.number else ""
            parts.append(f"{word}第{number}条" if number else f"{word}条款 {cid}")
        if self.basis:
            parts.append(_by_title(self.basis, word) if by_title else self.basis)
        return "；".join(parts) or "（未写依据）"

    def to_dict(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "clause": list(self.sources),
            "duties": list(self.duties),
            "period": self.period.to_dict() if self.period else None,
            "period_text": self.period.display if self.period else None,
            "channels": list(self.channels),
            "consent": self.consent,
            "tags": list(self.tags),
            "clauses": list(self.clauses),
            "note": self.note,
            "default": self.is_default,
        }


@dataclass(frozen=True, slots=True)
class NoticePolicy:
    default: NoticeRule | None
    rules: tuple[NoticeRule, ...]
    roll: RollMode
    end: EndMode
    statutes: tuple[NoticeRule, ...] = ()
    """One rule per statute in ``notice.statutes``: the statute's own period (its floor) and duties."""

    @property
    def all_rules(self) -> tuple[NoticeRule, ...]:
        return ((self.default,) if self.default else ()) + self.rules + self.statutes


def _by_title(basis: str, title: str) -> str:
    """A basis written before rules cited clauses by ID (本协议第4.4条), with the agreement named by its title."""
    import re

    return re.sub(r"本(?:协议|政策|说明|责任书|规则|条款)(?=第|（|\()", lambda _: title, basis)


def own_word(agreement: Agreement | None) -> str:
    """How the text names itself when citing its own clauses: 本政策 for a privacy policy, else 本协议 …"""
    if agreement is None:
        return "本协议"
    title = agreement.meta.title
    for suffix, word in (("政策", "本政策"), ("说明", "本说明"), ("责任书", "本责任书"), ("规则", "本规则")):
        if title.endswith(suffix):
            return word
    return "本协议"


def reference_number(number: str) -> str:
    """A display number as a citation writes it: ``4.4`` → 4.4, ``- 9.1.3`` → 9.1.3, ``三、`` → 三."""
    from kspub.chinese_text import reference_key

    return reference_key(number.lstrip("-* "))


def load_policy(meta: Meta, path: str) -> tuple[NoticePolicy, list[Diagnostic]]:
    """Read the ``notice`` front matter; every problem is a diagnostic at the ``notice`` line."""
    from kspub.law.period import EndMode, RollMode

    line = meta.field_lines.get("notice")
    diags: list[Diagnostic] = []

    def err(message: str) -> None:
        diags.append(Diagnostic("KS120", message, path, line))

    raw: Mapping[str, Any] = meta.notice or {}
    for key in raw:
        if key not in _POLICY_KEYS:
            err(f"notice 中有未知字段 “{key}”：可用 default、rules、roll、end、statutes。")
    roll = RollMode.ALL_REST_DAYS
    end = EndMode.STRICT
    try:
        if "roll" in raw:
            roll = RollMode(str(raw["roll"]))
        if "end" in raw:
            end = EndMode(str(raw["end"]))
    except ValueError:
        err("notice.roll 只能是 all_rest_days 或 statutory_only；notice.end 只能是 strict 或 lenient。")
    default = _rule(raw["default"], err, is_default=True) if raw.get("default") is not None else None
    rules: list[NoticeRule] = []
    raw_rules = raw.get("rules") or []
    if not isinstance(raw_rules, list):
        err("notice.rules 应为列表。")
        raw_rules = []
    for entry in raw_rules:
        rule = _rule(entry, err, is_default=False)
        if rule is not None:
            if not rule.tags and not rule.clauses:
                err(f"通知规则（{rule.describe()}）需写 tags 或 clauses，说明它适用于哪些条款；适用于全部条款的写在 default。")
            rules.append(rule)
    statutes = _statute_rules(raw.get("statutes"), err, lambda m: diags.append(Diagnostic("KS133", m, path, line)))
    return NoticePolicy(default, tuple(rules), roll, end, statutes), diags


def _statute_rules(raw: object, err: Callable[[str], None], unknown: Callable[[str], None]) -> tuple[NoticeRule, ...]:
    """``notice.statutes``: statutes whose duties apply to every material change, each from the statute table."""
    from kspub.law.period import parse_period
    from kspub.law.statutes import cited_articles

    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        err("notice.statutes 应为法律条文的列表，例如 statutes: [电子商务法第三十四条]。")
        return ()
    out: list[NoticeRule] = []
    for text in raw:
        citations = cited_articles(text)
        if not citations:
            err(f"notice.statutes 中的 “{text}” 不是法律条文：请写成如 电子商务法第三十四条。")
        for citation in citations:
            article = citation.article
            if article is None:
                unknown(f"notice.statutes 中的 “{text}” 不是本仓库收录的法律条文：可引用的条文见 docs/legal/statutes.md。")
                continue
            out.append(NoticeRule(basis=article.citation, period=parse_period(article.floor) if article.floor else None,
                                  note=article.subject, duties=article.duties, applies_all=True))  # fmt: skip
    return tuple(out)


def _rule(entry: object, err: Callable[[str], None], *, is_default: bool) -> NoticeRule | None:
    from kspub.law.period import parse_period

    if not isinstance(entry, dict):
        err("每条通知规则应为映射，例如 {period: 10个自然日, clause: free-service-charging-notice}。")
        return None
    for key in entry:
        if key not in _RULE_KEYS:
            err(f"通知规则中有未知字段 “{key}”：可用 {', '.join(sorted(_RULE_KEYS))}。")
    basis = str(entry.get("basis") or "").strip()
    raw_sources = entry.get("clause")
    if isinstance(raw_sources, str):
        raw_sources = [raw_sources]
    sources: tuple[str, ...] = ()
    if isinstance(raw_sources, list) and all(isinstance(x, str) for x in raw_sources):
        sources = tuple(raw_sources)
    elif raw_sources is not None:
        err("通知规则中的 clause 应为条款 ID 或其列表，例如 clause: free-service-charging-notice。")
    if not basis and not sources:
        err("每条通知规则都必须写依据：clause（规则所依据的本协议条款 ID）和/或 basis（法律条文）。")
    period = None
    if entry.get("period") is not None:
        try:
            period = parse_period(str(entry["period"]))
        except KspubError as exc:
            err(f"通知期 “{str(entry['period'])[:40]}” 无法识别：{exc.message}。")
    for key in ("channels", "tags", "clauses"):
        value = entry.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(x, str) for x in value)):
            err(f"通知规则中的 {key} 应为列表，例如 {key}: [{'site, email' if key == 'channels' else 'fees'}]。")
            return None
    channels = tuple(str(c) for c in entry.get("channels") or ())
    for c in channels:
        if c not in CHANNELS:
            err(f"未知的通知渠道 “{c}”：可用 {', '.join(CHANNELS)}。")
    if not isinstance(entry.get("consent", False), bool):
        err("consent 只能是 true 或 false。")
    consent = entry.get("consent") is True
    if period is None and not consent and not channels:
        err(f"通知规则（{basis or '、'.join(sources)}）既没有 period，也没有 consent 或 channels：请至少写一项。")
    return NoticeRule(
        basis=basis,
        period=period,
        channels=channels,
        consent=consent,
        tags=tuple(str(t) for t in entry.get("tags") or ()),
        clauses=tuple(str(c) for c in entry.get("clauses") or ()),
        note=str(entry.get("note") or ""),
        is_default=is_default,
        sources=sources,
    )


# --------------------------------------------------------------------------------------------------------
# Assessment


#: Which version's rules a rule application comes from (docs/decisions/0403-rules-in-force.md).
SIDE_ZH: Mapping[str, str] = {"base": "现行规则", "head": "新规则", "both": ""}


@dataclass(frozen=True, slots=True)
class RuleApplication:
    rule: NoticeRule
    clauses: tuple[str, ...]
    """The material changes (clause IDs) the rule applies to."""
    window: EffectiveWindow | None
    """The window counted from the announced date (None without a period or an announced date)."""
    basis: str = ""
    """The rule's basis as the report prints it: cited clauses by their current numbers, then the statute."""
    side: str = "both"
    """``base`` (the rules customers were given), ``head`` (the rules the change brings) or ``both``."""

    @property
    def label(self) -> str:
        """The basis, with the version whose rules it is when the two versions' rules differ."""
        side = SIDE_ZH.get(self.side, "")
        return f"{self.basis}（{side}）" if side else self.basis

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.to_dict(),
            "basis": self.basis,
            "side": self.side,
            "clauses": list(self.clauses),
            "window": self.window.to_dict() if self.window else None,
        }


@dataclass(frozen=True, slots=True)
class NoticeAssessment:
    """What notice a set of changes needs."""

    agreement: str
    material: bool
    applications: tuple[RuleApplication, ...]
    channels: tuple[str, ...]
    consent_required: bool
    consent_clauses: tuple[str, ...]
    announced: date | None
    earliest_effective: date | None
    """The latest E over every applicable window: the earliest date the change may lawfully take effect."""
    governing: RuleApplication | None
    """The rule that sets ``earliest_effective``."""
    provisional: bool
    base_effective: date | None = None
    """The earliest date under the base version's rules alone (set by :func:`assess_in_force`)."""
    head_effective: date | None = None
    """The earliest date under the new version's rules alone (set by :func:`assess_in_force`)."""

    @property
    def rules_differ(self) -> bool:
        """True when the base's rules and the new rules give different earliest dates."""
        return self.base_effective != self.head_effective

    @property
    def duties(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The statutory duties that apply, by statute: (citation, actions)."""
        seen: dict[str, tuple[str, ...]] = {}
        for app in self.applications:
            if app.rule.duties:
                seen.setdefault(app.rule.basis, app.rule.duties)
        return tuple(seen.items())

    @property
    def explanation(self) -> str:
        if not self.material:
            return "没有实质性变更：无需提前通知。"
        if not self.applications:
            return ("本协议的通知规则（notice）没有适用于这些变更的规则，也没有 default：无法确定通知期。"
                    "请在头信息 notice.default 中写明本协议约定的变更通知方式和期限。")
        parts: list[str] = []
        for app in self.applications:
            what = app.rule.period.display if app.rule.period else "无固定期限"
            clauses = "、".join(app.clauses)
            parts.append(f"{app.label}：{what}（适用于 {clauses}）")
        text = "；".join(parts)
        if self.rules_differ and self.base_effective is not None and self.head_effective is not None:
            text += (f"。依现行规则（基础分支上的版本，即客户已知的规则）最早生效日为 {self.base_effective.isoformat()}，"
                     f"依新规则为 {self.head_effective.isoformat()}，以较晚者为准")
        if self.governing is not None and self.earliest_effective is not None:
            text += f"。以最长者为准：依 {self.governing.label}，最早生效日为 {self.earliest_effective.isoformat()}"
        for citation, actions in self.duties:
            text += f"。{citation}另要求：" + "；".join(f"（{k}）{a}" for k, a in enumerate(actions, 1))
        if self.consent_required:
            text += "。涉及个人信息处理目的、方式或种类的变更须重新取得用户同意，未同意的用户不因期间届满而受约束"
        return text + "。"

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "material": self.material,
            "rules": [a.to_dict() for a in self.applications],
            "channels": list(self.channels),
            "channels_text": [CHANNELS.get(c, c) for c in self.channels],
            "consent_required": self.consent_required,
            "consent_clauses": list(self.consent_clauses),
            "announced": self.announced.isoformat() if self.announced else None,
            "earliest_effective_date": self.earliest_effective.isoformat() if self.earliest_effective else None,
            "base_rules_effective_date": self.base_effective.isoformat() if self.base_effective else None,
            "new_rules_effective_date": self.head_effective.isoformat() if self.head_effective else None,
            "governing_rule": self.governing.basis if self.governing else None,
            "statutory_duties": [{"statute": c, "actions": list(a)} for c, a in self.duties],
            "provisional": self.provisional,
            "explanation": self.explanation,
        }


def _lineage(node_id: str, agreements: Sequence[Agreement]) -> set[str]:
    """The clause and every ancestor, in either version: a rule on a section covers its clauses and items."""
    out = {node_id}
    for a in agreements:
        nodes = a.by_id()
        current = nodes.get(node_id)
        while current is not None and current.parent:
            out.add(current.parent)
            current = nodes.get(current.parent)
    return out


def _tags(node_ids: Iterable[str], agreements: Sequence[Agreement]) -> set[str]:
    tags: set[str] = set()
    for a in agreements:
        nodes = a.by_id()
        for nid in node_ids:
            if nid in nodes:
                tags.update(nodes[nid].tags)
    return tags


def policy_of(agreement: Agreement) -> NoticePolicy:
    """The agreement's notice policy; a block that does not read is an error (lint reports it at its line)."""
    policy, problems = load_policy(agreement.meta, agreement.path)
    if problems:
        raise KspubError(problems[0].code, problems[0].message, path=agreement.path, line=problems[0].line)
    return policy


def assess(
    material_clauses: Sequence[str],
    old: Agreement | None,
    new: Agreement,
    calendar: WorkCalendar,
    *,
    announced: date | None,
    rules_from: Agreement | None = None,
    side: str = "both",
) -> NoticeAssessment:
    """The notice the material changes to ``material_clauses`` need under the notice rules of ``rules_from``
    (``new`` unless given).

    Windows are counted from ``announced`` (the new version's announced date) with the policy's roll and end
    modes, a period in hours from the end of that day (:func:`~kspub.law.counting.announced_day_window`);
    without an announced date the rules are still listed but no date is computed. A rule applies to a
    clause by the clause's tags and ancestors in either version, so removing a tag never escapes a rule.
    """
    from kspub.law.counting import announced_day_window

    policy = policy_of(rules_from if rules_from is not None else new)
    versions = [a for a in (old, new) if a is not None]
    by_rule: dict[int, list[str]] = {}
    candidates = list(policy.all_rules)
    for clause in material_clauses:
        lineage = _lineage(clause, versions)
        tags = _tags(lineage, versions)
        for index, rule in enumerate(candidates):
            if rule.is_default or rule.applies_all or set(rule.tags) & tags or set(rule.clauses) & lineage:
                by_rule.setdefault(index, []).append(clause)
    applications: list[RuleApplication] = []
    for index, clauses in sorted(by_rule.items()):
        rule = candidates[index]
        window = None
        if rule.period is not None and announced is not None:
            window = announced_day_window(announced, rule.period, calendar, roll=policy.roll, end=policy.end)
        applications.append(RuleApplication(rule, tuple(dict.fromkeys(clauses)), window, rule.describe(new), side))
    return combine_assessment(new.id, bool(material_clauses), applications, announced)


def combine_assessment(agreement: str, material: bool, applications: Sequence[RuleApplication], announced: date | None,
                **extra: Any) -> NoticeAssessment:  # fmt: skip
    governing = _governing(applications)
    channels = dict.fromkeys(c for app in applications for c in app.rule.channels)  # each once, in order
    consent_clauses = tuple(dict.fromkeys(c for app in applications if app.rule.consent for c in app.clauses))
    return NoticeAssessment(
        agreement=agreement,
        material=material,
        applications=tuple(applications),
        channels=tuple(channels),
        consent_required=bool(consent_clauses),
        consent_clauses=consent_clauses,
        announced=announced,
        earliest_effective=governing.window.effective_date if governing and governing.window else None,
        governing=governing,
        provisional=any(a.window.provisional for a in applications if a.window),
        **extra,
    )


def _governing(applications: Sequence[RuleApplication]) -> RuleApplication | None:
    """The application whose window ends latest; on a tie the specific rule (not the default) is the one to cite,
    and between the two versions' rules the rule customers were given."""
    governing = None
    for app in applications:
        if app.window is None:
            continue
        best = governing.window.effective_date if governing is not None and governing.window else None
        if best is None or app.window.effective_date > best or (
            app.window.effective_date == best and governing is not None and governing.rule.is_default
            and not app.rule.is_default
        ):
            governing = app
    return governing
