"""Notice rules as data, and what notice a set of changes needs.

Each agreement declares in its front matter a default notice window and overrides by clause tag or clause ID,
each citing the clause or statute it comes from (docs/source-format.md §四). Given the changes between two
versions, :func:`assess` says which rules apply, the channels, whether fresh consent is required, and the
earliest lawful effective date counted from the announced date under the Civil Code's period rules.
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
_RULE_KEYS = frozenset({"period", "channels", "basis", "consent", "tags", "clauses", "note"})
_POLICY_KEYS = frozenset({"default", "rules", "roll", "end"})


@dataclass(frozen=True, slots=True)
class NoticeRule:
    """One notice requirement: a window, channels and/or fresh consent, and where it comes from."""

    basis: str
    """The clause or statute the rule comes from, e.g. 本协议第4.4条 or 个人信息保护法第十四条."""
    period: Period | None = None
    channels: tuple[str, ...] = ()
    consent: bool = False
    """True when a change takes effect for a user only with fresh consent (PIPL Art. 14)."""
    tags: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()
    note: str = ""
    is_default: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
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
                err(f"通知规则（{rule.basis}）需写 tags 或 clauses，说明它适用于哪些条款；适用于全部条款的写在 default。")
            rules.append(rule)
    return NoticePolicy(default, tuple(rules), roll, end), diags


def _rule(entry: object, err: Callable[[str], None], *, is_default: bool) -> NoticeRule | None:
    from kspub.law.period import parse_period

    if not isinstance(entry, dict):
        err("每条通知规则应为映射，例如 {period: 10个自然日, basis: 本协议第4.4条}。")
        return None
    for key in entry:
        if key not in _RULE_KEYS:
            err(f"通知规则中有未知字段 “{key}”：可用 {', '.join(sorted(_RULE_KEYS))}。")
    basis = str(entry.get("basis") or "").strip()
    if not basis:
        err("每条通知规则都必须写 basis（依据的条款或法律条文）。")
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
        err(f"通知规则（{basis}）既没有 period，也没有 consent 或 channels：请至少写一项。")
    return NoticeRule(
        basis=basis,
        period=period,
        channels=channels,
        consent=consent,
        tags=tuple(str(t) for t in entry.get("tags") or ()),
        clauses=tuple(str(c) for c in entry.get("clauses") or ()),
        note=str(entry.get("note") or ""),
        is_default=is_default,
    )


def lint_notice(a: Agreement) -> list[Diagnostic]:
    """Lint rule: the notice block reads, and every clause it names exists."""
    policy, diags = load_policy(a.meta, a.path)
    ids = {n.id for n in a.nodes} | set(a.meta.retired)
    for rule in policy.rules:
        for cid in rule.clauses:
            if cid not in ids:
                diags.append(
                    Diagnostic(
                        "KS121",
                        f"通知规则（{rule.basis}）引用了不存在的条款 ID “{cid}”：请改正 clauses。",
                        a.path,
                        a.meta.field_lines.get("notice"),
                    )
                )
    return diags


# --------------------------------------------------------------------------------------------------------
# Assessment


@dataclass(frozen=True, slots=True)
class RuleApplication:
    rule: NoticeRule
    clauses: tuple[str, ...]
    """The material changes (clause IDs) the rule applies to."""
    window: EffectiveWindow | None
    """The window counted from the announced date (None without a period or an announced date)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.to_dict(),
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

    @property
    def explanation(self) -> str:
        if not self.material:
            return "没有实质性变更：无需提前通知。"
        parts: list[str] = []
        for app in self.applications:
            what = app.rule.period.display if app.rule.period else "无固定期限"
            clauses = "、".join(app.clauses)
            parts.append(f"{app.rule.basis}：{what}（适用于 {clauses}）")
        text = "；".join(parts)
        if self.governing is not None and self.earliest_effective is not None:
            text += f"。以最长者为准：依 {self.governing.rule.basis}，最早生效日为 {self.earliest_effective.isoformat()}"
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
            "governing_rule": self.governing.rule.basis if self.governing else None,
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


def assess(
    material_clauses: Sequence[str],
    old: Agreement | None,
    new: Agreement,
    calendar: WorkCalendar,
    *,
    announced: date | None,
) -> NoticeAssessment:
    """The notice the material changes to ``material_clauses`` need under ``new``'s notice rules.

    Windows are counted from ``announced`` (the new version's announced date) with the policy's roll and end
    modes; without an announced date the rules are still listed but no date is computed.
    """
    from kspub.law.counting import effective_window

    policy, problems = load_policy(new.meta, new.path)
    if problems:
        raise KspubError("KS120", problems[0].message, path=new.path, line=problems[0].line)
    versions = [a for a in (old, new) if a is not None]
    by_rule: dict[int, list[str]] = {}
    candidates = ([policy.default] if policy.default else []) + list(policy.rules)
    for clause in material_clauses:
        lineage = _lineage(clause, versions)
        tags = _tags(lineage, versions)
        for index, rule in enumerate(candidates):
            if rule.is_default or set(rule.tags) & tags or set(rule.clauses) & lineage:
                by_rule.setdefault(index, []).append(clause)
    applications: list[RuleApplication] = []
    for index, clauses in sorted(by_rule.items()):
        rule = candidates[index]
        window = None
        if rule.period is not None and announced is not None:
            window = effective_window(announced, rule.period, calendar, roll=policy.roll, end=policy.end)
        applications.append(RuleApplication(rule, tuple(dict.fromkeys(clauses)), window))
    governing = _governing(applications)
    channels: dict[str, None] = {}
    for app in applications:
        for c in app.rule.channels:
            channels[c] = None
    consent_clauses = tuple(dict.fromkeys(c for app in applications if app.rule.consent for c in app.clauses))
    return NoticeAssessment(
        agreement=new.id,
        material=bool(material_clauses),
        applications=tuple(applications),
        channels=tuple(channels),
        consent_required=bool(consent_clauses),
        consent_clauses=consent_clauses,
        announced=announced,
        earliest_effective=governing.window.effective_date if governing and governing.window else None,
        governing=governing,
        provisional=any(a.window.provisional for a in applications if a.window),
    )


def _governing(applications: Sequence[RuleApplication]) -> RuleApplication | None:
    """The application whose window ends latest; on a tie the specific rule (not the default) is the one to cite."""
    governing = None
    for app in applications:
        if app.window is None:
            continue
        best = governing.window.effective_date if governing is not None and governing.window else None
        if best is None or app.window.effective_date > best or (
            app.window.effective_date == best and governing is not None and governing.rule.is_default
        ):
            governing = app
    return governing
