"""Redlines: what was deleted and inserted between two texts, at a granularity a Chinese reader needs.

The diff is character level (Chinese has no spaces to split words on) computed with diff-match-patch and
cleaned with its semantic cleanup, then widened so that a number, an amount or an ASCII word is always
shown whole: ``10个自然日`` → ``5个自然日`` reads ``[-10-]{+5+}个自然日`` and ``99.95%`` → ``99.9%`` reads
``[-99.95%-]{+99.9%+}``, never as scattered digits.

Work is bounded by counting, not by the clock, so the same two texts always give the same redline (published
redlines are immutable documents) and no input, however long or repetitive, makes the diff run away:

1. the common prefix and suffix are cut off (linear);
2. the rest is diffed phrase by phrase (a phrase ends at Chinese or ASCII punctuation or a line break);
3. each run of changed phrases is re-diffed character by character.

diff-match-patch's clock deadline (``Diff_Timeout``) is replaced by a budget of Myers bisection steps shared by
the whole redline, and its helpers that are quadratic on periodic text (half-match, overlap detection,
boundary shifting) only run on short pieces. Once the budget is spent a run is shown as one deletion followed
by one insertion: always correct, merely coarser.

The result is the same in both directions: ``redline(b, a)`` is ``redline(a, b)`` with insertions and
deletions swapped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch

from kspub.memo import memo

Op = Literal["equal", "insert", "delete"]

EQUAL: Op = "equal"
INSERT: Op = "insert"
DELETE: Op = "delete"


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of a redline."""

    op: Op
    """``equal`` (in both texts), ``delete`` (only in the old text) or ``insert`` (only in the new text)."""
    text: str
    """The characters of the piece; never empty."""

    def to_dict(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


#: Tokens that must never be split by an edit: Arabic numbers with their decimal, thousands, date, time and
#: telephone separators and a trailing percent sign (10, 99.95%, 2022-07-05, 400-1070-808), ASCII words,
#: and runs of Chinese numerals (十五, 三十). ``\d`` also matches full-width digits.
TOKEN_RE = re.compile(
    r"\d+(?:[.,:/\-－．][0-9０-９]+)*[%％‰]?"
    r"|[A-Za-z][A-Za-z0-9_]*"
    r"|[零〇一二两三四五六七八九十百千万亿]{2,}"
)

#: Where a phrase ends for the coarse first pass: after Chinese or ASCII clause punctuation or a line break.
_PHRASE_RE = re.compile(r"[^，。；：！？、\n;!?]*[，。；：！？、\n;!?]|[^，。；：！？、\n;!?]+")

#: Myers' bisection steps (diagonals visited) one redline may spend: about a second of pure Python at worst.
#: A complete rewrite of a ~1000-character clause still gets a character-level redline; past the budget the
#: remaining runs are shown as whole replacements.
BISECT_STEPS_PER_REDLINE = 1_000_000
#: diff-match-patch's half-match speed-up and its overlap and boundary-shifting clean-ups are quadratic on
#: periodic text (``'ab' * N``); they only run on pieces this short.
QUADRATIC_HELPER_MAX_LENGTH = 2_000


class _StepBudget:
    """Steps a redline may still spend in Myers' bisection, shared by every bisection of that redline."""

    def __init__(self, steps: int) -> None:
        self.left = steps


class _Deadline:
    """Stands in for diff-match-patch's clock deadline in one bisection, counting work instead of seconds.

    The library asks ``time.time() > deadline`` once per edit distance d; a float cannot compare itself
    with this object, so Python asks the reflected ``deadline < now``, which charges the ~2d diagonals of
    that round to the shared budget and reports the deadline passed once the budget is spent. The library
    then returns the whole pair as one deletion and one insertion, exactly as on a timeout, but the same
    input always stops at the same point.
    """

    def __init__(self, budget: _StepBudget) -> None:
        self.budget = budget
        self.rounds = 0

    def _passed(self) -> bool:
        self.rounds += 1
        self.budget.left -= 2 * self.rounds
        return self.budget.left < 0

    def __lt__(self, now: object) -> bool:
        return self._passed()

    def __gt__(self, now: object) -> bool:
        return not self._passed()


class _BoundedDiff(diff_match_patch):  # type: ignore[misc]  # the library ships no type hints
    """diff-match-patch with deterministic, size-based work limits instead of a wall-clock deadline."""

    def __init__(self) -> None:
        super().__init__()
        # A positive timeout keeps the half-match speed-up enabled; the clock deadline it implies is never
        # consulted, because every bisection below gets a step-counting deadline instead.
        self.Diff_Timeout = 1.0
        self.budget = _StepBudget(BISECT_STEPS_PER_REDLINE)

    def diff_bisect(self, text1: str, text2: str, deadline: object) -> list[tuple[int, str]]:
        result: list[tuple[int, str]] = super().diff_bisect(text1, text2, _Deadline(self.budget))
        return result

    def diff_halfMatch(self, text1: str, text2: str) -> tuple[str, str, str, str, str] | None:
        if max(len(text1), len(text2)) > QUADRATIC_HELPER_MAX_LENGTH:
            return None
        result: tuple[str, str, str, str, str] | None = super().diff_halfMatch(text1, text2)
        return result

    def diff_commonOverlap(self, text1: str, text2: str) -> int:
        if min(len(text1), len(text2)) > QUADRATIC_HELPER_MAX_LENGTH:
            return 0  # only used to tidy a deletion next to an insertion; skipping it loses no change
        result: int = super().diff_commonOverlap(text1, text2)
        return result

    def diff_cleanupSemanticLossless(self, diffs: list[tuple[int, str]]) -> None:
        # Shifting edits to word boundaries copies strings once per character shifted.
        if all(len(text) <= QUADRATIC_HELPER_MAX_LENGTH for _, text in diffs):
            super().diff_cleanupSemanticLossless(diffs)


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    # Compare in growing blocks so long equal prefixes cost C-speed slices, not a Python loop per character.
    step = 64
    while i < n:
        j = min(n, i + step)
        if a[i:j] == b[i:j]:
            i = j
            step *= 2
        elif step > 1:
            step //= 2
        else:
            break
    return i


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _phrases(text: str) -> list[str]:
    return _PHRASE_RE.findall(text)


def _encode(phrases_a: list[str], phrases_b: list[str]) -> tuple[str, str, list[str]]:
    """Map each distinct phrase to one character so diff-match-patch can diff phrase sequences."""
    table: list[str] = []
    index: dict[str, int] = {}

    def code(phrase: str) -> str:
        k = index.get(phrase)
        if k is None:
            k = index[phrase] = len(table)
            table.append(phrase)
        # Skip the surrogate block: such code points are not characters.
        return chr(0x100 + k + (0x800 if 0x100 + k >= 0xD800 else 0))

    return "".join(code(p) for p in phrases_a), "".join(code(p) for p in phrases_b), table


def _decode(code: str, table: list[str]) -> str:
    out = []
    for ch in code:
        k = ord(ch) - 0x100
        if k >= 0xD800 - 0x100:
            k -= 0x800
        out.append(table[k])
    return "".join(out)


def _char_diff(a: str, b: str) -> list[tuple[int, str]]:
    """The cleaned character-level diff of two texts (diff-match-patch tuples), with bounded work."""
    dmp = _BoundedDiff()
    pre = _common_prefix(a, b)
    suf = _common_suffix(a[pre:], b[pre:])
    mid_a, mid_b = a[pre : len(a) - suf], b[pre : len(b) - suf]
    diffs: list[tuple[int, str]] = []
    if pre:
        diffs.append((dmp.DIFF_EQUAL, a[:pre]))
    if mid_a or mid_b:
        code_a, code_b, table = _encode(_phrases(mid_a), _phrases(mid_b))
        coarse = dmp.diff_main(code_a, code_b, False)
        # Re-diff every run of changed phrases character by character, as diff-match-patch's line mode does.
        deleted: list[str] = []
        inserted: list[str] = []
        for op, code in [*coarse, (dmp.DIFF_EQUAL, "")]:
            if op == dmp.DIFF_DELETE:
                deleted.append(_decode(code, table))
            elif op == dmp.DIFF_INSERT:
                inserted.append(_decode(code, table))
            else:
                if deleted or inserted:
                    diffs.extend(dmp.diff_main("".join(deleted), "".join(inserted), False))
                    deleted, inserted = [], []
                if code:
                    diffs.append((dmp.DIFF_EQUAL, _decode(code, table)))
    if suf:
        diffs.append((dmp.DIFF_EQUAL, a[len(a) - suf :]))
    dmp.diff_cleanupMerge(diffs)
    dmp.diff_cleanupSemantic(diffs)
    return diffs


def _token_owner(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """Spans of the unsplittable tokens of ``text`` and, per character, the index of its token or -1."""
    spans = [(m.start(), m.end()) for m in TOKEN_RE.finditer(text) if m.end() - m.start() > 1]
    owner = [-1] * len(text)
    for k, (s, e) in enumerate(spans):
        for p in range(s, e):
            owner[p] = k
    return spans, owner


def _widen_to_tokens(a: str, b: str, diffs: Iterable[tuple[int, str]]) -> tuple[list[int], list[int]]:
    """Match characters as the diff does, then unmatch every token an edit touches, on either side.

    A token is intact only when all its characters are matched to consecutive characters of the other text;
    otherwise all of its matched characters, and their partners, become deleted/inserted. Unmatching a
    partner can break a token on the other side, so this runs to a fixed point (each token at most once).
    """
    match_a = [-1] * len(a)
    match_b = [-1] * len(b)
    i = j = 0
    for op, text in diffs:
        n = len(text)
        if op == 0:
            for k in range(n):
                match_a[i + k] = j + k
                match_b[j + k] = i + k
            i += n
            j += n
        elif op < 0:
            i += n
        else:
            j += n

    sides = ((a, match_a, match_b), (b, match_b, match_a))
    spans = [_token_owner(a), _token_owner(b)]
    done = [[False] * len(spans[0][0]), [False] * len(spans[1][0])]
    work: list[tuple[int, int]] = []

    def broken(side: int, k: int) -> bool:
        s, e = spans[side][0][k]
        m = sides[side][1]
        return any(m[p] < 0 for p in range(s, e)) or any(m[p + 1] != m[p] + 1 for p in range(s, e - 1))

    for side in (0, 1):
        for k in range(len(spans[side][0])):
            if broken(side, k):
                work.append((side, k))
    while work:
        side, k = work.pop()
        if done[side][k]:
            continue
        done[side][k] = True
        s, e = spans[side][0][k]
        mine, theirs = sides[side][1], sides[side][2]
        other_owner = spans[1 - side][1]
        for p in range(s, e):
            q = mine[p]
            if q >= 0:
                mine[p] = -1
                theirs[q] = -1
                if other_owner[q] >= 0 and not done[1 - side][other_owner[q]]:
                    work.append((1 - side, other_owner[q]))
    return match_a, match_b


def _segments_from_matches(a: str, b: str, match_a: list[int], match_b: list[int]) -> list[Segment]:
    """Rebuild segments from a monotone character matching; each change reads deletion first, then insertion."""
    out: list[Segment] = []
    i = j = 0
    while i < len(a) or j < len(b):
        s = i
        while i < len(a) and match_a[i] < 0:
            i += 1
        t = j
        while j < len(b) and match_b[j] < 0:
            j += 1
        if i > s:
            out.append(Segment(DELETE, a[s:i]))
        if j > t:
            out.append(Segment(INSERT, b[t:j]))
        s = i
        while i < len(a) and j < len(b) and match_a[i] == j:
            i += 1
            j += 1
        if i > s:
            out.append(Segment(EQUAL, a[s:i]))
    return out


def mirror(segments: Sequence[Segment]) -> tuple[Segment, ...]:
    """The redline of the reverse change: insertions become deletions and vice versa (deletions first)."""
    out: list[Segment] = []
    pending: list[Segment] = []
    swap: dict[Op, Op] = {INSERT: DELETE, DELETE: INSERT, EQUAL: EQUAL}
    for seg in [*segments, Segment(EQUAL, "")]:
        if seg.op == EQUAL:
            out.extend(sorted(pending, key=lambda s: s.op != DELETE))
            pending = []
            if seg.text:
                out.append(seg)
        else:
            pending.append(Segment(swap[seg.op], seg.text))
    return tuple(out)


@memo(maxsize=1024)  # the materiality test and the displayed redline ask for the same pairs
def redline(old: str, new: str) -> tuple[Segment, ...]:
    """The redline from ``old`` to ``new``: equal, deleted and inserted pieces in reading order.

    Joining the ``equal`` and ``delete`` pieces gives ``old``; joining ``equal`` and ``insert`` gives ``new``.
    Numbers, amounts, percentages and ASCII words are never split. Equal texts give one ``equal`` piece (none
    when both are empty).
    """
    if old == new:
        return (Segment(EQUAL, old),) if old else ()
    # Diff in one canonical direction so that the two directions always mirror each other exactly.
    swapped = (len(new), new) < (len(old), old)
    a, b = (new, old) if swapped else (old, new)
    match_a, match_b = _widen_to_tokens(a, b, _char_diff(a, b))
    segments = _segments_from_matches(a, b, match_a, match_b)
    return mirror(segments) if swapped else tuple(segments)


def source_text(segments: Iterable[Segment]) -> str:
    """The old text a redline was made from."""
    return "".join(s.text for s in segments if s.op != INSERT)


def target_text(segments: Iterable[Segment]) -> str:
    """The new text a redline was made from."""
    return "".join(s.text for s in segments if s.op != DELETE)


def render_text(segments: Iterable[Segment]) -> str:
    """Plain-text redline in the ``git diff --word-diff`` notation: ``[-deleted-]{+inserted+}``."""
    marks = {EQUAL: ("", ""), DELETE: ("[-", "-]"), INSERT: ("{+", "+}")}
    return "".join(f"{marks[s.op][0]}{s.text}{marks[s.op][1]}" for s in segments)


def render_html(segments: Iterable[Segment]) -> str:
    """HTML redline: ``<del>`` and ``<ins>`` around changed pieces, every piece escaped."""
    tags = {EQUAL: ("", ""), DELETE: ("<del>", "</del>"), INSERT: ("<ins>", "</ins>")}
    return "".join(f"{tags[s.op][0]}{html.escape(s.text, quote=False)}{tags[s.op][1]}" for s in segments)


def has_changes(segments: Iterable[Segment]) -> bool:
    """True when a redline deletes or inserts anything."""
    return any(s.op != EQUAL for s in segments)
