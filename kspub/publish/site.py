"""Snapshot → the site's pages (Markdown for mkdocs), rendered in memory with jinja2.

Page furniture comes from the templates in ``templates/``; an agreement's body is serialised here because its
layout is exact: each section is a Markdown heading carrying its editor-written ID (``## 一、总则 {#general}``,
so the table of contents and the heading's permalink use that ID), and each clause or item is one raw HTML
block whose ``id`` is the clause ID. Raw HTML blocks are never re-read as Markdown, so the text inside them is
exactly what :mod:`kspub.publish.markup` produced: escaped, with only bold and links rendered.

Site layout (URLs relative to the site root)::

    /                          every agreement, the version in force and any announced change
    /<id>/                     the version in force, banners for announced versions, the version history
    /<id>/<version>/           every version's full text
    /<id>/<version>/changes/   the redline against the previous version
    /sla/  /changes/           the SLA catalogue, recent changes
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from kspub.diff_report import CLASS_ZH, KIND_ZH  # the same words the editors' change report uses
from kspub.errors import KspubError
from kspub.frontmatter import KINDS
from kspub.model import KNOWN_TAGS, Agreement, Node, NodeKind
from kspub.publish.cache import Cache, key
from kspub.publish.links import Published, content, sha256_fingerprint, write_new
from kspub.publish.markup import inline_html, inline_markdown, plain_text, redline_html
from kspub.publish.parallel import Task, prefetch_groups
from kspub.publish.reuse import PageDigest, page_digest
from kspub.publish.snapshot import (
    ARCHIVED,
    IN_FORCE,
    STATUS_ZH,
    UPCOMING,
    PublishedAgreement,
    PublishedVersion,
    Snapshot,
)

API_DIR = "api/v1"
ASSETS = ("kspub.css", "kspub.js")
#: Top-level names the site uses itself; an agreement ID may not take one of them.
RESERVED = frozenset({"api", "assets", "search", "sla", "changes", "404", "index", "sitemap", "feed", "stylesheets", "javascripts"})
RECENT_CHANGES = 100
#: Agreements listed in the navigation sidebar; with more, the home page is the list.
NAV_AGREEMENTS = 30



def date_zh(value: date | str | None, missing: str = "未载明") -> str:
    if value is None:
        return missing
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d.year}年{d.month}月{d.day}日"


def page_dir(path: str) -> str:
    """The URL directory of a generated page: ``a/b/index.md`` → ``a/b/``, ``index.md`` → ``""``."""
    parent = posixpath.dirname(path)
    return f"{parent}/" if parent else ""


def relative(from_dir: str, target: str) -> str:
    """A link from a page directory to a site path (a directory ending in ``/`` or a file)."""
    # Both sides are site paths without "." or ".." segments, so the common prefix decides (posixpath.relpath
    # would consult the working directory on every call: thousands of links per build).
    here = [p for p in from_dir.split("/") if p]
    parts = target.split("/")
    there, leaf = parts[:-1], parts[-1]
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    rel = "../" * (len(here) - common) + "".join(f"{p}/" for p in there[common:]) + leaf
    return rel or "./"


def agreement_dir(agreement_id: str, label: str | None = None, *, changes: bool = False) -> str:
    path = f"{agreement_id}/" + (f"{label}/" if label else "")
    return path + ("changes/" if changes else "")


def feed_path(agreement_id: str | None = None) -> str:
    return f"{API_DIR}/feed.xml" if agreement_id is None else f"{API_DIR}/agreements/{agreement_id}/feed.xml"


def timeline_path(agreement_id: str) -> str:
    return f"{API_DIR}/agreements/{agreement_id}.json"


# --- agreement bodies ------------------------------------------------------------------------------------


def _permalink(node_id: str) -> str:
    return f'<a class="ks-permalink" href="#{node_id}" title="本条链接" aria-label="本条链接">¶</a>'


def render_body(agreement: Agreement) -> str:
    """The agreement's text as Markdown headings (sections) and raw HTML blocks (clauses with their items)."""
    children: dict[str | None, list[Node]] = defaultdict(list)
    for n in agreement.nodes:
        children[n.parent].append(n)

    def block(node: Node) -> str:
        kind = "item" if node.kind is NodeKind.ITEM else "clause"
        inner = f'<p class="ks-text">{inline_html(node.printed)}{_permalink(node.id)}</p>'
        subs = children.get(node.id, [])
        if subs:
            inner += '<ul class="ks-items">' + "".join(f"<li>{block(c)}</li>" for c in subs) + "</ul>"
        return f'<div class="ks-node ks-{kind}" id="{node.id}">{inner}</div>'

    out: list[str] = []

    def emit(node: Node, level: int) -> None:
        if node.kind is NodeKind.SECTION:
            out.append(f"{'#' * level} {inline_markdown(node.printed)} {{#{node.id}}}")
            for child in children.get(node.id, []):
                emit(child, min(level + 1, 6))
        else:
            out.append(block(node))

    for top in children.get(None, []):
        emit(top, 2)
    return "\n\n".join(out) + "\n"


# --- view data for the templates ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionView:
    agreement: PublishedAgreement
    version: PublishedVersion
    changes: dict[str, Any] | None

    @property
    def label(self) -> str:
        return self.version.label

    @property
    def status(self) -> str:
        return self.version.status

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.version.status, self.version.status)

    @property
    def record(self) -> Any:
        return self.version.record

    @property
    def meta(self) -> Any:
        return self.version.agreement.meta

    @property
    def material(self) -> bool:
        return bool(self.changes and self.changes.get("material"))

    @property
    def entries(self) -> list[dict[str, Any]]:
        entries = self.changes.get("changes", []) if self.changes else []
        return [e for e in entries if isinstance(e, dict)]

    @property
    def change_date(self) -> str:
        return self.version.change_date


@dataclass(slots=True)
class RenderedSite:
    pages: dict[str, str] = field(default_factory=dict)
    """docs-relative path → page text (Markdown with front matter)."""
    nav: list[dict[str, Any]] = field(default_factory=list)
    """The mkdocs ``nav`` for the generated pages."""
    api_links: set[str] = field(default_factory=set)
    """Site paths of API files the pages link to: the build checks they exist once the API is written."""
    files: dict[str, bytes] = field(default_factory=dict)
    """docs-relative path → a file the pages offer for download (the Word redlines), copied as it is."""
    depends: set[tuple[str, str]] = field(default_factory=set)
    """The cache entries (kind, key) the pages were made from: kept while the pages are, so that the next
    change to the agreement finds its bodies, comparisons and Word files still cached."""
    docs: Path | None = None
    """When set, pages and files are written into this folder as they are rendered (:meth:`flush`) and not
    kept: the build holds one agreement's pages at a time, not the whole site."""
    digests: dict[str, PageDigest] = field(default_factory=dict)
    """Every page's :func:`kspub.publish.reuse.page_digest` (what its key is made of), written or kept."""
    names: set[str] = field(default_factory=set)
    """docs-relative paths of every page and file, written or kept."""

    folders: set[str] = field(default_factory=set)
    """docs-relative folders already made by :meth:`flush` (each made once, not once per file)."""
    published: Published | None = None
    """The published build, whose unchanged files :meth:`flush` links instead of writing (kspub/publish/links.py)."""
    fingerprints: dict[str, str] = field(default_factory=dict)
    """docs-relative path → fingerprint of every page and file written or linked by :meth:`flush`."""

    def flush(self) -> None:
        """Record the digests of the pages held (those not known already: an agreement's cached pages carry
        theirs); with :attr:`docs`, write pages and files there (or link the published ones of the same
        content) and let go."""
        for rel, text in self.pages.items():
            if rel not in self.digests:
                self.digests[rel] = page_digest(rel, text)
        self.names.update(self.pages)
        self.names.update(self.files)
        if self.docs is None:
            return
        published = self.published or Published()
        for rel, text in sorted(self.pages.items()):
            fingerprint = self.fingerprints[rel] = sha256_fingerprint(self.digests[rel][0])  # the text's sha256
            path = self._folder(rel).joinpath(posixpath.basename(rel))
            if not published.link("docs", rel, fingerprint, path):
                write_new(path, text.encode("utf-8"))
        for rel, data in sorted(self.files.items()):
            fingerprint = self.fingerprints[rel] = content(data)
            path = self._folder(rel).joinpath(posixpath.basename(rel))
            if not published.link("docs", rel, fingerprint, path):
                write_new(path, data)
        self.pages.clear()
        self.files.clear()

    def _folder(self, rel: str) -> Path:
        assert self.docs is not None
        folder = posixpath.dirname(rel)
        if folder not in self.folders:
            (self.docs / folder).mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        return self.docs / folder


def front_matter_scalar(text: str) -> str:
    """``text`` as one YAML scalar for a generated page's front matter, HTML-escaped.

    Written by the YAML dumper, never by string formatting, so it always parses back (a control character, a
    noncharacter or a line break becomes an escape): a page whose front matter mkdocs could not read would be
    rendered as Markdown, front matter included. The theme prints ``page.meta.title`` without escaping (the
    page title, the header, the navigation), so the value is HTML-escaped here and reaches it as text."""
    dumped: str = yaml.safe_dump(html.escape(text, quote=True), allow_unicode=True, default_style='"', width=10**9)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kspub.publish", "templates"),
        autoescape=True,  # every value from the model is escaped unless a filter below made it safe HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # attr_list's {#clause-id} must not open a Jinja comment
        comment_start_string="{%#",
        comment_end_string="#%}",
    )
    env.filters["inline"] = lambda s: Markup(inline_html(s))
    env.filters["md_inline"] = lambda s: Markup(inline_markdown(s))
    env.filters["plain"] = plain_text
    env.filters["redline_html"] = lambda segments: Markup(redline_html((str(x["op"]), str(x["text"])) for x in segments))
    env.filters["date_zh"] = date_zh
    env.filters["yaml"] = lambda s: Markup(front_matter_scalar(s))
    env.filters["json_script"] = lambda d: Markup(
        json.dumps(d, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e")
    )
    env.globals.update(
        DATE_KIND_ZH={"effective": "生效", "announced": "公告", "recorded": "本站收录", "committed": "提交"},
        KIND_ZH=KIND_ZH,
        EVENT_ZH={"correction": "勘误", "postponement": "推迟生效", "withdrawal": "撤回（不再生效）"},
        clause_directory=clause_directory,
        comparisons_with_in_force=comparisons_with_in_force,
        compare_path=compare_path,
        CLASS_ZH=CLASS_ZH,
        STATUS_ZH=STATUS_ZH,
        TAGS_ZH=KNOWN_TAGS,
        KINDS_ZH=KINDS,
        IN_FORCE=IN_FORCE,
        UPCOMING=UPCOMING,
        ARCHIVED=ARCHIVED,
    )
    return env


class _Renderer:
    def __init__(self, snapshot: Snapshot, cache: Cache) -> None:
        self.snapshot = snapshot
        self.cache = cache
        self.site = RenderedSite()
        self._bodies: dict[str, str] = {}
        self._histories: dict[str, str] = {}
        self._compared: dict[str, dict[str, Any]] = {}

    def render(self, here: str, template: str, **context: Any) -> str:
        def to(target: str) -> str:
            if target.startswith(API_DIR + "/"):
                self.site.api_links.add(target)
            return relative(here, target)

        return _environment().get_template(template).render(snapshot=self.snapshot, to=to, as_of=self.snapshot.as_of, **context)

    def page(self, path: str, template: str, **context: Any) -> None:
        self.site.pages[path] = self.render(page_dir(path), template, **context)

    def history(self, agreement: PublishedAgreement, views: list[VersionView], here: str) -> Markup:
        """The version history table: the same for every version page of an agreement (their links, relative,
        are alike), so it is rendered once for them and once for the agreement's main page."""
        k = f"{agreement.id}\0{here.count('/')}"
        if k not in self._histories:
            self._histories[k] = self.render(here, "history.html.j2", agreement=agreement, views=views)
        return Markup(self._histories[k])

    def compare(self, older: PublishedVersion, newer: PublishedVersion) -> dict[str, Any]:
        """The change set between two versions that are not neighbours, as plain data (cached by both texts)."""
        from kspub.publish.compare import comparison, comparison_key

        k = comparison_key(older.agreement, newer.agreement)
        if k not in self._compared:
            self._compared[k] = comparison(self.cache, older.agreement, newer.agreement).to_dict()
        self.site.depends.add(("compare", k))
        return self._compared[k]

    def redline_docx(self, older: PublishedVersion, newer: PublishedVersion, folder: str) -> str:
        """The Word redline from ``older`` to ``newer`` as a file in ``folder``; returns its docs path. Dated
        by the newer version's announced (else recorded) date, so it is the same file in every build."""
        from kspub.redline_docx import render_docx

        path = f"{folder}{newer.agreement.meta.id}-{older.label}-{newer.label}.docx"
        when = newer.record.announced or newer.record.recorded or self.snapshot.as_of
        k = key("docx", older.record.path, older.record.source, newer.record.path, newer.record.source, str(when))
        self.site.depends.add(("docx", k))
        self.site.files[path] = self.cache.get_or_compute(  # this build keeps it in the agreement's pages
            "docx", k, lambda: render_docx(older.agreement, newer.agreement, when=when), later=True
        )
        return path

    def body(self, view: VersionView) -> Markup:
        record = view.version.record
        k = key("body", record.path, record.source)  # a body depends on the version's text alone
        if k not in self._bodies:  # the version in force appears twice: at /<id>/ and at /<id>/<version>/
            self._bodies[k] = self.cache.get_or_compute("body", k, lambda: render_body(view.version.agreement),
                                                        later=True)  # fmt: skip
        self.site.depends.add(("body", k))
        return Markup(self._bodies[k])


def _views(agreement: PublishedAgreement) -> list[VersionView]:
    return [VersionView(agreement, v, v.changes.to_dict() if v.changes is not None else None) for v in agreement.versions]


def timeline_data(agreement: PublishedAgreement, as_of: date) -> dict[str, Any]:
    """What the page script needs to tell, on the reader's own date, which version is in force."""
    shown = agreement.in_force
    return {
        "agreement": agreement.id,
        "as_of": as_of.isoformat(),
        "in_force": shown.label if shown else None,
        "versions": [
            {
                "version": v.label,
                "effective": v.record.effective.isoformat() if v.record.effective else None,
                "withdrawn": {"date": v.record.withdrawn.isoformat()} if v.record.withdrawn else None,
            }
            for v in agreement.versions
        ],
        "withdrawn": {"date": agreement.withdrawn.date.isoformat()} if agreement.withdrawn else None,
    }


def clause_directory(agreement: PublishedAgreement, view: VersionView, page: str) -> dict[str, dict[str, str]]:
    """Where each clause ID of the agreement that is not on ``view``'s page went, for the page script: a
    permalink to it must never land at the top of the page without a word. Each entry is a Chinese message and
    the site path of the place to go (the successor that replaces it, the upcoming version that brings it, or
    the last version that contained it). ``page`` is the site path of the page itself."""
    here = {n.id for n in view.version.agreement.nodes}
    out: dict[str, dict[str, str]] = {}
    successors: dict[str, str] = {}
    for v in agreement.versions:
        for node in v.agreement.nodes:
            for old in node.replaces:
                successors.setdefault(old, node.id)
    later_upcoming = [v for v in agreement.versions if v.status == UPCOMING and v.label != view.label]
    for v in reversed(agreement.versions):
        for node in v.agreement.nodes:
            nid = node.id
            if nid in here or nid in out:
                continue
            number = f"第 {node.number} 条" if node.number else "该条款"
            successor = successors.get(nid)
            while successor is not None and successor not in here and successor in successors:
                successor = successors[successor]
            upcoming = next((u for u in later_upcoming if nid in {n.id for n in u.agreement.nodes}), None)
            if successor is not None and successor in here:
                out[nid] = {"message": f"{number}（{nid}）已被本版本的其他条款取代，已为您转到取代它的条款。",
                            "path": f"{page}#{successor}"}  # fmt: skip
            elif upcoming is not None:
                out[nid] = {"message": f"{number}（{nid}）是即将生效的版本 {upcoming.label} 新增或保留的条款，"
                                       f"本页所示版本 {view.label} 中没有。",
                            "path": f"{agreement.id}/{upcoming.label}/#{nid}"}  # fmt: skip
            else:
                out[nid] = {"message": f"{number}（{nid}）在本页所示版本 {view.label} 中已不存在；"
                                       f"最后包含它的是版本 {v.label}。",
                            "path": f"{agreement.id}/{v.label}/#{nid}"}  # fmt: skip
    return dict(sorted(out.items()))


def comparisons_with_in_force(agreement: PublishedAgreement) -> list[tuple[PublishedVersion, PublishedVersion]]:
    """(older, newer) pairs that get a comparison page: every earlier version that applied against the version in
    force, and the version in force against each upcoming one, except neighbours (their redline exists)."""
    current = agreement.in_force
    if current is None:
        return []
    pairs: list[tuple[PublishedVersion, PublishedVersion]] = []
    at = agreement.versions.index(current)
    for older in agreement.versions[:at]:
        if older.label != current.previous and older.record.withdrawn is None:
            pairs.append((older, current))
    for newer in agreement.upcoming:
        if newer.previous != current.label:
            pairs.append((current, newer))
    return pairs


def compare_path(agreement_id: str, older: str, newer: str) -> str:
    return f"{agreement_id}/{older}/compare/{newer}/"


def sla_category_anchor(category_id: str) -> str:
    return f"category-{category_id}"


def check_paths(snapshot: Snapshot) -> None:
    """Stop before anything is written when a path or an anchor would be ambiguous."""
    if snapshot.sla is not None:
        # entries keep their own IDs as anchors; categories (whose IDs may equal an entry's: "cdn") are prefixed
        ids = [sla_category_anchor(c.id) for c in snapshot.sla.categories] + [e.id for e in snapshot.sla.entries]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise KspubError(
                "KS925", f"SLA 目录中的锚点重复：{'、'.join(twice)}", path=snapshot.sla.path,
                hint="条目的 ID 必须唯一，且不能与 category-<分类 ID> 相同",
            )
    ids = [a.id for a in snapshot.agreements]
    for a in snapshot.agreements:
        clash = sorted(set(a.formerly) & (set(ids) | RESERVED))
        if clash:
            raise KspubError(
                "KS926",
                f"协议 {a.id} 改名前的 ID {'、'.join(clash)} 与其他协议或网站的固定页面冲突，旧地址无法跳转",
                path=f"agreements/releases/{a.id}.yaml",
                hint="旧 ID 的地址要永久跳转到新协议，不能再用于其他协议",
            )
        if a.id in RESERVED:
            raise KspubError(
                "KS920",
                f"协议 ID “{a.id}” 与网站的固定页面（/{a.id}/）冲突，无法发布",
                hint=f"请换用其他 ID；以下名称保留给网站使用：{'、'.join(sorted(RESERVED))}",
            )


def _common_inputs(snapshot: Snapshot) -> str:
    """What every agreement's pages show besides the agreement itself: the as-of date (the status line) and the
    calendar notice windows are counted with."""
    calendar = hashlib.sha256(repr(snapshot.calendar).encode("utf-8")).hexdigest()  # once, not per agreement
    return "\0".join((snapshot.as_of.isoformat(), calendar))


def agreement_pages_key(agreement: PublishedAgreement, common: str) -> str:
    """The key of one agreement's pages: its ID, title, kind, withdrawal and former IDs, every version's record
    (label, dates, summary, events, the full source text) with its status and predecessor, and the common
    inputs. The change sets and parsed texts are functions of the sources under the same code (the code is in
    every key)."""
    parts = [common, repr((agreement.id, agreement.title, agreement.kind, agreement.withdrawn, agreement.formerly))]
    parts += [repr((v.record, v.status, v.previous)) for v in agreement.versions]
    return key("agreement-pages", *parts)


def site_inputs_key(snapshot: Snapshot) -> str:
    """A key of everything in the snapshot the site and the API show: every agreement's pages key, the SLA
    catalogue, the build time (the API's pointers, the sitemap)."""
    common = _common_inputs(snapshot)
    parts = [common, snapshot.built_at, repr(snapshot.sla)]
    parts += [agreement_pages_key(a, common) for a in snapshot.agreements]
    return key("site-inputs", *parts)


def _agreement_pages(r: _Renderer, agreement: PublishedAgreement, views: list[VersionView]) -> RenderedSite:
    """One agreement's pages: main page, version pages, redlines and their Word files, comparisons with the
    version in force, and the redirects of its former IDs."""
    outer, r.site = r.site, RenderedSite()  # no docs: the part is cached whole, then flushed by the caller
    try:
        _render_agreement(r, agreement, views)
        r.site.digests = {rel: page_digest(rel, text) for rel, text in r.site.pages.items()}  # kept with them
        return r.site
    finally:
        r.site = outer


def _render_agreement(r: _Renderer, agreement: PublishedAgreement, views: list[VersionView]) -> None:
    snapshot = r.snapshot
    shown = next((v for v in views if v.status == IN_FORCE), None) or next(
        (v for v in views if v.status == UPCOMING), views[-1]
    )
    upcoming = [v for v in views if v.status == UPCOMING]
    timeline = timeline_data(agreement, snapshot.as_of)
    r.page(
        f"{agreement.id}/index.md",
        "agreement.md.j2",
        agreement=agreement,
        views=views,
        view=shown,
        upcoming=upcoming,
        body=r.body(shown),
        timeline=timeline,
        history=r.history(agreement, views, agreement_dir(agreement.id)),
        is_main=True,
    )
    for view in views:
        r.page(
            f"{agreement.id}/{view.label}/index.md",
            "agreement.md.j2",
            agreement=agreement,
            views=views,
            view=view,
            upcoming=[],
            body=r.body(view),
            timeline=timeline,
            history=r.history(agreement, views, agreement_dir(agreement.id, view.label)),
            is_main=False,
        )
        if view.version.previous is not None:
            previous = agreement.version(view.version.previous)
            here = f"{agreement.id}/{view.label}/changes/"
            r.page(
                f"{here}index.md",
                "redline.md.j2",
                agreement=agreement,
                view=view,
                previous=previous,
                entries=_redline_entries(view, agreement),
                docx=r.redline_docx(previous, view.version, here) if previous is not None else None,
            )
    for older, newer in comparisons_with_in_force(agreement):
        # "what changed since the version I accepted": any version against the one in force, when they are not
        # neighbours (neighbours have their redline already)
        here = f"{agreement.id}/{older.label}/compare/{newer.label}/"
        compared = VersionView(agreement, newer, r.compare(older, newer))
        r.page(
            f"{here}index.md",
            "redline.md.j2",
            agreement=agreement,
            view=compared,
            previous=older,
            entries=_redline_entries(compared, agreement, older),
            docx=r.redline_docx(older, newer, here),
        )
    # a renamed agreement's old addresses keep working: each points to the same page under the new ID
    for old_id in agreement.formerly:
        r.page(f"{old_id}/index.md", "redirect.md.j2", agreement=agreement, old_id=old_id, label=None,
               target=f"{agreement.id}/")  # fmt: skip
        for view in views:
            r.page(f"{old_id}/{view.label}/index.md", "redirect.md.j2", agreement=agreement, old_id=old_id,
                   label=view.label, target=f"{agreement.id}/{view.label}/")  # fmt: skip


def render_site(
    snapshot: Snapshot, cache: Cache | None = None, docs: Path | None = None, published: Published | None = None,
    ahead: Callable[[PublishedAgreement], Sequence[Task]] | None = None,
) -> RenderedSite:
    """Every page of the site, in memory; nothing is written unless ``docs`` is given, into which pages and
    files are then written one agreement at a time (and not kept), those of the ``published`` build with the
    same content linked instead. Each agreement's pages (and Word redlines) are cached as one unit under a key of
    everything they show (:func:`agreement_pages_key`), agreement bodies by their text.

    ``ahead``: other cache entries of an agreement (the API's comparisons, its search entries), computed with
    its pages on every core, before them (the pages read the comparisons they share), and here before any page
    when no worker computed them (with the cache only)."""
    check_paths(snapshot)
    cache = cache or Cache(None)
    # compiled templates too, in a cache that outlives the build: jinja keys them by the template's source (and
    # never one of an earlier build in this process: a scratch cache is gone once its build is done)
    lasting = cache.folder is not None and cache.lasting
    _environment().bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache.directory("jinja"))) if lasting else None
    r = _Renderer(snapshot, cache)
    r.site.docs = docs
    r.site.published = published
    all_views: list[VersionView] = []
    views_of = {a.id: _views(a) for a in snapshot.agreements}
    common = _common_inputs(snapshot)
    keys = {a.id: agreement_pages_key(a, common) for a in snapshot.agreements}
    # agreements' pages rendered on every core into the cache first, each after what it shares with the API (one
    # pass: no core waits for the other between the two), then taken from it below
    before = {a.id: list(ahead(a)) if ahead is not None else [] for a in snapshot.agreements}
    groups: list[list[Task]] = [
        [*before[a.id], ("agreement-pages", keys[a.id], partial(_agreement_pages, r, a, views_of[a.id]))]
        for a in snapshot.agreements
    ]
    if not prefetch_groups(groups, cache, minimum=4) and cache.folder is not None:
        # too few for workers: here, before the API's process starts, so it and the pages never both compute one
        for kind, k, compute in (t for a in snapshot.agreements for t in before[a.id]):
            if not cache.has(kind, k):
                cache.get_or_compute(kind, k, compute)
    for agreement in snapshot.agreements:
        views = views_of[agreement.id]
        all_views.extend(views)
        k = keys[agreement.id]
        part: RenderedSite = cache.get_or_compute(
            "agreement-pages", k, lambda: _agreement_pages(r, agreement, views)  # noqa: B023 - called at once
        )
        r.site.pages.update(part.pages)
        r.site.digests.update(part.digests)
        r.site.files.update(part.files)
        r.site.api_links.update(part.api_links)
        for kind, dependency in part.depends:
            cache.keep(kind, dependency)
        r.site.flush()
    recent = sorted(all_views, key=lambda v: (v.agreement.id, -v.agreement.versions.index(v.version)))
    recent.sort(key=lambda v: v.change_date, reverse=True)
    home_timelines = {}
    for a in snapshot.agreements:
        data = timeline_data(a, snapshot.as_of)
        home_timelines[a.id] = {"versions": data["versions"], "withdrawn": data["withdrawn"]}
    r.page("index.md", "home.md.j2", agreements=[(a, views_of[a.id]) for a in snapshot.agreements],
           home_timelines=home_timelines)  # fmt: skip
    r.page("changes/index.md", "changes.md.j2", recent=recent[:RECENT_CHANGES], total=len(recent))
    # A flat navigation: a nav section would add the theme's numbered toggle IDs (``__nav_2``) to every page.
    # Every page renders the whole navigation, so listing every agreement costs pages × agreements; past a
    # sidebar a reader can still scan, the home page's list is the index instead.
    nav: list[dict[str, Any]] = [{"首页": "index.md"}]
    if len(snapshot.agreements) <= NAV_AGREEMENTS:
        # the theme prints navigation titles unescaped, like the front matter's: escaped here the same way
        nav.extend({html.escape(a.title, quote=True): f"{a.id}/index.md"} for a in snapshot.agreements)
    if snapshot.sla is not None:
        r.page("sla/index.md", "sla.md.j2", sla=snapshot.sla, compensation=_compensation, anchor=sla_category_anchor)
        nav.append({"SLA 目录": "sla/index.md"})
    nav.append({"最近变更": "changes/index.md"})
    r.site.nav = nav
    r.site.flush()
    return r.site


def _redline_entries(
    view: VersionView, agreement: PublishedAgreement, against: PublishedVersion | None = None
) -> list[dict[str, Any]]:
    """The change entries with what the page needs besides the contract's fields: the printed number, the
    version whose page holds the clause (the older one for a removed clause), the subject tags in Chinese
    (the other flags are technical; their meaning is in the explanation) and the visible redline pieces.
    ``against`` is the older version compared with (default: the previous one)."""
    new = view.version.agreement
    prev_label = against.label if against is not None else view.version.previous
    prev_version = agreement.version(prev_label) if prev_label else None
    old = prev_version.agreement if prev_version else None
    seen: set[str] = set()
    out = []
    for entry in view.entries:
        clause = str(entry.get("clause") or "")
        old_number, new_number = entry.get("old_number") or "", entry.get("new_number") or ""
        number = f"{old_number} → {new_number}" if old_number and new_number and old_number != new_number else new_number or old_number
        if new.node(clause) is not None:
            link_version: str | None = view.label
        elif old is not None and old.node(clause) is not None:
            link_version = prev_label
        else:
            link_version = None
        flags = [str(f) for f in entry.get("flags") or []]
        out.append(
            {
                **entry,
                "number": number,
                "where": _where(clause, number, new, old),
                "anchor": clause if link_version and clause not in seen else None,
                "link_version": link_version,
                "subjects": [KNOWN_TAGS.get(f[4:], f[4:]) for f in flags if f.startswith("tag:")],
                # every piece, markup-only ones too: a ** in one piece may pair with one in another
                "segments": [s for s in entry.get("redline") or [] if isinstance(s, dict)],
            }
        )
        seen.add(clause)
    return out


def _where(clause: str, number: str, new: Agreement, old: Agreement | None) -> str:
    """How a reader finds a changed clause: its printed number and the title of its section (the ID only in the
    permalink); an unnumbered clause by the start of its text."""
    source = new if new.node(clause) is not None else old
    node = source.node(clause) if source is not None else None
    if node is None or source is None:
        return number or clause
    if node.kind is NodeKind.SECTION:
        return plain_text(node.printed)
    label = f"第 {number} 条" if number and not number.endswith(("、", "）", ")")) else number
    if not label:
        text = plain_text(node.text or node.printed)
        label = f"“{text[:18]}{'…' if len(text) > 18 else ''}”"
    section = source.node(node.parent) if node.parent else None
    while section is not None and section.kind is not NodeKind.SECTION and section.parent:
        section = source.node(section.parent)
    return f"{label}（{plain_text(section.printed)}）" if section is not None and section.kind is NodeKind.SECTION else label


def _compensation(rows: Iterable[dict[str, Any]]) -> list[str]:
    out = []
    for row in rows:
        floor = f"不低于 {row['at_least']}、" if row.get("at_least") else ""
        out.append(f"月度可用性{floor}低于 {row['below']}：赔偿 {row['credit']}")
    return out

