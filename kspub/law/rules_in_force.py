"""The rules in force (docs/decisions/0403-rules-in-force.md): a change is judged under the notice rules
customers were given and under the rules it brings, the stricter governing; and what a version changes in the
rules themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kspub.law.notice import (
    CHANNELS,
    NoticeAssessment,
    NoticeRule,
    RuleApplication,
    assess,
    combine_assessment,
    policy_of,
    reference_number,
)
from kspub.law.period import at_least
from kspub.model import Agreement

if TYPE_CHECKING:
    from kspub.law.workdays import WorkCalendar


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
    change brings (``new``'s): every window of both, the latest governs. Each version's rules are counted with
    that version's roll and end modes. A rule both versions hold alike is listed once when both readings give
    it the same window; when the modes differ and so do the windows, it is listed under each version (a pull
    request that lowers the modes never lowers the date of a rule it keeps: docs/legal/notice.md §4). The
    others are labelled with their version."""
    base = assess(material_clauses, old, new, calendar, announced=announced, rules_from=old)  # sides set below
    head = assess(material_clauses, old, new, calendar, announced=announced, side="head")  # new's rules
    base_rules = {_semantics(a.rule) for a in base.applications}
    merged: list[RuleApplication] = []
    kept: set[int] = set()
    for app in base.applications:
        twin = next((k for k, h in enumerate(head.applications) if _semantics(h.rule) == _semantics(app.rule)), None)
        if twin is None:
            merged.append(_with_side(app, "base"))
        elif _same_window(app, head.applications[twin]):  # cite it as the new text numbers it
            merged.append(_with_side(head.applications[twin], "both"))
        else:  # the same rule, counted under the base's modes: cited as the new text numbers it
            merged.append(RuleApplication(app.rule, app.clauses, app.window, head.applications[twin].basis, "base"))
            kept.add(twin)
    merged += [a for k, a in enumerate(head.applications) if k in kept or _semantics(a.rule) not in base_rules]
    return combine_assessment(new.id, bool(material_clauses), merged, announced,
                       base_effective=base.earliest_effective, head_effective=head.earliest_effective)  # fmt: skip


def _with_side(app: RuleApplication, side: str) -> RuleApplication:
    return RuleApplication(app.rule, app.clauses, app.window, app.basis, side)


def _same_window(a: RuleApplication, b: RuleApplication) -> bool:
    """The two readings of one rule give the same window (the modes aside, which only matter through it)."""
    # one rule counted from one announcement: both readings have a window, or neither has (no date announced)
    fields = ("effective_date", "effective_instant", "last_day", "provisional")
    return a.window is None or all(getattr(a.window, f) == getattr(b.window, f) for f in fields)


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
    """What makes a rule the same rule in two versions; the three kinds of key differ in length."""
    if rule.is_default:
        return ()
    if rule.applies_all:
        return (rule.basis,)
    return (frozenset(rule.tags), frozenset(rule.clauses))


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
        lowered = after.roll.value == "statutory_only"
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
        lowered = a.period is not None and (b.period is None or not at_least(b.period, a.period))
    gone = [CHANNELS[c] for c in a.channels if c not in b.channels]  # a rule names known channels only
    added = [CHANNELS[c] for c in b.channels if c not in a.channels]
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
