"""Incremental rendering: a page whose inputs have not changed is carried over from an earlier build.

mkdocs renders every page of the site on every build, and each page costs the same whether or not anything it
shows changed. kspub keys each generated page by everything its HTML depends on (:func:`page_keys`):

- the page's own generated Markdown and its path;
- the navigation (every page renders it) and the site configuration (``mkdocs.yml``, the environment values
  it reads with ``!ENV``, any ``custom_dir`` and ``hooks`` it names);
- the code that renders it: kspub itself (its templates, theme overrides and assets) and the version of every
  installed distribution (mkdocs, the theme, Markdown and its extensions, jieba …);
- for every relative link on the page, whether its target exists (a link to a page that disappeared must be
  reported, as a full build would).

A page's result — its final HTML, the search entries the theme made of it, its anchors, its title, the links it
makes to other pages' anchors and the problems the build's own checks found in it — is stored in the build cache
under that key (:class:`RenderedPage`). In a later build, :class:`PageReuse` (an mkdocs plugin) gives a page
whose key is found an empty body and a template that renders nothing, and hands mkdocs the stored HTML to write
instead; everything the site assembles from all pages is assembled from the stored parts as from the fresh ones:
the search index (the theme's entries per page, in the order of the full build), the anchor validation across
pages (stored anchors and links), the sitemap (mkdocs renders it from the navigation alone). So an incremental
build writes the same bytes as a full one, which ``tests/test_incremental_render.py`` proves over random changes.

The same mechanism renders a cold build on every core: :func:`render_shards` lets forked processes each render a
share of the pages into the cache, after which the build assembles them all as above (decision record 0506).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache, partial
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from kspub.errors import KspubError
from kspub.publish.cache import Cache, key
from kspub.publish.links import Published, write_new
from kspub.publish.links import page as page_fingerprint

#: The template a carried-over page is rendered with: nothing (its stored HTML is written instead).
STUB_TEMPLATE = "kspub-reused.html"
_META = "page-meta"
_HTML = "page-html"
_LINK = re.compile(r"""\]\(\s*<?([^)\s>]+)|(?:href|src)\s*=\s*["']([^"']+)["']""")
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|/|#)")


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """What a build keeps of one rendered page besides its HTML (stored apart, read only when written)."""

    search: tuple[dict[str, Any], ...]
    """The entries the theme's search plugin made of the page, in its order."""
    anchors: frozenset[str]
    """The anchor IDs present on the page (mkdocs validates other pages' links against them)."""
    title: str | None
    """The title mkdocs took from the page's first heading, if any."""
    links: Mapping[str, Mapping[str, str]]
    """Links to anchors of pages: target page (source path) → anchor → the link as written."""
    problems: tuple[str, ...]
    """What the build's own checks found wrong in the page's HTML (reported again whenever it is reused)."""


@cache
def _distributions() -> str:
    """Every installed distribution and its version: mkdocs, the theme, Markdown, its extensions, jieba and
    whatever they use. A changed version of any of them renders every page again."""
    seen = sorted({f"{d.metadata['Name']}=={d.version}".lower() for d in metadata.distributions() if d.metadata["Name"]})
    return "\n".join(seen)


def _folder_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else ():
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _environment_values(text: str) -> str:
    """The environment variables the configuration reads (mkdocs' ``!ENV`` tag), each with its value: a changed
    value changes what the pages show as surely as an edit of the file."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # nodes only: no tag is constructed
    except yaml.YAMLError:
        return ""  # mkdocs refuses it
    names: set[str] = set()
    nodes = [root] if root is not None else []
    while nodes:
        node = nodes.pop()
        if node.tag == "!ENV":  # !ENV NAME, or !ENV [NAME, OTHER, default]: every scalar counts
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            names.update(str(item.value) for item in items if isinstance(item, yaml.ScalarNode))
        elif isinstance(node, yaml.SequenceNode):
            nodes.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            nodes.extend(part for pair in node.value for part in pair)
    return "\n".join(f"{name}={os.environ.get(name)!r}" for name in sorted(names))


def environment_key(config_file: Path, config: Any, nav: list[dict[str, Any]]) -> str:
    """The inputs every page depends on: configuration (the environment values it reads, what it names in the
    repository), navigation, code."""
    text = config_file.read_text("utf-8")
    parts = [_distributions(), text, _environment_values(text), json.dumps(nav, ensure_ascii=False, sort_keys=True)]
    custom_dir = getattr(config.theme, "custom_dir", None)
    parts.append(_folder_digest(Path(custom_dir)) if custom_dir else "")
    hooks = config.get("hooks") or {}
    for name in sorted(hooks):  # the modules mkdocs loaded, by name: their files' text
        module_file = getattr(hooks[name], "__file__", None)
        parts.append(f"{name}\0{Path(module_file).read_text('utf-8') if module_file else ''}")
    return key("page-environment", *parts)


PageDigest = tuple[str, tuple[str, ...]]
"""What a page's key is made of besides the environment: the sha256 of its Markdown and its relative link
targets, resolved against its folder."""


def page_digest(rel: str, markdown: str) -> PageDigest:
    base = posixpath.dirname(rel)
    targets = set()
    for match in _LINK.finditer(markdown):
        target = (match.group(1) or match.group(2) or "").split("#", 1)[0].split("?", 1)[0]
        if target and not _EXTERNAL.match(target):
            targets.add(posixpath.normpath(posixpath.join(base, target)))
    return hashlib.sha256(markdown.encode("utf-8")).hexdigest(), tuple(sorted(targets))


def page_keys(digests: Mapping[str, PageDigest], files: Iterable[str], environment: str) -> dict[str, str]:
    """The key of every page: its path and Markdown, the environment, and whether each relative link target
    exists (as a file, or as a folder's ``index.md``)."""
    present = set(files) | set(digests)
    keys = {}
    for rel, (text, targets) in digests.items():
        links = [f"{t}\0{int(t in present)}{int(posixpath.join(t, 'index.md') in present)}" for t in targets]
        keys[rel] = key("page", environment, rel, text, "\n".join(links))
    return keys


@dataclass
class PageReuse:
    """The state of one mkdocs run that reuses stored pages and stores the ones it renders.

    ``keys``: each page's key (source path → key). ``render``: the pages this run must render itself when they
    are not stored (None: all); the others are stubbed and not written (a shard of a parallel build).
    """

    store: Cache
    keys: Mapping[str, str]
    render: frozenset[str] | None = None
    problems: Callable[[str, str], list[str]] = lambda _name, _html: []
    """The build's own check of a page's HTML (dest path, html) → problems."""
    reused: dict[str, RenderedPage] = field(default_factory=dict)
    fresh: dict[str, RenderedPage] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    found: list[str] = field(default_factory=list)
    """Problems of every page written, fresh or reused."""
    published: Published | None = None
    """The published build, whose unchanged pages are linked instead of written (kspub/publish/links.py)."""
    dest_of: Callable[[str], str] | None = None
    """A page's path in the site (source path → output path), set once mkdocs' configuration is known."""
    site: Path | None = None
    in_place: set[str] = field(default_factory=set)
    """Pages whose stored HTML is in place in the output already (written there by the worker that rendered it)."""
    given: Mapping[str, RenderedPage] = field(default_factory=dict)
    """The results of pages in place, as the workers that rendered them handed them over (a scratch cache does not
    keep them); a page in place without one is looked up in the cache."""
    handover: BinaryIO | None = None
    """Where the results of the pages rendered here go, one pickle of (source path, result) each, as each is
    rendered, instead of :attr:`fresh` (a worker whose cache is a scratch one: the build reads them back)."""
    linked: set[str] = field(default_factory=set)
    """Pages whose output is a link to the published page (never written into: see :meth:`on_post_page`)."""
    rendered: int = 0
    """Pages rendered for this build, here or by workers (set by the build)."""
    workers: int = 1
    """Processes that rendered them (set by the build)."""
    _search_start: int = 0
    _search: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)

    # --- deciding -------------------------------------------------------------------------------------------

    def lookup(self, src: str, *, html: bool = True) -> RenderedPage | None:
        """The stored result of a page (one cache hit or miss per page), when both its parts are there (its
        metadata alone when not ``html``: a page in place, whose HTML a scratch cache does not keep)."""
        k = self.keys.get(src)
        if k is None:
            return None
        meta = self.store.get(_META, k)
        if not isinstance(meta, RenderedPage) or (html and not self.store.has(_HTML, k)):
            return None
        self.store.keep(_HTML, k)  # kept by the cache's pruning even when the page is linked, not read
        return meta

    def stubbed(self, src: str) -> bool:
        return src in self.reused or src in self.skipped

    # --- the mkdocs events (called by the plugin class below) -------------------------------------------------

    def prepare(self, site: Path, dest_of: Callable[[str], str]) -> bool:
        """Before mkdocs runs: every stored page's HTML is written to its place in ``site`` (unless a worker's
        output put it there already, :attr:`in_place`; or the published page of the same key is linked there, when
        its Markdown source was linked too: mkdocs then finds the page no older than its source); in a shard, every
        page another process renders is :attr:`skipped` (mkdocs is told it is unchanged, :meth:`unchanged`).
        mkdocs then runs in its own "dirty" mode, which neither reads nor renders a page whose output is newer
        than its source, so these pages cost it nothing. Returns whether any page was written or skipped. A stored
        page whose HTML cannot be read is dropped from the cache and rendered again."""
        self.dest_of, self.site = dest_of, site
        published = self.published or Published()
        folders: set[Path] = set()  # each made once, not once per page
        for src, k in self.keys.items():
            if self.render is not None and src not in self.render:
                self.skipped.add(src)  # another process renders it
                continue
            handed = self.given.get(src) if src in self.in_place else None
            stored = handed or self.lookup(src, html=src not in self.in_place)
            if src in self.in_place:
                if stored is not None:
                    self.reused[src] = stored
                    continue
                (site / dest_of(src)).unlink(missing_ok=True)  # not stored after all: mkdocs renders it here
            if stored is not None and published.is_linked("docs", src):
                dest = dest_of(src)
                make_folder(site / dest, folders)
                if published.link("site", dest, page_fingerprint(k), site / dest):
                    self.reused[src] = stored
                    self.linked.add(src)
                    continue
            if stored is not None:
                html = self.store.get(_HTML, k, count=False)
                if isinstance(html, str):
                    _write(site / dest_of(src), html, folders)
                    self.reused[src] = stored
                    continue
                self.store.forget(_HTML, k)  # unreadable: rendered again below
                self.store.forget(_META, k)
        return bool(self.reused or self.skipped)

    def unchanged(self, files: Any) -> None:
        """In a shard (mkdocs' ``on_files``): the pages another process renders, and every file mkdocs would copy,
        are unchanged to mkdocs' dirty mode — neither read, rendered nor copied into this output, which is
        discarded but for the shard's own pages."""
        if self.render is None:
            return
        for file in files:
            if file.src_uri in self.skipped or not file.is_documentation_page():
                file.is_modified = _unmodified

    def restore(self, files: Any) -> None:
        """Once every page exists (mkdocs' ``on_env``): what the stored pages' objects would hold had they been
        rendered — their anchors, their links to other pages' anchors, the title from their first heading — so
        that mkdocs validates links across pages as in a full build; their problems are reported again."""
        for src, stored in self.reused.items():
            file = files.get_file_from_path(src)
            if file is None or file.page is None:
                continue
            page = file.page
            page.present_anchor_ids = set(stored.anchors)
            page._title_from_render = stored.title  # what mkdocs would have read from the heading
            links = {}
            for target, anchors in stored.links.items():
                linked = files.get_file_from_path(target)
                if linked is not None:
                    links[linked] = dict(anchors)
            page.links_to_anchors = links
            self.found.extend(stored.problems)
        for src in self.skipped:
            file = files.get_file_from_path(src)
            if file is not None and file.page is not None:
                file.page.present_anchor_ids = None  # unknown here: validated when the shares are assembled
                file.page.links_to_anchors = {}

    def on_page_markdown(self, markdown: str, page: Any) -> str:
        """A page decided in :meth:`prepare` that mkdocs reads all the same is stubbed: not converted, an empty
        template, its stored HTML (or nothing, in a shard) written by :meth:`on_post_page`."""
        if page.file.src_uri not in self.reused and page.file.src_uri not in self.skipped:
            return markdown
        page.meta["template"] = STUB_TEMPLATE
        page.render = partial(_no_render, page)  # nothing to convert: what the page shows is stored
        return ""

    def before_search(self, search: Any) -> None:
        self._search_start = len(search.search_index.entries) if search is not None else 0

    def after_search(self, search: Any, page: Any) -> None:
        if search is not None and not self.stubbed(page.file.src_uri):
            self._search[page.file.src_uri] = tuple(search.search_index.entries[self._search_start :])

    def on_post_page(self, output: str, page: Any) -> str:
        src = page.file.src_uri
        if src in self.skipped:
            return ""  # another process renders it; mkdocs writes no empty page
        stored = self.reused.get(src)
        here = self.site / self.dest_of(src) if self.site is not None and self.dest_of is not None else None
        html = self.store.get(_HTML, self.keys[src], count=False) if stored is not None else None
        if stored is not None and not isinstance(html, str) and src in self.in_place and here is not None:
            with suppress(OSError, UnicodeDecodeError):  # a scratch cache keeps no HTML: the page in place is it
                html = here.read_text("utf-8")
        if here is not None:
            # mkdocs writes the page (a page linked from the published build, should it find it older than its
            # source): into a new file, never into whatever is there, which may be shared with the published site
            here.unlink(missing_ok=True)
        if stored is not None:
            if not isinstance(html, str):  # read in prepare(), gone since: dropped, the next build renders it
                self.store.forget(_HTML, self.keys[src])
                self.store.forget(_META, self.keys[src])
                raise KspubError("KS929", f"构建缓存中页面 {src} 的内容无法读取", path="build/.cache",
                                 hint="删除 build/.cache 目录后重新构建（旧网站保持不变）")  # fmt: skip
            return html
        problems = tuple(self.problems(page.file.dest_uri, output))
        self.found.extend(problems)
        rendered = RenderedPage(
            search=self._search.get(src, ()),
            anchors=frozenset(page.present_anchor_ids or ()),
            title=page._title_from_render,
            links={f.src_uri: dict(a) for f, a in (page.links_to_anchors or {}).items()},
            problems=problems,
        )
        k = self.keys.get(src)
        if k is not None:
            # the HTML first: a meta entry always has its HTML. A scratch cache keeps neither: the shard that
            # rendered the page hands the build its result (fresh) and its HTML in place (kspub/publish/build.py)
            self.store.put(_HTML, k, output, later=True)
            self.store.put(_META, k, rendered, later=True)
        if self.handover is not None:
            pickle.dump((src, rendered), self.handover, protocol=pickle.HIGHEST_PROTOCOL)
        else:
            self.fresh[src] = rendered
        return output

    def search_entries(self, order: Iterable[str]) -> list[dict[str, Any]]:
        """The search index's entries in the full build's order (the pages' order), fresh and reused alike."""
        out: list[dict[str, Any]] = []
        for src in order:
            if src in self.reused:
                out.extend(self.reused[src].search)
            else:
                out.extend(self._search.get(src, ()))
        return out


    def written(self) -> None:
        """Once mkdocs is done: the stored results read for it (every page's search entries among them) are let
        go; what is left is what the build reports (the pages rendered, the problems found)."""
        self.reused = dict.fromkeys(self.reused, _WRITTEN)
        self.given = {}
        self._search.clear()


_WRITTEN = RenderedPage(search=(), anchors=frozenset(), title=None, links={}, problems=())
"""What is left of a page carried over once mkdocs is done (see :meth:`PageReuse.written`)."""


def make_folder(path: Path, folders: set[Path]) -> None:
    """Make the folder of ``path`` unless ``folders`` (those made already) holds it: each made once, not once per
    file."""
    if path.parent not in folders:
        path.parent.mkdir(parents=True, exist_ok=True)
        folders.add(path.parent)


def _write(path: Path, html: str, folders: set[Path]) -> None:
    """As mkdocs writes a page (``utils.write_file``); ``folders``: those known to exist already."""
    make_folder(path, folders)
    write_new(path, html.encode("utf-8", errors="xmlcharrefreplace"))


def _unmodified() -> bool:
    """Stands in for ``File.is_modified`` of a file a shard neither renders nor copies (see :meth:`PageReuse.unchanged`)."""
    return False


def _no_render(page: Any, config: Any, files: Any) -> None:
    """Stands in for ``Page.render`` on a page that is carried over or rendered by another process: Markdown is
    not set up for an empty body (the attributes are restored from the stored result, see on_page_content)."""
    page.content = ""
    page.toc = []
    page._title_from_render = None
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


def missing(store: Cache, keys: Mapping[str, str]) -> list[str]:
    """The pages whose result is not stored (in page order)."""
    return [src for src, k in keys.items() if not (store.has(_HTML, k) and store.has(_META, k))]


def shards(pages: Iterable[str], count: int) -> list[frozenset[str]]:
    """Pages dealt round-robin into ``count`` shares of about equal work (pages of one agreement are spread)."""
    out: list[set[str]] = [set() for _ in range(count)]
    for i, src in enumerate(sorted(pages)):
        out[i % count].add(src)
    return [frozenset(s) for s in out]
