"""History extraction over 1,000 commits against the git floor: the same `git log` kspub runs, then one
`git cat-file --batch` for every blob it lists — the git work any reader of this history must pay."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from benchmarks.common import Row, median_time
from kspub.history import read_timelines

TITLE = "History"
AGREEMENTS = 10
COMMITS = 1000


def _agreement(k: int, version: int) -> str:
    clauses = "\n".join(
        f"{{#clause-{j}}}\n{j + 1}.1 第{version}版：金山云将提前{10 + j}个自然日通知您具体的收费政策及规范。" * 1 + "\n"
        for j in range(40)
    )
    return (f'---\nid: agreement-{k}\ntitle: 协议{k}\nkind: agreement\nversion: "{version}"\n---\n\n'
            f"{{#general}}\n## 一、总则\n\n{clauses}")  # fmt: skip


def make_repo(root: Path) -> None:
    """1,000 commits, each publishing a new version of one of ten agreements (written with git fast-import)."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    chunks: list[bytes] = []
    for i in range(COMMITS):
        k = i % AGREEMENTS
        body = _agreement(k, i // AGREEMENTS + 1).encode()
        msg = f"agreement-{k} v{i // AGREEMENTS + 1}".encode()
        when = 1_700_000_000 + i * 3600
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(f"committer 法务编辑 <legal@example.com> {when} +0800\n".encode())
        chunks.append(b"data %d\n%s\n" % (len(msg), msg))
        chunks.append(f"M 100644 inline agreements/agreement-{k}.md\n".encode())
        chunks.append(b"data %d\n%s\n" % (len(body), body))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(chunks), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=root, check=True)


def git_floor(root: Path) -> None:
    log = subprocess.run(
        # the same git log kspub runs (rename detection included: following renames is part of the job)
        ["git", "log", "HEAD", "--first-parent", "--reverse", "--raw", "--no-abbrev", "-M", "-m",
         "--format=%x00%H%x1f%an%x1f%ae%x1f%cI%x1f%s", "--", "agreements"],
        cwd=root, check=True, capture_output=True,
    ).stdout.decode()
    blobs = [line.split()[3] for line in log.splitlines() if line.startswith(":")]
    out = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input="\n".join(blobs).encode() + b"\n",
                         check=True, capture_output=True).stdout  # fmt: skip
    assert len(out) > 0


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_repo(root)
        timelines = read_timelines(root)
        versions = sum(len(t.versions) for t in timelines.values())
        assert versions == COMMITS, versions
        ours = median_time(lambda: read_timelines(root), repeat=3)
        floor = median_time(lambda: git_floor(root), repeat=3)
    return [Row(f"timelines from {COMMITS} commits ({versions} versions)", ours, "git log + cat-file --batch", floor,
                target=3.0)]  # fmt: skip
