"""A ChangeSet as a legal editor reads it: plain text for a terminal or a CI log, Markdown for a pull request.

Every change shows the clause ID and number, the kind of change (新增/删除/修改/移动/重新编号/退役/拆分/合并),
whether it is 实质性变更 or 编辑性修改, the reasons, and a redline. The Markdown marks deletions and insertions
with ``<del>``/``<ins>`` rather than ``~~…~~``/``**…**``: agreements use bold themselves (for clauses that
must be prominently flagged), so bold cannot also mean "inserted".
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence

from kspub.diff import Change, ChangeSet
from kspub.redline import DELETE, EQUAL, INSERT, Segment, render_text

#: Chinese names of change kinds.
KIND_ZH = {
    "added": "新增",
    "removed": "删除",
    "retired": "退役",
    "modified": "修改",
    "moved": "移动",
    "renamed": "标识变更",
    "renumbered": "重新编号",
    "split": "拆分",
    "merged": "合并",
    "restructured": "重组",
    "meta": "前置信息",
}

#: Chinese names of the two classes.
CLASS_ZH = {"material": "实质性变更", "editorial": "编辑性修改"}

#: Characters of unchanged text kept on each side of a change; longer stretches are shortened with "……".
DEFAULT_CONTEXT = 40

_MARKDOWN_SPECIAL = set("\\`*_[]~|#!")


def shorten(segments: Sequence[Segment], context: int | None = DEFAULT_CONTEXT) -> tuple[Segment, ...]:
    """The redline with long unchanged stretches cut down to ``context`` characters around each change.

    ``None`` keeps everything. A redline without changes is returned as it is.
    """
    if context is None or all(s.op == EQUAL for s in segments):
        return tuple(segments)
    out: list[Segment] = []
    last = len(segments) - 1
    for k, seg in enumerate(segments):
        if seg.op != EQUAL:
            out.append(seg)
            continue
        text = seg.text
        keep_head = context if k > 0 else 0  # after a change
        keep_tail = context if k < last else 0  # before a change
        if len(text) > keep_head + keep_tail + 2:
            text = text[:keep_head] + "……" + text[len(text) - keep_tail :]
        out.append(Segment(EQUAL, text))
    return tuple(out)


def _where(change: Change) -> str:
    """``4.4 free-service-charging-notice`` with the number as printed on the newer side."""
    if change.kind == "meta":
        return change.clause
    number = change.new_number if change.new_number else change.old_number
    if number and change.old_number and change.new_number and change.old_number != change.new_number:
        number = f"{change.old_number} → {change.new_number}"
    return f"{number} {change.clause}" if number else change.clause


def _counts(changes: Iterable[Change]) -> tuple[int, int]:
    items = list(changes)
    material = sum(1 for c in items if c.material)
    return material, len(items) - material


def _summary(changeset: ChangeSet) -> str:
    material, editorial = _counts(changeset.changes)
    if not changeset.changes:
        return "条款无变化。"
    verdict = "含实质性变更" if changeset.material else "仅有编辑性修改"
    return f"{verdict}：共 {material + editorial} 处条款变更，其中实质性变更 {material} 处，编辑性修改 {editorial} 处。"


# --- plain text -------------------------------------------------------------------------------------------


def render_text_report(changeset: ChangeSet, *, context: int | None = DEFAULT_CONTEXT) -> str:
    """The change set as plain Chinese text, one block per change, material changes marked first in each line."""
    lines = [f"协议 {changeset.agreement}：版本 {changeset.from_version} → {changeset.to_version}", _summary(changeset)]
    for k, change in enumerate(changeset.changes, 1):
        lines.append("")
        lines.append(f"{k}. 【{CLASS_ZH[change.cls]}】{KIND_ZH[change.kind]} {_where(change)}")
        lines.append(f"   说明：{change.explanation}")
        if any(s.op != EQUAL for s in change.redline):
            lines.append(f"   红线：{render_text(shorten(change.redline, context))}")
        if change.line is not None:
            side = "新版本" if change.new_line is not None else "旧版本"
            lines.append(f"   位置：{side}第 {change.line} 行")
    if changeset.meta_changes:
        lines.append("")
        lines.append("前置信息变化：")
        lines.extend(f"- {c.explanation}" for c in changeset.meta_changes)
    lines.extend(_note_warnings(changeset, bullet="- "))
    return "\n".join(lines) + "\n"


def _note_warnings(changeset: ChangeSet, *, bullet: str, escape: Callable[[str], str] = str) -> list[str]:
    out: list[str] = []
    if changeset.stale_notes or changeset.unused_notes:
        out.append("")
        out.append("变更说明（change_notes）提示：")
    for note in changeset.stale_notes:
        out.append(f"{bullet}{escape(note.clause)}：与上一版本的说明完全相同，视为沿用旧说明，本次未采用；如本次确需降级，请写明本次理由。")
    for note in changeset.unused_notes:
        out.append(f"{bullet}{escape(note.clause)}：没有对应的条款变更，请检查条款 ID 是否写错。")
    return out


# --- Markdown ---------------------------------------------------------------------------------------------


def escape_markdown(text: str) -> str:
    """Text that Markdown shows literally: HTML escaped, Markdown punctuation backslashed, line breaks as <br>."""
    escaped = "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else ch for ch in html.escape(text, quote=False))
    return escaped.replace("\n", "<br>")


def render_markdown_redline(segments: Iterable[Segment]) -> str:
    """A redline as Markdown-safe inline HTML: ``<del>`` for deletions, ``<ins>`` for insertions."""
    tags = {EQUAL: ("", ""), DELETE: ("<del>", "</del>"), INSERT: ("<ins>", "</ins>")}
    return "".join(f"{tags[s.op][0]}{escape_markdown(s.text)}{tags[s.op][1]}" for s in segments)


def render_markdown_report(
    changeset: ChangeSet, *, title: str | None = None, context: int | None = DEFAULT_CONTEXT
) -> str:
    """The change set as Chinese Markdown for a pull-request comment or a review page."""
    heading = title or changeset.agreement
    lines = [
        f"## {escape_markdown(heading)}：版本 {escape_markdown(changeset.from_version)} → "
        f"{escape_markdown(changeset.to_version)}",
        "",
        f"**{_summary(changeset)}**" if changeset.material else _summary(changeset),
    ]
    for k, change in enumerate(changeset.changes, 1):
        lines.append("")
        lines.append(
            f"### {k}. {KIND_ZH[change.kind]} · {escape_markdown(_where(change))} · {CLASS_ZH[change.cls]}"
        )
        lines.append("")
        lines.append(f"- 说明：{escape_markdown(change.explanation)}")
        if any(s.op != EQUAL for s in change.redline):
            lines.append(f"- 红线：{render_markdown_redline(shorten(change.redline, context))}")
        if change.flags:
            lines.append(f"- 标记：{'、'.join(f'`{f}`' for f in change.flags)}")
        if change.line is not None:
            side = "新版本" if change.new_line is not None else "旧版本"
            lines.append(f"- 位置：{side}第 {change.line} 行")
    if changeset.meta_changes:
        lines.append("")
        lines.append("### 前置信息变化")
        lines.append("")
        lines.extend(f"- {escape_markdown(c.explanation)}" for c in changeset.meta_changes)
    lines.extend(_note_warnings(changeset, bullet="- ", escape=escape_markdown))
    return "\n".join(lines) + "\n"
