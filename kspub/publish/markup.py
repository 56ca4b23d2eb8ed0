"""Agreement text → safe HTML and plain text for the site.

An agreement's text carries a little inline Markdown (``**bold**``, ``<https://…>`` autolinks, ``[text](url)``
links, backslash escapes). The site renders it here rather than through a Markdown engine, for two reasons:

- CommonMark's flanking rules do not open or close emphasis next to CJK punctuation followed by a CJK letter
  (``**……承担。**若`` stays literal in markdown-it), while the editors mean bold. Delimiters are paired in
  order instead, which is what a Chinese reader expects.
- Everything that is not one of those constructs is escaped, so raw HTML in a text can never execute (lint
  forbids it; this is the second line of defence).

``plain_text`` gives the characters a reader sees, which tests compare with the source.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

#: ASCII punctuation a backslash may escape (CommonMark).
_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)>")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(\s*((?:https?://|mailto:|#)[^\s()<>]*)\s*\)")
_SAFE_HREF = re.compile(r"^(?:https?://|mailto:|#[a-z][a-z0-9-]*$)", re.IGNORECASE)

# Python-Markdown's backslash-escapable characters (its ESCAPED_CHARS); ``<``, ``>`` and ``&`` become entities.
_MD_SPECIAL = frozenset("\\`*_{}[]()#+-.!")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    """``text`` | ``strong`` (a delimiter) | ``link`` (text shown, href)."""
    text: str
    href: str = ""


_SPECIAL = re.compile(r"[\\*<\[]")


def _tokens(source: str) -> Iterator[_Token]:
    # Plain runs are copied in slices between the few characters that can start markup (most text has none).
    buf: list[str] = []
    i, n = 0, len(source)
    while i < n:
        m = _SPECIAL.search(source, i)
        if m is None:
            buf.append(source[i:])
            break
        j = m.start()
        if j > i:
            buf.append(source[i:j])
        ch = source[j]
        if ch == "\\" and j + 1 < n and source[j + 1] in _ESCAPABLE:
            buf.append(source[j + 1])
            i = j + 2
            continue
        token: _Token | None = None
        end = j + 1
        if source.startswith("**", j):
            token, end = _Token("strong", "**"), j + 2
        elif ch == "<" and (link := _AUTOLINK.match(source, j)):
            token, end = _Token("link", link.group(1), link.group(1)), link.end()
        elif ch == "[" and (link := _LINK.match(source, j)) and _SAFE_HREF.match(link.group(2)):
            token, end = _Token("link", link.group(1), link.group(2)), link.end()
        if token is None:
            buf.append(ch)
        else:
            if buf:
                yield _Token("text", "".join(buf))
                buf = []
            yield token
        i = end
    if buf:
        yield _Token("text", "".join(buf))


def _paired(tokens: list[_Token]) -> list[_Token]:
    """Keep ``**`` delimiters only where they pair up (in order); an odd last one is literal text."""
    delimiters = [i for i, t in enumerate(tokens) if t.kind == "strong"]
    if len(delimiters) % 2:
        last = delimiters[-1]
        tokens = tokens[:last] + [_Token("text", "**")] + tokens[last + 1 :]
    return tokens


def _render(source: str, escape: Callable[[str], str]) -> str:
    out: list[str] = []
    open_ = False
    for tok in _paired(list(_tokens(source))):
        if tok.kind == "strong":
            out.append("</strong>" if open_ else "<strong>")
            open_ = not open_
        elif tok.kind == "link":
            href = html.escape(tok.href, quote=True)
            out.append(f'<a href="{href}">{escape(tok.text)}</a>')
        else:
            out.append(escape(tok.text))
    return "".join(out)


def _html_escape(text: str) -> str:
    return html.escape(text, quote=True)  # quotes too: no text can ever look like an attribute


def _markdown_escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in "<>&\"'":
            out.append(html.escape(ch, quote=True))
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def inline_html(source: str) -> str:
    """The text as HTML: bold and links rendered, everything else escaped."""
    return _render(source, _html_escape)


def inline_markdown(source: str) -> str:
    """The text for a Markdown heading line: like :func:`inline_html`, with Markdown syntax escaped too."""
    return _render(source, _markdown_escape)


def plain_text(source: str) -> str:
    """The characters a reader sees: the text without its inline markup."""
    return "".join(t.text for t in _paired(list(_tokens(source))) if t.kind != "strong")


def redline_html(segments: Iterable[tuple[str, str]]) -> str:
    """A redline as HTML: each ``(op, text)`` piece (``insert``, ``delete`` or ``equal``) in ``<ins>``, ``<del>`` or
    plain, with the text's emphasis kept. A ``**`` may open in one piece and close in another, so the delimiters
    are paired over the whole redline (an odd last one stays literal); each piece closes its ``<strong>`` and the
    next reopens it, so every element is well nested. Links show their text; everything else is escaped."""
    pieces = [(op, list(_tokens(text))) for op, text in segments]
    delimiters = [(i, j) for i, (_, toks) in enumerate(pieces) for j, t in enumerate(toks) if t.kind == "strong"]
    literal = {delimiters[-1]} if len(delimiters) % 2 else set()
    out: list[str] = []
    bold = False
    for i, (op, toks) in enumerate(pieces):
        body: list[str] = ["<strong>"] if bold else []
        for j, tok in enumerate(toks):
            if tok.kind == "strong" and (i, j) not in literal:
                bold = not bold
                body.append("<strong>" if bold else "</strong>")
            else:
                body.append(_html_escape(tok.text))
        if bold:
            body.append("</strong>")
        inner = "".join(body).replace("<strong></strong>", "")
        tag = {"insert": "ins", "delete": "del"}.get(op)
        out.append(f"<{tag}>{inner}</{tag}>" if tag and inner else inner)
    return "".join(out)


def slugify(value: str, separator: str = "-") -> str:
    """Heading IDs for Python-Markdown's toc extension: a safety net only, never positional.

    Every heading kspub writes carries an explicit ID; should one ever lack it, a Chinese heading must not
    become ``_1``: the ID is derived from the heading's text, so it stays the same when headings move.
    """
    ascii_part = re.sub(r"[^a-z0-9]+", separator, value.lower()).strip(separator)
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:8]
    return f"h{separator}{ascii_part}{separator}{digest}" if ascii_part else f"h{separator}{digest}"


def styled_text(source: str) -> tuple[str, tuple[bool, ...]]:
    """The characters a reader sees (as :func:`plain_text`) and, for each, whether it is bold: for documents that
    carry emphasis as formatting rather than markup (the Word redline)."""
    chars: list[str] = []
    bold: list[bool] = []
    open_ = False
    for tok in _paired(list(_tokens(source))):
        if tok.kind == "strong":
            open_ = not open_
            continue
        chars.append(tok.text)
        bold.extend([open_] * len(tok.text))
    return "".join(chars), tuple(bold)
