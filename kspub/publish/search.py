"""Clause-level entries for the site's search index.

The theme's search plugin indexes a page by its headings: a whole section would come back as one hit, with
every clause of the section as its text. Agreement pages therefore opt out of the plugin (``search: exclude``)
and kspub adds one entry per clause and item of the versions a customer may look for — the version in force and
any announced upcoming version; never archived versions or redlines. Each entry links straight to the clause's
permalink. Chinese is segmented with jieba exactly as the plugin does for the other pages (words joined by
zero-width spaces, which the configured separator splits on), so both kinds of entry answer the same queries.

This is the one place that knows the theme's search: its index format (``search/search_index.json``:
``config`` and ``docs`` of ``location``/``title``/``text``) and, in :func:`fix_query_segmentation`, one line of
its search worker. A different site generator would take these entries in its own format.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from kspub.errors import KspubError
from kspub.model import Agreement, Node, NodeKind
from kspub.publish.cache import Cache, key
from kspub.publish.markup import plain_text
from kspub.publish.snapshot import UPCOMING, PublishedAgreement, Snapshot

INDEX = Path("search") / "search_index.json"
WORKERS = Path("assets") / "javascripts" / "workers"
# mkdocs-material 9.x segments a Chinese query by looking its substrings up in the index, but its loop stops
# one character short: a word ending the query is never found, so "账户密码" searches "账户" only and
# "个人信息" searches "个人". The two replacements let the last word count (see decision record 0502).
_SEGMENTATION_FIX = (
    ("for(let o=s+1;o<t.length;o++)t.slice(s,o)in e", "for(let o=s+1;o<=t.length;o++)t.slice(s,o)in e"),
    ("n[a]&&a<t.length-1&&(i[s++]=a)", "n[a]&&a<t.length&&(i[s++]=a)"),
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")


def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its dictionary banner is not for our users
    return jieba


@lru_cache(maxsize=1 << 16)  # unchanged clauses recur in the version in force and the upcoming one
def segment(text: str) -> str:
    """Han runs cut into words joined by zero-width spaces, like the theme's search plugin does."""
    jieba = _jieba()
    return _HAN.sub(lambda m: "\u200b" + "\u200b".join(jieba.cut(m.group(0))) + "\u200b", text).strip("\u200b")


def _title(node: Node, by_id: dict[str, Node], agreement: Agreement) -> str:
    """What a hit is called: the clause's printed number (with its clause's for an item), else its section."""
    numbers = [node.number] if node.number else []
    parent = by_id.get(node.parent) if node.parent else None
    if node.kind is NodeKind.ITEM and parent is not None and parent.number:
        numbers.insert(0, parent.number)
    if numbers:
        return " ".join(numbers)
    while parent is not None and parent.kind is not NodeKind.SECTION:
        parent = by_id.get(parent.parent) if parent.parent else None
    return plain_text(parent.printed) if parent is not None else agreement.meta.title


#: A clause is what a reader looks for: its entries outrank whole pages (the theme's lunr index weighs each
#: document's ``boost``; pages keep the default 1).
CLAUSE_BOOST = 2


def _page_entries(location: str, title: str, agreement: Agreement) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = [{"location": location, "title": segment(html.escape(title, quote=False)), "text": ""}]
    by_id = agreement.by_id()
    for node in agreement.nodes:
        if node.kind is NodeKind.SECTION:
            continue
        entries.append(
            {
                "location": f"{location}#{node.id}",
                "title": segment(html.escape(_title(node, by_id, agreement), quote=False)),
                # the title carries the printed number; the text is the clause without it
                "text": segment(html.escape(plain_text(node.text if node.number else node.printed), quote=False)),
                "boost": CLAUSE_BOOST,
            }
        )
    return entries


def search_tasks(snapshot: Snapshot) -> list[tuple[str, str, Callable[[], list[dict[str, Any]]]]]:
    """Each page searched (the version in force, upcoming versions) as a cache entry (kind, key, compute) of
    its entries: what :func:`clause_entries` reads, for the build's workers to compute ahead
    (:func:`kspub.publish.parallel.prefetch`)."""
    return [task for published in snapshot.agreements for task in agreement_search_tasks(published)]


def agreement_search_tasks(published: PublishedAgreement) -> list[tuple[str, str, Callable[[], list[dict[str, Any]]]]]:
    """:func:`search_tasks` of one agreement."""
    pages = []
    if published.in_force is not None:
        pages.append((f"{published.id}/", published.title, published.in_force))
    for v in published.versions:
        if v.status == UPCOMING:
            pages.append((f"{published.id}/{v.label}/", f"{published.title}（即将生效的版本 {v.label}）", v))
    return [
        ("search", key("search", location, title, version.record.path, version.record.source),
         partial(_page_entries, location, title, version.agreement))
        for location, title, version in pages
    ]  # fmt: skip


def clause_entries(snapshot: Snapshot, cache: Cache | None = None) -> list[dict[str, Any]]:
    """One entry per page searched (the version in force, upcoming versions) and per clause and item on it."""
    cache = cache or Cache(None)
    entries: list[dict[str, Any]] = []
    for kind, k, compute in search_tasks(snapshot):
        entries += cache.get_or_compute(kind, k, compute)
    return entries


def load_segmenter() -> None:
    """Load jieba's dictionary (about 60 MB) now, in this process: processes forked after it share it instead of
    each loading its own (the theme's search plugin segments every page it renders)."""
    _jieba().initialize()


def unload_segmenter() -> None:
    """Let jieba's dictionary go, in this process, once the processes that segment are done: a process forked
    after it then does not hold it too. jieba loads it again when next asked to segment (its own tokenizer's
    state, as it is before its first use; ``tests/test_build_memory.py`` holds the segmentation the same)."""
    tokenizer = _jieba().dt
    with tokenizer.lock:
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = {}, 0, False
    segment.cache_clear()


def add_clause_entries(site: Path, snapshot: Snapshot, cache: Cache | None = None) -> int:
    """Append the clause entries to the index the theme wrote; returns how many were added."""
    path = site / INDEX
    try:
        index = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise KspubError(
            "KS924", f"找不到或无法读取网站的搜索索引 {INDEX.as_posix()}", hint="请确认 mkdocs.yml 中启用了 search 插件"
        ) from exc
    entries = clause_entries(snapshot, cache)
    index["docs"] = list(index.get("docs", [])) + entries
    # the theme's own layout (compact separators), so the file reads the same whichever side wrote an entry
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return len(entries)


def fix_query_segmentation(site: Path) -> bool:
    """Apply the query segmentation fix to the theme's search worker; False when the worker's code is not the
    one the fix was written for (another theme version): the worker is then left exactly as shipped."""
    patched = False
    for worker in sorted((site / WORKERS).glob("search.*.min.js")):
        code = worker.read_text("utf-8")
        if not all(code.count(old) == 1 for old, _ in _SEGMENTATION_FIX):
            continue
        for old, new in _SEGMENTATION_FIX:
            code = code.replace(old, new)
        worker.write_text(code, "utf-8")
        patched = True
    return patched
