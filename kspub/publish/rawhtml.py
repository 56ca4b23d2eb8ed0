"""Raw HTML blocks kspub generated, passed through Markdown without parsing them again.

Most of a generated page is raw HTML (each clause a ``<div class="ks-node">`` block, the status box, the
timeline as JSON). Python-Markdown finds where each raw block ends by running the standard library's HTML parser,
in pure Python, over the whole page: about half of mkdocs' time per page went there. Those blocks are already
known to be well formed (kspub wrote them), so finding their end needs no parser.

:class:`RawBlocks` wraps Python-Markdown's own ``html_block`` preprocessor. Before it runs, every block that
passes :func:`plain_block` — a group of lines between blank lines that opens with a block-level tag at the start
of a line and is one strictly nested element of well-formed tags, well-formed entities and no comment,
declaration or processing instruction — is replaced by a stand-in of the same tag with a marker as its only
content (``<div>\x02ks:0\x03</div>``). Python-Markdown's preprocessor then runs over the page exactly as before
and, the surrounding lines being the same, makes of the stand-in exactly what it makes of the block: a stash
entry of its text (both are single raw elements that open and close at the same places). The marker is then
replaced by the block's text wherever the stand-in went. The result is the same HTML, byte for byte, which
``tests/test_rawhtml.py`` checks for every page of the repository's site and for random mixtures of blocks a
plain-block check must refuse (decision record 0508). A block that fails any check is left to the parser.
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from markdown import Extension
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor
from markdown.util import ETX, STX

from kspub import memo

_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
"""Elements that are never closed: the parser keeps them on its stack until an enclosing end tag pops them."""
_OPAQUE = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
                     "plaintext"})  # fmt: skip
"""Elements whose content is not parsed as tags (in some Python version or other): only a whole block of one."""
# A start tag with double- or single-quoted attribute values (or none), nothing the parser reads otherwise: no
# backtick, no "<" or ">" in a value, lower-case names.
_START = re.compile(
    r"""<([a-z][a-z0-9-]*)(?:\s+[a-z_:][-a-z0-9_:.]*(?:\s*=\s*(?:"[^"<>`]*"|'[^'<>`]*'))?)*\s*(/?)>"""
)
_END = re.compile(r"</([a-z][a-z0-9-]*)>")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_OPENING = re.compile(r"<([a-z][a-z0-9-]*)[\s/>]")
_STAND_IN = re.compile(f"<([a-z][a-z0-9-]*)>{STX}ks:([0-9]+){ETX}</\\1>")


def element_end(text: str, pos: int, block_level: frozenset[str] | set[str]) -> int | None:
    """Where the raw element that starts at ``text[pos]`` ends (the index after its end tag), when it is one
    Python-Markdown would store as it is; else None.

    It must open with a block-level start tag; every ``<`` in it begins a well-formed start or end tag and every
    ``&`` a well-formed reference ending in ``;``; its tags are strictly nested (each end tag closes the
    innermost open element; void elements and ``/>`` tags open none); an element whose content is not parsed as
    tags (script, style …) may only be the outer one, with no ``<`` or ``>`` in its content.
    """
    opening = _OPENING.match(text, pos)
    if opening is None or opening.group(1) not in block_level:
        return None
    outer = opening.group(1)
    if outer in _OPAQUE:
        start = _START.match(text, pos)
        close = f"</{outer}>"
        if start is None or start.group(2):
            return None
        stop = text.find(close, start.end())
        if stop == -1 or not _plain_text(text, start.end(), stop) or ">" in text[start.end() : stop]:
            return None
        return stop + len(close)
    stack: list[str] = []
    at = pos
    while True:
        lt = text.find("<", at)
        if lt == -1 or not _plain_text(text, at, lt):
            return None  # never closed, or text the parser would read otherwise
        start = _START.match(text, lt)
        if start is not None:
            name, closed = start.group(1), start.group(2)
            if name in _OPAQUE:
                return None
            if not closed and name not in _VOID:
                stack.append(name)
            elif lt == pos:
                return None  # the outer element must be one that closes
            at = start.end()
            continue
        end = _END.match(text, lt)
        if end is None or not stack or stack[-1] != end.group(1):
            return None
        stack.pop()
        at = end.end()
        if not stack:
            return at


def _plain_text(text: str, start: int, stop: int) -> bool:
    """Text between tags: no ``<``, no backtick, no control marker, every ``&`` a reference ending in ``;``."""
    part = text[start:stop]
    if "<" in part or "`" in part or STX in part or ETX in part:
        return False
    at = part.find("&")
    while at != -1:
        if _ENTITY.match(part, at) is None:
            return False
        at = part.find("&", at + 1)
    return True


def plain_block(text: str, block_level: frozenset[str] | set[str]) -> str | None:
    """The outer tag of ``text`` when all of it is one plain element (:func:`element_end`), else None."""
    opening = _OPENING.match(text)
    return opening.group(1) if opening and element_end(text, 0, block_level) == len(text) else None


def _leaves_parser_in_data(text: str) -> bool:
    """Whether the standard library's parser reads ``text`` (the page outside its plain blocks) without staying
    inside a construct past it: every ``<`` is data (not before a letter, ``/``, ``!`` or ``?``) or begins a
    well-formed lower-case tag that does not switch the parser to unparsed content (script, style …). Otherwise
    an unclosed quote, comment or script could run on into a following block, and the page is left to the
    parser whole."""
    at = text.find("<")
    while at != -1:
        following = text[at + 1 : at + 2]
        if following.isascii() and (following.isalpha() or following in "/!?"):
            tag = _START.match(text, at) or _END.match(text, at)
            if tag is None or tag.group(1) in _OPAQUE:
                return False
        at = text.find("<", at + 1)
    return True


_ATTRIBUTE = re.compile(r"""\s([a-z_:][-a-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?""")


def anchor_ids(text: str) -> set[str | None]:
    """The anchors mkdocs reads from the start tags of a plain block (its ``_HTMLHandler``: every ``id``, and
    ``name`` on ``a``), values unescaped as the standard library's parser gives them."""
    out: set[str | None] = set()
    for tag in _START.finditer(text):
        for attribute in _ATTRIBUTE.finditer(tag.group(0), len(tag.group(1)) + 1):
            name = attribute.group(1)
            if name == "id" or (name == "name" and tag.group(1) == "a"):
                value = attribute.group(2) if attribute.group(2) is not None else attribute.group(3)
                out.add(html.unescape(value) if value is not None else None)
    return out


def split_group(
    text: str, block_level: frozenset[str]
) -> tuple[tuple[tuple[str, str], ...], str, frozenset[str | None]]:
    """A group of lines (between blank lines) as its leading plain elements, each whole lines — (outer tag, text)
    — the rest of it, left to the parser ("" when none is left), and the elements' :func:`anchor_ids`.

    Remembered by a 128-bit BLAKE2 digest of the group's text, not the text (that would hold a copy of every block
    of the site): a clause's block recurs on every page that shows the clause (its version's page, the
    agreement's page, the comparisons), about three times over in a site."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    known = _SPANS.get((digest, block_level))
    if known is None:
        spans = _plain_spans(text, block_level)
        known = spans, frozenset(a for _, start, end in spans for a in anchor_ids(text[start:end]))
        if len(_SPANS) >= _REMEMBERED:
            _SPANS.clear()
        _SPANS[(digest, block_level)] = known
    spans, anchors = known
    at = spans[-1][2] + 1 if spans else 0
    return tuple((outer, text[start:end]) for outer, start, end in spans), text[at:], anchors


def _plain_spans(text: str, block_level: frozenset[str]) -> tuple[tuple[str, int, int], ...]:
    spans: list[tuple[str, int, int]] = []
    at = 0
    while at < len(text) and text.startswith("<", at):  # plain elements, each whole lines
        end = element_end(text, at, block_level)
        if end is None or (end < len(text) and text[end] != "\n"):
            break
        spans.append((_OPENING.match(text, at).group(1), at, end))  # type: ignore[union-attr]
        at = end + 1
    return tuple(spans)


_SPANS: dict[tuple[bytes, frozenset[str]], tuple[tuple[tuple[str, int, int], ...], frozenset[str | None]]] = {}
_REMEMBERED = 1 << 13  # an agreement's pages are rendered together: its blocks recur close by
memo.register(_SPANS.clear)


class _StandIns(Preprocessor):  # type: ignore[misc]
    """Before mkdocs' anchor scan and the ``html_block`` preprocessor: each plain block replaced by its
    stand-in, kept (with its anchors) for :class:`_Restore`."""

    def run(self, lines: list[str]) -> list[str]:
        block_level = frozenset(self.md.block_level_elements)
        blocks: list[str] = []
        out: list[str] = []
        group: list[str] = []
        anchors: set[str | None] = set()
        self.md.kspub_plain_blocks = blocks
        self.md.kspub_plain_anchors = anchors

        def flush() -> None:
            if not group:
                return
            text = "\n".join(group)
            plain, left, found = split_group(text, block_level) if text.startswith("<") else ((), text, frozenset())
            anchors.update(found)
            for outer, block in plain:
                out.append(f"<{outer}>{STX}ks:{len(blocks)}{ETX}</{outer}>")
                blocks.append(block)
            if left:
                out.extend(left.split("\n"))
                rest.append(left)
            group.clear()

        rest: list[str] = []
        for line in lines:
            if line.strip(" ") == "":
                flush()
                out.append(line)
            else:
                group.append(line)
        flush()
        if not blocks or not all(map(_leaves_parser_in_data, rest)):
            blocks.clear()
            anchors.clear()
            return lines
        return out


class _Restore(Preprocessor):  # type: ignore[misc]
    """Python-Markdown's ``html_block`` preprocessor, then every stand-in replaced by its block wherever it went
    (the stash entries, the text), and the blocks' anchors added to those mkdocs found in the rest."""

    def __init__(self, md: Any, inner: HtmlBlockPreprocessor) -> None:
        super().__init__(md)
        self.inner = inner

    def run(self, lines: list[str]) -> list[str]:
        blocks: list[str] = getattr(self.md, "kspub_plain_blocks", [])
        anchors: set[str | None] = getattr(self.md, "kspub_plain_anchors", set())
        self.md.kspub_plain_blocks, self.md.kspub_plain_anchors = [], set()
        stash = self.md.htmlStash
        first = len(stash.rawHtmlBlocks)
        result: list[str] = self.inner.run(lines)
        if not blocks:
            return result

        def restore(text: str) -> str:
            return _STAND_IN.sub(lambda m: blocks[int(m.group(2))], text) if STX in text else text

        for i in range(first, len(stash.rawHtmlBlocks)):
            entry = stash.rawHtmlBlocks[i]
            if isinstance(entry, str):
                stash.rawHtmlBlocks[i] = restore(entry)
        if "mkdocs_raw_html" in self.md.preprocessors:  # mkdocs' scan of the page's raw HTML for anchor IDs
            scan = self.md.preprocessors["mkdocs_raw_html"]
            scan.present_anchor_ids |= anchors
        joined = "\n".join(result)
        return restore(joined).split("\n") if STX in joined else result


class RawBlocks(Extension):  # type: ignore[misc]
    """The Markdown extension kspub adds to the site's configuration (:func:`kspub.publish.build.mkdocs_config`)."""

    def extendMarkdown(self, md: Any) -> None:  # noqa: N802 - Python-Markdown's name
        # Only Python-Markdown's own preprocessor, whose behaviour the stand-ins are proved against: another one
        # (md_in_html's, which reads markdown="1" inside blocks) is left alone.
        if "html_block" in md.preprocessors and type(md.preprocessors["html_block"]) is HtmlBlockPreprocessor:
            md.preprocessors.register(_StandIns(md), "kspub_plain_blocks", 22)  # after fenced code (25)
            md.preprocessors.register(_Restore(md, md.preprocessors["html_block"]), "html_block", 20)
