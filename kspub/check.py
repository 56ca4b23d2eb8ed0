"""`kspub check`: the pull-request gate.

Lint everything; then for every agreement changed against the base: a new version label, announced and effective
dates, an effective date no earlier than the earliest lawful one, a change summary for material changes,
consent-gated changes flagged, no edit to an announced version. SLA catalogue changes are checked the same way.
The result is plain data; :mod:`kspub.check_report` renders it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kspub.check_content import content_findings
from kspub.chinese_text import listed
from kspub.diff import ChangeSet
from kspub.diff_operands import AgreementDiff, diff_refs
from kspub.errors import Diagnostic, KspubError, Severity
from kspub.history import Timeline
from kspub.law.notice import NoticeAssessment
from kspub.law.rules_in_force import RuleChange, assess_in_force, diff_policies
from kspub.model import Agreement
from kspub.sla.diff import SlaChangeSet, diff_sla

if TYPE_CHECKING:
    from kspub.law.counting import EffectiveWindow
    from kspub.law.workdays import WorkCalendar
    from kspub.sla.catalogue import SlaCatalogue


class AddFinding(Protocol):
    """Records one finding of the gate for the agreement being checked."""

    def __call__(self, code: str, message: str, line: int | None = None, severity: Severity = ...) -> None: ...

#: SLAs are part of the service terms (金山云云服务使用协议 1.3): their changes follow that agreement's rules.
SLA_RULES_FROM = "cloud-service-agreement"


@dataclass(frozen=True, slots=True)
class Finding:
    """One verdict line of the check, in Chinese, at a place in the new text when there is one."""

    code: str
    severity: Severity
    message: str
    path: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity.value, "message": self.message, "path": self.path,
                "line": self.line}  # fmt: skip

    def as_diagnostic(self) -> Diagnostic:
        return Diagnostic(self.code, self.message, self.path, self.line, self.severity)


@dataclass(frozen=True, slots=True)
class AgreementCheck:
    path: str
    agreement: str
    title: str
    old_version: str | None
    new_version: str | None
    changes: ChangeSet | None
    notice: NoticeAssessment | None
    findings: tuple[Finding, ...]
    announced: date | None = None
    effective: date | None = None
    rule_changes: tuple[RuleChange, ...] = ()
    """What the new version changes in the notice rules themselves (docs/decisions/0403-rules-in-force.md)."""

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "agreement": self.agreement,
            "title": self.title,
            "from": self.old_version,
            "to": self.new_version,
            "announced": self.announced.isoformat() if self.announced else None,
            "effective": self.effective.isoformat() if self.effective else None,
            "ok": self.ok,
            "diff": self.changes.to_dict() if self.changes else None,
            "notice": self.notice.to_dict() if self.notice else None,
            "rule_changes": [r.to_dict() for r in self.rule_changes],
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class SlaCheck:
    changes: SlaChangeSet
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"diff": self.changes.to_dict(), "findings": [f.to_dict() for f in self.findings]}


@dataclass(frozen=True, slots=True)
class CheckReport:
    base: str
    today: date
    lint: tuple[Diagnostic, ...]
    agreements: tuple[AgreementCheck, ...]
    sla: SlaCheck | None
    history: tuple[Diagnostic, ...] = field(default=())
    unchecked: tuple[str, ...] = field(default=())
    """Agreement files changed against the base that could not be compared: they fail lint."""

    @property
    def ok(self) -> bool:
        return (
            not any(d.severity is Severity.ERROR for d in self.lint + self.history)
            and all(a.ok for a in self.agreements)
            and not (self.sla and any(f.severity is Severity.ERROR for f in self.sla.findings))
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "today": self.today.isoformat(),
            "ok": self.ok,
            "lint": [d.to_dict() for d in self.lint],
            "history": [d.to_dict() for d in self.history],
            "agreements": [a.to_dict() for a in self.agreements],
            "sla": self.sla.to_dict() if self.sla else None,
            "unchecked": list(self.unchecked),
        }


def _version_line(a: Agreement) -> int | None:
    return a.meta.field_lines.get("version")


def _fm_line(a: Agreement, key: str) -> int | None:
    """The line of a front-matter field, or of the version when the field is not written."""
    return a.meta.field_lines.get(key) or _version_line(a)


def check_agreement(diff: AgreementDiff, today: date, calendar: WorkCalendar, *, withdrawn: bool,
                    timeline: Timeline | None = None) -> AgreementCheck:  # fmt: skip
    """Every rule of the gate for one changed agreement; ``withdrawn``: the record holds its withdrawal or its
    rename; ``timeline``: its released versions (for the rules of :mod:`kspub.check_content`)."""
    old, new = diff.old, diff.new
    findings: list[Finding] = []

    def add(code: str, message: str, line: int | None = None, severity: Severity = Severity.ERROR) -> None:
        findings.append(Finding(code, severity, message, diff.path, line))

    if new is None:
        assert old is not None
        if withdrawn:
            add("KS427", f"协议 {old.id} 已登记停止适用（或改名）：其全部版本仍会发布。", severity=Severity.INFO)
        else:
            add("KS421", f"删除了已发布的协议 {old.id}：已发布的协议及其历史版本不能悄悄删除；停止适用请运行 "
                f"kspub release {old.id} --withdraw --reason 原因，改名请对新协议运行 kspub release 新ID --renamed-from {old.id}。")  # fmt: skip
        return AgreementCheck(diff.path, old.id, old.meta.title, old.meta.version, None, None, None, tuple(findings))
    meta = new.meta
    if old is None:
        add("KS422", f"新增协议 {new.id}（版本 {meta.version}）：首次发布无需提前通知。", severity=Severity.WARNING)
        return AgreementCheck(diff.path, new.id, meta.title, None, meta.version, None, None, tuple(findings),
                              meta.announced, meta.effective)  # fmt: skip
    changes = diff.changes
    assert changes is not None
    content_findings(old, new, changes, timeline, add)
    text_changed = bool(changes.changes)
    material = [c.clause for c in changes.changes if c.material]
    same_label = old.meta.version == meta.version
    new_corrections = [c for c in meta.corrections if c not in old.meta.corrections]
    notice: NoticeAssessment | None = None
    if text_changed and same_label:
        if new_corrections and not material:
            add("KS423", f"已登记勘误（{new_corrections[-1].reason}）：版本 {meta.version} 的编辑性更正，无需新版本号。",
                _fm_line(new, "corrections"), Severity.WARNING)  # fmt: skip
        elif new_corrections:
            add("KS411", f"勘误只能做不改变含义的编辑性更正，但本次修改含 {len(material)} 处实质性变更"
                f"（{listed(material)}）：如这些修改确实不改变含义（例如错别字），请在 change_notes 中为每个条款"
                "写明 clause、class: editorial 和 reason（涉及数字、义务用语或重要主题的还要写 approved_by）；"
                "否则请设置新的版本号并按通知规则公告。", _fm_line(new, "corrections"))  # fmt: skip
        else:
            add("KS410", f"修改了版本 {meta.version} 的正文却没有更换版本号：已发布的版本不能再改，请把 version 改为新的版本号"
                "（如只是不改变含义的错字更正，请在 corrections 中登记日期和原因）。", _version_line(new))  # fmt: skip
    elif not same_label:
        if meta.announced is None:
            add("KS412", f"新版本 {meta.version} 缺少公告日期 announced：请写明通知（公告）生效的日期。", _version_line(new))
        elif meta.announced < today:
            add("KS418", f"公告日期 {meta.announced} 早于今天（{today}）：通知自实际公告之日起才生效，请改为实际公告的日期。",
                _fm_line(new, "announced"))  # fmt: skip
        if meta.announced is not None and meta.announced > today:
            add("KS428", f"公告日期为 {meta.announced}：合并后，版本 {meta.version} 自 {meta.announced}（北京时间）起的首次生成"
                "（每日 00:05）才出现在网站、API、订阅和搜索中，此前不公开。", _fm_line(new, "announced"), Severity.INFO)  # fmt: skip
        if meta.effective is None:
            add("KS413", f"新版本 {meta.version} 缺少生效日期 effective：请写明新版本生效的日期。", _version_line(new))
        else:
            _judge_order(new, timeline, add)
        if material and not meta.summary:
            add("KS415", f"本次有 {len(material)} 处实质性变更，但没有变更说明：请在 summary 中用客户能看懂的话写明改了什么。",
                _version_line(new))  # fmt: skip
        if not text_changed:
            add("KS424", f"版本号由 {old.meta.version} 改为 {meta.version}，但正文没有变化。", _version_line(new),
                Severity.WARNING)  # fmt: skip
    rule_changes = _judge_rule_changes(old, new, changes, add)
    if material:
        try:
            notice = assess_in_force(material, old, new, calendar, announced=meta.announced)
        except KspubError as exc:
            add(exc.code, _cannot_compute(exc), _fm_line(new, "announced"))
        if notice is not None:
            _judge_dates(notice, new, add)
            _judge_rules_in_force(notice, new, add)
    return AgreementCheck(diff.path, new.id, meta.title, old.meta.version, meta.version, changes, notice,
                          tuple(findings), meta.announced, meta.effective, rule_changes)  # fmt: skip


def _judge_order(new: Agreement, timeline: Timeline | None, add: AddFinding) -> None:
    """KS429: the new version takes effect before a version released earlier. The rule clients apply ("the last
    version, in order, whose effective date has come") would then skip days or go back (docs/api.md)."""
    meta = new.meta
    effective = meta.effective
    assert effective is not None
    if timeline is None:
        return
    later = [v for v in timeline.versions if v.label != meta.version and v.withdrawn is None
             and v.effective is not None and v.effective > effective]  # fmt: skip
    if later:
        v = max(later, key=attrgetter("effective"))  # the first of those taking effect last
        add("KS429", f"新版本 {meta.version} 的生效日期 {meta.effective} 早于已发布的版本 {v.label}（{v.effective} 生效）："
            f"生效日期应随版本先后递增，否则无法判断某一天哪个版本有效。请改为不早于 {v.effective} 的日期。",
            _fm_line(new, "effective"))  # fmt: skip


def _cannot_compute(exc: KspubError) -> str:
    """Why no earliest date could be computed; a year without a schedule names the file to add and the notice
    to transcribe into it."""
    import re

    from kspub.law.workdays import UNKNOWN_YEAR

    year = re.match(r"(\d{4})年", exc.message) if exc.code == UNKNOWN_YEAR else None
    if year is not None:
        y = year.group(1)
        return (f"无法计算最早合法生效日：通知期延伸到 {y} 年，但没有 {y} 年的放假安排（kspub 不推测日历）。请把"
                f"《国务院办公厅关于{y}年部分节假日安排的通知》的全部节假日、调休放假日和调休上班日录入本仓库的 "
                f"calendar/{y}.yaml（格式见 kspub/data/calendar/README.md），再重新运行检查。")
    return f"无法计算最早合法生效日：{exc.message}" + (f"（{exc.hint}）" if exc.hint else "")


def _judge_rule_changes(old: Agreement, new: Agreement, changes: ChangeSet, add: AddFinding) -> tuple[RuleChange, ...]:
    """A change to the notice rules is a change of its own (docs/decisions/0403-rules-in-force.md): listed
    always (KS440); lowering a rule is an error unless the clause it rests on changes materially in the same
    version (KS441), and a rule resting only on a statute cannot be lowered at all (KS442). The clause's change
    is then judged under the old rule, which :func:`assess_in_force` applies. A clause change downgraded to
    editorial by a change note that names its approver (KS451) is a change of the clause too: the rule follows
    the clause's text (KS131), and the approval is on the record (docs/decisions/0405-overrides-on-the-record.md)."""
    from kspub.changes import OVERRIDE_APPROVED

    try:
        found = tuple(diff_policies(old, new))
    except KspubError:
        return ()  # a notice block that does not read: lint reports it
    line = _fm_line(new, "notice")
    changed = {i for c in changes.changes if c.material for i in (c.clause, *c.old_ids, *c.new_ids)}
    approved = {i for c in changes.changes if OVERRIDE_APPROVED in c.flags for i in (c.clause, *c.old_ids, *c.new_ids)}
    for rc in found:
        add("KS440", f"通知规则变更：{rc.text}。", line, Severity.INFO)
        if not rc.lowered:
            continue
        if rc.statutory:
            add("KS442", f"降低了依据法律或计算方式的通知要求（{rc.text}）：协议不能降低法律规定的通知要求，期间计算方式"
                "也不能在合并请求中放宽。请恢复原规则。", line)  # fmt: skip
        elif not set(rc.sources) & changed and set(rc.sources) & approved:
            clauses = "、".join(sorted(set(rc.sources) & approved))
            add("KS445", f"通知规则随所依据的条款一同修改（{rc.text}）：该条款（{clauses}）的修改已由批准人降为编辑性修改"
                "（见 KS451），本次不计通知期；新规则自新版本生效后适用。", line, Severity.INFO)  # fmt: skip
        elif not set(rc.sources) & changed:
            clauses = "、".join(rc.sources)
            add("KS441", f"降低了通知要求（{rc.text}），但规则所依据的条款（{clauses}）在本版本中没有相应修改：客户已知的"
                "条款仍是原来的约定，只改头信息中的规则不能缩短通知。请恢复规则，或在同一版本中修改该条款（该条款的"
                "修改将按原规则通知）。", line)  # fmt: skip
        else:
            add("KS445", f"通知规则随所依据的条款一同修改（{rc.text}）：本次变更按修改前的规则（客户已知的规则）计算通知期，"
                "新规则自新版本生效后适用。", line, Severity.INFO)  # fmt: skip
    return found


def _judge_rules_in_force(notice: NoticeAssessment, new: Agreement, add: AddFinding) -> None:
    """The report shows both versions' dates when their rules differ (KS443), and what a statute requires of
    its own (KS444: E-Commerce Law Art. 34's consultation, publication and exit right)."""
    if notice.rules_differ and notice.base_effective is not None and notice.head_effective is not None:
        add("KS443", f"现行规则与新规则给出的最早生效日不同：依现行规则（客户已知的版本）为 {notice.base_effective}，"
            f"依新规则为 {notice.head_effective}；以较晚的 {notice.earliest_effective} 为准。",
            _fm_line(new, "effective"), Severity.INFO)  # fmt: skip
    for citation, actions in notice.duties:
        listed = "；".join(f"（{k}）{a}" for k, a in enumerate(actions, 1))
        add("KS444", f"{citation}对本次修改另有要求，kspub 无法核实，请在公告时逐项落实：{listed}。",
            _fm_line(new, "announced"), Severity.WARNING)  # fmt: skip


def _judge_dates(notice: NoticeAssessment, new: Agreement, add: AddFinding) -> None:
    meta = new.meta
    earliest, gov = notice.earliest_effective, notice.governing
    if meta.effective is not None and earliest is not None and gov is not None and gov.rule.period is not None:
        if meta.effective < earliest:
            add(
                "KS414",
                f"生效日期 {meta.effective} 早于最早合法生效日 {earliest}：依 {gov.label}，实质性变更"
                f"（{listed(gov.clauses)}）须提前{gov.rule.period.display}通知，{_period_end(gov.window)}。"
                f"请把 effective 改为 {earliest} 或更晚，或提前公告。",
                _fm_line(new, "effective"),
            )
        else:
            add("KS425", f"生效日期 {meta.effective} 不早于最早合法生效日 {earliest}（依 {gov.label}，"
                f"{gov.rule.period.display}）。", _fm_line(new, "effective"), Severity.INFO)  # fmt: skip
    if notice.consent_required:
        add("KS416", f"须重新取得用户同意（{listed(notice.consent_clauses)}）：处理目的、方式或个人信息种类的变更，"
            "对未同意的用户不因期间届满而生效（个人信息保护法第十四条）。请确认已安排同意弹窗或勾选。",
            _version_line(new), Severity.WARNING)  # fmt: skip
    if notice.provisional:
        add("KS419", "计算涉及尚未公布的次年放假安排，结果为暂定：次年安排公布后请重新运行检查。", _fm_line(new, "effective"),
            Severity.WARNING)  # fmt: skip
    if notice.channels:
        from kspub.law.notice import CHANNELS

        add("KS426", f"通知渠道：{'、'.join(CHANNELS.get(c, c) for c in notice.channels)}（公告时请通过这些渠道通知）。",
            _fm_line(new, "announced"), Severity.INFO)  # fmt: skip


def _period_end(window: EffectiveWindow | None) -> str:
    """Where the governing period runs, as KS414 says it: from the announced date to its last day, or, for a
    period in hours, from 24:00 of the announced day to the hour it runs out (decision record 0103)."""
    if window is None:
        return "自公告日起算"
    if window.last_day is None and window.effective_instant is not None:
        return (f"自公告日 {window.notice_date} 24时起算，至 {window.effective_instant:%Y-%m-%d %H:%M}（北京时间）届满，"
                "新版本自生效日 0时起适用")  # fmt: skip
    return f"自公告日 {window.notice_date} 起算，期间最后一日为 {window.last_day or '—'}"


def check_sla(root: Path, base: str, current: SlaCatalogue | None, today: date, calendar: WorkCalendar,
              rules_from: Agreement | None, rules_before: Agreement | None = None) -> SlaCheck | None:  # fmt: skip
    """SLA changes: a changed commitment of the catalogue ``current`` (as the pull request leaves it) needs a new
    entry version and an effective date after the notice window of the service agreement's default rule,
    counted from today (the day the change is published), under the rules in force (``rules_before``, the
    base's version of that agreement) and under the rules the pull request leaves (``rules_from``): the later
    date governs."""
    from kspub.repository import file_at_ref
    from kspub.sla.catalogue import parse_catalogue
    from kspub.workspace import SLA_FILE

    before = file_at_ref(root, base, SLA_FILE)
    if before is None or current is None:
        return None  # nothing to compare with, or the current catalogue is broken (lint reports it)
    previous, _ = parse_catalogue(before, SLA_FILE)
    if previous is None:
        return None  # the base catalogue was broken: this change repairs it; lint validates the new one
    return judge_sla(previous, current, today, calendar, rules_from, rules_before)


def judge_sla(previous: SlaCatalogue, current: SlaCatalogue, today: date, calendar: WorkCalendar,
              rules_from: Agreement | None, rules_before: Agreement | None) -> SlaCheck | None:  # fmt: skip
    """:func:`check_sla` on the two catalogues read: None when no entry changed."""
    from kspub.workspace import SLA_FILE

    # both sides through the same model, so optional fields left out in one file are not "changes"
    old = previous.to_dict()
    changes = diff_sla(old, current.to_dict())
    if not changes.changes:
        return None
    findings: list[Finding] = []
    entries = {e.id: e for e in current.entries}
    old_versions = {e.id: e.version for e in previous.entries}
    # every changed commitment of an entry, so that each entry is judged once, whatever number of fields changed
    changed: dict[str, list[str]] = {}
    for change in changes.changes:
        if not change.material or change.target != "entry" or change.kind != "modified":
            continue
        if change.field not in ("version", "effective"):  # a modified entry is in both catalogues
            changed.setdefault(change.id, []).append(change.explanation.removesuffix("。"))
    notice: SlaNotice | None = None
    if changed:  # a date is computed only for a commitment changed
        try:
            notice = sla_notice(today, calendar, rules_before, rules_from)
        except KspubError as exc:  # at the first changed entry: it needs a calendar year, said as for an agreement
            findings.append(Finding(exc.code, Severity.ERROR, _cannot_compute(exc), SLA_FILE,
                                    entries[next(iter(changed))].line))  # fmt: skip
    for entry_id, explanations in changed.items():
        entry = entries[entry_id]
        line = entry.line
        if old_versions[entry_id] == entry.version:  # a modified entry is in both catalogues
            findings.append(Finding("KS431", Severity.ERROR, f"SLA 条目 {entry_id} 的承诺变化了（{'；'.join(explanations)}），"
                                    "但 version 没有更新：请设置新的版本号。", SLA_FILE, line))  # fmt: skip
        if entry.effective is None:
            findings.append(Finding("KS432", Severity.ERROR, f"SLA 条目 {entry_id} 变更后缺少生效日期 effective。", SLA_FILE, line))
        elif notice is not None and date.fromisoformat(entry.effective) < notice.earliest:
            findings.append(Finding("KS433", Severity.ERROR, f"SLA 条目 {entry_id} 的生效日期 {entry.effective} 早于最早合法生效日"
                                    f" {notice.earliest}（依据 {notice.basis}，自今天 {today} 公告起算）。", SLA_FILE, line))  # fmt: skip
    if notice is not None and notice.provisional and any(entries[i].effective is not None for i in changed):
        findings.append(Finding("KS419", Severity.WARNING, f"SLA 变更的最早合法生效日 {notice.earliest} 的计算涉及尚未公布的"
                                "次年放假安排，结果为暂定：次年安排公布后请重新运行检查。", SLA_FILE))  # fmt: skip
    for change in changes.changes:
        if change.kind == "removed" and change.target == "entry":
            findings.append(Finding("KS434", Severity.WARNING, f"删除了 SLA 条目 {change.id}：删除服务承诺属于实质性变更，"
                                    "请确认已按服务协议提前通知。", SLA_FILE))  # fmt: skip
    return SlaCheck(changes, tuple(findings))


@dataclass(frozen=True, slots=True)
class SlaNotice:
    """The notice an SLA change needs: the earliest lawful effective date and the rule that sets it."""

    earliest: date
    basis: str
    """The governing rule as KS433 cites it, with the version whose rules it is when the two versions differ."""
    provisional: bool
    """True when a day the computation classified could still change with next year's schedule."""


def sla_notice(today: date, calendar: WorkCalendar, before: Agreement | None, after: Agreement | None) -> SlaNotice | None:
    """The service agreement's default window counted from ``today``, under the rules in force (``before``, its
    version on the base) and under the rules the pull request leaves (``after``), each with its own roll and
    end modes; the later date governs, the rules in force on a tie (docs/legal/notice.md §4, as
    :func:`assess_in_force` for an agreement's own changes). None when neither has a default rule with a
    period; raises KspubError when a window cannot be computed."""
    from kspub.law.counting import announced_day_window
    from kspub.law.notice import SIDE_ZH, load_policy

    readings: list[tuple[EffectiveWindow, str, str]] = []
    for agreement, side in ((before, "base"), (after, "head")):
        if agreement is None:
            continue
        policy, problems = load_policy(agreement.meta, agreement.path)
        rule = policy.default
        if problems or rule is None or rule.period is None:
            continue  # a block that does not read is a lint error of its own
        window = announced_day_window(today, rule.period, calendar, roll=policy.roll, end=policy.end)
        readings.append((window, rule.describe(agreement, by_title=True), side))
    if not readings:
        return None
    window, basis, side = max(readings, key=lambda r: r[0].effective_date)  # the first of equals: the base's
    if len({r[0].effective_date for r in readings}) > 1:
        basis += f"（{SIDE_ZH[side]}）"
    return SlaNotice(window.effective_date, basis, any(r[0].provisional for r in readings))


def _version_at(root: Path, base: str, agreement_id: str) -> Agreement | None:
    """An agreement as it stands on ``base`` (None when it is not there or no longer parses)."""
    from kspub.diff_operands import parsed_source
    from kspub.repository import file_at_ref

    path = f"agreements/{agreement_id}.md"
    text = file_at_ref(root, base, path)
    if text is None:
        return None
    try:
        return parsed_source(text, path)
    except KspubError:
        return None


def run_check(root: Path, base: str, *, head: str | None = None, today: date) -> CheckReport:
    """Run the whole gate against ``base``; ``today`` (Asia/Shanghai) is the day the change would be announced.

    The change judged is the working tree, or with ``head`` that commit, read whole as it was committed there:
    its agreements, release record, SLA catalogue and calendar, never a file of the working tree beside it, so
    that ``kspub check --head X`` says what checking out X and running ``kspub check`` says."""
    from kspub.repository import committed_tree

    if head is None:
        return _run_check(root, root, base, None, today)
    with committed_tree(root, head) as files:
        return _run_check(root, files, base, head, today)


def _run_check(root: Path, files: Path, base: str, head: str | None, today: date) -> CheckReport:
    """:func:`run_check` with the files of the change in ``files`` (``root`` itself for the working tree)."""
    from kspub.errors import HistoryError
    from kspub.history import read_timelines, read_worktree_timelines
    from kspub.law.workdays import repository_calendar
    from kspub.workspace import load_corpus

    corpus = load_corpus(files)
    history: tuple[Diagnostic, ...] = ()
    unreadable: tuple[Diagnostic, ...] = ()  # the record itself cannot be read: nothing more of it is judged
    timelines: Mapping[str, Timeline] | None = None
    try:
        timelines = read_timelines(root, ref=head) if head is not None else read_worktree_timelines(root)
    except HistoryError as exc:  # the record reads, but a version cannot be rebuilt from it (or a shallow clone)
        history = exc.diagnostics or (_as_diagnostic(exc),)
    except KspubError as exc:
        unreadable = (_as_diagnostic(exc),)
    # what was edited in the record (KS817) is said even when the edit made a version unreadable (KS812)
    history = unreadable or tuple(record_findings(root, base, head, corpus.agreements, timelines)) + history
    calendar = repository_calendar(files)
    checks: list[AgreementCheck] = []
    broken = frozenset(d.path for d in corpus.errors)
    unchecked = _unchecked(root, base, head, broken)
    for diff in diff_refs(root, base, head, skip=broken):
        diff = _against_predecessor(root, base, diff, timelines)
        gone = diff.old.id if diff.new is None and diff.old is not None else None
        ended = timelines is not None and gone is not None and (
            (gone in timelines and timelines[gone].withdrawn is not None)
            or any(gone in t.formerly for t in timelines.values())
        )
        timeline = timelines.get(diff.new.id) if timelines is not None and diff.new is not None else None
        checks.append(check_agreement(diff, today, calendar, withdrawn=ended, timeline=timeline))
    rules_from = next((a for a in corpus.agreements if a.id == SLA_RULES_FROM), None)
    sla = check_sla(root, base, corpus.sla, today, calendar, rules_from, _version_at(root, base, SLA_RULES_FROM))
    return CheckReport(base, today, corpus.diagnostics, tuple(checks), sla, history, unchecked)


def _as_diagnostic(exc: KspubError) -> Diagnostic:
    """An error of the history as a finding of the report, with what to do (the hint) in its message."""
    return Diagnostic(exc.code, exc.message + (f"（{exc.hint}）" if exc.hint else ""), exc.path or "", exc.line)


def _unchecked(root: Path, base: str, head: str | None, broken: frozenset[str]) -> tuple[str, ...]:
    """The changed agreement files the gate cannot compare because they fail lint."""
    from kspub.repository import changed_agreement_paths

    if not broken:
        return ()
    return tuple(new for _, new in changed_agreement_paths(root, base, head) if new is not None and new in broken)


def record_findings(
    root: Path, base: str, head: str | None, agreements: Sequence[Agreement], timelines: Mapping[str, Timeline] | None
) -> list[Diagnostic]:
    """The release record against the base and against the text: append-only (KS817), events that contradict
    their version (KS818), text not recorded (KS815), front-matter dates that disagree with the record (KS816).
    An agreement removed without a recorded withdrawal is KS421 (:func:`check_agreement`). Without
    ``timelines`` (a recorded version could not be rebuilt) only the record itself is judged."""
    from kspub.history import legal_text, read_records, read_worktree_records
    from kspub.model import sha256_text
    from kspub.record import append_only_problems, event_problems, record_path
    from kspub.repository import open_repo, verify_ref

    repo = open_repo(root)
    base_records = read_records(repo, verify_ref(repo, base))
    head_records = read_records(repo, verify_ref(repo, head)) if head is not None else read_worktree_records(
        Path(repo.working_tree_dir))  # fmt: skip
    out: list[Diagnostic] = []
    for agreement in sorted(set(base_records) | set(head_records)):
        old, new = base_records.get(agreement), head_records.get(agreement)
        path = record_path(agreement)
        for message, line in append_only_problems(old, new):
            out.append(Diagnostic("KS817", f"发布记录只能追加：{message}。请把 {path} 恢复为 {base} 上的内容，"
                                  "再用 kspub release 登记", path, line))  # fmt: skip
        if new is None:
            continue
        for rel in new.releases:
            before = old.release(rel.version) if old else None
            for message in event_problems(rel, before.events if before else ()):
                out.append(Diagnostic("KS818", message, path, rel.line or None))
            out += _correction_problems(repo, rel, before, path)
        out += _appended_problems(old, new, {a.id for a in agreements}, path)
    if timelines is None:
        return out
    for a in agreements:
        timeline = timelines.get(a.id)
        latest = timeline.versions[-1] if timeline and timeline.versions else None
        label = a.meta.version.strip()
        line = a.meta.field_lines.get("version")
        if latest is None or latest.label != label or latest.text_sha256 != sha256_text(legal_text(a.source)):
            what = "还没有登记发布" if latest is None else (
                f"的版本 {label} 没有登记" if latest.label != label else f"版本 {label} 的正文与发布记录不一致")
            out.append(Diagnostic("KS815", f"协议 {a.id} {what}：请运行 kspub release {a.id}，并提交发布记录 "
                                  f"{record_path(a.id)}", a.path, line))  # fmt: skip
            continue
        # the record's dates as they stand: announced, and effective after any postponement
        for key, recorded, written in (("announced", latest.announced, a.meta.announced),
                                       ("effective", latest.effective, a.meta.effective)):  # fmt: skip
            if recorded != written:
                out.append(Diagnostic("KS816", f"头信息中的 {key}（{written or '未写'}）与发布记录中版本 {label} 的"
                                      f"（{recorded or '未写'}）不一致：请运行 kspub release {a.id}"
                                      + ("（推迟生效请加 --reason 说明原因）" if key == "effective" else ""),
                                      a.path, a.meta.field_lines.get(key) or line))  # fmt: skip
    return out


#: The release record of a pull request does not have the shape of one release.
RECORD_NOT_ONE_RELEASE = "KS819"


def _appended_problems(old: Any, new: Any, present: set[str], path: str) -> list[Diagnostic]:
    """Versions a pull request appends: at most one per agreement, so that the gate's diff of the base text
    against the head text judges exactly the version released (two appended at once would let the first take
    effect unjudged); and each backed by the agreement's file in the head (a record alone would publish a text
    no one reviewed)."""
    known = {r.version for r in old.releases} if old is not None else set()
    appended = [r for r in new.releases if r.version not in known]
    out: list[Diagnostic] = []
    if len(appended) > 1:
        labels = "、".join(r.version for r in appended)
        out.append(Diagnostic(RECORD_NOT_ONE_RELEASE, f"本次合并请求为协议 {new.agreement} 登记了 {len(appended)} 个新版本（{labels}）："
                              "每个合并请求每份协议只能发布一个新版本，每个版本都要单独按通知规则检查；请拆成多个合并请求",
                              path, appended[1].line or None))  # fmt: skip
    if appended and new.agreement not in present and new.withdrawn is None:
        out.append(Diagnostic(RECORD_NOT_ONE_RELEASE, f"发布记录登记了协议 {new.agreement} 的新版本 {appended[-1].version}，"
                              f"但仓库中没有协议文件 agreements/{new.agreement}.md：发布的文本必须是提交并经检查的协议文件",
                              path, appended[-1].line or None))  # fmt: skip
    return out


def _correction_problems(repo: Any, rel: Any, before: Any, path: str) -> list[Diagnostic]:
    """A correction appended in this pull request may change no meaning: its text is compared with the text it
    corrects, clause by clause, and any material change is refused (a hand-appended "correction" could
    otherwise rewrite an archived version)."""
    from kspub.diff import diff_agreements
    from kspub.parse import parse_file
    from kspub.record import EventKind
    from kspub.repository import read_blobs

    known = before.events if before is not None else ()
    corrected = rel.blob
    out: list[Diagnostic] = []
    for e in rel.events:
        if e.kind is not EventKind.CORRECTION:
            continue
        if e not in known and e.blob:
            texts = read_blobs(repo, [corrected, e.blob], missing_ok=True)
            # only the agreement is read, never the diagnostics: the path merely names the file in them
            old_doc, new_doc = (parse_file(rel.path, texts[b]).agreement if b in texts else None for b in (corrected, e.blob))
            if old_doc is None or new_doc is None:
                out.append(Diagnostic("KS818", f"版本 {rel.version} 的勘误（{e.date}）的文本无法读取，不能核对它是否只是编辑性更正",
                                      path, rel.line or None))  # fmt: skip
            else:
                material = [c.clause for c in diff_agreements(old_doc, new_doc).changes if c.material]
                if material:
                    out.append(Diagnostic("KS818", f"版本 {rel.version} 的勘误（{e.date}，{e.reason}）改变了条款含义"
                                          f"（{listed(material)}）：勘误只能更正不改变含义的文字；实质性修改请发布新版本",
                                          path, rel.line or None))  # fmt: skip
        corrected = e.blob or corrected
    return out


def _against_predecessor(root: Path, base: str, diff: AgreementDiff, timelines: Mapping[str, Timeline] | None) -> AgreementDiff:
    """A renamed agreement is judged against the version of its predecessor customers have, as any changed
    agreement is: a rename never turns a rewrite into a "new agreement" that needs no notice."""
    from kspub.diff import diff_agreements
    from kspub.diff_operands import parsed_source
    from kspub.repository import file_at_ref

    if diff.old is not None or diff.new is None or timelines is None:
        return diff
    timeline = timelines.get(diff.new.id)
    for previous in reversed(timeline.formerly if timeline is not None else ()):
        text = file_at_ref(root, base, f"agreements/{previous}.md")
        old = parsed_source(text, f"agreements/{previous}.md") if text is not None else None
        if old is not None:
            return AgreementDiff(diff.path, old, diff.new, diff_agreements(old, diff.new))
    return diff
