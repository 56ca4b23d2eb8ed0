"""The shipped workflows and pre-commit hook call commands that exist and work."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import yaml
from click.testing import CliRunner

from kspub.cli import main

from .conftest import ROOT


def _commands(text: str) -> list[list[str]]:
    runs = [line.split("#", 1)[0] for line in text.splitlines()]  # comments are prose, not commands
    return [shlex.split(m) for line in runs for m in re.findall(r"\bkspub [^\n|>&]+", line)]


def test_workflow_commands_exist() -> None:
    seen = set()
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        text = path.read_text("utf-8")
        data = yaml.safe_load(text)
        assert data["jobs"], path
        for argv in _commands(text):
            assert argv[1] in main.commands, f"{path.name}: kspub {argv[1]} does not exist"
            seen.add(argv[1])
    assert {"check", "build"} <= seen
    check = (ROOT / ".github/workflows/check.yml").read_text("utf-8")
    assert "fetch-depth: 0" in check and "GITHUB_STEP_SUMMARY" in check
    publish = (ROOT / ".github/workflows/publish.yml").read_text("utf-8")
    assert "schedule" in yaml.safe_load(publish)[True]
    (build,) = (argv for argv in _commands(publish) if argv[1] == "build" and len(argv) > 2)
    # the deployed site is the previous state the build must not publish less than
    assert "--previous" in build and "fetch-depth: 0" in publish


def test_the_publish_workflow_restores_and_saves_the_build_cache() -> None:
    steps = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text("utf-8"))["jobs"]["build"]["steps"]
    uses = [str(s.get("uses", "")) for s in steps]
    (at,) = (i for i, u in enumerate(uses) if u.startswith("actions/cache@"))
    build = next(i for i, s in enumerate(steps) if "kspub build" in str(s.get("run", "")))
    assert at < build  # restored before the build, saved after the job (actions/cache's post step)
    cache = steps[at]["with"]
    from kspub.publish.build import CACHE_DIR

    assert cache["path"] == f"build/{CACHE_DIR}"  # where kspub build keeps it (default --out)
    # keyed by the kspub code and the configuration, each run saving its own (a key is written once)
    for part in ("kspub/**", "pyproject.toml", "mkdocs.yml", "github.run_id"):
        assert part in cache["key"]
    assert cache["restore-keys"].splitlines()[0] == cache["key"].rsplit("-", 1)[0] + "-"  # the latest such run


def test_pre_commit_hook_runs_lint_on_the_repository_files() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    argv = shlex.split(hook["entry"])
    assert argv[:2] == ["kspub", "lint"]
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "agreements").glob("*.md"))
    files.append("sla/catalogue.yaml")
    assert all(re.search(hook["files"], f) for f in files)
    result = CliRunner().invoke(main, [*argv[1:], "--root", str(ROOT), *(str(ROOT / f) for f in files)])
    assert result.exit_code == 0, result.output


# --- the check workflow on a failing check: the report is still written and posted ------------------------

CHECK_WORKFLOW = ROOT / ".github/workflows/check.yml"


def _check_steps() -> list[dict[str, object]]:
    steps: list[dict[str, object]] = yaml.safe_load(CHECK_WORKFLOW.read_text("utf-8"))["jobs"]["check"]["steps"]
    return steps


def _step(name: str) -> dict[str, object]:
    (step,) = (s for s in _check_steps() if s.get("name") == name)
    return step


def test_the_report_steps_run_when_the_check_fails() -> None:
    steps = _check_steps()
    names = [s.get("name") for s in steps]
    gate = names.index("kspub check")
    # the gate step itself fails the job on a failing check (its annotations mark the lines) ...
    assert "--format github" in str(steps[gate]["run"]) and "if" not in steps[gate]
    assert "continue-on-error" not in steps[gate]
    # ... the report it fails on was written before it, by a step that never fails on a failing check ...
    report = _step("检查报告（Markdown）")
    assert names.index("检查报告（Markdown）") < gate and "|| status=$?" in str(report["run"])
    # ... and the summary and the comment come after it and run whatever its outcome
    for name in ("作业摘要", "合并请求评论"):
        assert names.index(name) > gate
        condition = str(_step(name)["if"])
        assert condition.startswith("always()") and "steps.report.outcome == 'success'" in condition
    assert "GITHUB_STEP_SUMMARY" in str(_step("作业摘要")["run"])
    assert str(_step("合并请求评论")["run"]).startswith("scripts/pr-comment")


def _fake_tools(tmp_path: Path, *, check_exit: int, comments: str) -> dict[str, str]:
    """A PATH with a fake kspub (prints a report, exits with ``check_exit``) and a fake gh that logs its calls
    and answers the comment listing with ``comments`` (the ids its --jq filter would select)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kspub").write_text(
        "#!/usr/bin/env bash\n"
        "case \"$*\" in *markdown*) printf '## 协议变更检查：未通过\\n\\n- KS414 生效日期过早\\n';; "
        "*) echo '::error file=agreements/demo.md,line=5::KS414';; esac\n"
        f"exit {check_exit}\n",
        "utf-8",
    )
    (bin_dir / "gh").write_text(
        "#!/usr/bin/env bash\n"
        'echo "$*" >> "$GH_LOG"\n'
        'for arg in "$@"; do case "$arg" in body=@*) cp "${arg#body=@}" "$GH_LOG.body";; esac; done\n'
        'if [ "$2" = "--paginate" ]; then printf "%s" "$FAKE_COMMENTS"; fi\n',
        "utf-8",
    )
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GH_LOG": str(tmp_path / "gh.log"),
        "FAKE_COMMENTS": comments,
        "BASE_REF": "main",
        "REPO": "owner/agreements",
        "PR": "7",
        "GH_TOKEN": "token",
        "RUN_URL": "https://github.com/owner/agreements/actions/runs/1",
    }


def _run_step(name: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    script = str(_step(name)["run"]).replace("scripts/pr-comment", str(ROOT / "scripts" / "pr-comment"))
    # GitHub runs a step's shell with bash -e {0}
    return subprocess.run(["bash", "-e", "-c", script], env=env, cwd=cwd, capture_output=True, text=True, check=False)


def _run_job(tmp_path: Path, *, check_exit: int, comments: str) -> tuple[dict[str, str], list[str]]:
    """Each step of the job after installation, in order, with the runner's `if:` semantics for ours: a step
    without `if` runs only while every step before it succeeded; `always() && steps.report.outcome == 'success'`
    runs when the report step succeeded."""
    env = _fake_tools(tmp_path, check_exit=check_exit, comments=comments)
    ran: list[str] = []
    failed = False
    outcomes: dict[str, bool] = {}
    for step in _check_steps():
        name = str(step.get("name", ""))
        if "run" not in step or name == "安装 kspub":
            continue
        condition = str(step.get("if", ""))
        if condition:
            assert condition.startswith("always() && steps.report.outcome == 'success'"), condition
            if not outcomes.get("检查报告（Markdown）"):
                continue
        elif failed:
            continue
        result = _run_step(name, env, tmp_path)
        ran.append(name)
        outcomes[name] = result.returncode == 0
        failed = failed or result.returncode != 0
    return env, ran


def test_a_failing_check_still_writes_the_summary_and_posts_one_comment(tmp_path: Path) -> None:
    env, ran = _run_job(tmp_path, check_exit=1, comments="")
    assert ran == ["检查报告（Markdown）", "kspub check", "作业摘要", "合并请求评论"]
    assert "KS414 生效日期过早" in Path(env["GITHUB_STEP_SUMMARY"]).read_text("utf-8")
    assert "status=1" in Path(env["GITHUB_OUTPUT"]).read_text("utf-8")
    calls = Path(env["GH_LOG"]).read_text("utf-8").splitlines()
    assert calls[0].startswith("api --paginate repos/owner/agreements/issues/7/comments")
    assert calls[1].startswith("api --method POST repos/owner/agreements/issues/7/comments") and len(calls) == 2
    body = Path(env["GH_LOG"] + ".body").read_text("utf-8")
    assert body.startswith("<!-- kspub-check-report -->\n## 协议变更检查：未通过") and env["RUN_URL"] in body


def test_a_later_push_updates_the_comment_instead_of_adding_one(tmp_path: Path) -> None:
    env, ran = _run_job(tmp_path, check_exit=0, comments="4242\n5151\n")
    assert ran[-1] == "合并请求评论"
    calls = Path(env["GH_LOG"]).read_text("utf-8").splitlines()
    assert [c.split()[:3] for c in calls[1:]] == [["api", "--method", "PATCH"]]
    assert "repos/owner/agreements/issues/comments/4242" in calls[1]
    assert not any("POST" in c for c in calls)


def test_a_report_that_cannot_be_written_still_says_so(tmp_path: Path) -> None:
    env = _fake_tools(tmp_path, check_exit=2, comments="")
    (tmp_path / "bin" / "kspub").write_text("#!/usr/bin/env bash\nexit 2\n", "utf-8")
    assert _run_step("检查报告（Markdown）", env, tmp_path).returncode == 0
    assert "退出码 2" in (tmp_path / "check-report.md").read_text("utf-8")


def test_the_comment_finds_its_own_marker_by_a_bot() -> None:
    script = (ROOT / "scripts" / "pr-comment").read_text("utf-8")
    assert "<!-- kspub-check-report -->" in script and '.user.type == \\"Bot\\"' in script


def test_the_editor_files_exist_and_use_the_hook() -> None:
    template = (ROOT / ".github" / "pull_request_template.md").read_text("utf-8")
    for heading in ("改了什么", "为什么", "日期", "批准"):
        assert heading in template
    owners = (ROOT / ".github" / "CODEOWNERS").read_text("utf-8")
    assert re.search(r"^/agreements/\s+@\S+", owners, re.M)
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    (hook_ids,) = ([h["id"] for h in repo["hooks"]] for repo in config["repos"])
    (shipped,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert shipped["id"] in hook_ids
