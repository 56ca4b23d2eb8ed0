"""Notice rules as data, and what notice a set of changes needs.

Each agreement declares in its front matter a default notice window and overrides by clause tag or clause ID,
each citing the clause it rests on by clause ID (``clause``) and any statute by article (``basis``), and the
statutes whose duties apply to every change (``statutes``) (docs/source-format.md §四). Given the changes between
two versions, :func:`assess` says which rules apply, the channels, whether fresh consent is required, and the
earliest lawful effective date counted from the announced date under the Civil Code's period rules;
:func:`assess_in_force` does so under the base version's rules and the new version's and lets the stricter govern,
and :func:`diff_policies` lists what a version changes in the rules themselves (docs/decisions/0403, 0404).
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

    def describe(self, agreement: Agreement | None = None) -> str:
        """The rule's basis as a reader needs it: each cited clause by its current display number in
        ``agreement`` (本协议第4.4条), then the statute. A clause the agreement no longer has is named by ID."""
        parts: list[str] = []
        nodes = agreement.by_id() if agreement is not None else {}
        word = own_word(agreement)
        for cid in self.sources:
            node = nodes.get(cid)
            number = reference_number(node.number) if node is not None and node.number else ""
            parts.append(f"{word}第{number}条" if number else f"{word}条款 {cid}")
        if self.basis:
            parts.append(self.basis)
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
            err(f"notice 中有未知字段 “{key}”：可用 default、rules、roll、end。")
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
    if raw_sources is not None and (not isinstance(raw_sources, list) or not all(isinstance(x, str) for x in raw_sources)):
        err("通知规则中的 clause 应为条款 ID 或其列表，例如 clause: free-service-charging-notice。")
        raw_sources = None
    sources = tuple(str(x) for x in raw_sources or ())
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
    consent = entry.get("consent", False)
    if not isinstance(consent, bool):
        err("consent 只能是 true 或 false。")
        consent = False
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


def period_bounds(period: Period) -> tuple[float, float]:
    """The shortest and longest span of ``period`` in calendar days, whatever the calendar: 10 working days
    take at least 10 calendar days and, across the longest holiday blocks, far more."""
    from kspub.law.period import Unit

    n = period.count
    return {
        Unit.CALENDAR_DAY: (n, n),
        Unit.WORKING_DAY: (n, n * 7 / 5 + 12),
        Unit.MONTH: (28 * n, 31 * n),
        Unit.YEAR: (365 * n, 366 * n),
        Unit.HOUR: (n / 24, n / 24),
    }[period.unit]


def at_least(period: Period, other: Period) -> bool:
    """True when ``period`` is never shorter than ``other``, from any notice date."""
    if period.unit == other.unit:
        return period.count >= other.count
    return period_bounds(period)[0] >= period_bounds(other)[1]


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
    modes; without an announced date the rules are still listed but no date is computed. A rule applies to a
    clause by the clause's tags and ancestors in either version, so removing a tag never escapes a rule.
    """
    from kspub.law.counting import effective_window

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
            window = effective_window(announced, rule.period, calendar, roll=policy.roll, end=policy.end)
        applications.append(RuleApplication(rule, tuple(dict.fromkeys(clauses)), window, rule.describe(new), side))
    return _assessment(new.id, bool(material_clauses), applications, announced)


def _assessment(agreement: str, material: bool, applications: Sequence[RuleApplication], announced: date | None,
                **extra: Any) -> NoticeAssessment:  # fmt: skip
    governing = _governing(applications)
    channels: dict[str, None] = {}
    for app in applications:
        for c in app.rule.channels:
            channels[c] = None
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


# --------------------------------------------------------------------------------------------------------
# The rules in force (docs/decisions/0403-rules-in-force.md)


def _semantics(rule: NoticeRule) -> tuple[Any, ...]:
    """What a rule requires, without where it is cited from: two rules with equal semantics are one rule."""
    return (rule.period, frozenset(rule.channels), rule.consent, frozenset(rule.tags), frozenset(rule.clauses),
            rule.is_default, rule.applies_all)  # fmt: skip


def assess_in_force(
    material_clauses: Sequence[str],
    old: Agreement,
    new: Agreement,
    calendar: WorkCalendar,
    *,
    announced: date | None,
) -> NoticeAssessment:
    """The notice the changes need under the rules customers were given (``old``'s) and under the rules the
    change brings (``new``'s): every window of both, the latest governs. A rule both versions hold alike is
    listed once; the others are labelled with their version."""
    base = assess(material_clauses, old, new, calendar, announced=announced, rules_from=old, side="base")
    head = assess(material_clauses, old, new, calendar, announced=announced, rules_from=new, side="head")
    head_rules = {_semantics(a.rule) for a in head.applications}
    base_rules = {_semantics(a.rule) for a in base.applications}
    merged: list[RuleApplication] = []
    for app in base.applications:
        shared = _semantics(app.rule) in head_rules
        if shared:  # cite it as the new text numbers it
            app = next(h for h in head.applications if _semantics(h.rule) == _semantics(app.rule))
        merged.append(_with_side(app, "both" if shared else "base"))
    merged += [a for a in head.applications if _semantics(a.rule) not in base_rules]
    return _assessment(new.id, bool(material_clauses), merged, announced,
                       base_effective=base.earliest_effective, head_effective=head.earliest_effective)  # fmt: skip


def _with_side(app: RuleApplication, side: str) -> RuleApplication:
    return RuleApplication(app.rule, app.clauses, app.window, app.basis, side)


@dataclass(frozen=True, slots=True)
class RuleChange:
    """A change a version makes to the notice rules themselves (docs/decisions/0403-rules-in-force.md)."""

    name: str
    """The rule as the report names it (its basis, clauses by their current numbers)."""
    what: tuple[str, ...]
    """What changed, in Chinese: 通知期 30日 → 3日, 删除通知渠道 电子邮件, 不再要求重新取得同意, 适用范围 …"""
    lowered: bool
    """True when customers get less: a shorter or no period, fewer channels, no consent, a narrower scope, a
    rule removed, a later roll or an earlier end."""
    sources: tuple[str, ...]
    """The clause IDs the rule rests on, in either version (empty for a rule resting only on a statute)."""
    statutory: bool = False
    """True when the rule rests on a statute and on no clause of the agreement."""

    @property
    def text(self) -> str:
        return f"{self.name}：{'；'.join(self.what)}"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.name, "changes": list(self.what), "lowered": self.lowered, "clauses": list(self.sources),
                "statutory": self.statutory}  # fmt: skip


def legacy_sources(rule: NoticeRule, agreement: Agreement) -> tuple[str, ...]:
    """The clause IDs a rule rests on: its ``clause``, or, for a rule written before rules cited clauses by ID,
    the clauses its ``basis`` names by number (本协议第4.4条) in ``agreement``."""
    if rule.sources:
        return rule.sources
    from kspub.chinese_text import internal_references, normalise, reference_key

    numbers = {reference_key(reference_number(n.number)): n.id for n in agreement.nodes if n.number}
    out: list[str] = []
    for segment in rule.basis.split("；"):
        from kspub.law.statutes import mentions_own_clause

        if not mentions_own_clause(segment):
            continue
        for ref in internal_references(normalise(segment)):
            if ref.key in numbers:
                out.append(numbers[ref.key])
    return tuple(out)


def _rule_name(rule: NoticeRule, agreement: Agreement) -> str:
    if rule.applies_all:
        return rule.basis
    what = "默认规则" if rule.is_default else "通知规则"
    scope = "、".join([*rule.tags, *rule.clauses])
    return f"{what}（{rule.describe(agreement)}{'，适用于 ' + scope if scope else ''}）"


def _key(rule: NoticeRule) -> tuple[Any, ...]:
    if rule.is_default:
        return ("default",)
    if rule.applies_all:
        return ("statute", rule.basis)
    return ("scope", frozenset(rule.tags), frozenset(rule.clauses))


def diff_policies(old: Agreement, new: Agreement) -> list[RuleChange]:
    """What ``new`` changes in the notice rules of ``old``: one entry per rule added, removed or changed in what
    it requires (period, channels, consent, scope), and the roll and end modes. A rule that only changes how it
    is cited (``basis`` → ``clause``) is the same rule."""
    before, after = policy_of(old), policy_of(new)
    out: list[RuleChange] = []
    old_rules = list(before.all_rules)
    new_rules = list(after.all_rules)
    pairs: list[tuple[NoticeRule | None, NoticeRule | None]] = []
    unmatched_new = list(new_rules)
    leftovers: list[NoticeRule] = []
    for rule in old_rules:
        match = next((r for r in unmatched_new if _key(r) == _key(rule)), None)
        if match is None:
            leftovers.append(rule)
        else:
            unmatched_new.remove(match)
            pairs.append((rule, match))
    for rule in leftovers:  # the same clauses or statute, a changed scope
        src = set(legacy_sources(rule, old)) or {rule.basis}
        match = next((r for r in unmatched_new if (set(legacy_sources(r, new)) or {r.basis}) == src), None)
        if match is not None:
            unmatched_new.remove(match)
        pairs.append((rule, match))
    pairs += [(None, r) for r in unmatched_new]
    for a, b in pairs:
        change = _rule_change(a, b, old, new)
        if change is not None:
            out.append(change)
    modes: list[str] = []
    lowered = False
    if before.roll != after.roll:
        modes.append(f"期间最后一日顺延方式 {before.roll.value} → {after.roll.value}")
        lowered |= after.roll.value == "statutory_only"
    if before.end != after.end:
        modes.append(f"生效方式 {before.end.value} → {after.end.value}")
        lowered |= after.end.value == "lenient"
    if modes:
        out.append(RuleChange("期间计算方式（notice.roll / notice.end）", tuple(modes), lowered, (), statutory=True))
    return out


def _rule_change(a: NoticeRule | None, b: NoticeRule | None, old: Agreement, new: Agreement) -> RuleChange | None:
    sources = tuple(dict.fromkeys([*(legacy_sources(a, old) if a else ()), *(legacy_sources(b, new) if b else ())]))
    statutory = not sources
    if a is None:
        assert b is not None
        return RuleChange(_rule_name(b, new), ("新增规则",), False, sources, statutory)
    if b is None:
        return RuleChange(_rule_name(a, old), ("删除规则",), True, sources, statutory)
    what: list[str] = []
    lowered = False
    if a.period != b.period:
        old_p = a.period.display if a.period else "无"
        new_p = b.period.display if b.period else "无"
        what.append(f"通知期 {old_p} → {new_p}")
        lowered |= a.period is not None and (b.period is None or not at_least(b.period, a.period))
    gone = [CHANNELS.get(c, c) for c in a.channels if c not in b.channels]
    added = [CHANNELS.get(c, c) for c in b.channels if c not in a.channels]
    if gone:
        what.append(f"删除通知渠道 {'、'.join(gone)}")
        lowered = True
    if added:
        what.append(f"新增通知渠道 {'、'.join(added)}")
    if a.consent != b.consent:
        what.append("新增重新取得同意的要求" if b.consent else "不再要求重新取得同意")
        lowered |= a.consent
    if not a.is_default and not a.applies_all:
        narrowed = [x for x in (*a.tags, *a.clauses) if x not in (*b.tags, *b.clauses)]
        widened = [x for x in (*b.tags, *b.clauses) if x not in (*a.tags, *a.clauses)]
        if narrowed:
            what.append(f"适用范围缩小（不再适用于 {'、'.join(narrowed)}）")
            lowered = True
        if widened:
            what.append(f"适用范围扩大（新增 {'、'.join(widened)}）")
    if not what:
        return None
    return RuleChange(_rule_name(b, new), tuple(what), lowered, sources, statutory)
