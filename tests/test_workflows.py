"""The shipped workflows and pre-commit hook call commands that exist and work."""

from __future__ import annotations

import re
import shlex

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


def test_pre_commit_hook_runs_lint_on_the_repository_files() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    argv = shlex.split(hook["entry"])
    assert argv[:2] == ["kspub", "lint"]
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "agreements").glob("*.md"))
    files.append("sla/catalogue.yaml")
    assert all(re.search(hook["files"], f) for f in files)
    result = CliRunner().invoke(main, [*argv[1:], "--root", str(ROOT), *(str(ROOT / f) for f in files)])
    assert result.exit_code == 0, result.output
