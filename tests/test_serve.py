"""`kspub serve`: the working tree's site on 127.0.0.1, every page bannered 预览，未发布, rebuilt after a save,
never written into build/site."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kspub.publish.preview import BANNER_TEXT, PreviewServer

from .conftest import ROOT, demo_text
from .site_helpers import AS_OF, V3, demo_repo

pytestmark = pytest.mark.e2e


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Path, PreviewServer]]:
    repo = demo_repo(tmp_path / "repo")
    server = PreviewServer(repo, 0, as_of=AS_OF, say=lambda _m: None, interval=0.1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _until(lambda: server.state.generation >= 1)
        yield repo, server
    finally:
        server.httpd.shutdown()
        thread.join(timeout=30)


def _until(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _page_after_rebuild(server: PreviewServer, generation: int, path: str) -> str:
    _until(lambda: server.state.generation > generation)
    status, page = _get(server.url + path)
    assert status == 200, page[:500]
    return page


def test_a_saved_edit_appears_in_the_preview_without_a_commit(preview: tuple[Path, PreviewServer]) -> None:
    repo, server = preview
    status, page = _get(server.url + "demo/3.0/")
    assert status == 200 and BANNER_TEXT in page and "15个自然日" in page
    generation = server.state.generation
    (repo / "agreements" / "demo.md").write_text(V3.replace("15个自然日", "20个自然日"), "utf-8")
    page = _page_after_rebuild(server, generation, "demo/3.0/")
    assert "20个自然日" in page and "15个自然日" not in page and BANNER_TEXT in page
    # the preview never writes the site kspub build publishes
    assert not (repo / "build").exists()
    assert subprocess.run(["git", "status", "--porcelain", "--", "build"], cwd=repo, capture_output=True,
                          text=True, check=True).stdout == ""  # fmt: skip


def test_a_new_agreement_and_a_new_version_are_previewed_unreleased(preview: tuple[Path, PreviewServer]) -> None:
    repo, server = preview
    generation = server.state.generation
    (repo / "agreements" / "extra.md").write_text(demo_text("1.0").replace("id: demo", "id: extra")
                                                  .replace("示例协议", "新增的协议"), "utf-8")  # fmt: skip
    (repo / "agreements" / "demo.md").write_text(
        demo_text("4.0", fee="免费服务转为收费前，金山云将提前45个自然日通知您。"), "utf-8"
    )
    page = _page_after_rebuild(server, generation, "extra/")
    assert "新增的协议" in page and BANNER_TEXT in page
    status, page = _get(server.url + "demo/4.0/")
    assert status == 200 and "45个自然日" in page
    status, redline = _get(server.url + "demo/4.0/changes/")
    assert status == 200 and "45" in redline and BANNER_TEXT in redline


def test_every_html_page_is_bannered(preview: tuple[Path, PreviewServer]) -> None:
    _, server = preview
    for path in ("", "demo/", "demo/2.0/", "demo/3.0/changes/", "changes/", "no-such-page/"):
        status, page = _get(server.url + path)
        assert status in (200, 404) and BANNER_TEXT in page, path
        assert page.index(BANNER_TEXT) < page.index("</body>")


def test_a_lint_error_shows_the_problem_until_it_is_fixed(preview: tuple[Path, PreviewServer]) -> None:
    repo, server = preview
    generation = server.state.generation
    (repo / "agreements" / "demo.md").write_text(V3.replace("title: 示例协议", "title：示例协议"), "utf-8")
    page = _page_after_rebuild(server, generation, "demo/")
    assert "预览无法生成" in page and "全角冒号" in page and "KS103" in page and BANNER_TEXT in page
    generation = server.state.generation
    (repo / "agreements" / "demo.md").write_text(V3, "utf-8")
    page = _page_after_rebuild(server, generation, "demo/")
    assert "预览无法生成" not in page and "示例协议" in page


def test_kspub_serve_listens_on_localhost_only(tmp_path: Path) -> None:
    repo = demo_repo(tmp_path / "repo")
    process = subprocess.Popen([sys.executable, "-m", "kspub", "serve", "--root", str(repo), "--port", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert m and BANNER_TEXT in first, first
        ready = process.stdout.readline()
        assert "预览已更新" in ready, ready
        status, page = _get(m.group(0) + "demo/")
        assert status == 200 and BANNER_TEXT in page
    finally:
        process.terminate()
        process.wait(timeout=30)
