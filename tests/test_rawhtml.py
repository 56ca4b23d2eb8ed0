"""kspub's plain raw HTML blocks skip Python-Markdown's HTML parser (kspub.publish.rawhtml, decision 0508): the
HTML, the table of contents and the anchors mkdocs reads must be exactly what the parser gives, for the pages kspub
writes and for any mixture of blocks an editor's text or a hostile one could produce."""

from __future__ import annotations

import filecmp
from datetime import date
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.structure.pages import _RawHTMLPreprocessor

from kspub.publish import rawhtml
from kspub.publish.build import build
from kspub.publish.markup import slugify
from kspub.publish.rawhtml import RawBlocks, plain_block

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS: list[Any] = ["attr_list", "toc"]
CONFIGS = {"toc": {"permalink": "¶", "permalink_title": "本节链接", "toc_depth": 3, "slugify": slugify}}
BLOCK_LEVEL = frozenset(markdown.Markdown().block_level_elements)


def convert(text: str, fast: bool, extensions: list[Any] | None = None) -> tuple[str, str, set[str | None]]:
    """The page's HTML, its table of contents and the anchors mkdocs reads from its raw HTML."""
    extra: list[Any] = [RawBlocks()] if fast else []
    md = markdown.Markdown(extensions=[*(extensions or EXTENSIONS), *extra], extension_configs=CONFIGS)
    scan = _RawHTMLPreprocessor()
    scan._register(md)
    return md.convert(text), md.toc, scan.present_anchor_ids  # type: ignore[attr-defined]


def outcome(text: str, fast: bool, extensions: list[Any] | None = None) -> object:
    """:func:`convert`'s result, or the error the parser raised (it fails on some inputs, "<![" for one)."""
    try:
        return convert(text, fast, extensions)
    except Exception as exc:  # noqa: BLE001 - the same failure either way is what is compared
        return type(exc).__name__


def test_fast_path_is_taken_for_kspub_blocks() -> None:
    """Not vacuous: the blocks kspub writes are plain, so the parser is skipped for them."""
    status = ('<div class="ks-status" id="ks_status" data-ks-api="../api/v1/a.json">\n'
              '<p class="ks-status-built">本页按 <strong>2026年1月1日</strong> 生成&amp;发布&#39;</p>\n'
              '<p class="ks-status-today" hidden></p>\n</div>')  # fmt: skip
    assert plain_block(status, BLOCK_LEVEL) == "div"
    assert (
        plain_block('<script type="application/json" id="ks_t">{"a": "b"}</script>', BLOCK_LEVEL) == "script"
    )
    seen: list[list[str]] = []
    original = rawhtml._StandIns.run

    def spy(self: Any, lines: list[str]) -> list[str]:
        out = original(self, lines)
        seen.append(list(self.md.kspub_plain_blocks))
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rawhtml._StandIns, "run", spy)
        convert(f"# 标题 {{#t}}\n\n{status}\n\n正文\n", fast=True)
    assert seen == [[status]]


@pytest.mark.parametrize(
    "text",
    [
        "<p>a</p><p>b</p>",  # the outer element closes before the end: two blocks to the parser
        "<div><p>a</div></p>",  # not strictly nested
        "<div>a &amp b</div>",  # a reference without ";" the parser rewrites
        "<div>a <!-- c --> b</div>",  # comments are the parser's to place
        "<div>a < b</div>",  # a "<" that begins no tag
        "<DIV>a</DIV>",  # upper case: the parser lowers it
        "<div title=`x`>a</div>",  # backticks: Python-Markdown's own tag grammar
        "<div><script>x</script></div>",  # content not parsed as tags, inside a block
        "<script>if (a < b) {}</script>",  # "<" inside a script
        "<span>a</span>",  # not block-level
        "<br>",  # never closed
        "<div>a",  # never closed
        "<div>a</div> tail",  # content after the element
        "<div a='1\">x</div>",  # mismatched quotes
    ],
)
def test_refused_blocks(text: str) -> None:
    assert plain_block(text, BLOCK_LEVEL) is None


# ── random mixtures: every block a plain one or a near miss, with whatever lies between them ───────────────

_names = st.sampled_from(["div", "p", "span", "a", "strong", "section", "ul", "li", "em", "table", "td"])
_text = st.lists(st.sampled_from(list("ab 中文，。<>&;#x1`'\"\n-*_[]()!") + ["&amp;", "&#39;", "&lt;", "&#x4e2d;"]),
                 max_size=12).map("".join)  # fmt: skip
_attr_value = st.lists(st.sampled_from(list("ab-_ 中&;<`'") + ["&amp;", "&quot;"]), max_size=6).map("".join)


@st.composite
def _element(draw: Any, depth: int = 0) -> str:
    name = draw(_names)
    attributes = ""
    for attr in draw(
        st.lists(st.sampled_from(["id", "class", "name", "hidden", "title", "ID"]), max_size=2, unique=True)
    ):
        quote = draw(st.sampled_from(['"', "'", ""]))
        attributes += f" {attr}" if attr == "hidden" else f" {attr}={quote}{draw(_attr_value)}{quote}"
    inner = "".join(draw(st.lists(st.one_of(_text, _element(depth + 1)) if depth < 2 else _text, max_size=3)))
    if draw(st.integers(0, 9)) == 0:
        return f"<{name}{attributes}/>"
    close = draw(st.sampled_from([f"</{name}>"] * 8 + ["", f"</{name.upper()}>", "</p>", "<!-- c -->"]))
    return f"<{name}{attributes}>{inner}{close}"


@st.composite
def _block(draw: Any) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(_text)  # Markdown text, perhaps with stray tags
    if kind == 1:
        body = draw(st.text(alphabet=st.sampled_from(list('{}":ab,<>/ ')), max_size=10))
        return f'<script type="application/json" id="j">{body}</script>'
    if kind == 2:
        return "## 标题 {#h" + draw(st.sampled_from(["1", "2"])) + "}"
    if kind == 3:
        return "\n".join(draw(st.lists(_element(), min_size=1, max_size=3)))
    indent = draw(st.sampled_from(["", "", " ", "    "]))
    return indent + draw(_element())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_block(), st.sampled_from(["\n\n", "\n\n", "\n", "", "\n\n\n", "\n \n"])), max_size=6)
)
def test_random_mixtures_convert_as_without_the_fast_path(parts: list[tuple[str, str]]) -> None:
    text = "".join(block + gap for block, gap in parts)
    assert outcome(text, fast=True) == outcome(text, fast=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_block(), st.sampled_from(["\n\n", "\n"])), max_size=5))
def test_other_html_block_handlers_are_left_alone(parts: list[tuple[str, str]]) -> None:
    """With md_in_html (markdown="1" inside blocks) the parser stays in charge."""
    text = "".join(block + gap for block, gap in parts) + '\n\n<div markdown="1">\n*a*\n</div>\n'
    with_extension = [*EXTENSIONS, "md_in_html"]
    assert outcome(text, True, with_extension) == outcome(text, False, with_extension)


def test_the_repository_site_is_the_same_without_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file of the repository's site, built with and without it, in one process."""
    monkeypatch.setenv("KSPUB_WORKERS", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772294400")
    fast = build(ROOT, as_of=date(2026, 3, 1), out=tmp_path / "fast", progress=False, cache=False)
    monkeypatch.setattr(RawBlocks, "extendMarkdown", lambda self, md: None)
    slow = build(ROOT, as_of=date(2026, 3, 1), out=tmp_path / "slow", progress=False, cache=False)
    assert fast.pages == slow.pages > 10
    compared = filecmp.dircmp(fast.site.resolve(), slow.site.resolve())
    differing: list[str] = []

    def walk(d: filecmp.dircmp[str], prefix: str) -> None:
        differing.extend(prefix + n for n in d.left_only + d.right_only)
        _, mismatch, errors = filecmp.cmpfiles(d.left, d.right, d.common_files, shallow=False)
        differing.extend(prefix + n for n in mismatch + errors)
        for name, sub in d.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(compared, "")
    assert differing == []


def test_a_group_is_checked_once_and_remembered_by_its_digest_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from kspub import memo

    memo.clear()
    text = '<div class="ks-node" id="a">1.1 条款</div>\n<p id="b">说明 &amp; 注释</p>\n尾部文字'
    level = frozenset({"div", "p"})
    calls = []
    original = rawhtml.element_end
    monkeypatch.setattr(rawhtml, "element_end", lambda *a: calls.append(a) or original(*a))
    first = rawhtml.split_group(text, level)
    assert first == ((("div", text.split("\n")[0]), ("p", text.split("\n")[1])), "尾部文字", frozenset({"a", "b"}))
    checked = len(calls)
    assert rawhtml.split_group(text, level) == first and len(calls) == checked  # remembered: not checked again
    assert all(text not in key and not isinstance(key[0], str) for key in rawhtml._SPANS)  # the text is not kept
    assert rawhtml.split_group(text.replace("条款", "条文"), level) != first  # another text: checked anew
    assert rawhtml.split_group(text, frozenset({"p"}))[0] == ()  # another set of block-level tags: checked anew
    memo.clear()
    assert not rawhtml._SPANS
