"""The change set between any two versions of an agreement, computed once per build and shared.

The site's "since this version" pages (``compare/<version>/``) and the JSON API's ``since/<version>.json`` both
compare a version with the version in force, and the API also with the latest announced one. Each comparison is
a direct diff of the two texts (:func:`kspub.diff.diff_agreements`), kept in the build cache under a key of both
texts and their paths, so the two readers share it, and a build's workers compute it once, ahead
(:func:`kspub.publish.api.api_tasks`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kspub.publish.cache import Cache, key

if TYPE_CHECKING:
    from kspub.diff import ChangeSet
    from kspub.model import Agreement


def comparison_key(old: Agreement, new: Agreement) -> str:
    return key("compare", old.path, old.source, new.path, new.source)


def comparison(cache: Cache, old: Agreement, new: Agreement) -> ChangeSet:
    """Every change from ``old`` to ``new`` (cached by both texts and paths)."""
    from kspub.diff import diff_agreements

    return cache.get_or_compute("compare", comparison_key(old, new), lambda: diff_agreements(old, new))
