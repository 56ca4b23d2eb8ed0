"""Which nodes of two versions of an agreement stand for one another, and what of their order survived.

Nodes are matched by ID, never by position or display number; a node's ``replaces`` declaration links IDs that
vanished or appeared, so that "deleted + added" can be read as a rename, a split or a merge. The alignment also
says which siblings kept their relative order, where a removed node used to stand, and how the numbers that
cross-references use should read in the new version. :mod:`kspub.diff` turns an alignment into changes.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kspub.chinese_text import reference_key
from kspub.materiality import REMOVED_TARGET
from kspub.model import Agreement, Node


@dataclass(frozen=True, slots=True)
class NodeGroup:
    """Old and new nodes that stand for one another (same ID, or linked by ``replaces``)."""

    old: tuple[Node, ...]
    new: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Alignment:
    """How the nodes of an old and a new version correspond (see :func:`align`)."""

    groups: tuple[NodeGroup, ...]
    renumbering: Mapping[str, str]
    """How each cross-referenceable number should read in the new version (only the entries that change)."""
    group_of_old: Mapping[str, NodeGroup]
    group_of_new: Mapping[str, NodeGroup]
    old_index: Mapping[str, int]
    """Each old node's position in reading order."""
    new_index: Mapping[str, int]
    in_order: frozenset[tuple[str, str]]
    """The (smaller, larger) ID pairs of one-to-one nodes that kept their parent and their order among siblings."""
    anchors: Mapping[str, int]
    """For each old node, the new position of the nearest preceding old node that survives (-1 if none)."""

    def same_parent(self, o: Node, n: Node) -> bool:
        """Whether the old node ``o`` and the new node ``n`` stand under parents that stand for one another."""
        return _same_parent(o, n, self.group_of_old, self.group_of_new)

    def moved(self, o: Node, n: Node) -> bool:
        """Whether ``n`` stands under another parent than ``o``, or in another place among its siblings."""
        return not self.same_parent(o, n) or _pair_key(o, n) not in self.in_order

    def position(self, group: NodeGroup) -> tuple[int, int, int]:
        """Where the group's change is listed: at its first new node, or where its old nodes used to be."""
        if group.new:
            return (min(self.new_index[n.id] for n in group.new), 0, 0)
        return (self.anchors[group.old[0].id], 1, self.old_index[group.old[0].id])


def align(old: Agreement, new: Agreement) -> Alignment:
    """The alignment of two versions: groups of nodes, renumbering, sibling order and removal anchors."""
    groups = _groups(old, new)
    old_index = {n.id: k for k, n in enumerate(old.nodes)}
    new_index = {n.id: k for k, n in enumerate(new.nodes)}
    group_of_old = {o.id: g for g in groups for o in g.old}
    group_of_new = {n.id: g for g in groups for n in g.new}
    successor: dict[str, str | None] = {
        o.id: (g.new[0].id if len(g.old) == 1 and len(g.new) == 1 else None) for g in groups for o in g.old
    }
    return Alignment(
        groups=tuple(groups),
        renumbering=_renumbering(old, new, successor),
        group_of_old=group_of_old,
        group_of_new=group_of_new,
        old_index=old_index,
        new_index=new_index,
        in_order=_kept_order(groups, group_of_old, group_of_new, old_index, new_index),
        anchors=_anchors(old, new_index, group_of_old),
    )


def _pair_key(o: Node, n: Node) -> tuple[str, str]:
    return (min(o.id, n.id), max(o.id, n.id))


def _same_parent(
    o: Node, n: Node, group_of_old: Mapping[str, NodeGroup], group_of_new: Mapping[str, NodeGroup]
) -> bool:
    if o.parent is None or n.parent is None:
        return o.parent is None and n.parent is None
    return o.parent in group_of_old and group_of_old[o.parent] is group_of_new.get(n.parent)


def _kept_order(
    groups: Sequence[NodeGroup],
    group_of_old: Mapping[str, NodeGroup],
    group_of_new: Mapping[str, NodeGroup],
    old_index: Mapping[str, int],
    new_index: Mapping[str, int],
) -> frozenset[tuple[str, str]]:
    """The one-to-one pairs that kept their parent and their order: siblings are checked per parent."""
    siblings: dict[tuple[str, ...], list[tuple[int, int, tuple[str, str]]]] = defaultdict(list)
    pairs = [(g.old[0], g.new[0]) for g in groups if len(g.old) == 1 and len(g.new) == 1]
    for o, n in pairs:
        if _same_parent(o, n, group_of_old, group_of_new):
            # The parent group's new IDs name the sibling list the same way from both directions.
            parent_key = tuple(sorted(x.id for x in group_of_new[n.parent].new)) if n.parent else ()
            siblings[parent_key].append((old_index[o.id], new_index[n.id], _pair_key(o, n)))
    in_order: set[tuple[str, str]] = set()
    for items in siblings.values():
        in_order |= _stayed_in_order(items)
    return frozenset(in_order)


def _groups(old: Agreement, new: Agreement) -> list[NodeGroup]:
    """Connected components of the "same ID" and "replaces" links between old and new nodes.

    A ``replaces`` declaration links an old and a new ID only when the link is news in this diff (one of the two
    IDs is not on both sides): declarations stay in the file after the version that made them, and must not
    turn every later diff into a split. Declarations on the old side count too, so that diff(b, a) sees the
    reverse of what diff(a, b) sees.
    """
    old_by, new_by = old.by_id(), new.by_id()
    parent: dict[tuple[int, str], tuple[int, str]] = {}

    def find(x: tuple[int, str]) -> tuple[int, str]:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(x: tuple[int, str], y: tuple[int, str]) -> None:
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)

    def on_both(node_id: str) -> bool:
        return node_id in old_by and node_id in new_by

    for node_id in old_by:
        find((0, node_id))
        if node_id in new_by:
            union((0, node_id), (1, node_id))
    for node_id in new_by:
        find((1, node_id))
    for n in new.nodes:
        for r in n.replaces:
            if r in old_by and r != n.id and not (on_both(r) and on_both(n.id)):
                union((0, r), (1, n.id))
    for o in old.nodes:
        for r in o.replaces:
            if r in new_by and r != o.id and not (on_both(r) and on_both(o.id)):
                union((0, o.id), (1, r))

    members: dict[tuple[int, str], tuple[list[Node], list[Node]]] = defaultdict(lambda: ([], []))
    for o in old.nodes:
        members[find((0, o.id))][0].append(o)
    for n in new.nodes:
        members[find((1, n.id))][1].append(n)
    return [NodeGroup(tuple(olds), tuple(news)) for olds, news in members.values()]


def _stayed_in_order(items: Sequence[tuple[int, int, tuple[str, str]]]) -> set[tuple[str, str]]:
    """The siblings that kept their relative order: a longest chain increasing in both positions.

    ``items`` are (old position, new position, tie-break key). Among several longest chains the one whose keys
    read smallest in order is taken; the choice depends only on the set of points, so diff(b, a) keeps the
    same siblings in place as diff(a, b) and reports the same ones as moved.
    """
    pts = sorted(items)
    if all(pts[k][1] < pts[k + 1][1] for k in range(len(pts) - 1)):
        return {p[2] for p in pts}
    n = len(pts)
    ranks = sorted(p[1] for p in pts)
    # longest[i]: length of the longest chain starting at point i, via a Fenwick tree of suffix maxima.
    size = n + 1
    tree = [0] * (size + 1)

    def update(pos: int, value: int) -> None:
        while pos <= size:
            tree[pos] = max(tree[pos], value)
            pos += pos & -pos

    def query(pos: int) -> int:
        best = 0
        while pos > 0:
            best = max(best, tree[pos])
            pos -= pos & -pos
        return best

    longest = [0] * n
    for i in range(n - 1, -1, -1):
        # Reverse the rank so that "a larger new position" becomes a prefix the tree can answer.
        rank = n - bisect.bisect_left(ranks, pts[i][1])
        longest[i] = 1 + query(rank - 1)
        update(rank, longest[i])
    by_length: dict[int, list[int]] = defaultdict(list)
    for i, length in enumerate(longest):
        by_length[length].append(i)
    chosen: set[tuple[str, str]] = set()
    last_old, last_new = -1, -1
    for length in range(max(longest), 0, -1):
        candidates = [i for i in by_length[length] if pts[i][0] > last_old and pts[i][1] > last_new]
        pick = min(candidates, key=lambda i: pts[i][2])
        chosen.add(pts[pick][2])
        last_old, last_new = pts[pick][0], pts[pick][1]
    return chosen


def _renumbering(old: Agreement, new: Agreement, successor: Mapping[str, str | None]) -> dict[str, str]:
    """How each cross-referenceable number should read in the new version (only the entries that change).

    A number names a clause only when exactly one node carries it in each version where it appears; others
    are compared literally. A number whose clause was removed, split or merged maps to ``REMOVED_TARGET``, as
    does a number that named nothing before and names a clause now.
    """

    def index(agreement: Agreement) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for n in agreement.nodes:
            key = reference_key(n.number)
            if key:
                out[key].append(n.id)
        return out

    old_index, new_index = index(old), index(new)
    new_key_of = {n.id: reference_key(n.number) for n in new.nodes}
    mapping: dict[str, str] = {}
    for key in {*old_index, *new_index}:
        if len(old_index.get(key, ())) > 1 or len(new_index.get(key, ())) > 1:
            continue
        if key in old_index:
            target = successor.get(old_index[key][0])
            new_key = new_key_of.get(target, "") if target is not None else ""
            ok = bool(new_key) and new_index.get(new_key) == [target] and len(old_index.get(new_key, ())) <= 1
            value = new_key if ok else REMOVED_TARGET
        else:
            value = REMOVED_TARGET
        if value != key:
            mapping[key] = value
    return mapping


def _anchors(
    old: Agreement, new_index: Mapping[str, int], group_of_old: Mapping[str, NodeGroup]
) -> dict[str, int]:
    """For each old node, the new position of the nearest preceding old node that survives (-1 if none):
    a removed clause is listed where it used to be."""
    anchors: dict[str, int] = {}
    last = -1
    for o in old.nodes:
        anchors[o.id] = last
        g = group_of_old[o.id]
        if g.new:
            last = min(new_index[n.id] for n in g.new)
    return anchors
