"""The static JSON API: every document under ``api/v1/`` rendered in memory from one :class:`Snapshot`.

Documents (paths relative to ``api/v1/``, see docs/api.md):

- ``index.json`` — every agreement with its version in force and upcoming versions (mutable pointer);
- ``agreements/<id>.json`` — the timeline: every version with its dates, hash, summary and commits;
- ``agreements/<id>/<version>.json`` — one version's text, node by node, and its changes (cacheable);
- ``agreements/<id>/current.json`` — which version is in force on the build's date, and what comes next;
- ``agreements/<id>/clauses/<clause>.json`` — one clause across every version;
- ``sla.json``, ``changes.json``, ``feed.xml``, ``agreements/<id>/feed.xml``;
- ``schemas/<type>.schema.json`` — the JSON Schema of each document type;
- ``manifest.json`` — sha256 and size of every other file.

Only published data is read: parsed nodes, validated front-matter fields and commit dates. The raw source
(front matter with its ``internal`` notes), author names and emails never reach a document. Rendering is pure:
no clock, no environment; the build timestamp comes from the snapshot.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kspub.errors import KspubError
from kspub.model import Node, is_id, is_version_label
from kspub.publish import feed
from kspub.publish.snapshot import PublishedAgreement, PublishedVersion, Snapshot

SCHEMA_VERSION = "1.0"
"""Major.minor of the document contract: minor adds fields, major moves to ``/api/v2/``."""
API_DIR = "api/v1"
TIMEZONE = "Asia/Shanghai"
DOCUMENT_TYPES = ("index", "timeline", "version", "current", "clause", "sla", "changes", "manifest")
"""Every JSON document type; each has ``schemas/<type>.schema.json``."""
MANIFEST = "manifest.json"

# used with fullmatch: "$" alone would let a trailing newline through
#: Version labels that would collide with (or shadow) a sibling document of the agreement.
RESERVED_LABELS = frozenset({"current", "clauses", "feed", "index", "manifest", "timeline"})


# ── paths and URLs ──────────────────────────────────────────────────────────────────────────────────────────


def timeline_path(agreement_id: str) -> str:
    return f"agreements/{agreement_id}.json"


def version_path(agreement_id: str, label: str) -> str:
    return f"agreements/{agreement_id}/{label}.json"


def current_path(agreement_id: str) -> str:
    return f"agreements/{agreement_id}/current.json"


def clause_path(agreement_id: str, clause_id: str) -> str:
    return f"agreements/{agreement_id}/clauses/{clause_id}.json"


def feed_path(agreement_id: str | None = None) -> str:
    return "feed.xml" if agreement_id is None else f"agreements/{agreement_id}/feed.xml"


def schema_path(document_type: str) -> str:
    return f"schemas/{document_type}.schema.json"


@dataclass(frozen=True, slots=True)
class Urls:
    """Absolute (or root-relative, when no base URL is given) addresses of API files and site pages."""

    base_url: str = ""

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")

    def api(self, rel: str) -> str:
        return f"{self.base}/{API_DIR}/{rel}"

    def page(self, agreement_id: str, label: str | None = None) -> str:
        """The site page of an agreement (its version in force) or of one version: ``/<id>/``, ``/<id>/<v>/``.

        This mirrors the site's layout (kspub/publish/site.py); the two must move together.
        """
        return f"{self.base}/{agreement_id}/" + (f"{label}/" if label else "")


def check_agreement_id(agreement_id: str) -> str:
    """Return the ID when it is safe as a path segment; raise :class:`KspubError` otherwise."""
    if not is_id(agreement_id):
        raise KspubError(
            "KS910", f"协议 ID “{agreement_id}” 不能用作发布路径：只能用小写英文字母、数字和连字符"
        )
    return agreement_id


def check_label(agreement_id: str, label: str) -> str:
    """Return the version label when it is safe as a file name; raise :class:`KspubError` otherwise."""
    if not is_version_label(label) or ".." in label or label.lower() in RESERVED_LABELS:
        raise KspubError(
            "KS910",
            f"协议 {agreement_id} 的版本号 “{label}” 不能用作发布路径",
            hint="版本号只能用字母、数字、点、连字符和下划线，不能含 “..”，也不能是 "
            + "、".join(sorted(RESERVED_LABELS)),
        )
    return label


def check_clause_id(agreement_id: str, clause_id: str) -> str:
    """Return the clause ID when it is safe as a file name; raise :class:`KspubError` otherwise."""
    if not is_id(clause_id):
        raise KspubError("KS910", f"协议 {agreement_id} 的条款 ID “{clause_id}” 不能用作发布路径")
    return clause_id


# ── documents ───────────────────────────────────────────────────────────────────────────────────────────────


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def dump_json(document: Mapping[str, Any]) -> bytes:
    """The one serialisation of every document: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _header(snapshot: Snapshot) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "generated_at": snapshot.built_at}


@dataclass(frozen=True, slots=True)
class VersionInput:
    """A published version with its change set turned into plain data once (it feeds several documents)."""

    agreement: PublishedAgreement
    version: PublishedVersion
    changes: dict[str, Any] | None

    @property
    def label(self) -> str:
        return self.version.label

    @property
    def material(self) -> bool:
        return bool(self.changes and self.changes.get("material"))

    def change_entries(self) -> list[dict[str, Any]]:
        return list(self.changes["changes"]) if self.changes else []


#: The fields of a change the API publishes. Source line numbers, the materiality analysis' working data, and
#: the change set's front-matter changes and change-note diagnostics are for editors, not part of the contract.
CHANGE_FIELDS = (
    "clause",
    "kind",
    "class",
    "flags",
    "explanation",
    "old_text",
    "new_text",
    "redline",
    "old_number",
    "new_number",
    "old_parent",
    "new_parent",
    "old_ids",
    "new_ids",
)


def published_changes(change_set: Mapping[str, Any]) -> dict[str, Any]:
    """A change set (``ChangeSet.to_dict()``) cut down to the published contract: clause changes only."""
    return {
        "agreement": change_set["agreement"],
        "from": change_set["from"],
        "to": change_set["to"],
        "material": bool(change_set["material"]),
        "changes": [{field: change[field] for field in CHANGE_FIELDS} for change in change_set["changes"]],
    }


def prepare_versions(agreement: PublishedAgreement) -> list[VersionInput]:
    """An agreement's versions, oldest first, with IDs and labels checked for use in paths."""
    check_agreement_id(agreement.id)
    prepared = []
    for v in agreement.versions:
        check_label(agreement.id, v.label)
        changes = published_changes(v.changes.to_dict()) if v.changes is not None else None
        prepared.append(VersionInput(agreement, v, changes))
    return prepared


def _printed_dates(v: PublishedVersion) -> dict[str, str | None]:
    printed = v.agreement.meta.printed
    return {"updated": _iso(printed.updated), "effective": _iso(printed.effective)}


def _corrections(v: PublishedVersion) -> list[dict[str, Any]]:
    # The parsed, validated records — never the raw front-matter mappings, which may carry any key.
    return [
        {"date": c.date.isoformat(), "reason": c.reason, "clauses": list(c.clauses)}
        for c in v.agreement.meta.corrections
    ]


def node_dict(node: Node) -> dict[str, Any]:
    """A node as the API publishes it (no source line: it is an editing detail, not part of the text)."""
    return {
        "id": node.id,
        "kind": node.kind.value,
        "number": node.number,
        "title": node.title,
        "text": node.text,
        "printed": node.printed,
        "tags": list(node.tags),
        "parent": node.parent,
        "replaces": list(node.replaces),
        "sha256": node.sha256,
    }


def version_document(pv: VersionInput) -> dict[str, Any]:
    """``agreements/<id>/<version>.json``: one version, node by node, and its changes against the previous one.

    It depends on the version's own text and its predecessor only — no status, no build time — so it stays
    byte-identical from build to build and can be cached for good (see docs/decisions/0501-json-api.md).
    """
    v = pv.version
    meta = v.agreement.meta
    return {
        "schema_version": SCHEMA_VERSION,
        "agreement": pv.agreement.id,
        "title": meta.title,
        "kind": meta.kind,
        "language": meta.language,
        "version": v.label,
        "previous": v.previous,
        "announced": _iso(v.record.announced),
        "effective": _iso(v.record.effective),
        "printed_dates": _printed_dates(v),
        "sha256": v.record.text_sha256,
        "summary": v.record.summary,
        "retired": list(meta.retired),
        "corrections": _corrections(v),
        "material": pv.material,
        "nodes": [node_dict(n) for n in v.agreement.nodes],
        "changes": pv.changes,
    }


def _commits(v: PublishedVersion) -> list[dict[str, Any]]:
    # Only the commit and its date: author names and emails are not published.
    return [
        {"sha": r.commit.sha, "committed": r.commit.committed, "correction": r.correction}
        for r in v.record.revisions
    ]


def timeline_document(snapshot: Snapshot, versions: Sequence[VersionInput], urls: Urls) -> dict[str, Any]:
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
                "announced": _iso(v.record.announced),
                "effective": _iso(v.record.effective),
                "printed_dates": _printed_dates(v),
                "sha256": v.record.text_sha256,
                "summary": v.record.summary,
                "material": pv.material,
                "previous": v.previous,
                "commits": _commits(v),
                "corrections": _corrections(v),
                "url": urls.api(version_path(agreement.id, v.label)),
            }
        )
    return {
        **_header(snapshot),
        "as_of": snapshot.as_of.isoformat(),
        "timezone": TIMEZONE,
        "agreement": agreement.id,
        "title": agreement.title,
        "kind": agreement.kind,
        "in_force": in_force.label if in_force else None,
        "upcoming": [v.label for v in agreement.upcoming],
        "versions": rows,
        "urls": _agreement_urls(agreement, urls),
    }


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
        "announced": _iso(v.record.announced),
        "effective": _iso(v.record.effective),
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
        **_header(snapshot),
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
    """``index.json``: every agreement, its version in force and upcoming versions, and where to read more."""
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
                        "effective": _iso(in_force.record.effective),
                        "sha256": in_force.record.text_sha256,
                    }
                    if in_force
                    else None
                ),
                "upcoming": [
                    {
                        "version": v.label,
                        "announced": _iso(v.record.announced),
                        "effective": _iso(v.record.effective),
                    }
                    for v in a.upcoming
                ],
                "next_change": _next_change(a),
                "urls": _agreement_urls(a, urls),
            }
        )
    return {
        **_header(snapshot),
        "as_of": snapshot.as_of.isoformat(),
        "timezone": TIMEZONE,
        "agreements": rows,
        "urls": {
            "changes": urls.api("changes.json"),
            "feed": urls.api(feed_path()),
            "manifest": urls.api(MANIFEST),
            "sla": urls.api("sla.json") if snapshot.sla is not None else None,
            "schemas": {t: urls.api(schema_path(t)) for t in DOCUMENT_TYPES},
        },
    }


def clause_documents(snapshot: Snapshot, versions: Sequence[VersionInput]) -> dict[str, dict[str, Any]]:
    """``agreements/<id>/clauses/<clause>.json`` for every node that ever existed, keyed by clause ID.

    ``change`` compares the node with the agreement's previous version: ``initial`` (first version),
    ``added`` (absent before), ``modified`` (printed text differs) or ``unchanged``; ``diff`` is this clause's
    entry in the version's change set, when it has one.
    """
    agreement_id = versions[0].agreement.id
    history: dict[str, list[dict[str, Any]]] = {}
    removed_in: dict[str, str] = {}
    retired_in: dict[str, list[str]] = {}
    replaced_by: dict[str, list[dict[str, str]]] = {}
    previous: dict[str, Node] | None = None
    for pv in versions:
        nodes = pv.version.agreement.by_id()
        # a change is about its clause and every node it produced (the parts of a split, say)
        diff_by_clause = {
            i: e for e in pv.change_entries() for i in dict.fromkeys([e["clause"], *e["new_ids"]])
        }
        for node in pv.version.agreement.nodes:
            check_clause_id(agreement_id, node.id)
            if previous is None:
                change = "initial"
            elif node.id not in previous:
                change = "added"
            elif previous[node.id].printed != node.printed:  # what its sha256 covers
                change = "modified"
            else:
                change = "unchanged"
            entry = diff_by_clause.get(node.id)
            history.setdefault(node.id, []).append(
                {
                    "version": pv.label,
                    "kind": node.kind.value,
                    "number": node.number,
                    "title": node.title,
                    "text": node.text,
                    "printed": node.printed,
                    "parent": node.parent,
                    "tags": list(node.tags),
                    "replaces": list(node.replaces),
                    "sha256": node.sha256,
                    "change": change,
                    "changed": change in ("added", "modified"),
                    "diff": (
                        {
                            "kind": entry["kind"],
                            "class": entry["class"],
                            "flags": entry["flags"],
                        }
                        if entry is not None
                        else None
                    ),
                }
            )
            for old in node.replaces:
                successors = replaced_by.setdefault(old, [])
                if not any(s["clause"] == node.id for s in successors):
                    successors.append({"clause": node.id, "version": pv.label})
        for rid in pv.version.agreement.meta.retired:
            retired_in.setdefault(rid, []).append(pv.label)
        if previous is not None:
            for gone in previous.keys() - nodes.keys():
                removed_in[gone] = pv.label
        for back in nodes.keys() & removed_in.keys():
            del removed_in[back]  # a clause that came back is not removed (IDs should never be reused)
        previous = nodes
    latest = versions[-1].label
    documents: dict[str, dict[str, Any]] = {}
    for clause_id, rows in history.items():
        documents[clause_id] = {
            **_header(snapshot),
            "agreement": agreement_id,
            "clause": clause_id,
            "first_version": rows[0]["version"],
            "last_version": rows[-1]["version"],
            "in_latest": rows[-1]["version"] == latest,
            "removed_in": removed_in.get(clause_id),
            "retired_in": retired_in.get(clause_id, []),
            "replaced_by": replaced_by.get(clause_id, []),
            "versions": rows,
        }
    return documents


def sla_document(snapshot: Snapshot) -> dict[str, Any] | None:
    """``sla.json``: the SLA catalogue as published (figures the source leaves open stay null)."""
    if snapshot.sla is None:
        return None
    catalogue = snapshot.sla.to_dict()
    return {
        **_header(snapshot),
        "title": catalogue["title"],
        "categories": catalogue["categories"],
        "counts": {"categories": len(snapshot.sla.categories), "entries": len(snapshot.sla.entries)},
    }


def changes_document(
    snapshot: Snapshot, prepared: Iterable[Sequence[VersionInput]], urls: Urls
) -> dict[str, Any]:
    """``changes.json``: every version transition across agreements, newest first."""
    rows: list[tuple[str, str, int, dict[str, Any]]] = []
    for versions in prepared:
        for position, pv in enumerate(versions):
            v = pv.version
            a = pv.agreement
            entries = pv.change_entries()
            rows.append(
                (
                    v.change_date,
                    a.id,
                    position,
                    {
                        "agreement": a.id,
                        "title": a.title,
                        "from": v.previous,
                        "to": v.label,
                        "status": v.status,
                        "date": v.change_date,
                        "announced": _iso(v.record.announced),
                        "effective": _iso(v.record.effective),
                        "material": pv.material,
                        "summary": v.record.summary,
                        "counts": {
                            "total": len(entries),
                            "by_class": dict(sorted(Counter(str(e["class"]) for e in entries).items())),
                            "by_kind": dict(sorted(Counter(str(e["kind"]) for e in entries).items())),
                        },
                        "urls": {
                            "from": urls.api(version_path(a.id, v.previous)) if v.previous else None,
                            "to": urls.api(version_path(a.id, v.label)),
                            "timeline": urls.api(timeline_path(a.id)),
                        },
                    },
                )
            )
    # newest date first; within a date, agreements alphabetically and each agreement's versions newest first
    rows.sort(key=lambda r: (r[1], -r[2]))
    rows.sort(key=lambda r: r[0], reverse=True)
    return {**_header(snapshot), "changes": [r[3] for r in rows]}


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


def manifest_document(snapshot: Snapshot, files: Mapping[str, bytes]) -> dict[str, Any]:
    """``manifest.json``: sha256 and size of every other file under ``api/v1/``, sorted by path."""
    return {
        **_header(snapshot),
        "files": [
            {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for path, data in sorted(files.items())
            if path != MANIFEST
        ],
    }


def version_in_force(versions: Sequence[Mapping[str, Any]], on: date) -> str | None:
    """The rule clients apply to a timeline's ``versions``: which label is in force on a date.

    Walk the versions in timeline order; the last one whose ``effective`` date is on or before the date
    (Asia/Shanghai calendar date) wins, and a version without an effective date counts as in force from the
    start. Draft versions are never published, so every row takes part.
    """
    current = None
    day = on.isoformat()
    for row in versions:
        effective = row.get("effective")
        if effective is None or str(effective) <= day:
            current = str(row["version"])
    return current


# ── the whole tree ──────────────────────────────────────────────────────────────────────────────────────────


def build_api(snapshot: Snapshot, *, base_url: str = "") -> dict[str, bytes]:
    """Every file of the API, path (relative to ``api/v1/``) → bytes. Pure: same snapshot, same bytes."""
    urls = Urls(base_url)
    files: dict[str, bytes] = {}
    prepared = [prepare_versions(a) for a in snapshot.agreements]
    links = feed.FeedLinks(
        site_feed=urls.api(feed_path()),
        agreement_feed=lambda a: urls.api(feed_path(a)),
        agreement_page=lambda a: urls.page(a),
        version_page=urls.page,
        version_document=lambda a, label: urls.api(version_path(a, label)),
        home=urls.base + "/",
    )
    change_sets = {(pv.agreement.id, pv.label): pv.changes for versions in prepared for pv in versions}
    files["index.json"] = dump_json(index_document(snapshot, urls))
    for versions in prepared:
        agreement = versions[0].agreement
        files[timeline_path(agreement.id)] = dump_json(timeline_document(snapshot, versions, urls))
        files[current_path(agreement.id)] = dump_json(current_document(snapshot, agreement, urls))
        for pv in versions:
            files[version_path(agreement.id, pv.label)] = dump_json(version_document(pv))
        for clause_id, document in clause_documents(snapshot, versions).items():
            files[clause_path(agreement.id, clause_id)] = dump_json(document)
        files[feed_path(agreement.id)] = feed.agreement_feed(snapshot, agreement, links, change_sets)
    sla = sla_document(snapshot)
    if sla is not None:
        files["sla.json"] = dump_json(sla)
    files["changes.json"] = dump_json(changes_document(snapshot, prepared, urls))
    files[feed_path()] = feed.site_feed(snapshot, links, change_sets)
    for document_type in DOCUMENT_TYPES:
        files[schema_path(document_type)] = schema_bytes(document_type)
    _check_no_collisions(files)
    files[MANIFEST] = dump_json(manifest_document(snapshot, files))
    return dict(sorted(files.items()))


def _check_no_collisions(files: Mapping[str, bytes]) -> None:
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


def write_api(snapshot: Snapshot, out: Path, *, base_url: str = "") -> list[Path]:
    """Render the API and write it under ``out/api/v1/``; returns the written paths, sorted.

    Everything is rendered before the first byte is written, so a rendering error leaves ``out`` untouched.
    ``out`` is expected to be a fresh build directory (the caller swaps it in atomically); files already there
    and not part of the API are neither removed nor listed in the manifest.
    """
    files = build_api(snapshot, base_url=base_url)
    root = (out / API_DIR).resolve()
    written: list[Path] = []
    for rel, data in files.items():
        path = (root / rel).resolve()
        if not path.is_relative_to(root):  # unreachable after the checks above; a last guard all the same
            raise KspubError("KS910", f"发布路径 {rel} 超出了 {API_DIR} 目录")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(out / API_DIR / rel)
    return written
