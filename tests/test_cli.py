"""The command line: exit codes and exact messages (click's CliRunner)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kspub.cli import main

from .conftest import ROOT, demo_text


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_every_command_has_help() -> None:
    for name, command in main.commands.items():
        code, out, _ = run(name, "--help")
        assert code == 0, name
        assert command.help and command.help.strip(), f"{name} has no help"
        assert "Usage:" in out


def test_list_json(tmp_path: Path) -> None:
    (tmp_path / "agreements").mkdir()
    (tmp_path / "agreements" / "demo.md").write_text(demo_text(), encoding="utf-8")
    code, out, _ = run("list", "--root", str(tmp_path), "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "agreements": [{"id": "demo", "title": "示例协议", "version": "1.0", "path": "agreements/demo.md"}],
        "schema_version": "1.0",
    }


def test_show_clause_json(tmp_path: Path) -> None:
    (tmp_path / "agreements").mkdir()
    (tmp_path / "agreements" / "demo.md").write_text(demo_text(), encoding="utf-8")
    code, out, _ = run("show", "demo", "--root", str(tmp_path), "--clause", "fee-notice", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [c["id"] for c in data["clauses"]] == ["fee-notice"]
    clause = data["clauses"][0]
    assert clause["number"] == "1.2"
    assert clause["text"] == "免费服务转为收费前，金山云将提前10个自然日通知您。"
    assert clause["parent"] == "general" and clause["tags"] == ["fees"]


def test_show_unknown_clause_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "agreements").mkdir()
    (tmp_path / "agreements" / "demo.md").write_text(demo_text(), encoding="utf-8")
    code, out, err = run("show", "demo", "--root", str(tmp_path), "--clause", "nope")
    assert code == 1
    assert err == "错误：KS021 协议 demo 中没有 ID 为 “nope” 的条款（用 kspub show demo 查看全部条款 ID）\n"


def test_show_unknown_agreement(tmp_path: Path) -> None:
    (tmp_path / "agreements").mkdir()
    (tmp_path / "agreements" / "demo.md").write_text(demo_text(), encoding="utf-8")
    code, out, err = run("show", "nope", "--root", str(tmp_path), "--format", "json")
    assert code == 1
    assert json.loads(out)["error"]["code"] == "KS020"
    assert "KS020 没有 ID 为 “nope” 的协议。现有协议：demo。" in err


def test_lint_reports_every_problem_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "agreements").mkdir()
    bad = demo_text().replace("{#nature}", "{#Nature}") + "\n{#fee-notice}\n1.3 依照本协议第9.9条。\n"
    (tmp_path / "agreements" / "demo.md").write_text(bad, encoding="utf-8")
    code, out, err = run("lint", "--root", str(tmp_path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("agreements/demo.md:12: KS202 条款 ID “Nature” 格式不对")
    assert any(line.startswith("agreements/demo.md:18: KS203 条款 ID “fee-notice” 重复") for line in lines)
    assert any(line.startswith("agreements/demo.md:19: KS401 交叉引用 “本协议第9.9条” 找不到对应条款") for line in lines)
    assert err == "共 3 个错误，0 个警告。\n"


def test_lint_clean_exits_0(tmp_path: Path) -> None:
    (tmp_path / "agreements").mkdir()
    (tmp_path / "agreements" / "demo.md").write_text(demo_text(), encoding="utf-8")
    code, out, err = run("lint", "--root", str(tmp_path))
    assert (code, out) == (0, "")
    assert err == "检查通过：没有发现问题。\n"


def test_lint_json(tmp_path: Path) -> None:
    (tmp_path / "agreements").mkdir()
    (tmp_path / "agreements" / "demo.md").write_text("", encoding="utf-8")
    code, out, _ = run("lint", "--root", str(tmp_path), "--format", "json")
    assert code == 1
    (diag,) = json.loads(out)["diagnostics"]
    assert (diag["code"], diag["line"], diag["path"], diag["severity"]) == ("KS004", 1, "agreements/demo.md", "error")


def test_usage_error_exits_2() -> None:
    code, _, err = run("lint", "--format", "xml")
    assert code == 2
    assert "Invalid value for '--format'" in err


def test_repository_lints_clean() -> None:
    code, out, err = run("lint", "--root", str(ROOT))
    assert code == 0, out
    assert "0 个错误" in err or "检查通过" in err


def test_repository_lists_eight_agreements_and_sla() -> None:
    code, out, _ = run("list", "--root", str(ROOT), "--format", "json")
    assert code == 0 and len(json.loads(out)["agreements"]) == 8
    code, out, _ = run("sla", "--root", str(ROOT), "--format", "json")
    data = json.loads(out)
    assert len(data["categories"]) == 12
    assert sum(len(c["entries"]) for c in data["categories"]) == 49


def test_python_dash_m_works() -> None:
    proc = subprocess.run([sys.executable, "-m", "kspub", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "kspub" in proc.stdout


def test_cli_reference_is_generated_and_current() -> None:
    from kspub.clidoc import reference

    assert (ROOT / "docs" / "cli.md").read_text("utf-8") == reference(), "run: python -m kspub.clidoc > docs/cli.md"


def test_notice_without_from_or_to_says_so() -> None:
    code, _, err = run("notice", "--period", "7日")
    assert code == 2
    assert err == "错误：KS610 请给出 --from（通知日期，求最早生效日）或 --to（目标生效日期，求最晚通知日）\n"


def test_notice_json_has_schema_version() -> None:
    code, out, _ = run("notice", "--from", "2026-03-02", "--period", "7个自然日", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["schema_version"] == "1.0" and data["effective_date"] == "2026-03-10"


def test_unwritable_output_is_an_error_not_a_traceback() -> None:
    code, out, err = run("build", "--root", str(ROOT), "--as-of", "2026-11-30", "--out", "/proc/kspub-cannot-write")
    assert code == 1 and "Traceback" not in out + err
    assert "错误：" in err


def test_device_file_is_refused(tmp_path: Path) -> None:
    code, out, _ = run("lint", "/dev/zero")
    assert code == 1
    assert "/dev/zero: KS001 不是普通文件" in out


def test_refs_that_look_like_options_are_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    code, _, err = run("diff", "--root", str(ROOT), f"--base=--output={victim}")
    assert code == 1 and "KS804" in err
    assert victim.read_text("utf-8") == "keep"
    code, _, err = run("check", "--root", str(ROOT), "--base", "--")
    assert code == 1 and "KS804" in err


def test_notice_reads_the_repositorys_calendar_from_root_not_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    fictional = Path(__file__).parent / "fixtures" / "calendar" / "fictional"
    repo, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    shutil.copytree(fictional, repo / "calendar")
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    args = ["notice", "--from", "2027-03-01", "--period", "10个工作日", "--format", "json"]
    with_root = CliRunner().invoke(main, [*args, "--root", str(repo)])
    assert with_root.exit_code == 0, with_root.output
    assert json.loads(with_root.output)["effective_date"].startswith("2027-03")
    # a calendar/ in the current directory is not the repository's: without --root the year is unknown
    shutil.copytree(fictional, elsewhere / "calendar")
    without = CliRunner().invoke(main, [*args, "--root", str(tmp_path)])
    assert without.exit_code == 1 and "KS601" in without.output
