"""The editor's guide is enough to work alone: its own steps, run as written in a clone of this repository,
take a change through the gate on the first try (docs/guide.md §三)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.e2e

GUIDE = ROOT / "docs" / "guide.md"
#: The day the walk is taken: every command that reads the clock is given it (kspub release and check take
#: --today), so the dates the guide shows are the dates the walk gets.
TODAY = "2026-09-22"
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```\n", re.S | re.M)
_FILE = re.compile(r"`(agreements/[^`]+\.md)`")


def _walk_steps() -> list[tuple[str, str, str | None]]:
    """The walk's code blocks in order: (language, text, the file named before it)."""
    text = GUIDE.read_text("utf-8")
    section = text.split("## 三、", 1)[1].split("\n## ", 1)[0]
    steps = []
    for m in _BLOCK.finditer(section):
        before = section[: m.start()]
        files = _FILE.findall(before.rstrip().rsplit("\n\n", 1)[-1])
        steps.append((m.group(1), m.group(2), files[-1] if files else None))
    return steps


def _apply(repo: Path, path: str, diff: str) -> None:
    """What an editor does with a diff block: the lines marked - become the lines marked +."""
    old = "\n".join(line[1:] for line in diff.splitlines() if line.startswith("-")) + "\n"
    new = "\n".join(line[1:] for line in diff.splitlines() if line.startswith("+")) + "\n"
    file = repo / path
    text = file.read_text("utf-8")
    assert text.count(old) == 1, f"the guide's edit no longer matches {path}: {old!r}"
    file.write_text(text.replace(old, new), "utf-8")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_the_guide_walks_a_change_through_the_gate(tmp_path: Path) -> None:
    # the shared repository, its main branch at this commit, and a fresh clone of it (guide §一)
    remote = tmp_path / "remote.git"
    _git(tmp_path, "clone", "-q", "--bare", str(ROOT), str(remote))
    head = _git(ROOT, "rev-parse", "HEAD").strip()
    _git(remote, "update-ref", "refs/heads/main", head)
    _git(remote, "symbolic-ref", "HEAD", "refs/heads/main")
    repo = tmp_path / "agreements-repo"
    _git(tmp_path, "clone", "-q", str(remote), str(repo))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "kspub"
    shim.write_text(
        "#!/usr/bin/env bash\n"
        f'case "$1" in release|check) exec "{sys.executable}" -m kspub "$@" --today {TODAY};; esac\n'
        f'exec "{sys.executable}" -m kspub "$@"\n',
        "utf-8",
    )
    shim.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "GIT_AUTHOR_NAME": "法务编辑", "GIT_AUTHOR_EMAIL": "legal@example.com",
        "GIT_COMMITTER_NAME": "法务编辑", "GIT_COMMITTER_EMAIL": "legal@example.com",
    }  # fmt: skip
    steps = _walk_steps()
    assert [lang for lang, _, _ in steps].count("sh") >= 5 and any(lang == "diff" for lang, _, _ in steps)
    outputs = []
    for lang, text, path in steps:
        if lang == "diff":
            assert path is not None, text
            _apply(repo, path, text)
        elif lang == "sh":
            for command in (line.split("#", 1)[0].strip() for line in text.splitlines()):
                if not command:
                    continue
                result = subprocess.run(["bash", "-c", command], cwd=repo, env=env, capture_output=True, text=True,
                                        check=False)  # fmt: skip
                assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
                outputs.append((command, result.stdout + result.stderr))
    said = dict(outputs)
    assert "检查通过：没有发现问题" in said["kspub lint"]
    assert "已登记新版本：cloud-service-agreement 版本 1.1" in said["kspub release cloud-service-agreement"]
    assert "检查通过：可以合并" in said["kspub check --base origin/main"]
    assert (repo / "修订稿.docx").stat().st_size > 0
    # what the guide says release prints is what it printed
    shown = re.search(r"```text\n(已登记新版本.*?)```", GUIDE.read_text("utf-8"), re.S)
    assert shown is not None
    for line in shown.group(1).splitlines():
        if line.strip() != "…":
            assert line.strip() in said["kspub release cloud-service-agreement"], line
    # the change reached the shared repository on its branch, with its release record
    pushed = _git(remote, "show", "云服务协议-措辞:agreements/cloud-service-agreement.md")
    assert "有效合同" in pushed and 'version: "1.1"' in pushed
    assert "version: '1.1'" in _git(remote, "show", "云服务协议-措辞:agreements/releases/cloud-service-agreement.yaml")


def test_the_guide_shows_the_period_kspub_computes() -> None:
    text = GUIDE.read_text("utf-8")
    m = re.search(r"```text\nkspub notice --from (\S+) --period (\S+)\n(.*?)\n```", text, re.S)
    assert m is not None
    result = subprocess.run([sys.executable, "-m", "kspub", "notice", "--from", m.group(1), "--period", m.group(2)],
                            cwd=ROOT, capture_output=True, text=True, check=True)  # fmt: skip
    assert result.stdout.splitlines()[0] == m.group(3)


def test_every_command_the_guide_names_exists() -> None:
    from kspub.cli import main

    named = set(re.findall(r"`kspub (\w+)", GUIDE.read_text("utf-8")))
    assert {"lint", "serve", "diff", "notice", "release", "check"} <= named
    assert named <= set(main.commands), named - set(main.commands)
