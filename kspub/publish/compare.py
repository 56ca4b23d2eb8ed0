"""The change set between any two versions of an agreement, computed once per build and shared.

The site's "since this version" pages (``compare/<version>/``) and the JSON API's ``since/<version>.json`` both
compare a version with the version in force, and the API also with the latest announced one. Each comparison is
a direct diff of the two texts (:func:`kspub.diff.diff_agreements`), kept in the build cache under a key of both
texts and their paths, so the two readers share it, and a build's workers compute it once, ahead
(:func:`kspub.publish.api.api_tasks`). A comparison of neighbours is the change set the build's diff phase already
stored for the same two texts (:func:`diff_key`): it is read, not computed again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kspub import memo
from kspub.publish.cache import Cache, key

if TYPE_CHECKING:
    from kspub.diff import ChangeSet
    from kspub.model import Agreement


def parse_key(path: str, source: str) -> str:
    """The cache key of a version's parse: its path and text (:mod:`kspub.publish.incremental`)."""
    return key("parse", path, source)


def diff_key(old_parse: str, new_parse: str) -> str:
    """The cache key of the diff phase's change set between two versions, by their :func:`parse_key`."""
    return key("diff", old_parse, new_parse)


def comparison_key(old: Agreement, new: Agreement) -> str:
    return key("compare", old.path, old.source, new.path, new.source)


def comparison(cache: Cache, old: Agreement, new: Agreement) -> ChangeSet:
    """Every change from ``old`` to ``new`` (cached by both texts and paths). Where the diff phase stored the
    change set of the same two texts (neighbours: ``diff_agreements`` of the same parsed texts), it is that one."""
    from kspub.diff import ChangeSet, diff_agreements

    def compute() -> ChangeSet:
        # keyed by both texts and paths, as the comparison is: never another text's change set (count=False: a
        # miss here is no miss of the build, only a comparison of versions that are not neighbours)
        known = cache.get("diff", diff_key(parse_key(old.path, old.source), parse_key(new.path, new.source)),
                          count=False)  # fmt: skip
        return known if isinstance(known, ChangeSet) else diff_agreements(old, new)

    k = comparison_key(old, new)
    remembered = (str(cache.folder), k)  # what this cache holds or would hold
    found = _RECENT.get(remembered)
    if found is not None:  # computed or read by this process for another reader of the agreement's comparisons
        cache.found("compare", k)
        return found
    # In a build without cache only this process reads it again, from what it remembers: not stored (later)
    changes = cache.get_or_compute("compare", k, compute, later=True)
    _RECENT.put(remembered, changes)
    return changes


#: The comparisons this process made or read last, by cache folder and :func:`comparison_key`: an agreement's are read by the API's
#: comparisons and then by its pages, one after the other in the same worker (kspub.publish.site.render_site).
_RECENT: memo.Recent[tuple[str, str], ChangeSet] = memo.Recent(64)
