"""Everything a publication needs, gathered once in memory before anything is written.

The site and the JSON API are both rendered from one :class:`Snapshot`; neither reads git or files itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kspub.errors import Diagnostic, KspubError, Severity
from kspub.history import Timeline, VersionRecord
from kspub.law.period import shanghai
from kspub.model import Agreement

if TYPE_CHECKING:
    from kspub.diff import ChangeSet
    from kspub.law.workdays import WorkCalendar
    from kspub.record import Withdrawal
    from kspub.sla.catalogue import SlaCatalogue
    from kspub.workspace import Corpus

IN_FORCE = "in-force"
UPCOMING = "upcoming"
ARCHIVED = "archived"
STATUS_ZH = {IN_FORCE: "现行版本", UPCOMING: "即将生效", ARCHIVED: "历史版本"}


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    record: VersionRecord
    """Label, dates, sha256 and commits of the version, from git history."""
    agreement: Agreement
    """The parsed text of the version."""
    status: str
    """``in-force`` | ``upcoming`` | ``archived`` as of the snapshot's date."""
    changes: ChangeSet | None
    """What changed against the previous version (None for the first)."""
    previous: str | None
    """Label of the previous version."""

    @property
    def label(self) -> str:
        return self.record.label

    @property
    def change_date_kind(self) -> str:
        """What :attr:`change_date` is: ``effective``, ``announced``, ``recorded`` (the day the release record
        took the version in; not a publication date) or ``committed``."""
        r = self.record
        if r.effective is not None:
            return "effective"
        if r.announced is not None:
            return "announced"
        return "recorded" if r.recorded is not None else "committed"

    @property
    def change_date(self) -> str:
        """The date a transition is listed under (site and API alike): effective, else announced, else the day
        it was recorded."""
        r = self.record
        when = r.effective or r.announced or r.recorded
        if when is not None:
            return when.isoformat()
        first = r.first_commit
        return first.committed[:10] if first is not None else "0000-00-00"


@dataclass(frozen=True, slots=True)
class PublishedAgreement:
    id: str
    title: str
    kind: str
    versions: tuple[PublishedVersion, ...]
    """Oldest first."""
    withdrawn: Withdrawal | None = None
    """The agreement stopped applying on this date (every version archived, still published)."""
    formerly: tuple[str, ...] = ()
    """Earlier IDs of a renamed agreement: their addresses redirect here."""

    @property
    def in_force(self) -> PublishedVersion | None:
        return next((v for v in self.versions if v.status == IN_FORCE), None)

    @property
    def upcoming(self) -> tuple[PublishedVersion, ...]:
        return tuple(v for v in self.versions if v.status == UPCOMING)

    @property
    def latest(self) -> PublishedVersion:
        return self.versions[-1]

    def version(self, label: str) -> PublishedVersion | None:
        return next((v for v in self.versions if v.label == label), None)

    def applied_period(self, label: str) -> tuple[date | None, date | None] | None:
        """The days a version applied or applies: (first, last); ``first`` None when its effective date is not
        stated (from the start), ``last`` None while no later version or withdrawal ends it. None for a version
        that never applied or has not applied yet (withdrawn before taking effect, upcoming)."""
        from datetime import timedelta

        applying = [v for v in self.versions if v.record.withdrawn is None and v.status != UPCOMING]
        for i, v in enumerate(applying):
            if v.label != label:
                continue
            later = applying[i + 1].record.effective if i + 1 < len(applying) else None
            if later is None and i + 1 < len(applying):
                return None  # the next version has no stated date either: nothing honest to say
            ended = later if later is not None else (self.withdrawn.date if self.withdrawn else None)
            return (v.record.effective, ended - timedelta(days=1) if ended is not None else None)
        return None


@dataclass(frozen=True, slots=True)
class Snapshot:
    as_of: date
    """The date (Asia/Shanghai) the publication describes: what is in force, what is upcoming."""
    built_at: str
    """Build timestamp: SOURCE_DATE_EPOCH when set (reproducible builds), else the as-of date at midnight."""
    agreements: tuple[PublishedAgreement, ...]
    sla: SlaCatalogue | None
    warnings: tuple[Diagnostic, ...] = ()
    """What the build left out or could not match with the record (uncommitted edits, unrecorded text)."""
    calendar: WorkCalendar | None = None
    """The committed calendar (kspub's and the repository's ``calendar/``) notice windows are counted with;
    None: kspub's own."""

    def agreement(self, agreement_id: str) -> PublishedAgreement | None:
        return next((a for a in self.agreements if a.id == agreement_id), None)


def build_timestamp(as_of: date, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC).astimezone(shanghai()).isoformat()
        except ValueError as exc:
            raise KspubError("KS901", f"SOURCE_DATE_EPOCH 不是整数秒：{epoch!r}") from exc
    return datetime(as_of.year, as_of.month, as_of.day, tzinfo=shanghai()).isoformat()


def status_of(timeline: Timeline, record: VersionRecord, as_of: date) -> str:
    current = timeline.in_force(as_of)
    if current is not None and current.label == record.label:
        return IN_FORCE
    if record.withdrawn is not None and record.withdrawn <= as_of:
        return ARCHIVED  # withdrawn before it took effect: never in force, kept for the record
    if record.effective is not None and record.effective > as_of:
        return UPCOMING
    return ARCHIVED


def unrecorded(corpus: Corpus, timelines: Mapping[str, Timeline]) -> list[Diagnostic]:
    """Warnings for committed agreement text the release record does not hold: it is not published (the record
    is); for front-matter dates that differ from the record's (the record's are published); and for recorded
    agreements whose file is gone without a recorded withdrawal (still published)."""
    from kspub.history import legal_text
    from kspub.model import sha256_text

    warnings: list[Diagnostic] = []
    for current in corpus.agreements:
        timeline = timelines.get(current.id)
        latest = timeline.versions[-1] if timeline and timeline.versions else None
        if latest is None:
            warnings.append(Diagnostic("KS814", f"协议 {current.id} 还没有登记发布，不会发布：请运行 kspub release "
                                       f"{current.id} 并提交发布记录", current.path, severity=Severity.WARNING))  # fmt: skip
        elif sha256_text(legal_text(current.source)) != latest.text_sha256 or current.meta.version.strip() != latest.label:
            warnings.append(Diagnostic("KS815", f"协议 {current.id} 已提交的文本与发布记录中的最新版本 {latest.label} 不一致："
                                       f"发布的是登记的文本；请运行 kspub release {current.id} 登记新的版本",
                                       current.path, severity=Severity.WARNING))  # fmt: skip
        else:
            meta = current.meta
            for key, recorded, written in (("announced", latest.announced, meta.announced),
                                           ("effective", latest.effective, meta.effective)):  # fmt: skip
                if recorded != written:
                    warnings.append(Diagnostic("KS816", f"协议 {current.id} 头信息中的 {key}（{written or '未写'}）与发布记录中"
                                               f"版本 {latest.label} 的（{recorded or '未写'}）不一致：发布的是登记的日期；"
                                               f"请运行 kspub release {current.id}", current.path,
                                               meta.field_lines.get(key), severity=Severity.WARNING))  # fmt: skip
    present = {a.id for a in corpus.agreements}
    for agreement, timeline in sorted(timelines.items()):
        if agreement not in present and timeline.withdrawn is None:
            warnings.append(Diagnostic("KS816", f"协议 {agreement} 的文件已删除，但没有登记停止适用：仍按发布记录发布；"
                                       f"请运行 kspub release {agreement} --withdraw --reason 原因",
                                       f"agreements/{agreement}.md", severity=Severity.WARNING))  # fmt: skip
    return warnings


def scheduled(timeline: Timeline, as_of: date) -> Timeline:
    """The timeline as published on ``as_of``: a version announced for a later day appears nowhere yet."""
    from dataclasses import replace

    shown = tuple(v for v in timeline.versions if v.announced is None or v.announced <= as_of)
    return timeline if len(shown) == len(timeline.versions) else replace(timeline, versions=shown)


def assemble(
    timeline: Timeline,
    as_of: date,
    parsed: Sequence[Agreement],
    changes: Sequence[ChangeSet | None],
) -> PublishedAgreement:
    """One agreement's published versions from its timeline, the parse of each version and the change set of
    each against its predecessor (None for the first), all in timeline order."""
    versions: list[PublishedVersion] = []
    for record, agreement, change in zip(timeline.versions, parsed, changes, strict=True):
        versions.append(
            PublishedVersion(
                record=record,
                agreement=agreement,
                status=status_of(timeline, record, as_of),
                changes=change,
                previous=versions[-1].label if versions else None,
            )
        )
    latest = versions[-1].agreement
    return PublishedAgreement(timeline.agreement, latest.meta.title, latest.meta.kind, tuple(versions),
                              timeline.withdrawn, timeline.formerly)  # fmt: skip


def snapshot_of(
    as_of: date,
    published: Sequence[PublishedAgreement],
    sla: SlaCatalogue | None,
    environ: dict[str, str] | None,
    warnings: tuple[Diagnostic, ...] = (),
    calendar: WorkCalendar | None = None,
) -> Snapshot:
    return Snapshot(as_of, build_timestamp(as_of, environ), tuple(sorted(published, key=lambda a: a.id)), sla, warnings,
                    calendar)  # fmt: skip


def collect(root: Path, as_of: date, *, environ: dict[str, str] | None = None) -> Snapshot:
    """Read the committed history (never drafts), parse every version and diff each against its predecessor.

    Raises when the working tree's agreements do not lint clean or the history cannot be trusted: a build
    never publishes a partial or unverified set of versions. The one pipeline is
    :func:`kspub.publish.incremental.collect_cached`; this is it without a cache and without progress output.
    """
    from kspub.publish.cache import Cache
    from kspub.publish.incremental import collect_cached
    from kspub.publish.progress import Phases

    return collect_cached(root, as_of, cache=Cache(None), phases=Phases(), environ=environ)


def version_summary(version: PublishedVersion) -> dict[str, Any]:
    """Plain data about a version, shared by the site's templates and the JSON API."""
    r = version.record
    return {
        "version": r.label,
        "status": version.status,
        "announced": r.announced.isoformat() if r.announced else None,
        "effective": r.effective.isoformat() if r.effective else None,
        "printed_dates": {
            "updated": version.agreement.meta.printed.updated.isoformat() if version.agreement.meta.printed.updated else None,
            "effective": version.agreement.meta.printed.effective.isoformat()
            if version.agreement.meta.printed.effective
            else None,
        },
        "sha256": r.text_sha256,
        "summary": r.summary,
        "previous": version.previous,
        "material": bool(version.changes and version.changes.to_dict().get("material")),
    }
