"""The swap of a build into ``build/site``: a build killed at any instant leaves ``build/site`` a complete site,
exactly the previous one or exactly the new one, and the next build cleans up what the killed one left.

The kill is real: the swap runs in a forked process whose file-system calls (``os.rename``, ``os.replace``,
``os.symlink``, ``os.mkdir``, the ``renameat2`` exchange and the background ``rm``) are counted, and the process
ends with ``os._exit`` just before call k — no ``finally`` runs — for k = 1, 2, … until a run completes without
reaching k. After each kill the site and the generated pages are compared file by file with the two known
builds. The swap itself is run on copies of two sites built once; two tests kill a whole ``kspub build``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from kspub.publish import build as build_module
from kspub.publish.build import BuildResult, build

from .conftest import git
from .site_helpers import AS_OF, EPOCH, V1, commit, demo_repo, tree_digest

pytestmark = pytest.mark.e2e

KILLED = 77
LINKS = ("docs", "site")
Digest = dict[str, str]


@dataclass(frozen=True)
class Builds:
    repo: Path
    """The demo repository at the old commit, its old build published in ``repo/build`` (cache warm for both)."""
    new_commit: str
    old: Path
    """A copy of the old build: ``old/docs``, ``old/site``."""
    new: Path


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        base = tmp_path_factory.mktemp("swap")
        repo = demo_repo(base / "repo")
        old, new = base / "old", base / "new"
        _keep(build(repo, as_of=AS_OF, out=None, progress=False), old)
        # the new build: a second agreement, so the home page, the manifest and the API all change
        commit(repo, {"agreements/other.md": V1.replace("id: demo", "id: other")}, "另一协议")
        _keep(build(repo, as_of=AS_OF, out=None, progress=False), new)
        new_commit = git(repo, "rev-parse", "HEAD").strip()
        git(repo, "reset", "-q", "--hard", "HEAD~1")
        # going back drops "other": the build would rightly refuse to publish less than build/site holds (KS930),
        # so the old state is rebuilt into a fresh build/ (the cache stays warm)
        for name in ("site", "docs", ".sites"):
            target = repo / "build" / name
            if target.is_symlink():
                target.unlink()
            elif target.exists():
                shutil.rmtree(target)
        build(repo, as_of=AS_OF, out=None, progress=False)
        _wait_for_trash(repo / "build")
        for name in ("index.html", "api/v1/manifest.json"):
            assert (old / "site" / name).read_bytes() != (new / "site" / name).read_bytes(), name
        assert tree_digest(repo / "build" / "site") == tree_digest(old / "site")
        yield Builds(repo, new_commit, old, new)


def _keep(result: BuildResult, folder: Path) -> None:
    for name in LINKS:
        shutil.copytree(getattr(result, name), folder / name)


def _digests(folder: Path) -> dict[str, Digest | None]:
    """Each published tree file by file, None when it is missing."""
    return {name: tree_digest(folder / name) if (folder / name).is_dir() else None for name in LINKS}


def _known(builds: Builds) -> tuple[dict[str, Digest], dict[str, Digest]]:
    return ({n: tree_digest(builds.old / n) for n in LINKS}, {n: tree_digest(builds.new / n) for n in LINKS})


def _wait_for_trash(out: Path) -> None:
    """The previous site is deleted by a detached ``rm``; wait for it."""
    deadline = time.monotonic() + 60
    while list(out.glob(".trash-*")):
        assert time.monotonic() < deadline, "the background deletion did not finish"
        time.sleep(0.02)


def _dead_pid() -> int:
    """The id of a process that has ended: names the directories of a build that is no longer running."""
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def _stage(out: Path, source: Path) -> Path:
    """A staging directory as a build leaves it just before the swap, holding ``source``'s docs and site."""
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=out))
    for name in LINKS:
        _copy(source / name, staging / name)
    return staging


def _copy(source: Path, target: Path) -> None:
    """A copy of a built tree, its files hard links (nothing in a swap writes into a file)."""
    shutil.copytree(source, target, copy_function=os.link)


# --- the kill ---------------------------------------------------------------------------------------------


Kill = Callable[[list[str]], bool]
"""Given the calls so far (the last one about to be made), whether the process dies now."""


def _at(k: int) -> Kill:
    return lambda calls: len(calls) == k


def _describe(out: Path, name: str, args: tuple[Any, ...]) -> str:
    def show(arg: Any) -> str:
        if isinstance(arg, str | os.PathLike):
            path = os.fspath(arg)
            return os.path.relpath(path, out) if os.path.isabs(path) else path
        if isinstance(arg, list):
            return "sh"
        return repr(arg)

    return f"{name}({', '.join(show(a) for a in args[:2])})"


def _in_child(
    out: Path, work: Callable[[Callable[[], None]], None], kill: Kill | None, *, exchange: bool = True
) -> tuple[int, list[str]]:
    """Run ``work(arm)`` in a forked process; once it calls ``arm()``, every file-system step is counted and the
    process ends with ``os._exit`` when ``kill`` says so. Returns the exit code (0, or KILLED) and the steps."""
    log, errors = out.parent / "calls.log", out.parent / "error.log"
    log.unlink(missing_ok=True)
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 2
        calls: list[str] = []
        try:

            def arm() -> None:
                def counted(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
                    def step(*args: Any, **kwargs: Any) -> Any:
                        calls.append(_describe(out, name, args))
                        if kill is not None and kill(calls):
                            log.write_text("\n".join(calls), "utf-8")
                            os._exit(KILLED)
                        return real(*args, **kwargs)

                    return step

                if not exchange:
                    build_module._exchange = lambda a, b: False
                steps = ((os, "rename"), (os, "replace"), (os, "symlink"), (os, "mkdir"), (subprocess, "run"),
                         (build_module, "_exchange"))  # fmt: skip
                for module, name in steps:
                    setattr(module, name, counted(name.strip("_"), getattr(module, name)))

            work(arm)
            code = 0
        except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
            errors.write_text(traceback.format_exc(), "utf-8")
        finally:
            log.write_text("\n".join(calls), "utf-8")
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, KILLED), errors.read_text("utf-8") if errors.exists() else f"exit {code}"
    return code, log.read_text("utf-8").splitlines()


# --- the swap, killed at every step -----------------------------------------------------------------------

LAYOUTS = ["links", "directories", "directories-without-exchange", "nothing"]
"""What ``build/`` holds before: a build of this version (links into ``.sites``), a build of an earlier version
(real directories), the same where the system cannot exchange two paths, and no build at all."""


def _lay_out(out: Path, layout: str, old: Path) -> None:
    out.mkdir(parents=True)
    if layout == "links":
        generation = out / ".sites" / f"{_dead_pid()}-old"
        for name in LINKS:
            _copy(old / name, generation / name)
            os.symlink(f".sites/{generation.name}/{name}", out / name)
    elif layout.startswith("directories"):
        for name in LINKS:
            _copy(old / name, out / name)


def _swap_work(out: Path, new: Path) -> Callable[[Callable[[], None]], None]:
    def work(arm: Callable[[], None]) -> None:
        staging = _stage(out, new)
        arm()
        # what build() does in its swap phase
        build_module._swap(staging, out)
        build_module._discard(staging, out)

    return work


def _next_swap(out: Path, new: Path) -> None:
    """The swap phase of the next build, in this process: its clean-up, then the swap."""
    build_module._remove_abandoned_staging(out)
    staging = _stage(out, new)
    build_module._swap(staging, out)
    build_module._discard(staging, out)


def _assert_clean(out: Path, new: dict[str, Digest], *, extra: tuple[str, ...] = ()) -> None:
    """``out`` holds the new build as two relative links into one directory under ``.sites``, and nothing else."""
    _wait_for_trash(out)
    assert sorted(os.listdir(out)) == sorted((".sites", *LINKS, *extra))
    (generation,) = os.listdir(out / ".sites")
    for name in LINKS:
        assert (out / name).is_symlink() and os.readlink(out / name) == f".sites/{generation}/{name}"
        assert tree_digest(out / name) == new[name], name


def _verb(call: str) -> str:
    return call.split("(", 1)[0]


def _source(call: str) -> str:
    return call.split("(", 1)[1].split(", ")[0]


def _destination(call: str) -> str:
    return call.rstrip(")").split(", ")[-1]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_kill_at_any_step_of_the_swap_leaves_a_complete_site(builds: Builds, tmp_path: Path, layout: str) -> None:
    old, new = _known(builds)
    exchange = layout != "directories-without-exchange"
    before: dict[str, Digest | None] = {n: None if layout == "nothing" else old[n] for n in LINKS}
    seen: list[dict[str, Digest | None]] = []
    for k in count(1):
        assert k < 50, "the swap never completed"
        out = tmp_path / f"kill-{k}" / "build"
        _lay_out(out, layout, builds.old)
        code, calls = _in_child(out, _swap_work(out, builds.new), _at(k), exchange=exchange)
        state = _digests(out)
        for name in LINKS:  # never missing (but in the fallback's window, below), never mixed
            allowed = [before[name], new[name]] + ([] if exchange else [None])
            assert state[name] in allowed, f"{name} missing or mixed, killed before {calls[-1]}"
        seen.append(state)
        # the next build's clean-up never touches what the links point at, and puts back a directory that the
        # killed build had moved aside; after its swap, nothing the killed build left remains
        build_module._remove_abandoned_staging(out)
        for name in LINKS:
            assert _digests(out)[name] == (state[name] or before[name]), f"{name}, killed before {calls[-1]}"
        _next_swap(out, builds.new)
        _assert_clean(out, new)
        if code == 0:
            break
    # seen[i]: killed just before calls[i]; seen[-1]: completed
    assert len(seen) == len(calls) + 1 >= 10, calls
    for name in LINKS:
        states = [s[name] for s in seen]
        assert states[0] == before[name] and states[-1] == new[name], name
        changed = next(i for i, s in enumerate(states) if s != before[name])
        assert all(s == before[name] for s in states[:changed]), name
        if exchange:  # one step turns the old tree into the new one, and nothing ever turns it back
            assert all(s == new[name] for s in states[changed:]), (name, calls[changed - 1])
            assert _destination(calls[changed - 1]) == name
        else:  # the fallback's one window per link: renamed aside, not yet replaced by the link
            assert states[changed] is None and all(s == new[name] for s in states[changed + 1 :]), name
            assert _verb(calls[changed - 1]) == "rename" and _source(calls[changed - 1]) == name
            assert _verb(calls[changed]) == "replace" and _destination(calls[changed]) == name
    # the only steps that change build/docs and build/site: one each, in that order, and of the expected kind
    touching = [c for c in calls if {_source(c), _destination(c)} & set(LINKS)]
    kind = {"links": "replace", "nothing": "replace", "directories": "exchange"}.get(layout)
    if kind is not None:
        assert [(_verb(c), _destination(c)) for c in touching] == [(kind, "docs"), (kind, "site")], calls
    else:
        assert [_verb(c) for c in touching] == ["exchange", "rename", "replace"] * 2, calls


# --- a whole build, killed in its swap -----------------------------------------------------------------------


def _repo_at_new_commit(builds: Builds, tmp_path: Path) -> Path:
    """A copy of the demo repository with its old build published, the new commit checked out."""
    repo = tmp_path / "repo"
    shutil.copytree(builds.repo, repo, symlinks=True)
    git(repo, "reset", "-q", "--hard", builds.new_commit)
    return repo


def _build_work(repo: Path) -> Callable[[Callable[[], None]], None]:
    def work(arm: Callable[[], None]) -> None:
        real = build_module._swap

        def swap(staging: Path, out: Path, **options: Any) -> None:
            arm()
            real(staging, out, **options)

        build_module._swap = swap
        build(repo, as_of=AS_OF, out=None, progress=False)

    return work


def test_a_build_killed_between_its_two_links_leaves_complete_trees_and_the_next_build_cleans_up(
    builds: Builds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    old, new = _known(builds)
    repo = _repo_at_new_commit(builds, tmp_path)
    out = repo / "build"
    assert _digests(out) == old and (out / "site").is_symlink()

    def before_the_site_link(calls: list[str]) -> bool:
        return _verb(calls[-1]) == "replace" and _destination(calls[-1]) == "site"

    code, calls = _in_child(out, _build_work(repo), before_the_site_link)
    assert code == KILLED, calls
    # the new pages, the old site: each complete
    assert _digests(out) == {"docs": new["docs"], "site": old["site"]}
    assert len(list(out.glob(".staging-*"))) == 1 and len(os.listdir(out / ".sites")) == 2
    result = build(repo, as_of=AS_OF, out=None, progress=False)
    assert result.site == out / "site" and (result.site / "other" / "index.html").is_file()
    _assert_clean(out, new, extra=(".cache",))


def test_a_build_killed_just_after_exchanging_an_old_site_directory_leaves_the_new_site(
    builds: Builds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    old, new = _known(builds)
    repo = _repo_at_new_commit(builds, tmp_path)
    out = repo / "build"
    for name in LINKS:  # the layout earlier versions of kspub left: real directories
        published = (out / name).resolve()
        (out / name).unlink()
        shutil.copytree(published, out / name)
    shutil.rmtree(out / ".sites")
    assert _digests(out) == old and not (out / "site").is_symlink()

    def after_the_site_exchange(calls: list[str]) -> bool:
        return len(calls) > 1 and _verb(calls[-2]) == "exchange" and _destination(calls[-2]) == "site"

    code, calls = _in_child(out, _build_work(repo), after_the_site_exchange)
    assert code == KILLED, calls
    assert _digests(out) == new and (out / "site").is_symlink()
    # the old site directory is where the link was made, inside the killed build's staging directory
    (staging,) = out.glob(".staging-*")
    assert tree_digest(staging / "link-site") == old["site"]
    build(repo, as_of=AS_OF, out=None, progress=False)
    _assert_clean(out, new, extra=(".cache",))


# --- failures that are not kills -------------------------------------------------------------------------------


def test_a_failing_rename_leaves_the_links_and_removes_the_unpublished_build(
    builds: Builds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, _ = _known(builds)
    out = tmp_path / "build"
    _lay_out(out, "links", builds.old)
    staging = _stage(out, builds.new)
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst).name == "docs":
            raise OSError("磁盘已满")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError):
        build_module._swap(staging, out)
    assert _digests(out) == old
    assert len(os.listdir(out / ".sites")) == 1, "the new build, never published, is removed"


def test_a_failing_rename_after_moving_an_old_directory_aside_puts_it_back(
    builds: Builds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, _ = _known(builds)
    out = tmp_path / "build"
    _lay_out(out, "directories", builds.old)
    staging = _stage(out, builds.new)
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst).name == "docs":
            raise OSError("磁盘已满")
        real_replace(src, dst)

    monkeypatch.setattr(build_module, "_exchange", lambda a, b: False)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError):
        build_module._swap(staging, out)
    assert _digests(out) == old and not (out / "docs").is_symlink()
    assert not os.listdir(out / ".sites")


def test_links_kspub_did_not_make_are_replaced_and_what_they_point_at_is_kept(builds: Builds, tmp_path: Path) -> None:
    _, new = _known(builds)
    out = tmp_path / "build"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    _copy(builds.old / "site", elsewhere)
    os.symlink(elsewhere, out / "site")  # made by hand
    os.symlink(".sites/1234567-gone/docs", out / "docs")  # points at a build deleted by hand
    _next_swap(out, builds.new)
    _assert_clean(out, new)
    assert tree_digest(elsewhere) == tree_digest(builds.old / "site")


def test_the_clean_up_keeps_what_the_links_point_at_and_what_running_builds_own(builds: Builds, tmp_path: Path) -> None:
    old, _ = _known(builds)
    out = tmp_path / "build"
    _lay_out(out, "links", builds.old)  # published by a build that has ended
    dead, running = _dead_pid(), os.getpid()
    for name in (f"{dead}-abandoned", f"{running}-running", "not-kspub"):
        (out / ".sites" / name / "site").mkdir(parents=True)
    (out / f".staging-{dead}-abandoned").mkdir()
    (out / f".staging-{running}-running").mkdir()
    build_module._remove_abandoned_staging(out)
    _wait_for_trash(out)
    assert _digests(out) == old
    assert sorted(os.listdir(out / ".sites")) == sorted([os.readlink(out / "site").split("/")[1], f"{running}-running", "not-kspub"])
    assert sorted(p.name for p in out.glob(".staging-*")) == [f".staging-{running}-running"]
