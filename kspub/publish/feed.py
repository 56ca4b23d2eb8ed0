"""Atom feeds of agreement versions: one for the whole site, one per agreement (rendered with feedgen).

A feed entry is a version. Everything in it comes from the version's data, so the same snapshot gives the same
bytes: the entry ID is a tag URI built from the agreement ID and the version label (stable wherever the site is
hosted), ``published`` is the announced date (midnight, Asia/Shanghai) or else the day the release record took
the version in, ``updated`` the latest of that and the days of the events recorded on the version (a correction,
a postponement, a withdrawal): never a commit date, so an edit that changes nothing a reader sees (a notice rule,
a tag) sends no one a notice. The feed's own ``updated`` is the latest of its entries' — never the build
timestamp or the clock — so a daily rebuild without a new event leaves a feed byte for byte as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from kspub.law.period import shanghai
from kspub.publish.snapshot import PublishedAgreement, PublishedVersion, Snapshot

PUBLISHER = "金山云"
SITE_TITLE = "金山云协议更新"
#: Tag URI authority (RFC 4151): the publisher's domain and a year it held it. Never change it: entry IDs
#: must stay the same for feed readers to recognise entries they have already shown.
TAG_AUTHORITY = "ksyun.com,2022"

ChangeSets = Mapping[tuple[str, str], Mapping[str, Any] | None]
"""(agreement ID, version label) → that version's change set as plain data (``ChangeSet.to_dict()``)."""


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """Where the feeds and the things they announce live; supplied by the API, which owns the URL scheme."""

    site_feed: str
    agreement_feed: Callable[[str], str]
    agreement_page: Callable[[str], str]
    version_page: Callable[[str, str], str]
    version_document: Callable[[str, str], str]
    home: str


class _EntryLinks(BaseEntryExtension):  # type: ignore[misc]  # feedgen ships no type hints
    """Writes an entry's links with their ``rel`` and ``type``.

    feedgen 1.0's ``FeedEntry.link`` drops every attribute but ``href`` (lkiesow/python-feedgen#135), which
    would leave two ``rel="alternate"`` links per entry, invalid Atom. Its extension hook writes them instead.
    """

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: Any) -> Any:
        for link in self.links:
            xml_elem("link", entry, **link)
        return entry


FEED_HISTORY = "http://purl.org/syndication/history/1.0"
#: Entries per page of the site feed (RFC 5005 archived feeds): the current feed holds the newest 1..PAGE entries,
#: each archive page PAGE entries, counted from the oldest, so a page once full is not rewritten.
FEED_PAGE = 100


class _Archive(BaseExtension):  # type: ignore[misc]  # feedgen ships no type hints
    """Marks a feed document as an archive (RFC 5005 ``<fh:archive/>``)."""

    def extend_ns(self) -> dict[str, str]:
        return {"fh": FEED_HISTORY}

    def extend_atom(self, feed: Any) -> Any:
        xml_elem(f"{{{FEED_HISTORY}}}archive", feed)
        return feed


def entry_id(agreement_id: str, label: str) -> str:
    return f"tag:{TAG_AUTHORITY}:agreements/{agreement_id}/versions/{label}"


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=shanghai())


def _published(v: PublishedVersion) -> datetime:
    """The announced day, else the day the release record took the version in, else (a version recorded before
    the record kept that day) its first commit."""
    r = v.record
    if r.announced is not None:
        return _midnight(r.announced)
    if r.recorded is not None:
        return _midnight(r.recorded)
    if r.revisions:
        return datetime.fromisoformat(r.revisions[0].commit.committed)
    return _midnight(date.min)


def _events(v: PublishedVersion) -> list[tuple[date, str]]:
    """The events recorded on the version, each with its day and what it was, in Chinese."""
    release = v.record.release
    if release is None:
        return []
    out = []
    for e in release.events:
        what = {"correction": "勘误", "postponement": "推迟生效", "withdrawal": "撤回（不再生效）"}.get(e.kind.value, e.kind.value)
        detail = f"，生效日期改为 {e.effective.isoformat()}" if e.effective is not None else ""
        out.append((e.date, f"{what}（{e.date.isoformat()}）：{e.reason}{detail}"))
    return out


def entry_updated(v: PublishedVersion) -> datetime:
    """When a version's entry last changed in substance: its publication, or the latest event recorded on it (a
    correction, a postponement, a withdrawal). ``changes.json`` rows carry the same time."""
    return max([_published(v), *(_midnight(day) for day, _ in _events(v))])


def _content(v: PublishedVersion, changes: Mapping[str, Any] | None) -> str:
    r = v.record
    lines = [f"版本：{r.label}"]
    if r.announced:
        lines.append(f"公告日期：{r.announced.isoformat()}")
    if r.effective:
        lines.append(f"生效日期：{r.effective.isoformat()}")
    if v.previous is not None:
        lines.append(f"上一版本：{v.previous}")
    if changes is not None:
        entries = [e for e in changes.get("changes", []) if isinstance(e, dict)]
        material = sum(1 for e in entries if e.get("class") == "material")
        lines.append(f"变更条款：{len(entries)} 处，其中重大变更 {material} 处")
    if r.summary:
        lines.append(f"变更说明：{r.summary}")
    lines.extend(text for _, text in _events(v))
    return "\n".join(lines)


def _title(agreement: PublishedAgreement, v: PublishedVersion) -> str:
    title = f"{v.agreement.meta.title or agreement.title} {v.label}"
    if v.record.effective:
        title += f"（{v.record.effective.isoformat()} 生效）"
    return title


def _render(
    feed_id: str,
    title: str,
    self_url: str,
    alternate_url: str,
    entries: Iterable[tuple[PublishedAgreement, int]],
    links: FeedLinks,
    change_sets: ChangeSets | None,
    paging: Mapping[str, str] | None = None,
    archive: bool = False,
) -> bytes:
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.language("zh-CN")
    fg.author({"name": PUBLISHER})
    fg.generator("kspub")  # no library version: upgrading feedgen must not change the bytes
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=alternate_url, rel="alternate", type="text/html")
    for rel, href in (paging or {}).items():  # RFC 5005: current, prev-archive
        fg.link(href=href, rel=rel, type="application/atom+xml")
    if archive:
        fg.register_extension("fh", _Archive, None, atom=True, rss=False)  # the feed is the archive, not its entries
    # newest first; ties (one commit importing several agreements) by agreement ID, then newest version first
    ordered = sorted(entries, key=lambda e: (e[0].id, -e[1]))
    fg.updated(max((entry_updated(a.versions[i]) for a, i in ordered), default=_midnight(date.min)))
    ordered.sort(key=lambda e: _published(e[0].versions[e[1]]), reverse=True)
    for agreement, position in ordered:
        v = agreement.versions[position]
        if change_sets is not None and (agreement.id, v.label) in change_sets:
            changes = change_sets[(agreement.id, v.label)]
        else:
            changes = v.changes.to_dict() if v.changes is not None else None
        fe = fg.add_entry(order="append")
        fe.id(entry_id(agreement.id, v.label))
        fe.title(_title(agreement, v))
        fe.published(_published(v))
        fe.updated(entry_updated(v))
        fe.register_extension("kspub_links", _EntryLinks, atom=True, rss=False)
        fe.kspub_links.links = [
            {"href": links.version_page(agreement.id, v.label), "rel": "alternate", "type": "text/html"},
            {
                "href": links.version_document(agreement.id, v.label),
                "rel": "related",
                "type": "application/json",
            },
        ]
        fe.category(term=agreement.id, label=agreement.title)
        if v.record.summary:
            fe.summary(v.record.summary)
        fe.content(_content(v, changes), type="text")
    data: bytes = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data


def site_feeds(
    snapshot: Snapshot, links: FeedLinks, archive_url: Callable[[int], str], change_sets: ChangeSets | None = None
) -> tuple[bytes, list[bytes]]:
    """``feed.xml`` and its archive pages (RFC 5005): every version of every agreement, newest first.

    The entries, oldest first, are cut into pages of :data:`FEED_PAGE`; every full page but the one the newest
    entry is on becomes an archive (``archive_url(1)`` the oldest), the rest is the current feed. ``change_sets``
    maps (agreement, version) to the version's change set as plain data, when the caller has it already.
    """
    entries = [(a, i) for a in snapshot.agreements for i in range(len(a.versions))]
    entries.sort(key=lambda e: (e[0].id, -e[1]))
    entries.sort(key=lambda e: _published(e[0].versions[e[1]]), reverse=True)
    entries.reverse()  # oldest first
    archives = (len(entries) - 1) // FEED_PAGE if entries else 0
    pages = []
    for k in range(1, archives + 1):
        # no next-archive link: it would rewrite the newest archive when the next one appears (RFC 5005 §4 makes
        # it optional); a page once full never changes unless an entry on it does (a correction, a postponement)
        paging = {"current": links.site_feed}
        if k > 1:
            paging["prev-archive"] = archive_url(k - 1)
        pages.append(_render(f"tag:{TAG_AUTHORITY}:feed", f"{SITE_TITLE}（存档 {k}）", archive_url(k), links.home,
                             entries[(k - 1) * FEED_PAGE : k * FEED_PAGE], links, change_sets, paging, archive=True))  # fmt: skip
    current = _render(f"tag:{TAG_AUTHORITY}:feed", SITE_TITLE, links.site_feed, links.home,
                      entries[archives * FEED_PAGE :], links, change_sets,
                      {"prev-archive": archive_url(archives)} if archives else None)  # fmt: skip
    return current, pages


def agreement_feed(
    agreement: PublishedAgreement, links: FeedLinks, change_sets: ChangeSets | None = None
) -> bytes:
    """``agreements/<id>/feed.xml``: every version of one agreement, newest first."""
    return _render(
        f"tag:{TAG_AUTHORITY}:agreements/{agreement.id}/feed",
        f"{agreement.title} 版本更新",
        links.agreement_feed(agreement.id),
        links.agreement_page(agreement.id),
        ((agreement, i) for i in range(len(agreement.versions))),
        links,
        change_sets,
    )
