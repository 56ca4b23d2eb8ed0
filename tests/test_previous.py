"""The build's second guard: it never publishes less than the previously published site holds, whether that site
is the last local build or the deployed one fetched over HTTP (``--previous URL``); an address with no site
behind it is an error unless the first publication is declared."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from kspub.cli import main
from kspub.errors import KspubError
from kspub.publish.build import build
from kspub.publish.previous import read_previous

from .site_helpers import AS_OF, EPOCH, demo_repo, tree_digest

pytestmark = pytest.mark.e2e


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        pass


@pytest.fixture
def serve() -> Iterator[object]:
    """serve(folder) → the base URL of a local HTTP server for that folder."""
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo repository and a copy of the site its first build published (the "deployed" site)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        repo = demo_repo(tmp_path_factory.mktemp("prev") / "repo")
        result = build(repo, as_of=AS_OF, out=tmp_path_factory.mktemp("first") / "build", progress=False)
    deployed = tmp_path_factory.mktemp("deployed") / "site"
    shutil.copytree(result.site, deployed)
    return repo, deployed


def _deployed_copy(deployed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "deployed"
    shutil.copytree(deployed, copy)
    return copy


def _edit_timeline(site: Path, agreement: str, edit: object) -> None:
    path = site / "api/v1/agreements" / f"{agreement}.json"
    data = json.loads(path.read_text("utf-8"))
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def _build(repo: Path, out: Path, previous: str, *, first: bool = False) -> None:
    build(repo, as_of=AS_OF, out=out, progress=False, previous=previous, first_publication=first)


def test_the_same_state_passes_against_the_deployed_site(published: tuple[Path, Path], serve, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo, deployed = published
    before = read_previous(serve(deployed))
    assert before and {(p.agreement, p.version) for p in before} >= {("demo", "1.0")}
    _build(repo, tmp_path / "build", serve(deployed))
    assert (tmp_path / "build/site/api/v1/index.json").is_file()


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        # the deployed site shows a version the repository no longer has (a rewritten history, a deleted record)
        (lambda d: d["versions"].append({**d["versions"][0], "version": "0.9"}), "已发布的版本 demo@0.9 不见了"),
        # the repository's text of a published version differs from what was published
        (lambda d: d["versions"][0].update(sha256="0" * 64), "的文本变了"),
        # dates moved by hand
        (lambda d: d["versions"][0].update(announced="2025-01-01"), "的公告日期由 2025-01-01"),
        (lambda d: d["versions"][0].update(effective="2099-01-01"), "的生效日期由 2099-01-01"),
    ],
)
def test_a_build_that_would_drop_or_alter_a_deployed_version_is_refused(  # type: ignore[no-untyped-def]
    published: tuple[Path, Path], serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit, said: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo, deployed = published
    site = _deployed_copy(deployed, tmp_path)
    _edit_timeline(site, "demo", edit)
    out = tmp_path / "build"
    with pytest.raises(KspubError) as info:
        _build(repo, out, serve(site))
    assert info.value.code == "KS930" and said in info.value.message
    assert not (out / "site").exists(), "nothing was published"
    # the same guard against a folder (the last local build)
    with pytest.raises(KspubError) as info:
        _build(repo, out, str(site))
    assert info.value.code == "KS930"


def test_the_last_local_build_is_the_default_previous_site(published: tuple[Path, Path], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo, _ = published
    out = tmp_path / "build"
    build(repo, as_of=AS_OF, out=out, progress=False)
    _edit_timeline(out / "site", "demo", lambda d: d["versions"].append({**d["versions"][0], "version": "0.9"}))
    before = tree_digest(out / "site")
    with pytest.raises(KspubError) as info:
        build(repo, as_of=AS_OF, out=out, progress=False)
    assert info.value.code == "KS930"
    assert tree_digest(out / "site") == before, "the published site is left exactly as it was"


def test_an_address_with_no_site_is_an_error_unless_it_is_the_first_publication(  # type: ignore[no-untyped-def]
    published: tuple[Path, Path], serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo, _ = published
    empty = tmp_path / "empty"
    empty.mkdir()
    url = serve(empty)
    result = CliRunner().invoke(main, ["build", "--root", str(repo), "--as-of", "2026-03-01",
                                       "--out", str(tmp_path / "b1"), "--previous", url])  # fmt: skip
    assert result.exit_code == 1
    assert "KS931" in result.stderr and "HTTP 404" in result.stderr and "--first-publication" in result.stderr
    assert not (tmp_path / "b1" / "site").exists()
    result = CliRunner().invoke(main, ["build", "--root", str(repo), "--as-of", "2026-03-01",
                                       "--out", str(tmp_path / "b2"), "--previous", url, "--first-publication"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "b2" / "site" / "api/v1/index.json").is_file()


def test_first_publication_does_not_switch_the_guard_off_where_a_site_exists(  # type: ignore[no-untyped-def]
    published: tuple[Path, Path], serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo, deployed = published
    site = _deployed_copy(deployed, tmp_path)
    _edit_timeline(site, "demo", lambda d: d["versions"].append({**d["versions"][0], "version": "0.9"}))
    with pytest.raises(KspubError) as info:
        _build(repo, tmp_path / "build", serve(site), first=True)
    assert info.value.code == "KS930"


@pytest.mark.parametrize("damage", ["garbage", "missing-timeline", "wrong-shape"])
def test_a_deployed_site_that_cannot_be_read_stops_the_build(  # type: ignore[no-untyped-def]
    published: tuple[Path, Path], serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo, deployed = published
    site = _deployed_copy(deployed, tmp_path)
    if damage == "garbage":
        (site / "api/v1/index.json").write_text("<html>维护中</html>", "utf-8")
    elif damage == "missing-timeline":
        (site / "api/v1/agreements/demo.json").unlink()
    else:
        (site / "api/v1/index.json").write_text('{"agreements": [{"id": "demo"}]}', "utf-8")
    with pytest.raises(KspubError) as info:
        _build(repo, tmp_path / "build", serve(site), first=True)
    assert info.value.code == "KS931"
    assert not (tmp_path / "build" / "site").exists()


def test_a_dangling_build_site_link_is_not_a_first_build(published: tuple[Path, Path], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A cache that keeps build/site (a link) but drops build/.sites must not switch the guard off."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo, _ = published
    out = tmp_path / "build"
    build(repo, as_of=AS_OF, out=out, progress=False)
    shutil.rmtree(out / ".sites")
    assert (out / "site").is_symlink() and not (out / "site").exists()
    with pytest.raises(KspubError) as info:
        build(repo, as_of=AS_OF, out=out, progress=False)
    assert info.value.code == "KS931" and "指向的目录不存在" in info.value.message
    # the explicit way out: compare with the deployed site instead
    build(repo, as_of=AS_OF, out=out, progress=False, previous=str(tmp_path / "nowhere"))


def test_a_site_built_with_a_base_url_is_read_back_as_the_previous_site(published: tuple[Path, Path], tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    # its index holds absolute URLs; they are read from the folder, not from wherever they point
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    repo, _ = published
    out = tmp_path / "build"
    build(repo, as_of=AS_OF, out=out, progress=False, base_url="https://legal.example.com/agreements")
    index = json.loads((out / "site" / "api" / "v1" / "index.json").read_text("utf-8"))
    assert index["agreements"][0]["urls"]["timeline"].startswith("https://legal.example.com/agreements/api/v1/")
    before = read_previous(out / "site")
    assert before and {b.agreement for b in before} >= {"demo"}
    build(repo, as_of=AS_OF, out=out, progress=False, base_url="https://legal.example.com/agreements")
