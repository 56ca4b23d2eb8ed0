"""The static JSON API: every document under ``api/v1/`` rendered in memory from one :class:`Snapshot`.

Documents (paths relative to ``api/v1/``, see docs/api.md):

- ``index.json`` — every agreement with its version in force and upcoming versions (mutable pointer);
- ``agreements/<id>.json`` — the timeline: every version with its dates, hash, summary and commits;
- ``agreements/<id>/<version>.json`` — one version's text, node by node, and its changes (cacheable);
- ``agreements/<id>/current.json`` — which version is in force on the build's date, and what comes next;
- ``agreements/<id>/clauses/<clause>.json`` — one clause across every version;
- ``sla.json``, ``agreements/<id>/feed.xml``;
- ``changes.json`` and ``feed.xml`` with their archive pages, from the change log (:mod:`kspub.publish.api_log`):
  archive pages never change;
- ``schemas/<type>.schema.json`` — the JSON Schema of each document type;
- ``openapi.json`` — an OpenAPI 3.1 description of every path, with the schemas as components;
- ``manifest/index.json`` and ``manifest/agreements/<id>.json`` — the split manifest a mirror reads: the files in
  no part (pointers and site-wide documents), and each agreement's files in a part listed by its hash;
- ``manifest.json`` — sha256 and size of every other file, in one list (1.0; rewritten every build).

Only published data is read: parsed nodes, validated front-matter fields and commit dates. The raw source
(front matter with its ``internal`` notes), author names and emails never reach a document. Rendering is pure:
no clock, no environment; the build timestamp comes from the snapshot.

This module renders the pointers, timelines, indexes, the manifest and the schemas, and assembles the tree; the
documents about the text of versions are in :mod:`kspub.publish.api_versions`, what every document shares
(paths, URLs, header, serialisation) in :mod:`kspub.publish.api_contract`.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from datetime import date
from functools import cache, partial
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from kspub.errors import KspubError
from kspub.law.workdays import load_calendar
from kspub.publish import feed
from kspub.publish.api_contract import (
    API_DIR,
    DOCUMENT_TYPES,
    MANIFEST,
    MANIFEST_INDEX,
    TIMEZONE,
    Urls,
    changes_archive_path,
    check_base_url,
    clause_path,
    current_path,
    document_header,
    dump_json,
    feed_archive_path,
    feed_path,
    iso_date,
    manifest_part_path,
    schema_path,
    since_path,
    stable_header,
    timeline_path,
    version_path,
)
from kspub.publish.api_log import Entry, Log, change_date, counts, pages
from kspub.publish.api_notice import calendar_fingerprint
from kspub.publish.api_openapi import OPENAPI, openapi_document
from kspub.publish.api_since import since_documents, since_pairs, since_task
from kspub.publish.api_versions import (
    VersionInput,
    clause_documents,
    corrections,
    notice_task,
    prepare_versions,
    printed_dates,
    version_document,
)
from kspub.publish.cache import Cache
from kspub.publish.links import Published, sha256_fingerprint, write_new
from kspub.publish.parallel import Task
from kspub.publish.snapshot import PublishedAgreement, PublishedVersion, Snapshot

# ── pointers, timelines and indexes ─────────────────────────────────────────────────────────────────────────


def _commits(v: PublishedVersion) -> list[dict[str, Any]]:
    # Only the commit and its date: author names and emails are not published.
    return [
        {"sha": r.commit.sha, "committed": r.commit.committed, "correction": r.correction}
        for r in v.record.revisions
    ]


def redirect_document(old_id: str, new_id: str, urls: Urls) -> dict[str, Any]:
    """``agreements/<old-id>.json`` and ``agreements/<old-id>/current.json`` of a renamed agreement."""
    return {
        **stable_header(),
        "agreement": old_id,
        "renamed_to": new_id,
        "urls": {
            "timeline": urls.api(timeline_path(new_id)),
            "current": urls.api(current_path(new_id)),
            "page": urls.page(new_id),
        },
    }


def timeline_document(versions: Sequence[VersionInput], urls: Urls) -> dict[str, Any]:
    """``agreements/<id>.json``: every version, enough to tell which one is in force on any date."""
    agreement = versions[0].agreement
    in_force = agreement.in_force
    rows = []
    for pv in versions:
        v = pv.version
        rows.append(
            {
                "version": v.label,
                "status": v.status,
                "announced": iso_date(v.record.announced),
                "effective": iso_date(v.record.effective),
                "printed_dates": printed_dates(v),
                "sha256": v.record.text_sha256,
                "summary": v.record.summary,
                "material": pv.material,
                "previous": v.previous,
                "commits": _commits(v),
                "corrections": corrections(v),
                "recorded": iso_date(v.record.recorded),
                "withdrawn": _version_withdrawal(v),
                "url": urls.api(version_path(agreement.id, v.label)),
            }
        )
    return {
        **stable_header(),
        "timezone": TIMEZONE,
        "agreement": agreement.id,
        "title": agreement.title,
        "kind": agreement.kind,
        "in_force": in_force.label if in_force else None,
        "upcoming": [v.label for v in agreement.upcoming],
        "versions": rows,
        "withdrawn": agreement.withdrawn.to_data() if agreement.withdrawn else None,
        "formerly": list(agreement.formerly),
        "urls": _agreement_urls(agreement, urls),
    }


def _version_withdrawal(v: PublishedVersion) -> dict[str, str] | None:
    """The recorded withdrawal of a version before it took effect, if any."""
    release = v.record.release
    event = release.withdrawal if release is not None else None
    return {"date": event.date.isoformat(), "reason": event.reason} if event is not None else None


def _agreement_urls(agreement: PublishedAgreement, urls: Urls) -> dict[str, Any]:
    in_force = agreement.in_force
    return {
        "page": urls.page(agreement.id),
        "timeline": urls.api(timeline_path(agreement.id)),
        "current": urls.api(current_path(agreement.id)),
        "document": urls.api(version_path(agreement.id, in_force.label)) if in_force else None,
        "feed": urls.api(feed_path(agreement.id)),
    }


def _pointer(agreement: PublishedAgreement, v: PublishedVersion, urls: Urls) -> dict[str, Any]:
    return {
        "version": v.label,
        "announced": iso_date(v.record.announced),
        "effective": iso_date(v.record.effective),
        "sha256": v.record.text_sha256,
        "url": urls.api(version_path(agreement.id, v.label)),
    }


def _next_change(agreement: PublishedAgreement) -> str | None:
    dates = [v.record.effective for v in agreement.upcoming if v.record.effective is not None]
    return min(dates).isoformat() if dates else None


def current_document(snapshot: Snapshot, agreement: PublishedAgreement, urls: Urls) -> dict[str, Any]:
    """``agreements/<id>/current.json``: the version in force on the build's date, and the ones announced next.

    ``next_change`` is the first date on which this pointer goes stale.
    """
    in_force = agreement.in_force
    return {
        **document_header(snapshot),
        "as_of": snapshot.as_of.isoformat(),
        "timezone": TIMEZONE,
        "agreement": agreement.id,
        "title": agreement.title,
        "in_force": _pointer(agreement, in_force, urls) if in_force else None,
        "upcoming": [_pointer(agreement, v, urls) for v in agreement.upcoming],
        "next_change": _next_change(agreement),
        "timeline": urls.api(timeline_path(agreement.id)),
    }


def index_document(snapshot: Snapshot, urls: Urls) -> dict[str, Any]:
    """``index.json``: every agreement, its version in force and upcoming versions, and where to read more; and
    each agreement's whole timeline (the rows the in-force rule needs), so "in force on date D" for every agreement
    is one fetch."""
    rows = []
    for a in snapshot.agreements:
        in_force = a.in_force
        rows.append(
            {
                "id": a.id,
                "title": a.title,
                "kind": a.kind,
                "latest": a.latest.label,
                "versions": len(a.versions),
                "in_force": (
                    {
                        "version": in_force.label,
                        "effective": iso_date(in_force.record.effective),
                        "sha256": in_force.record.text_sha256,
                    }
                    if in_force
                    else None
                ),
                "upcoming": [
                    {
                        "version": v.label,
                        "announced": iso_date(v.record.announced),
                        "effective": iso_date(v.record.effective),
                    }
                    for v in a.upcoming
                ],
                "next_change": _next_change(a),
                "urls": _agreement_urls(a, urls),
                "timeline": [
                    {
                        "version": v.label,
                        "status": v.status,
                        "announced": iso_date(v.record.announced),
                        "effective": iso_date(v.record.effective),
                        "sha256": v.record.text_sha256,
                        "withdrawn": _version_withdrawal(v),
                    }
                    for v in a.versions
                ],
                "withdrawn": a.withdrawn.to_data() if a.withdrawn else None,
            }
        )
    return {
        **document_header(snapshot),
        "as_of": snapshot.as_of.isoformat(),
        "timezone": TIMEZONE,
        "agreements": rows,
        "urls": {
            "changes": urls.api("changes.json"),
            "feed": urls.api(feed_path()),
            "manifest": urls.api(MANIFEST),
            "manifest_index": urls.api(MANIFEST_INDEX),
            "sla": urls.api("sla.json") if snapshot.sla is not None else None,
            "schemas": {t: urls.api(schema_path(t)) for t in DOCUMENT_TYPES},
        },
    }

def sla_document(snapshot: Snapshot) -> dict[str, Any] | None:
    """``sla.json``: the SLA catalogue as published (figures the source leaves open stay null)."""
    if snapshot.sla is None:
        return None
    catalogue = snapshot.sla.to_dict()
    return {
        **stable_header(),
        "title": catalogue["title"],
        "categories": catalogue["categories"],
        "counts": {"categories": len(snapshot.sla.categories), "entries": len(snapshot.sla.entries)},
    }


#: Rows per archive page of ``changes.json`` (``changes/<n>.json``, 1 the oldest), counted from the oldest entry
#: of the change log (:mod:`kspub.publish.api_log`).
CHANGES_PAGE = 200


def change_row(log: Log, entry: Entry, urls: Urls) -> dict[str, Any]:
    """A row of ``changes.json``: a version transition as of a log entry."""
    v, a = entry.version, entry.agreement
    changes = log.changes(entry)
    effective = log.effective(entry)
    listed, kind = change_date(v, effective)
    return {
        "id": feed.entry_id(a.id, v.label),
        "updated": feed.entry_updated(v, log.events(entry)).isoformat(),
        "logged": entry.day.isoformat(),
        "agreement": a.id,
        "title": log.title(entry),
        "from": v.previous,
        "to": v.label,
        "status": entry.status,
        "date": listed,
        "date_kind": kind,
        "announced": iso_date(v.record.announced),
        "effective": iso_date(effective),
        "material": bool(changes and changes.get("material")),
        "summary": v.record.summary,
        "counts": counts(list(changes["changes"]) if changes else []),
        "urls": {
            "from": urls.api(version_path(a.id, v.previous)) if v.previous else None,
            "to": urls.api(version_path(a.id, v.label)),
            "timeline": urls.api(timeline_path(a.id)),
        },
    }


def changes_documents(log: Log, urls: Urls) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``changes.json`` and its archive pages, from the change log (:meth:`Log.changes_entries` — an entry per
    version and day its steps or its status changed its row): archive pages of :data:`CHANGES_PAGE` entries
    counted from the oldest, each showing its entries as they were, so it never changes; the current page with
    each version once, by its newest entry."""
    archived, current = pages(log.changes_entries(), CHANGES_PAGE)

    def page(entries: list[Entry], k: int | None) -> dict[str, Any]:
        older = (k - 1 if k is not None else len(archived)) or None
        return {
            **stable_header(),
            "archive": k is not None,
            "changes": [change_row(log, e, urls) for e in entries],
            "urls": {
                "current": urls.api("changes.json"),
                "prev_archive": urls.api(changes_archive_path(older)) if older else None,
            },
        }

    return page(current, None), [page(entries, k) for k, entries in enumerate(archived, 1)]


@cache
def schema_bytes(document_type: str) -> bytes:
    """The packaged JSON Schema of a document type, byte for byte as published."""
    if document_type not in DOCUMENT_TYPES:
        raise KeyError(document_type)
    return resources.files("kspub").joinpath(f"schemas/api/{document_type}.schema.json").read_bytes()


def schema(document_type: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a document type."""
    data: dict[str, Any] = json.loads(schema_bytes(document_type))
    return data


Digest = tuple[str, int]
"""A file's sha256 (hex) and size: all the manifests say of it."""


def digest(data: bytes) -> Digest:
    return hashlib.sha256(data).hexdigest(), len(data)


def _file_entry(path: str, of: Digest) -> dict[str, Any]:
    return {"path": path, "sha256": of[0], "size": of[1]}


def manifest_document(snapshot: Snapshot, files: Mapping[str, Digest]) -> dict[str, Any]:
    """``manifest.json``: sha256 and size of every other file under ``api/v1/``, sorted by path."""
    return {
        **document_header(snapshot),
        "files": [_file_entry(path, of) for path, of in sorted(files.items()) if path != MANIFEST],
    }


def _part_of(path: str, owners: Mapping[str, str]) -> str | None:
    """The agreement whose manifest part lists ``path``: every file under ``agreements/<id>`` (and ``<id>.json``)
    but the agreement's own ``current.json``, which changes every build; a former ID's redirects belong to the
    agreement it was renamed to. None: a file of the top list."""
    parts = path.split("/")
    if parts[0] != "agreements" or len(parts) < 2:
        return None
    agreement = parts[1].removesuffix(".json") if len(parts) == 2 else parts[1]
    owner = owners.get(agreement)
    if owner == agreement and parts[2:] == ["current.json"]:
        return None
    return owner


def manifest_documents(snapshot: Snapshot, files: Mapping[str, Digest]) -> dict[str, bytes]:
    """The split manifest over ``files`` (every other file of the API): ``manifest/agreements/<id>.json`` for each
    agreement — its files, no build time, so its bytes move only with theirs — and ``manifest/index.json``, the
    files in no part (the pointers and the site-wide documents) and every part by its sha256. A mirror fetches
    the index every time and a part only when its hash moved."""
    owners = {old: a.id for a in snapshot.agreements for old in (a.id, *a.formerly)}
    listed: dict[str, list[dict[str, Any]]] = {a.id: [] for a in snapshot.agreements}
    loose: list[dict[str, Any]] = []
    for path, of in sorted(files.items()):
        if path in (MANIFEST, MANIFEST_INDEX):
            continue
        owner = _part_of(path, owners)
        (listed[owner] if owner is not None else loose).append(_file_entry(path, of))
    out: dict[str, bytes] = {}
    parts = []
    for agreement in sorted(listed):
        path = manifest_part_path(agreement)
        out[path] = dump_json({**stable_header(), "agreement": agreement, "files": listed[agreement]})
        parts.append({"agreement": agreement, **_file_entry(path, digest(out[path]))})
    out[MANIFEST_INDEX] = dump_json({**document_header(snapshot), "files": loose, "parts": parts})
    return out


def version_in_force(
    versions: Sequence[Mapping[str, Any]], on: date, withdrawn: Mapping[str, Any] | None = None
) -> str | None:
    """The rule clients apply to a timeline's ``versions`` (and its ``withdrawn``): which label is in force on
    a date.

    Nothing is in force on or after the agreement's ``withdrawn`` date. Otherwise walk the versions in
    timeline order, skipping a version whose own ``withdrawn`` date is on or before the date; the last one
    whose ``effective`` date is on or before the date (Asia/Shanghai calendar date) wins, and a version without
    an effective date counts as in force from the start. Draft versions are never published.
    """
    day = on.isoformat()
    if withdrawn is not None and str(withdrawn["date"]) <= day:
        return None
    current = None
    for row in versions:
        effective, gone = row.get("effective"), row.get("withdrawn")
        if gone is not None and str(gone["date"]) <= day:
            continue
        if effective is None or str(effective) <= day:
            current = str(row["version"])
    return current


# ── the whole tree ──────────────────────────────────────────────────────────────────────────────────────────


def api_tasks(snapshot: Snapshot, cache: Cache) -> dict[str, list[Task]]:
    """The API's expensive cache entries per agreement ID — each version's notice assessment and every ``since``
    comparison (with the comparison it rests on, shared with the site's pages) — for the build's workers to
    compute ahead (:func:`kspub.publish.parallel.prefetch_groups`); :func:`build_api` then finds them, and
    computes any that failed."""
    calendar = snapshot.calendar if snapshot.calendar is not None else load_calendar()
    calendar_key = calendar_fingerprint(calendar) if cache.folder is not None else ""
    out: dict[str, list[Task]] = {}
    for agreement in snapshot.agreements:
        tasks = out[agreement.id] = []
        versions = [VersionInput(agreement, v, None, None) for v in agreement.versions]
        for before, v in pairwise(agreement.versions):
            if v.changes is not None:
                tasks.append(notice_task(before, v, calendar, calendar_key))
        for i, targets in since_pairs(versions) if versions else ():
            tasks.extend(since_task(versions[i], versions[j], calendar, cache, calendar_key)
                         for j in sorted(set(targets.values()) - {-1}))  # fmt: skip
    return out


class _Output:
    """Where the API's files go as they are made: kept (:func:`build_api`), or written under ``root`` and let go
    (:func:`write_api`: the API of a large repository is hundreds of megabytes); either way each file's
    :func:`digest` is kept for the manifests."""

    def __init__(self, root: Path | None = None, published: Published | None = None) -> None:
        self.root = root
        self.published = published or Published()
        self.data: dict[str, bytes] = {}
        self.digests: dict[str, Digest] = {}
        self._folders: set[str] = set()

    def __setitem__(self, rel: str, data: bytes) -> None:
        self.digests[rel] = digest(data)
        if self.root is None:
            self.data[rel] = data
            return
        # unreachable after the checks of every ID and label; a last guard (the folder is new: no links in it)
        if rel.startswith("/") or ".." in rel.split("/") or "\0" in rel:
            raise KspubError("KS910", f"发布路径 {rel} 超出了 {API_DIR} 目录")
        folder, _, _ = rel.rpartition("/")
        if folder not in self._folders:
            os.makedirs(f"{self.root}/{folder}", exist_ok=True)
            self._folders.add(folder)
        path = f"{self.root}/{rel}"
        if not self.published.link("site", f"{API_DIR}/{rel}", sha256_fingerprint(self.digests[rel][0]), Path(path)):
            write_new(Path(path), data)

    def update(self, files: Mapping[str, bytes]) -> None:
        for rel, data in files.items():
            self[rel] = data


def build_api(snapshot: Snapshot, *, base_url: str = "", cache: Cache | None = None) -> dict[str, bytes]:
    """Every file of the API, path (relative to ``api/v1/``) → bytes. Pure: same snapshot, same bytes.

    ``cache`` keeps the expensive comparisons of the ``since`` documents and the versions' notice assessments
    between builds, keyed by their inputs (:mod:`kspub.publish.api_since`); with or without it the bytes are the
    same."""
    files = _Output()
    _make_api(snapshot, files, base_url, cache)
    return dict(sorted(files.data.items()))


def _make_api(snapshot: Snapshot, files: _Output, base_url: str, cache: Cache | None, helpers: int = 1) -> None:
    """:func:`build_api` into ``files``; with ``helpers`` > 1 and files written to disk, a forked helper writes
    part of the agreements' files meanwhile."""
    urls = Urls(check_base_url(base_url))
    cache = cache if cache is not None else Cache(None)
    calendar = snapshot.calendar if snapshot.calendar is not None else load_calendar()
    calendar_key = calendar_fingerprint(calendar) if cache.folder is not None else ""
    prepared = [prepare_versions(a, calendar, cache, calendar_key) for a in snapshot.agreements]
    links = feed.FeedLinks(
        site_feed=urls.api(feed_path()),
        agreement_feed=lambda a: urls.api(feed_path(a)),
        agreement_page=lambda a: urls.page(a),
        version_page=urls.page,
        version_document=lambda a, label: urls.api(version_path(a, label)),
        home=urls.base + "/",
    )
    change_sets = {(pv.agreement.id, pv.label): pv.changes for versions in prepared for pv in versions}
    log = Log(snapshot.agreements, snapshot.as_of, change_sets)

    def agreement_files(share: Sequence[Sequence[VersionInput]], out: _Output) -> None:
        for versions in share:
            agreement = versions[0].agreement
            out[timeline_path(agreement.id)] = dump_json(timeline_document(versions, urls))
            out[current_path(agreement.id)] = dump_json(current_document(snapshot, agreement, urls))
            for pv in versions:
                out[version_path(agreement.id, pv.label)] = dump_json(version_document(pv))
            for label, document in since_documents(versions, calendar, urls, cache, calendar_key).items():
                out[since_path(agreement.id, label)] = dump_json(document)
            for clause_id, document in clause_documents(versions).items():
                out[clause_path(agreement.id, clause_id)] = dump_json(document)
            out[feed_path(agreement.id)] = feed.agreement_feed(agreement, links, log)

    # Written to disk with a core to spare: the later agreements' files by a forked helper, meanwhile the rest here
    mine, theirs = _shares(prepared) if files.root is not None and helpers > 1 else (prepared, [])
    helper = _Helper.start(files, cache, partial(agreement_files, theirs)) if theirs else None
    try:
        files["index.json"] = dump_json(index_document(snapshot, urls))
        agreement_files(mine, files)
        _make_api_rest(snapshot, files, urls, links, log)
        if helper is not None:
            helper.finish(files, cache)
    finally:
        if helper is not None:
            helper.stop()
    files.update(manifest_documents(snapshot, files.digests))
    _check_no_collisions(files.digests)
    files[MANIFEST] = dump_json(manifest_document(snapshot, files.digests))


def _make_api_rest(snapshot: Snapshot, files: _Output, urls: Urls, links: feed.FeedLinks, log: Log) -> None:
    """The documents of the whole API (all but one agreement's own and the manifests)."""
    for agreement in snapshot.agreements:
        for old_id in agreement.formerly:  # the old addresses of a renamed agreement say where it went
            moved = dump_json(redirect_document(old_id, agreement.id, urls))
            files[timeline_path(old_id)] = moved
            files[current_path(old_id)] = moved
    sla = sla_document(snapshot)
    if sla is not None:
        files["sla.json"] = dump_json(sla)
    current_changes, archived_changes = changes_documents(log, urls)
    files["changes.json"] = dump_json(current_changes)
    for k, document in enumerate(archived_changes, 1):
        files[changes_archive_path(k)] = dump_json(document)
    current_feed, archived = feed.site_feeds(log, links, lambda k: urls.api(feed_archive_path(k)))
    files[feed_path()] = current_feed
    for k, page in enumerate(archived, 1):
        files[feed_archive_path(k)] = page
    for document_type in DOCUMENT_TYPES:
        files[schema_path(document_type)] = schema_bytes(document_type)
    files[OPENAPI] = dump_json(openapi_document({t: schema(t) for t in DOCUMENT_TYPES}, urls))


def _shares(prepared: list[list[VersionInput]]) -> tuple[list[list[VersionInput]], list[list[VersionInput]]]:
    """The agreements split for :class:`_Helper`: about half the versions to each side, a little less to this
    process, which also writes the documents of the whole API."""
    total = sum(map(len, prepared))
    done, cut = 0, len(prepared)
    for i, versions in enumerate(prepared):
        if done >= total * 0.45:
            cut = i
            break
        done += len(versions)
    return prepared[:cut], prepared[cut:]


class _Helper:
    """A forked process that writes a share of the agreements' files into the same folder (``os.fork``: the
    API's own process, a daemon, may not start a ``multiprocessing`` one), then reports what it wrote — each
    file's digest, what it linked, the cache entries it read — for this process's manifests and figures."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd

    @classmethod
    def start(cls, files: _Output, cache: Cache, work: Callable[[_Output], None]) -> _Helper:
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the helper itself (its result is checked by the parent)
            os.close(reader)
            try:
                out = _Output(files.root, files.published)
                linked, used = set(out.published.linked["site"]), set(cache.used)
                hits, missed = cache.hits, dict(cache.missed)
                work(out)
                result: dict[str, Any] = {
                    "ok": True, "digests": out.digests, "linked": out.published.linked["site"] - linked,
                    "used": cache.used - used, "hits": cache.hits - hits,
                    "missed": {k: n - missed.get(k, 0) for k, n in cache.missed.items() if n != missed.get(k, 0)},
                }  # fmt: skip
            except KspubError as exc:
                result = {"ok": False, **exc.to_dict()}
            except BaseException as exc:  # noqa: BLE001 - whatever happened must reach the parent
                result = {"ok": False, "code": "KS928", "message": f"写入 JSON API 时出错：{exc!r}", "hint": None}
            try:
                with os.fdopen(writer, "wb") as f:
                    pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
            finally:
                os._exit(0)
        os.close(writer)
        return cls(pid, reader)

    def finish(self, files: _Output, cache: Cache) -> None:
        """Wait for the helper and take in what it wrote; its failure is this build's."""
        with os.fdopen(self.fd, "rb") as f:
            self.fd = -1
            data = f.read()
        os.waitpid(self.pid, 0)
        self.pid = 0
        try:
            result = pickle.loads(data)  # noqa: S301 - from this build's own forked process
        except Exception:  # noqa: BLE001 - it ended before reporting
            result = {"ok": False, "code": "KS928", "message": "写入 JSON API 的进程意外退出", "hint": None}
        if not result["ok"]:
            raise KspubError(result["code"], result["message"], path=result.get("path"), hint=result.get("hint"))
        files.digests.update(result["digests"])
        files.published.linked["site"].update(result["linked"])
        cache.take_in(result["used"], result["hits"], result["missed"])

    def stop(self) -> None:
        """Make sure the helper does not outlive the API (after a failure here it may still be running)."""
        if self.fd != -1:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0


def ambiguity(agreement: PublishedAgreement) -> str | None:
    """Why the in-force rule cannot answer an agreement's history unambiguously (KS912), in Chinese, or None: a
    version after the first without an effective date (it would count as in force from the start, before its
    predecessors), or effective dates out of order. Versions withdrawn before taking effect never apply and are
    left out. The gate refuses both (KS413, KS429); a history already recorded is still published, with a
    warning, so that a daily build never stops on it."""
    applying = [v for v in agreement.versions if v.record.withdrawn is None]
    for i, v in enumerate(applying[1:], 1):
        before, effective = applying[i - 1], v.record.effective
        if effective is None:
            return (f"协议 {agreement.id} 的版本 {v.label} 没有生效日期，却排在版本 {before.label} 之后："
                    f"无法判断某一天哪个版本有效；请用 kspub release {agreement.id} 登记生效日期")  # fmt: skip
        if before.record.effective is not None and effective < before.record.effective:
            return (f"协议 {agreement.id} 的版本 {v.label} 生效日期 {effective} 早于之前的版本 {before.label}"
                    f"（{before.record.effective}）：无法判断某一天哪个版本有效；生效日期应随版本先后递增")  # fmt: skip
    return None


def _check_no_collisions(files: Iterable[str]) -> None:
    """Two paths differing only in case overwrite each other on case-insensitive disks and object stores."""
    seen: dict[str, str] = {}
    for path in files:
        other = seen.setdefault(path.lower(), path)
        if other != path:
            raise KspubError(
                "KS911",
                f"发布路径 {other} 与 {path} 只有大小写不同，在不区分大小写的存储上会互相覆盖",
                hint="请更换其中一个版本号或条款 ID",
            )


def write_api(
    snapshot: Snapshot, out: Path, *, base_url: str = "", cache: Cache | None = None,
    published: Published | None = None, fingerprints: dict[str, str] | None = None, helpers: int = 1,
) -> list[Path]:  # fmt: skip
    """Render the API and write it under ``out/api/v1/``; returns the written paths, sorted.

    The files are written as they are made into a scratch folder inside ``out`` (the API of a large repository
    is hundreds of megabytes, never held whole) and moved into ``out/api/v1`` once all are made, so a rendering
    error leaves ``out`` as it was. ``out`` is expected to be a fresh build directory (the caller swaps it in
    atomically); files already there and not part of the API are neither removed nor listed in the manifest.
    ``cache``: the build's cache (:func:`build_api`); None computes everything. ``published``: the published
    build, whose files of the same content are linked rather than written (kspub/publish/links.py);
    ``fingerprints`` receives each file's (site-relative path → fingerprint). ``helpers`` > 1: part of the
    agreements' files are written by a forked process meanwhile (where fork is available).
    """
    existed = out.exists()
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".api-", dir=out)).resolve()
    try:
        files = _Output(scratch, published)
        _make_api(snapshot, files, base_url, cache, helpers if hasattr(os, "fork") else 1)
        _move_into(scratch, (out / API_DIR).resolve())
        if fingerprints is not None:
            fingerprints.update((f"{API_DIR}/{rel}", sha256_fingerprint(d[0])) for rel, d in files.digests.items())
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        if not existed:
            with suppress(OSError):
                out.rmdir()
        raise
    return [out / API_DIR / rel for rel in sorted(files.digests)]


def _move_into(scratch: Path, root: Path) -> None:
    """The folder ``scratch`` becomes ``root`` (one rename), or, when ``root`` exists, its files move into it."""
    if not root.exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        os.rename(scratch, root)
        return
    for path in sorted(p for p in scratch.rglob("*") if p.is_file()):
        target = root / path.relative_to(scratch)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    shutil.rmtree(scratch, ignore_errors=True)
