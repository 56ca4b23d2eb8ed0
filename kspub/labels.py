"""Version label schemes: which label comes after which (decision record 0407).

A label is read by its shape:

* **numeric** — dotted integers whose first part is below 1900: ``1.0 < 1.1 < 1.9 < 1.10 < 2.0``; trailing
  zeros do not count (``1`` and ``1.0`` are the same label);
* **year** — a year and a sequence in that year, dotted: ``2026.1 < 2026.2 < 2027.1``;
* **date** — the day of the text, ``2022-07-05 < 2026-03-01``.

A new version's label must be greater than every label the agreement has released. Moving from the numeric
scheme to a dated one (1.0 → 2026.1) is an increase; going back is not. The year and date schemes compare by
year; within one year they cannot be compared (is 2026.2 before or after 2026-03-01?), so mixing them in one
year is refused. A label of no scheme (``2.0-beta``) cannot be ordered and is refused for a new version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_DOTTED = re.compile(r"\d{1,9}(?:\.\d{1,9})*")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
#: The first part at or above which a dotted label is a year.
FIRST_YEAR = 1900

#: Chinese names of the schemes, for messages.
SCHEME_NAMES = {"numeric": "数字版本号（如 1.0、1.1、2.0）", "year": "年份版本号（如 2026.1、2026.2）",
                "date": "日期版本号（如 2026-03-01）"}  # fmt: skip


@dataclass(frozen=True, slots=True, order=True)
class LabelKey:
    """A label as its scheme orders it."""

    scheme: str
    parts: tuple[int, ...]


def label_key(label: str) -> LabelKey | None:
    """The scheme and the ordering parts of ``label``, or None when it follows no scheme."""
    text = label.strip()
    if _DOTTED.fullmatch(text):
        parts = tuple(int(p) for p in text.split("."))
        scheme = "year" if parts[0] >= FIRST_YEAR and len(parts) > 1 else "numeric"
        while len(parts) > 1 and parts[-1] == 0:
            parts = parts[:-1]
        return LabelKey(scheme, parts)
    m = _DATE.fullmatch(text)
    if m:
        return LabelKey("date", (int(m.group(1)), int(m.group(2)), int(m.group(3))))
    return None


def follows(new: str, old: str) -> bool | None:
    """True when ``new`` comes after ``old``; False when it does not; None when ``old`` follows no scheme
    (a label written before schemes were checked: nothing to compare with)."""
    a, b = label_key(old), label_key(new)
    if a is None:
        return None
    if b is None:
        return False
    if a.scheme == b.scheme:
        return b.parts > a.parts
    if a.scheme == "numeric":
        return True  # numeric → a dated scheme
    if b.scheme == "numeric":
        return False  # a dated scheme back to numeric
    return b.parts[0] > a.parts[0]  # year ↔ date: only a later year is comparable


def label_problem(new: str, released: Iterable[str]) -> str | None:
    """Why ``new`` cannot be the next label after the ``released`` ones (Chinese), or None."""
    if label_key(new) is None:
        names = "；".join(SCHEME_NAMES.values())
        return f"版本号 “{new}” 不符合任何版本号方案（{names}），无法判断先后"
    b = label_key(new)
    for old in released:
        a = label_key(old)
        if a is not None and b is not None and {a.scheme, b.scheme} == {"year", "date"} and a.parts[0] == b.parts[0]:
            return (f"版本号 “{new}” 与已发布的 “{old}” 同一年份却用了不同方案（{SCHEME_NAMES[b.scheme]}、"
                    f"{SCHEME_NAMES[a.scheme]}），无法判断先后：请沿用 “{old}” 的写法")
        if follows(new, old) is False:
            return f"版本号 “{new}” 不大于已发布的版本号 “{old}”：新版本的版本号必须递增"
    return None
