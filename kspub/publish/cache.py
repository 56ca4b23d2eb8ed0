"""A content-addressed cache for the build's own expensive work: parsing every version and diffing neighbours.

A key is the sha256 of everything the result depends on: the code (every file of the kspub package and the
versions of the libraries that parse, diff and write the pages), the file's path and its full text — for a diff, the keys of both sides. A
changed input or a changed kspub therefore never meets a stale entry; a parse hit is checked against the text
once more all the same. Entries are pickles written atomically (temporary file, then rename), so an interrupted
build leaves either a whole entry or none; an unreadable entry is recomputed. Entries a build did not use are
pruned at its end, which keeps the cache the size of one repository's history.

The cache lives in the build directory (``build/.cache``), which only kspub writes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import kspub

T = TypeVar("T")
# what parses, diffs and writes the cached results (jinja2 and markupsafe write each agreement's pages)
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "pyyaml", "jsonschema", "diff-match-patch", "deepdiff", "jieba",
              "jinja2", "markupsafe")
_FORMAT = "v1"


@cache
def code_fingerprint() -> str:
    """sha256 over every file of the kspub package (code, data, schemas, templates) and the versions of the
    libraries cached results rely on."""
    h = hashlib.sha256(f"{_FORMAT}\0{sys.version}\0".encode())
    package = Path(kspub.__file__).parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=absent\0".encode())
    return h.hexdigest()


def key(*parts: str) -> str:
    h = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))  # length-prefixed: ("ab", "c") and ("a", "bc") differ
        h.update(data)
    return h.hexdigest()


@dataclass(slots=True)
class Cache:
    """Pickled results under ``folder``, keyed by :func:`key`; ``folder=None`` turns caching off."""

    folder: Path | None
    hits: int = 0
    misses: int = 0
    missed: dict[str, int] = field(default_factory=dict)
    """Misses per kind of entry (``parse``, ``diff``, ``body`` …)."""
    used: set[Path] = field(default_factory=set)
    ahead: set[Path] = field(default_factory=set)
    """Entries the build's workers computed (:func:`kspub.publish.parallel.prefetch_groups`): the first read of
    each counts as the miss it was, as if this process had computed it."""
    folders: set[Path] = field(default_factory=set)
    """The entries' folders this process made or found (made once each, not once per entry)."""
    lasting: bool = True
    """Whether the entries outlive this build. False: a scratch cache, through which the processes of one build
    without cache meet; an entry only a later build would read (``later=True``) is then not stored."""

    def _path(self, kind: str, k: str) -> Path:
        assert self.folder is not None
        return Path(f"{self.folder}/{_FORMAT}/{kind}/{k[:2]}/{k}.pickle")  # one parse, not four joins

    def get_or_compute(
        self, kind: str, k: str, compute: Callable[[], T], valid: Callable[[T], bool] = lambda _: True, *,
        later: bool = False,
    ) -> T:
        """The stored value, else ``compute()`` stored. ``later``: no other process of this build reads the entry,
        only a later build (a scratch cache neither reads nor stores it, see :attr:`lasting`)."""
        if self.folder is None or (later and not self.lasting):
            self._miss(kind)
            return compute()
        path = self._path(kind, k)
        self.used.add(path)
        try:
            with path.open("rb") as f:
                value: T = pickle.load(f)  # noqa: S301 - written by kspub itself into its own build directory
            if valid(value):
                self._count_read(kind, path)
                return value
        except FileNotFoundError:
            pass
        except Exception:  # a truncated or foreign entry: recompute and overwrite it
            pass
        self._miss(kind)
        value = compute()
        self._store(path, value)
        return value

    def has(self, kind: str, k: str) -> bool:
        """Whether an entry is stored (it is kept by :meth:`prune` only if read with :meth:`get`)."""
        return self.folder is not None and self._path(kind, k).is_file()

    def get(self, kind: str, k: str, *, count: bool = True) -> Any:
        """The stored value, or None (nothing stored, or an unreadable entry); counted as a hit or a miss unless
        ``count`` is false (the second part of an entry already counted)."""
        if self.folder is None:
            if count:
                self._miss(kind)
            return None
        path = self._path(kind, k)
        self.used.add(path)
        try:
            with path.open("rb") as f:
                value = pickle.load(f)  # noqa: S301 - written by kspub itself into its own build directory
        except Exception:  # absent, truncated or foreign
            if count:
                self._miss(kind)
            return None
        if count:
            self._count_read(kind, path)
        return value

    def _count_read(self, kind: str, path: Path) -> None:
        if path in self.ahead:
            self.ahead.discard(path)
            self._miss(kind)
        else:
            self.hits += 1

    def found(self, kind: str, k: str) -> None:
        """Count a value this process remembered as the read of the entry it stands for (kept by :meth:`prune`;
        without a cache, the computation it spared counts as the miss it would have been)."""
        if self.folder is None:
            self._miss(kind)
            return
        path = self._path(kind, k)
        self.used.add(path)
        self._count_read(kind, path)

    def take_in(self, used: Iterable[Path], hits: int, missed: Mapping[str, int]) -> None:
        """Count what another process of this build read (its entries kept by :meth:`prune`, its hits and misses)."""
        self.used.update(used)
        self.hits += hits
        for kind, n in missed.items():
            self.missed[kind] = self.missed.get(kind, 0) + n
            self.misses += n

    def computed_ahead(self, kind: str, k: str) -> None:
        """Note an entry a worker computed for this build (see :attr:`ahead`)."""
        if self.folder is not None:
            self.ahead.add(self._path(kind, k))

    def keep(self, kind: str, k: str) -> None:
        """Keep an entry through :meth:`prune` without reading it (a result made from it was found instead)."""
        if self.folder is not None:
            self.used.add(self._path(kind, k))

    def put(self, kind: str, k: str, value: Any, *, later: bool = False) -> None:
        """Store ``value`` (atomically); nothing when caching is off, or when only a later build would read it
        (``later``) and the cache is a scratch one."""
        if self.folder is not None and (self.lasting or not later):
            path = self._path(kind, k)
            self.used.add(path)
            self._store(path, value)

    def _miss(self, kind: str) -> None:
        self.misses += 1
        self.missed[kind] = self.missed.get(kind, 0) + 1

    def directory(self, name: str) -> Path:
        """A folder inside the cache for a library's own cache files (kept by :meth:`prune`)."""
        assert self.folder is not None
        path = self.folder / _FORMAT / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def forget(self, kind: str, k: str) -> None:
        if self.folder is not None:
            path = self._path(kind, k)
            path.unlink(missing_ok=True)
            self.used.discard(path)

    def _store(self, path: Path, value: Any) -> None:
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # a result type that cannot be pickled is simply not cached
            return
        if path.parent not in self.folders:  # each made once per process, not once per entry
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        except FileNotFoundError:  # removed since (the cache deleted by hand during a build): made again
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def prune(self) -> int:
        """Delete the entries this build did not use; returns how many."""
        if self.folder is None:
            return 0
        root = self.folder / _FORMAT
        removed = 0
        used = {str(p) for p in self.used}
        for kind in os.scandir(root) if root.is_dir() else ():  # <kind>/<k[:2]>/<key>.pickle, and .tmp-* strays
            for shard in os.scandir(kind.path) if kind.is_dir(follow_symlinks=False) else ():
                for entry in os.scandir(shard.path) if shard.is_dir(follow_symlinks=False) else ():
                    stray = entry.name.startswith(".tmp-")
                    if stray or (entry.name.endswith(".pickle") and entry.path not in used):
                        with suppress(FileNotFoundError):
                            os.unlink(entry.path)
                        removed += 0 if stray else 1
        # entries of an older cache format are never read again
        for old in self.folder.iterdir() if self.folder.is_dir() else ():
            if old.is_dir() and old.name != _FORMAT:
                import shutil

                shutil.rmtree(old, ignore_errors=True)
        return removed
