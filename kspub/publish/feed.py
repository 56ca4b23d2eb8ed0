"""Atom feeds of agreement versions: one for the whole site, one per agreement (rendered with feedgen).

A feed entry is a version. Everything in it comes from the version's data, so the same snapshot gives the same
bytes: the entry ID is a tag URI built from the agreement ID and the version label (stable wherever the site is
hosted), ``published`` is the announced date (midnight, Asia/Shanghai) or else the day the release record took
the version in, ``updated`` the latest of that and the days of the events recorded on the version (a correction,
a postponement, a withdrawal): never a commit date, so an edit that changes nothing a reader sees (a notice rule,
a tag) sends no one a notice. The feed's own ``updated`` is the latest of its entries' — never the build
timestamp or the clock — so a daily rebuild without a new event leaves a feed byte for byte as it was.

The site feed is a log (:mod:`kspub.publish.api_log`): a version has an entry for the day it reached the
publication and one for each day an event was recorded on it, each showing the version as it stood then, so its
RFC 5005 archive pages never change. The per-agreement feeds show each version as it is now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from kspub.law.period import shanghai
from kspub.publish.api_log import Entry, Log, pages
from kspub.publish.snapshot import PublishedAgreement, PublishedVersion

if TYPE_CHECKING:
    from kspub.record import Event

PUBLISHER = "金山云"
SITE_TITLE = "金山云协议更新"
#: Tag URI authority (RFC 4151): the publisher's domain and a year it held it. Never change it: entry IDs
#: must stay the same for feed readers to recognise entries they have already shown.
TAG_AUTHORITY = "ksyun.com,2022"


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
#: Entries per archive page of the site feed (RFC 5005 archived feeds), counted from the oldest entry of its log.
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


def _events(v: PublishedVersion, recorded: Iterable[Event] | None = None) -> list[tuple[date, str]]:
    """The events recorded on the version (or those of ``recorded``), each with its day and what it was, in
    Chinese."""
    release = v.record.release
    if recorded is None:
        recorded = release.events if release is not None else ()
    out = []
    for e in recorded:
        what = {"correction": "勘误", "postponement": "推迟生效", "withdrawal": "撤回（不再生效）"}.get(e.kind.value, e.kind.value)
        detail = f"，生效日期改为 {e.effective.isoformat()}" if e.effective is not None else ""
        out.append((e.date, f"{what}（{e.date.isoformat()}）：{e.reason}{detail}"))
    return out


def entry_updated(v: PublishedVersion, recorded: Iterable[Event] | None = None) -> datetime:
    """When a version's entry last changed in substance: its publication, or the latest event recorded on it (a
    correction, a postponement, a withdrawal) — of ``recorded`` when given (the events as of a log entry).
    ``changes.json`` rows carry the same time."""
    return max([_published(v), *(_midnight(day) for day, _ in _events(v, recorded))])


def _content(v: PublishedVersion, changes: Mapping[str, Any] | None, effective: date | None,
             recorded: Iterable[Event]) -> str:  # fmt: skip
    r = v.record
    lines = [f"版本：{r.label}"]
    if r.announced:
        lines.append(f"公告日期：{r.announced.isoformat()}")
    if effective:
        lines.append(f"生效日期：{effective.isoformat()}")
    if v.previous is not None:
        lines.append(f"上一版本：{v.previous}")
    if changes is not None:
        entries = [e for e in changes.get("changes", []) if isinstance(e, dict)]
        material = sum(1 for e in entries if e.get("class") == "material")
        lines.append(f"变更条款：{len(entries)} 处，其中重大变更 {material} 处")
    if r.summary:
        lines.append(f"变更说明：{r.summary}")
    lines.extend(text for _, text in _events(v, recorded))
    return "\n".join(lines)


def _title(name: str, v: PublishedVersion, effective: date | None) -> str:
    title = f"{name} {v.label}"
    if effective:
        title += f"（{effective.isoformat()} 生效）"
    return title


def _render(
    feed_id: str,
    title: str,
    self_url: str,
    alternate_url: str,
    entries: Sequence[Entry],
    links: FeedLinks,
    log: Log,
    paging: Mapping[str, str] | None = None,
    archive: bool = False,
) -> bytes:
    """A feed document of ``entries``, in the order given, each as of its log entry (:mod:`kspub.publish.api_log`)."""
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
    updated = [entry_updated(e.version, log.events(e)) for e in entries]
    fg.updated(max(updated, default=_midnight(date.min)))
    for entry, when in zip(entries, updated, strict=True):
        agreement, v = entry.agreement, entry.version
        effective = log.effective(entry)
        name = log.title(entry)
        fe = fg.add_entry(order="append")
        fe.id(entry_id(agreement.id, v.label))
        fe.title(_title(name, v, effective))
        fe.published(_published(v))
        fe.updated(when)
        fe.register_extension("kspub_links", _EntryLinks, atom=True, rss=False)
        fe.kspub_links.links = [
            {"href": links.version_page(agreement.id, v.label), "rel": "alternate", "type": "text/html"},
            {
                "href": links.version_document(agreement.id, v.label),
                "rel": "related",
                "type": "application/json",
            },
        ]
        fe.category(term=agreement.id, label=name)
        if v.record.summary:
            fe.summary(v.record.summary)
        fe.content(_content(v, log.changes(entry), effective, log.events(entry)), type="text")
    data: bytes = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data


def site_feeds(log: Log, links: FeedLinks, archive_url: Callable[[int], str]) -> tuple[bytes, list[bytes]]:
    """``feed.xml`` and its archive pages (RFC 5005): the site feed's log (:meth:`Log.feed_entries` — an entry per
    version and day a step of it was recorded), cut into pages of :data:`FEED_PAGE` counted from the oldest
    (:func:`kspub.publish.api_log.pages`); ``archive_url(1)`` is the oldest. An archive page shows its entries as
    they were, so it never changes; the current feed shows each version once, by its newest entry."""
    archived, current = pages(log.feed_entries(), FEED_PAGE)
    rendered = []
    for k, page in enumerate(archived, 1):
        # no next-archive link: it would rewrite the newest archive when the next one appears (RFC 5005 §4 makes
        # it optional)
        paging = {"current": links.site_feed}
        if k > 1:
            paging["prev-archive"] = archive_url(k - 1)
        rendered.append(_render(f"tag:{TAG_AUTHORITY}:feed", f"{SITE_TITLE}（存档 {k}）", archive_url(k), links.home,
                                page, links, log, paging, archive=True))  # fmt: skip
    feed = _render(f"tag:{TAG_AUTHORITY}:feed", SITE_TITLE, links.site_feed, links.home, current, links, log,
                   {"prev-archive": archive_url(len(archived))} if archived else None)  # fmt: skip
    return feed, rendered


def agreement_feed(agreement: PublishedAgreement, links: FeedLinks, log: Log) -> bytes:
    """``agreements/<id>/feed.xml``: every version of one agreement as it is now, newest first (not paged)."""
    latest = [log.latest(agreement, i) for i in range(len(agreement.versions))]
    latest.sort(key=lambda e: -e.position)
    latest.sort(key=lambda e: _published(e.version), reverse=True)
    return _render(
        f"tag:{TAG_AUTHORITY}:agreements/{agreement.id}/feed",
        f"{agreement.title} 版本更新",
        links.agreement_feed(agreement.id),
        links.agreement_page(agreement.id),
        latest,
        links,
        log,
    )
