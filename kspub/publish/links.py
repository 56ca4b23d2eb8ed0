"""Files of the published build that the next build links instead of writing again.

A build writes a whole new site beside the published one and swaps it in (decision record 0503). After one new
version of one agreement nearly every file of the new site is byte for byte a file of the published one: the
pages of the other agreements, their Word redlines, their JSON documents. Writing them again was most of such a
build (tens of thousands of files created), so a file whose content is known to be the same is instead a hard
link to the published file — checked one by one:

- **its content is the same**: every build records, beside the manifest of what it wrote (size, modification and
  change times and inode of every file, see :func:`kspub.publish.build.tree_manifest`), a *fingerprint* of each
  file's content: a page by its key (everything its HTML depends on, :mod:`kspub.publish.reuse`), any other file
  by the sha256 of its bytes. A file is linked only where the new build would write content of the same
  fingerprint to the same path;
- **the published file is as that build wrote it**: its entry in the manifest the build recorded equals its
  entry now. A file changed in place, even to the same size with its modification time put back, has a new
  change time (which no one can set); one replaced has a new inode. Such a file is written afresh.

A name added to or removed from a file moves its change time too, so the build that links keeps the files of the
build it replaced (moved inside the new build's directory, :data:`PREVIOUS`) until the next build has checked the
new one against its record, and only then removes them; it records what it wrote only once that removal is done.

Nothing writes into a linked file: a page is linked only when its Markdown source is (mkdocs then finds the page
no older than its source, and in its "dirty" mode neither renders nor writes it), and a page mkdocs writes all the
same is unlinked first; a copied file is linked only when its source is and mkdocs copies it at all, and mkdocs is
told not to copy it again; every file kspub writes itself is a new file (:func:`write_new`), so that even a path
that names a linked file (two names differing only in case, on a file system that does not tell them apart) is
never written into. ``tests/test_build_links.py`` attacks each of these. A build without the cache records nothing
and links nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TREES = ("docs", "site")
PREVIOUS = "previous"
"""The folder, inside a build's directory under ``.sites``, holding the build it replaced while they share files."""

Manifest = dict[str, tuple[int, ...]]
Fingerprints = dict[str, dict[str, str]]
"""Tree (``docs``, ``site``) → path relative to it → fingerprint of the file's content."""


def content(data: bytes) -> str:
    """The fingerprint of a file by its bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sha256_fingerprint(hex_digest: str) -> str:
    """The fingerprint of a file whose sha256 is already known."""
    return "sha256:" + hex_digest


def page(page_key: str) -> str:
    """The fingerprint of a rendered page: its key (the same key, the same HTML)."""
    return "page:" + page_key


def write_new(path: Path, data: bytes) -> None:
    """Write ``data`` as a new file at ``path``: whatever is there already (a link to a published file) is removed
    first, never written into."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        os.unlink(path)
        fd = os.open(path, flags, 0o666)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def empty_fingerprints() -> Fingerprints:
    return {tree: {} for tree in TREES}


@dataclass
class Published:
    """The published build's files a new build may link: ``folders`` (tree → the published folder) and the
    fingerprints of those files that are as the build recorded them."""

    folders: dict[str, Path] = field(default_factory=dict)
    fingerprints: Fingerprints = field(default_factory=empty_fingerprints)
    linked: dict[str, set[str]] = field(default_factory=lambda: {tree: set() for tree in TREES})

    def link(self, tree: str, rel: str, fingerprint: str, dest: Path) -> bool:
        """Make ``dest`` (which must not exist) a link to the published file ``rel`` of ``tree`` when that file
        is checked and has this fingerprint; False (nothing done) otherwise, or when the link cannot be made
        (another file system, the file removed meanwhile): the caller then writes the file."""
        if self.fingerprints[tree].get(rel) != fingerprint:
            return False
        try:
            os.link(self.folders[tree] / rel, dest, follow_symlinks=False)
        except OSError:
            return False
        self.linked[tree].add(rel)
        return True

    def is_linked(self, tree: str, rel: str) -> bool:
        return rel in self.linked[tree]

    @property
    def count(self) -> int:
        return sum(len(names) for names in self.linked.values())


def checked(folders: dict[str, Path], now: dict[str, Manifest], record: Any) -> Published:
    """What of the published build can be linked: the files whose manifest entry ``now`` is the one the build
    recorded (``record``: what :func:`kspub.publish.build._build_with` stored, or anything else — nothing then),
    with their recorded fingerprints."""
    if not isinstance(record, dict) or not isinstance(record.get("fingerprints"), dict):
        return Published()
    out = empty_fingerprints()
    for tree in TREES:
        recorded, current = record.get(tree), now.get(tree)
        prints = record["fingerprints"].get(tree)
        if not isinstance(recorded, dict) or current is None or not isinstance(prints, dict):
            continue
        out[tree] = {rel: fp for rel, fp in prints.items() if rel in current and current[rel] == recorded.get(rel)}
    return Published(dict(folders), out)
