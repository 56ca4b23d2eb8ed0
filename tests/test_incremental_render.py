"""Incremental rendering (kspub/publish/reuse.py): a build that carries unchanged pages over from the cache writes
exactly the bytes a full build writes, whatever changed in between — and it does carry pages over."""

from __future__ import annotations

import pickle
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic_site import add_version, make_repository
from kspub.errors import KspubError
from kspub.publish.build import BuildResult, build

from .conftest import git
from .site_helpers import source_date_epoch, tree_digest

AS_OF = date(2022, 6, 1)  # version 4 of each agreement is upcoming, 3 in force
EPOCH = "1654012800"



def _build(repo: Path, out: Path, as_of: date, *, cache: bool = True, epoch: str = EPOCH) -> BuildResult:
    with source_date_epoch(epoch):
        return build(repo, as_of=as_of, out=out, progress=False, cache=cache, previous=out / "site")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three agreements × four versions, built once with the cache filled."""
    folder = tmp_path_factory.mktemp("incremental")
    repo = make_repository(folder / "repo", 3, 4)
    assert git(repo, "check-ignore", "build/site").strip() == "build/site"  # the build's output is never committed
    _build(repo, repo / "build", AS_OF)
    return repo


def _copy(repo: Path, into: Path) -> Path:
    target = into / "repo"
    shutil.copytree(repo, target, symlinks=True)
    return target


def _new_version(repo: Path, agreement: int, as_of: date) -> None:
    add_version(repo, agreement, as_of - timedelta(days=1), as_of + timedelta(days=45))


def _new_agreement(repo: Path, as_of: date) -> None:
    """A fourth agreement, its first version announced the day before."""
    add_version(repo, 4, as_of - timedelta(days=1), as_of + timedelta(days=45))


def _configuration(repo: Path) -> None:
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("site_description: ", "site_description: 【已更新】"), "utf-8")
    git(repo, "commit", "-q", "-am", "网站说明")


CHANGES = ("nothing", "version-1", "version-3", "agreement", "configuration", "next-day", "next-month", "epoch")


def _apply(repo: Path, change: str, as_of: date, epoch: str) -> tuple[date, str]:
    if change.startswith("version-"):
        _new_version(repo, int(change.split("-")[1]), as_of)
    elif change == "agreement":
        _new_agreement(repo, as_of)
    elif change == "configuration":
        _configuration(repo)
    elif change == "next-day":
        as_of += timedelta(days=1)
    elif change == "next-month":
        as_of += timedelta(days=31)  # versions come into force, pills and histories change
    elif change == "epoch":
        epoch = str(int(epoch) + 86400)
    return as_of, epoch


def _full(repo: Path, out: Path, as_of: date, epoch: str, monkeypatch: pytest.MonkeyPatch) -> BuildResult:
    """The reference: mkdocs renders every page in this process, nothing stored, nothing carried over."""
    with monkeypatch.context() as patch:
        patch.setenv("KSPUB_WORKERS", "1")
        full = _build(repo, out, as_of, cache=False, epoch=epoch)
    assert full.pages_rendered == full.pages
    return full


def _same_as_full(
    repo: Path, incremental: BuildResult, as_of: date, epoch: str, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = _full(repo, scratch / "full", as_of, epoch, monkeypatch)
    assert tree_digest(incremental.site) == tree_digest(full.site)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.sampled_from(CHANGES), min_size=1, max_size=3))
def test_incremental_build_is_byte_identical_to_a_full_build(
    built: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, changes: list[str]
) -> None:
    scratch = tmp_path_factory.mktemp("example")
    repo = _copy(built, scratch)
    as_of, epoch = AS_OF, EPOCH
    for change in changes:
        as_of, epoch = _apply(repo, change, as_of, epoch)
        result = _build(repo, repo / "build", as_of, epoch=epoch)
        if change in ("nothing", "epoch"):
            assert result.pages_rendered == 0, change  # nothing a page shows changed: every page carried over
    _same_as_full(repo, result, as_of, epoch, scratch, monkeypatch)


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_renders_only_what_it_must(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    repo = _copy(built, tmp_path)
    as_of, epoch = _apply(repo, change, AS_OF, EPOCH)
    result = _build(repo, repo / "build", as_of, epoch=epoch)
    if change in ("nothing", "epoch"):
        assert result.pages_rendered == 0
    elif change in ("version-1", "version-3"):
        # that agreement's pages, the home page and the list of changes: not the other agreements'
        assert 0 < result.pages_rendered < result.pages / 2, (result.pages_rendered, result.pages)
        assert result.cache_missed.get("page-html", 0) == 0
    else:  # a new agreement changes the navigation, the configuration every page: all are rendered again
        assert result.pages_rendered > 0
    if change in ("agreement", "configuration"):
        assert result.pages_rendered == result.pages
    _same_as_full(repo, result, as_of, epoch, tmp_path, monkeypatch)


def test_a_cold_build_on_every_core_is_the_same_as_one_in_a_single_process(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KSPUB_WORKERS", "2")
    monkeypatch.setattr("kspub.publish.build.PARALLEL_MIN", 4)  # the test corpus is small
    parallel = _build(built, tmp_path / "parallel", AS_OF, cache=False)
    assert parallel.workers == 2
    assert parallel.pages_rendered == parallel.pages
    assert not (tmp_path / "parallel" / ".cache").exists()  # no cache asked for, none left behind
    assert not list((tmp_path / "parallel").glob(".scratch-*"))
    assert tree_digest(parallel.site) == tree_digest(_full(built, tmp_path / "serial", AS_OF, EPOCH, monkeypatch).site)


def test_a_cold_build_without_cache_writes_only_what_it_reads_again(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the cache the workers meet in a scratch one, removed after the build: it holds no entry only a later
    build would read (Word redlines, bodies, pages' HTML and results, comparisons read again by the worker that made
    them), and a worker rendering a share of the pages writes nothing but that share (no copy of the files mkdocs
    copies, nothing for the pages of the other share); the site is still the same as one built in one process."""
    import kspub.publish.build as build_module

    monkeypatch.setenv("KSPUB_WORKERS", "2")
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 4)
    kinds: dict[str, int] = {}
    outputs: list[tuple[frozenset[str], list[str]]] = []
    discard, gather = build_module._discard, build_module._gather

    def seen_discard(folder: Path, out: Path) -> None:
        if folder.name.startswith(".scratch-"):
            for kind in (folder / "v1").iterdir():
                kinds[kind.name] = sum(1 for _ in kind.rglob("*.pickle"))
        discard(folder, out)

    def seen_gather(shares: list[tuple[frozenset[str], Path]], site: Path, dest_of: object) -> set[str]:
        for share, output in shares:
            outputs.append((share, sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())))
        return gather(shares, site, dest_of)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "_discard", seen_discard)
    monkeypatch.setattr(build_module, "_gather", seen_gather)
    parallel = _build(built, tmp_path / "parallel", AS_OF, cache=False)
    assert parallel.workers == 2
    assert kinds.keys() >= {"parse", "diff", "since", "notice", "agreement-pages"}, kinds  # what the build reads
    assert not kinds.keys() & {"docx", "body", "page-html", "page-meta", "compare"}, kinds
    assert len(outputs) == 2
    pages = {p.as_posix() for p in (tmp_path / "parallel" / "docs").rglob("*.md")}
    for share, written in outputs:
        assert share and not any(name.endswith((".docx", ".css", ".js", ".woff2", ".svg")) for name in written), written
        own = {name for name in written if name.endswith("index.html") and name != "index.html"}
        assert len(own) <= len(share) < len(pages) - 1  # the other share's pages are not there, not even empty
    assert tree_digest(parallel.site) == tree_digest(_full(built, tmp_path / "serial", AS_OF, EPOCH, monkeypatch).site)


def test_pages_whose_results_the_workers_did_not_hand_over_are_rendered_again(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build without cache reads what its workers rendered from the files they leave: one lost or damaged, the
    pages it held are rendered again, and the site is the same."""
    import kspub.publish.build as build_module

    monkeypatch.setenv("KSPUB_WORKERS", "2")
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 4)
    results = build_module._results

    def one_lost(files: list[Path]) -> dict[str, object]:
        if files:
            files[0].write_bytes(b"truncated")
        return results(files)  # type: ignore[return-value]

    monkeypatch.setattr(build_module, "_results", one_lost)
    parallel = _build(built, tmp_path / "parallel", AS_OF, cache=False)
    assert parallel.workers == 2
    assert tree_digest(parallel.site) == tree_digest(_full(built, tmp_path / "serial", AS_OF, EPOCH, monkeypatch).site)


def test_a_worker_that_fails_fails_the_build_and_keeps_the_site(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _copy(built, tmp_path)
    before = tree_digest(repo / "build" / "site")
    _apply(repo, "configuration", AS_OF, EPOCH)  # every page to render again, by two workers
    monkeypatch.setenv("KSPUB_WORKERS", "2")
    monkeypatch.setattr("kspub.publish.build.PARALLEL_MIN", 4)
    import kspub.publish.reuse as reuse

    real = reuse.PageReuse.on_post_page

    def broken(self: reuse.PageReuse, output: str, page: object) -> str:
        if self.render is not None:  # in a worker only
            raise RuntimeError("磁盘已满")
        return real(self, output, page)

    monkeypatch.setattr(reuse.PageReuse, "on_post_page", broken)
    with pytest.raises(KspubError) as failed:
        _build(repo, repo / "build", AS_OF)
    assert failed.value.code == "KS922" and "磁盘已满" in str(failed.value)
    assert tree_digest(repo / "build" / "site") == before


def _recorded_copy(built: Path, into: Path) -> Path:
    """A copy of the built repository whose build directory records its own files (a copied file is another
    file: the copy's first build is never carried over, the second may be)."""
    repo = _copy(built, into)
    first = _build(repo, repo / "build", AS_OF)
    assert "carry" in first.timings and "mkdocs" in first.timings  # looked, and found copies: built
    return repo


def test_a_rebuild_of_the_same_inputs_carries_the_whole_site_over(built: Path, tmp_path: Path) -> None:
    repo = _recorded_copy(built, tmp_path)
    before = tree_digest(repo / "build" / "site")
    docs = tree_digest(repo / "build" / "docs")
    published = (repo / "build" / "site").resolve()
    again = _build(repo, repo / "build", AS_OF)
    assert "carry" in again.timings and "mkdocs" not in again.timings and "render" not in again.timings
    assert again.pages_rendered == 0 and again.pages > 0 and again.api_files > 0
    assert tree_digest(again.site) == before and tree_digest(again.docs) == docs
    # the published build stays as it is: nothing written, so its record holds for the next build
    assert (repo / "build" / "site").is_symlink() and again.site.resolve() == published
    assert not list((repo / "build").glob(".staging-*"))
    assert _carried_over_again(repo)


def _carried_over_again(repo: Path) -> bool:
    again = _build(repo, repo / "build", AS_OF)
    return "carry" in again.timings and "mkdocs" not in again.timings


@pytest.mark.parametrize("where", ["site/index.html", "site/api/v1/index.json", "docs/index.md"])
def test_a_published_file_changed_by_hand_is_never_carried_over(built: Path, tmp_path: Path, where: str) -> None:
    repo = _recorded_copy(built, tmp_path)
    before = tree_digest(repo / "build" / "site")
    target = (repo / "build" / where).resolve()
    if where.endswith(".json"):  # still a document the previous-site guard reads
        import json

        target.write_text(json.dumps({**json.loads(target.read_text("utf-8")), "note": "手工修改"}), "utf-8")
    else:
        target.write_text(target.read_text("utf-8") + "<!-- 手工修改 -->", "utf-8")
    again = _build(repo, repo / "build", AS_OF)
    assert "carry" in again.timings and "mkdocs" in again.timings  # looked, found a difference, built
    assert tree_digest(again.site) == before
    assert "手工修改" not in (repo / "build" / where).read_text("utf-8")


@pytest.mark.parametrize("change", ["base-url", "epoch"])
def test_other_output_inputs_are_not_carried_over(built: Path, tmp_path: Path, change: str) -> None:
    repo = _copy(built, tmp_path)
    with source_date_epoch(str(int(EPOCH) + 86400) if change == "epoch" else EPOCH):
        again = build(repo, as_of=AS_OF, out=repo / "build", progress=False,
                      base_url="https://legal.example.com/" if change == "base-url" else "")  # fmt: skip
    assert "mkdocs" in again.timings and again.pages_rendered == 0  # every page from the cache, the rest built
    index = (again.site / "api" / "v1" / "index.json").read_text("utf-8")
    assert ("https://legal.example.com/" in index) == (change == "base-url")


def _html_entries(out: Path) -> list[Path]:
    return sorted((out / ".cache").rglob("page-html/*/*.pickle"))


def test_an_unreadable_page_in_the_cache_is_rendered_again(built: Path, tmp_path: Path) -> None:
    repo = _copy(built, tmp_path)
    before = tree_digest(repo / "build" / "site")
    entries = _html_entries(repo / "build")
    assert entries
    entries[0].write_bytes(b"\x80\x05truncated")
    later = str(int(EPOCH) + 86400)  # another build time: the whole site is not carried over, its pages are
    again = _build(repo, repo / "build", AS_OF, epoch=later)
    assert again.pages_rendered == 1  # the bad entry was dropped: that page alone is rendered again
    changed = {k for k, v in tree_digest(again.site).items() if before.get(k) != v}
    assert changed <= {"sitemap.xml", "sitemap.xml.gz"} | {k for k in before if k.startswith("api/")}
    assert entries[0].exists() and entries[0].read_bytes() != b"\x80\x05truncated"  # stored afresh


def test_a_stored_page_is_the_one_written(built: Path, tmp_path: Path) -> None:
    """The guarantee cuts both ways: what is carried over is the stored HTML, so a stored page that differed
    from what rendering gives would show — the byte-identity tests above are therefore not vacuous."""
    repo = _copy(built, tmp_path)
    entry = _html_entries(repo / "build")[0]
    html = pickle.loads(entry.read_bytes())
    entry.write_bytes(pickle.dumps(html.replace("</body>", "<!-- stored --></body>")))
    result = _build(repo, repo / "build", AS_OF, epoch=str(int(EPOCH) + 86400))
    assert result.pages_rendered == 0
    marked = [p for p in result.site.rglob("*.html") if "<!-- stored -->" in p.read_text("utf-8")]
    assert len(marked) == 1


# --- what a page's key covers (no build needed) ----------------------------------------------------------------


def test_a_page_key_covers_its_text_its_path_the_environment_and_its_link_targets() -> None:
    from kspub.publish.reuse import page_digest
    from kspub.publish.reuse import page_keys as keys_of_digests

    def page_keys(pages: dict[str, str], files: list[str], environment: str) -> dict[str, str]:
        return keys_of_digests({rel: page_digest(rel, text) for rel, text in pages.items()}, files, environment)

    pages = {"a/index.md": "见[第二版](../b/index.md#c1)与<a href=\"../c/\">C</a>。", "b/index.md": "B", "c/index.md": "C"}
    files = ["a/index.md", "b/index.md", "c/index.md", "x.docx"]
    keys = page_keys(pages, files, "env")
    assert len(set(keys.values())) == 3
    assert page_keys(pages, files, "env") == keys  # deterministic
    assert page_keys(pages, files, "other")["b/index.md"] != keys["b/index.md"]  # configuration, nav, code
    assert page_keys({**pages, "b/index.md": "B2"}, files, "env")["b/index.md"] != keys["b/index.md"]
    assert page_keys({**pages, "b/index.md": "B2"}, files, "env")["a/index.md"] == keys["a/index.md"]
    # a linked page that disappears changes the linking page's key (a full build would report the link) ...
    gone = {k: v for k, v in pages.items() if k != "c/index.md"}
    assert page_keys(gone, [f for f in files if f != "c/index.md"], "env")["a/index.md"] != keys["a/index.md"]
    # ... a file nobody links to does not
    assert page_keys(pages, [f for f in files if f != "x.docx"], "env")["a/index.md"] == keys["a/index.md"]
    # the same text at another path is another page
    moved = page_keys({"z/index.md": pages["b/index.md"]}, files, "env")
    assert moved["z/index.md"] != keys["b/index.md"]


def test_the_environment_key_covers_configuration_navigation_and_theme_folder(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from kspub.publish.reuse import environment_key

    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text("site_name: 甲\n", "utf-8")
    theme = tmp_path / "overrides"
    theme.mkdir()
    (theme / "main.html").write_text("{% extends 'base.html' %}", "utf-8")
    class Config(dict):  # type: ignore[type-arg]
        """What environment_key reads of mkdocs' configuration: the theme's custom_dir and the hooks."""

    config = Config(hooks={})
    config.theme = SimpleNamespace(custom_dir=str(theme))  # type: ignore[attr-defined]
    first = environment_key(config_file, config, [{"首页": "index.md"}])
    assert environment_key(config_file, config, [{"首页": "index.md"}]) == first
    assert environment_key(config_file, config, [{"主页": "index.md"}]) != first
    (theme / "main.html").write_text("{% extends 'base.html' %}{# 改 #}", "utf-8")
    second = environment_key(config_file, config, [{"首页": "index.md"}])
    assert second != first
    config_file.write_text("site_name: 乙\n", "utf-8")
    assert environment_key(config_file, config, [{"首页": "index.md"}]) != second
