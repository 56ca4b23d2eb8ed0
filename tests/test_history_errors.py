"""The timeline when something is wrong or unusual: a release record or a recorded text that cannot be trusted
(each problem named with the record file, the entry's line and what to do), files in the working tree that are
no version, a withdrawn agreement, a historical version that no longer parses, versions asked for that do not
exist. Every test drives a temporary git repository through ``kspub release``, git and the command line."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kspub.cli import main
from kspub.errors import HistoryError, KspubError
from kspub.history import legal_text, read_timeline, read_timelines
from kspub.model import sha256_text
from kspub.release import release

from .conftest import RECORDED, demo_text, git

A = "agreements/demo.md"
RECORD = "agreements/releases/demo.yaml"
FEE_V2 = "免费服务转为收费前，金山云将提前30个自然日通知您。"


def cli(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--root", str(repo)])


def line_of(text: str, prefix: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


def store(repo: Path, data: bytes) -> str:
    """``data`` written into git's object database (as ``kspub release`` stores a text); its blob ID."""
    scratch = repo.parent / "scratch-object"
    scratch.write_bytes(data)
    return git(repo, "hash-object", "-w", "--", str(scratch)).strip()


def rewrite_record(repo: Path, name: str, old: str, new: str) -> str:
    """The record edited by hand (what ``kspub release`` never does) and committed."""
    path = repo / "agreements" / "releases" / f"{name}.yaml"
    text = path.read_text("utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new), "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "手工修改发布记录")
    return path.read_text("utf-8")


# --- drafts: what the working tree adds ------------------------------------------------------------------------


def test_versions_lists_a_draft_as_uncommitted_and_none_when_the_tree_matches_the_record(
    make_repo: Callable[..., Path],
) -> None:
    repo = make_repo({A: demo_text("1.0")})
    clean = cli(repo, "versions", "demo", "--draft")
    assert clean.exit_code == 0, clean.output
    (line,) = clean.stdout.splitlines()  # the working tree is the recorded 1.0: no draft
    assert line.startswith("1.0\t公告 —  生效 —\t") and "\t法务编辑\t" in line and "（草稿）" not in line
    (repo / A).write_text(demo_text("2.0", fee=FEE_V2), encoding="utf-8")
    drafted = cli(repo, "versions", "demo", "--draft")
    assert drafted.exit_code == 0, drafted.output
    first, draft = drafted.stdout.splitlines()
    assert first == line
    sha = sha256_text(legal_text(demo_text("2.0", fee=FEE_V2)))
    assert draft == f"2.0（草稿）\t公告 —  生效 —\t未提交\t\tsha256:{sha[:12]}"


def test_working_tree_files_that_are_no_version_give_no_draft_and_no_error(make_repo: Callable[..., Path]) -> None:
    """Lint reports such files; history never guesses what they meant, and they stop no one's timeline."""
    repo = make_repo({A: demo_text("1.0")})
    agreements = repo / "agreements"
    (agreements / "gbk.md").write_bytes(demo_text("1.0").replace("id: demo", "id: gbk").encode("gbk"))
    (agreements / "bare.md").write_text("# 没有头信息的笔记\n", encoding="utf-8")
    (agreements / "open.md").write_text("---\nid: open\ntitle: 未结束的头信息\n", encoding="utf-8")
    (agreements / "unlabelled.md").write_text(demo_text("").replace("id: demo", "id: unlabelled"), encoding="utf-8")
    os.symlink("loop.md", agreements / "loop.md")  # a link to itself: reading it fails
    (agreements / "fresh.md").write_text(demo_text("0.1").replace("id: demo", "id: fresh"), encoding="utf-8")
    timelines = read_timelines(repo, include_draft=True)
    assert sorted(timelines) == ["demo", "fresh"]  # the readable new file is the only draft
    assert [(v.label, v.draft) for v in timelines["fresh"].versions] == [("0.1", True)]
    assert [(v.label, v.draft) for v in timelines["demo"].versions] == [("1.0", False)]
    result = cli(repo, "versions", "demo", "--draft")
    assert result.exit_code == 0 and result.stdout.startswith("1.0\t"), result.output


# --- versions asked for that do not exist ------------------------------------------------------------------------


def test_an_agreement_without_committed_versions_lists_those_there_are(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    repo = make_repo({A: demo_text("1.0")})
    result = cli(repo, "versions", "nope")
    assert result.exit_code == 1
    assert result.stderr == ("错误：KS805 git 历史中没有协议 “nope” 的任何已提交版本。已有：demo"
                             "（新协议需要先提交；查看未提交的修改请加 --draft）\n")  # fmt: skip
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")  # nothing committed yet: an empty history, not a broken one
    with pytest.raises(KspubError) as info:
        read_timeline(empty, "demo")
    assert info.value.code == "KS805" and info.value.message.endswith("已有：（无）")


# --- the release record cannot be read ---------------------------------------------------------------------------


def test_a_record_not_in_utf8_is_refused_with_its_file(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: demo_text("1.0")})
    record = (repo / RECORD).read_text("utf-8")
    (repo / RECORD).write_bytes(record.encode("gbk"))  # saved by an editor set to GBK
    git(repo, "commit", "-q", "-am", "以 GBK 保存发布记录")
    result = cli(repo, "versions", "demo")
    assert result.exit_code == 1
    assert result.stderr == (f"错误：{RECORD}: KS810 发布记录 {RECORD} 不是 UTF-8 编码"
                             "（发布记录由 kspub release 写入，请勿手工编辑）\n")  # fmt: skip


def test_other_files_beside_the_record_are_not_records(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: demo_text("1.0"), "agreements/releases/README.md": "发布记录目录的说明。\n",
                      "agreements/releases/archive/old.yaml": "不是发布记录\n"})  # fmt: skip
    (v,) = read_timeline(repo, "demo").versions
    assert v.label == "1.0" and v.release is not None and v.release.path == A


def test_a_release_directory_whose_git_object_is_gone_is_an_error_not_an_empty_history(
    make_repo: Callable[..., Path],
) -> None:
    repo = make_repo({A: demo_text("1.0")})
    tree = git(repo, "rev-parse", "HEAD:agreements/releases").strip()
    (repo / ".git" / "objects" / tree[:2] / tree[2:]).unlink()  # a damaged clone
    result = cli(repo, "versions", "demo")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("错误：KS809 无法读取发布记录目录：")
    assert result.stderr.endswith("（请确认仓库完整（git fsck））\n")


# --- a recorded version that cannot be rebuilt -------------------------------------------------------------------


def test_a_recorded_object_that_is_no_agreement_file_names_the_entry(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: demo_text("1.0")})
    blob = git(repo, "rev-parse", f"HEAD:{A}").strip()
    notes = store(repo, "# 会议纪要\n\n没有头信息。\n".encode())
    text = rewrite_record(repo, "demo", blob, notes)
    with pytest.raises(HistoryError) as info:
        read_timelines(repo)
    err = info.value
    assert (err.code, err.path, err.line) == ("KS812", RECORD, line_of(text, "- version: '1.0'"))
    assert err.message == f"发布记录中的版本 demo@1.0 与 git 对象 {notes[:12]} 的内容不符（该对象不是可读的协议文件）"
    assert "请把发布记录恢复为主分支上的内容" in (err.hint or "")


def test_a_recorded_object_under_another_label_is_refused_even_when_the_text_is_the_same(
    make_repo: Callable[..., Path],
) -> None:
    """1.1 was recorded by hand with the blob of 1.0: the legal text is identical, but that object is 1.0."""
    repo = make_repo({A: demo_text("1.0")})
    text = rewrite_record(repo, "demo", "version: '1.0'", "version: '1.1'")
    with pytest.raises(HistoryError) as info:
        read_timelines(repo)
    sha = sha256_text(legal_text(demo_text("1.0")))[:12]
    blob = git(repo, "rev-parse", f"HEAD:{A}").strip()
    assert info.value.code == "KS812" and info.value.line == line_of(text, "- version: '1.1'")
    assert info.value.message == (f"发布记录中的版本 demo@1.1 与 git 对象 {blob[:12]} 的内容不符"
                                  f"（记录的版本号 1.1、文本 sha256 {sha}，对象中为 1.0、{sha}）")  # fmt: skip


def test_a_correction_whose_object_is_missing_is_named_by_its_reason_and_every_problem_is_listed(
    make_repo: Callable[..., Path],
) -> None:
    """Two records broken at once: one error names the first and counts the rest; the command prints each."""
    make_repo({A: demo_text("1.0"), "agreements/other.md": demo_text("1.0").replace("id: demo", "id: other")})
    corrected = demo_text("1.0", fee="免费服务转为收费前,金山云将提前10个自然日通知您。",
                          extra="corrections:\n  - date: 2026-03-01\n    reason: 更正标点\n")  # fmt: skip
    repo = make_repo({A: corrected}, "勘误")
    fixed = git(repo, "rev-parse", f"HEAD:{A}").strip()
    text = rewrite_record(repo, "demo", f"blob: {fixed}", f"blob: {'f' * 40}")
    other_blob = git(repo, "rev-parse", "HEAD:agreements/other.md").strip()
    other = rewrite_record(repo, "other", other_blob, "e" * 40)
    with pytest.raises(HistoryError) as info:
        read_timelines(repo)
    err = info.value
    assert err.code == "KS811" and err.path == RECORD and err.line == line_of(text, "- version: '1.0'")
    assert err.message == ("发布记录中的版本 demo@1.0（勘误 更正标点的文本，git 对象 ffffffffffff）在仓库中找不到，"
                           "无法重建该版本：已发布的版本不能少发布（另有 1 处历史问题）")  # fmt: skip
    assert [(d.code, d.path) for d in err.diagnostics] == [("KS811", RECORD),
                                                           ("KS811", "agreements/releases/other.yaml")]  # fmt: skip
    result = cli(repo, "versions", "demo")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    at = line_of(other, "- version: '1.0'")
    assert len(lines) == 3 and lines[1].startswith(f"agreements/releases/other.yaml:{at}: KS811 发布记录中的版本 other@1.0（发布时的文本")
    assert lines[0].startswith(f"{RECORD}:{err.line}: KS811 ") and lines[2].startswith(f"错误：{RECORD}:{err.line}: KS811 ")


# --- renamed agreements ------------------------------------------------------------------------------------------


def test_predecessors_that_form_a_cycle_name_the_record_that_declares_each(make_repo: Callable[..., Path]) -> None:
    b = demo_text("1.0").replace("id: demo", "id: other")
    repo = make_repo({A: demo_text("1.0"), "agreements/other.md": b})
    rewrite_record(repo, "demo", "agreement: demo\n", "agreement: demo\npredecessor: other\n")
    rewrite_record(repo, "other", "agreement: other\n", "agreement: other\npredecessor: demo\n")
    with pytest.raises(HistoryError) as info:
        read_timelines(repo)
    assert info.value.code == "KS813"
    assert info.value.message == "协议 other 声明的前身 demo 形成了循环（另有 1 处历史问题）"
    assert info.value.path == "agreements/releases/other.yaml" and info.value.hint == (
        "predecessor 应为改名前的协议 ID，且该协议有发布记录")
    assert [(d.message.split("（")[0], d.path) for d in info.value.diagnostics] == [
        ("协议 other 声明的前身 demo 形成了循环", "agreements/releases/other.yaml"),
        ("协议 demo 声明的前身 other 形成了循环", RECORD),
    ]


def test_a_missing_predecessor_further_up_the_chain_names_the_record_that_declares_it(
    make_repo: Callable[..., Path],
) -> None:
    b = demo_text("1.0").replace("id: demo", "id: other")
    repo = make_repo({A: demo_text("1.0"), "agreements/other.md": b})
    rewrite_record(repo, "demo", "agreement: demo\n", "agreement: demo\npredecessor: other\n")
    rewrite_record(repo, "other", "agreement: other\n", "agreement: other\npredecessor: gone\n")
    with pytest.raises(HistoryError) as info:
        read_timelines(repo)
    # both walks (from demo and from other) meet the same declaration: one problem, at the record that makes it
    assert (info.value.message, info.value.path) == ("协议 other 声明的前身 gone 没有发布记录",
                                                     "agreements/releases/other.yaml")  # fmt: skip
    assert len(info.value.diagnostics) == 1


def test_a_rename_that_keeps_the_label_but_changes_the_text_is_refused(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: demo_text("1.0")})
    git(repo, "mv", A, "agreements/renamed.md")
    changed = demo_text("1.0", fee=FEE_V2).replace("id: demo", "id: renamed")
    (repo / "agreements/renamed.md").write_text(changed, encoding="utf-8")
    release(repo, "renamed", today=RECORDED, as_is=True, renamed_from="demo")
    make_repo({}, "改名并修改正文", release=False)
    with pytest.raises(HistoryError) as info:
        read_timelines(repo)
    err = info.value
    assert (err.code, err.path) == ("KS813", "agreements/releases/renamed.yaml")
    assert err.message == "协议 renamed 改名后的版本 1.0 与改名前同一版本号的文本不同"
    assert err.hint == "改名后修改正文请使用新的版本号"
    # done right: the changed text under a new label
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    git(repo, "mv", A, "agreements/renamed.md")
    (repo / "agreements/renamed.md").write_text(changed.replace('version: "1.0"', 'version: "2.0"'), encoding="utf-8")
    release(repo, "renamed", today=RECORDED, as_is=True, renamed_from="demo")
    make_repo({}, "改名并发布新版本", release=False)
    assert [v.label for v in read_timeline(repo, "renamed").versions] == ["1.0", "2.0"]


# --- a withdrawn agreement ---------------------------------------------------------------------------------------


def test_a_withdrawn_agreement_has_nothing_in_force_or_upcoming_from_its_withdrawal(
    make_repo: Callable[..., Path],
) -> None:
    make_repo({A: demo_text("1.0")})
    repo = make_repo({A: demo_text("2.0", fee=FEE_V2, extra="announced: 2026-03-01\neffective: 2026-06-01\n")})
    timeline = read_timeline(repo, "demo")
    assert [v.label for v in timeline.upcoming(date(2026, 4, 1))] == ["2.0"]
    (repo / A).unlink()
    release(repo, "demo", today=date(2026, 4, 1), withdraw=True, reason="服务下线")
    make_repo({}, "停止适用", release=False)
    timeline = read_timeline(repo, "demo")
    assert timeline.withdrawn is not None and timeline.withdrawn.date == date(2026, 4, 1)
    assert timeline.in_force(date(2026, 3, 31)) is not None and timeline.in_force(date(2026, 3, 31)).label == "1.0"  # type: ignore[union-attr]
    assert [v.label for v in timeline.upcoming(date(2026, 3, 31))] == ["2.0"]
    assert timeline.in_force(date(2026, 4, 1)) is None and timeline.upcoming(date(2026, 4, 1)) == ()
    assert [v.label for v in timeline.versions] == ["1.0", "2.0"]  # both stay published


# --- a historical version that no longer parses -------------------------------------------------------------------


def test_a_released_version_that_no_longer_parses_is_named_with_its_first_problem(
    make_repo: Callable[..., Path],
) -> None:
    """Released before a rule it breaks existed (here: a paragraph without a clause ID): its history still reads,
    but comparing against it says which version and why instead of guessing."""
    repo = make_repo({A: demo_text("2.0", fee=FEE_V2)})
    old = demo_text("1.0") + "\n1.3 没有条款 ID 的段落。\n"
    blob = store(repo, old.encode())
    record = (repo / RECORD).read_text("utf-8")
    entry = (f"- version: '1.0'\n  path: {A}\n  blob: {blob}\n  sha256: {sha256_text(legal_text(old))}\n"
             "  announced: null\n  effective: null\n  summary: ''\n  recorded: '2026-03-01'\n")  # fmt: skip
    (repo / RECORD).write_text(record.replace("versions:\n", "versions:\n" + entry), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "登记早先发布的 1.0")
    assert [v.label for v in read_timeline(repo, "demo").versions] == ["1.0", "2.0"]
    result = cli(repo, "diff", "demo@1.0", "demo@2.0")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"错误：{A}: KS806 历史版本 demo@1.0 无法解析：{A}:18: KS201 缺少条款 ID")
