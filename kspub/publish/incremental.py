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
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kspub.errors import Diagnostic, KspubError
from kspub.history import VersionRecord, parse_version, read_timelines
from kspub.model import Agreement
from kspub.publish.cache import Cache, key
from kspub.publish.progress import Phases
from kspub.publish.snapshot import PublishedAgreement, PublishedVersion, Snapshot, build_timestamp, status_of
from kspub.workspace import SLA_FILE, Corpus, agreement_paths, load_sla, parse_path

if TYPE_CHECKING:
    from kspub.diff import ChangeSet
    from kspub.parse import ParseResult
    from kspub.sla import SlaCatalogue

T = TypeVar("T")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _by_content(cache: Cache, kind: str, path: Path, compute: Callable[[], T]) -> T:
    """``compute()`` (which reads ``path`` itself) cached by the file's bytes. The file is read again after: if it
    changed meanwhile (an editor saving mid-build) the entry, which may describe either state, is dropped."""
    before = _read(path)
    if before is None:
        return compute()
    k = key(kind, path.as_posix(), hashlib.sha256(before).hexdigest())
    value = cache.get_or_compute(kind, k, compute)
    if _read(path) != before:
        cache.forget(kind, k)
    return value


def load_corpus_cached(root: Path, cache: Cache) -> Corpus:
    """:func:`kspub.workspace.load_corpus` with each file's parse-and-lint result cached by its bytes."""
    agreements: list[Agreement] = []
    diags: list[Diagnostic] = []
    for path in agreement_paths(root):
        result: ParseResult = _by_content(cache, "lint", path, partial(parse_path, path, root))
        diags.extend(result.diagnostics)
        if result.agreement is not None:
            agreements.append(result.agreement)
    sla: SlaCatalogue | None = None
    if (root / SLA_FILE).exists():
        sla, sla_diags = _by_content(cache, "sla", root / SLA_FILE, lambda: load_sla(root))
        diags.extend(sla_diags)
    return Corpus(tuple(agreements), sla, tuple(diags))


def _parse_key(record: VersionRecord) -> str:
    return key("parse", record.path, record.source)


def collect_cached(
    root: Path, as_of: date, *, cache: Cache, phases: Phases, environ: dict[str, str] | None = None
) -> Snapshot:
    from kspub.diff import diff_agreements
    from kspub.workspace import require_clean

    with phases.run("lint"):
        corpus = load_corpus_cached(root, cache)
        require_clean(corpus)
    with phases.run("history"):
        timelines = read_timelines(root)
    records: list[tuple[str, list[VersionRecord]]] = []
    for current in corpus.agreements:
        timeline = timelines.get(current.id)
        if timeline is None:
            raise KspubError(
                "KS902",
                f"协议 {current.id} 还没有提交到 git 历史，不能发布",
                path=current.path,
                hint="请先提交该文件（未提交的修改只作为草稿，不会发布）",
            )
        records.append((current.id, list(timeline.versions)))

    parsed: dict[str, Agreement] = {}
    with phases.run("parse", total=sum(len(r) for _, r in records)) as advance:
        for _, versions in records:
            for record in versions:
                k = _parse_key(record)

                def parse(record: VersionRecord = record) -> Agreement:
                    return parse_version(record)

                def same_text(a: Agreement, record: VersionRecord = record) -> bool:
                    return a.source == record.source and a.path == record.path

                parsed[k] = cache.get_or_compute("parse", k, parse, same_text)
                advance(1)

    published: list[PublishedAgreement] = []
    with phases.run("diff", total=sum(max(len(r) - 1, 0) for _, r in records)) as advance:
        for agreement_id, versions in records:
            timeline = timelines[agreement_id]
            out: list[PublishedVersion] = []
            previous: tuple[VersionRecord, PublishedVersion] | None = None
            for record in versions:
                agreement = parsed[_parse_key(record)]
                changes: ChangeSet | None = None
                if previous is not None:
                    old_record, old_version = previous

                    def diff(old: Agreement = old_version.agreement, new: Agreement = agreement) -> ChangeSet:
                        return diff_agreements(old, new)

                    changes = cache.get_or_compute("diff", key("diff", _parse_key(old_record), _parse_key(record)), diff)
                    advance(1)
                version = PublishedVersion(
                    record=record,
                    agreement=agreement,
                    status=status_of(timeline, record, as_of),
                    changes=changes,
                    previous=previous[1].label if previous else None,
                )
                out.append(version)
                previous = (record, version)
            latest = out[-1].agreement
            published.append(PublishedAgreement(latest.id, latest.meta.title, latest.meta.kind, tuple(out)))
    published.sort(key=lambda a: a.id)
    return Snapshot(as_of, build_timestamp(as_of, environ), tuple(published), corpus.sla)
