"""End-to-end pull-request simulations: `kspub check` in temporary git repositories."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from kspub.cli import main

from .conftest import demo_text, git, release_all

A = "agreements/demo.md"

NOTICE = """notice:
  default:
    period: 7日
    channels: [site]
    clause: nature
  rules:
    - tags: [fees]
      period: {fee_period}
      channels: [site, email]
      clause: fee-notice
    - tags: [personal-information]
      consent: true
      basis: 个人信息保护法第十四条
"""

BODY = """
{{#general}}
## 一、总则

{{#nature}}
1.1 本协议是您与金山云之间的有效契约。本协议变更的，金山云将提前7日公告。

{{#fee-notice tags="fees"}}
1.2 {fee}

{{#purposes tags="personal-information"}}
1.3 {purpose}
"""

FEE = "免费服务转为收费前，金山云将提前10个自然日通知您。"
PURPOSE = "我们收集您的手机号码，用于账号注册。"


def agreement(version: str, *, fee: str = FEE, purpose: str = PURPOSE, extra: str = "") -> str:
    """The demo agreement; the fee rule states the period the fee clause writes, as an editor keeps them bound."""
    from kspub.law.notice_lint import text_periods

    periods = text_periods(fee)
    notice = NOTICE.format(fee_period=periods[0].display if periods else "10个自然日")
    head = f'---\nid: demo\ntitle: 示例协议\nkind: agreement\nversion: "{version}"\n{extra}{notice}---\n'
    return head + BODY.format(fee=fee, purpose=purpose)


def check(repo: Path, *extra: str, release: bool = True) -> tuple[int, str]:
    if release:
        release_all(repo)
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-03-02", *extra])
    return result.exit_code, result.stdout


def branch_with(make_repo: Callable[..., Path], text: str) -> Path:
    repo = make_repo({A: agreement("1.0")}, "首次发布")
    git(repo, "checkout", "-q", "-b", "change")
    (repo / A).write_text(text, encoding="utf-8")
    return repo


def dates(announced: str, effective: str, summary: str = "调整条款。") -> str:
    return f"announced: {announced}\neffective: {effective}\nsummary: {summary}\n"


def test_lawful_change_passes(make_repo: Callable[..., Path]) -> None:
    # 7日 from 2026-03-02: L = 03-09 (Mon), E = 03-10
    repo = branch_with(make_repo, agreement("2.0", purpose=PURPOSE, fee=FEE.replace("通知您", "书面通知您"),
                                            extra=dates("2026-03-02", "2026-03-13")))
    code, out = check(repo)
    assert code == 0, out
    assert "检查通过：可以合并。" in out
    assert "最早生效日为 2026-03-13" in out  # the fee rule (10个自然日: L 03-12, E 03-13) governs


def test_effective_one_day_too_early_fails_and_names_the_date(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("通知您", "书面通知您"),
                                            extra=dates("2026-03-02", "2026-03-12")))
    code, out = check(repo)
    assert code == 1
    assert "KS414 生效日期 2026-03-12 早于最早合法生效日 2026-03-13：依 本协议第1.2条" in out
    assert "须提前10个自然日通知" in out


def test_fee_change_needs_its_ten_natural_days(make_repo: Callable[..., Path]) -> None:
    # announced Mon 2026-04-20: the default 7日 gives E 04-28, the fee rule's 10个自然日 gives L 04-30, E 05-01
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("通知您", "书面通知您"),
                                            extra=dates("2026-04-20", "2026-04-30")))
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-04-20",
                                       "--format", "json"])  # fmt: skip
    assert result.exit_code == 1
    (a,) = json.loads(result.stdout)["agreements"]
    assert a["notice"]["earliest_effective_date"] == "2026-05-01"
    assert a["notice"]["governing_rule"] == "本协议第1.2条"
    assert [f["code"] for f in a["findings"] if f["severity"] == "error"] == ["KS414"]


def test_holiday_roll_applies_in_the_check(make_repo: Callable[..., Path]) -> None:
    # announced 2026-09-25 (中秋): 10个自然日 → raw L 10-05 lies in the 国庆 block, rolls to 10-08; E = 10-09
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("通知您", "书面通知您"),
                                            extra=dates("2026-09-25", "2026-10-09")))
    release_all(repo)
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-09-25"])
    assert result.exit_code == 0, result.stdout
    assert "最早生效日为 2026-10-09" in result.stdout


def test_privacy_purpose_change_requires_consent(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("2.0", purpose="我们收集您的手机号码，用于账号注册和营销推广。",
                                            extra=dates("2026-03-02", "2026-03-20")))
    code, out = check(repo)
    assert code == 1, out  # a consent-gated change without a consent plan fails (decision record 0406)
    assert "KS416 （警告）须重新取得用户同意（purposes）" in out
    assert "KS452 条款 purposes（1.3）新增新的处理目的或处理方式" in out
    plan = 'consent: {version: "2.0", method: popup, where: 登录后弹窗, clauses: [purposes]}\n'
    (repo / A).write_text(agreement("2.0", purpose="我们收集您的手机号码，用于账号注册和营销推广。",
                                    extra=dates("2026-03-02", "2026-03-20") + plan), encoding="utf-8")
    code, out = check(repo)
    assert code == 0, out
    assert "同意安排为以弹窗取得同意，登录后弹窗" in out
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-03-02",
                                       "--format", "json"])  # fmt: skip
    (a,) = json.loads(result.stdout)["agreements"]
    assert a["notice"]["consent_required"] is True and a["notice"]["consent_clauses"] == ["purposes"]


def test_punctuation_only_edit_passes_without_notice(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("1.1", fee=FEE.replace("，", ","), extra="announced: 2026-03-02\neffective: 2026-03-02\n"))
    code, out = check(repo)
    assert code == 0, out
    assert "其中实质性 0 处" in out
    assert "最早合法生效日" not in out


def test_edit_to_announced_version_fails(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-20\n")})
    git(repo, "checkout", "-q", "-b", "change")
    (repo / A).write_text(agreement("1.0", fee=FEE.replace("10", "5"), extra="announced: 2026-01-05\neffective: 2026-01-20\n"),
                          encoding="utf-8")  # fmt: skip
    code, out = check(repo)
    assert code == 1
    assert "KS410 修改了版本 1.0 的正文却没有更换版本号" in out


def test_recorded_correction_of_a_typo_passes(make_repo: Callable[..., Path]) -> None:
    base = "announced: 2026-01-05\neffective: 2026-01-20\n"
    repo = make_repo({A: agreement("1.0", extra=base)})
    git(repo, "checkout", "-q", "-b", "change")
    fixed = agreement("1.0", fee=FEE.replace("，", ","),
                      extra=base + "corrections:\n  - date: 2026-03-02\n    reason: 更正标点\n")  # fmt: skip
    (repo / A).write_text(fixed, encoding="utf-8")
    code, out = check(repo)
    assert code == 0, out
    assert "KS423" in out


def test_missing_dates_and_summary_fail(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("通知您", "书面通知您")))
    code, out = check(repo)
    assert code == 1
    assert "KS412 新版本 2.0 缺少公告日期 announced" in out
    assert "KS413 新版本 2.0 缺少生效日期 effective" in out
    assert "KS415 本次有 1 处实质性变更，但没有变更说明" in out


def test_lint_error_fails_the_check(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("2.0").replace("{#nature}", "{#Nature}"))
    code, out = check(repo)
    assert code == 1 and "KS202" in out


def test_markdown_and_github_formats(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("10", "5"), extra=dates("2026-03-02", "2026-03-05")))
    code, md = check(repo, "--format", "markdown")
    assert code == 1
    assert md.startswith("# 协议变更检查报告")
    assert "| 最早合法生效日 | 2026-03-13 |" in md
    assert "<del>10</del><ins>5</ins>" in md
    code, gh = check(repo, "--format", "github")
    assert "::error file=agreements/demo.md,line=" in gh and "title=KS414::" in gh


def test_a_finding_of_no_file_is_printed_without_a_location() -> None:
    """A shallow clone (KS801) concerns the repository, not a file: no empty location in any format."""
    from datetime import date

    from kspub.check import CheckReport
    from kspub.check_report import render_github, render_markdown, render_text
    from kspub.errors import Diagnostic

    report = CheckReport("origin/main", date(2026, 3, 2), (), (), None, (Diagnostic("KS801", "当前是浅克隆（请运行 git fetch --unshallow）", ""),))
    assert "\n  KS801 当前是浅克隆（请运行 git fetch --unshallow）\n" in render_text(report)
    assert "- ❌ KS801 当前是浅克隆" in render_markdown(report)
    assert "::error title=KS801::当前是浅克隆" in render_github(report)
    assert Diagnostic("KS801", "x", "").format() == "KS801 x" and Diagnostic("KS001", "x", "a.md").format() == "a.md: KS001 x"


def test_sla_commitment_change_needs_new_version_and_date(make_repo: Callable[..., Path]) -> None:
    sla = "title: SLA\ncategories:\n  - id: compute\n    title: 计算\n    entries:\n      - id: ecs\n        title: 云服务器\n        availability: 99.95%\n        version: '1'\n        effective: 2026-01-01\n"
    repo = make_repo({A: agreement("1.0"), "sla/catalogue.yaml": sla})
    git(repo, "checkout", "-q", "-b", "change")
    (repo / "sla/catalogue.yaml").write_text(sla.replace("99.95%", "99.9%"), encoding="utf-8")
    code, out = check(repo)
    assert code == 1
    assert "KS431" in out and "99.95% → 99.9%" in out


# --- the release record in the gate ----------------------------------------------------------------------------

RECORD = "agreements/releases/demo.yaml"


def test_text_not_released_fails_and_names_the_command(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("10", "15"), extra=dates("2026-03-02", "2026-03-20")))
    code, out = check(repo, release=False)
    assert code == 1
    assert "KS815 协议 demo 的版本 2.0 没有登记：请运行 kspub release demo" in out


def test_a_released_entry_edited_by_hand_fails(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-20\n")})
    git(repo, "checkout", "-q", "-b", "change")
    record = (repo / RECORD).read_text("utf-8")
    (repo / RECORD).write_text(record.replace("effective: '2026-01-20'", "effective: '2026-01-10'"), "utf-8")
    code, out = check(repo, release=False)
    assert code == 1
    assert "KS817 发布记录只能追加：修改了已记录的版本 1.0 的 effective" in out


def test_deleting_the_record_fails(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0")})
    git(repo, "checkout", "-q", "-b", "change")
    (repo / RECORD).unlink()
    code, out = check(repo, release=False)
    assert code == 1
    assert "KS817 发布记录只能追加：删除了协议 demo 的发布记录" in out


def test_front_matter_dates_must_match_the_record(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-20\n")})
    git(repo, "checkout", "-q", "-b", "change")
    (repo / A).write_text(agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-10\n"), "utf-8")
    code, out = check(repo, release=False)
    assert code == 1
    assert "KS816 头信息中的 effective（2026-01-10）与发布记录中版本 1.0 的（2026-01-20）不一致" in out


def test_a_hand_written_earlier_postponement_fails(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-20\n")})
    git(repo, "checkout", "-q", "-b", "change")
    record = (repo / RECORD).read_text("utf-8")
    event = "  events:\n  - event: postponement\n    date: '2026-01-06'\n    reason: 提前\n    effective: '2026-01-10'\n"
    (repo / RECORD).write_text(record + event, "utf-8")
    (repo / A).write_text(agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-10\n"), "utf-8")
    code, out = check(repo, release=False)
    assert code == 1
    assert "KS818 版本 1.0 的推迟生效事件把生效日期由 2026-01-20 改为 2026-01-10" in out


def test_release_then_review_fix_in_two_commits_passes(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0")})
    git(repo, "checkout", "-q", "-b", "change")
    # the new fee clause promises 20 natural days: L 03-22 (Sun) rolls to 03-23, E 03-24 under the new rule
    make_repo({A: agreement("2.0", fee=FEE.replace("10", "15"), extra=dates("2026-03-02", "2026-03-24"))}, "发布 2.0")
    make_repo({A: agreement("2.0", fee=FEE.replace("10", "20"), extra=dates("2026-03-02", "2026-03-24"))}, "评审修改")
    code, out = check(repo, release=False)
    assert code == 0, out
    git(repo, "checkout", "-q", "main")
    base = git(repo, "rev-parse", "HEAD").strip()
    for merge in (["merge", "-q", "--ff-only", "change"], ["merge", "-q", "--no-ff", "-m", "合并", "change"],
                  ["merge", "-q", "--squash", "change"]):  # fmt: skip
        git(repo, "reset", "-q", "--hard", base)
        git(repo, *merge)
        if "--squash" in merge:
            git(repo, "commit", "-q", "-m", "squash")
        code, out = check(repo, "--base", base, release=False)
        assert code == 0 and "KS8" not in out, (merge, out)
        code, out = check(repo, "--base", "HEAD", release=False)  # after the merge: main agrees with itself
        assert code == 0, (merge, out)


def test_withdrawal_of_an_agreement_passes_and_a_silent_deletion_fails(make_repo: Callable[..., Path]) -> None:
    from kspub.release import release

    from .conftest import RECORDED

    repo = make_repo({A: agreement("1.0")})
    git(repo, "checkout", "-q", "-b", "change")
    (repo / A).unlink()
    code, out = check(repo, release=False)
    assert code == 1 and "KS421" in out and "--withdraw" in out
    release(repo, "demo", today=RECORDED, withdraw=True, reason="产品下线")
    code, out = check(repo, release=False)
    assert code == 0, out
    assert "KS427" in out


def test_effective_date_before_an_earlier_version_is_refused(make_repo: Callable[..., Path]) -> None:
    # 1.0 takes effect on 06-01; a 2.0 effective on 04-01 would make "the last version whose date has come"
    # answer 2.0 in April and 2.0 again in June, never 1.0 — the history would be ambiguous (KS429)
    repo = make_repo({A: agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-06-01\n")}, "首次发布")
    git(repo, "checkout", "-q", "-b", "change")
    (repo / A).write_text(agreement("2.0", fee=FEE.replace("通知您", "书面通知您"),
                                    extra=dates("2026-03-02", "2026-04-01")), encoding="utf-8")  # fmt: skip
    code, out = check(repo)
    assert code == 1, out
    assert "KS429 新版本 2.0 的生效日期 2026-04-01 早于已发布的版本 1.0（2026-06-01 生效）" in out


def test_unchecked_are_the_broken_files_changed_between_base_and_the_given_head(
    make_repo: Callable[..., Path],
) -> None:
    """With a head given, the files the gate could not compare are those changed between base and that head and
    broken — not those the working tree changes beside it, nor those changed but sound."""
    from kspub.check import _unchecked

    names = ("agreements/a.md", "agreements/b.md", "agreements/c.md")
    repo = make_repo({n: demo_text().replace("id: demo", f"id: {Path(n).stem}") for n in names}, release=False)
    git(repo, "tag", "base")
    make_repo({n: demo_text("2.0").replace("id: demo", f"id: {Path(n).stem}") for n in names[::2]}, release=False)
    (repo / names[1]).write_text("changed only in the working tree\n", encoding="utf-8")
    broken = frozenset(names[:2])
    assert _unchecked(repo, "base", "HEAD", broken) == ("agreements/a.md",)
    assert _unchecked(repo, "base", None, broken) == ("agreements/a.md", "agreements/b.md")
    assert _unchecked(repo, "base", "HEAD", frozenset()) == ()


def test_head_is_judged_as_committed_there_never_from_the_working_tree(make_repo: Callable[..., Path]) -> None:
    """`kspub check --head change` says what checking out change and running `kspub check` says — whatever the
    working tree holds: another branch's text, an unreleased edit, a broken file, an edited release record, a
    calendar year of its own."""
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("10", "15"), extra=dates("2026-03-02", "2026-03-20")))
    release_all(repo)
    (repo / "agreements" / "broken.md").write_text("---\nid: broken\n", encoding="utf-8")  # committed, cannot be compared
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "发布 2.0")
    judged = {}
    for fmt in ("text", "json"):
        judged[fmt] = on_change = check(repo, "--format", fmt, release=False)
        git(repo, "checkout", "-q", "main")
        (repo / A).write_text(agreement("1.0", fee=FEE.replace("10", "5")), encoding="utf-8")  # edited, not released
        (repo / "agreements" / "draft.md").write_text("没有头信息的草稿\n", encoding="utf-8")  # broken, untracked
        record = repo / "agreements" / "releases" / "demo.yaml"
        record.write_text(record.read_text(encoding="utf-8").replace("summary: ''", "summary: 改过"), encoding="utf-8")
        (repo / "calendar").mkdir()
        (repo / "calendar" / "2026.yaml").write_text("year: [\n", encoding="utf-8")  # a year file that does not read
        assert check(repo, "--head", "change", "--format", fmt, release=False) == on_change
        git(repo, "checkout", "-q", "--", ".")
        git(repo, "clean", "-q", "-fd")
        git(repo, "checkout", "-q", "change")
    code, out = judged["text"]
    assert code == 1 and "1.0 → 2.0" in out and "draft.md" not in out, out
    data = json.loads(judged["json"][1])
    assert (data["base"], data["today"]) == ("main", "2026-03-02")  # what it was compared with, and when
    assert data["unchecked"] == ["agreements/broken.md"] and data["history"] == []
    assert [d["code"] for d in data["lint"]] == ["KS102"] and data["agreements"][0]["ok"] is True


def test_head_that_names_no_commit_is_refused_in_chinese(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0")}, "首次发布")
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--head", "nowhere",
                                       "--today", "2026-03-02"])  # fmt: skip
    assert result.exit_code == 1 and "KS804" in result.output and "nowhere" in result.output
    assert "Traceback" not in result.output


def test_a_record_that_does_not_read_is_the_one_history_finding(make_repo: Callable[..., Path]) -> None:
    """A release record that is not readable YAML is said once, at its line, and nothing more is judged of it:
    the record cannot be compared with the base."""
    from datetime import date

    from kspub.check import run_check

    repo = make_repo({A: agreement("1.0")}, "首次发布")
    (repo / "agreements" / "releases" / "demo.yaml").write_text("versions: [\n", encoding="utf-8")
    report = run_check(repo, "main", today=date(2026, 3, 2))
    assert [(d.code, d.path, d.line) for d in report.history] == [("KS810", "agreements/releases/demo.yaml", 1)]
    assert not report.ok


def _history(repo: Path) -> list[tuple[str, str, int | None]]:
    from datetime import date

    from kspub.check import run_check

    return [(d.code, d.path, d.line) for d in run_check(repo, "main", today=date(2026, 3, 2)).history]


def test_events_merged_before_are_history_and_never_judged_again(make_repo: Callable[..., Path]) -> None:
    """An event already on the base is not the pull request's to answer for, even one the rules would refuse
    now (a postponement that moves the date earlier, merged before the gate ran): only what is appended is judged."""
    repo = make_repo({A: agreement("1.0", extra="announced: 2026-03-02\neffective: 2026-04-15\n")}, "首次发布")
    record = repo / "agreements" / "releases" / "demo.yaml"
    event = "  events:\n  - event: postponement\n    date: '2026-03-02'\n    reason: 提前\n    effective: '2026-04-01'\n"
    make_repo({"agreements/releases/demo.yaml": record.read_text(encoding="utf-8") + event,
               A: agreement("1.0", extra="announced: 2026-03-02\neffective: 2026-04-01\n")}, "手工提交", release=False)  # fmt: skip
    assert _history(repo) == []
    git(repo, "checkout", "-q", "-b", "change")
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    record.write_text(record.read_text(encoding="utf-8") + event, encoding="utf-8")
    (repo / A).write_text(agreement("1.0", extra="announced: 2026-03-02\neffective: 2026-04-01\n"), encoding="utf-8")
    git(repo, "checkout", "-q", "-B", "main", "HEAD")  # the same event, appended by this change: judged
    line = next(i for i, text in enumerate(record.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("- version:"))
    assert _history(repo) == [("KS818", "agreements/releases/demo.yaml", line)]


def test_every_agreement_is_held_to_its_record_not_only_those_before_the_first_finding(
    make_repo: Callable[..., Path],
) -> None:
    dated = "announced: 2026-01-05\neffective: 2026-01-20\n"
    other = "agreements/other.md"
    repo = make_repo({A: agreement("1.0", extra=dated), other: agreement("1.0", extra=dated).replace("id: demo", "id: other")})
    (repo / A).write_text(agreement("1.0", fee=FEE.replace("10", "15"), extra=dated), encoding="utf-8")  # not released
    edited = agreement("1.0", extra=dated.replace("01-20", "01-25")).replace("id: demo", "id: other")
    (repo / other).write_text(edited, encoding="utf-8")
    effective = next(i for i, text in enumerate(edited.splitlines(), 1) if text.startswith("effective:"))
    version = next(i for i, text in enumerate(edited.splitlines(), 1) if text.startswith("version:"))
    assert _history(repo) == [("KS815", A, version), ("KS816", other, effective)]


def test_a_record_deleted_does_not_end_the_judging_of_the_next(make_repo: Callable[..., Path]) -> None:
    dated = "announced: 2026-01-05\neffective: 2026-01-20\n"
    other = "agreements/other.md"
    repo = make_repo({A: agreement("1.0", extra=dated), other: agreement("1.0", extra=dated).replace("id: demo", "id: other")})
    (repo / "agreements" / "releases" / "demo.yaml").unlink()
    record = repo / "agreements" / "releases" / "other.yaml"
    edited = record.read_text(encoding="utf-8").replace("effective: '2026-01-20'", "effective: '2026-01-10'")
    record.write_text(edited, encoding="utf-8")
    line = next(i for i, text in enumerate(edited.splitlines(), 1) if text.startswith("- version: '1.0'"))
    found = _history(repo)
    assert ("KS817", "agreements/releases/demo.yaml", None) in found
    assert ("KS817", "agreements/releases/other.yaml", line) in found


def test_a_correction_merged_before_is_history_and_never_judged_again(make_repo: Callable[..., Path]) -> None:
    """A correction already on the base — even one that rewrote a clause, committed by hand before the gate ran —
    is not judged again; the same correction appended by the pull request is refused (KS818)."""
    import subprocess

    from kspub.history import legal_text
    from kspub.model import sha256_text
    from kspub.release import release

    from .conftest import RECORDED

    dated = "announced: 2026-01-05\neffective: 2026-01-20\n"
    repo = make_repo({A: agreement("1.0", extra=dated)}, "首次发布")
    fix = dated + "corrections:\n  - date: 2026-03-01\n    reason: 更正标点\n"
    typo = agreement("1.0", fee=FEE.replace("，", ","), extra=fix)
    (repo / A).write_text(typo, encoding="utf-8")
    assert release(repo, "demo", today=RECORDED).action == "correction"
    rewrite = agreement("1.0", fee=FEE.replace("10", "5"), extra=fix)  # what the hand edit put in its place
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input=rewrite.encode(), capture_output=True,
                          check=True).stdout.decode().strip()  # fmt: skip
    record = repo / "agreements" / "releases" / "demo.yaml"
    typo_blob = subprocess.run(["git", "hash-object", "--stdin"], cwd=repo, input=typo.encode(), capture_output=True,
                               check=True).stdout.decode().strip()  # fmt: skip
    edited = record.read_text(encoding="utf-8").replace(typo_blob, blob).replace(
        sha256_text(legal_text(typo)), sha256_text(legal_text(rewrite)))
    assert edited.count(blob) == 1
    git(repo, "checkout", "-q", "-b", "change")
    make_repo({"agreements/releases/demo.yaml": edited, A: rewrite}, "手工勘误", release=False)
    line = next(i for i, text in enumerate(edited.splitlines(), 1) if text.startswith("- version:"))
    assert _history(repo) == [("KS818", "agreements/releases/demo.yaml", line)]  # appended now: judged
    git(repo, "checkout", "-q", "-B", "main", "change")
    assert _history(repo) == []  # merged: history


def test_a_date_written_on_one_side_only_is_said_to_be_missing_on_the_other(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0", extra="announced: 2026-01-05\n")}, "首次发布")  # released without effective
    text = agreement("1.0", extra="effective: 2026-01-20\n")  # announced dropped, effective added
    (repo / A).write_text(text, encoding="utf-8")
    from datetime import date

    from kspub.check import run_check

    found = [(d.code, d.message, d.line) for d in run_check(repo, "main", today=date(2026, 3, 2)).history]
    version = next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("version:"))
    effective = next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("effective:"))
    assert found == [
        ("KS816", "头信息中的 announced（未写）与发布记录中版本 1.0 的（2026-01-05）不一致：请运行 kspub release demo", version),
        ("KS816", "头信息中的 effective（2026-01-20）与发布记录中版本 1.0 的（未写）不一致：请运行 kspub release demo"
                  "（推迟生效请加 --reason 说明原因）", effective),
    ]  # fmt: skip


def test_an_agreement_renamed_and_rewritten_is_judged_against_its_predecessor(make_repo: Callable[..., Path]) -> None:
    """Renamed and rewritten in one pull request, so far that git no longer pairs the two files: the new file is
    still judged against the version of its predecessor customers have, not waved through as a new agreement."""
    from datetime import date

    from kspub.check import run_check
    from kspub.release import release
    from kspub.repository import changed_agreement_paths

    repo = make_repo({A: agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-20\n")}, "首次发布")
    (repo / A).unlink()
    added = "".join(f"\n{{#service-{n}}}\n1.{n} 您使用代码为 S{n} 的云服务时，应当遵守该服务页面的说明，并按约定支付服务费用。\n"
                    for n in range(4, 30))  # fmt: skip
    text = agreement("2.0", fee=FEE.replace("10", "15"), extra=dates("2026-03-02", "2026-03-20")) + added
    renamed = "agreements/cloud.md"
    (repo / renamed).write_text(text.replace("id: demo", "id: cloud"), encoding="utf-8")
    release(repo, "cloud", today=date(2026, 3, 2), renamed_from="demo", as_is=True)
    assert (None, renamed) in changed_agreement_paths(repo, "main", None)  # git sees an addition, not a rename
    report = run_check(repo, "main", today=date(2026, 3, 2))
    changed = [a.to_dict() for a in report.agreements if a.new_version is not None]  # the other: demo, removed
    assert len(changed) == 1
    data = changed[0]
    assert (data["agreement"], data["from"], data["to"]) == ("cloud", "1.0", "2.0"), data
    assert "KS422" not in [f["code"] for f in data["findings"]]
