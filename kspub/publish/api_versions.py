"""The documents of the JSON API about the text of versions: one version node by node with its changes
(``agreements/<id>/<version>.json``, cacheable for good), and one clause across every version
(``agreements/<id>/clauses/<clause>.json``). See docs/api.md and docs/decisions/0501-json-api.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from kspub.law.workdays import WorkCalendar, load_calendar
from kspub.model import Agreement, Node
from kspub.publish.api_contract import (
    SCHEMA_VERSION,
    check_agreement_id,
    check_clause_id,
    check_label,
    iso_date,
    stable_header,
    unshared,
    unshared_strings,
)
from kspub.publish.api_notice import notice_document
from kspub.publish.cache import Cache, key
from kspub.publish.snapshot import PublishedAgreement, PublishedVersion


@dataclass(frozen=True, slots=True)
class VersionInput:
    """A published version with its change set turned into plain data once (it feeds several documents)."""

    agreement: PublishedAgreement
    version: PublishedVersion
    changes: dict[str, Any] | None
    notice: dict[str, Any] | None = None
    """What notice the changes against the previous version need (:mod:`kspub.publish.api_notice`)."""

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


def prepare_versions(
    agreement: PublishedAgreement,
    calendar: WorkCalendar | None = None,
    cache: Cache | None = None,
    calendar_key: str = "",
) -> list[VersionInput]:
    """An agreement's versions, oldest first, with IDs and labels checked for use in paths, each with its change
    set and notice assessment as plain data (notice windows counted with ``calendar``, kspub's by default).

    With a ``cache`` (and ``calendar_key``, the calendar's :func:`~kspub.publish.api_notice.calendar_fingerprint`)
    each notice assessment is kept under a key of both texts, the announced date and the calendar, like the
    ``since`` comparisons (:mod:`kspub.publish.api_since`)."""
    check_agreement_id(agreement.id)
    calendar = calendar if calendar is not None else load_calendar()
    cache = cache if cache is not None else Cache(None)
    prepared: list[VersionInput] = []
    for v in agreement.versions:
        check_label(agreement.id, v.label)
        # the change set's texts are the snapshot's own: copied for the documents (see unshared)
        changes = unshared_strings(published_changes(v.changes.to_dict())) if v.changes is not None else None
        notice = None
        if v.changes is not None and prepared:
            kind, k, assess = notice_task(prepared[-1].version, v, calendar, calendar_key)
            notice = cache.get_or_compute(kind, k, assess, _is_notice)
        prepared.append(VersionInput(agreement, v, changes, notice))
    return prepared


def notice_task(
    before: PublishedVersion, v: PublishedVersion, calendar: WorkCalendar, calendar_key: str
) -> tuple[str, str, Callable[[], dict[str, Any]]]:
    """The cache entry of a version's notice assessment against the one before it: (kind, key, compute)."""
    assert v.changes is not None
    old, new, announced = before.agreement, v.agreement, v.record.announced
    k = key("notice", old.path, old.source, new.path, new.source, iso_date(announced) or "", calendar_key)
    return "notice", k, partial(notice_document, old, new, v.changes, calendar, announced)


def _is_notice(value: object) -> bool:
    return isinstance(value, dict) and "consent_required" in value and "explanation" in value


def printed_dates(v: PublishedVersion) -> dict[str, str | None]:
    printed = v.agreement.meta.printed
    return {"updated": iso_date(printed.updated), "effective": iso_date(printed.effective)}


def corrections(v: PublishedVersion) -> list[dict[str, Any]]:
    # The parsed, validated records — never the raw front-matter mappings, which may carry any key.
    return [
        {"date": c.date.isoformat(), "reason": c.reason, "clauses": list(c.clauses)}
        for c in v.agreement.meta.corrections
    ]


def node_markup(agreement: Agreement) -> dict[str, str]:
    """Each node's Markdown exactly as written, from its first line to the line before the next node's attribute
    line (the last node to the end of the file): the body is attribute lines, these and whitespace, so the
    version's ``sha256`` is the SHA-256 of every node's markup, in document order, without whitespace."""
    lines = agreement.source.split("\n")
    nodes = agreement.nodes
    return {
        n.id: "\n".join(lines[n.line - 1 : nodes[i + 1].id_line - 1 if i + 1 < len(nodes) else len(lines)]).strip()
        for i, n in enumerate(nodes)
    }


def node_dict(node: Node, markup: str | None = None) -> dict[str, Any]:
    """A node as the API publishes it (no source line: it is an editing detail, not part of the text)."""
    return {
        "markup": markup if markup is not None else unshared(node.printed),
        "id": node.id,
        "kind": node.kind.value,
        "number": node.number,
        "title": unshared(node.title),
        "text": unshared(node.text),
        "printed": unshared(node.printed),
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
    markup = node_markup(v.agreement)
    return {
        "schema_version": SCHEMA_VERSION,
        "agreement": pv.agreement.id,
        "title": meta.title,
        "kind": meta.kind,
        "language": meta.language,
        "version": v.label,
        "previous": v.previous,
        "announced": iso_date(v.record.announced),
        "effective": iso_date(v.record.effective),
        "printed_dates": printed_dates(v),
        "sha256": v.record.text_sha256,
        "summary": v.record.summary,
        "retired": list(meta.retired),
        "corrections": corrections(v),
        "material": pv.material,
        "nodes": [node_dict(n, markup[n.id]) for n in v.agreement.nodes],
        "changes": pv.changes,
        "notice": pv.notice,
    }


def clause_documents(versions: Sequence[VersionInput]) -> dict[str, dict[str, Any]]:
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
    came_from: dict[str, list[dict[str, str]]] = {}
    previous: dict[str, Node] | None = None
    for pv in versions:
        nodes = pv.version.agreement.by_id()
        # a change is about its clause and every node it produced (the parts of a split, say)
        diff_by_clause = {
            i: e for e in pv.change_entries() for i in dict.fromkeys([e["clause"], *e["new_ids"]])
        }
        for node in pv.version.agreement.nodes:
            check_clause_id(agreement_id, node.id)
            predecessors = [old for old in node.replaces if previous is not None and old in previous]
            if previous is None:
                change = "initial"
            elif node.id not in previous and predecessors:
                change = "moved"  # renamed, moved, split or merged: it continues the clauses it replaces
                sources = came_from.setdefault(node.id, [])
                sources.extend({"clause": old, "version": pv.label} for old in predecessors)
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
                    "title": unshared(node.title),
                    "text": unshared(node.text),
                    "printed": unshared(node.printed),
                    "parent": node.parent,
                    "tags": list(node.tags),
                    "replaces": list(node.replaces),
                    "sha256": node.sha256,
                    "change": change,
                    "changed": change in ("added", "modified", "moved"),
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
            **stable_header(),
            "agreement": agreement_id,
            "clause": clause_id,
            "first_version": rows[0]["version"],
            "last_version": rows[-1]["version"],
            "in_latest": rows[-1]["version"] == latest,
            "removed_in": removed_in.get(clause_id),
            "retired_in": retired_in.get(clause_id, []),
            "replaced_by": replaced_by.get(clause_id, []),
            "came_from": came_from.get(clause_id, []),
            "versions": rows,
        }
    return documents
