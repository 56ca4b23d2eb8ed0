"""The build's snapshot: :func:`kspub.publish.snapshot.collect`, in timed phases, with parse and diff cached.

It produces the same :class:`Snapshot` as ``collect`` (a test holds the two equal); it exists so that a rebuild
of an unchanged repository reuses the parsed versions and the change sets of earlier builds, and so the build
can time and show each phase. Like ``collect`` it reads committed history only, never the working tree's drafts,
and refuses to publish when the working tree does not lint clean or the history cannot be trusted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kspub.errors import Diagnostic, Severity
from kspub.history import VersionRecord, parse_version, read_timelines
from kspub.model import Agreement
from kspub.publish.cache import Cache, key
from kspub.publish.compare import diff_key, parse_key
from kspub.publish.parallel import prefetch
from kspub.publish.progress import Phases
from kspub.publish.snapshot import PublishedAgreement, Snapshot, assemble, scheduled, snapshot_of, unrecorded
from kspub.repository import committed_tree, uncommitted_changes
from kspub.workspace import SLA_FILE, Corpus, agreement_paths, load_sla, parse_path, stray_diagnostics

if TYPE_CHECKING:
    from kspub.diff import ChangeSet
    from kspub.parse import ParseResult
    from kspub.sla.catalogue import SlaCatalogue

T = TypeVar("T")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _by_content(cache: Cache, kind: str, path: Path, root: Path, compute: Callable[[], T]) -> T:
    """``compute()`` (which reads ``path`` itself) cached by the file's bytes and its path below ``root`` (the
    tree is extracted afresh for every build). The file is read again after: if it changed meanwhile the entry,
    which may describe either state, is dropped."""
    before = _read(path)
    if before is None:
        return compute()
    k = key(kind, path.relative_to(root).as_posix(), hashlib.sha256(before).hexdigest())
    value = cache.get_or_compute(kind, k, compute)
    if _read(path) != before:
        cache.forget(kind, k)
    return value


def load_corpus_cached(root: Path, cache: Cache) -> Corpus:
    """:func:`kspub.workspace.load_corpus` with each file's parse-and-lint result cached by its bytes."""
    agreements: list[Agreement] = []
    diags: list[Diagnostic] = stray_diagnostics(root)
    for path in agreement_paths(root):
        result: ParseResult = _by_content(cache, "lint", path, root, partial(parse_path, path, root))
        diags.extend(result.diagnostics)
        if result.agreement is not None:
            agreements.append(result.agreement)
    sla: SlaCatalogue | None = None
    if (root / SLA_FILE).exists():
        sla, sla_diags = _by_content(cache, "sla", root / SLA_FILE, root, lambda: load_sla(root))
        diags.extend(sla_diags)
    return Corpus(tuple(agreements), sla, tuple(diags))


def _parse_key(record: VersionRecord) -> str:
    return parse_key(record.path, record.source)


def collect_cached(
    root: Path,
    as_of: date,
    *,
    cache: Cache,
    phases: Phases,
    environ: dict[str, str] | None = None,
    tree: Path | None = None,
    preview: bool = False,
) -> Snapshot:
    """The snapshot of what is committed and recorded. ``tree`` is the committed tree of HEAD already extracted
    (:func:`kspub.repository.committed_tree`); without it the tree is extracted here.

    ``preview`` (``kspub serve``, never ``kspub build``): the working tree instead, its text shown as the
    latest version of each agreement whether recorded or not (:func:`kspub.publish.preview.preview_timelines`),
    every recorded version whatever its announced date."""
    if preview:
        tree = root
    if tree is None:
        with committed_tree(root) as extracted:
            return collect_cached(root, as_of, cache=cache, phases=phases, environ=environ, tree=extracted)
    from kspub.diff import diff_agreements
    from kspub.workspace import require_clean

    with phases.run("lint"):
        corpus = load_corpus_cached(tree, cache)
        require_clean(corpus)
    with phases.run("history"):
        if preview:
            from kspub.publish.preview import preview_timelines

            timelines = preview_timelines(root, as_of)
        else:
            timelines = read_timelines(root)
    warnings = [] if preview else [*unrecorded(corpus, timelines), *_uncommitted(root)]
    shown = (t if preview else scheduled(t, as_of) for _, t in sorted(timelines.items()))
    timelines_of = [t for t in shown if t.versions]

    parsed: dict[str, Agreement] = {}
    with phases.run("parse", total=sum(len(t.versions) for t in timelines_of)) as advance:
        prefetch([("parse", _parse_key(r), partial(parse_version, r)) for t in timelines_of for r in t.versions], cache)
        for timeline in timelines_of:
            for record in timeline.versions:
                k = _parse_key(record)

                def parse(record: VersionRecord = record) -> Agreement:
                    return parse_version(record)

                def same_text(a: Agreement, record: VersionRecord = record) -> bool:
                    return a.source == record.source and a.path == record.path

                parsed[k] = cache.get_or_compute("parse", k, parse, same_text)
                advance(1)

    published: list[PublishedAgreement] = []
    with phases.run("diff", total=sum(max(len(t.versions) - 1, 0) for t in timelines_of)) as advance:
        pairs = [(old, new) for t in timelines_of for old, new in pairwise(_parse_key(r) for r in t.versions)]
        prefetch([("diff", diff_key(old, new), partial(diff_agreements, parsed[old], parsed[new])) for old, new in pairs],
                 cache)  # fmt: skip
        for timeline in timelines_of:
            keys = [_parse_key(record) for record in timeline.versions]
            changes: list[ChangeSet | None] = [None]
            for old_key, new_key in zip(keys, keys[1:], strict=False):

                def diff(old: Agreement = parsed[old_key], new: Agreement = parsed[new_key]) -> ChangeSet:
                    return diff_agreements(old, new)

                changes.append(cache.get_or_compute("diff", diff_key(old_key, new_key), diff))
                advance(1)
            published.append(assemble(timeline, as_of, [parsed[k] for k in keys], changes))
    from kspub.law.workdays import repository_calendar
    from kspub.publish.api import ambiguity

    for agreement in published:
        problem = ambiguity(agreement)
        if problem is not None:
            warnings.append(Diagnostic("KS912", problem, f"agreements/releases/{agreement.id}.yaml",
                                       severity=Severity.WARNING))  # fmt: skip
    return snapshot_of(as_of, published, corpus.sla, environ, tuple(warnings), repository_calendar(tree))


def _uncommitted(root: Path) -> list[Diagnostic]:
    changed = uncommitted_changes(root)
    if not changed:
        return []
    shown = "、".join(changed[:5]) + (f" 等 {len(changed)} 处" if len(changed) > 5 else "")
    return [Diagnostic("KS820", f"未提交的修改不会发布：{shown}。网站只发布已提交并登记的内容；"
                       "要发布请先提交（git commit）", changed[0], severity=Severity.WARNING)]  # fmt: skip
