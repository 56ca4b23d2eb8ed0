"""The gate's content rules called directly (kspub.check_content), so that each message a reviewer reads is
checked word for word: the KS code, the Chinese text and the line it points at (decision records 0405-0407)."""

from __future__ import annotations

from kspub.check import AddFinding
from kspub.check_content import (
    LABEL_NOT_INCREASING,
    OVERRIDE_APPROVED_CODE,
    OVERRIDE_UNAPPROVED_CODE,
    PUBLISHED_ID_DELETED,
    PUBLISHED_ID_REUSED,
    content_findings,
    label_findings,
    override_findings,
    published_id_findings,
)
from kspub.diff import diff_agreements
from kspub.errors import Severity
from kspub.model import Agreement
from kspub.parse import parse_agreement

Found = list[tuple[str, str, int | None, Severity]]


def _collector() -> tuple[Found, AddFinding]:
    found: Found = []

    def add(code: str, message: str, line: int | None = None, severity: Severity = Severity.ERROR) -> None:
        found.append((code, message, line, severity))

    return found, add


def doc(version: str, clauses: str, head: str = "") -> Agreement:
    text = f'---\nid: demo\ntitle: 示例\nkind: agreement\nversion: "{version}"\n{head}---\n\n{{#general}}\n## 一、总则\n\n{clauses}'
    agreement = parse_agreement(text, "agreements/demo.md").agreement
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
