"""The gate's rules on what a change says and what a published text may never do.

Called by :func:`kspub.check.check_agreement` for every changed agreement:

* overrides on the record (decision record 0405): a change note that downgrades a change with a hard flag
  without naming who approved it is an error (KS450); an approved one is shown as a warning (KS451);
* consent found by content (0406): a changed clause that gains personal-information terms needs a consent plan
  for this version that covers it (KS452), and the report states the plan (KS453);
* what a published text may never do: delete a published clause ID without retiring it (KS454), reuse an ID
  of any released version for other text (KS455), a version label that does not increase (KS456, 0407).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kspub.changes import OVERRIDE_APPROVED, OVERRIDE_UNAPPROVED
from kspub.chinese_text import normalise
from kspub.diff import Change, ChangeSet, change_hard_flags, node_content
from kspub.errors import KspubError, Severity
from kspub.materiality import hard_flag_reason
from kspub.model import Agreement, ChangeNote

if TYPE_CHECKING:
    from kspub.check import AddFinding
    from kspub.history import Timeline

OVERRIDE_UNAPPROVED_CODE = "KS450"
OVERRIDE_APPROVED_CODE = "KS451"
CONSENT_PLAN_MISSING = "KS452"
CONSENT_PLAN_STATED = "KS453"
PUBLISHED_ID_DELETED = "KS454"
PUBLISHED_ID_REUSED = "KS455"
LABEL_NOT_INCREASING = "KS456"


def content_findings(old: Agreement, new: Agreement, changes: ChangeSet, timeline: Timeline | None,
                     add: AddFinding) -> None:  # fmt: skip
    """Every rule of this module for one agreement changed against the base."""
    override_findings(new, changes, add)
    consent_findings(new, changes, add)
    published_id_findings(old, new, released_versions(timeline, new.meta.version), add)
    if old.meta.version != new.meta.version:
        label_findings(old, new, timeline, add)


def _where(change: Change) -> str:
    number = change.new_number or change.old_number
    return f"条款 {change.clause}" + (f"（{number}）" if number else "")


def _note_for(change: Change, notes: tuple[ChangeNote, ...]) -> ChangeNote | None:
    ids = {change.clause, *change.old_ids, *change.new_ids}
    return next((n for n in notes if n.clause in ids), None)


# --- overrides ------------------------------------------------------------------------------------------


def override_findings(new: Agreement, changes: ChangeSet, add: AddFinding) -> None:
    """KS450 for a downgrade of a hard-flagged change without ``approved_by`` (the change stays material);
    KS451, a warning, for one with it: a person's override is always on the record."""
    live = tuple(n for n in new.meta.change_notes if n not in changes.stale_notes)
    for change in changes.changes:
        unapproved, approved = OVERRIDE_UNAPPROVED in change.flags, OVERRIDE_APPROVED in change.flags
        if not (unapproved or approved):
            continue
        note = _note_for(change, live)
        line = note.line if note and note.line else new.meta.field_lines.get("change_notes")
        reason = note.reason if note else ""
        hard = hard_flag_reason(change_hard_flags(change))
        if unapproved:
            add(OVERRIDE_UNAPPROVED_CODE,
                f"{_where(change)}的变更{hard}，变更说明（change_notes）只写了理由“{reason}”，不能降为编辑性修改：该变更仍按"
                "实质性变更计算通知期。如确属编辑性修改，请在这条变更说明中写明批准人 approved_by（姓名或职务）；否则删除这条"
                "变更说明，按实质性变更公告。", line)  # fmt: skip
        else:
            add(OVERRIDE_APPROVED_CODE,
                f"{_where(change)}的变更{hard}，已由 {note.approved_by if note else '—'} 批准降为编辑性修改（理由“{reason}”），"
                "不计入通知期：请评审人核对该变更确实不影响任何人的权利义务。", line, Severity.WARNING)  # fmt: skip


# --- consent --------------------------------------------------------------------------------------------


def consent_findings(new: Agreement, changes: ChangeSet, add: AddFinding) -> None:
    """KS452 for a consent-gated change without a consent plan that answers it; KS453 states the plan (or
    what an entrusted-processing change needs instead of consent)."""
    from kspub.law.consent import ARTICLES, detect, example_plan, load_plan, plan_problem

    flags = detect(changes.changes)
    if not flags:
        return
    plan, unreadable = load_plan(new.meta, new.path, {n.id for n in new.nodes})
    # a plan that is written but cannot be read answers nothing; the editor is told why, not that there is none
    unread = "头信息中的同意安排（consent）有误，不能采用（" + "；".join(d.message for d in unreadable) + "）" if unreadable else None
    version = new.meta.version
    consent_line = new.meta.field_lines.get("consent") or new.meta.field_lines.get("version")
    missing = []
    for flag in flags:
        what = f"条款 {flag.clause}" + (f"（{flag.number}）" if flag.number else "")
        articles = "、".join(ARTICLES[n].name for n in flag.articles)
        if not flag.needs_consent:
            add(CONSENT_PLAN_STATED, f"{what}新增{flag.what()}：{flag.citations()}。请确认已与受托方签订委托处理协议。",
                flag.line, Severity.INFO)  # fmt: skip
            continue
        problem = unread if plan is None and unread else plan_problem(flag, plan, version)
        if problem is None:
            assert plan is not None
            severity = Severity.WARNING if plan.method == "none" else Severity.INFO
            add(CONSENT_PLAN_STATED, f"{what}新增{flag.what()}（{articles}）：同意安排为{plan.describe()}。",
                consent_line, severity)  # fmt: skip
            continue
        missing.append(flag)
        add(CONSENT_PLAN_MISSING,
            f"{what}新增{flag.what()}：{flag.citations()}。{problem}：对未同意的用户，此变更不因通知期届满而生效。"
            "请在头信息 consent 中写明取得同意的方式、位置和所涉条款。", flag.line)  # fmt: skip
    if missing:
        add(CONSENT_PLAN_MISSING, f"同意安排示例（写入头信息后按实际情况修改）：{example_plan(version, missing)}",
            consent_line, Severity.INFO)  # fmt: skip


# --- published IDs and labels ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Released:
    label: str
    content: str


def released_versions(timeline: Timeline | None, new_label: str) -> list[Agreement]:
    """Every released version of the timeline except the one being proposed (unreadable ones skipped: the
    history check reports them)."""
    from kspub.history import parse_version

    out = []
    for record in timeline.versions if timeline is not None else ():
        if record.draft or record.label == new_label:
            continue
        try:
            out.append(parse_version(record))
        except KspubError:
            continue
    return out


def _last_use(versions: list[Agreement]) -> Mapping[str, _Released]:
    """Each clause ID with the text it last carried in a released version."""
    last: dict[str, _Released] = {}
    for version in versions:
        for node in version.nodes:
            last[node.id] = _Released(version.meta.version, node_content(node))
    return last


def _same_text(a: str, b: str) -> bool:
    """Equal as far as rights and duties go (decision record 0202): width and line wrapping aside, but a space
    between ASCII letters or digits counts (``1 0天`` is not ``10天``)."""
    return normalise(a) == normalise(b)


def published_id_findings(old: Agreement, new: Agreement, released: list[Agreement], add: AddFinding) -> None:
    """KS454: a clause of the base deleted without ``retired`` (or a ``replaces`` naming it); KS455: a clause ID
    that any released version used (or retired) given to other text."""
    new_ids = {n.id for n in new.nodes}
    replaced = {r for n in new.nodes for r in n.replaces}
    retired_line = new.meta.field_lines.get("retired") or new.meta.field_lines.get("version")
    for node in old.nodes:
        if node.id in new_ids or node.id in new.meta.retired or node.id in replaced:
            continue
        number = f"（{node.number}）" if node.number else ""
        add(PUBLISHED_ID_DELETED,
            f"删除了已发布的条款 {node.id}{number}（{old.meta.version} 版第 {node.line} 行），却没有在 retired 中登记：已发布的"
            f"条款 ID 是永久链接，删除后不能悄悄复用。请把 {node.id} 加入头信息 retired；如是改名、拆分或合并，请在新条款的"
            f"属性行写 replaces=\"{node.id}\"。", retired_line)  # fmt: skip
    last = _last_use([*released, old])
    ever_retired = {r for v in (*released, old) for r in v.meta.retired}
    old_ids = {n.id for n in old.nodes}
    for node in (n for n in new.nodes if n.id not in old_ids):
        before = last.get(node.id)
        if before is not None and _same_text(before.content, node_content(node)):
            continue  # the released clause restored as it was
        if before is None and node.id not in ever_retired:
            continue
        used = (f"在已发布的版本 {before.label} 中用于另一段文字（“{_short(before.content)}”）" if before is not None
                else "已在已发布的版本中登记为退役")  # fmt: skip
        add(PUBLISHED_ID_REUSED,
            f"条款 ID “{node.id}” {used}，不能再用于新的文字：客户、其他协议和网页可能仍以这个 ID 引用原来的条款。"
            "请为新条款另起一个描述内容的 ID。", node.id_line)  # fmt: skip


def _short(text: str, limit: int = 30) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "……"


def label_findings(old: Agreement, new: Agreement, timeline: Timeline | None, add: AddFinding) -> None:
    """KS456: the new label must come after the base's and every released label under the label schemes."""
    from kspub.labels import label_problem

    released = [v.label for v in timeline.versions if not v.draft and v.label != new.meta.version] if timeline else []
    problem = label_problem(new.meta.version, dict.fromkeys([old.meta.version, *released]))
    if problem:
        add(LABEL_NOT_INCREASING, f"{problem}。版本号方案见 docs/source-format.md 第三节。",
            new.meta.field_lines.get("version"))  # fmt: skip
