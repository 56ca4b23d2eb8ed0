"""No text reaches the theme in a form it could misread: the front matter kspub writes for every page always
parses (mkdocs renders a page whose front matter it cannot read as Markdown, front matter and all), and the
strings in it arrive HTML-escaped, because the theme prints ``page.meta.title`` unescaped."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from kspub.publish.build import build
from kspub.publish.site import front_matter_scalar

from .site_helpers import AS_OF, EPOCH, demo_repo

HOSTILE = [
    "&lt;img src=x onerror=alert(1)&gt;",
    "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
    '"><svg onload=alert(1)>',
    "标题\x85\x9f{: onmouseover=alert(1) }",
    "[点我](javascript:alert(1))",
    "line\nbreak: yes\n---\n# heading",
    "\ufeff\u202e0001\ufffe\uffff",
    "\x00\x07\x1b\x7f",
    "---",
    "...",
    "'single' \"double\" \\ backslash",
    "{{ jinja }} {% raw %} {#id}",
]


def _page(title: str) -> str:
    return f"---\ntitle: {front_matter_scalar(title)}\nsearch:\n  exclude: true\n---\n\n# 正文\n"


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_parse_and_arrive_escaped(title: str) -> None:
    body, meta = get_data(_page(title))
    assert meta == {"title": html.escape(title, quote=True), "search": {"exclude": True}}
    assert body.strip() == "# 正文"
    assert "<" not in meta["title"] and ">" not in meta["title"] and '"' not in meta["title"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_any_text_round_trips_through_the_front_matter(title: str) -> None:
    body, meta = get_data(_page(title))
    assert meta.get("title") == html.escape(title, quote=True), repr(title)
    assert body.strip() == "# 正文"


@pytest.mark.e2e
def test_every_generated_page_has_front_matter_mkdocs_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo = demo_repo(tmp_path / "repo")
    result = build(repo, as_of=AS_OF, out=None, progress=False)
    docs = result.site.parent / "docs"
    pages = sorted(docs.rglob("*.md"))
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text("utf-8")
        if not text.startswith("---\n"):
            continue
        _body, meta = get_data(text)
        assert meta, f"{page.relative_to(docs)}: front matter not read"
        assert isinstance(meta.get("title", ""), str)


@pytest.mark.e2e
def test_a_title_shows_as_written_in_every_place_the_theme_prints_it(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """The navigation, the page title, the header and the footer links print the title unescaped: a literal
    "&lt;" in a title must read "&lt;" there too, never "<"."""
    from .site_helpers import commit

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo = demo_repo(tmp_path / "repo")
    text = (repo / "agreements" / "demo.md").read_text("utf-8").replace("title: 示例协议", "title: 示例&lt;协议&gt;")
    commit(repo, {"agreements/demo.md": text.replace('version: "3.0"', 'version: "4.0"')}, "标题")
    site = build(repo, as_of=AS_OF, out=None, progress=False).site
    for page in (site / "index.html", site / "demo" / "index.html", site / "changes" / "index.html"):
        html_text = page.read_text("utf-8")
        assert "示例&lt;协议&gt;" not in html_text.replace("示例&amp;lt;协议&amp;gt;", ""), page
        assert "示例&amp;lt;协议&amp;gt;" in html_text, page
