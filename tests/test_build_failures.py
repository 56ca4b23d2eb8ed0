"""kspub build when things go wrong or the machine is unusual: a render worker that fails or dies, a disk that
fills while mkdocs writes, an API file a page links to that was never written, no fork, no shell, no
SOURCE_DATE_EPOCH, a file system without an atomic exchange, a build directory owned by another user's running
build. Each time: what the build says (the KS code and its Chinese message), and that the published site stays
exactly as it was."""

from __future__ import annotations

import ctypes
import errno
import multiprocessing
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mkdocs.utils
import pytest

from kspub.errors import KspubError
from kspub.publish import build as build_module
from kspub.publish.build import BuildResult, anchor_problems, build

from .site_helpers import AS_OF, EPOCH, commit, demo_repo, source_date_epoch, tree_digest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """The demo repository with its site built in ``repo/build``, and that site's digest."""
    with source_date_epoch(EPOCH):
        repo = demo_repo(tmp_path_factory.mktemp("failures") / "repo")
        result = build(repo, as_of=AS_OF, out=None, progress=False)
    yield repo, tree_digest(result.site)


def _changed(repo: Path) -> None:
    """A committed change that every page depends on (the site's description): every page is rendered again."""
    config = repo / "mkdocs.yml"
    commit(repo, {"mkdocs.yml": config.read_text("utf-8").replace("site_description: ", "site_description: 新")},
           "网站说明")  # fmt: skip


def _two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages rendered by two forked workers, however few there are."""
    monkeypatch.setenv("KSPUB_WORKERS", "2")
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 4)


def _build(repo: Path, out: Path | None = None) -> BuildResult:
    with source_date_epoch(EPOCH):
        return build(repo, as_of=AS_OF, out=out, progress=False)


# --- the pages ---------------------------------------------------------------------------------------------------


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing any page fails as on a full disk (mkdocs logs which page, then raises)."""
    real = mkdocs.utils.write_file

    def write_file(content: bytes, output_path: str) -> None:
        if output_path.endswith(".html"):
            raise OSError(errno.ENOSPC, "No space left on device", output_path)
        real(content, output_path)

    monkeypatch.setattr(mkdocs.utils, "write_file", write_file)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_disk_that_fills_while_mkdocs_writes_fails_the_build_and_keeps_the_site(
    published: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """In this process or in a worker: KS922 saying which page mkdocs could not write, the old site unchanged."""
    repo, before = published
    out = tmp_path / "build"
    _build(repo, out)
    _changed(repo)
    try:
        if workers == 2:
            _two_workers(monkeypatch)
        else:
            monkeypatch.setenv("KSPUB_WORKERS", "1")
        _disk_full(monkeypatch)
        with pytest.raises(KspubError) as info:
            _build(repo, out)
    finally:
        subprocess.run(["git", "reset", "-q", "--hard", "HEAD~1"], cwd=repo, check=True)
    assert info.value.code == "KS922"
    assert info.value.message.startswith("mkdocs 未能生成网站：") and "No space left on device" in info.value.message
    assert info.value.hint == "旧网站保持不变；请检查 mkdocs.yml 与上面的提示"
    assert tree_digest(out / "site") == before
    assert not list(out.glob(".staging-*"))


def test_a_worker_that_dies_without_a_word_fails_the_build_and_keeps_the_site(
    published: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed (the out-of-memory killer, a signal) reports nothing: the build stops all the same."""
    repo, before = published
    out = tmp_path / "build"
    _build(repo, out)
    _changed(repo)
    try:
        _two_workers(monkeypatch)
        monkeypatch.setattr(build_module, "_render_share", lambda *args: os._exit(9))
        with pytest.raises(KspubError) as info:
            _build(repo, out)
    finally:
        subprocess.run(["git", "reset", "-q", "--hard", "HEAD~1"], cwd=repo, check=True)
    assert (info.value.code, info.value.message, info.value.hint) == ("KS922", "生成网页的进程意外退出", "旧网站保持不变")
    assert tree_digest(out / "site") == before
    assert not list(out.glob(".staging-*"))


def test_without_fork_the_pages_and_the_api_are_written_in_one_process_with_the_same_bytes(
    published: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where fork is not available (Windows) the build does everything in this process; the site is the same."""
    repo, before = published
    _two_workers(monkeypatch)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    result = _build(repo, tmp_path / "build")
    assert result.workers == 1 and result.pages_rendered == result.pages > 0 and result.api_files > 0
    assert tree_digest(result.site) == before


def test_a_page_linking_to_an_api_file_that_was_not_written_stops_the_build(
    published: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, before = published
    out = tmp_path / "build"
    _build(repo, out)
    monkeypatch.setattr(build_module, "_write_api", lambda *args, **kwargs: [])  # an API writer that wrote nothing
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400))  # another build time: built, not carried over
    with pytest.raises(KspubError) as info:
        build(repo, as_of=AS_OF, out=out, progress=False)
    assert info.value.code == "KS923"
    assert info.value.message.startswith("生成的网站未通过检查（")
    assert "页面链接的 api/v1/agreements/demo.json 没有生成" in info.value.message
    assert info.value.hint == "旧网站保持不变；这是 kspub 的缺陷，请报告"
    assert tree_digest(out / "site") == before


def test_anchors_must_be_clause_ids_never_positional_and_never_doubled() -> None:
    page = '<h2 id="general">一、总则</h2><p id="_1">x</p><p id="section_2">y</p><div id="__drawer"></div>'
    assert anchor_problems("demo/index.html", page) == [
        'demo/index.html 含位置编号式锚点 id="_1"',
        'demo/index.html 含位置编号式锚点 id="section_2"',
    ]
    doubled = '<p id="fee-notice">a</p><p id="nature">b</p><p id="fee-notice">c</p><p id="nature">d</p>'
    assert anchor_problems("demo/3.0/index.html", doubled) == ["demo/3.0/index.html 中的锚点重复：fee-notice、nature"]
    assert anchor_problems("demo/index.html", '<p id="fee-notice">a</p><div id="__palette_0"></div>') == []


# --- the build time ----------------------------------------------------------------------------------------------


def test_without_source_date_epoch_the_as_of_day_is_the_build_time(
    published: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The as-of day's midnight in Beijing stands in: the same bytes as with that epoch given, and the
    environment is left as it was."""
    repo, before = published
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    result = build(repo, as_of=AS_OF, out=tmp_path / "build", progress=False)
    assert "SOURCE_DATE_EPOCH" not in os.environ
    assert tree_digest(result.site) == before  # EPOCH is AS_OF's midnight in Asia/Shanghai


# --- the swap and the clean-up ------------------------------------------------------------------------------------


def test_the_exchange_is_used_only_where_the_system_offers_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "from-a").touch()
    assert build_module._exchange(a, b) and (b / "from-a").exists() and not (a / "from-a").exists()
    # a missing path is an error, never taken for a system without the exchange
    with pytest.raises(OSError) as info:
        build_module._exchange(a, tmp_path / "missing")
    assert info.value.errno == errno.ENOENT
    # no exchange: False, and nothing moved (the caller then renames the old directory aside)
    with monkeypatch.context() as patch:
        patch.setattr(build_module.sys, "platform", "darwin")
        assert not build_module._exchange(a, b)

    class NoRenameat2:
        def __getattr__(self, name: str) -> Any:
            raise AttributeError(name)  # a C library older than glibc 2.28

    with monkeypatch.context() as patch:
        patch.setattr(build_module.ctypes, "CDLL", lambda *args, **kwargs: NoRenameat2())
        assert not build_module._exchange(a, b)

    class Refusing:
        def __init__(self) -> None:
            self.renameat2 = lambda *args: -1  # what a kernel or file system refusing the call returns

    for code, supported in ((errno.EINVAL, False), (errno.ENOSYS, False), (errno.ENOTSUP, False), (errno.EXDEV, None)):
        with monkeypatch.context() as patch:
            patch.setattr(build_module.ctypes, "CDLL", lambda *args, **kwargs: Refusing())
            patch.setattr(ctypes, "get_errno", lambda code=code: code)
            if supported is None:  # any other failure is the caller's to report
                with pytest.raises(OSError) as failed:
                    build_module._exchange(a, b)
                assert failed.value.errno == code
            else:
                assert build_module._exchange(a, b) is supported
    assert (b / "from-a").exists() and not (a / "from-a").exists()


def test_a_discarded_folder_is_removed_without_a_shell_and_one_already_gone_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "build"
    out.mkdir()
    build_module._discard(out / "gone", out)  # removed already (by another build's clean-up)
    assert os.listdir(out) == []
    old = out / "old-site"
    (old / "demo").mkdir(parents=True)
    (old / "demo" / "index.html").write_text("旧网站", "utf-8")

    def no_shell(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "sh")

    monkeypatch.setattr(build_module.subprocess, "run", no_shell)
    build_module._discard(old, out)
    assert os.listdir(out) == []  # removed here and now, trash and all


def test_what_another_users_running_build_owns_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Signalling another user's process is refused (EPERM): it is alive, and its staging folder is its own."""
    out = tmp_path / "build"
    (out / ".staging-4194000-other-user").mkdir(parents=True)
    real_kill = os.kill

    def kill(pid: int, signal: int) -> None:
        if pid == 4194000:
            raise PermissionError(errno.EPERM, "Operation not permitted")
        real_kill(pid, signal)

    monkeypatch.setattr(build_module.os, "kill", kill)
    build_module._remove_abandoned_staging(out)
    assert [p.name for p in out.iterdir()] == [".staging-4194000-other-user"]

