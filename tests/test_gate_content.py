"""The gate cannot be talked around: overrides on the record, consent found by content, what a published text
may never do. Each rule is tried first as the attacking pull request (which the gate used to pass), then with
the defence an editor is asked for."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kspub.cli import main
from kspub.diff import change_hard_flags, diff_agreements
from kspub.labels import follows, label_problem
from kspub.law.consent import detect, term_counts
from kspub.parse import parse_agreement

from .conftest import git, release_all
from .test_check import FEE, NOTICE, PURPOSE, A, agreement, branch_with, check, dates

SHORTER_FEE = FEE.replace("10个自然日", "5个自然日")


def findings(repo: Path, today: str = "2026-03-02") -> tuple[int, list[dict[str, object]]]:
    release_all(repo)
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", today,
                                       "--format", "json"])  # fmt: skip
    data = json.loads(result.stdout)
    return result.exit_code, [f for a in data["agreements"] for f in a["findings"]]


def codes(found: list[dict[str, object]], severity: str = "error") -> list[object]:
    return [f["code"] for f in found if f["severity"] == severity]


# --- overrides on the record (decision record 0405) ---------------------------------------------------------

BARE_NOTE = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 文字调整}\n"


def test_bare_reason_no_longer_turns_a_shorter_fee_notice_into_a_same_day_edit(make_repo: Callable[..., Path]) -> None:
    # The attack: 10 → 5 natural days, one change note, effective the day it is announced.
    repo = branch_with(make_repo, agreement("1.1", fee=SHORTER_FEE, extra=dates("2026-03-02", "2026-03-02") + BARE_NOTE))
    code, out = check(repo)
    assert code == 1, out
    assert "KS450 条款 fee-notice（1.2）的变更数字、期限、金额或比例变化；涉及费用与支付" in out
    assert "只写了理由“文字调整”，不能降为编辑性修改" in out
    # the change stays material and the fee rule sets its window: 10个自然日 from 03-02 → E 03-13
    assert "KS414 生效日期 2026-03-02 早于最早合法生效日 2026-03-13" in out
    assert "其中实质性 1 处" in out


def test_approved_override_passes_and_is_shown_as_a_warning(make_repo: Callable[..., Path]) -> None:
    note = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 更正笔误（原文应为5个自然日）, approved_by: 法务总监}\n"
    repo = branch_with(make_repo, agreement("1.1", fee=SHORTER_FEE, extra=dates("2026-03-02", "2026-03-02") + note))
    code, out = check(repo)
    assert code == 0, out
    assert "KS451 （警告）条款 fee-notice（1.2）的变更数字、期限、金额或比例变化；涉及费用与支付，已由 法务总监 批准降为编辑性修改" in out


def test_bare_reason_still_downgrades_a_change_without_hard_flags(make_repo: Callable[..., Path]) -> None:
    note = "change_notes:\n  - {clause: nature, class: editorial, reason: 仅调整语序}\n"
    body = agreement("1.1", extra=dates("2026-03-02", "2026-03-02") + note).replace(
        "1.1 本协议是您与金山云之间的有效契约。", "1.1 本协议是金山云与您之间的有效契约。")
    repo = branch_with(make_repo, body)
    code, out = check(repo)
    assert code == 0, out
    assert "其中实质性 0 处" in out and "KS450" not in out and "KS451" not in out


OLD_TEXTS = ("金山云将提前10个自然日通知您。", "您应当妥善保管账户，不得转让。", "我们收集您的手机号码。",
             "双方协商解决争议。")  # fmt: skip
EDITS = st.sampled_from([("10", "5"), ("应当", "可以"), ("不得", "可以"), ("您", "您不"), ("。", "，以及其他。"),
                         ("通知", "书面通知"), ("手机号码", "手机号码和身份证号"), ("协商", "诉讼")])  # fmt: skip
TAGS = st.sampled_from(["", ' tags="fees"', ' tags="liability"', ' tags="account"', ' tags="dispute"'])


def _doc(version: str, text: str, tag: str, note: str) -> str:
    head = f'---\nid: demo\ntitle: 示例\nkind: agreement\nversion: "{version}"\n{note}---\n'
    return head + f"\n{{#general}}\n## 一、总则\n\n{{#target{tag}}}\n1.1 {text}\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old=st.sampled_from(OLD_TEXTS), edit=EDITS, tag=TAGS, reason=st.text("文字调整笔误更正仅语序措辞标点不影响权利义务 ,.;:#-", min_size=1, max_size=12).filter(str.strip))
def test_no_note_without_approver_changes_the_verdict_of_a_hard_flagged_change(
    old: str, edit: tuple[str, str], tag: str, reason: str
) -> None:
    new = old.replace(*edit, 1)
    note = f"change_notes:\n  - clause: target\n    class: editorial\n    reason: {json.dumps(reason, ensure_ascii=False)}\n"
    base = parse_agreement(_doc("1.0", old, tag, ""), "agreements/demo.md").agreement
    plain = parse_agreement(_doc("1.1", new, tag, ""), "agreements/demo.md").agreement
    noted = parse_agreement(_doc("1.1", new, tag, note), "agreements/demo.md").agreement
    assert base is not None and plain is not None and noted is not None
    without = {c.clause: c for c in diff_agreements(base, plain).changes}
    with_note = {c.clause: c for c in diff_agreements(base, noted).changes}
    assert without.keys() == with_note.keys()
    for clause, change in without.items():
        if change_hard_flags(change):
            assert with_note[clause].cls == change.cls == "material"


# --- consent found by content (decision record 0406) --------------------------------------------------------

PRIVACY = """---
id: demo
title: 示例隐私政策
kind: policy
version: "{version}"
notice: {{default: {{period: 7日, channels: [site], clause: nature}}}}
{extra}---

{{#general}}
## 一、总则

{{#nature}}
1.1 本政策说明我们如何处理您的个人信息。本政策变更的，我们将提前7日公告。

{{#cookies}}
## 二、Cookie和同类技术

{{#cookie-use}}
2.1 {cookie}
"""
COOKIE = "我们使用Cookie记住您的登录状态。"
AD_COOKIE = "我们使用Cookie记住您的登录状态，并将Cookie信息提供给广告合作伙伴，用于个性化广告推送。"


def privacy(version: str, cookie: str = COOKIE, extra: str = "") -> str:
    return PRIVACY.format(version=version, cookie=cookie, extra=extra)


def privacy_branch(make_repo: Callable[..., Path], text: str) -> Path:
    repo = make_repo({A: privacy("1.0")}, "首次发布")
    git(repo, "checkout", "-q", "-b", "change")
    (repo / A).write_text(text, encoding="utf-8")
    return repo


def test_advertising_partner_in_the_cookies_section_needs_separate_consent(make_repo: Callable[..., Path]) -> None:
    # The attack: no tag, no consent rule names the section; the gate used to pass it with 7 days' notice.
    repo = privacy_branch(make_repo, privacy("2.0", AD_COOKIE, dates("2026-03-02", "2026-03-10")))
    code, out = check(repo)
    assert code == 1, out
    line = next(x for x in out.splitlines() if "KS452 条款 cookie-use" in x)
    assert "新的接收方（向其他个人信息处理者提供）：“提供给”、“合作伙伴”" in line
    assert "新的处理目的或处理方式" in line and "“广告”" in line
    assert "依个人信息保护法第十四条" in line and "依个人信息保护法第二十三条" in line and "单独同意" in line
    assert 'consent: {version: "2.0", method: popup, separate: true' in out


def test_consent_plan_for_this_version_passes_and_is_stated(make_repo: Callable[..., Path]) -> None:
    plan = 'consent: {version: "2.0", method: popup, separate: true, where: 首次打开控制台时单独弹窗, clauses: [cookie-use]}\n'
    repo = privacy_branch(make_repo, privacy("2.0", AD_COOKIE, dates("2026-03-02", "2026-03-10") + plan))
    code, out = check(repo)
    assert code == 0, out
    assert "同意安排为以弹窗取得同意（单独同意），首次打开控制台时单独弹窗" in out


@pytest.mark.parametrize(
    ("plan", "problem"),
    [
        ('consent: {version: "2.0", method: popup, where: 弹窗, clauses: [cookie-use]}\n', "没有写 separate: true"),
        ('consent: {version: "1.0", method: popup, separate: true, where: 弹窗, clauses: [cookie-use]}\n',
         "属于版本 1.0，不是本版本 2.0"),
        ('consent: {version: "2.0", method: popup, separate: true, where: 弹窗, clauses: [nature]}\n',
         "没有列出 cookie-use"),
    ],
)
def test_a_plan_that_does_not_answer_the_change_fails(make_repo: Callable[..., Path], plan: str, problem: str) -> None:
    repo = privacy_branch(make_repo, privacy("2.0", AD_COOKIE, dates("2026-03-02", "2026-03-10") + plan))
    code, out = check(repo)
    assert code == 1, out
    assert problem in out


def test_a_person_may_record_that_no_consent_is_needed(make_repo: Callable[..., Path]) -> None:
    plan = ('consent: {version: "2.0", method: none, reason: 合作伙伴仅接收匿名化统计结果, approved_by: 数据保护官, '
            "clauses: [cookie-use]}\n")
    repo = privacy_branch(make_repo, privacy("2.0", AD_COOKIE, dates("2026-03-02", "2026-03-10") + plan))
    code, found = findings(repo)
    assert code == 0
    stated = [f for f in found if f["code"] == "KS453"]
    assert stated and stated[0]["severity"] == "warning" and "经 数据保护官 认定无需取得同意" in str(stated[0]["message"])


def test_malformed_consent_plan_is_a_lint_error(tmp_path: Path) -> None:
    (tmp_path / "agreements").mkdir()
    plan = "consent: {version: \"1.0\", method: banner, clauses: [nowhere]}\n"
    (tmp_path / A).write_text(privacy("1.0", extra=plan), encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "KS141 同意安排（consent）写法有误：consent.method 应为 popup" in result.stdout
    assert "consent.clauses 中的条款 ID “nowhere” 不存在" in result.stdout


class _Change:
    def __init__(self, old: str, new: str, tags: tuple[str, ...] = ()) -> None:
        self.clause, self.kind, self.old_text, self.new_text = "c", "modified", old, new
        self.new_ids, self.new_number, self.new_line, self.line, self.tags = ("c",), "1.1", 3, 3, tags


@pytest.mark.parametrize(
    ("new", "articles", "separate"),
    [
        ("我们收集您的手机号码，并将其提供给第三方。", (23,), True),
        ("我们收集您的手机号码和人脸信息。", (14, 29, 30), True),
        ("我们收集您的手机号码，不满十四周岁的用户须由监护人同意。", (14, 29, 30, 31), True),
        ("我们收集您的手机号码，并存储于境外服务器。", (39,), True),
        ("我们收集您的手机号码，并公开披露您的昵称信息。", (25,), True),
        ("我们收集您的手机号码，用于营销推广。", (14,), False),
        ("我们收集您的手机号码，并委托服务商处理。", (21,), False),
    ],
)
def test_each_term_cites_its_article(new: str, articles: tuple[int, ...], separate: bool) -> None:
    (flag,) = detect([_Change("我们收集您的手机号码。", new)])
    assert flag.articles == articles and flag.separate is separate
    assert flag.needs_consent is (articles != (21,))


def test_terms_outside_personal_information_sentences_are_not_counted() -> None:
    assert term_counts("我们与合作伙伴共同提供云服务。") == {}
    assert term_counts("我们与合作伙伴共同提供云服务。", about_personal_information=True)["合作伙伴"] == 1
    assert detect([_Change("我们收集您的手机号码并提供给第三方。", "我们收集您的手机号码，并提供给第三方。")]) == []


# --- what a published text may never do --------------------------------------------------------------------


def test_deleting_a_published_clause_without_retiring_it_fails(make_repo: Callable[..., Path]) -> None:
    text = agreement("2.0", extra=dates("2026-03-02", "2026-03-20")).replace(f"{{#purposes tags=\"personal-information\"}}\n1.3 {PURPOSE}\n", "")
    repo = branch_with(make_repo, text)
    code, out = check(repo)
    assert code == 1, out
    assert "KS454 删除了已发布的条款 purposes（1.3）（1.0 版第" in out
    fixed = text.replace('version: "2.0"\n', 'version: "2.0"\nretired: [purposes]\n')
    (repo / A).write_text(fixed, encoding="utf-8")
    code, out = check(repo)
    assert code == 0, out


def test_an_id_of_any_released_version_cannot_carry_other_text(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0")}, "1.0")
    gone = agreement("2.0", extra=dates("2026-03-01", "2026-03-20") + "retired: [purposes]\n").replace(
        f"{{#purposes tags=\"personal-information\"}}\n1.3 {PURPOSE}\n", "")
    make_repo({A: gone}, "2.0：删除 1.3")
    git(repo, "checkout", "-q", "-b", "change")
    # The attack: take purposes out of retired and give it to a new clause (no retired entry to trip KS204).
    reused = agreement("3.0", purpose="我们不会向任何人出售您的信息。", extra=dates("2026-03-02", "2026-04-20"))
    (repo / A).write_text(reused, encoding="utf-8")
    code, out = check(repo)
    assert code == 1, out
    assert "KS455 条款 ID “purposes” 在已发布的版本 1.0 中用于另一段文字（“我们收集您的手机号码，用于账号注册。”）" in out
    # restoring the released clause exactly as it was is not a reuse
    (repo / A).write_text(agreement("3.0", extra=dates("2026-03-02", "2026-04-20")), encoding="utf-8")
    code, out = check(repo)
    assert "KS455" not in out, out


def test_two_siblings_printed_with_one_number_fail(make_repo: Callable[..., Path]) -> None:
    text = agreement("2.0", extra=dates("2026-03-02", "2026-03-20")).replace("1.3 我们", "1.2 我们")
    repo = branch_with(make_repo, text)
    code, out = check(repo)
    assert code == 1
    assert "KS302 编号 “1.2” 与同级的上一条" in out and "（警告）编号" not in out


@pytest.mark.parametrize("label", ["0.9", "1.0.0", "1", "2.0-beta"])
def test_a_label_that_does_not_increase_fails(make_repo: Callable[..., Path], label: str) -> None:
    repo = branch_with(make_repo, agreement(label, fee=FEE.replace("通知您", "书面通知您"),
                                            extra=dates("2026-03-02", "2026-03-20")))
    code, out = check(repo)
    assert code == 1, out
    assert "KS456 版本号" in out


@pytest.mark.parametrize(("old", "new", "after"), [
    ("1.0", "1.1", True), ("1.9", "1.10", True), ("1.10", "1.9", False), ("1.0", "1", False), ("1.0", "2026.1", True),
    ("2026.1", "2.0", False), ("2026.1", "2026.2", True), ("2026.2", "2027.1", True), ("2022-07-05", "2026.1", True),
    ("2026-03-01", "2026-02-28", False), ("2026.1", "2026-03-01", False),
])  # fmt: skip
def test_label_schemes(old: str, new: str, after: bool) -> None:
    assert follows(new, old) is after
    assert (label_problem(new, [old]) is None) is after


def test_a_label_of_no_scheme_cannot_follow_anything() -> None:
    assert label_problem("v2", ["1.0"]) is not None and "不符合任何版本号方案" in str(label_problem("v2", ["1.0"]))
    assert follows("1.1", "v1") is None  # an old label of no scheme: nothing to compare with


def test_a_new_agreement_without_default_notice_fails(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0")}, "首次发布")
    git(repo, "checkout", "-q", "-b", "change")
    (repo / "agreements" / "extra.md").write_text(
        '---\nid: extra\ntitle: 新协议\nkind: agreement\nversion: "1.0"\nannounced: 2026-03-02\neffective: 2026-03-02\n---\n'
        "\n{#scope}\n1.1 本协议适用于全部服务。\n", encoding="utf-8")  # fmt: skip
    code, out = check(repo)
    assert code == 1
    assert "agreements/extra.md:5: KS140 头信息没有默认通知规则 notice.default" in out


def test_a_year_file_with_only_new_year_fails_the_gate(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("通知您", "书面通知您"),
                                            extra=dates("2026-03-02", "2026-03-20")))
    (repo / "calendar").mkdir()
    (repo / "calendar" / "2027.yaml").write_text(
        "year: 2027\nnotice: 国务院办公厅关于2027年部分节假日安排的通知\nholidays:\n  - name: 元旦\n    rest: 2027-01-01\n",
        encoding="utf-8")  # fmt: skip
    release_all(repo)
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-03-02"])
    assert result.exit_code == 1
    out = result.stdout + result.stderr
    assert "calendar/2027.yaml" in out and "KS602" in out and "缺少春节、清明节、劳动节、端午节、中秋节、国庆节的放假安排" in out


def test_the_repository_still_lints_clean() -> None:
    root = Path(__file__).resolve().parent.parent
    result = CliRunner().invoke(main, ["lint", "--root", str(root)])
    assert result.exit_code == 0, result.stdout


def test_notice_block_of_the_check_fixture_is_intact() -> None:
    assert "default:" in NOTICE  # the shared fixture keeps its default rule (KS140)


def test_the_summary_table_shows_overrides(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("1.1", fee=SHORTER_FEE, extra=dates("2026-03-02", "2026-03-02") + BARE_NOTE))
    release_all(repo)
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-03-02",
                                       "--format", "markdown"])  # fmt: skip
    assert "| 人工降为编辑性 | ⚠️ 已批准 0 处；未写批准人、仍按实质性 1 处 |" in result.stdout


def test_the_summary_table_states_the_consent_plan(make_repo: Callable[..., Path]) -> None:
    plan = 'consent: {version: "2.0", method: popup, separate: true, where: 弹窗, clauses: [cookie-use]}\n'
    repo2 = privacy_branch(make_repo, privacy("2.0", AD_COOKIE, dates("2026-03-02", "2026-03-10") + plan))
    release_all(repo2)
    result = CliRunner().invoke(main, ["check", "--root", str(repo2), "--base", "main", "--today", "2026-03-02",
                                       "--format", "markdown"])  # fmt: skip
    assert "| 同意安排 | 已写明（1 处个人信息变更） |" in result.stdout


def test_the_summary_table_says_consent_is_needed_when_only_the_text_shows_it(make_repo: Callable[..., Path]) -> None:
    # no consent rule in the policy's notice block: the text alone makes the change consent-gated, and the
    # table must not say 否 beside a missing plan
    repo = privacy_branch(make_repo, privacy("2.0", AD_COOKIE, dates("2026-03-02", "2026-03-10")))
    release_all(repo)
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-03-02",
                                       "--format", "markdown"])  # fmt: skip
    table = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert "| 须重新取得同意 | 是（依条款内容） |" in table
    assert "| 同意安排 | ❌ 缺少或不足（1 处个人信息变更） |" in table
    assert sum(1 for line in table if line.startswith("| 须重新取得同意 |")) == 1


def test_entrusted_processing_is_its_own_row_and_not_a_consent_plan(make_repo: Callable[..., Path]) -> None:
    entrusted = COOKIE + "我们可能委托服务商处理Cookie信息。"
    repo = privacy_branch(make_repo, privacy("2.0", entrusted, dates("2026-03-02", "2026-03-10")))
    release_all(repo)
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-03-02",
                                       "--format", "markdown"])  # fmt: skip
    assert result.exit_code == 0, result.stdout
    assert "| 委托处理 | 1 处：请确认已与受托方签订委托处理协议 |" in result.stdout
    assert "| 同意安排 |" not in result.stdout


# --- both halves of issue 10 together: overrides and the rules bound to their clauses -----------------------


def test_an_approved_override_of_the_clause_a_rule_rests_on_carries_the_rule_with_it(make_repo: Callable[..., Path]) -> None:
    # The fee rule is bound to clause 1.2 (KS131), so correcting 1.2 from 10 to 5 days lowers the rule too. The
    # clause did change, on the record (KS451): the rule follows it (KS445), it is not a rule lowered alone (KS441).
    note = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 更正笔误（原文应为5个自然日）, approved_by: 法务总监}\n"
    repo = branch_with(make_repo, agreement("1.1", fee=SHORTER_FEE, extra=dates("2026-03-02", "2026-03-02") + note))
    code, found = findings(repo)
    assert code == 0
    assert "KS441" not in codes(found) and "KS441" not in codes(found, "info")
    (carried,) = (f for f in found if f["code"] == "KS445")
    assert carried["severity"] == "info" and "已由批准人降为编辑性修改" in str(carried["message"])
    assert {"KS440", "KS451"} <= {str(f["code"]) for f in found}


def test_a_bare_reason_does_not_carry_a_lowered_rule(make_repo: Callable[..., Path]) -> None:
    # the same correction without an approver stays material: the rule change is judged under the old rule
    repo = branch_with(make_repo, agreement("1.1", fee=SHORTER_FEE, extra=dates("2026-03-02", "2026-03-13") + BARE_NOTE))
    code, found = findings(repo)
    assert code == 1
    assert codes(found) == ["KS450"]
    assert "KS445" in codes(found, "info") and "KS441" not in codes(found)
