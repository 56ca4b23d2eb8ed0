"""``kspub build``: the customer site and the JSON API, built aside and swapped in whole.

1. collect the snapshot (committed history only; parse and diff results cached under ``build/.cache``);
2. render every page in memory (:mod:`kspub.publish.site`) and write them into a staging ``docs`` directory;
3. run mkdocs (the theme, search with jieba) in process into a staging ``site`` directory;
4. add the clause-level search entries and write the JSON API into ``site/api/v1``;
5. check the result (no positional anchors, every API file a page links to exists);
6. swap: the new ``docs`` and ``site`` move into a new directory ``build/.sites/<pid>-…``; ``build/docs`` and
   ``build/site`` are symbolic links, each pointed at it by one rename of a new link over the old one; the
   previous build is deleted in the background.

Until step 6 nothing outside the staging directory changes, so a failed or interrupted build leaves the previous
site in place, and a build killed at any instant of step 6 leaves each of ``build/docs`` and ``build/site`` a
complete tree, the old one or the new one (decision record 0503, which also says how a real ``build/site``
directory left by an earlier version becomes a link). The output is reproducible: the same repository, as-of
date and ``SOURCE_DATE_EPOCH`` give the same bytes (without ``SOURCE_DATE_EPOCH`` the as-of date's midnight in
Asia/Shanghai stands in for it).
"""

from __future__ import annotations

import ctypes
import errno
import gc
import logging
import os
import pickle
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from kspub.clock import today_in_shanghai
from kspub.errors import Diagnostic, KspubError
from kspub.publish import links
from kspub.publish.api import write_api
from kspub.publish.cache import Cache, key
from kspub.publish.parallel import Task, release_free_memory, workers
from kspub.publish.progress import Observer, Phases
from kspub.publish.reuse import PageReuse, RenderedPage, make_folder
from kspub.publish.site import ASSETS, RenderedSite, render_site
from kspub.publish.snapshot import PublishedAgreement, Snapshot

CONFIG_FILE = "mkdocs.yml"
CACHE_DIR = ".cache"
_STAGING = ".staging-"
_TRASH = ".trash-"
_SCRATCH = ".scratch-"
_SITES = ".sites"
_LINKS = ("docs", "site")
"""The links a build publishes, in the order they are pointed at the new build: a kill between the two leaves the
new ``docs`` and the old ``site``, each complete."""
# The theme's own element IDs start with "__" (__drawer, __palette_0); no clause ID can.
_POSITIONAL_ID = re.compile(r'\sid="((?!__)(?:[^"]*_)?\d+)"')
_ANY_ID = re.compile(r'\sid="([^"]*)"')


@dataclass(frozen=True, slots=True)
class BuildResult:
    site: Path
    docs: Path
    as_of: date
    pages: int
    """Markdown pages generated."""
    files: int
    """Files in the built site."""
    api_files: int
    search_entries: int
    search_fixed: bool
    """Whether the theme's Chinese query segmentation fix applied (see :mod:`kspub.publish.search`)."""
    cache_hits: int
    cache_misses: int
    cache_missed: dict[str, int]
    """Cache misses per kind of work (``lint``, ``parse``, ``diff``, ``body``, ``search``)."""
    files_linked: int = 0
    """Files of the published build linked into this one instead of written again (kspub/publish/links.py)."""
    pages_rendered: int = 0
    """Pages mkdocs rendered in this build; the others were carried over (:mod:`kspub.publish.reuse`)."""
    workers: int = 1
    """Processes that rendered them (one per core when there are enough pages)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per phase (see :data:`kspub.publish.progress.LABELS`)."""
    nav: list[dict[str, Any]] = field(default_factory=list)
    warnings: tuple[Diagnostic, ...] = ()
    """What was not published and why (uncommitted edits, text not in the release record)."""


def build(
    root: Path,
    *,
    as_of: date | None,
    out: Path | None,
    progress: bool,
    cache: bool = True,
    observer: Observer | None = None,
    previous: str | Path | None = None,
    first_publication: bool = False,
    base_url: str = "",
) -> BuildResult:
    """Build the site into ``out`` (default ``<root>/build``): ``out/site`` and the generated ``out/docs``.

    ``as_of`` is the day the site describes (what is in force, what is upcoming); None means today in
    Asia/Shanghai. ``previous`` is the previously published site (a folder or an http(s) URL; default
    ``out/site``): the build refuses (KS930) to drop or alter any version published there; a URL with no site
    behind it is an error (KS931) unless ``first_publication`` says nothing was deployed there yet. Raises
    :class:`KspubError` when anything is wrong; the previous site then stays as it was. ``base_url``: the address
    the site is served from; when given, every URL in the JSON API and the feeds is absolute (KS913 if it is not
    an http(s) address).
    """
    from kspub.publish.api_contract import check_base_url
    from kspub.repository import committed_tree

    base_url = check_base_url(base_url)
    with committed_tree(root) as tree:
        return _build_from(root, tree, as_of=as_of, out=out, progress=progress, cache=cache, observer=observer,
                           previous=previous, first_publication=first_publication, base_url=base_url)  # fmt: skip


def _build_from(
    root: Path,
    tree: Path,
    *,
    as_of: date | None,
    out: Path | None,
    progress: bool,
    cache: bool,
    observer: Observer | None,
    previous: str | Path | None,
    first_publication: bool,
    base_url: str = "",
) -> BuildResult:
    """:func:`build` with the committed tree of HEAD extracted into ``tree``: agreements, ``sla/``, ``calendar/``
    and ``mkdocs.yml`` are read from there, never from the working tree."""
    root = root.resolve()
    out = (out if out is not None else root / "build").resolve()
    if cache or workers() < 2:
        return _build_with(root, tree, out, out / CACHE_DIR if cache else None, as_of=as_of, progress=progress,
                           cache=cache, observer=observer, previous=previous, first_publication=first_publication,
                           base_url=base_url)  # fmt: skip
    # no cache asked for, but the work on every core meets in one: a scratch cache, removed after the build
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"{_SCRATCH}{os.getpid()}-", dir=out))
    try:
        result = _build_with(root, tree, out, scratch, as_of=as_of, progress=progress, cache=cache,
                             observer=observer, previous=previous, first_publication=first_publication,
                             base_url=base_url)  # fmt: skip
    finally:
        _discard(scratch, out)  # tens of thousands of entries at scale: removed in the background, as a swapped-out site
    # what the workers left for this build to read is no cache: nothing came from an earlier build
    return replace(result, cache_hits=0, cache_misses=0, cache_missed={})


def _build_with(
    root: Path,
    tree: Path,
    out: Path,
    store_folder: Path | None,
    *,
    as_of: date | None,
    progress: bool,
    cache: bool,
    observer: Observer | None,
    previous: str | Path | None,
    first_publication: bool,
    base_url: str,
) -> BuildResult:
    """:func:`_build_from` with its cache in ``store_folder`` (the build cache, a scratch one, or none)."""
    as_of = as_of if as_of is not None else today_in_shanghai()
    config_file = tree / CONFIG_FILE
    if not config_file.is_file():
        raise KspubError("KS921", f"找不到网站配置 {CONFIG_FILE}（当前提交中没有）", path=CONFIG_FILE,
                         hint="网站配置应放在仓库根目录并提交")  # fmt: skip
    phases = Phases(show=progress, observer=observer)
    store = Cache(store_folder, lasting=cache)  # no cache asked for: a scratch one, for this build alone

    from kspub.publish.incremental import collect_cached

    snapshot = collect_cached(root, as_of, cache=store, phases=phases, tree=tree)
    from kspub.publish.previous import guard

    # never publish less than was published: the deployed site when given, else the last local build
    guard(snapshot, previous if previous is not None else out / "site", first_publication=first_publication)
    out.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING}{os.getpid()}-", dir=out))
    epoch = _source_date_epoch(snapshot)
    try:
        site_key = _site_key(snapshot, config_file, base_url, epoch, staging) if cache else ""
    except BaseException:  # a configuration mkdocs refuses: nothing of this build is left behind
        shutil.rmtree(staging, ignore_errors=True)
        raise
    live = _Live(out)
    if cache:
        carried = _carry_over(live, staging, store, site_key, phases)
        if carried is not None:
            return replace(carried, as_of=as_of, cache_hits=store.hits, cache_misses=store.misses,
                           cache_missed=dict(sorted(store.missed.items())), timings=dict(phases.timings),
                           warnings=snapshot.warnings)  # fmt: skip
    published, older = links.Published(), None
    if cache and live.generation is not None:  # both links into one build kspub made
        with phases.run("published"):  # which files of the published build this one may link (kspub/publish/links.py)
            published = links.checked(live.folders, live.manifests(), _published_record(store, out))
        # checked: the build it replaced, kept while the two shared files, can go now (before this build records)
        older = _discard_previous(live.generation, out)
    api: _ApiWriter | None = None
    # The snapshot stays alive while mkdocs creates millions of short-lived objects; frozen, the collector stops
    # traversing it on every full collection (mkdocs otherwise runs markedly slower here than on its own).
    gc.freeze()
    try:
        docs, site = staging / "docs", staging / "site"
        with phases.run("render"):  # with the comparisons the API and the pages share, computed on every core
            from kspub.publish.api import api_tasks
            from kspub.publish.search import agreement_search_tasks, load_segmenter

            load_segmenter()  # before any worker is forked: shared by all of them, not loaded by each
            shared = api_tasks(snapshot, store)

            def ahead(agreement: PublishedAgreement) -> list[Task]:  # the search's segmentation besides
                return [*shared[agreement.id], *agreement_search_tasks(agreement)]

            rendered = render_site(snapshot, store, docs, published, ahead)  # written (or linked) one agreement at a time
            _write_docs(docs, rendered, published)
        from kspub import memo

        memo.clear()  # the comparisons are done: what the text functions remember is let go before forking again
        with phases.run("mkdocs", total=len(rendered.digests)) as advance:
            # without the cache, pages rendered in parallel still meet in the scratch one; in one process, mkdocs
            # renders every page itself
            page_store = store if store.folder is not None else None
            # The API needs the snapshot only: it is written by a second process while this one assembles the site
            # and its search index, after the workers rendering the pages are done (a forked process soon holds a
            # copy of most of what it reads: one more beside them would add that much to the peak).
            def start_api() -> None:
                nonlocal api
                api = _ApiWriter.start(snapshot, staging / "api", base_url, store, published)

            pages = _render_pages(config_file, docs, site, rendered, epoch, advance, page_store, staging, start_api,
                                  published)  # fmt: skip
        with phases.run("search"):
            from kspub.publish.search import add_clause_entries, fix_query_segmentation

            search_entries = add_clause_entries(site, snapshot, store)
            search_fixed = fix_query_segmentation(site)
        with phases.run("api"):
            assert api is not None
            # what mkdocs left is garbage now: given back before waiting, while the API's processes are at work
            gc.collect()
            release_free_memory()
            api_files = api.finish(site, store)
        with phases.run("check"):
            _check_site(site, rendered, pages.found)
            files = sum(len(names) for _, _, names in os.walk(site))
        result = BuildResult(
            site=out / "site",
            docs=out / "docs",
            as_of=as_of,
            pages=len(rendered.digests),
            files=files,
            api_files=api_files,
            search_entries=search_entries,
            search_fixed=search_fixed,
            cache_hits=store.hits,
            cache_misses=store.misses,
            cache_missed=dict(sorted(store.missed.items())),
            pages_rendered=pages.rendered,
            workers=pages.workers,
            nav=rendered.nav,
            warnings=snapshot.warnings,
        )
        if cache:
            with phases.run("record"):  # what a rebuild may carry over (_carry_over) or link (kspub/publish/links.py)
                if older is not None:  # removing them moves the change times of files this build links too
                    older.wait()
                fingerprints = _fingerprints(rendered, pages, api.fingerprints if api is not None else {})
                store.put(_SITE, site_key, {"docs": tree_manifest(docs), "site": tree_manifest(site), "result": result,
                                            "fingerprints": fingerprints})  # fmt: skip
                store.put(_SITE, _published_key(out), site_key)
        with phases.run("swap"):
            _swap(staging, out, keep_previous=published.count > 0)
            # the previous site is now inside the staging directory: it is deleted in the background
            _discard(staging, out)
        store.prune()
    finally:
        if api is not None:
            api.stop()
        shutil.rmtree(staging, ignore_errors=True)  # after a failure: the partial build
        if older is not None:
            older.wait()
        gc.unfreeze()
    return replace(result, timings=dict(phases.timings), files_linked=published.count)


_SITE = "site"


def _site_key(snapshot: Snapshot, config_file: Path, base_url: str, epoch: str, staging: Path) -> str:
    """Everything the whole output depends on: what the snapshot shows (:func:`site_inputs_key`), the site
    configuration, the address, the build time, and the code and library versions (in every key)."""
    from kspub.publish.reuse import environment_key
    from kspub.publish.site import site_inputs_key

    with _environment(epoch):
        (staging / "docs").mkdir(exist_ok=True)
        config = mkdocs_config(config_file, staging / "docs", staging / "site", [])
        environment = environment_key(config_file, config, [])
    return key(_SITE, site_inputs_key(snapshot), environment, base_url, epoch)


def tree_manifest(folder: Path) -> dict[str, tuple[int, ...]]:
    """Everything below ``folder`` by its relative path: a file by its size, modification and change times (ns)
    and inode; a folder by its presence; anything else (a link, a pipe) by a value no build records. A file
    written again or changed in place, even to the same size and with its modification time put back, moves its
    change time (which no one can set); one replaced by another file changes its inode. (Content hashes of the
    whole site took seconds at scale; the build cache itself is trusted as kspub wrote it, see decision 0506.)"""
    out: dict[str, tuple[int, ...]] = {}
    folders = [(str(folder), "")]
    while folders:  # os.scandir: the same entries as Path.rglob("*"), at a fraction of its cost at scale
        path, prefix = folders.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                rel = prefix + entry.name
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode):
                    out[rel] = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
                elif stat.S_ISDIR(info.st_mode):
                    out[rel] = (0,)
                    folders.append((entry.path, rel + "/"))
                else:
                    out[rel] = (-1,)  # never in a build: no match
    return out


class _Live:
    """The published build in ``out``: its folders (when ``docs`` and ``site`` are links to folders), the one
    directory under ``.sites`` both point into (None when they point elsewhere or into two), and their manifests,
    taken once."""

    def __init__(self, out: Path) -> None:
        self.out = out
        current = {name: out / name for name in _LINKS}
        self.folders: dict[str, Path] = {}
        self.generation: Path | None = None
        if all(p.is_symlink() and p.is_dir() for p in current.values()):
            self.folders = {name: p.resolve() for name, p in current.items()}
            generations = {_generation(p) for p in current.values()}
            self.generation = generations.pop() if len(generations) == 1 else None
        self._manifests: dict[str, dict[str, tuple[int, ...]]] | None = None

    def manifests(self) -> dict[str, dict[str, tuple[int, ...]]]:
        if self._manifests is None:
            self._manifests = {name: tree_manifest(folder) for name, folder in self.folders.items()}
        return self._manifests


def _published_key(out: Path) -> str:
    """The cache entry naming the site key of the build last published into ``out``."""
    return key("published", str(out))


def _published_record(store: Cache, out: Path) -> Any:
    """What the build last published into ``out`` recorded (read without counting: it is no result reused)."""
    site_key = store.get(_SITE, _published_key(out), count=False)
    return store.get(_SITE, site_key, count=False) if isinstance(site_key, str) else None


def _carry_over(live: _Live, staging: Path, store: Cache, site_key: str, phases: Phases) -> BuildResult | None:
    """The whole previous build, when its inputs were exactly these (same snapshot, configuration, address,
    build time and code) and everything in it is as it wrote it (:func:`tree_manifest` checked against what the
    build recorded): it stays published as it is, nothing is written (a new link to its files would move their
    change times, and the record would no longer hold for the next build). None when anything differs; the build
    then proceeds as usual."""
    entry = store.get(_SITE, site_key)
    if not isinstance(entry, dict) or not live.folders:
        return None
    with phases.run("carry"):
        for name, manifest in live.manifests().items():
            if manifest != entry.get(name):
                return None  # changed since it was built (by hand?): built again
    shutil.rmtree(staging, ignore_errors=True)
    # nothing is pruned: the entries the previous build used are still the ones the next change needs
    result: BuildResult = entry["result"]
    return replace(result, site=live.out / "site", docs=live.out / "docs", pages_rendered=0, workers=1)


def _fingerprints(rendered: RenderedSite, pages: PageReuse, api: Mapping[str, str]) -> links.Fingerprints:
    """The fingerprint of every file this build wrote or linked whose content it knows (kspub/publish/links.py):
    the generated Markdown and files, the pages by their keys, the copies mkdocs made of the files, the API."""
    out = links.empty_fingerprints()
    out["docs"].update(rendered.fingerprints)
    out["site"].update((pages.dest_of(src), links.page(k)) for src, k in pages.keys.items() if pages.dest_of is not None)
    out["site"].update((rel, rendered.fingerprints[rel]) for rel in _static(rendered))
    out["site"].update(api)
    return out


def _source_date_epoch(snapshot: Snapshot) -> str:
    """SOURCE_DATE_EPOCH for mkdocs (sitemap dates, gzip header): the caller's, else the snapshot's build time."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given:
        return given
    return str(int(datetime.fromisoformat(snapshot.built_at).timestamp()))


def _write_docs(docs: Path, rendered: RenderedSite, published: links.Published | None = None) -> None:
    """What :func:`render_site` kept in memory (everything, when it was given no folder), and kspub's assets."""
    rendered.docs = docs
    rendered.flush()
    assets = resources.files("kspub.publish").joinpath("assets")
    (docs / "assets").mkdir(parents=True, exist_ok=True)
    for name in ASSETS:
        data, rel = assets.joinpath(name).read_bytes(), f"assets/{name}"
        rendered.fingerprints[rel] = links.content(data)
        if not (published or links.Published()).link("docs", rel, rendered.fingerprints[rel], docs / rel):
            links.write_new(docs / rel, data)


def _static(rendered: RenderedSite) -> list[str]:
    """The generated files mkdocs copies into the site as they are (the Word redlines, kspub's assets)."""
    return sorted(rel for rel in rendered.fingerprints if rel not in rendered.digests)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _environment(epoch: str) -> Iterator[_Collect]:
    """mkdocs reads SOURCE_DATE_EPOCH from the environment and logs through ``logging``: both are set for the
    duration of the run and restored after, and its warnings are collected instead of printed."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    saved_propagate, saved_level = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    import jieba  # the theme's search plugin segments with it; its dictionary banner is not for our users
    from mkdocs.exceptions import MkDocsException

    jieba.setLogLevel(logging.WARNING)
    try:
        yield handler
    except MkDocsException as exc:  # its Abort is a SystemExit: never let it end kspub with mkdocs' English line
        raise _mkdocs_error(handler, exc) from exc
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = saved_propagate, saved_level
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _mkdocs_error(log: _Collect, exc: BaseException) -> KspubError:
    details = "；".join(log.messages[:5]) or str(exc)
    return KspubError("KS922", f"mkdocs 未能生成网站：{details}", hint="旧网站保持不变；请检查 mkdocs.yml 与上面的提示")


_DIRTY_NOTICE = "A 'dirty' build is being performed"


class _DropDirtyNotice(logging.Filter):
    """mkdocs warns that a "dirty" build may leave navigation stale: true of its own use (pages skipped by file
    time alone), not of kspub's, where a page is skipped only when its stored HTML, keyed by everything it
    depends on, has been written. Under ``strict`` that warning would fail the build."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_DIRTY_NOTICE)


@contextmanager
def _quiet_dirty_notice() -> Iterator[None]:
    logger, dropped = logging.getLogger("mkdocs.commands.build"), _DropDirtyNotice()
    logger.addFilter(dropped)
    try:
        yield
    finally:
        logger.removeFilter(dropped)


THEME_OVERRIDES = Path(__file__).parent / "theme"
"""Templates kspub lays over the theme's (``404.html``)."""


def mkdocs_config(config_file: Path, docs: Path, site: Path, nav: list[dict[str, Any]]) -> Any:
    """The repository's mkdocs.yml with the generated pages, their navigation and the staging directories."""
    from mkdocs.config import load_config

    config = load_config(config_file=str(config_file), docs_dir=str(docs), site_dir=str(site), nav=nav, strict=True)
    # kspub's own templates (the 404 page in Chinese) take precedence over the theme's, after any custom_dir
    at = 1 if config.theme.custom_dir else 0
    config.theme.dirs.insert(at, str(THEME_OVERRIDES))
    from kspub.publish.rawhtml import RawBlocks

    # kspub's own raw HTML blocks are not parsed again to find where they end (same HTML, decision record 0508)
    config.markdown_extensions.append(RawBlocks())
    return config


#: Pages to render below which a build does not start workers (forking costs more than it saves).
PARALLEL_MIN = 64


def page_keys_of(config_file: Path, docs: Path, site: Path, rendered: RenderedSite) -> dict[str, str]:
    """Every generated page's key (:func:`kspub.publish.reuse.page_keys`) under this configuration."""
    return _keys_and_places(config_file, docs, site, rendered)[0]


def _keys_and_places(
    config_file: Path, docs: Path, site: Path, rendered: RenderedSite
) -> tuple[dict[str, str], Callable[[str], str]]:
    """:func:`page_keys_of`, and where mkdocs writes each page (source path → path in the site)."""
    from mkdocs.structure.files import File

    from kspub.publish.reuse import environment_key, page_keys

    config = mkdocs_config(config_file, docs, site, rendered.nav)
    docs_files = [*rendered.names, *(f"assets/{name}" for name in ASSETS)]
    keys = page_keys(rendered.digests, docs_files, environment_key(config_file, config, rendered.nav))

    def dest_of(src: str) -> str:
        return str(File(src, str(docs), str(site), config.use_directory_urls).dest_uri)

    return keys, dest_of


def _gather(shares: list[tuple[frozenset[str], Path]], site: Path, dest_of: Callable[[str], str]) -> set[str]:
    """Move the pages each worker rendered from its own output into ``site`` (each as its worker wrote it, the
    HTML it stored in the cache): the run that assembles the site then neither reads nor writes them again.
    Returns the pages moved."""
    moved: set[str] = set()
    folders: set[Path] = set()
    for share, output in shares:
        for src in share:
            dest = dest_of(src)
            target = site / dest
            make_folder(target, folders)
            try:
                os.rename(output / dest, target)
            except FileNotFoundError:
                continue  # not written (a stored page found meanwhile): assembled as any other
            moved.add(src)
    return moved


def _render_pages(
    config_file: Path, docs: Path, site: Path, rendered: RenderedSite, epoch: str, advance: Any,
    store: Cache | None, staging: Path, then: Callable[[], None] = lambda: None,
    published: links.Published | None = None,
) -> PageReuse:
    """The pages through mkdocs: those not in the cache rendered in shares by one forked worker per core, each
    storing its pages in the cache and writing them, whence they are moved into ``site``; then one run assembles
    the whole site, the other pages from the cache or linked from the published build (decision records 0506,
    0509).
    ``then`` is called before that run (once the workers are done)."""
    from kspub.publish.reuse import missing, shards

    if store is None:  # mkdocs alone, every page rendered here
        then()
        result = _run_mkdocs(config_file, docs, site, rendered.nav, epoch, advance)
        result.rendered = len(result.fresh)
        return result
    with _environment(epoch):
        keys, dest_of = _keys_and_places(config_file, docs, site, rendered)
    todo = missing(store, keys)
    moved: set[str] = set()
    given: list[Path] = []
    count = min(workers(), len(todo) // (PARALLEL_MIN // 2) or 1)
    import multiprocessing

    if count > 1 and len(todo) >= PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods():
        release_free_memory()
        context = multiprocessing.get_context("fork")
        running = []
        shares = [(share, staging / f"shard-{i}") for i, share in enumerate(shards(todo, count))]
        for share, output in shares:
            reader, writer = context.Pipe(duplex=False)
            args = (config_file, docs, output, rendered.nav, epoch, store, keys, share, writer)
            process = context.Process(target=_render_share, args=args, daemon=True)
            process.start()
            writer.close()
            running.append((process, reader))
        failure: dict[str, Any] | None = None
        for process, reader in running:
            try:
                message: dict[str, Any] = reader.recv()
            except EOFError:
                message = {"ok": False, "code": "KS922", "message": "生成网页的进程意外退出", "hint": "旧网站保持不变"}
            process.join()
            reader.close()
            if not message["ok"] and failure is None:
                failure = message
        if failure is not None:
            raise KspubError(failure["code"], failure["message"], path=failure.get("path"), hint=failure.get("hint"))
        from kspub.publish.search import unload_segmenter

        unload_segmenter()  # every page is rendered: the API's process, forked next, need not share the dictionary
        moved = _gather(shares, site, dest_of)
        given = [_results_file(output) for _, output in shares]
    else:
        count = 1
    then()
    copies = {rel: rendered.fingerprints[rel] for rel in _static(rendered)}
    result = _run_mkdocs(config_file, docs, site, rendered.nav, epoch, advance, store, keys, published=published,
                         copies=copies, written=moved, given=given)  # fmt: skip
    result.rendered, result.workers = max(len(todo), len(result.fresh)), count
    return result


def _render_share(
    config_file: Path, docs: Path, site: Path, nav: list[dict[str, Any]], epoch: str, store: Cache,
    keys: Mapping[str, str], share: frozenset[str], conn: Any,
) -> None:
    """A worker of :func:`_render_pages`: renders ``share`` into the cache and into ``site``, whence its pages
    are moved into the build's site (the rest of its output is discarded)."""
    try:
        if store.lasting:
            _run_mkdocs(config_file, docs, site, nav, epoch, lambda _n: None, store, keys, share)
        else:  # what a scratch cache does not keep of the pages, the build reads from one file
            with _results_file(site).open("wb") as handover:
                _run_mkdocs(config_file, docs, site, nav, epoch, lambda _n: None, store, keys, share,
                            handover=handover)  # fmt: skip
        conn.send({"ok": True})
    except KspubError as exc:
        conn.send({"ok": False, **exc.to_dict()})
    except BaseException as exc:  # noqa: BLE001 - whatever happened must reach the parent, which fails the build
        conn.send({"ok": False, "code": "KS922", "message": f"生成网页时出错：{exc!r}", "hint": "旧网站保持不变"})
    finally:
        conn.close()


def _results_file(output: Path) -> Path:
    """Where a worker rendering a share of the pages into ``output`` leaves their results (see _render_share)."""
    return output.with_name(f"{output.name}.pages")


def _results(files: Sequence[Path]) -> dict[str, RenderedPage]:
    """The pages' results the workers left (none where a file is missing or unreadable: those pages are then
    looked up in the cache, and rendered again if not found)."""
    out: dict[str, RenderedPage] = {}
    for path in files:
        found: dict[str, RenderedPage] = {}
        with suppress(Exception), path.open("rb") as f:
            while f.peek(1):
                src, page = pickle.load(f)  # noqa: S301 - written by this build's own worker into its staging folder
                found[src] = page
            out.update(found)  # a file read to its end, not a part of one
    return out


def _run_mkdocs(
    config_file: Path,
    docs: Path,
    site: Path,
    nav: list[dict[str, Any]],
    epoch: str,
    advance: Any,
    store: Cache | None = None,
    keys: Mapping[str, str] | None = None,
    render: frozenset[str] | None = None,
    *,
    published: links.Published | None = None,
    copies: Mapping[str, str] | None = None,
    written: set[str] | None = None,
    given: Sequence[Path] = (),
    handover: BinaryIO | None = None,
) -> PageReuse:
    """Run mkdocs; returns what it rendered and reused, with the anchor problems found in the pages it wrote.

    ``store``: the build cache, from which unchanged pages are carried over and into which rendered pages are
    stored under ``keys`` (:mod:`kspub.publish.reuse`, :func:`page_keys_of`); None renders every page.
    ``render``: the only pages to render when not stored, the others are left out of the output (one share of
    a parallel build). ``published``: the published build, whose unchanged pages are linked rather than written,
    and whose copies of the generated files ``copies`` (docs-relative path → fingerprint) too, where their source
    was linked (mkdocs then finds each copy no older than its source and copies nothing). ``written``: pages
    already in place in ``site``, as stored in the cache (moved there from the workers' output); ``given``: the
    files in which the workers handed over their results (what a scratch cache does not keep), read here, once
    the API's process is forked (its memory is not shared with it); ``handover``: the file a worker writes them
    to, each as soon as it is rendered (:attr:`PageReuse.handover`).
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException
    from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

    from kspub.publish.csp import with_policy
    with _environment(epoch) as log:
        try:
            config = mkdocs_config(config_file, docs, site, nav)
            reuse = PageReuse(store or Cache(None), keys or {}, render, anchor_problems, published=published,
                              in_place=written or set(), given=_results(given), handover=handover)  # fmt: skip
            # One share of a parallel build (its output is discarded): a page's text is let go once it is no longer
            # needed, since mkdocs would otherwise hold every page's Markdown and HTML to the end of its run.
            share = render is not None

            class Watch(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
                """Carries unchanged pages over (:mod:`kspub.publish.reuse`), checks each page's anchors while its
                HTML is in memory, gives it its Content-Security-Policy, and advances the progress display."""

                search: Any = None
                order: list[str] = []

                def on_config(self, config: Any, **kwargs: Any) -> Any:
                    self.search = next((p for p in config.plugins.values() if hasattr(p, "search_index")), None)
                    return config

                def on_files(self, files: Any, config: Any, **kwargs: Any) -> Any:
                    reuse.unchanged(files)
                    return files

                def on_env(self, env: Any, config: Any, files: Any, **kwargs: Any) -> Any:
                    # once mkdocs knows what it copies (exclude_docs, draft_docs): a linked copy it copies is not
                    # copied again, one it leaves out is removed; any other copy goes to a new file
                    for rel in copies or {}:
                        file = files.get_file_from_path(rel)
                        if rel in linked_copies and file is not None and file.inclusion.is_included():
                            file.copy_file = _copied
                        else:
                            (site / rel).unlink(missing_ok=True)
                    self.order = [f.src_uri for f in files.documentation_pages()]
                    reuse.restore(files)
                    advance(len(reuse.reused))
                    return env

                def on_page_markdown(self, markdown: str, page: Any, **kwargs: Any) -> str:
                    return reuse.on_page_markdown(markdown, page)

                @event_priority(-100)
                def on_page_content(self, html: str, page: Any, **kwargs: Any) -> str:
                    if share:  # converted: its Markdown is not read again ("" keeps mkdocs' title rules as they are)
                        page.markdown = ""
                    return html


                @event_priority(100)
                def _before_search(self, context: Any, /, page: Any, **kwargs: Any) -> Any:
                    reuse.before_search(self.search)
                    return context

                @event_priority(-100)
                def _after_search(self, context: Any, /, page: Any, **kwargs: Any) -> Any:
                    reuse.after_search(self.search, page)
                    return context

                on_page_context = CombinedEvent(_before_search, _after_search)

                @event_priority(-100)
                def on_post_page(self, output: str, page: Any, **kwargs: Any) -> str:
                    advance(1)
                    if reuse.stubbed(page.file.src_uri):
                        return reuse.on_post_page(output, page)
                    output = reuse.on_post_page(with_policy(name_dialogs(output)), page)
                    if share:  # stored: no other page shows its body
                        page.content = ""
                    return output

                def on_post_template(self, output_content: str, template_name: str, **kwargs: Any) -> str:
                    return with_policy(name_dialogs(output_content)) if template_name.endswith(".html") else output_content

                @event_priority(100)  # before the search plugin writes its index
                def on_post_build(self, config: Any, **kwargs: Any) -> None:
                    if self.search is not None and share:  # its pages' entries are stored; this output is discarded
                        self.search.search_index.entries = []
                    elif self.search is not None and (reuse.reused or reuse.skipped):
                        self.search.search_index.entries = reuse.search_entries(self.order)

            config.plugins["kspub-watch"] = Watch()
            from mkdocs.structure.files import File

            def dest_of(src: str) -> str:
                return File(src, str(docs), str(site), config.use_directory_urls).dest_uri

            linked_copies = _link_copies(site, published, copies or {})
            if reuse.prepare(site, dest_of) or linked_copies or share:
                with _quiet_dirty_notice():
                    mkdocs_build(config, dirty=True)  # the pages written in prepare() are neither read nor rendered
            else:
                mkdocs_build(config)
            reuse.written()
            return reuse
        except (MkDocsException, OSError) as exc:
            raise _mkdocs_error(log, exc) from exc


def _link_copies(site: Path, published: links.Published | None, copies: Mapping[str, str]) -> set[str]:
    """Link the published copies of generated files whose source was linked (see :func:`_run_mkdocs`); returns
    those linked."""
    done: set[str] = set()
    if published is None:
        return done
    folders: set[Path] = set()
    for rel, fingerprint in copies.items():
        if published.is_linked("docs", rel):
            path = site / rel
            make_folder(path, folders)
            if published.link("site", rel, fingerprint, path):
                done.add(rel)
    return done


def _copied(dirty: bool = False) -> None:
    """Stands in for ``File.copy_file`` of a file whose copy is linked from the published build."""


def _write_api(
    snapshot: Snapshot, site: Path, base_url: str = "", cache: Cache | None = None,
    published: links.Published | None = None, fingerprints: dict[str, str] | None = None,
) -> list[Path]:  # fmt: skip
    return write_api(snapshot, site, base_url=base_url, cache=cache, published=published, fingerprints=fingerprints,
                     helpers=workers())  # fmt: skip


def _api_child(
    snapshot: Snapshot, folder: Path, conn: Any, base_url: str = "", cache: Cache | None = None,
    published: links.Published | None = None,
) -> None:  # fmt: skip
    try:
        store = cache if cache is not None else Cache(None)
        store.hits, store.misses, store.missed, store.used = 0, 0, {}, set()  # this process's own, for the parent
        fingerprints: dict[str, str] = {}
        files = len(_write_api(snapshot, folder, base_url, store, published, fingerprints))
        # The cache entries it used go through a file: thousands of paths would fill the pipe, and a send that
        # waits for the parent to read kept this process, and all it holds, alive until the API phase. So do the
        # fingerprints of the files it wrote, and what it linked.
        folder.mkdir(parents=True, exist_ok=True)
        _used_file(folder).write_text("\n".join(sorted(map(str, store.used))), "utf-8")
        _fingerprints_file(folder).write_text(
            "\n".join(f"{rel}\t{fp}\t{int(rel in (published or links.Published()).linked['site'])}"
                      for rel, fp in sorted(fingerprints.items())), "utf-8")  # fmt: skip
        conn.send({"ok": True, "files": files, "hits": store.hits, "missed": store.missed})
    except KspubError as exc:
        conn.send({"ok": False, **exc.to_dict()})
    except BaseException as exc:  # noqa: BLE001 - whatever happened must reach the parent, which fails the build
        conn.send({"ok": False, "code": "KS928", "message": f"写入 JSON API 时出错：{exc!r}", "hint": None})
    finally:
        conn.close()


def _used_file(folder: Path) -> Path:
    return folder / "cache-used.txt"


def _fingerprints_file(folder: Path) -> Path:
    return folder / "fingerprints.txt"


class _ApiWriter:
    """The JSON API written by a forked process (the snapshot is shared, not copied); where fork is not
    available it is written in this process. Either way :meth:`finish` returns only once it is complete."""

    def __init__(self, folder: Path, process: Any = None, conn: Any = None, files: int = 0,
                 published: links.Published | None = None) -> None:  # fmt: skip
        self.folder, self.process, self.conn, self.files = folder, process, conn, files
        self.published = published
        self.fingerprints: dict[str, str] = {}
        """Site-relative path → fingerprint of every file of the API (kspub/publish/links.py)."""

    @classmethod
    def start(
        cls, snapshot: Snapshot, folder: Path, base_url: str = "", cache: Cache | None = None,
        published: links.Published | None = None,
    ) -> _ApiWriter:  # fmt: skip
        import multiprocessing

        if "fork" not in multiprocessing.get_all_start_methods():
            here = cls(folder, published=published)
            here.files = len(_write_api(snapshot, folder, base_url, cache, published, here.fingerprints))
            return here
        release_free_memory()
        context = multiprocessing.get_context("fork")
        reader, writer = context.Pipe(duplex=False)
        args = (snapshot, folder, writer, base_url, cache, published)
        process = context.Process(target=_api_child, args=args, daemon=True)
        process.start()
        writer.close()
        return cls(folder, process, reader, published=published)

    def finish(self, site: Path, cache: Cache | None = None) -> int:
        """Wait for the API, then move it into the site."""
        if self.process is not None:
            try:
                message: dict[str, Any] = self.conn.recv()
            except EOFError:
                message = {"ok": False, "code": "KS928", "message": "写入 JSON API 的进程意外退出", "hint": None}
            self.process.join()
            if not message["ok"]:
                raise KspubError(message["code"], message["message"], path=message.get("path"), hint=message.get("hint"))
            self.files = int(message["files"])
            used = _used_file(self.folder)
            if cache is not None:  # the entries the writer used survive the parent's prune, and count in its figures
                cache.take_in((Path(p) for p in used.read_text("utf-8").splitlines()), message["hits"], message["missed"])
            used.unlink()
            listed = _fingerprints_file(self.folder)
            for line in listed.read_text("utf-8").splitlines():
                rel, fp, linked = line.split("\t")
                self.fingerprints[rel] = fp
                if linked == "1" and self.published is not None:
                    self.published.linked["site"].add(rel)
            listed.unlink()
        written = self.folder / "api"
        if written.exists():
            if (site / "api").exists():
                raise KspubError("KS923", "网站中已有 api/ 目录，与 JSON API 冲突", hint="旧网站保持不变")
            os.rename(written, site / "api")
        return self.files

    def stop(self) -> None:
        """Make sure no writer outlives the build (after a failure it may still be running)."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
        if self.process is not None:
            self.process.join()
            self.conn.close()


_UNNAMED_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


def name_dialogs(html: str) -> str:
    """The theme's search dialog has no accessible name; a screen reader announces it as 搜索."""
    return html.replace(_UNNAMED_SEARCH_DIALOG, _UNNAMED_SEARCH_DIALOG[:-1] + ' aria-label="搜索">', 1)


def anchor_problems(name: str, html: str) -> list[str]:
    """Anchors must be clause IDs (or the theme's own), never positional (``_1``) and never doubled."""
    problems = [f"{name} 含位置编号式锚点 id=\"{m.group(1)}\"" for m in _POSITIONAL_ID.finditer(html)]
    ids = _ANY_ID.findall(html)
    if len(ids) != len(set(ids)):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        problems.append(f"{name} 中的锚点重复：{'、'.join(twice[:5])}")
    return problems


def _check_site(site: Path, rendered: RenderedSite, problems: list[str]) -> None:
    """Last guards before the swap: the pages' anchor problems, and every API file a page links to exists."""
    problems = list(problems)
    for target in sorted(rendered.api_links):
        if not (site / target).is_file():
            problems.append(f"页面链接的 {target} 没有生成")
    if problems:
        raise KspubError(
            "KS923",
            f"生成的网站未通过检查（{len(problems)} 处）：{'；'.join(problems[:5])}",
            hint="旧网站保持不变；这是 kspub 的缺陷，请报告",
        )


def _swap(staging: Path, out: Path, *, keep_previous: bool = False) -> None:
    """Publish ``staging/docs`` and ``staging/site``: both move into a new directory ``out/.sites/<pid>-…``, then
    ``out/docs`` and ``out/site`` are pointed at them, each by a single rename of a new link over the old one, so
    that at every instant each is a complete tree, the previous one or the new one. What they showed before ends
    up inside ``staging``, for the caller to discard; with ``keep_previous`` (the new build links files of the
    previous one, which both links pointed into) that build's directory moves inside the new one instead
    (:data:`links.PREVIOUS`), to be removed by the next build once it has checked this one
    (kspub/publish/links.py)."""
    sites = out / _SITES
    sites.mkdir(exist_ok=True)
    generation = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=sites))
    previous: list[Path] = []
    try:
        for name in _LINKS:
            os.rename(staging / name, generation / name)
        for name in _LINKS:
            old = _point(out / name, generation / name, staging)
            if old is not None and old not in previous:
                previous.append(old)
    except BaseException:
        if generation not in _current(out):
            shutil.rmtree(generation, ignore_errors=True)  # never published: the old links still stand
        raise
    current = _current(out)
    for old in previous:
        if old not in current:
            kept = keep_previous and not os.path.lexists(generation / links.PREVIOUS)
            with suppress(FileNotFoundError):  # removed already (by hand, or by another build's clean-up)
                os.rename(old, generation / links.PREVIOUS if kept else staging / f"previous-{old.name}")


def _point(target: Path, new: Path, staging: Path) -> Path | None:
    """Make ``target`` a relative link to ``new`` in one step; returns the directory under ``.sites`` it pointed
    into before, if any. A real directory at ``target`` (the layout of earlier versions) cannot be replaced by a
    link in one rename: it is exchanged with the link by ``renameat2(RENAME_EXCHANGE)`` and so lands in
    ``staging``. Where the system has no such exchange it is renamed into ``staging`` first, which leaves one
    moment without ``target``, once per checkout; a kill at that moment is repaired by the next build
    (:func:`_remove_abandoned_staging` puts it back)."""
    link = staging / f"link-{target.name}"
    os.symlink(os.path.relpath(new, target.parent), link)
    if target.is_dir() and not target.is_symlink():
        if not _exchange(link, target):
            aside = staging / f"old-{target.name}"
            os.rename(target, aside)
            try:
                os.replace(link, target)
            except BaseException:
                os.rename(aside, target)  # put the previous one back: never leave no site at all
                raise
        return None
    previous = _generation(target)
    os.replace(link, target)
    return previous


def _generation(link: Path) -> Path | None:
    """The directory under ``.sites`` next to ``link`` that ``link`` points into, or None (not a link, or a link
    kspub did not make)."""
    if not link.is_symlink():
        return None
    destination = Path(os.path.normpath(link.parent / os.readlink(link)))
    generation = destination.parent
    return generation if generation.parent == link.parent / _SITES else None


def _current(out: Path) -> set[Path]:
    """The build directories ``out/docs`` and ``out/site`` point into: never deleted."""
    return {g for g in (_generation(out / name) for name in _LINKS) if g is not None}


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two paths in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False where the system or
    the file system does not offer it, and nothing has changed then."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without renameat2 (glibc before 2.28)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):  # a kernel or file system without the exchange
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _discard(folder: Path, out: Path) -> None:
    """Delete a folder without waiting: renamed aside at once, removed by a detached ``rm -rf``. Deleting the
    previous site (tens of thousands of files at scale) is the slowest part of a swap, and nothing waits for
    it; where no shell is available it is removed here and now. A folder already gone (another build removed
    it first) is no error."""
    trash = Path(tempfile.mkdtemp(prefix=f"{_TRASH}{os.getpid()}-", dir=out))
    try:
        os.rename(folder, trash / "old")
    except FileNotFoundError:
        trash.rmdir()
        return
    try:
        subprocess.run(["sh", "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "kspub-discard", str(trash)], check=True)
    except (OSError, subprocess.CalledProcessError):
        shutil.rmtree(trash, ignore_errors=True)


class _Removal:
    """A folder being removed by a process of its own (see :func:`_discard_previous`)."""

    def __init__(self, process: subprocess.Popen[bytes] | None) -> None:
        self.process = process

    def wait(self) -> None:
        if self.process is not None:
            self.process.wait()
            self.process = None


def _discard_previous(generation: Path | None, out: Path) -> _Removal | None:
    """Start removing the build that the published one replaced and kept (:data:`links.PREVIOUS`), if any; the
    caller waits for it before recording what it wrote: the removal moves the change times of the files the two
    builds shared, and so of files the caller links too."""
    kept = generation / links.PREVIOUS if generation is not None else None
    if kept is None or not kept.is_dir() or kept.is_symlink():
        return None
    trash = Path(tempfile.mkdtemp(prefix=f"{_TRASH}{os.getpid()}-", dir=out))
    try:
        os.rename(kept, trash / "old")
    except OSError:
        trash.rmdir()
        return None
    try:
        # a session of its own: an interrupt of the build (Ctrl-C) does not stop it halfway
        return _Removal(subprocess.Popen(["rm", "-rf", "--", str(trash)], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         start_new_session=True))  # fmt: skip
    except OSError:
        shutil.rmtree(trash, ignore_errors=True)
        return None


def _remove_abandoned_staging(out: Path) -> None:
    """What builds that were killed (their process is gone) left behind is removed: their staging directories
    (after putting back a site one of them had moved aside, see :func:`_point`), their build directories under
    ``.sites`` that ``docs`` and ``site`` do not point into, and deleted sites whose background removal did not
    finish. The directories ``docs`` and ``site`` point into are never touched."""
    for path in sorted(out.glob(f"{_STAGING}*")):
        if _abandoned(path.name[len(_STAGING) :]):
            for name in _LINKS:
                aside = path / f"old-{name}"
                if not os.path.lexists(out / name) and aside.is_dir():
                    with suppress(OSError):  # another build may have published one meanwhile
                        os.rename(aside, out / name)
            _discard(path, out)
    sites = out / _SITES
    current = _current(out)
    for path in sorted(sites.iterdir()) if sites.is_dir() else ():
        if path not in current and _abandoned(path.name):
            _discard(path, out)
    for prefix in (_TRASH, _SCRATCH):
        for path in sorted(out.glob(f"{prefix}*")):
            if _abandoned(path.name[len(prefix) :]):
                _discard(path, out)


def _abandoned(name: str) -> bool:
    """Whether a name ``<pid>-…`` belongs to a process that is gone."""
    pid = name.split("-", 1)[0]
    return pid.isdigit() and not _alive(int(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
