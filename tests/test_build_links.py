"""The published build's unchanged files linked into the next build (``kspub/publish/links.py``), under attack.

A build that links writes the same bytes as a full build, never writes into a file it shares with the published
site (so a failed build leaves that site exactly as it was), never links a published file changed by hand — even
one changed in place with its size and modification time kept — and leaves one build behind it, not a chain.
The repository and the change are those of ``test_incremental_attacks.py``: ``demo`` 1.0 in force and 2.0
upcoming, ``other`` 1.0, the SLA catalogue; the change an editorial correction of ``demo`` 2.0."""

from __future__ import annotations

import errno
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kspub.errors import KspubError
from kspub.publish import build as build_module
from kspub.publish import links

from .record_helpers import Repo
from .site_helpers import tree_digest
from .test_incremental_attacks import (
    DEMO_1,
    DEMO_2,
    OTHER_1,
    _assert_same_as_full,
    _build,
    _carried_over,
    _page,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    repo = Repo.create(tmp_path_factory.mktemp("links") / "repo", sla=True)
    repo.publish("demo", DEMO_1, "示例协议 1.0")
    repo.publish("demo", DEMO_2, "示例协议 2.0")
    repo.publish("other", OTHER_1, "另一协议 1.0")
    _build(repo)
    return repo


@pytest.fixture
def repo(base: Repo, tmp_path: Path) -> Repo:
    """A copy whose first build wrote every file (a copied file is another file: nothing of the copy is linked)."""
    copy = base.copy(tmp_path / "repo")
    first = _build(copy)
    assert first.files_linked == 0 and first.pages_rendered == 0
    return copy


_corrections = 0


def _correct(repo: Repo) -> None:
    """An editorial correction of demo 2.0: demo's pages and documents change, other's do not."""
    global _corrections
    _corrections += 1
    text = (repo.path / "agreements" / "demo.md").read_text("utf-8")
    marks = ["，", ","]
    old = next(m for m in marks if f"收费前{m}" in text)
    new = marks[(marks.index(old) + 1) % len(marks)]
    corrected = text.replace(f"收费前{old}", f"收费前{new}")
    day = date(2026, 3, 10 + _corrections)  # each correction recorded in the text, on a day of its own
    entry = f"  - date: {day.isoformat()}\n    reason: 更正标点（第 {_corrections} 次）\n"
    if "corrections:\n" in corrected:
        corrected = corrected.replace("corrections:\n", "corrections:\n" + entry, 1)
    else:
        corrected = corrected.replace("---\n\n", f"corrections:\n{entry}---\n\n", 1)
    repo.write("demo", corrected)
    assert repo.release("demo", today=day).action == "correction"
    repo.commit(f"示例协议 2.0 勘误 {_corrections}")


def _files(site: Path) -> dict[str, os.stat_result]:
    root = site.resolve()
    return {p.relative_to(root).as_posix(): p.stat() for p in sorted(root.rglob("*")) if p.is_file()}


def _as_published(site: Path) -> dict[str, tuple[str, int]]:
    """Every published file's bytes (sha256) and modification time: what a failed build must leave alone."""
    root = site.resolve()
    digests = tree_digest(root)
    return {rel: (digests[rel], (root / rel).stat().st_mtime_ns) for rel in digests}


def test_a_change_to_one_agreement_links_the_files_of_the_others(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _files(repo.site)
    _correct(repo)
    result = _build(repo)
    after = _files(repo.site)
    linked = {rel for rel, st in after.items() if rel in before and st.st_ino == before[rel].st_ino}
    # the other agreement's page, document and Markdown source are the published files themselves
    for rel in ("other/index.html", "api/v1/agreements/other.json", "other/1.0/index.html"):
        assert rel in linked, rel
    assert (repo.path / "build" / "docs" / "other" / "index.md").stat().st_nlink == 2
    # what changed was written
    for rel in ("demo/2.0/index.html", "api/v1/agreements/demo.json", "sitemap.xml"):
        assert rel not in linked, rel
    others = {rel for rel in after if rel.startswith(("other/", "api/v1/agreements/other"))}
    assert len(others) > 5 and others <= linked  # every file of the agreement that did not change
    assert result.files_linked >= len(linked)
    assert "收费前," in _page(repo, "demo/2.0/index.html")
    _assert_same_as_full(repo, result, tmp_path, monkeypatch)


def test_no_file_is_written_into_one_it_shares_with_the_published_site(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when mkdocs takes every page and file for changed (it then renders and copies them all), it writes
    new files: the published site, which shares the linked ones, keeps every byte and time."""
    import shutil as shutil_module

    from mkdocs import utils
    from mkdocs.structure.files import File

    published = _as_published(repo.site)
    written_into: list[str] = []
    real_write, real_copy = utils.write_file, shutil_module.copyfile

    def write_file(content: bytes, output_path: str) -> None:
        if os.path.exists(output_path) and os.stat(output_path).st_nlink > 1:
            written_into.append(output_path)
        real_write(content, output_path)

    def copyfile(src: Any, dst: Any, **options: Any) -> Any:
        if os.path.exists(dst) and os.stat(dst).st_nlink > 1:
            written_into.append(str(dst))
        return real_copy(src, dst, **options)

    _correct(repo)
    with monkeypatch.context() as patch:
        patch.setattr(utils, "write_file", write_file)
        patch.setattr(shutil_module, "copyfile", copyfile)
        patch.setattr(File, "is_modified", lambda self: True)
        result = _build(repo)
    assert result.files_linked > 0 and written_into == []
    previous = next((repo.path / "build" / ".sites").glob(f"*/{links.PREVIOUS}/site"))
    assert _as_published(previous) == published
    _assert_same_as_full(repo, result, tmp_path, monkeypatch)


def _linked_page(repo: Repo, words: str) -> Path:
    """A published page shared with the build before it that shows ``words``."""
    root = repo.site.resolve()
    for page in sorted(root.rglob("*.html")):
        if page.stat().st_nlink > 1 and words.encode() in page.read_bytes():
            return page
    raise AssertionError(f"no linked page shows {words}")


def _edit_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    before = path.stat()
    data = path.read_bytes()
    edited = data.replace(old.encode(), new.encode(), 1)
    assert len(edited) == len(data) and edited != data
    path.write_bytes(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.parametrize("next_build", ["another change", "the same inputs"])
def test_a_linked_file_edited_by_hand_with_its_size_and_time_kept_is_not_published(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, next_build: str
) -> None:
    """The careful hand's edit (one character for another of the same length, the modification time put back)
    of a file the published build shares with the one before it: neither linked nor carried over."""
    _correct(repo)
    assert _build(repo).files_linked > 0
    page = _linked_page(repo, "另一协议")
    rel = page.relative_to(repo.site.resolve()).as_posix()
    _edit_keeping_size_and_time(page, "另一协议", "另二协议")
    if next_build == "another change":
        _correct(repo)
    result = _build(repo)
    assert not _carried_over(result) and result.files_linked > 0
    assert "另二协议" not in _page(repo, rel)
    _assert_same_as_full(repo, result, tmp_path, monkeypatch)


def test_an_api_file_edited_by_hand_is_not_linked(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _correct(repo)
    _build(repo)
    document = repo.site.resolve() / "api" / "v1" / "agreements" / "other.json"
    assert document.stat().st_nlink == 2  # shared with the build before
    _edit_keeping_size_and_time(document, "另一协议", "另二协议")
    _correct(repo)
    result = _build(repo)
    assert result.files_linked > 0 and "另二协议" not in (repo.site / "api/v1/agreements/other.json").read_text("utf-8")
    _assert_same_as_full(repo, result, tmp_path, monkeypatch)


def test_a_build_that_fails_after_linking_leaves_the_published_site_as_it_was(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = _as_published(repo.site)
    _correct(repo)
    linked: list[int] = []

    def failing_check(site: Path, rendered: Any, problems: list[str]) -> None:
        linked.append(sum(1 for p in site.rglob("*") if p.is_file() and p.stat().st_nlink > 1))
        raise KspubError("KS923", "生成的网站未通过检查（测试）")

    with monkeypatch.context() as patch:
        patch.setattr(build_module, "_check_site", failing_check)
        with pytest.raises(KspubError):
            _build(repo)
    assert linked and linked[0] > 0, "the failed build had linked files"
    assert _as_published(repo.site) == published
    result = _build(repo)
    assert "收费前," in _page(repo, "demo/2.0/index.html")
    _assert_same_as_full(repo, result, tmp_path, monkeypatch)


def test_one_build_is_kept_behind_the_published_one_never_a_chain(repo: Repo) -> None:
    out = repo.path / "build"
    for _ in range(3):
        _correct(repo)
        assert _build(repo).files_linked > 0
    deadline = time.monotonic() + 60
    while list(out.glob(".trash-*")):  # removed by a process of its own
        assert time.monotonic() < deadline, "the removal did not finish"
        time.sleep(0.02)
    (generation,) = (out / ".sites").iterdir()
    assert sorted(p.name for p in generation.iterdir()) == sorted(["docs", "site", links.PREVIOUS])
    assert sorted(p.name for p in (generation / links.PREVIOUS).iterdir()) == ["docs", "site"]


def test_a_file_system_that_refuses_links_gets_every_file_written(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **options: Any) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    _correct(repo)
    with monkeypatch.context() as patch:
        patch.setattr(os, "link", refuse)
        result = _build(repo)
    assert result.files_linked == 0
    assert not any((repo.path / "build" / ".sites").glob(f"*/{links.PREVIOUS}"))
    _assert_same_as_full(repo, result, tmp_path, monkeypatch)


def test_without_the_record_of_the_published_build_nothing_is_linked(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for record in (repo.path / "build" / ".cache").rglob("site/*/*.pickle"):
        record.unlink()
    _correct(repo)
    result = _build(repo)
    assert result.files_linked == 0 and result.pages_rendered < result.pages
    _assert_same_as_full(repo, result, tmp_path, monkeypatch)


def test_a_file_written_where_a_link_to_a_published_file_is_is_a_new_file(tmp_path: Path) -> None:
    """Two names of one file — a path naming a linked published file, as two paths differing only in case do on
    a file system that does not tell them apart: what is written there replaces the name, never the file."""
    published, staged = tmp_path / "published.json", tmp_path / "staged.json"
    published.write_bytes(b'{"a": 1}\n')
    os.link(published, staged)
    links.write_new(staged, b'{"a": 2}\n')
    assert published.read_bytes() == b'{"a": 1}\n' and staged.read_bytes() == b'{"a": 2}\n'
    assert published.stat().st_nlink == 1 and staged.stat().st_ino != published.stat().st_ino
    links.write_new(tmp_path / "new.json", b"{}\n")
    assert (tmp_path / "new.json").read_bytes() == b"{}\n"


def test_a_generated_file_mkdocs_leaves_out_is_not_linked_into_the_site(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site configuration now leaves the Word redlines out (``exclude_docs``): kspub still generates them,
    the same bytes as the published ones, but mkdocs copies none, so the published copies are not in the new site
    either."""
    assert list(repo.site.resolve().rglob("*.docx"))
    config = repo.path / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "\nexclude_docs: |\n  *.docx\n", "utf-8")
    repo.commit("网站配置：不发布 Word 修订稿", "mkdocs.yml")
    result = _build(repo)  # the agreements unchanged: their Word files are the published ones
    assert result.files_linked > 0 and list((repo.path / "build" / "docs").resolve().rglob("*.docx"))
    assert not list(repo.site.resolve().rglob("*.docx"))
    _assert_same_as_full(repo, result, tmp_path, monkeypatch)
