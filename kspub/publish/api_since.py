"""``agreements/<id>/since/<version>.json``: what changed for someone who accepted a version — every clause changed
from it to the version in force and to the latest announced one, with consent — in one fetch (docs/api.md).

Each comparison is a direct diff of the two texts (:func:`kspub.diff.diff_agreements`), so a clause renamed or
moved on the way is followed through the ``replaces`` its new node declares, and a clause changed and changed
back is not listed. Consent gating is decided as for a version document (:mod:`kspub.publish.api_notice`).

The two comparisons per document are most of the API's rendering time. With a :class:`~kspub.publish.cache.Cache`
their result is kept under a key of everything it depends on — both texts with their paths, the announced date
of the newer one, the calendar, and kspub itself (:func:`kspub.publish.cache.key`) — so a rebuild recomputes only
the comparisons whose texts changed; a cached result is the same data a fresh one is, byte for byte once written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from kspub.publish.api_contract import (
    Urls,
    iso_date,
    stable_header,
    timeline_path,
    unshared_strings,
    version_path,
)
from kspub.publish.api_notice import calendar_fingerprint, notice_document
from kspub.publish.api_versions import CHANGE_FIELDS, VersionInput
from kspub.publish.cache import Cache, key
from kspub.publish.compare import comparison, comparison_key

if TYPE_CHECKING:
    from kspub.law.workdays import WorkCalendar
    from kspub.model import Agreement

#: The fields of a cached comparison (what the two texts decide; the rest comes from the snapshot).
_COMPARED = ("material", "consent_required", "consent_clauses", "changes")


def _compare(
    old: Agreement, new: Agreement, calendar: WorkCalendar, announced: date | None, cache: Cache
) -> dict[str, Any]:
    """What two texts decide: every changed clause with its consent flag, materiality and consent gating."""
    changes = comparison(cache, old, new)  # shared with the site's comparison pages
    notice = notice_document(old, new, changes, calendar, announced)
    gated = {i for c in notice["consent_clauses"] for i in (c["clause"], *c["ids"])}
    rows = []
    for change in unshared_strings(changes.to_dict()["changes"]):  # not the snapshot's own texts (see unshared)
        row = {field: change[field] for field in CHANGE_FIELDS}
        row["consent"] = bool(gated & {change["clause"], *change["new_ids"]})
        rows.append(row)
    return {
        "material": changes.material,
        "consent_required": notice["consent_required"],
        "consent_clauses": notice["consent_clauses"],
        "changes": rows,
    }


def _well_formed(value: object) -> bool:
    return isinstance(value, dict) and tuple(value) == _COMPARED and isinstance(value["changes"], list)


def _comparison(
    base: VersionInput,
    target: VersionInput,
    between: Sequence[VersionInput],
    calendar: WorkCalendar,
    urls: Urls,
    cache: Cache,
    calendar_key: str,
) -> dict[str, Any]:
    record = target.version.record
    kind, k, compute = since_task(base, target, calendar, cache, calendar_key)
    compared = cache.get_or_compute(kind, k, compute, _well_formed)
    # the change set it rests on stays for the next build (another calendar needs it again, not another diff)
    cache.keep("compare", comparison_key(base.version.agreement, target.version.agreement))
    return {
        "version": target.label,
        "announced": iso_date(record.announced),
        "effective": iso_date(record.effective),
        "sha256": record.text_sha256,
        "material": compared["material"],
        "consent_required": compared["consent_required"],
        "consent_clauses": compared["consent_clauses"],
        "consent_plans": [
            {"version": pv.label, "plan": pv.notice["consent_plan"]}
            for pv in between
            if pv.notice is not None and pv.notice["consent_plan"] is not None
        ],
        "versions": [pv.label for pv in between],
        "changes": compared["changes"],
        "url": urls.api(version_path(target.agreement.id, target.label)),
    }


def since_task(
    base: VersionInput, target: VersionInput, calendar: WorkCalendar, cache: Cache, calendar_key: str
) -> tuple[str, str, Callable[[], dict[str, Any]]]:
    """The cache entry of one comparison: (kind, key, compute)."""
    old, new = base.version.agreement, target.version.agreement
    announced = target.version.record.announced
    k = key("since", old.path, old.source, new.path, new.source, iso_date(announced) or "", calendar_key)
    return "since", k, partial(_compare, old, new, calendar, announced, cache)


def since_pairs(prepared: Sequence[VersionInput]) -> list[tuple[int, dict[str, int]]]:
    """For each released version but the latest (by position), the positions it is compared with: the version
    in force and the latest, when later than it (-1 where there is none)."""
    in_force = prepared[0].agreement.in_force
    position = {pv.label: i for i, pv in enumerate(prepared)}
    targets = {"latest": len(prepared) - 1, "in_force": position[in_force.label] if in_force else -1}
    return [(i, {name: j if j > i else -1 for name, j in targets.items()}) for i in range(len(prepared) - 1)]


def since_documents(
    prepared: Sequence[VersionInput],
    calendar: WorkCalendar,
    urls: Urls,
    cache: Cache | None = None,
    calendar_key: str | None = None,
) -> dict[str, dict[str, Any]]:
    """One document per released version but the latest, keyed by its label; each comparison taken from
    ``cache`` when it holds one for the same texts (no cache: every comparison computed). ``calendar_key`` is
    :func:`~kspub.publish.api_notice.calendar_fingerprint` of ``calendar``, when the caller has it already."""
    cache = cache if cache is not None else Cache(None)
    if calendar_key is None:
        calendar_key = calendar_fingerprint(calendar) if cache.folder is not None else ""
    agreement = prepared[0].agreement
    documents: dict[str, dict[str, Any]] = {}
    for i, targets in since_pairs(prepared):
        base = prepared[i]
        done: dict[int, dict[str, Any]] = {}
        compared: dict[str, Any] = {}
        for name, j in targets.items():
            if j == -1:
                compared[name] = None
                continue
            if j not in done:
                done[j] = _comparison(base, prepared[j], prepared[i + 1 : j + 1], calendar, urls, cache, calendar_key)
            compared[name] = done[j]
        record = base.version.record
        documents[base.label] = {
            **stable_header(),
            "agreement": agreement.id,
            "since": base.label,
            "sha256": record.text_sha256,
            "in_force": compared["in_force"],
            "latest": compared["latest"],
            "urls": {
                "since": urls.api(version_path(agreement.id, base.label)),
                "timeline": urls.api(timeline_path(agreement.id)),
            },
        }
    return documents
