from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _nothing_remembered() -> None:
    """Every test starts with the text functions remembering nothing (kspub.memo): no test is served a result
    another computed — under mutation testing, one computed by the unmutated code before the mutant ran."""
    from kspub import memo

    memo.clear()

DEMO = """---
id: demo
title: 示例协议
kind: agreement
version: "{version}"
notice: {{default: {{channels: [site], clause: general}}}}
{extra}---

{{#general}}
## 一、总则

{{#nature}}
1.1 本协议是您与金山云之间的有效契约。

{{#fee-notice tags="fees"}}
1.2 {fee}
"""


def demo_text(version: str = "1.0", fee: str = "免费服务转为收费前，金山云将提前10个自然日通知您。", extra: str = "") -> str:
    return DEMO.format(version=version, fee=fee, extra=extra)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True,
        env={"GIT_AUTHOR_NAME": "法务编辑", "GIT_AUTHOR_EMAIL": "legal@example.com",
             "GIT_COMMITTER_NAME": "法务编辑", "GIT_COMMITTER_EMAIL": "legal@example.com",
             "GIT_AUTHOR_DATE": "2026-03-01T10:00:00+08:00", "GIT_COMMITTER_DATE": "2026-03-01T10:00:00+08:00",
             "HOME": str(repo), "PATH": "/usr/bin:/bin:/usr/local/bin"},
    ).stdout


RECORDED = date(2026, 3, 1)


def release_all(repo: Path, today: date = RECORDED) -> list[str]:
    """What an editor does before committing: ``kspub release --as-is`` for every agreement in the working tree
    (dates exactly as the front matter gives them). A file that cannot be released (a lint error, a changed
    text under a label already on main) is left unreleased, as the editor would have to; returns those IDs."""
    from kspub.errors import KspubError
    from kspub.release import release

    refused = []
    for path in sorted((repo / "agreements").glob("*.md")):
        try:
            release(repo, path.stem, today=today, as_is=True)
        except KspubError:
            refused.append(path.stem)
    return refused


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """A temporary agreement repository; commit(files, message) writes files and commits them on main."""

    repo = tmp_path / "repo"
    (repo / "agreements").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")

    def commit(files: dict[str, str], message: str = "更新协议", *, release: bool = True) -> Path:
        for name, text in files.items():
            path = repo / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if release:
            release_all(repo)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", message)
        return repo

    return commit
