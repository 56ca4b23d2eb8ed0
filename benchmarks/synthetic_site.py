"""A synthetic agreement repository: N agreements × V versions in a temporary git repository.

The text is realistic Chinese legal prose: phrases cut from the repository's own agreements, reassembled into
numbered sections, clauses and items. Every version changes a few clauses (a period, an amount, a sentence) and
adds one, like a real amendment. Versions are committed together (one commit per version across all
agreements, each with its release record, as ``kspub release`` writes it) through ``git fast-import``, so
building the history takes seconds, not minutes. Deterministic: the same arguments give the same repository.
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kspub.record import Release

ROOT = Path(__file__).resolve().parent.parent
NUMERALS = "一二三四五六七八九十"
_PHRASE_SPLIT = re.compile(r"[，。；：]")
_UNSAFE = re.compile(r"[0-9０-９第条款《》<>*\[\]()（）“”]")  # numbers and references would trip cross-reference lint


def phrase_pool() -> list[str]:
    """Plain phrases (no numbers, references or markup) from the repository's agreements."""
    pool: set[str] = set()
    for path in sorted((ROOT / "agreements").glob("*.md")):
        body = path.read_text("utf-8").split("\n---\n", 1)[-1]
        for line in body.splitlines():
            if line.startswith(("{", "#", "-")) or not line.strip():
                continue
            for phrase in _PHRASE_SPLIT.split(line):
                phrase = phrase.strip()
                if 6 <= len(phrase) <= 40 and not _UNSAFE.search(phrase):
                    pool.add(phrase)
    return sorted(pool)


def _sentence(rng: random.Random, pool: list[str]) -> str:
    return "，".join(rng.sample(pool, rng.randint(2, 5))) + "。"


def _document(
    agreement_id: int, version: int, rng_seed: int, pool: list[str], start: date, dates: tuple[date, date] | None = None
) -> str:
    """One version of one agreement; version k keeps version k-1's clauses, changes some, adds one."""
    rng = random.Random(rng_seed)  # the same seed per agreement: every version starts from the same skeleton
    sections = []
    for _ in range(5):
        clauses = [[_sentence(rng, pool) for _ in range(rng.randint(1, 2))] for _ in range(6)]
        sections.append((_sentence(rng, pool)[:12].rstrip("，。"), clauses))
    for k in range(1, version):  # the amendments of every earlier version, in order
        amend = random.Random(rng_seed * 1000 + k)
        for _ in range(3):
            s, c = amend.randrange(len(sections)), amend.randrange(6)
            sections[s][1][c].append(f"金山云将提前{10 + 5 * k}个自然日通知您。")
        sections[amend.randrange(len(sections))][1].append([_sentence(amend, pool)])
    effective = start + timedelta(days=120 * version)
    announced = effective - timedelta(days=30)
    if dates is not None:
        announced, effective = dates
    lines = [
        "---",
        f"id: agreement-{agreement_id:04d}",
        f"title: 金山云示例协议{agreement_id:04d}",
        "kind: agreement",
        f'version: "{version}.0"',
        f"announced: {announced.isoformat()}",
        f"effective: {effective.isoformat()}",
        f"summary: 第{version}版：调整通知期限并增加条款。" if version > 1 else "summary: 首次发布。",
        "notice: {default: {period: 30日, channels: [site, email], clause: amendment-notice}}",
        "---",
        "",
    ]
    for s, (title, clauses) in enumerate(sections, start=1):
        lines += [f"{{#s{s}}}", f"## {NUMERALS[s - 1]}、{title}", ""]
        for c, sentences in enumerate(clauses, start=1):
            tags = ' tags="fees"' if c == 1 else ""
            text = "".join(sentences)
            if c == 2:
                text = f"**{text}**"
            lines += [f"{{#c{s}-{c}{tags}}}", f"{s}.{c} {text}", ""]
            if c == 3:
                for i in range(1, 3):
                    lines += [f"{{#c{s}-{c}-i{i}}}", f"- （{i}）{_sentence(random.Random(rng_seed + s * 31 + i), pool)}", ""]
    # the clause the notice rule in the front matter rests on
    lines += ["{#s6}", "## 六、协议变更", "", "{#amendment-notice}",
              "6.1 金山云变更本协议的，将至少提前30个自然日在网站公告并以电子邮件通知您。", ""]  # fmt: skip
    return "\n".join(lines)


def _release(path: str, version: int, text: bytes) -> Release:
    """The release record's entry for one version, as ``kspub release`` would have written it."""
    from kspub.history import legal_text
    from kspub.model import sha256_text
    from kspub.parse import parse_agreement
    from kspub.record import Release

    meta = parse_agreement(text.decode(), path).agreement
    assert meta is not None, f"{path} version {version} does not parse"
    blob = hashlib.sha1(b"blob %d\0" % len(text) + text).hexdigest()  # noqa: S324 - git's object name
    return Release(version=f"{version}.0", path=path, blob=blob, sha256=sha256_text(legal_text(text.decode())),
                   announced=meta.meta.announced, effective=meta.meta.effective, summary=meta.meta.summary or "",
                   recorded=meta.meta.announced or date(2021, 1, 1))  # fmt: skip


def make_repository(folder: Path, agreements: int, versions: int = 10, seed: int = 7) -> Path:
    """Create ``folder`` as a git repository holding the synthetic corpus and the site configuration."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=folder, check=True)
    from kspub.record import Record, dump_record, record_path

    pool = phrase_pool()
    start = date(2021, 1, 1)
    stream: list[bytes] = []
    releases: dict[int, list[Release]] = {a: [] for a in range(1, agreements + 1)}
    for v in range(1, versions + 1):
        stream.append(b"commit refs/heads/main\n")
        stamp = 1609459200 + v * 86400 * 120  # 2021-01-01 UTC, then one version every 120 days
        stream.append(f"committer 法务编辑 <legal@example.com> {stamp} +0800\n".encode())
        message = f"第 {v} 版".encode()
        stream.append(b"data %d\n%s\n" % (len(message), message))
        for a in range(1, agreements + 1):
            text = _document(a, v, seed * 100_003 + a, pool, start).encode()
            path = f"agreements/agreement-{a:04d}.md"
            stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(text), text))
            releases[a].append(_release(path, v, text))
            record = dump_record(Record(f"agreement-{a:04d}", tuple(releases[a]))).encode()
            where = record_path(f"agreement-{a:04d}").encode()
            stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (where, len(record), record))
        if v == 1:
            config = (ROOT / "mkdocs.yml").read_bytes()
            stream.append(b"M 100644 inline mkdocs.yml\ndata %d\n%s\n" % (len(config), config))
            # the build's output stays out of the history, as in the agreements repository itself
            ignore = b"/build/\n"
            stream.append(b"M 100644 inline .gitignore\ndata %d\n%s\n" % (len(ignore), ignore))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=folder, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=folder, check=True)
    return folder


def add_version(folder: Path, agreement: int, announced: date, effective: date, seed: int = 7) -> str:
    """Commit the next version of one agreement of a repository :func:`make_repository` made (its first, when
    the repository has no such agreement yet), announced and effective on the dates given, with its release
    record entry; returns its label."""
    from kspub.record import Record, dump_record, parse_record, record_path

    agreement_id = f"agreement-{agreement:04d}"
    record_file = folder / record_path(agreement_id)
    if record_file.exists():
        record = parse_record(record_file.read_text("utf-8"), record_path(agreement_id))
    else:
        record = Record(agreement_id, ())
    version = len(record.releases) + 1
    text = _document(agreement, version, seed * 100_003 + agreement, phrase_pool(), date(2021, 1, 1),
                     (announced, effective)).encode()  # fmt: skip
    path = f"agreements/{agreement_id}.md"
    (folder / path).write_bytes(text)
    record = Record(agreement_id, (*record.releases, _release(path, version, text)))
    record_file.write_text(dump_record(record), "utf-8")
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True)
    env = {"GIT_AUTHOR_NAME": "法务编辑", "GIT_AUTHOR_EMAIL": "legal@example.com", "GIT_COMMITTER_NAME": "法务编辑",
           "GIT_COMMITTER_EMAIL": "legal@example.com", "GIT_AUTHOR_DATE": f"{announced.isoformat()}T10:00:00+08:00",
           "GIT_COMMITTER_DATE": f"{announced.isoformat()}T10:00:00+08:00"}  # fmt: skip
    import os

    subprocess.run(["git", "commit", "-q", "-m", f"{agreement_id} 第 {version} 版"], cwd=folder, check=True,
                   env={**os.environ, **env})  # fmt: skip
    return f"{version}.0"
