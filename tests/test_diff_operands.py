"""`kspub diff` operands: a file, AGREEMENT@VERSION (the release record) or REF:PATH (a git ref), and --base/--head
over the whole repository. Each form that works, and each way it can be wrong: what the user sees (the Chinese
message, the KS code, the file and line) and the exit code."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from kspub.cli import main

from .conftest import demo_text, git

A = "agreements/demo.md"
FEE_V2 = "免费服务转为收费前，金山云将提前30个自然日通知您。"
#: An agreement unlike demo (git pairs similar files as a rename).
FRESH = """---
id: fresh
title: 对象存储服务规则
kind: agreement
version: "1.0"
notice: {default: {channels: [site], clause: users}}
---

{#scope}
## 一、适用范围

{#users}
1.1 本规则适用于使用对象存储服务的全部用户，包括个人用户与企业用户，以及经授权代为操作的第三方。
"""
HINT_031 = "（请写文件路径、协议ID@版本号（如 cloud-service-agreement@1.0）或 提交:路径（如 main:agreements/x.md））"


def diff(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["diff", "--root", str(repo), *args])


def two_versions(make_repo: Callable[..., Path]) -> Path:
    """demo 1.0 then 2.0 (the fee clause's notice period 10 → 30 days), both released and committed on main."""
    make_repo({A: demo_text("1.0")}, "发布 1.0")
    return make_repo({A: demo_text("2.0", fee=FEE_V2)}, "发布 2.0")


def changed_fee(result: Result) -> None:
    """The report of 1.0 → 2.0: the fee clause, with its new period in the redline."""
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "协议 demo：版本 1.0 → 2.0"
    assert any(line.startswith("1. 【") and "1.2" in line for line in lines), result.stdout
    assert any(line.startswith("   红线：") and "30" in line for line in lines), result.stdout


# --- the three forms ---------------------------------------------------------------------------------------------


def test_versions_by_label_from_the_release_record(make_repo: Callable[..., Path]) -> None:
    repo = two_versions(make_repo)
    (repo / A).write_text(demo_text("3.0", fee="与 1.0、2.0 都不同的草稿。"), encoding="utf-8")
    changed_fee(diff(repo, "demo@1.0", "demo@2.0"))  # from history, whatever the working tree says
    draft = diff(repo, "demo@2.0", "demo@3.0")  # a label only in the working tree is its draft
    assert draft.exit_code == 0 and draft.stdout.startswith("协议 demo：版本 2.0 → 3.0\n"), draft.output


def test_versions_by_git_ref_and_path(make_repo: Callable[..., Path]) -> None:
    repo = two_versions(make_repo)
    changed_fee(diff(repo, f"HEAD~1:{A}", f"main:{A}"))
    changed_fee(diff(repo, f"HEAD~1:{A}", str(repo / A)))  # a ref against a file


def test_a_file_is_compared_whatever_its_name(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    """An exported copy (old.md holding id demo) is compared, not refused for its name as lint would."""
    repo = two_versions(make_repo)
    old = tmp_path / "old.md"
    old.write_text(demo_text("1.0"), encoding="utf-8")
    changed_fee(diff(repo, str(old), str(repo / A)))


# --- operands that name nothing ----------------------------------------------------------------------------------


def test_an_operand_that_is_no_file_label_or_ref_says_what_to_write(make_repo: Callable[..., Path]) -> None:
    repo = two_versions(make_repo)
    result = diff(repo, "agreements/nope.md", f"main:{A}")
    assert result.exit_code == 1
    assert result.stderr == f"错误：KS031 找不到 “agreements/nope.md”{HINT_031}\n"


def test_a_label_or_agreement_not_in_the_record(make_repo: Callable[..., Path]) -> None:
    repo = two_versions(make_repo)
    result = diff(repo, "demo@9.9", "demo@2.0")
    assert result.exit_code == 1
    assert result.stderr == "错误：KS807 协议 demo 没有版本 “9.9”。已有版本：1.0、2.0\n"
    result = diff(repo, "nope@1.0", "demo@2.0")
    assert result.exit_code == 1 and result.stderr.startswith("错误：KS805 git 历史中没有协议 “nope” 的任何已提交版本。已有：demo")


def test_a_ref_or_path_that_does_not_exist(make_repo: Callable[..., Path]) -> None:
    repo = two_versions(make_repo)
    result = diff(repo, f"no-such-branch:{A}", f"main:{A}")
    assert result.exit_code == 1
    assert result.stderr == "错误：KS804 找不到提交或分支 “no-such-branch”（请确认分支或提交存在（CI 中需检出完整历史））\n"
    result = diff(repo, "HEAD~1:agreements/absent.md", f"main:{A}")
    assert result.exit_code == 1
    assert result.stderr == "错误：KS808 无法读取 HEAD~1:agreements/absent.md（提交或文件不存在）（请检查分支名/提交号和文件路径）\n"
    result = diff(repo, "main:agreements", f"main:{A}")  # a folder: git would show its listing
    assert result.exit_code == 1
    assert result.stderr == ("错误：KS001 main:agreements 不是文件（是目录）"
                             "（请给出协议文件的路径，例如 main:agreements/privacy-policy.md）\n")  # fmt: skip
    result = diff(repo, "--", f"--output=x:{A}", f"main:{A}")  # git would read it as an option
    assert result.exit_code == 1 and result.stderr.startswith("错误：KS804 “--output=x” 不是提交或分支名")


# --- operands that cannot be read or parsed ----------------------------------------------------------------------


def test_a_folder_or_a_link_to_itself_is_not_a_file(make_repo: Callable[..., Path]) -> None:
    repo = two_versions(make_repo)
    result = diff(repo, str(repo / "agreements"), f"main:{A}")
    assert result.exit_code == 1
    assert result.stderr == "错误：agreements: KS001 不是普通文件（目录、设备或管道）：请给出协议文件或 SLA 目录文件的路径。\n"
    loop = repo / "agreements" / "loop.md"
    os.symlink("loop.md", loop)  # no file behind it: as if it did not exist
    result = diff(repo, str(loop), f"main:{A}")
    assert result.exit_code == 1
    assert result.stderr == f"错误：KS031 找不到 “{loop}”{HINT_031}\n"


def test_a_file_with_errors_lists_each_and_says_to_lint_first(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    repo = two_versions(make_repo)
    bad = tmp_path / "bad.md"
    bad.write_text(demo_text("1.0").replace("{#nature}", "{#Nature}") + "\n1.3 没有条款 ID 的段落。\n", encoding="utf-8")
    result = diff(repo, str(bad), f"main:{A}")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    shown = bad.as_posix()  # outside the repository: shown as given
    assert lines[0].startswith(f"{shown}:12: KS202 条款 ID “Nature” 格式不对")
    assert lines[1].startswith(f"{shown}:18: KS201 缺少条款 ID")
    assert lines[2].startswith(f"错误：KS030 {shown} 无法解析（2 处错误，第一处：{shown}:12: KS202 ")
    assert lines[2].endswith("（请先运行 kspub lint 改正）")


def test_a_committed_file_not_in_utf8_is_reported_not_a_traceback(make_repo: Callable[..., Path]) -> None:
    repo = two_versions(make_repo)
    (repo / "agreements" / "gbk.md").write_bytes(demo_text("1.0").replace("id: demo", "id: gbk").encode("gbk"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "以 GBK 保存的协议")
    result = diff(repo, "HEAD:agreements/gbk.md", f"main:{A}")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("错误：KS030 agreements/gbk.md 无法解析（1 处错误，第一处：agreements/gbk.md:3: KS002 "
                                    "文件不是 UTF-8 编码（可能是 GBK）")  # fmt: skip


# --- --base and --head: every changed agreement ------------------------------------------------------------------


def test_base_against_head_lists_changed_added_and_removed_agreements(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: demo_text("1.0"), "agreements/gone.md": demo_text("1.0").replace("id: demo", "id: gone")})
    git(repo, "checkout", "-q", "-b", "change")
    (repo / "agreements" / "gone.md").unlink()
    make_repo({A: demo_text("2.0", fee=FEE_V2), "agreements/fresh.md": FRESH},
              "变更")  # fmt: skip
    git(repo, "checkout", "-q", "main")  # the working tree is main's: --head alone says what is compared
    result = diff(repo, "--base", "main", "--head", "change")
    assert result.exit_code == 0, result.output
    blocks = result.stdout.split("\n\n")
    assert "协议 demo：版本 1.0 → 2.0" in result.stdout
    assert "agreements/fresh.md：新增协议" in blocks and "agreements/gone.md：协议被删除" in blocks
    data = json.loads(diff(repo, "--base", "main", "--head", "change", "--format", "json").stdout)
    rows = {a["path"]: (a["added"], a["removed"], a["diff"] is not None) for a in data["agreements"]}
    assert rows == {A: (False, False, True), "agreements/fresh.md": (True, False, False),
                    "agreements/gone.md": (False, True, False)}  # fmt: skip
    assert (data["base"], data["head"]) == ("main", "change")
    assert diff(repo, "--base", "change", "--head", "change").stdout == "与 change 相比没有协议发生变化。\n"


def test_base_against_the_working_tree(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: demo_text("1.0"), "agreements/gone.md": demo_text("1.0").replace("id: demo", "id: gone")})
    (repo / A).write_text(demo_text("2.0", fee=FEE_V2), encoding="utf-8")
    (repo / "agreements" / "gone.md").unlink()
    (repo / "agreements" / "fresh.md").write_text(FRESH, encoding="utf-8")
    data = json.loads(diff(repo, "--base", "main", "--format", "json").stdout)
    rows = {a["path"]: (a["added"], a["removed"]) for a in data["agreements"]}
    assert rows == {A: (False, False), "agreements/fresh.md": (True, False), "agreements/gone.md": (False, True)}
    assert data["head"] is None
