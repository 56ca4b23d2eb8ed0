"""Clause-aligned differences between two versions of an agreement (the SLA catalogue's are in kspub.sla.diff).

Nodes are matched by ID, never by position or display number (:mod:`kspub.alignment`). A node's ``replaces``
declaration links IDs that vanished or appeared, which turns "deleted + added" into a rename, a split or a
merge. Every change is classified editorial or material (see :mod:`kspub.materiality` and decision record 0202)
and explained in Chinese.

Representation (decision record 0201): one :class:`Change` per changed group of nodes, with one ``kind``
chosen by precedence — ``modified`` (the text changed) over ``moved`` (another parent, another place among
its siblings, or another node kind) over ``renamed`` (another ID) over ``renumbered`` (another display
number). What else happened to the node is in ``flags`` (``moved``, ``renumbered``, ``id-renamed`` …) and in
the old/new number and parent fields, so nothing is lost by choosing one kind. The names of kinds, classes
and flags are in :mod:`kspub.changes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from kspub.alignment import Alignment, NodeGroup, align
from kspub.changes import (
    CLAUSE_ADDED,
    CLAUSE_REMOVED,
    DOWNGRADED,
    EDITORIAL,
    FRONT_MATTER,
    ID_RENAMED,
    MATERIAL,
    MERGED,
    MOVED,
    OVERRIDE_APPROVED,
    OVERRIDE_UNAPPROVED,
    RENUMBERED,
    RESTRUCTURED,
    RETIRED,
    RETIRED_ID_REUSED,
    SPLIT,
    STRUCTURE_CHANGED,
    TAGS_CHANGED,
    TEXT_UNCHANGED,
    UPGRADED,
    ChangeKind,
    Classification,
    show_value,
)
from kspub.materiality import (
    TextVerdict,
    ValueChange,
    WordCount,
    classify_text_change,
    hard_flag_reason,
    hard_flags,
    subject_flags,
    subject_reason,
)
from kspub.model import Agreement, ChangeNote, Meta, Node
from kspub.redline import Segment, redline


@dataclass(frozen=True, slots=True)
class Change:
    """One change between two versions: a node (or a group of nodes for split/merge), or a front-matter field."""

    clause: str
    """The ID the change is about: the node's ID; for a split the old ID, for a merge the new one; for a
    front-matter change the field's dotted path (``printed_dates.updated``)."""
    kind: ChangeKind
    cls: Classification
    flags: tuple[str, ...]
    explanation: str
    """Chinese: what changed and why it is material or editorial."""
    old_text: str | None
    """The old text (a section's title and text on separate lines); None when there was none."""
    new_text: str | None
    redline: tuple[Segment, ...]
    old_number: str | None = None
    new_number: str | None = None
    old_parent: str | None = None
    new_parent: str | None = None
    replaces: tuple[str, ...] = ()
    """Old IDs the new node(s) replace, for renames, splits and merges."""
    line: int | None = None
    """Source line on the new side, or on the old side when the node is gone."""
    tags: tuple[str, ...] = ()
    """Subject tags of the node(s) on either side, including those inherited from enclosing sections."""
    old_ids: tuple[str, ...] = ()
    new_ids: tuple[str, ...] = ()
    old_line: int | None = None
    new_line: int | None = None
    numbers: tuple[ValueChange, ...] = ()
    duty_words: tuple[WordCount, ...] = ()

    @property
    def material(self) -> bool:
        return self.cls == MATERIAL

    def to_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "kind": self.kind,
            "class": self.cls,
            "flags": list(self.flags),
            "explanation": self.explanation,
            "old_text": self.old_text,
            "new_text": self.new_text,
            "redline": [s.to_dict() for s in self.redline],
            "old_number": self.old_number,
            "new_number": self.new_number,
            "old_parent": self.old_parent,
            "new_parent": self.new_parent,
            "replaces": list(self.replaces),
            "old_ids": list(self.old_ids),
            "new_ids": list(self.new_ids),
            "line": self.line,
            "old_line": self.old_line,
            "new_line": self.new_line,
            "tags": list(self.tags),
            "numbers": [n.to_dict() for n in self.numbers],
            "duty_words": [w.to_dict() for w in self.duty_words],
        }


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Everything that changed from one version of an agreement to the next, in reading order."""

    agreement: str
    from_version: str
    to_version: str
    changes: tuple[Change, ...]
    meta_changes: tuple[Change, ...] = ()
    unused_notes: tuple[ChangeNote, ...] = ()
    """Change notes of the new version that match no change (a typo in the clause ID, or nothing changed)."""
    stale_notes: tuple[ChangeNote, ...] = ()
    """Change notes copied unchanged from the old version: not applied, they justified an earlier change."""

    @property
    def material(self) -> bool:
        return any(c.material for c in self.changes)

    @property
    def empty(self) -> bool:
        return not self.changes and not self.meta_changes

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "from": self.from_version,
            "to": self.to_version,
            "material": self.material,
            "changes": [c.to_dict() for c in self.changes],
            "meta_changes": [c.to_dict() for c in self.meta_changes],
            "unused_notes": [_note_dict(n) for n in self.unused_notes],
            "stale_notes": [_note_dict(n) for n in self.stale_notes],
        }


def _note_dict(note: ChangeNote) -> dict[str, str]:
    return {"clause": note.clause, "classification": note.classification, "reason": note.reason,
            "approved_by": note.approved_by}  # fmt: skip


# --- node helpers -----------------------------------------------------------------------------------------


def node_content(node: Node) -> str:
    """What a reader reads of a node: a section's title, a clause's text (both, on two lines, if present)."""
    return "\n".join(part for part in (node.title, node.text) if part)


def _effective_tags(agreement: Agreement) -> dict[str, tuple[str, ...]]:
    """Each node's own tags plus those of its enclosing nodes: a clause inside a personal-information section
    is about personal information even when it carries no tag of its own."""
    by_id = agreement.by_id()
    memo: dict[str, tuple[str, ...]] = {}

    def tags_of(node_id: str, seen: frozenset[str]) -> tuple[str, ...]:
        if node_id in memo:
            return memo[node_id]
        node = by_id[node_id]
        inherited: tuple[str, ...] = ()
        if node.parent in by_id and node.parent not in seen:
            inherited = tags_of(node.parent, seen | {node_id})
        memo[node_id] = tuple(dict.fromkeys((*node.tags, *inherited)))
        return memo[node_id]

    return {n.id: tags_of(n.id, frozenset()) for n in agreement.nodes}


# --- building changes -------------------------------------------------------------------------------------


def _nonempty(reasons: Iterable[str]) -> list[str]:
    return [r for r in reasons if r]


def _explain(head: str, reasons: Iterable[str]) -> str:
    parts = [p for p in (head, *reasons) if p]
    return "；".join(parts) + "。"


def _join_numbers(nodes: Sequence[Node]) -> str | None:
    numbers = [n.number for n in nodes if n.number]
    return "、".join(numbers) if numbers else None


def _union_tags(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({t for g in groups for t in g}))


def _node_change(
    o: Node,
    n: Node,
    *,
    verdict: TextVerdict,
    moved: bool,
    old_parent_same: bool,
    parents: tuple[str, str],
    tags: tuple[str, ...],
) -> Change | None:
    text_changed = node_content(o) != node_content(n) or verdict.material
    renumbered = o.number != n.number
    renamed = o.id != n.id
    kind_changed = o.kind != n.kind
    tags_changed = set(o.tags) != set(n.tags)
    if not (text_changed or moved or renamed or renumbered or kind_changed or tags_changed):
        return None

    flags = list(verdict.flags)
    reasons = list(verdict.reasons)
    material = verdict.material
    if moved:
        flags.append(MOVED)
        material = True
        where = (
            f"在同级条款中的顺序改变（上级：{parents[1]}）"
            if old_parent_same
            else f"上级由 {parents[0]} 改为 {parents[1]}"
        )
        reasons.append(
            f"条款位置变化：{where}；位置决定条款的适用范围，按规则视为实质性变更"
            "，如确认不影响权利义务，可在变更说明（change_notes）中写明理由降为编辑性修改"
        )
    if kind_changed:
        flags.append(STRUCTURE_CHANGED)
        material = True
        reasons.append(f"条款层级类型由 {o.kind.value} 改为 {n.kind.value}")
    if renamed:
        flags.append(ID_RENAMED)
        reasons.append(f"条款标识由 {o.id} 改为 {n.id}（永久链接随之改变）")
    if renumbered:
        flags.append(RENUMBERED)
        reasons.append(f"编号由 {o.number or '（无）'} 改为 {n.number or '（无）'}")
    if tags_changed:
        flags.append(TAGS_CHANGED)
        reasons.append(f"主题标签由 {'、'.join(o.tags) or '（无）'} 改为 {'、'.join(n.tags) or '（无）'}")
        # a subject tag decides which notice rules apply: dropping one could take the clause out of a stricter
        # rule's reach and lower its notice in a later version unseen; either way the change is material (and
        # mirrors: the diff back is material too), a person may record otherwise in change_notes
        material = True
        dropped = sorted(set(o.tags) - set(n.tags))
        if dropped:
            reasons.append(f"删除主题标签 {'、'.join(dropped)}：该条款可能不再适用相应主题的通知规则，按规则视为实质性变更")
        else:
            reasons.append("主题标签决定适用哪条通知规则，按规则视为实质性变更")

    kind: ChangeKind
    if text_changed:
        kind, head = "modified", "条款内容修改"
    elif moved or kind_changed:
        kind, head = "moved", "条款移动，文字未变"
    elif renamed:
        kind, head = "renamed", "条款标识变更，文字和位置未变"
    elif renumbered:
        kind, head = "renumbered", "仅编号变化，文字未变"
    else:
        kind, head = "modified", "仅主题标签变化，文字未变"
    if not text_changed:
        flags.insert(0, TEXT_UNCHANGED)
    if material:
        flags.extend(subject_flags(tags))
        reasons.append(subject_reason(tags))
    old_content, new_content = node_content(o), node_content(n)
    return Change(
        clause=n.id,
        kind=kind,
        cls=MATERIAL if material else EDITORIAL,
        flags=tuple(dict.fromkeys(flags)),
        explanation=_explain(("实质性变更：" if material else "编辑性修改：") + head, _nonempty(reasons)),
        old_text=old_content,
        new_text=new_content,
        redline=redline(old_content, new_content),
        old_number=o.number,
        new_number=n.number,
        old_parent=o.parent,
        new_parent=n.parent,
        replaces=(o.id,) if renamed else (),
        line=n.line,
        tags=tags,
        old_ids=(o.id,),
        new_ids=(n.id,),
        old_line=o.line,
        new_line=n.line,
        numbers=verdict.numbers,
        duty_words=verdict.duty_words,
    )


def _group_change(
    group: NodeGroup,
    kind: ChangeKind,
    *,
    renumbering: Mapping[str, str],
    reused: bool,
    tags: tuple[str, ...],
) -> Change:
    """A change that adds, removes, splits or merges nodes: always material (decision record 0202)."""
    old_content = "\n".join(node_content(o) for o in group.old) if group.old else None
    new_content = "\n".join(node_content(n) for n in group.new) if group.new else None
    verdict = classify_text_change(old_content or "", new_content or "", renumbering=renumbering)
    old_ids = tuple(o.id for o in group.old)
    new_ids = tuple(n.id for n in group.new)
    flags: list[str] = []
    reasons: list[str] = []
    if kind == "added":
        flags.append(CLAUSE_ADDED)
        head = "新增条款"
        if reused:
            flags.append(RETIRED_ID_REUSED)
            reasons.append(f"标识 {new_ids[0]} 曾在旧版本中登记为退役，不应再次使用")
    elif kind in ("removed", "retired"):
        flags.append(CLAUSE_REMOVED)
        head = "删除条款"
        if kind == "retired":
            flags.append(RETIRED)
            head = "删除条款（标识已登记退役）"
    else:
        flags.append({"split": SPLIT, "merged": MERGED}.get(kind, RESTRUCTURED))
        olds, news = "、".join(old_ids), "、".join(new_ids)
        head = {
            "split": f"条款 {olds} 拆分为 {news}",
            "merged": f"条款 {olds} 合并为 {news}",
        }.get(kind, f"条款 {olds} 重组为 {news}")
        if verdict.editorial:
            flags.append(TEXT_UNCHANGED)
            reasons.append(
                "文字未变，但条款边界改变：引用原条款的交叉引用所及范围随之改变，按规则视为实质性变更"
                "，如确认不影响权利义务，可在变更说明（change_notes）中写明理由降为编辑性修改"
            )
    if kind in ("added", "removed", "retired"):
        reasons.extend(_content_reasons(verdict, added=kind == "added"))
    else:
        reasons.extend(verdict.reasons if verdict.material else ())
        flags.extend(f for f in verdict.flags if verdict.material)
    flags.extend(subject_flags(tags))
    reasons.append(subject_reason(tags))
    first_new = group.new[0] if group.new else None
    first_old = group.old[0] if group.old else None
    clause = old_ids[0] if kind in ("removed", "retired", "split") else new_ids[0]
    return Change(
        clause=clause,
        kind=kind,
        cls=MATERIAL,
        flags=tuple(dict.fromkeys(flags)),
        explanation=_explain("实质性变更：" + head, _nonempty(reasons)),
        old_text=old_content,
        new_text=new_content,
        redline=redline(old_content or "", new_content or ""),
        old_number=_join_numbers(group.old),
        new_number=_join_numbers(group.new),
        old_parent=first_old.parent if first_old else None,
        new_parent=first_new.parent if first_new else None,
        replaces=old_ids if group.old and group.new else (),
        line=first_new.line if first_new else (first_old.line if first_old else None),
        tags=tags,
        old_ids=old_ids,
        new_ids=new_ids,
        old_line=first_old.line if first_old else None,
        new_line=first_new.line if first_new else None,
        numbers=verdict.numbers,
        duty_words=verdict.duty_words,
    )


def _content_reasons(verdict: TextVerdict, *, added: bool) -> list[str]:
    """What an added or removed clause contains that a reviewer must see: numbers and duty or right words."""
    reasons: list[str] = []
    side = "新增" if added else "删除"
    values = [c.new if added else c.old for c in verdict.numbers]
    if values:
        reasons.append(f"{side}的条款含数字、期限、金额或比例：{'、'.join(v for v in values if v)}")
    words = [f"“{w.word}”" for w in verdict.duty_words]
    if words:
        reasons.append(f"{side}的条款含义务或权利用语：{'、'.join(words)}")
    return reasons


# --- change notes -----------------------------------------------------------------------------------------


def _apply_notes(
    changes: list[Change], notes: Sequence[ChangeNote], previous: Sequence[ChangeNote]
) -> tuple[list[Change], tuple[ChangeNote, ...], tuple[ChangeNote, ...]]:
    """Apply the new version's change notes; a note copied unchanged from the old version is stale.

    A stale note justified an earlier change; applying it again would silently downgrade a new change to the
    same clause, the most expensive mistake this tool can make.
    """
    stale = tuple(n for n in notes if n in previous)
    live = [n for n in notes if n not in previous]
    used: set[int] = set()
    out: list[Change] = []
    for change in changes:
        ids = {change.clause, *change.old_ids, *change.new_ids}
        for k, note in enumerate(live):
            if note.clause not in ids:
                continue
            used.add(k)
            change = _apply_note(change, note)
        out.append(change)
    unused = tuple(n for k, n in enumerate(live) if k not in used)
    return out, unused, stale


def change_hard_flags(change: Change) -> tuple[str, ...]:
    """The hard flags of a change (see :func:`kspub.materiality.hard_flags`): a number, a duty, permission or
    negation word, or a material subject. An added, removed, split or merged clause is read from its texts."""
    whole = change.kind not in ("modified", "moved", "renamed", "renumbered", "meta")
    if whole:
        return hard_flags(change.flags, change.old_text, change.new_text)
    return hard_flags(change.flags)


def _apply_note(change: Change, note: ChangeNote) -> Change:
    if note.classification == EDITORIAL and change.cls == MATERIAL:
        hard = change_hard_flags(change)
        if hard and not note.approved_by:
            explanation = (f"{change.explanation}变更说明要求降为编辑性修改（理由：“{note.reason}”），但本变更"
                           f"{hard_flag_reason(hard)}，变更说明没有写明批准人（approved_by），仍按实质性变更处理。")
            return replace(change, flags=(*change.flags, OVERRIDE_UNAPPROVED), explanation=explanation)
        if hard:
            explanation = (f"{change.explanation}已按变更说明降为编辑性修改（本变更{hard_flag_reason(hard)}），"
                           f"批准人：{note.approved_by}，理由：“{note.reason}”。")
            return replace(change, cls=EDITORIAL, flags=(*change.flags, DOWNGRADED, OVERRIDE_APPROVED),
                           explanation=explanation)  # fmt: skip
        explanation = f"{change.explanation}已按变更说明降为编辑性修改，理由：“{note.reason}”。"
        return replace(change, cls=EDITORIAL, flags=(*change.flags, DOWNGRADED), explanation=explanation)
    if note.classification == MATERIAL and change.cls == EDITORIAL:
        explanation = f"{change.explanation}已按变更说明定为实质性变更，理由：“{note.reason}”。"
        return replace(change, cls=MATERIAL, flags=(*change.flags, UPGRADED), explanation=explanation)
    return replace(change, explanation=f"{change.explanation}变更说明：“{note.reason}”。")


# --- front matter -----------------------------------------------------------------------------------------

#: Chinese names of front-matter fields, for the explanation.
META_FIELD_NAMES: Mapping[str, str] = {
    "id": "协议标识",
    "title": "协议名称",
    "kind": "文本类型",
    "version": "版本号",
    "language": "语言",
    "announced": "公告日期",
    "effective": "生效日期",
    "printed_dates": "文本所载日期",
    "printed_dates.updated": "文本所载更新日期",
    "printed_dates.effective": "文本所载生效日期",
    "retired": "退役条款标识",
    "summary": "变更说明",
    "notice": "通知规则",
}


def _meta_dict(meta: Meta) -> dict[str, Any]:
    data = meta.to_dict()
    data["notice"] = dict(meta.notice)
    return data


#: DeepDiff reports a whole mapping as changed, not field by field, when the fields both sides have are fewer than
#: this share of all their fields (its ``threshold_to_diff_deeper``, given explicitly so the rule below is its).
_DIFF_DEEPER = 0.33


def differing_fields(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """``a`` and ``b`` without the fields they hold identically (:func:`_identical`): DeepDiff finds the same
    differences in these as in the whole (``tests/test_diff_meta.py``), at a fraction of its cost. When leaving
    the identical fields out would change whether DeepDiff looks into the mapping at all (see
    :data:`_DIFF_DEEPER`), the whole is given."""
    changed = [k for k in dict.fromkeys([*a, *b]) if k not in a or k not in b or not _identical(a[k], b[k])]
    fewer = {k: a[k] for k in changed if k in a}, {k: b[k] for k in changed if k in b}
    return fewer if _looked_into(*fewer) == _looked_into(a, b) else (a, b)


def _looked_into(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    union, shared = len(a.keys() | b.keys()), len(a.keys() & b.keys())
    return not (union > 1 and shared / union < _DIFF_DEEPER)


def _identical(x: object, y: object) -> bool:
    """Equal and of the same types all the way down (``1`` and ``True`` are equal in Python, not to DeepDiff)."""
    if type(x) is not type(y):
        return False
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_identical(x[k], y[k]) for k in x)
    if isinstance(x, list | tuple) and isinstance(y, list | tuple):
        return len(x) == len(y) and all(_identical(p, q) for p, q in zip(x, y, strict=True))
    return x == y


def _meta_changes(old: Meta, new: Meta) -> tuple[Change, ...]:
    """Front-matter changes (version, dates, title, retired IDs, notice rules …), one per changed field.

    All editorial: the front matter is not the agreement's text, and the notice rules read it separately.
    A nested field (``notice.rules.0.period``) is reported at its leaf; a list of plain values (``retired``)
    as a whole.
    """
    a, b = _meta_dict(old), _meta_dict(new)
    if a == b:
        return ()
    out = []
    for path_key in sorted(changed_paths(a, b), key=lambda p: [str(x) for x in p]):
        field = ".".join(str(p) for p in path_key)
        old_shown, new_shown = show_value(_lookup(a, path_key)), show_value(_lookup(b, path_key))
        name = META_FIELD_NAMES.get(field, META_FIELD_NAMES.get(str(path_key[0]), str(path_key[0])))
        label = name if field in META_FIELD_NAMES else f"{name}（{field}）"
        out.append(
            Change(
                clause=field,
                kind="meta",
                cls=EDITORIAL,
                flags=(FRONT_MATTER,),
                explanation=f"{label}：{old_shown} → {new_shown}".rstrip("。") + "。",
                old_text=old_shown,
                new_text=new_shown,
                redline=redline(old_shown, new_shown),
                line=new.field_lines.get(str(path_key[0])),
            )
        )
    return tuple(out)


FieldPath = tuple[str | int, ...]


def changed_paths(a: Mapping[str, Any], b: Mapping[str, Any]) -> set[FieldPath]:
    """The paths of the fields that differ between two front matters, each at its leaf (a list of plain values as
    a whole). When every differing field is a plain value (a string, a number, a date — the version, the dates and
    the summary a new version changes), each is its own path and DeepDiff is not needed: what it would report is
    exactly that (``tests/test_diff_meta.py``), at a fraction of its cost, which was a fifth of a comparison."""
    changed = [k for k in dict.fromkeys([*a, *b]) if k not in a or k not in b or not _identical(a[k], b[k])]
    plain = all(not isinstance(f[k], Mapping | list | tuple | set) for f in (a, b) for k in changed if k in f)
    if plain and _looked_into(a, b):  # DeepDiff looks into the mapping: one report per field
        return {(k,) for k in changed}
    return deepdiff_paths(a, b)


def deepdiff_paths(a: Mapping[str, Any], b: Mapping[str, Any]) -> set[FieldPath]:
    """:func:`changed_paths` as DeepDiff finds them."""
    from deepdiff import DeepDiff  # lazy: only a diff with nested front-matter changes pays for it

    # Only the fields that differ are given to DeepDiff (an identical field reports nothing; its cost was most of
    # a comparison's front-matter diff): what it finds is the same.
    found = DeepDiff(*differing_fields(a, b), ignore_order=True, view="tree", threshold_to_diff_deeper=_DIFF_DEEPER)
    fields: set[FieldPath] = set()
    for levels in found.values():
        for level in levels:
            path: list[str | int] = list(level.path(output_format="list"))
            # Stop at a list of plain values: "retired" changed, not "retired[2]".
            for k in range(1, len(path)):
                container = _lookup(b, path[:k])
                if container is None:
                    container = _lookup(a, path[:k])
                if isinstance(container, list) and all(not isinstance(v, dict | list) for v in container):
                    path = path[:k]
                    break
            fields.add(tuple(path))
    return fields


def _lookup(data: Any, path: Sequence[str | int]) -> Any:
    """The value at a path of keys and list indices, or None where the path does not exist."""
    value: Any = data
    for part in path:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return None
    return value


# --- the diff ---------------------------------------------------------------------------------------------


def diff_agreements(old: Agreement, new: Agreement) -> ChangeSet:
    """What changed from ``old`` to ``new``, clause by clause, aligned by node ID.

    ``diff_agreements(x, x)`` is empty; ``diff_agreements(b, a)`` mirrors ``diff_agreements(a, b)`` (added and
    removed, split and merged, insertions and deletions swap; classes stay).
    """
    alignment = align(old, new)
    old_tags, new_tags = _effective_tags(old), _effective_tags(new)
    keyed: list[tuple[tuple[int, int, int], Change]] = []
    for g in alignment.groups:
        tags = _union_tags(*(old_tags[o.id] for o in g.old), *(new_tags[n.id] for n in g.new))
        change: Change | None
        if len(g.old) == 1 and len(g.new) == 1:
            change = _pair_change(g.old[0], g.new[0], alignment, old, new, tags)
        else:
            kind = _group_kind(g, new.meta.retired)
            reused = kind == "added" and g.new[0].id in old.meta.retired
            change = _group_change(g, kind, renumbering=alignment.renumbering, reused=reused, tags=tags)
        if change is not None:
            keyed.append((alignment.position(g), change))
    keyed.sort(key=lambda item: item[0])
    changes, unused, stale = _apply_notes(
        [c for _, c in keyed], new.meta.change_notes, old.meta.change_notes
    )
    return ChangeSet(
        agreement=new.meta.id,
        from_version=old.meta.version,
        to_version=new.meta.version,
        changes=tuple(changes),
        meta_changes=_meta_changes(old.meta, new.meta),
        unused_notes=unused,
        stale_notes=stale,
    )


def _pair_change(
    o: Node, n: Node, alignment: Alignment, old: Agreement, new: Agreement, tags: tuple[str, ...]
) -> Change | None:
    """The change of a node that stands for exactly one node on the other side (None when nothing changed)."""
    mapping = alignment.renumbering
    old_content, new_content = node_content(o), node_content(n)
    if old_content == new_content and not mapping:
        verdict = TextVerdict(True, (), "文字未变。")
    else:
        verdict = classify_text_change(old_content, new_content, renumbering=mapping)
    parent_same = alignment.same_parent(o, n)
    moved = alignment.moved(o, n)
    parents = (_parent_label(old, o), _parent_label(new, n)) if moved else ("", "")
    return _node_change(
        o, n, verdict=verdict, moved=moved, old_parent_same=parent_same, parents=parents, tags=tags
    )


def _parent_label(agreement: Agreement, node: Node) -> str:
    """How an editor recognises a node's parent: ``二、个人信息（privacy）``, or 顶层 at the top level."""
    parent = agreement.node(node.parent) if node.parent else None
    if parent is None:
        return node.parent or "顶层"
    words = parent.title or parent.text
    words = words if len(words) <= 12 else words[:12] + "……"
    return f"{parent.number}{words}（{parent.id}）"


def _group_kind(g: NodeGroup, retired: Sequence[str]) -> ChangeKind:
    if not g.old:
        return "added"
    if not g.new:
        return "retired" if g.old[0].id in retired else "removed"
    if len(g.old) == 1:
        return "split"
    if len(g.new) == 1:
        return "merged"
    return "restructured"
