"""Is a text change editorial or material, and why.

The rule (docs/legal/materiality.md §1, decision record 0202): a change is **editorial** only when it provably cannot
change anyone's rights or duties —

* the texts are equal once whitespace and line wrapping are ignored and full-width/half-width forms are
  folded (``（1）`` = ``(1)``, ``，`` = ``,``, ``１０`` = ``10``), or
* they differ only by internal cross-references (``本协议第4.4条``) updated to follow a renumbering.

Everything else is **material**. The flags and the Chinese explanation say what makes it material (numbers,
duty and right words, negations, cross-references, emphasis, punctuation, other wording); they explain, they
never decide: a change no flag describes is still material (``text-changed``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from kspub.chinese_text import (
    CN_NUMERAL_CHARS,
    Reference,
    internal_references,
    normalise,
)
from kspub.memo import Recent, memo
from kspub.model import KNOWN_TAGS
from kspub.redline import redline

# --- flags --------------------------------------------------------------------------------------------------

#: Editorial: the texts differ only in whitespace, line wrapping or character width.
WHITESPACE_OR_WIDTH = "whitespace-or-width"
#: Editorial: internal cross-references were updated to follow a renumbering.
CROSS_REFERENCE_RENUMBERED = "cross-reference-renumbered"
NUMBER_CHANGED = "number-changed"
DUTY_WORD_ADDED = "duty-word-added"
DUTY_WORD_REMOVED = "duty-word-removed"
NEGATION_CHANGED = "negation-changed"
#: An internal cross-reference now names another number, not the one a renumbering would give.
CROSS_REFERENCE_CHANGED = "cross-reference-changed"
#: An internal cross-reference kept its wording but the clause it names is no longer the same one.
CROSS_REFERENCE_RETARGETED = "cross-reference-retargeted"
#: Bold or other emphasis changed: it decides whether a liability clause was prominently flagged.
EMPHASIS_CHANGED = "emphasis-changed"
PUNCTUATION_CHANGED = "punctuation-changed"
TEXT_CHANGED = "text-changed"

#: Subjects whose clauses docs/legal/materiality.md §3 names for the explanation and the notice rules.
MATERIAL_SUBJECT_TAGS: tuple[str, ...] = (
    "fees",
    "liability",
    "personal-information",
    "termination",
    "data-retention",
    "dispute",
)

#: Flags a person's bare reason cannot silence (decision record 0405): a number, period, amount or percentage
#: changed; a duty, permission or negation word appeared or vanished. With the ``tag:<subject>`` flags of
#: :data:`MATERIAL_SUBJECT_TAGS` they are the hard flags; a downgrade of such a change needs ``approved_by``.
HARD_TEXT_FLAGS: tuple[str, ...] = (NUMBER_CHANGED, DUTY_WORD_ADDED, DUTY_WORD_REMOVED, NEGATION_CHANGED)

#: Chinese names of the hard flags, for the explanation and the gate's messages.
HARD_FLAG_NAMES: Mapping[str, str] = {
    NUMBER_CHANGED: "数字、期限、金额或比例变化",
    DUTY_WORD_ADDED: "新增义务、权利或许可用语",
    DUTY_WORD_REMOVED: "删除义务、权利或许可用语",
    NEGATION_CHANGED: "否定词变化",
}

#: A renumbering value meaning "the clause this number named no longer exists as one clause".
REMOVED_TARGET = ""

# --- vocabulary -------------------------------------------------------------------------------------------

#: Words that create, remove or qualify a duty or a right. Counted, not just detected: a second 不得 vanishing
#: while a first one stays is caught.
DUTY_WORDS: tuple[str, ...] = (
    "应当", "应该", "应", "必须", "须", "不得", "不应", "不可", "不能", "请勿", "勿", "禁止", "严禁",
    "有权", "无权", "可以", "可", "免责", "免除", "不承担", "承担", "不负责", "负责", "保证", "承诺",
    "同意", "视为", "无需", "无须",
)  # fmt: skip

NEGATION_WORDS: tuple[str, ...] = ("没有", "不", "未", "无", "非", "否")

#: Common words that contain a duty or negation word without being one (应用 is not 应, 可能 is not 可).
#: They are consumed first so they count as neither.
NEUTRAL_WORDS: tuple[str, ...] = (
    "应用", "相应", "对应", "响应", "供应", "适应", "反应", "回应", "可能", "许可", "认可", "可靠", "可用",
    "可视", "可见", "可信", "不可抗力", "不可能", "负责人", "保证金", "须知", "无论", "未来", "非常",
    "是否", "否则", "不断",
)  # fmt: skip

_WORD_KIND: dict[str, str] = {
    **{w: "neutral" for w in NEUTRAL_WORDS},
    **{w: "negation" for w in NEGATION_WORDS},
    **{w: "duty" for w in DUTY_WORDS},
}
# Longest alternative first, so 不承担 is one duty word and not 不 + 承担.
_WORD_RE = re.compile("|".join(re.escape(w) for w in sorted(_WORD_KIND, key=lambda w: (-len(w), w))))

_UNITS = (
    "个自然日|个工作日|自然日|工作日|个月|个小时|小时|分钟|秒钟|秒|周岁|岁|日|天|周|星期|月|年|"
    "万元|亿元|元|角|分|次|倍|人|家|份|Gbps|Mbps|GB|TB|MB|KB|ms"
)
#: A number with what it counts: 10个自然日, 30天, 99.95%, 400-1070-808, ¥100, 十五日. Chinese numerals only
#: count with a unit, so that 一切 or 一方 are not numbers. Matched on folded text (half-width digits).
NUMBER_RE = re.compile(
    rf"(?:[¥$€£]|人民币)?(?:\d+(?:[.,:/\-]\d+)*(?:%|‰)?(?:{_UNITS})?|[{CN_NUMERAL_CHARS}]+(?:个)?(?:{_UNITS}))"
)
#: Markdown emphasis markers as the agreements use them (``**…**``).
_EMPHASIS_RE = re.compile(r"\*\*|__")


# --- result -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValueChange:
    """One number or cross-reference that changed; "" on the side where it is absent."""

    old: str
    new: str

    def to_dict(self) -> dict[str, str]:
        return {"old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class WordCount:
    """How often a duty, right or negation word occurs in the old and the new text."""

    word: str
    old: int
    new: int

    def to_dict(self) -> dict[str, Any]:
        return {"word": self.word, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class TextVerdict:
    """The classification of one text change, with its reasons."""

    editorial: bool
    flags: tuple[str, ...]
    explanation: str
    """Chinese, one sentence per reason, for a legal editor."""
    reasons: tuple[str, ...] = ()
    """The explanation's reasons one by one (Chinese)."""
    numbers: tuple[ValueChange, ...] = ()
    """Numbers, durations, amounts and percentages that changed, in reading order."""
    duty_words: tuple[WordCount, ...] = ()
    """Duty and right words whose number of occurrences changed."""
    negations: tuple[WordCount, ...] = ()
    references: tuple[ValueChange, ...] = ()
    """Internal cross-references that changed (or were renumbered, when editorial)."""

    @property
    def material(self) -> bool:
        return not self.editorial

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": "editorial" if self.editorial else "material",
            "flags": list(self.flags),
            "explanation": self.explanation,
            "numbers": [n.to_dict() for n in self.numbers],
            "duty_words": [w.to_dict() for w in self.duty_words],
            "negations": [w.to_dict() for w in self.negations],
            "references": [r.to_dict() for r in self.references],
        }


# --- normalisation ----------------------------------------------------------------------------------------


# --- cross-references -------------------------------------------------------------------------------------


def _follow_renumbering(text: str, refs: Sequence[Reference], renumbering: Mapping[str, str]) -> str:
    """The text with every cross-reference rewritten as the renumbering says it should now read."""
    out: list[str] = []
    last = 0
    for ref in refs:
        target = renumbering.get(ref.key, ref.key)
        # A removed target cannot be followed: mark it with a zero-width space, which normalise() removes from
        # every text, so that no new text can equal it.
        out.append(text[last : ref.num_start])
        out.append(target if target != REMOVED_TARGET else "\u200b")
        last = ref.num_end
    out.append(text[last:])
    return "".join(out)


def retargeted_references(text: str, renumbering: Mapping[str, str]) -> tuple[str, ...]:
    """Cross-references in ``text`` that a renumbering makes point at another clause (or at none).

    A clause whose text did not change can still change meaning this way: ``第4.4条`` named one clause in
    the old version and names another, or nothing, in the new one.
    """
    norm = normalise(text)
    return tuple(r.display for r in internal_references(norm) if renumbering.get(r.key, r.key) != r.key)


# --- counting ---------------------------------------------------------------------------------------------


def _word_counts(text: str) -> tuple[Counter[str], Counter[str], list[tuple[int, int]]]:
    duty: Counter[str] = Counter()
    negation: Counter[str] = Counter()
    spans = []
    for m in _WORD_RE.finditer(text):
        kind = _WORD_KIND[m.group(0)]
        if kind == "duty":
            duty[m.group(0)] += 1
        elif kind == "negation":
            negation[m.group(0)] += 1
        if kind != "neutral":
            spans.append((m.start(), m.end()))
    return duty, negation, spans


def _numbers(text: str, masked: Iterable[tuple[int, int]]) -> tuple[list[str], list[tuple[int, int]]]:
    blocked = sorted(masked)
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in NUMBER_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in blocked):
            continue
        found.append(m.group(0))
        spans.append((m.start(), m.end()))
    return found, spans


# An e-mail address or a web address is one thing to a reader: its dots and @ are not punctuation, its digits
# are not amounts. Such tokens are compared whole, before numbers and punctuation are looked at.
_CONTACT_RE = re.compile(
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
    r"|(?:https?://|www\.)[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%\-]+[A-Za-z0-9/]"
)


def _contacts(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    found = [m for m in _CONTACT_RE.finditer(text)]
    return [m.group(0) for m in found], [(m.start(), m.end()) for m in found]


def _change_text(c: ValueChange) -> str:
    """One changed value as a reader reads it: 新增 X, 删除 X, or X → Y."""
    if not c.old:
        return f"新增 {c.new}"
    if not c.new:
        return f"删除 {c.old}"
    return f"{c.old} → {c.new}"


def _cut(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with the given spans replaced by a separator (so that neighbours do not join up)."""
    out: list[str] = []
    last = 0
    for s, e in sorted(spans):
        if s < last:
            s = last
        out.append(text[last:s])
        out.append("\u0001")
        last = max(last, e)
    out.append(text[last:])
    return "".join(out)


def _pairs(old: Sequence[str], new: Sequence[str]) -> tuple[ValueChange, ...]:
    """Changed items of two sequences, paired in reading order (a replaced 10 pairs with the 5 that took its place)."""
    out: list[ValueChange] = []
    matcher = difflib.SequenceMatcher(a=list(old), b=list(new), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = list(old[i1:i2]), list(new[j1:j2])
        for k in range(max(len(olds), len(news))):
            out.append(ValueChange(olds[k] if k < len(olds) else "", news[k] if k < len(news) else ""))
    return tuple(out)


def _aligned_pairs(
    a: str, b: str, tokens_a: Sequence[tuple[int, int]], tokens_b: Sequence[tuple[int, int]]
) -> tuple[ValueChange, ...]:
    """Changed tokens paired by where the redline changes them: in 后15个工作日内…为15个工作日 → 后30个工作日内…为
    15个工作日 the first 15 pairs with 30, which counting alone cannot tell. Falls back to sequence pairing when
    the redline places no token in a change."""
    # Each change of the redline as (old start, old end, new start, new end).
    # (Runs of segments rather than a while loop over an index: no change to it can loop forever.)
    groups: list[tuple[int, int, int, int]] = []
    i = j = 0
    for equal, run in groupby(redline(a, b), key=lambda segment: segment.op == "equal"):
        if equal:
            length = sum(len(segment.text) for segment in run)
            i += length
            j += length
            continue
        start_i, start_j = i, j
        for segment in run:
            if segment.op == "delete":
                i += len(segment.text)
            else:
                j += len(segment.text)
        groups.append((start_i, i, start_j, j))

    def first_group(span: tuple[int, int], side: int) -> int | None:
        s, e = span
        for g, bounds in enumerate(groups):
            lo, hi = bounds[2 * side], bounds[2 * side + 1]
            if (lo < hi and s < hi and lo < e) or (lo == hi and s < lo < e):
                return g
        return None

    olds: dict[int, list[str]] = {}
    news: dict[int, list[str]] = {}
    for span in tokens_a:
        g = first_group(span, 0)
        if g is not None:
            olds.setdefault(g, []).append(a[span[0] : span[1]])
    for span in tokens_b:
        g = first_group(span, 1)
        if g is not None:
            news.setdefault(g, []).append(b[span[0] : span[1]])
    out: list[ValueChange] = []
    for g in sorted({*olds, *news}):
        o, n = olds.get(g, []), news.get(g, [])
        out.extend(ValueChange(o[x] if x < len(o) else "", n[x] if x < len(n) else "") for x in range(max(len(o), len(n))))
    if not out:
        return _pairs([a[s:e] for s, e in tokens_a], [b[s:e] for s, e in tokens_b])
    return tuple(out)


def _changed_counts(old: Counter[str], new: Counter[str], order: Sequence[str]) -> tuple[WordCount, ...]:
    return tuple(WordCount(w, old[w], new[w]) for w in order if old[w] != new[w])


def _strip_emphasis(text: str) -> str:
    return _EMPHASIS_RE.sub("", text)


@memo(maxsize=None)  # called for every character of every changed clause; a character's category never changes
def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _show(value: str) -> str:
    return value if value else "（无）"


# --- classification ---------------------------------------------------------------------------------------


def classify_text_change(old: str, new: str, *, renumbering: Mapping[str, str] | None = None) -> TextVerdict:
    """Classify the change of one text from ``old`` to ``new``.

    ``renumbering`` maps a display number as cross-references write it (``4.4``; see :func:`reference_key`) to
    the number the same clause has now; identical entries are allowed, and :data:`REMOVED_TARGET` means the
    clause no longer exists as one clause. A cross-reference rewritten exactly as the renumbering says is
    editorial; one left unchanged while its clause moved to another number is material.
    """
    mapping: Mapping[str, str] = renumbering or {}
    if old == new and not retargeted_references(old, mapping):
        return TextVerdict(True, (), "文字未变。")
    a, b = normalise(old), normalise(new)
    refs_a, refs_b = internal_references(a), internal_references(b)
    followed = _follow_renumbering(a, refs_a, mapping)
    renumbered_refs = tuple(
        ValueChange(r.display, r.display[: r.num_start - r.start] + mapping[r.key] + r.display[r.num_end - r.start :])
        for r in refs_a
        if mapping.get(r.key, r.key) not in (r.key, REMOVED_TARGET)
    )
    if followed == b:
        if renumbered_refs:
            listed = "；".join(f"{c.old} → {c.new}" for c in renumbered_refs)
            reason = f"交叉引用随条款重新编号更新（{listed}），所指条款不变"
            return TextVerdict(True, (CROSS_REFERENCE_RENUMBERED,), f"编辑性修改：{reason}。", (reason,),
                               references=renumbered_refs)  # fmt: skip
        reason = "仅空白、换行或全角/半角字符不同"
        return TextVerdict(True, (WHITESPACE_OR_WIDTH,), f"编辑性修改：{reason}。", (reason,))
    return _material(a, b, refs_a, refs_b, mapping)


def _material(a: str, b: str, refs_a: list[Reference], refs_b: list[Reference], mapping: Mapping[str, str]) -> TextVerdict:
    """The verdict on two normalised texts that differ. It depends on the renumbering only through the number each
    old reference should read now, so it is remembered by the two texts and those numbers: an agreement's
    comparisons meet the same pair of clause texts again and again (86 % of calls at 200 agreements × 10
    versions)."""
    expected = tuple(mapping.get(r.key, r.key) for r in refs_a)
    k = (a, b, expected)
    found = _VERDICTS.get(k)
    if found is None:
        found = _verdict(a, b, refs_a, refs_b, expected)
        _VERDICTS.put(k, found)
    return found


#: :func:`_material`'s latest verdicts (emptied by :func:`kspub.memo.clear`).
_VERDICTS: Recent[tuple[str, str, tuple[str, ...]], TextVerdict] = Recent(4096)


def _verdict(a: str, b: str, refs_a: list[Reference], refs_b: list[Reference], expected: Sequence[str]) -> TextVerdict:
    flags: list[str] = []
    reasons: list[str] = []

    # Cross-references: what each old reference should read now (per the renumbering, ``expected``) against what
    # the new text says. A pair that kept its old number while its clause was renumbered is "retargeted".
    references: list[ValueChange] = []
    retargeted: list[str] = []
    matcher = difflib.SequenceMatcher(a=expected, b=[r.key for r in refs_b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            ra = refs_a[i1 + k] if i1 + k < i2 else None
            rb = refs_b[j1 + k] if j1 + k < j2 else None
            if ra is not None and rb is not None and ra.key == rb.key:
                retargeted.append(ra.display)
            else:
                references.append(ValueChange(ra.display if ra else "", rb.display if rb else ""))
    if retargeted:
        flags.append(CROSS_REFERENCE_RETARGETED)
        listed = "、".join(dict.fromkeys(retargeted))
        reasons.append(f"交叉引用{listed}的文字未变，但原来所指的条款已重新编号或不复存在，现在指向不同条款")
    if references:
        flags.append(CROSS_REFERENCE_CHANGED)
        listed = "；".join(f"{_show(c.old)} → {_show(c.new)}" for c in references)
        reasons.append(f"交叉引用变化：{listed}")
    references.extend(ValueChange(d, d) for d in dict.fromkeys(retargeted))

    ref_spans_a = [(r.start, r.end) for r in refs_a]
    ref_spans_b = [(r.start, r.end) for r in refs_b]
    contacts_a, contact_spans_a = _contacts(a)
    contacts_b, contact_spans_b = _contacts(b)
    if contacts_a != contacts_b:
        flags.append(TEXT_CHANGED)
        listed = "；".join(_change_text(c) for c in _pairs(contacts_a, contacts_b))
        reasons.append(f"联系方式（电子邮件或网址）变化：{listed}")
    ref_spans_a += contact_spans_a
    ref_spans_b += contact_spans_b
    nums_a, num_spans_a = _numbers(a, ref_spans_a)
    nums_b, num_spans_b = _numbers(b, ref_spans_b)
    numbers: tuple[ValueChange, ...] = ()
    if nums_a != nums_b:
        numbers = _aligned_pairs(a, b, num_spans_a, num_spans_b)
        flags.append(NUMBER_CHANGED)
        listed = "；".join(_change_text(c) for c in numbers)
        reasons.append(f"数字、期限、金额或比例变化：{listed}")

    duty_a, neg_a, word_spans_a = _word_counts(a)
    duty_b, neg_b, word_spans_b = _word_counts(b)
    duty_words = _changed_counts(duty_a, duty_b, DUTY_WORDS)
    added = [w for w in duty_words if w.new > w.old]
    removed = [w for w in duty_words if w.new < w.old]
    if added:
        flags.append(DUTY_WORD_ADDED)
        listed = "、".join(f"“{w.word}”（{w.old} → {w.new} 处）" for w in added)
        reasons.append(f"新增义务或权利用语：{listed}")
    if removed:
        flags.append(DUTY_WORD_REMOVED)
        listed = "、".join(f"“{w.word}”（{w.old} → {w.new} 处）" for w in removed)
        reasons.append(f"删除义务或权利用语：{listed}")
    negations = _changed_counts(neg_a, neg_b, NEGATION_WORDS)
    if negations:
        flags.append(NEGATION_CHANGED)
        listed = "、".join(f"“{w.word}”（{w.old} → {w.new} 处）" for w in negations)
        reasons.append(f"否定词变化：{listed}")

    marks_a, marks_b = _EMPHASIS_RE.findall(a), _EMPHASIS_RE.findall(b)
    if marks_a != marks_b or (marks_a and a != b and _strip_emphasis(a) == _strip_emphasis(b)):
        flags.append(EMPHASIS_CHANGED)
        reasons.append("加粗等提示标记变化：免除或限制责任的条款须以显著方式提示（民法典第四百九十六条）")

    # What is left once every explained difference is cut out: if it still differs, say so.
    rest_a = _strip_emphasis(_cut(a, [*ref_spans_a, *num_spans_a, *word_spans_a]))
    rest_b = _strip_emphasis(_cut(b, [*ref_spans_b, *num_spans_b, *word_spans_b]))
    punct_a = [c for c in rest_a if _is_punctuation(c)]
    punct_b = [c for c in rest_b if _is_punctuation(c)]
    if punct_a != punct_b:
        flags.append(PUNCTUATION_CHANGED)
        reasons.append("标点符号变化（不只是全角/半角之别），可能改变句读和适用范围")
    words_a = "".join(c for c in rest_a if not _is_punctuation(c)).replace("\u0001", "")
    words_b = "".join(c for c in rest_b if not _is_punctuation(c)).replace("\u0001", "")
    if words_a != words_b or not flags:
        if TEXT_CHANGED not in flags:
            flags.append(TEXT_CHANGED)
        reasons.append("其他文字改动")

    explanation = "实质性变更：" + "；".join(reasons) + "。"
    return TextVerdict(
        False, tuple(flags), explanation, tuple(reasons), numbers, duty_words, negations, tuple(references)
    )


# --- subjects ---------------------------------------------------------------------------------------------


def subject_tags(tags: Iterable[str], subjects: Sequence[str] = MATERIAL_SUBJECT_TAGS) -> tuple[str, ...]:
    """The subject tags among ``tags`` that a material change must name, in the order of ``subjects``."""
    present = set(tags)
    return tuple(t for t in subjects if t in present)


def subject_flags(tags: Iterable[str], subjects: Sequence[str] = MATERIAL_SUBJECT_TAGS) -> tuple[str, ...]:
    """``tag:<name>`` flags for the subject tags among ``tags``."""
    return tuple(f"tag:{t}" for t in subject_tags(tags, subjects))


def subject_reason(tags: Iterable[str], subjects: Sequence[str] = MATERIAL_SUBJECT_TAGS) -> str:
    """Chinese reason naming the subjects a change touches (``涉及：费用与支付、个人信息``), or ""."""
    names = [KNOWN_TAGS.get(t, t) for t in subject_tags(tags, subjects)]
    return f"涉及{'、'.join(names)}" if names else ""


def hard_flags(flags: Iterable[str], old_text: str | None = None, new_text: str | None = None) -> tuple[str, ...]:
    """The hard flags of a change (decision record 0405): the text flags of :data:`HARD_TEXT_FLAGS` and the
    ``tag:<subject>`` flags of :data:`MATERIAL_SUBJECT_TAGS`. With the texts, an added, removed or
    restructured clause is read as well (its flags name the clause kind, not the words it carries)."""
    found = dict.fromkeys(f for f in flags if f in HARD_TEXT_FLAGS)
    if old_text is not None or new_text is not None:
        verdict = classify_text_change(old_text or "", new_text or "")
        found.update(dict.fromkeys(f for f in verdict.flags if f in HARD_TEXT_FLAGS))
    subjects = {f"tag:{t}" for t in MATERIAL_SUBJECT_TAGS}
    found.update(dict.fromkeys(f for f in flags if f in subjects))
    return tuple(found)


def hard_flag_reason(flags: Sequence[str]) -> str:
    """Chinese: what makes a change's hard flags hard (``数字、期限、金额或比例变化；涉及费用与支付``)."""
    names = [HARD_FLAG_NAMES[f] for f in flags if f in HARD_FLAG_NAMES]
    subjects = subject_reason(f[4:] for f in flags if f.startswith("tag:"))
    return "；".join([*names, *([subjects] if subjects else [])])
