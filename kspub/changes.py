"""What a change between two versions is called: its kind, its class (editorial or material) and its flags.

The vocabulary the clause diff (:mod:`kspub.diff`) and the SLA catalogue's diff (:mod:`kspub.sla.diff`) share,
with the reverse of each kind (what diff(b, a) reports for what diff(a, b) reports) and how a changed value is
shown in an explanation. The representation of one change, :class:`kspub.diff.Change`, is in :mod:`kspub.diff`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

ChangeKind = Literal[
    "added",
    "removed",
    "retired",
    "modified",
    "moved",
    "renamed",
    "renumbered",
    "split",
    "merged",
    "restructured",
    "meta",
]
Classification = Literal["editorial", "material"]

EDITORIAL: Classification = "editorial"
MATERIAL: Classification = "material"

#: The reverse of each kind: what diff(b, a) reports for what diff(a, b) reports.
MIRROR_KIND: Mapping[str, str] = {
    "added": "removed",
    "removed": "added",
    "retired": "added",
    "split": "merged",
    "merged": "split",
}

# Flags the diff adds on top of the text flags of kspub.materiality.
CLAUSE_ADDED = "clause-added"
CLAUSE_REMOVED = "clause-removed"
RETIRED = "retired"
RETIRED_ID_REUSED = "retired-id-reused"
MOVED = "moved"
RENUMBERED = "renumbered"
ID_RENAMED = "id-renamed"
STRUCTURE_CHANGED = "structure-changed"
TAGS_CHANGED = "tags-changed"
SPLIT = "split"
MERGED = "merged"
RESTRUCTURED = "restructured"
TEXT_UNCHANGED = "text-unchanged"
DOWNGRADED = "downgraded"
UPGRADED = "upgraded"
#: A change with a hard flag downgraded by a change note that names who approved it (decision record 0405).
OVERRIDE_APPROVED = "override-approved"
#: A change note asked to downgrade a change with a hard flag without naming an approver: not applied.
OVERRIDE_UNAPPROVED = "override-unapproved"
FRONT_MATTER = "front-matter"


def mirror_kind(kind: str) -> str:
    """The kind diff(b, a) reports for a change diff(a, b) reports as ``kind``."""
    return MIRROR_KIND.get(kind, kind)


def show_value(value: Any) -> str:
    """A changed front-matter or catalogue value as an explanation shows it: ``（无）`` for none, lists joined."""
    if value is None or type(value).__name__ == "NotPresent":
        return "（无）"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "（无）"
    return str(value)
