"""How kspub reads Chinese legal text: width folding, whitespace, Chinese numerals, display numbers and
internal cross-references. One definition of each, used by the parser, lint, materiality and the law.

Everything here is pure and knows nothing of Markdown or of the model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from kspub.memo import memo

# --- width and whitespace ---------------------------------------------------------------------------------

#: Invisible characters that only affect line breaking; treated like whitespace.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_SPACE_RUN_RE = re.compile(rf"[\s{INVISIBLE}]+")


# --- characters no text may hold ------------------------------------------------------------------------

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
#: C0 controls but tab and line feed, DEL and the C1 controls, lone surrogates, Unicode noncharacters, and the
#: bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what a
#: reader sees without changing what is stored. The one definition: front matter, body, SLA catalogue.
REFUSED_CHAR_RE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}\u202a-\u202e\u2066-\u2069]")


def describe_refused(ch: str) -> str:
    """A refused character named for an editor: ``U+202E（双向文字控制符）``."""
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "控制字符"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "无效的代理字符"
    elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        kind = "双向文字控制符，会改变文字的显示顺序"
    else:
        kind = "Unicode 非字符"
    return f"U+{code:04X}（{kind}）"


def listed(items: Sequence[str]) -> str:
    """Clause IDs as a message names them: up to five joined by "、"; of more, the first five and how many there
    are in all ("1.1、1.2、1.3、2.1、2.2等 7 条")."""
    shown = "、".join(items[:5])
    return shown if len(items) <= 5 else f"{shown}等 {len(items)} 条"


def refused_characters(text: str) -> list[tuple[int, str]]:
    """(0-based line, first refused character on it) for every line of ``text`` holding one; linear."""
    out: list[tuple[int, str]] = []
    line, last_line, pos = 0, -1, 0
    for m in REFUSED_CHAR_RE.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if line != last_line:
            out.append((line, m.group(0)))
            last_line = line
    return out


@cache
def _width_table() -> dict[int, str]:
    """Every full-width or half-width form mapped to its ordinary form, straight from the Unicode data.

    Only ``<wide>`` and ``<narrow>`` compatibility mappings are used, not all of NFKC: NFKC also folds ``²``
    into ``2`` and ``①`` into ``1``, which can change a number (10² is not 102).
    """
    import unicodedata

    table: dict[int, str] = {}
    for code in range(0x10000):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition.startswith(("<wide>", "<narrow>")):
            table[code] = "".join(chr(int(h, 16)) for h in decomposition.split()[1:])
    return table


def fold_width(text: str) -> str:
    """Full-width and half-width forms replaced by their ordinary forms (（１） → (1), ，→ ,)."""
    return text.translate(_width_table())


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@memo(maxsize=2048)  # the clauses an agreement's versions share are normalised by each of its comparisons
def normalise(text: str) -> str:
    """The text as far as rights and duties go: width folded, whitespace and invisible break hints removed.

    A space between two ASCII letters or digits is kept (as one space) because it separates words or
    numbers there: ``1 0`` is not ``10``.
    """
    folded = fold_width(text)

    def squeeze(m: re.Match[str]) -> str:
        s, e = m.start(), m.end()
        between_words = 0 < s and e < len(folded) and _is_ascii_alnum(folded[s - 1]) and _is_ascii_alnum(folded[e])
        return " " if between_words else ""

    return _SPACE_RUN_RE.sub(squeeze, folded)


# --- Chinese numerals -------------------------------------------------------------------------------------

#: Every character a Chinese numeral is written with (for patterns; :func:`chinese_numeral` reads them).
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千万亿"
_CN_DIGITS: Mapping[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_MULTIPLIERS: Mapping[str, int] = {"十": 10, "百": 100, "千": 1000}


def chinese_numeral(text: str) -> int | None:
    """The value of a Chinese numeral up to 9999 (七, 十, 十五, 三十, 一百零五, 两千), or None when ``text``
    is not one kspub reads (empty, another character, two digits in a row as in 二一, or 十十, 十百)."""
    if not text or any(c not in _CN_DIGITS and c not in _CN_MULTIPLIERS for c in text):
        return None
    if text in ("零", "〇"):
        return 0
    total = 0
    digit: int | None = None
    last_multiplier = 10_000
    for char in text:
        if char in _CN_DIGITS:
            if digit is not None:
                return None  # two digits in a row (二一, 三五): not a number
            digit = _CN_DIGITS[char] or None
            if digit is None and last_multiplier == 10_000:
                return None  # a leading 零
        else:
            multiplier = _CN_MULTIPLIERS[char]
            if multiplier >= last_multiplier:
                return None  # 十十, 十百: malformed
            total += (digit if digit is not None else 1) * multiplier
            digit = None
            last_multiplier = multiplier
    return total + (digit or 0)


# --- display numbers --------------------------------------------------------------------------------------

#: The "first" a display number's value is compared against, per numbering style.
_SIBLING_STYLES: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("cn", re.compile(r"([一二三四五六七八九十百零]+)、"), True),
    ("dot:", re.compile(r"(\d+)\.?"), False),
    ("dot", re.compile(r"((?:\d+\.)+)(\d+)\.?"), False),
    ("paren", re.compile(r"[（(](\d+)[）)]"), False),
    ("halfparen", re.compile(r"(\d+)[)）]"), False),
    ("cnparen", re.compile(r"[（(]([一二三四五六七八九十]+)[）)]"), True),
)


def sibling_key(number: str) -> tuple[str, int] | None:
    """(style, value) of a display number, so that siblings of one style can be checked for gaps and
    duplicates: ``一、`` → ("cn", 1), ``4.4`` → ("dot:4.", 4), ``（2）`` → ("paren", 2)."""
    n = number.strip()
    for style, pattern, chinese in _SIBLING_STYLES:
        m = pattern.fullmatch(n)
        if m is None:
            continue
        if style == "dot":
            value_text, style = m.group(2), f"dot:{m.group(1)}"
        else:
            value_text = m.group(1)
        if chinese:
            value = chinese_numeral(value_text)
            return (style, value) if value is not None else None
        if len(value_text) > 9:
            return None  # no agreement numbers its clauses in billions; keeps int() bounded
        return (style, int(value_text))
    return None


def reference_key(number: str) -> str:
    """A display number reduced to what cross-references write: ``4.4.`` → ``4.4``, ``（1）`` → ``1``,
    ``一、`` → ``一``."""
    return normalise(number).strip("()[]【】、.,:;。 ")


def canonical_key(key: str) -> str:
    """A reference key with a Chinese numeral written in digits (``九`` → ``9``), so 第九条 and 9. meet."""
    value = chinese_numeral(key)
    return str(value) if value is not None else key


# --- cross-references -------------------------------------------------------------------------------------

#: An internal cross-reference: 本协议第4.4条, 本隐私政策第6.10节, 本政策中的6.7条, 本声明第9.9条, 第10条, 第九条.
REFERENCE_RE = re.compile(
    r"(?P<pre>本(?:协议|政策|隐私政策|条款|规则|说明|责任书|声明|合同)(?:中的|中|之|的)?第?|第)"
    rf"(?P<num>\d+(?:\.\d+)*|[{CN_NUMERAL_CHARS}]+)"
    r"(?P<suf>条|节|章|款|项|部分|段)"
)
#: A bare 第N条 right after these names another text (《网络安全法》第21条, 民法典第二条, 办法第3条):
#: not one of the agreement's own clauses.
EXTERNAL_BEFORE = tuple("》法典例定则释令")


@dataclass(frozen=True, slots=True)
class Reference:
    """One internal cross-reference found in a text."""

    start: int
    end: int
    num_start: int
    num_end: int
    key: str
    """The number as written (``4.4``, ``九``)."""
    display: str
    """The whole reference as written (``本协议第4.4条``)."""
    bare: bool
    """True for a bare 第N条 (no 本协议 before it)."""


def internal_references(text: str) -> list[Reference]:
    """The cross-references in ``text`` that name the agreement's own clauses (references to laws and other
    texts are left out). Pass normalised text (:func:`normalise`) to compare references across versions."""
    refs = []
    for m in REFERENCE_RE.finditer(text):
        bare = m.group("pre") == "第"
        if bare and m.start() > 0 and text[m.start() - 1] in EXTERNAL_BEFORE:
            continue
        refs.append(Reference(m.start(), m.end(), m.start("num"), m.end("num"), m.group("num"), m.group(0), bare))
    return refs
