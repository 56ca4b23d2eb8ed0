"""Shared by the site tests: a demo repository with a past, an in-force and an upcoming version, and helpers to
read the built HTML."""

from __future__ import annotations

import gzip
import hashlib
import html
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from .conftest import ROOT, demo_text, git, release_all

AS_OF = date(2026, 3, 1)
EPOCH = "1772294400"  # 2026-02-28T16:00:00Z = 2026-03-01 00:00 in Asia/Shanghai

V1 = demo_text("1.0", extra="announced: 2025-11-01\neffective: 2025-12-01\n")
V2 = demo_text(
    "2.0",
    fee="免费服务转为收费前，金山云将提前30个自然日通知您。",
    extra="announced: 2025-12-15\neffective: 2026-01-15\nsummary: 收费通知期由10日延长为30日。\n",
)
V3 = demo_text(
    "3.0",
    fee="免费服务转为收费前，金山云将提前**15个自然日**通知您，通知方式包括站内信与邮件。",
    extra="announced: 2026-02-20\neffective: 2026-04-01\nsummary: 收费通知期调整为15日，并明确通知方式。\n",
)


@contextmanager
def source_date_epoch(value: str) -> Iterator[None]:
    """SOURCE_DATE_EPOCH set to ``value`` for the duration (restored after): a build at that build time."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def commit(repo: Path, files: dict[str, str], message: str = "更新协议") -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    release_all(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def site_repo(repo: Path) -> Path:
    """An empty agreement repository that builds a site: git on main, the project's mkdocs.yml, build/ ignored."""
    (repo / "agreements").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    (repo / ".gitignore").write_text("/build/\n", "utf-8")
    return repo


def demo_repo(repo: Path) -> Path:
    """demo: 1.0 (archived on AS_OF), 2.0 (in force), 3.0 (announced, effective 2026-04-01)."""
    site_repo(repo)
    commit(repo, {"agreements/demo.md": V1}, "示例协议 1.0")
    commit(repo, {"agreements/demo.md": V2}, "示例协议 2.0")
    commit(repo, {"agreements/demo.md": V3}, "示例协议 3.0")
    return repo


def expected_text(printed: str) -> str:
    """What a reader must see of a node's printed source: the text without its inline Markdown (bold markers,
    autolink brackets, backslash escapes). Written independently of kspub.publish.markup."""
    text = re.sub(r"\\([!-/:-@\[-`{-~])", lambda m: "\x00" + m.group(1), printed)
    text = re.sub(r"<((?:https?://|mailto:)[^\s<>]+)>", r"\1", text)
    text = re.sub(r"\[([^\[\]\n]+)\]\(\s*((?:https?://|mailto:|#)[^\s()<>]*)\s*\)", r"\1", text)
    return text.replace("**", "").replace("\x00", "")


def visible(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def node_text(page: str, node_id: str) -> str | None:
    """The text shown for a node: a clause's or item's first paragraph, a section heading, without its ¶ link."""
    ident = re.escape(node_id)
    m = re.search(rf'id="{ident}"><p class="ks-text">(.*?)<a class="ks-permalink" href="#{ident}"', page)
    if m is None:
        m = re.search(rf'<h[1-6] id="{ident}">(.*?)<a class="headerlink" href="#{ident}"', page)
    return visible(m.group(1)) if m else None


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def all_output_text(folder: Path) -> str:
    """Every file's text (gzip files decompressed), to look for text that must never be published."""
    parts = []
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            data = gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
            parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)
