"""Differences between two SLA catalogues, aligned by category and entry ID (see decision record 0202)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from kspub.changes import EDITORIAL, MATERIAL, Classification, show_value
from kspub.materiality import classify_text_change

SlaKind = Literal["added", "removed", "modified", "moved"]

#: Chinese names of SLA entry fields.
SLA_FIELD_NAMES: Mapping[str, str] = {
    "title": "名称",
    "category": "所属类别",
    "availability": "可用性承诺",
    "measurement_period": "统计周期",
    "compensation": "赔偿标准",
    "claim_window": "申请赔偿期限",
    "document_url": "文档地址",
    "version": "版本",
    "effective": "生效日期",
}


@dataclass(frozen=True, slots=True)
class SlaChange:
    """One change in the SLA catalogue: a category or entry added or removed, an entry moved, a field changed."""

    target: Literal["category", "entry"]
    id: str
    kind: SlaKind
    cls: Classification
    field: str | None
    """The changed field (``availability``, ``compensation`` …) for ``modified``; None otherwise."""
    old: Any
    new: Any
    explanation: str
    flags: tuple[str, ...] = ()

    @property
    def material(self) -> bool:
        return self.cls == MATERIAL

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "id": self.id,
            "kind": self.kind,
            "class": self.cls,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "explanation": self.explanation,
            "flags": list(self.flags),
        }


@dataclass(frozen=True, slots=True)
class SlaChangeSet:
    """Every change between two SLA catalogues, categories first, then entries, each in ID order."""

    changes: tuple[SlaChange, ...]

    @property
    def material(self) -> bool:
        return any(c.material for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {"material": self.material, "changes": [c.to_dict() for c in self.changes]}


def _flatten_sla(catalogue: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    categories: dict[str, Any] = {}
    entries: dict[str, dict[str, Any]] = {}
    for category in catalogue.get("categories", ()):
        categories[str(category["id"])] = category.get("title")
        for entry in category.get("entries", ()):
            entries[str(entry["id"])] = {**dict(entry), "category": category["id"]}
    return categories, entries


def _sla_field_change(
    target: Literal["category", "entry"], item: str, field: str, old: Any, new: Any
) -> SlaChange:
    name = SLA_FIELD_NAMES.get(field, field)
    label = f"{'服务等级类别' if target == 'category' else '服务等级条目'} {item} 的{name}"
    if field != "category" and isinstance(old, str) and isinstance(new, str):
        verdict = classify_text_change(old, new)
        cls: Classification = EDITORIAL if verdict.editorial else MATERIAL
        return SlaChange(target, item, "modified", cls, field, old, new, f"{label}：{verdict.explanation}",
                         verdict.flags)  # fmt: skip
    kind: SlaKind = "moved" if field == "category" else "modified"
    shown = f"{show_value(old)} → {show_value(new)}"
    return SlaChange(target, item, kind, MATERIAL, field, old, new,
                     f"{label}变化（{shown}）：服务承诺或赔偿档位的任何变化均为实质性变更。", ("sla-changed",))  # fmt: skip


def diff_sla(old: Mapping[str, Any], new: Mapping[str, Any]) -> SlaChangeSet:
    """What changed between two SLA catalogues (``SlaCatalogue.to_dict()`` shape), aligned by category and
    entry ID. Any change to a commitment or compensation tier is material; a title that differs only in
    whitespace or width is editorial. Tier order is ignored (each tier states its own threshold)."""
    from deepdiff import DeepDiff  # lazy: only SLA work pays for it

    old_cats, old_entries = _flatten_sla(old)
    new_cats, new_entries = _flatten_sla(new)
    found = DeepDiff(
        {"categories": old_cats, "entries": old_entries},
        {"categories": new_cats, "entries": new_entries},
        ignore_order=True,
        view="tree",
    )
    touched: dict[tuple[str, str, str | None], None] = {}
    for levels in found.values():
        for level in levels:
            path = level.path(output_format="list")
            field = str(path[2]) if len(path) > 2 else None
            touched[(str(path[0]), str(path[1]), field)] = None
    changes: list[SlaChange] = []
    for section, item, field in sorted(touched, key=lambda k: (k[0], k[1], k[2] or "")):
        target: Literal["category", "entry"] = "category" if section == "categories" else "entry"
        before, after = (old_cats, new_cats) if target == "category" else (old_entries, new_entries)
        noun = "服务等级类别" if target == "category" else "服务等级条目"
        if item not in before:
            changes.append(SlaChange(target, item, "added", MATERIAL, None, None, after[item],
                                     f"新增{noun} {item}：实质性变更。", ("sla-added",)))  # fmt: skip
        elif item not in after:
            changes.append(SlaChange(target, item, "removed", MATERIAL, None, before[item], None,
                                     f"删除{noun} {item}：实质性变更。", ("sla-removed",)))  # fmt: skip
        elif target == "category":
            changes.append(_sla_field_change(target, item, "title", before[item], after[item]))
        elif field is not None:
            changes.append(_sla_field_change(target, item, field, before[item].get(field), after[item].get(field)))
    return SlaChangeSet(tuple(changes))
