"""The gate's content rules called directly (kspub.check_content), so that each message a reviewer reads is
checked word for word: the KS code, the Chinese text and the line it points at (decision records 0405-0407)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kspub.check import AddFinding, SlaCheck
from kspub.check_content import (
    CONSENT_PLAN_MISSING,
    CONSENT_PLAN_STATED,
    LABEL_NOT_INCREASING,
    OVERRIDE_APPROVED_CODE,
    OVERRIDE_UNAPPROVED_CODE,
    PUBLISHED_ID_DELETED,
    PUBLISHED_ID_REUSED,
    consent_findings,
    content_findings,
    label_findings,
    override_findings,
    published_id_findings,
    released_versions,
)
from kspub.diff import ChangeSet, diff_agreements
from kspub.errors import Severity
from kspub.history import Timeline, VersionRecord
from kspub.law.notice import NoticeAssessment
from kspub.law.rules_in_force import RuleChange
from kspub.model import Agreement
from kspub.parse import parse_agreement

Found = list[tuple[str, str, int | None, Severity]]


def _collector() -> tuple[Found, AddFinding]:
    found: Found = []

    def add(code: str, message: str, line: int | None = None, severity: Severity = Severity.ERROR) -> None:
        found.append((code, message, line, severity))

    return found, add


def source(version: str, clauses: str, head: str = "") -> str:
    return f'---\nid: demo\ntitle: 示例\nkind: agreement\nversion: "{version}"\n{head}---\n\n{{#general}}\n## 一、总则\n\n{clauses}'


def doc(version: str, clauses: str, head: str = "") -> Agreement:
    agreement = parse_agreement(source(version, clauses, head), "agreements/demo.md").agreement
    assert agreement is not None
    return agreement


BASE = "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#purposes}\n1.2 我们收集您的手机号码，用于账号注册。\n"


# --- KS454 ----------------------------------------------------------------------------------------------


def test_deleted_clause_names_its_number_version_and_line_and_points_at_retired() -> None:
    old = doc("1.0", BASE)
    new = doc("2.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n", head="retired: []\n")
    found, add = _collector()
    published_id_findings(old, new, [], add)
    line = next(n.line for n in old.nodes if n.id == "purposes")
    assert found == [(PUBLISHED_ID_DELETED,
                      f"删除了已发布的条款 purposes（1.2）（1.0 版第 {line} 行），却没有在 retired 中登记：已发布的条款 ID 是永久链接，"
                      "删除后不能悄悄复用。请把 purposes 加入头信息 retired；如是改名、拆分或合并，请在新条款的属性行写 "
                      "replaces=\"purposes\"。", new.meta.field_lines["retired"], Severity.ERROR)]  # fmt: skip


def test_deleted_clause_without_retired_points_at_the_version_line() -> None:
    old = doc("1.0", BASE)
    new = doc("2.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n")
    found, add = _collector()
    published_id_findings(old, new, [], add)
    assert [(code, line) for code, _, line, _ in found] == [(PUBLISHED_ID_DELETED, new.meta.field_lines["version"])]


def test_deleted_clause_retired_or_replaced_is_no_finding() -> None:
    old = doc("1.0", BASE)
    found, add = _collector()
    published_id_findings(old, doc("2.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n", head="retired: [purposes]\n"),
                          [], add)  # fmt: skip
    replaced = doc("2.0", '{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#phone replaces="purposes"}\n1.2 我们收集您的手机号码。\n')
    published_id_findings(old, replaced, [], add)
    assert found == []


# --- KS455 ----------------------------------------------------------------------------------------------


def test_reused_id_quotes_the_released_text_shortened_to_thirty_characters() -> None:
    long = "我们收集您的手机号码、电子邮件地址、身份证号码和常用设备信息，用于账号注册与安全验证。"
    released = doc("1.0", f"{{#nature}}\n1.1 本协议是您与金山云之间的有效契约。\n\n{{#purposes}}\n1.2 {long}\n")
    old = doc("2.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n", head="retired: [purposes]\n")
    new = doc("3.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#purposes}\n1.2 我们不会向任何人出售您的信息。\n")
    found, add = _collector()
    published_id_findings(old, new, [released], add)
    reused = [f for f in found if f[0] == PUBLISHED_ID_REUSED]
    node = next(n for n in new.nodes if n.id == "purposes")
    assert reused == [(PUBLISHED_ID_REUSED,
                       f"条款 ID “purposes” 在已发布的版本 1.0 中用于另一段文字（“{long[:30]}……”），不能再用于新的文字："
                       "客户、其他协议和网页可能仍以这个 ID 引用原来的条款。请为新条款另起一个描述内容的 ID。",
                       node.id_line, Severity.ERROR)]  # fmt: skip


def test_short_released_text_is_quoted_whole() -> None:
    text = "我们收集您的手机号码，用于账号注册与安全验证，不作他用。"  # 27 characters
    released = doc("1.0", f"{{#nature}}\n1.1 本协议是您与金山云之间的有效契约。\n\n{{#purposes}}\n1.2 {text}\n")
    old = doc("2.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n", head="retired: [purposes]\n")
    new = doc("3.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#purposes}\n1.2 我们不会出售您的信息。\n")
    found, add = _collector()
    published_id_findings(old, new, [released], add)
    assert any(f"（“{text}”）" in message for code, message, _, _ in found if code == PUBLISHED_ID_REUSED), found


def test_id_retired_in_a_released_version_cannot_name_new_text() -> None:
    # The ID was retired before any version the gate still has text for: the message says it was retired.
    old = doc("2.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n", head="retired: [purposes]\n")
    new = doc("3.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#purposes}\n1.2 我们不会出售您的信息。\n")
    found, add = _collector()
    published_id_findings(old, new, [], add)
    assert [(c, m.split("，")[0]) for c, m, _, _ in found] == [
        (PUBLISHED_ID_REUSED, "条款 ID “purposes” 已在已发布的版本中登记为退役")
    ]


def test_released_clause_restored_with_the_same_words_is_no_reuse() -> None:
    released = doc("1.0", BASE)
    old = doc("2.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n", head="retired: [purposes]\n")
    # the same words, rewrapped and in full-width/half-width variants
    new = doc("3.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#purposes}\n1.2 我们收集您的手机号码,\n用于账号注册。\n")
    found, add = _collector()
    published_id_findings(old, new, [released], add)
    assert found == []


def test_a_new_id_never_used_is_no_finding() -> None:
    found, add = _collector()
    published_id_findings(doc("1.0", BASE), doc("2.0", BASE + "\n{#contact}\n1.3 联系我们。\n"), [doc("1.0", BASE)], add)
    assert found == []


# --- KS456 and which rules run ---------------------------------------------------------------------------


def test_label_that_does_not_increase_points_at_the_version_line() -> None:
    old, new = doc("2.0", BASE), doc("1.9", BASE)
    found, add = _collector()
    label_findings(old, new, None, add)
    assert len(found) == 1
    code, message, line, severity = found[0]
    assert (code, line, severity) == (LABEL_NOT_INCREASING, new.meta.field_lines["version"], Severity.ERROR)
    assert message.endswith("。版本号方案见 docs/source-format.md 第三节。")


def test_label_rule_runs_only_when_the_label_changes() -> None:
    found, add = _collector()
    old = doc("2.0", BASE)
    content_findings(old, old, diff_agreements(old, old), None, add)
    assert found == []
    lower = doc("1.0", BASE)
    content_findings(old, lower, diff_agreements(old, lower), None, add)
    assert [c for c, *_ in found] == [LABEL_NOT_INCREASING]


# --- KS450 / KS451 --------------------------------------------------------------------------------------


def _fee(text: str) -> str:
    return f'{{#nature}}\n1.1 本协议是您与金山云之间的有效契约。\n\n{{#fee-notice tags="fees"}}\n1.2 {text}\n'


def test_unapproved_override_quotes_the_reason_and_points_at_the_note() -> None:
    old = doc("1.0", _fee("金山云将提前10个自然日通知您。"))
    note = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 文字调整}\n"
    new = doc("1.1", _fee("金山云将提前5个自然日通知您。"), head=note)
    found, add = _collector()
    override_findings(new, diff_agreements(old, new), add)
    assert found == [(OVERRIDE_UNAPPROVED_CODE,
                      "条款 fee-notice（1.2）的变更数字、期限、金额或比例变化；涉及费用与支付，变更说明（change_notes）只写了理由“文字调整”，"
                      "不能降为编辑性修改：该变更仍按实质性变更计算通知期。如确属编辑性修改，请在这条变更说明中写明批准人 approved_by"
                      "（姓名或职务）；否则删除这条变更说明，按实质性变更公告。", new.meta.change_notes[0].line, Severity.ERROR)]  # fmt: skip


def test_approved_override_is_a_warning_naming_the_approver() -> None:
    old = doc("1.0", _fee("金山云将提前10个自然日通知您。"))
    note = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 更正笔误, approved_by: 法务总监}\n"
    new = doc("1.1", _fee("金山云将提前5个自然日通知您。"), head=note)
    found, add = _collector()
    override_findings(new, diff_agreements(old, new), add)
    assert found == [(OVERRIDE_APPROVED_CODE,
                      "条款 fee-notice（1.2）的变更数字、期限、金额或比例变化；涉及费用与支付，已由 法务总监 批准降为编辑性修改（理由“更正笔误”），"
                      "不计入通知期：请评审人核对该变更确实不影响任何人的权利义务。", new.meta.change_notes[0].line,
                      Severity.WARNING)]  # fmt: skip


def test_a_change_without_override_is_no_finding() -> None:
    old = doc("1.0", _fee("金山云将提前10个自然日通知您。"))
    new = doc("1.1", _fee("金山云将提前5个自然日通知您。"))
    found, add = _collector()
    override_findings(new, diff_agreements(old, new), add)
    assert found == []


def test_restoring_a_released_clause_with_a_space_inside_a_number_is_a_reuse() -> None:
    # 1 0天 is not 10天 (decision record 0202): the restored text is other text under the same ID.
    released = doc("1.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#refund}\n1.2 退款在10天内完成。\n")
    old = doc("2.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n", head="retired: [refund]\n")
    new = doc("3.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#refund}\n1.2 退款在1 0天内完成。\n")
    found, add = _collector()
    published_id_findings(old, new, [released], add)
    assert [c for c, *_ in found] == [PUBLISHED_ID_REUSED]
    same = doc("3.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#refund}\n1.2 退款在10天\n内完成。\n")
    found.clear()
    published_id_findings(old, same, [released], add)
    assert found == []


def test_quoted_released_text_keeps_its_words_apart_and_thirty_characters_whole() -> None:
    text = "Kingsoft Cloud 按本协议收集您的手机号码和邮箱"
    assert len(text) == 30
    released = doc("1.0", f"{{#nature}}\n1.1 本协议是您与金山云之间的有效契约。\n\n{{#purposes}}\n1.2 {text}\n")
    old = doc("2.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n", head="retired: [purposes]\n")
    new = doc("3.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#purposes}\n1.2 我们不会出售您的信息。\n")
    found, add = _collector()
    published_id_findings(old, new, [released], add)
    assert any(f"（“{text}”）" in message for _, message, _, _ in found), found


def test_override_of_an_added_clause_names_its_new_number() -> None:
    old = doc("1.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n")
    note = "change_notes:\n  - {clause: pay, class: editorial, reason: 补充}\n"
    new = doc("1.1", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#pay}\n1.2 您应当在10日内付款。\n", head=note)
    found, add = _collector()
    override_findings(new, diff_agreements(old, new), add)
    assert [(c, m.split("的变更")[0]) for c, m, _, _ in found] == [(OVERRIDE_UNAPPROVED_CODE, "条款 pay（1.2）")]


def test_override_of_an_unnumbered_clause_names_the_clause_alone() -> None:
    old = doc("1.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n")
    note = "change_notes:\n  - {clause: pay, class: editorial, reason: 补充}\n"
    new = doc("1.1", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#pay}\n您应当在10日内付款。\n", head=note)
    found, add = _collector()
    override_findings(new, diff_agreements(old, new), add)
    assert [m.split("的变更")[0] for _, m, _, _ in found] == ["条款 pay"]


def test_override_whose_note_is_not_in_the_given_text_still_reports() -> None:
    # The changes were computed with a note the text passed along no longer holds: the finding is still made,
    # with no reason to quote, no approver to name and no note line to point at.
    old = doc("1.0", _fee("金山云将提前10个自然日通知您。"))
    bare = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 文字调整}\n"
    approved = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 更正笔误, approved_by: 法务总监}\n"
    plain = doc("1.1", _fee("金山云将提前5个自然日通知您。"))
    found, add = _collector()
    override_findings(plain, diff_agreements(old, doc("1.1", _fee("金山云将提前5个自然日通知您。"), head=bare)), add)
    override_findings(plain, diff_agreements(old, doc("1.1", _fee("金山云将提前5个自然日通知您。"), head=approved)), add)
    assert [(c, line) for c, _, line, _ in found] == [(OVERRIDE_UNAPPROVED_CODE, None), (OVERRIDE_APPROVED_CODE, None)]
    assert "只写了理由“”" in found[0][1]
    assert "已由 — 批准降为编辑性修改（理由“”）" in found[1][1]
    # a text whose notes are for other clauses: the finding points at its change notes
    other = doc("1.1", _fee("金山云将提前5个自然日通知您。"), head="change_notes:\n  - {clause: nature, class: editorial, reason: 措辞}\n")
    found, add = _collector()
    override_findings(other, diff_agreements(old, doc("1.1", _fee("金山云将提前5个自然日通知您。"), head=bare)), add)
    assert [(c, line) for c, _, line, _ in found] == [(OVERRIDE_UNAPPROVED_CODE, other.meta.field_lines["change_notes"])]


def test_each_change_note_is_at_its_own_line_and_a_finding_points_at_it() -> None:
    old = doc("1.0", _fee("金山云将提前10个自然日通知您。"))
    notes = ("change_notes:\n  - clause: nature\n    class: editorial\n    reason: 措辞\n"
             "  - clause: fee-notice\n    class: editorial\n    reason: 文字调整\n")  # fmt: skip
    new = doc("1.1", _fee("金山云将提前5个自然日通知您。"), head=notes)
    lines = new.meta.field_lines
    assert [n.line for n in new.meta.change_notes] == [lines["change_notes"] + 1, lines["change_notes"] + 4]
    found, add = _collector()
    override_findings(new, diff_agreements(old, new), add)
    assert [(c, line) for c, _, line, _ in found] == [(OVERRIDE_UNAPPROVED_CODE, lines["change_notes"] + 4)]


# --- kspub.check: what the report says when it cannot compute, and where a period runs ---------------------


def test_missing_year_names_the_file_and_the_notice_to_transcribe() -> None:
    from kspub.check import _cannot_compute
    from kspub.errors import KspubError
    from kspub.law.workdays import UNKNOWN_YEAR

    message = _cannot_compute(KspubError(UNKNOWN_YEAR, "2031年的放假安排尚未录入", hint="请录入"))
    assert message == ("无法计算最早合法生效日：通知期延伸到 2031 年，但没有 2031 年的放假安排（kspub 不推测日历）。请把"
                       "《国务院办公厅关于2031年部分节假日安排的通知》的全部节假日、调休放假日和调休上班日录入本仓库的 "
                       "calendar/2031.yaml（格式见 kspub/data/calendar/README.md），再重新运行检查。")  # fmt: skip


def test_other_errors_are_quoted_with_their_hint_when_there_is_one() -> None:
    from kspub.check import _cannot_compute
    from kspub.errors import KspubError
    from kspub.law.workdays import UNKNOWN_YEAR

    assert _cannot_compute(KspubError("KS602", "2031年的日历无法读取", hint="检查文件")) == (
        "无法计算最早合法生效日：2031年的日历无法读取（检查文件）"
    )
    assert _cannot_compute(KspubError("KS602", "期间无法计算")) == "无法计算最早合法生效日：期间无法计算"
    # the unknown-year code without a year in its message is quoted as it is
    assert _cannot_compute(KspubError(UNKNOWN_YEAR, "年份未知")) == "无法计算最早合法生效日：年份未知"


def test_history_error_becomes_a_finding_with_its_hint() -> None:
    from kspub.check import _as_diagnostic
    from kspub.errors import Diagnostic, KspubError

    assert _as_diagnostic(KspubError("KS812", "版本无法重建", path="releases/demo.yaml", line=4, hint="请恢复")) == Diagnostic(
        "KS812", "版本无法重建（请恢复）", "releases/demo.yaml", 4
    )
    assert _as_diagnostic(KspubError("KS812", "浅克隆")) == Diagnostic("KS812", "浅克隆", "", None)


def test_where_a_period_runs() -> None:
    import datetime as dt
    from types import SimpleNamespace

    from kspub.check import _period_end

    assert _period_end(None) == "自公告日起算"
    days = SimpleNamespace(notice_date=dt.date(2026, 3, 2), last_day=dt.date(2026, 3, 12), effective_instant=None)
    assert _period_end(days) == "自公告日 2026-03-02 起算，期间最后一日为 2026-03-12"  # type: ignore[arg-type]
    hours = SimpleNamespace(notice_date=dt.date(2026, 3, 2), last_day=None,
                            effective_instant=dt.datetime(2026, 3, 4, 0, 0))  # fmt: skip
    assert _period_end(hours) == (  # type: ignore[arg-type]
        "自公告日 2026-03-02 24时起算，至 2026-03-04 00:00（北京时间）届满，新版本自生效日 0时起适用"
    )
    unknown = SimpleNamespace(notice_date=dt.date(2026, 3, 2), last_day=None, effective_instant=None)
    assert _period_end(unknown) == "自公告日 2026-03-02 起算，期间最后一日为 —"  # type: ignore[arg-type]


def test_finding_as_data_and_as_a_diagnostic() -> None:
    from kspub.check import Finding
    from kspub.errors import Diagnostic

    finding = Finding("KS414", Severity.ERROR, "生效日期过早", "agreements/demo.md", 7)
    assert finding.to_dict() == {"code": "KS414", "severity": "error", "message": "生效日期过早",
                                 "path": "agreements/demo.md", "line": 7}  # fmt: skip
    assert finding.as_diagnostic() == Diagnostic("KS414", "生效日期过早", "agreements/demo.md", 7, Severity.ERROR)


def test_report_is_ok_only_without_errors_anywhere() -> None:
    import datetime as dt

    from kspub.check import AgreementCheck, CheckReport, Finding
    from kspub.errors import Diagnostic

    warning = Finding("KS422", Severity.WARNING, "新增协议", "agreements/demo.md")
    error = Finding("KS414", Severity.ERROR, "过早", "agreements/demo.md")
    fine = AgreementCheck("agreements/demo.md", "demo", "示例", "1.0", "2.0", None, None, (warning,),
                          dt.date(2026, 3, 2), dt.date(2026, 3, 13))  # fmt: skip
    bad = AgreementCheck("agreements/demo.md", "demo", "示例", "1.0", "2.0", None, None, (warning, error))
    assert fine.ok and not bad.ok
    today = dt.date(2026, 3, 2)
    assert CheckReport("main", today, (), (fine,), None).ok
    assert not CheckReport("main", today, (), (fine, bad), None).ok
    lint_warning = Diagnostic("KS301", "提示", "agreements/demo.md", 1, Severity.WARNING)
    assert CheckReport("main", today, (lint_warning,), (fine,), None).ok
    assert not CheckReport("main", today, (Diagnostic("KS101", "错误", "agreements/demo.md"),), (fine,), None).ok
    assert not CheckReport("main", today, (), (fine,), None, (Diagnostic("KS815", "未登记", "agreements/demo.md"),)).ok
    data = CheckReport("main", today, (), (fine,), None, unchecked=("agreements/x.md",)).to_dict()
    assert data["ok"] is True and data["today"] == "2026-03-02" and data["base"] == "main"
    assert data["unchecked"] == ["agreements/x.md"] and data["sla"] is None and data["history"] == []
    assert len(data["agreements"]) == 1
    entry = data["agreements"][0]
    assert entry["from"] == "1.0" and entry["to"] == "2.0"
    assert entry["announced"] == "2026-03-02" and entry["effective"] == "2026-03-13"
    assert entry["diff"] is None and entry["notice"] is None and entry["rule_changes"] == []
    assert entry["findings"] == [warning.to_dict()] and entry["ok"] is True
    assert bad.to_dict()["announced"] is None and bad.to_dict()["effective"] is None


def test_agreement_check_and_report_as_data_carry_every_field() -> None:
    import datetime as dt

    from kspub.check import AgreementCheck, CheckReport, Finding
    from kspub.errors import Diagnostic

    old, new = doc("1.0", BASE), doc("2.0", BASE.replace("手机号码", "电子邮件地址"))
    changes = diff_agreements(old, new)
    check = AgreementCheck("agreements/demo.md", "demo", "示例", "1.0", "2.0", changes, None, ())
    data = check.to_dict()
    assert (data["path"], data["agreement"], data["title"]) == ("agreements/demo.md", "demo", "示例")
    assert data["diff"] == changes.to_dict()
    lint = Diagnostic("KS301", "提示", "agreements/demo.md", 1, Severity.WARNING)
    report = CheckReport("main", dt.date(2026, 3, 2), (lint,), (check,), None).to_dict()
    assert report["lint"] == [lint.to_dict()]
    warning = Finding("KS422", Severity.WARNING, "新增协议", "agreements/demo.md", 3)
    assert warning.as_diagnostic().severity is Severity.WARNING


def test_every_new_clause_is_checked_for_reuse_not_only_the_first() -> None:
    released = doc("1.0", BASE + "\n{#refund}\n1.3 退款在10天内完成。\n")
    old = doc("2.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n", head="retired: [purposes, refund]\n")
    # first a brand-new ID, then the released clause restored as it was, then an ID reused for other text
    new = doc("3.0", "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#contact}\n1.2 联系我们。\n\n"
                     "{#purposes}\n1.3 我们收集您的手机号码，用于账号注册。\n\n{#refund}\n1.4 退款在30天内完成。\n")  # fmt: skip
    found, add = _collector()
    published_id_findings(old, new, [released], add)
    assert [(c, m.split(" ")[2]) for c, m, _, _ in found] == [(PUBLISHED_ID_REUSED, "“refund”")]


def test_deleted_unnumbered_clause_is_named_without_a_number() -> None:
    old = doc("1.0", BASE + "\n{#closing}\n以上条款自发布之日起适用。\n")
    found, add = _collector()
    published_id_findings(old, doc("2.0", BASE), [], add)
    assert len(found) == 1
    assert found[0][1].startswith("删除了已发布的条款 closing（1.0 版第 "), found


def test_override_of_a_later_change_is_found_after_one_without_a_note() -> None:
    old = doc("1.0", _fee("金山云将提前10个自然日通知您。"))
    note = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 文字调整}\n"
    new = doc("1.1", _fee("金山云将提前5个自然日通知您。").replace("有效契约", "有效合同"), head=note)
    changes = diff_agreements(old, new)
    assert [c.clause for c in changes.changes] == ["nature", "fee-notice"]
    found, add = _collector()
    override_findings(new, changes, add)
    assert [c for c, *_ in found] == [OVERRIDE_UNAPPROVED_CODE]


def test_content_findings_runs_each_rule() -> None:
    old = doc("2.0", _fee("金山云将提前10个自然日通知您。") + "\n{#purposes}\n1.3 我们收集您的手机号码。\n")
    note = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 文字调整}\n"
    # the fee period shortened with a bare note (KS450), clause purposes deleted (KS454), a lower label (KS456)
    new = doc("1.9", _fee("金山云将提前5个自然日通知您。"), head=note)
    found, add = _collector()
    content_findings(old, new, diff_agreements(old, new), None, add)
    assert sorted(c for c, *_ in found) == [OVERRIDE_UNAPPROVED_CODE, PUBLISHED_ID_DELETED, LABEL_NOT_INCREASING]


# --- the release record of a pull request (KS819) ---------------------------------------------------------


def _record(agreement: str, versions: list[str], withdrawn: object = None) -> object:
    from types import SimpleNamespace

    releases = [SimpleNamespace(version=v, line=10 * (k + 1)) for k, v in enumerate(versions)]
    return SimpleNamespace(agreement=agreement, releases=releases, withdrawn=withdrawn)


def test_two_versions_appended_at_once_point_at_the_second() -> None:
    from kspub.check import RECORD_NOT_ONE_RELEASE, _appended_problems
    from kspub.errors import Diagnostic

    found = _appended_problems(_record("demo", ["1.0"]), _record("demo", ["1.0", "2.0", "2.1"]), {"demo"},
                               "releases/demo.yaml")  # fmt: skip
    assert found == [Diagnostic(RECORD_NOT_ONE_RELEASE,
                                "本次合并请求为协议 demo 登记了 2 个新版本（2.0、2.1）：每个合并请求每份协议只能发布一个新版本，"
                                "每个版本都要单独按通知规则检查；请拆成多个合并请求", "releases/demo.yaml", 30)]  # fmt: skip


def test_one_version_appended_is_no_problem_and_a_new_record_counts_all_its_versions() -> None:
    from kspub.check import _appended_problems

    assert _appended_problems(_record("demo", ["1.0"]), _record("demo", ["1.0", "2.0"]), {"demo"}, "r.yaml") == []
    assert _appended_problems(None, _record("demo", ["1.0"]), {"demo"}, "r.yaml") == []
    assert [d.line for d in _appended_problems(None, _record("demo", ["1.0", "2.0"]), {"demo"}, "r.yaml")] == [20]


def test_version_appended_without_the_agreement_file_points_at_the_last_one() -> None:
    from kspub.check import RECORD_NOT_ONE_RELEASE, _appended_problems
    from kspub.errors import Diagnostic

    found = _appended_problems(_record("ghost", ["1.0"]), _record("ghost", ["1.0", "2.0"]), {"demo"}, "releases/ghost.yaml")
    assert found == [Diagnostic(RECORD_NOT_ONE_RELEASE,
                                "发布记录登记了协议 ghost 的新版本 2.0，但仓库中没有协议文件 agreements/ghost.md：发布的文本必须是提交并经检查的协议文件",
                                "releases/ghost.yaml", 20)]  # fmt: skip
    # a withdrawn agreement has no file, and nothing appended needs none
    assert _appended_problems(_record("ghost", ["1.0"]), _record("ghost", ["1.0", "2.0"], withdrawn="2026-03-01"),
                              {"demo"}, "r.yaml") == []  # fmt: skip
    assert _appended_problems(_record("ghost", ["1.0"]), _record("ghost", ["1.0"]), {"demo"}, "r.yaml") == []


# --- the report as data (kspub.check: AgreementCheck, SlaCheck, CheckReport) -----------------------------------

NOTICE_HEAD = "notice: {default: {period: 30日, channels: [site, email], clause: nature}}\n"


def _assessed_change() -> tuple[ChangeSet, NoticeAssessment, tuple[RuleChange, ...]]:
    """A real change of clause purposes whose version also shortens the default notice period: its change set,
    the notice it needs (announced 2026-03-02) and the rule change."""
    import datetime as dt

    from kspub.law.rules_in_force import assess_in_force, diff_policies
    from kspub.law.workdays import load_calendar

    old = doc("1.0", BASE, head=NOTICE_HEAD)
    new = doc("2.0", BASE.replace("手机号码", "电子邮件地址"), head=NOTICE_HEAD.replace("30日", "20日"))
    changes = diff_agreements(old, new)
    notice = assess_in_force(["purposes"], old, new, load_calendar(), announced=dt.date(2026, 3, 2))
    return changes, notice, tuple(diff_policies(old, new))


def test_agreement_check_as_data_with_its_notice_dates_and_rule_changes() -> None:
    import datetime as dt

    from kspub.check import AgreementCheck, Finding

    changes, notice, rule_changes = _assessed_change()
    warning = Finding("KS424", Severity.WARNING, "版本号变了", "agreements/demo.md", 5)
    error = Finding("KS441", Severity.ERROR, "降低了通知要求", "agreements/demo.md", 6)
    check = AgreementCheck("agreements/demo.md", "demo", "示例", "1.0", "2.0", changes, notice, (warning, error),
                           dt.date(2026, 3, 2), dt.date(2026, 4, 10), rule_changes)  # fmt: skip
    data = check.to_dict()
    assert data == {
        "path": "agreements/demo.md", "agreement": "demo", "title": "示例", "from": "1.0", "to": "2.0",
        "announced": "2026-03-02", "effective": "2026-04-10", "ok": False,
        "diff": changes.to_dict(), "notice": notice.to_dict(),
        "rule_changes": [{"rule": "默认规则（本协议第1.1条）", "changes": ["通知期 30个自然日 → 20个自然日"], "lowered": True,
                          "clauses": ["nature"], "statutory": False}],
        "findings": [{"code": "KS424", "severity": "warning", "message": "版本号变了", "path": "agreements/demo.md", "line": 5},
                     {"code": "KS441", "severity": "error", "message": "降低了通知要求", "path": "agreements/demo.md", "line": 6}],
    }  # fmt: skip
    # the nested parts are the real ones, not empty stand-ins
    assert [c["clause"] for c in data["diff"]["changes"]] == ["purposes"]
    assert (data["notice"]["earliest_effective_date"], data["notice"]["new_rules_effective_date"]) == ("2026-04-02", "2026-03-24")


def test_agreement_check_as_data_without_notice_dates_or_errors_is_ok() -> None:
    from kspub.check import AgreementCheck, Finding

    info = Finding("KS440", Severity.INFO, "通知规则变更", "agreements/demo.md", 6)
    warning = Finding("KS422", Severity.WARNING, "新增协议", "agreements/demo.md")
    check = AgreementCheck("agreements/demo.md", "demo", "示例", None, "1.0", None, None, (info, warning))
    assert check.ok
    assert check.to_dict() == {
        "path": "agreements/demo.md", "agreement": "demo", "title": "示例", "from": None, "to": "1.0",
        "announced": None, "effective": None, "ok": True, "diff": None, "notice": None, "rule_changes": [],
        "findings": [info.to_dict(), warning.to_dict()],
    }  # fmt: skip
    assert AgreementCheck("agreements/demo.md", "demo", "示例", "1.0", None, None, None, ()).to_dict()["ok"] is True


def _sla(*severities: Severity) -> SlaCheck:
    from kspub.changes import MATERIAL
    from kspub.check import Finding
    from kspub.sla.diff import SlaChange, SlaChangeSet

    change = SlaChange("entry", "ecs", "modified", MATERIAL, "availability", "99.95%", "99.9%", "可用性承诺变化。",
                       ("sla-changed",))  # fmt: skip
    findings = tuple(Finding(f"KS43{k}", s, f"第 {k} 条", "sla/catalogue.yaml", k) for k, s in enumerate(severities, 1))
    return SlaCheck(SlaChangeSet((change,)), findings)


def test_sla_check_as_data_carries_its_diff_and_findings() -> None:
    sla = _sla(Severity.WARNING, Severity.ERROR)
    assert sla.to_dict() == {
        "diff": {"material": True, "changes": [{"target": "entry", "id": "ecs", "kind": "modified", "class": "material",
                                                "field": "availability", "old": "99.95%", "new": "99.9%",
                                                "explanation": "可用性承诺变化。", "flags": ["sla-changed"]}]},
        "findings": [{"code": "KS431", "severity": "warning", "message": "第 1 条", "path": "sla/catalogue.yaml", "line": 1},
                     {"code": "KS432", "severity": "error", "message": "第 2 条", "path": "sla/catalogue.yaml", "line": 2}],
    }  # fmt: skip


def test_report_as_data_carries_every_part() -> None:
    import datetime as dt

    from kspub.check import AgreementCheck, CheckReport, Finding
    from kspub.errors import Diagnostic

    lint = Diagnostic("KS301", "提示", "agreements/demo.md", 1, Severity.WARNING)
    history = Diagnostic("KS816", "日期不一致", "agreements/demo.md", 7, Severity.WARNING)
    fine = AgreementCheck("agreements/demo.md", "demo", "示例", "1.0", "2.0", None, None,
                          (Finding("KS424", Severity.WARNING, "正文没有变化", "agreements/demo.md", 5),))  # fmt: skip
    other = AgreementCheck("agreements/other.md", "other", "其他", None, "1.0", None, None, ())
    sla = _sla(Severity.WARNING)
    report = CheckReport("origin/main", dt.date(2026, 3, 2), (lint,), (fine, other), sla, (history,),
                         ("agreements/broken.md", "agreements/bad.md"))  # fmt: skip
    assert report.to_dict() == {
        "base": "origin/main", "today": "2026-03-02", "ok": True,
        "lint": [{"code": "KS301", "message": "提示", "path": "agreements/demo.md", "line": 1, "severity": "warning"}],
        "history": [{"code": "KS816", "message": "日期不一致", "path": "agreements/demo.md", "line": 7, "severity": "warning"}],
        "agreements": [fine.to_dict(), other.to_dict()], "sla": sla.to_dict(),
        "unchecked": ["agreements/broken.md", "agreements/bad.md"],
    }  # fmt: skip
    assert report.to_dict()["agreements"][1]["agreement"] == "other" and report.to_dict()["sla"]["findings"] != []
    failing = CheckReport("main", dt.date(2026, 3, 2), (), (), _sla(Severity.ERROR))
    assert failing.to_dict()["ok"] is False
    empty = CheckReport("main", dt.date(2026, 12, 31), (), (), None)
    assert empty.to_dict() == {"base": "main", "today": "2026-12-31", "ok": True, "lint": [], "history": [],
                               "agreements": [], "sla": None, "unchecked": []}  # fmt: skip


def test_report_fails_for_each_kind_of_error_and_passes_with_warnings_only() -> None:
    import datetime as dt

    from kspub.check import AgreementCheck, CheckReport, Finding
    from kspub.errors import Diagnostic

    today = dt.date(2026, 3, 2)
    fine = AgreementCheck("agreements/demo.md", "demo", "示例", "1.0", "2.0", None, None,
                          (Finding("KS424", Severity.WARNING, "正文没有变化", "agreements/demo.md"),))  # fmt: skip
    bad = AgreementCheck("agreements/demo.md", "demo", "示例", "1.0", "2.0", None, None,
                         (Finding("KS414", Severity.ERROR, "过早", "agreements/demo.md"),))  # fmt: skip

    def diagnostic(severity: Severity) -> Diagnostic:
        return Diagnostic("KS816", "不一致", "agreements/demo.md", 3, severity)

    def ok(lint: tuple[Diagnostic, ...] = (), history: tuple[Diagnostic, ...] = (),
           agreements: tuple[AgreementCheck, ...] = (fine,), sla: SlaCheck | None = None) -> bool:  # fmt: skip
        return CheckReport("main", today, lint, agreements, sla, history).ok

    # nothing wrong anywhere, or only warnings and notes anywhere
    assert ok() and ok(agreements=())
    assert ok(lint=(diagnostic(Severity.WARNING),), history=(diagnostic(Severity.INFO), diagnostic(Severity.WARNING)),
              sla=_sla(Severity.WARNING, Severity.INFO))  # fmt: skip
    assert ok(sla=_sla())  # an SLA change without findings
    # each place an error can be
    assert not ok(lint=(diagnostic(Severity.WARNING), diagnostic(Severity.ERROR)))
    assert not ok(history=(diagnostic(Severity.WARNING), diagnostic(Severity.ERROR)))
    assert not ok(agreements=(fine, bad))
    assert not ok(sla=_sla(Severity.WARNING, Severity.ERROR))


# --- KS452 / KS453: consent found by content, called directly ---------------------------------------------------

PI = ("{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n\n{#purposes}\n1.2 我们收集您的手机号码，用于账号注册。\n\n"
      "{#sharing}\n1.3 我们不会出售您的个人信息。\n")  # fmt: skip
#: purposes gains entrusted processing (Art. 21 only: no consent needed)
ENTRUSTED = PI.replace("用于账号注册。", "用于账号注册，并委托服务商处理。")
#: sharing gains a recipient and a purpose (Art. 14 and Art. 23: separate consent)
SHARED = PI.replace("我们不会出售您的个人信息。", "我们会将您的个人信息提供给合作伙伴，用于广告推送。")
SHARING_GAINS = "新增新的处理目的或处理方式：“用于”、“广告”；新的接收方（向其他个人信息处理者提供）：“提供给”、“合作伙伴”"
ART_14 = "依个人信息保护法第十四条，处理目的、处理方式和处理的个人信息种类发生变更的，应当重新取得个人同意"
ART_23 = ("依个人信息保护法第二十三条，向其他个人信息处理者提供个人信息的，应当告知接收方的名称或者姓名、联系方式、处理目的、"
          "处理方式和个人信息的种类，并取得个人的单独同意")  # fmt: skip
NEEDS_PLAN = "：对未同意的用户，此变更不因通知期届满而生效。请在头信息 consent 中写明取得同意的方式、位置和所涉条款。"
EXAMPLE = "同意安排示例（写入头信息后按实际情况修改）：consent: {version: \"2.0\", method: popup"


def _consent(text: str, head: str = "") -> tuple[Agreement, Found]:
    new = doc("2.0", text, head=head)
    found, add = _collector()
    consent_findings(new, diff_agreements(doc("1.0", PI), new), add)
    return new, found


def _line(agreement: Agreement, clause: str) -> int:
    return next(n.line for n in agreement.nodes if n.id == clause)


def test_change_without_personal_information_terms_has_no_consent_finding() -> None:
    _, found = _consent(PI.replace("有效契约", "有效合同"), head='consent: {version: "2.0", method: banner}\n')
    assert found == []


def test_consent_gated_change_without_a_plan_is_an_error_at_the_clause_with_an_example_at_the_version_line() -> None:
    new, found = _consent(SHARED)
    assert new.meta.field_lines.get("consent") is None
    assert found == [
        (CONSENT_PLAN_MISSING, f"条款 sharing（1.3）{SHARING_GAINS}：{ART_14}；{ART_23}。头信息中没有同意安排（consent）{NEEDS_PLAN}",
         _line(new, "sharing"), Severity.ERROR),
        (CONSENT_PLAN_MISSING, EXAMPLE + ", separate: true, where: 取得同意的位置和方式, clauses: [sharing]}",
         new.meta.field_lines["version"], Severity.INFO),
    ]  # fmt: skip
    assert _line(new, "sharing") != new.meta.field_lines["version"]


def test_consent_plan_that_answers_the_change_is_stated_at_the_consent_line_with_its_articles() -> None:
    plan = 'consent: {version: "2.0", method: popup, separate: true, where: 首次登录时弹窗, clauses: [sharing]}\n'
    new, found = _consent(SHARED, head=plan)
    assert found == [(CONSENT_PLAN_STATED,
                      f"条款 sharing（1.3）{SHARING_GAINS}（个人信息保护法第十四条、个人信息保护法第二十三条）："
                      "同意安排为以弹窗取得同意（单独同意），首次登录时弹窗。", new.meta.field_lines["consent"], Severity.INFO)]  # fmt: skip
    assert new.meta.field_lines["consent"] != new.meta.field_lines["version"]


def test_a_recorded_finding_that_no_consent_is_needed_is_stated_as_a_warning() -> None:
    plan = 'consent: {version: "2.0", method: none, reason: 仅提供匿名统计, approved_by: 数据保护官, clauses: [sharing]}\n'
    new, found = _consent(SHARED, head=plan)
    assert found == [(CONSENT_PLAN_STATED,
                      f"条款 sharing（1.3）{SHARING_GAINS}（个人信息保护法第十四条、个人信息保护法第二十三条）："
                      "同意安排为经 数据保护官 认定无需取得同意，理由：“仅提供匿名统计”。", new.meta.field_lines["consent"],
                      Severity.WARNING)]  # fmt: skip


def test_a_plan_that_does_not_read_answers_nothing_and_the_editor_is_told_why() -> None:
    # clauses names an ID the text does not have: the plan is a lint error (KS141) and answers nothing; the
    # finding says what is wrong with it, not that there is none
    from kspub.law.consent import load_plan

    plan = 'consent: {version: "2.0", method: popup, separate: true, where: 首次登录时弹窗, clauses: [sharing, nowhere]}\n'
    new, found = _consent(SHARED, head=plan)
    _, problems = load_plan(new.meta, new.path, {n.id for n in new.nodes})
    assert [d.code for d in problems] == ["KS141"] and "nowhere" in problems[0].message
    unread = f"头信息中的同意安排（consent）有误，不能采用（{problems[0].message}）"
    assert found == [
        (CONSENT_PLAN_MISSING, f"条款 sharing（1.3）{SHARING_GAINS}：{ART_14}；{ART_23}。{unread}{NEEDS_PLAN}",
         _line(new, "sharing"), Severity.ERROR),
        (CONSENT_PLAN_MISSING, EXAMPLE + ", separate: true, where: 取得同意的位置和方式, clauses: [sharing]}",
         new.meta.field_lines["consent"], Severity.INFO),
    ]  # fmt: skip


def test_a_plan_that_falls_short_names_why_at_the_clause() -> None:
    plan = 'consent: {version: "2.0", method: popup, where: 首次登录时弹窗, clauses: [sharing]}\n'
    new, found = _consent(SHARED, head=plan)
    assert [(c, line, s) for c, _, line, s in found] == [
        (CONSENT_PLAN_MISSING, _line(new, "sharing"), Severity.ERROR),
        (CONSENT_PLAN_MISSING, new.meta.field_lines["consent"], Severity.INFO)]  # fmt: skip
    assert found[0][1] == (f"条款 sharing（1.3）{SHARING_GAINS}：{ART_14}；{ART_23}。"
                           f"须取得单独同意（单独同意），但同意安排没有写 separate: true{NEEDS_PLAN}")  # fmt: skip


def test_entrusted_processing_is_stated_at_the_clause_and_needs_no_plan() -> None:
    new, found = _consent(ENTRUSTED)
    assert found == [(CONSENT_PLAN_STATED,
                      "条款 purposes（1.2）新增委托处理：“委托”：依个人信息保护法第二十一条，委托处理个人信息的，应当与受托人约定委托处理的"
                      "目的、期限、处理方式、个人信息的种类、保护措施以及双方的权利和义务，并对受托人的个人信息处理活动进行监督"
                      "（无需另行取得同意）。请确认已与受托方签订委托处理协议。", _line(new, "purposes"), Severity.INFO)]  # fmt: skip


def test_every_flag_is_judged_after_an_entrusted_one() -> None:
    both = ENTRUSTED.replace("我们不会出售您的个人信息。", "我们会将您的个人信息提供给合作伙伴，用于广告推送。")
    new, found = _consent(both)
    assert [(c, m.split("新增")[0], line, s) for c, m, line, s in found[:2]] == [
        (CONSENT_PLAN_STATED, "条款 purposes（1.2）", _line(new, "purposes"), Severity.INFO),
        (CONSENT_PLAN_MISSING, "条款 sharing（1.3）", _line(new, "sharing"), Severity.ERROR),
    ]  # fmt: skip
    assert found[2][0::2] == (CONSENT_PLAN_MISSING, new.meta.field_lines["version"])
    assert found[2][3] is Severity.INFO and len(found) == 3
    # the example names only the clause that needs consent, not the entrusted one
    assert found[-1][1].endswith("clauses: [sharing]}")


def test_a_flag_answered_by_the_plan_does_not_stop_the_next_or_enter_the_example() -> None:
    # purposes gains a purpose the plan covers (Art. 14, consent); sharing gains a recipient it does not cover
    text = SHARED.replace("用于账号注册。", "用于账号注册和广告推送。")
    plan = 'consent: {version: "2.0", method: popup, where: 首次登录时弹窗, clauses: [purposes]}\n'
    new, found = _consent(text, head=plan)
    consent_line = new.meta.field_lines["consent"]
    assert [(c, line, s) for c, _, line, s in found] == [
        (CONSENT_PLAN_STATED, consent_line, Severity.INFO),
        (CONSENT_PLAN_MISSING, _line(new, "sharing"), Severity.ERROR),
        (CONSENT_PLAN_MISSING, consent_line, Severity.INFO),
    ]  # fmt: skip
    assert found[0][1] == ("条款 purposes（1.2）新增新的处理目的或处理方式：“广告”（个人信息保护法第十四条）："
                           "同意安排为以弹窗取得同意，首次登录时弹窗。")  # fmt: skip
    assert "同意安排的 clauses 没有列出 sharing" in found[1][1]
    assert found[2][1] == EXAMPLE + ", separate: true, where: 取得同意的位置和方式, clauses: [sharing]}"


def test_unnumbered_clause_is_named_without_a_number_in_consent_findings() -> None:
    new, found = _consent(SHARED.replace("1.3 我们会", "我们会"))
    assert found[0][1].startswith(f"条款 sharing{SHARING_GAINS}："), found
    assert found[0][2] == _line(new, "sharing")


# --- released versions (the timeline the gate reads for KS455 and KS456) ----------------------------------------


def _recorded(label: str, text: str, *, draft: bool = False) -> VersionRecord:
    return VersionRecord("demo", label, "示例", "agreements/demo.md", text, "", None, None, (), draft=draft)


def _timeline(*versions: VersionRecord) -> Timeline:
    return Timeline("demo", versions)


def test_released_versions_are_every_readable_released_one_but_the_proposed() -> None:
    timeline = _timeline(
        _recorded("1.0", source("1.0", BASE)),
        _recorded("1.5", source("1.5", BASE), draft=True),  # a draft is not released
        _recorded("1.6", "没有头信息的文本\n"),  # unreadable: skipped, and the next one is still read
        _recorded("1.7", source("1.7", BASE + "\n{#contact}\n1.3 联系我们。\n")),
        _recorded("2.0", source("2.0", BASE)),  # the version being proposed
    )
    found = released_versions(timeline, "2.0")
    assert [a.meta.version for a in found] == ["1.0", "1.7"]
    assert [n.id for n in found[1].nodes] == ["general", "nature", "purposes", "contact"]
    assert [a.meta.version for a in released_versions(timeline, "1.7")] == ["1.0", "2.0"]


def test_no_timeline_means_no_released_versions() -> None:
    assert released_versions(None, "2.0") == []
    assert released_versions(_timeline(), "2.0") == []
    assert released_versions(_timeline(_recorded("1.0", source("1.0", BASE), draft=True)), "2.0") == []


# --- KS456: labels against the base and the released ones --------------------------------------------------------

NOT_INCREASING = "版本号 “{new}” 不大于已发布的版本号 “{old}”：新版本的版本号必须递增。版本号方案见 docs/source-format.md 第三节。"


def test_label_below_the_base_is_refused_word_for_word() -> None:
    new = doc("1.9", BASE)
    found, add = _collector()
    label_findings(doc("2.0", BASE), new, None, add)
    assert found == [(LABEL_NOT_INCREASING, NOT_INCREASING.format(new="1.9", old="2.0"), new.meta.field_lines["version"],
                      Severity.ERROR)]  # fmt: skip


def test_label_above_the_base_and_every_released_one_is_no_finding() -> None:
    found, add = _collector()
    label_findings(doc("1.0", BASE), doc("2.0", BASE), None, add)
    # the proposed version itself in the timeline, and a draft with a greater label, do not count
    timeline = _timeline(_recorded("0.9", ""), _recorded("1.0", ""), _recorded("2.0", ""), _recorded("3.0", "", draft=True))
    label_findings(doc("1.0", BASE), doc("2.0", BASE), timeline, add)
    assert found == []


def test_label_below_a_released_one_is_refused_naming_it() -> None:
    new = doc("2.0", BASE)
    found, add = _collector()
    label_findings(doc("1.0", BASE), new, _timeline(_recorded("1.0", ""), _recorded("2.5", "")), add)
    assert found == [(LABEL_NOT_INCREASING, NOT_INCREASING.format(new="2.0", old="2.5"), new.meta.field_lines["version"],
                      Severity.ERROR)]  # fmt: skip
    # the base's label is judged first
    found.clear()
    label_findings(doc("2.2", BASE), doc("2.1", BASE), _timeline(_recorded("2.5", "")), add)
    assert [m for _, m, _, _ in found] == [NOT_INCREASING.format(new="2.1", old="2.2")]


def test_content_findings_reads_the_released_versions_and_labels_of_the_timeline() -> None:
    nature = "{#nature}\n1.1 本协议是您与金山云之间的有效契约。\n"
    released = nature + "\n{#purposes}\n1.2 我们收集您的手机号码，用于账号注册。\n"
    proposed = nature + "\n{#purposes}\n1.2 我们不会出售您的信息。\n"
    old, new = doc("2.0", nature, head="retired: [purposes]\n"), doc("3.0", proposed)
    # the timeline holds the proposed version too (it is released in the same pull request) and a later label
    timeline = _timeline(_recorded("1.0", source("1.0", released)),
                         _recorded("2.0", source("2.0", nature, head="retired: [purposes]\n")), _recorded("3.5", ""),
                         _recorded("3.0", source("3.0", proposed)))  # fmt: skip
    found, add = _collector()
    content_findings(old, new, diff_agreements(old, new), timeline, add)
    assert [(c, m.split("，")[0]) for c, m, _, _ in found] == [
        (PUBLISHED_ID_REUSED, "条款 ID “purposes” 在已发布的版本 1.0 中用于另一段文字（“我们收集您的手机号码"),
        (LABEL_NOT_INCREASING, "版本号 “3.0” 不大于已发布的版本号 “3.5”：新版本的版本号必须递增。版本号方案见 docs/source-format.md 第三节。"),
    ]  # fmt: skip


def test_every_reason_a_plan_does_not_read_is_given_in_lint_s_order() -> None:
    from kspub.law.consent import load_plan

    plan = "consent: {method: popup, colour: red, where: 首次登录时弹窗, clauses: [sharing]}\n"  # no version, a stray key
    new, found = _consent(SHARED, head=plan)
    _, problems = load_plan(new.meta, new.path, {n.id for n in new.nodes})
    assert len(problems) == 2
    assert found[0][1] == (f"条款 sharing（1.3）{SHARING_GAINS}：{ART_14}；{ART_23}。头信息中的同意安排（consent）有误，不能采用"
                           f"（{problems[0].message}；{problems[1].message}）{NEEDS_PLAN}")  # fmt: skip
    assert "colour" in problems[0].message and "version" in problems[1].message


# --- the notice dates and the rules in force (kspub.check: _judge_dates, _judge_rules_in_force, sla_notice) -----

DATED_HEAD = NOTICE_HEAD + "announced: 2026-03-02\neffective: 2026-03-20\n"
SIX_CLAUSES = ("c1", "c2", "c3", "c4", "c5", "c6")


def _dated() -> Agreement:
    """The new version of :func:`_assessed_change`, announced 2026-03-02 and taking effect 2026-03-20."""
    return doc("2.0", BASE.replace("手机号码", "电子邮件地址"), head=DATED_HEAD)


def _notice(**fields: object) -> NoticeAssessment:
    """The notice of :func:`_assessed_change` (earliest 2026-04-02 under the base's 30 days), with ``fields`` replaced."""
    import dataclasses

    return dataclasses.replace(_assessed_change()[1], **fields)  # type: ignore[arg-type]


def _governing_clauses(notice: NoticeAssessment, clauses: tuple[str, ...]) -> NoticeAssessment:
    import dataclasses

    assert notice.governing is not None
    return dataclasses.replace(notice, governing=dataclasses.replace(notice.governing, clauses=clauses))


def _judged_dates(notice: NoticeAssessment) -> Found:
    from kspub.check import _judge_dates

    found, add = _collector()
    _judge_dates(notice, _dated(), add)
    return found


def _judged_rules(notice: NoticeAssessment) -> Found:
    from kspub.check import _judge_rules_in_force

    found, add = _collector()
    _judge_rules_in_force(notice, _dated(), add)
    return found


def test_the_dated_version_has_its_fields_on_lines_of_their_own() -> None:
    lines = _dated().meta.field_lines
    assert (lines["version"], lines["announced"], lines["effective"]) == (5, 7, 8)


def test_effective_date_too_early_names_five_clauses_and_how_many_at_the_effective_line_and_the_channels() -> None:
    assert _judged_dates(_governing_clauses(_notice(), SIX_CLAUSES)) == [
        ("KS414", "生效日期 2026-03-20 早于最早合法生效日 2026-04-02：依 本协议第1.1条（现行规则），实质性变更（c1、c2、c3、c4、c5等 6 条）"
                  "须提前30个自然日通知，自公告日 2026-03-02 起算，期间最后一日为 2026-04-01。请把 effective 改为 2026-04-02 或更晚，"
                  "或提前公告。", 8, Severity.ERROR),
        ("KS426", "通知渠道：网页公告、电子邮件（公告时请通过这些渠道通知）。", 7, Severity.INFO),
    ]  # fmt: skip


def test_effective_date_too_early_names_five_clauses_all_and_one_alone() -> None:
    notice = _notice(channels=())
    assert "实质性变更（c1、c2、c3、c4、c5）须提前" in _judged_dates(_governing_clauses(notice, SIX_CLAUSES[:5]))[0][1]  # fmt: skip
    assert [(code, line) for code, message, line, _ in _judged_dates(notice) if "实质性变更（purposes）须提前" in message] == [
        ("KS414", 8)
    ]  # fmt: skip


def test_effective_date_on_or_after_the_earliest_is_stated_at_the_effective_line() -> None:
    from datetime import date

    for earliest in (date(2026, 3, 20), date(2026, 3, 19)):
        assert _judged_dates(_notice(channels=(), earliest_effective=earliest)) == [
            ("KS425", f"生效日期 2026-03-20 不早于最早合法生效日 {earliest}（依 本协议第1.1条（现行规则），30个自然日）。", 8,
             Severity.INFO),
        ]  # fmt: skip


def test_consent_needed_names_the_first_five_clauses_and_how_many_as_a_warning_at_the_version_line() -> None:
    found = _judged_dates(_notice(channels=(), earliest_effective=None, consent_required=True, consent_clauses=SIX_CLAUSES))  # fmt: skip
    assert found == [
        ("KS416", "须重新取得用户同意（c1、c2、c3、c4、c5等 6 条）：处理目的、方式或个人信息种类的变更，对未同意的用户不因期间届满而生效"
                  "（个人信息保护法第十四条）。请确认已安排同意弹窗或勾选。", 5, Severity.WARNING),
    ]  # fmt: skip
    five = _judged_dates(_notice(channels=(), earliest_effective=None, consent_required=True,
                                 consent_clauses=SIX_CLAUSES[:5]))  # fmt: skip
    assert [message.split("：")[0] for _, message, _, _ in five] == ["须重新取得用户同意（c1、c2、c3、c4、c5）"]  # fmt: skip


def test_a_message_names_up_to_five_clauses_whole_and_of_more_the_first_five_and_their_number() -> None:
    from kspub.chinese_text import listed

    assert listed(()) == ""
    assert listed(("1.1",)) == "1.1"
    assert listed(SIX_CLAUSES[:5]) == "c1、c2、c3、c4、c5"
    assert listed(SIX_CLAUSES) == "c1、c2、c3、c4、c5等 6 条"
    assert listed([*SIX_CLAUSES, "c7"]) == "c1、c2、c3、c4、c5等 7 条"


def test_consent_clauses_without_consent_required_are_no_finding() -> None:
    assert _judged_dates(_notice(channels=(), earliest_effective=None, consent_clauses=SIX_CLAUSES)) == []


def test_provisional_calendar_is_a_warning_at_the_effective_line_and_only_when_provisional() -> None:
    assert _judged_dates(_notice(channels=(), earliest_effective=None, provisional=True)) == [
        ("KS419", "计算涉及尚未公布的次年放假安排，结果为暂定：次年安排公布后请重新运行检查。", 8, Severity.WARNING)
    ]  # fmt: skip
    assert _judged_dates(_notice(channels=(), earliest_effective=None, provisional=False)) == []


def test_channels_are_named_in_chinese_and_an_unknown_one_by_its_key() -> None:
    found = _judged_dates(_notice(channels=("sms", "written", "pigeon"), earliest_effective=None))
    assert found == [("KS426", "通知渠道：短信、书面通知、pigeon（公告时请通过这些渠道通知）。", 7, Severity.INFO)]  # fmt: skip


def test_base_and_head_rules_giving_different_dates_is_stated_at_the_effective_line() -> None:
    assert _judged_rules(_notice()) == [
        ("KS443", "现行规则与新规则给出的最早生效日不同：依现行规则（客户已知的版本）为 2026-04-02，依新规则为 2026-03-24；"
                  "以较晚的 2026-04-02 为准。", 8, Severity.INFO),
    ]  # fmt: skip


def test_different_dates_are_not_stated_when_one_side_has_none_or_both_agree() -> None:
    import datetime as dt

    assert _judged_rules(_notice(base_effective=None)) == []
    assert _judged_rules(_notice(head_effective=None)) == []
    assert _judged_rules(_notice(head_effective=dt.date(2026, 4, 2))) == []


def test_statute_duties_are_listed_numbered_from_one_as_a_warning_at_the_announced_line() -> None:
    import dataclasses

    notice = _notice(base_effective=None)
    app = notice.applications[0]
    statute = dataclasses.replace(app, rule=dataclasses.replace(app.rule, basis="电子商务法第三十四条", duties=("征求意见", "公示七日", "允许退出")))  # fmt: skip
    assert _judged_rules(dataclasses.replace(notice, applications=(app, statute))) == [
        ("KS444", "电子商务法第三十四条对本次修改另有要求，kspub 无法核实，请在公告时逐项落实：（1）征求意见；（2）公示七日；（3）允许退出。",
         7, Severity.WARNING),
    ]  # fmt: skip


SLA_HEAD = "notice: {{default: {{period: {period}, clause: {clause}}}{extra}}}\n"


def _rules(period: str, clause: str = "nature", extra: str = "") -> Agreement:
    """The service agreement whose default rule (resting on ``clause``) governs SLA changes."""
    return doc("1.0", BASE, head=SLA_HEAD.format(period=period, clause=clause, extra=extra))


def _sla_notice(before: Agreement | None, after: Agreement | None) -> tuple[object, ...] | None:
    import datetime as dt

    from kspub.check import sla_notice
    from kspub.law.workdays import load_calendar

    notice = sla_notice(dt.date(2026, 3, 2), load_calendar(), before, after)
    return None if notice is None else (notice.earliest, notice.basis, notice.provisional)


def test_sla_notice_under_the_later_rules_names_the_side_whose_rules_they_are() -> None:
    import datetime as dt

    assert _sla_notice(_rules("30日"), _rules("20日", "purposes")) == (dt.date(2026, 4, 2), "示例第1.1条（现行规则）", False)  # fmt: skip
    assert _sla_notice(_rules("20日"), _rules("30日", "purposes")) == (dt.date(2026, 4, 2), "示例第1.2条（新规则）", False)  # fmt: skip


def test_sla_notice_under_equal_rules_is_the_base_s_without_a_side() -> None:
    import datetime as dt

    assert _sla_notice(_rules("30日"), _rules("30日", "purposes")) == (dt.date(2026, 4, 2), "示例第1.1条", False)  # fmt: skip


def test_sla_notice_under_one_side_alone_names_no_side() -> None:
    import datetime as dt

    assert _sla_notice(None, _rules("20日", "purposes")) == (dt.date(2026, 3, 24), "示例第1.2条", False)
    assert _sla_notice(_rules("30日"), None) == (dt.date(2026, 4, 2), "示例第1.1条", False)
    assert _sla_notice(None, None) is None


def test_sla_notice_skips_a_side_whose_block_does_not_read_or_has_no_period_and_reads_the_other() -> None:
    import datetime as dt

    broken = _rules("30日", extra=", bogus: 1")
    no_period = doc("1.0", BASE, head="notice: {default: {channels: [site], clause: nature}}\n")
    no_default = doc("1.0", BASE, head="notice: {roll: all_rest_days}\n")
    head = _rules("20日", "purposes")
    for before in (broken, no_period, no_default):
        assert _sla_notice(before, head) == (dt.date(2026, 3, 24), "示例第1.2条", False)
    assert _sla_notice(head, broken) == (dt.date(2026, 3, 24), "示例第1.2条", False)
    assert _sla_notice(broken, no_period) is None


# --- the order of effective dates (KS429) and the notice rules changed (KS440, KS441) --------------------------


def _effective(label: str, effective: str, *, withdrawn: str | None = None) -> VersionRecord:
    from datetime import date

    return VersionRecord("demo", label, "示例", "agreements/demo.md", "", "", None, date.fromisoformat(effective), (),
                         withdrawn=date.fromisoformat(withdrawn) if withdrawn else None)  # fmt: skip


def _judged_order(timeline: Timeline | None) -> Found:
    from kspub.check import _judge_order

    found, add = _collector()
    _judge_order(_dated(), timeline, add)  # version 2.0, effective 2026-03-20
    return found


def test_an_effective_date_before_released_ones_names_the_first_of_those_taking_effect_last() -> None:
    timeline = _timeline(_effective("1.0", "2026-01-01"), _effective("1.1", "2026-05-01"), _effective("1.2", "2026-06-01"),
                         _effective("1.3", "2026-06-01"), _effective("1.4", "2026-04-01"))  # fmt: skip
    assert _judged_order(timeline) == [
        ("KS429", "新版本 2.0 的生效日期 2026-03-20 早于已发布的版本 1.2（2026-06-01 生效）：生效日期应随版本先后递增，否则无法判断"
                  "某一天哪个版本有效。请改为不早于 2026-06-01 的日期。", 8, Severity.ERROR),
    ]  # fmt: skip


def test_only_other_released_versions_not_withdrawn_taking_effect_later_count() -> None:
    assert _judged_order(None) == []  # no record yet
    assert _judged_order(_timeline(_effective("1.0", "2026-03-20"), _effective("2.0", "2026-09-01"),
                                   _effective("1.9", "2026-08-01", withdrawn="2026-03-01"))) == []  # fmt: skip


def test_every_notice_rule_changed_is_listed_at_the_notice_line_and_a_lowered_one_after_a_raised_one_refused() -> None:
    from kspub.check import _judge_rule_changes

    head = ("notice: {default: {period: 30日, channels: [site], clause: nature}, "
            "rules: [{tags: [fees], period: 10日, channels: [site], clause: nature}]}\n")  # fmt: skip
    old = doc("1.0", BASE, head=head)
    new = doc("2.0", BASE, head=head.replace("30日", "40日").replace("10日", "5日"))
    found, add = _collector()
    changed = _judge_rule_changes(old, new, diff_agreements(old, new), add)
    assert [(rc.lowered, rc.what) for rc in changed] == [(False, ("通知期 30个自然日 → 40个自然日",)),
                                                         (True, ("通知期 10个自然日 → 5个自然日",))]  # fmt: skip
    assert [(code, line, severity) for code, _, line, severity in found] == [
        ("KS440", 6, Severity.INFO), ("KS440", 6, Severity.INFO), ("KS441", 6, Severity.ERROR)]  # fmt: skip
    assert found[0][1] == "通知规则变更：默认规则（本协议第1.1条）：通知期 30个自然日 → 40个自然日。"
    assert found[2][1].startswith("降低了通知要求（通知规则（本协议第1.1条，适用于 fees）：通知期 10个自然日 → 5个自然日），")


TWO_SOURCES = "notice: {default: {period: 30日, channels: [site], clause: [nature, purposes]}}\n"
LOWERED_RULE = "默认规则（本协议第1.1条；本协议第1.2条）：通知期 30个自然日 → 20个自然日"


def _lowered_with(changes: list[object]) -> Found:
    """The rule resting on clauses nature and purposes lowered from 30 to 20 days, with ``changes`` as the clauses'."""
    from types import SimpleNamespace

    from kspub.check import _judge_rule_changes

    old, new = doc("1.0", BASE, head=TWO_SOURCES), doc("2.0", BASE, head=TWO_SOURCES.replace("30日", "20日"))
    found, add = _collector()
    _judge_rule_changes(old, new, SimpleNamespace(changes=changes), add)  # type: ignore[arg-type]
    assert found[0] == ("KS440", f"通知规则变更：{LOWERED_RULE}。", 6, Severity.INFO)
    return found[1:]


def _clause_change(clause: str, *, material: bool = False, approved: bool = False) -> object:
    from types import SimpleNamespace

    from kspub.changes import OVERRIDE_APPROVED

    return SimpleNamespace(clause=clause, material=material, flags=(OVERRIDE_APPROVED,) if approved else (),
                           old_ids=(), new_ids=())  # fmt: skip


def test_a_rule_lowered_without_its_clauses_is_refused_naming_every_one() -> None:
    assert _lowered_with([_clause_change("general", material=True)]) == [
        ("KS441", f"降低了通知要求（{LOWERED_RULE}），但规则所依据的条款（nature、purposes）在本版本中没有相应修改：客户已知的条款仍是"
                  "原来的约定，只改头信息中的规则不能缩短通知。请恢复规则，或在同一版本中修改该条款（该条款的修改将按原规则通知）。", 6,
         Severity.ERROR),
    ]  # fmt: skip


def test_a_rule_lowered_with_its_clauses_downgraded_by_an_approver_names_those_clauses_alone() -> None:
    changes = [_clause_change("purposes", approved=True), _clause_change("general", approved=True),
               _clause_change("nature", approved=True)]  # fmt: skip
    assert _lowered_with(changes) == [
        ("KS445", f"通知规则随所依据的条款一同修改（{LOWERED_RULE}）：该条款（nature、purposes）的修改已由批准人降为编辑性修改"
                  "（见 KS451），本次不计通知期；新规则自新版本生效后适用。", 6, Severity.INFO),
    ]  # fmt: skip


def test_a_rule_lowered_with_a_clause_changed_materially_is_stated_at_the_notice_line() -> None:
    assert _lowered_with([_clause_change("purposes", material=True), _clause_change("nature", approved=True)]) == [
        ("KS445", f"通知规则随所依据的条款一同修改（{LOWERED_RULE}）：本次变更按修改前的规则（客户已知的规则）计算通知期，新规则自新版本"
                  "生效后适用。", 6, Severity.INFO),
    ]  # fmt: skip


def test_a_finding_about_a_field_not_written_points_at_the_version_line() -> None:
    from kspub.check import _fm_line

    bare = doc("2.0", BASE)
    assert _fm_line(bare, "effective") == bare.meta.field_lines["version"] == 5
    assert (_fm_line(_dated(), "effective"), _fm_line(_dated(), "announced")) == (8, 7)


# --- an agreement removed or added (KS421, KS427, KS422) ------------------------------------------------------


def _checked(old: Agreement | None, new: Agreement | None, *, withdrawn: bool = False) -> dict[str, object]:
    from datetime import date

    from kspub.check import check_agreement
    from kspub.diff_operands import AgreementDiff
    from kspub.law.workdays import load_calendar

    check = check_agreement(AgreementDiff("agreements/demo.md", old, new, None), date(2026, 3, 2), load_calendar(),
                            withdrawn=withdrawn)  # fmt: skip
    return check.to_dict()


def test_an_agreement_removed_is_reported_by_its_path_id_title_and_last_version() -> None:
    removed = _checked(doc("1.0", BASE), None)
    assert {k: removed[k] for k in ("path", "agreement", "title", "from", "to", "announced", "effective", "ok")} == {
        "path": "agreements/demo.md", "agreement": "demo", "title": "示例", "from": "1.0", "to": None, "announced": None,
        "effective": None, "ok": False}  # fmt: skip
    assert [f["code"] for f in removed["findings"]] == ["KS421"]  # type: ignore[union-attr]
    withdrawn = _checked(doc("1.0", BASE), None, withdrawn=True)
    assert (withdrawn["ok"], [f["code"] for f in withdrawn["findings"]]) == (True, ["KS427"])  # type: ignore[union-attr]


def test_an_agreement_added_is_reported_with_its_version_and_dates() -> None:
    added = _checked(None, _dated())
    assert {k: added[k] for k in ("path", "agreement", "title", "from", "to", "announced", "effective", "ok")} == {
        "path": "agreements/demo.md", "agreement": "demo", "title": "示例", "from": None, "to": "2.0",
        "announced": "2026-03-02", "effective": "2026-03-20", "ok": True}  # fmt: skip
    assert [f["code"] for f in added["findings"]] == ["KS422"]  # type: ignore[union-attr]


# --- a version's label, dates and corrections (check_agreement: KS410–KS413, KS415, KS418, KS423, KS424, KS428) --

SIX_FEES = "".join(f"{{#c{i}}}\n1.{i} 金山云将提前{i}0日通知您。\n\n" for i in range(1, 7))
CORRECTED = "corrections:\n  - date: 2026-03-02\n    reason: 更正笔误\n"


def _version_findings(old: Agreement, new: Agreement) -> Found:
    """Every finding of the gate for ``old`` → ``new``, checked on 2026-03-02."""
    from datetime import date

    from kspub.check import check_agreement
    from kspub.diff_operands import AgreementDiff
    from kspub.law.workdays import load_calendar

    diff = AgreementDiff("agreements/demo.md", old, new, diff_agreements(old, new))
    check = check_agreement(diff, date(2026, 3, 2), load_calendar(), withdrawn=False)
    return [(f.code, f.message, f.line, f.severity) for f in check.findings]


def test_a_correction_of_the_same_version_is_stated_at_the_corrections_line() -> None:
    new = doc("1.0", BASE.replace("，用于", ",用于"), head=CORRECTED)
    assert _version_findings(doc("1.0", BASE), new) == [
        ("KS423", "已登记勘误（更正笔误）：版本 1.0 的编辑性更正，无需新版本号。", 6, Severity.WARNING)]


def test_a_correction_that_changes_meaning_is_refused_naming_the_clauses_and_what_to_do() -> None:
    new = doc("1.0", SIX_FEES.replace("0日", "5日"), head=CORRECTED)
    assert _version_findings(doc("1.0", SIX_FEES), new) == [
        ("KS411", "勘误只能做不改变含义的编辑性更正，但本次修改含 6 处实质性变更（c1、c2、c3、c4、c5等 6 条）：如这些修改确实不改变含义"
                  "（例如错别字），请在 change_notes 中为每个条款写明 clause、class: editorial 和 reason（涉及数字、义务用语或重要主题的"
                  "还要写 approved_by）；否则请设置新的版本号并按通知规则公告。", 6, Severity.ERROR)]  # fmt: skip


def test_a_released_text_changed_under_its_label_is_refused_at_the_version_line() -> None:
    assert _version_findings(doc("1.0", BASE), doc("1.0", BASE.replace("手机号码", "电子邮件地址"))) == [
        ("KS410", "修改了版本 1.0 的正文却没有更换版本号：已发布的版本不能再改，请把 version 改为新的版本号（如只是不改变含义的错字更正，"
                  "请在 corrections 中登记日期和原因）。", 5, Severity.ERROR)]  # fmt: skip


def test_a_new_version_without_dates_or_summary_is_refused_at_the_version_line() -> None:
    assert _version_findings(doc("1.0", BASE), doc("2.0", BASE.replace("手机号码", "电子邮件地址"))) == [
        ("KS412", "新版本 2.0 缺少公告日期 announced：请写明通知（公告）生效的日期。", 5, Severity.ERROR),
        ("KS413", "新版本 2.0 缺少生效日期 effective：请写明新版本生效的日期。", 5, Severity.ERROR),
        ("KS415", "本次有 1 处实质性变更，但没有变更说明：请在 summary 中用客户能看懂的话写明改了什么。", 5, Severity.ERROR),
    ]  # fmt: skip


def test_a_new_label_on_the_same_text_and_an_announcement_in_the_past_or_the_future() -> None:
    past = doc("2.0", BASE, head="announced: 2026-03-01\neffective: 2026-03-01\n")
    assert _version_findings(doc("1.0", BASE), past) == [
        ("KS418", "公告日期 2026-03-01 早于今天（2026-03-02）：通知自实际公告之日起才生效，请改为实际公告的日期。", 6, Severity.ERROR),
        ("KS424", "版本号由 1.0 改为 2.0，但正文没有变化。", 5, Severity.WARNING),
    ]  # fmt: skip
    future = doc("2.0", BASE, head="announced: 2026-03-05\neffective: 2026-03-05\n")
    assert _version_findings(doc("1.0", BASE), future) == [
        ("KS428", "公告日期为 2026-03-05：合并后，版本 2.0 自 2026-03-05（北京时间）起的首次生成（每日 00:05）才出现在网站、API、订阅"
                  "和搜索中，此前不公开。", 6, Severity.INFO),
        ("KS424", "版本号由 1.0 改为 2.0，但正文没有变化。", 5, Severity.WARNING),
    ]  # fmt: skip
    today = doc("2.0", BASE, head="announced: 2026-03-02\n")
    assert [code for code, *_ in _version_findings(doc("1.0", BASE), today)] == ["KS413", "KS424"]


# --- the SLA catalogue judged (kspub.check.judge_sla: KS431–KS434, KS419, KS601) -------------------------------


def _sla_judged(before: str, after: str, today: str, rules_before: str | None = "30日",
                rules_from: str | None = "30日") -> Found | None:  # fmt: skip
    """The findings on ``before`` → ``after`` published on ``today``, under service agreements with these default
    periods (None: no such agreement); None when no entry changed."""
    from datetime import date

    from kspub.check import judge_sla
    from kspub.law.workdays import load_calendar
    from kspub.sla.catalogue import parse_catalogue

    from .test_gate_codes import service

    def catalogue(text: str) -> object:
        parsed, problems = parse_catalogue(text, "sla/catalogue.yaml")
        assert parsed is not None, problems
        return parsed

    def rules(period: str | None) -> Agreement | None:
        return None if period is None else parse_agreement(service(period), "agreements/cloud-service-agreement.md").agreement

    judged = judge_sla(catalogue(before), catalogue(after), date.fromisoformat(today), load_calendar(),  # type: ignore[arg-type]
                       rules(rules_from), rules(rules_before))  # fmt: skip
    if judged is None:
        return None
    assert {f.path for f in judged.findings} <= {"sla/catalogue.yaml"}
    return [(f.code, f.message, f.line, f.severity) for f in judged.findings]


def test_an_sla_commitment_changed_under_its_version_without_a_date_is_refused_at_its_entry() -> None:
    from .test_gate_codes import CATALOGUE, sla_change

    assert _sla_judged(CATALOGUE, sla_change(None, version="1"), "2026-03-02") == [
        ("KS431", "SLA 条目 ecs 的承诺变化了（服务等级条目 ecs 的可用性承诺：实质性变更：数字、期限、金额或比例变化：99.95% → 99.9%），"
                  "但 version 没有更新：请设置新的版本号。", 6, Severity.ERROR),
        ("KS432", "SLA 条目 ecs 变更后缺少生效日期 effective。", 6, Severity.ERROR),
    ]  # fmt: skip


def test_an_sla_commitment_taking_effect_too_early_names_the_governing_rule_and_today() -> None:
    from .test_gate_codes import CATALOGUE, sla_change

    assert _sla_judged(CATALOGUE, sla_change("2026-03-20"), "2026-03-02", rules_from="20日") == [
        ("KS433", "SLA 条目 ecs 的生效日期 2026-03-20 早于最早合法生效日 2026-04-02（依据 金山云云服务使用协议第1.1条（现行规则），"
                  "自今天 2026-03-02 公告起算）。", 6, Severity.ERROR),
    ]  # fmt: skip
    assert _sla_judged(CATALOGUE, sla_change("2026-04-02"), "2026-03-02", rules_from="20日") == []
    assert _sla_judged(CATALOGUE, sla_change("2026-03-02"), "2026-03-02", None, None) == []  # no rule: no period


def test_an_sla_entry_removed_is_a_warning_and_a_version_or_date_alone_no_commitment() -> None:
    from .test_gate_codes import CATALOGUE, sla_change

    two = CATALOGUE + "      - id: rds\n        title: 数据库\n        availability: 99.9%\n        version: '1'\n        effective: 2026-01-01\n"
    assert _sla_judged(two, sla_change("2026-05-01"), "2026-03-02", rules_before=None) == [
        ("KS434", "删除了 SLA 条目 rds：删除服务承诺属于实质性变更，请确认已按服务协议提前通知。", None, Severity.WARNING),
    ]  # fmt: skip
    assert _sla_judged(CATALOGUE, sla_change("2026-01-02", availability="99.95%"), "2026-03-02") == []
    assert _sla_judged(CATALOGUE, CATALOGUE, "2026-03-02") is None


def test_an_sla_window_into_next_year_is_provisional_or_cannot_be_computed() -> None:
    from .test_gate_codes import CATALOGUE, sla_change

    assert _sla_judged(CATALOGUE, sla_change("2026-12-30"), "2026-11-20") == [
        ("KS419", "SLA 变更的最早合法生效日 2026-12-22 的计算涉及尚未公布的次年放假安排，结果为暂定：次年安排公布后请重新运行检查。", None,
         Severity.WARNING),
    ]  # fmt: skip
    assert _sla_judged(CATALOGUE, sla_change(None), "2026-11-20") == [
        ("KS432", "SLA 条目 ecs 变更后缺少生效日期 effective。", 6, Severity.ERROR)]  # no date: nothing provisional
    assert _sla_judged(CATALOGUE, sla_change("2027-02-01"), "2026-12-10") == [
        ("KS601", "无法计算最早合法生效日：通知期延伸到 2027 年，但没有 2027 年的放假安排（kspub 不推测日历）。请把《国务院办公厅关于2027年"
                  "部分节假日安排的通知》的全部节假日、调休放假日和调休上班日录入本仓库的 calendar/2027.yaml（格式见 "
                  "kspub/data/calendar/README.md），再重新运行检查。", 6, Severity.ERROR),
    ]  # fmt: skip


# --- a renamed agreement judged against its predecessor (kspub.check._against_predecessor) ---------------------


def test_a_renamed_agreement_is_compared_with_its_latest_predecessor_on_the_base(
    make_repo: Callable[..., Path],
) -> None:
    from kspub.check import _against_predecessor
    from kspub.diff_operands import AgreementDiff

    first, second = source("1.0", BASE).replace("id: demo", "id: first"), source("1.1", BASE).replace("id: demo", "id: second")
    repo = make_repo({"agreements/first.md": first, "agreements/second.md": second}, release=False)
    new = parse_agreement(source("2.0", BASE.replace("手机号码", "邮箱")).replace("id: demo", "id: third"),
                          "agreements/third.md").agreement  # fmt: skip
    assert new is not None
    added = AgreementDiff("agreements/third.md", None, new, None)

    def predecessor(formerly: tuple[str, ...], timelines: bool = True) -> str | None:
        found = _against_predecessor(repo, "main", added, {"third": Timeline("third", (), formerly=formerly)} if timelines else None)
        assert found.path == "agreements/third.md" and found.new is new
        if found.old is None:
            assert found is added
            return None
        assert found.changes is not None and [c.clause for c in found.changes.changes if c.material] == ["purposes"]
        return found.old.meta.version

    assert predecessor(("first", "second")) == "1.1"  # the latest name it had
    assert predecessor(("second", "gone")) == "1.1"  # a name whose file the base does not hold is passed over
    assert predecessor(("first",)) == "1.0"
    assert predecessor(()) is None and predecessor(("gone",)) is None  # never renamed, or from nothing on the base
    assert predecessor(("first",), timelines=False) is None  # no record read: nothing to follow
    removed = AgreementDiff("agreements/first.md", parse_agreement(first, "agreements/first.md").agreement, None, None)
    assert _against_predecessor(repo, "main", removed, {}) is removed
    # an agreement renamed before and changed now is compared with its own last version, not its former name's
    changed = AgreementDiff("agreements/third.md", parse_agreement(second, "agreements/third.md").agreement, new, None)
    assert _against_predecessor(repo, "main", changed, {"third": Timeline("third", (), formerly=("first",))}) is changed


def test_a_changed_agreement_s_check_carries_its_path_id_title_both_versions_and_dates() -> None:
    from datetime import date

    from kspub.check import check_agreement
    from kspub.diff_operands import AgreementDiff
    from kspub.law.workdays import load_calendar

    old, new = doc("1.0", BASE, head=NOTICE_HEAD), _dated()
    check = check_agreement(AgreementDiff("agreements/demo.md", old, new, diff_agreements(old, new)), date(2026, 3, 2),
                            load_calendar(), withdrawn=False)  # fmt: skip
    data = check.to_dict()
    assert {k: data[k] for k in ("path", "agreement", "title", "from", "to", "announced", "effective", "ok")} == {
        "path": "agreements/demo.md", "agreement": "demo", "title": "示例", "from": "1.0", "to": "2.0",
        "announced": "2026-03-02", "effective": "2026-03-20", "ok": False}  # fmt: skip
    assert check.changes is not None and check.notice is not None and check.notice.earliest_effective == date(2026, 4, 2)
    assert [f.code for f in check.findings if f.severity is Severity.ERROR] == ["KS415", "KS414"]


# --- corrections appended to the record (kspub.check._correction_problems: KS818) ------------------------------


def test_each_new_correction_is_compared_with_the_text_it_corrects(make_repo: Callable[..., Path]) -> None:
    """The record's corrections form a chain: each new one is judged against the one before it (or the text
    released), never a recorded one again; one whose text cannot be read is refused as such."""
    import datetime as dt
    import subprocess
    from types import SimpleNamespace

    from kspub.check import _correction_problems
    from kspub.record import Event, EventKind
    from kspub.repository import open_repo

    repo = make_repo({"README.md": "示例\n"}, release=False)

    def blob(text: str) -> str:
        return subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input=text.encode(), capture_output=True,
                              check=True).stdout.decode().strip()  # fmt: skip

    released = blob(source("1.0", BASE))
    typo = blob(source("1.0", BASE.replace("，用于", ",用于")))  # editorial
    rewrite = blob(source("1.0", BASE.replace("，用于", ",用于").replace("手机号码", "邮箱")))  # material, after the typo

    def correction(day: int, text: str | None, reason: str = "更正") -> Event:
        return Event(EventKind.CORRECTION, dt.date(2026, 3, day), reason, text)

    postponed = Event(EventKind.POSTPONEMENT, dt.date(2026, 3, 1), "推迟", effective=dt.date(2026, 5, 1))
    first, second = correction(2, typo, "更正标点"), correction(3, rewrite, "更正用词")

    def problems(events: tuple[Event, ...], known: tuple[Event, ...] = (), path: str = "agreements/demo.md") -> list[tuple[str, str, int | None]]:
        rel = SimpleNamespace(blob=released, path=path, version="1.0", line=7, events=events)
        before = SimpleNamespace(events=known) if known else None
        found = _correction_problems(open_repo(repo), rel, before, "rec.yaml")
        assert all(d.path == "rec.yaml" for d in found)  # the record's path, where the events are
        return [(d.code, d.message, d.line) for d in found]

    assert problems((postponed, first)) == []
    changed = ("KS818", "版本 1.0 的勘误（2026-03-03，更正用词）改变了条款含义（purposes）：勘误只能更正不改变含义的文字；实质性修改请发布新版本", 7)
    assert problems((postponed, first, second)) == [changed]  # against the typo's text, not the released one
    assert problems((first, second), known=(first, second)) == []  # recorded before: not judged again
    assert problems((first, second), known=(first,), path="agreements/renamed.md") == [changed]  # the file's name aside
    assert problems((correction(2, "0" * 40), first)) == [
        ("KS818", "版本 1.0 的勘误（2026-03-02）的文本无法读取，不能核对它是否只是编辑性更正", 7),
        ("KS818", "版本 1.0 的勘误（2026-03-02）的文本无法读取，不能核对它是否只是编辑性更正", 7),
    ]  # and the next one has no readable text to be compared with
    assert problems((correction(2, blob("没有头信息\n")),)) == [
        ("KS818", "版本 1.0 的勘误（2026-03-02）的文本无法读取，不能核对它是否只是编辑性更正", 7)]
    assert problems((correction(2, None), second)) == [changed]  # an event without text corrects nothing


def test_every_sla_entry_whose_commitment_changed_is_judged_and_an_entry_added_is_not() -> None:
    from .test_gate_codes import CATALOGUE, sla_change

    renamed = sla_change("2026-03-20").replace("title: 计算", "title: 计算服务")  # the category's change comes first
    assert [code for code, *_ in _sla_judged(CATALOGUE, renamed, "2026-03-02") or []] == ["KS433"]
    added = CATALOGUE + "      - id: rds\n        title: 数据库\n        availability: 99.9%\n        version: '1'\n        effective: 2026-03-02\n"
    assert _sla_judged(CATALOGUE, added, "2026-03-02") == []  # a new commitment takes effect when published
    assert _sla_judged(CATALOGUE, added, "2026-12-10") == []  # no date to compute: no year of the calendar missing


def test_an_sla_entry_with_several_commitments_changed_is_judged_once_naming_them_all() -> None:
    from .test_gate_codes import CATALOGUE, sla_change

    both = sla_change("2026-04-02", version="1").replace("title: 云服务器", "title: 云主机")
    assert _sla_judged(CATALOGUE, both, "2026-03-02") == [
        ("KS431", "SLA 条目 ecs 的承诺变化了（服务等级条目 ecs 的可用性承诺：实质性变更：数字、期限、金额或比例变化：99.95% → 99.9%；"
                  "服务等级条目 ecs 的名称：实质性变更：其他文字改动），但 version 没有更新：请设置新的版本号。", 6, Severity.ERROR),
    ]  # fmt: skip
