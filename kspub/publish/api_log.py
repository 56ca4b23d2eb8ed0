"""The change log behind ``changes.json`` and ``feed.xml``: an append-only list of entries, so that an archive
page (``changes/<n>.json``, ``feed/<n>.xml``), once written, never changes (RFC 5005 archived feeds).

An entry records a version **as it stood at the end of a day**: the day a *step* of the version reached the
publication — its publication, then each event the release record appends to it (a correction, a postponement,
a withdrawal) — or, in the change log only, a day its status changed (it took effect, a later version took over,
the agreement was withdrawn). A later step never rewrites an earlier entry: it is a new entry, after every
entry already written. Everything an entry shows is read as of its day from the append-only record: the
effective date after the postponements recorded by then, the events recorded by then, the texts (the version's
and its predecessor's, corrections recorded by then included) and the status the in-force rule gives that day
over the versions published by then. An entry is therefore the same in every later build.

A step is placed on the day it was recorded (an event's date, the version's announced or recorded day), or
later when the version text it brought reached the main branch later (the first commit of the main branch's
first-parent history that has it); never after the build date. A step that reaches the main branch after
entries of a later day were written lands among them, not after them — and a renamed agreement's entries carry
its new ID: the two ways an archive page can still change (see :func:`pages` and docs/api.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from kspub.law.period import shanghai
from kspub.publish.snapshot import ARCHIVED, IN_FORCE, UPCOMING, PublishedAgreement, PublishedVersion

if TYPE_CHECKING:
    from kspub.model import Agreement
    from kspub.record import Event


@dataclass(frozen=True, slots=True)
class Step:
    """Something that happened to a version, on the day it reached the publication."""

    day: date
    event: Event | None
    """None: the version's publication; otherwise the release record's event."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a log: a version as of the end of ``day``, with its first ``steps`` steps taken into account,
    and (in the change log) its status that day."""

    day: date
    agreement: PublishedAgreement
    position: int
    """The version's index in ``agreement.versions``."""
    steps: int
    status: str = ""

    @property
    def version(self) -> PublishedVersion:
        return self.agreement.versions[self.position]



def in_order(entries: list[Entry]) -> list[Entry]:
    """Oldest first, so that newest first (as pages show them) a day lists its agreements by ID and each
    agreement's versions newest first."""
    entries.sort(key=lambda e: (e.agreement.id, -e.position))
    entries.sort(key=lambda e: e.day, reverse=True)
    entries.reverse()
    return entries


def _day(timestamp: str) -> date:
    return datetime.fromisoformat(timestamp).astimezone(shanghai()).date()


def steps(v: PublishedVersion, as_of: date) -> list[Step]:
    """The version's steps in the order the record appended them, each on the day it reached the publication:
    never before the step it follows, never after ``as_of`` (the build's date: a day written ahead is read as
    today until it comes)."""
    r = v.record
    arrivals = {rev.blob: _day(rev.commit.committed) for rev in r.revisions}
    published = [d for d in (r.announced, r.recorded) if d is not None]
    if r.revisions:
        published.append(_day(r.revisions[0].commit.committed))
    day = min(max(published, default=date.min), as_of)
    out = [Step(day, None)]
    for event in r.release.events if r.release is not None else ():
        arrived = arrivals.get(event.blob or "")
        day = min(max([day, event.date, *([arrived] if arrived else [])]), as_of)
        out.append(Step(day, event))
    return out


def _included(version_steps: Sequence[Step], day: date) -> int:
    """How many of a version's steps had reached the publication by the end of ``day``."""
    return sum(1 for s in version_steps if s.day <= day)


def effective(v: PublishedVersion, version_steps: Sequence[Step], k: int) -> date | None:
    """The effective date with the first ``k`` steps taken into account (the record's current one when every
    postponement is among them)."""
    if not any(_is(s, "postponement") for s in version_steps[k:]):
        return v.record.effective
    done = [s.event for s in version_steps[1:k] if s.event is not None and _is(s, "postponement")]
    if done:
        return done[-1].effective
    return v.record.release.effective if v.record.release is not None else v.record.effective


def _withdrawn(version_steps: Sequence[Step], k: int) -> date | None:
    return next((s.event.date for s in version_steps[1:k] if s.event is not None and _is(s, "withdrawal")), None)


def _corrections(version_steps: Sequence[Step], day: date) -> int:
    """How many corrections of a version had reached the publication by the end of ``day``."""
    return sum(1 for s in version_steps[1:] if s.day <= day and _is(s, "correction"))


def _statuses(agreement: PublishedAgreement, all_steps: Sequence[Sequence[Step]], day: date) -> list[str]:
    """Each version's status at the end of ``day`` over the versions published by then, as
    :func:`kspub.publish.snapshot.status_of` gives it (the in-force rule of :meth:`kspub.history.Timeline.in_force`);
    "" for a version not yet published."""
    known = [_included(s, day) for s in all_steps]
    effective_on = [effective(v, s, k) if k else None for v, s, k in zip(agreement.versions, all_steps, known, strict=True)]
    withdrawn_on = [_withdrawn(s, k) for s, k in zip(all_steps, known, strict=True)]
    gone = agreement.withdrawn is not None and agreement.withdrawn.date <= day
    current = None
    if not gone:
        for i, v in enumerate(agreement.versions):
            on, away = effective_on[i], withdrawn_on[i]
            if not known[i] or v.record.draft or (away is not None and away <= day):
                continue
            if on is None or on <= day:
                current = i
    out = []
    for i in range(len(agreement.versions)):
        on, away = effective_on[i], withdrawn_on[i]
        if not known[i]:
            out.append("")
        elif i == current:
            out.append(IN_FORCE)
        elif away is not None and away <= day:
            out.append(ARCHIVED)
        elif on is not None and on > day:
            out.append(UPCOMING)
        else:
            out.append(ARCHIVED)
    return out


class Log:
    """The steps of every version of a snapshot, and the entries of both logs made of them; what an entry shows
    that depends on the texts (the version's title, its change set) as of the entry."""

    def __init__(
        self,
        agreements: Sequence[PublishedAgreement],
        as_of: date,
        change_sets: Mapping[tuple[str, str], Mapping[str, Any] | None],
    ) -> None:
        self.agreements = agreements
        self.as_of = as_of
        self.steps = {(a.id, i): steps(v, as_of) for a in agreements for i, v in enumerate(a.versions)}
        self._current = change_sets
        self._parsed: dict[tuple[str, str], Agreement | None] = {}
        self._diffs: dict[tuple[str, str], Mapping[str, Any]] = {}

    def of(self, entry: Entry) -> list[Step]:
        return self.steps[(entry.agreement.id, entry.position)]

    def changes_entries(self) -> list[Entry]:
        """Every entry of the change log, oldest first: for each version, one on each day its steps or its
        status changed what its row says."""
        entries: list[Entry] = []
        for agreement in self.agreements:
            all_steps = [self.steps[(agreement.id, i)] for i in range(len(agreement.versions))]
            days = {s.day for version_steps in all_steps for s in version_steps}
            for v in agreement.versions:
                days.update(d for d in (v.record.effective, v.record.withdrawn) if d is not None)
                release = v.record.release
                if release is not None:
                    days.update(d for d in (release.effective, *(e.effective for e in release.events)) if d is not None)
            if agreement.withdrawn is not None:
                days.add(agreement.withdrawn.date)
            last: list[tuple[int, str, int] | None] = [None] * len(agreement.versions)
            for day in sorted(d for d in days if d <= self.as_of):
                statuses = _statuses(agreement, all_steps, day)
                for i, version_steps in enumerate(all_steps):
                    k = _included(version_steps, day)
                    # the predecessor's corrections change the row's counts (the record only corrects the latest
                    # version, so they come before this one's publication; a hand-made record may differ)
                    state = (k, statuses[i], _corrections(all_steps[i - 1], day) if i else 0)
                    if k and last[i] != state:
                        last[i] = state
                        entries.append(Entry(day, agreement, i, k, statuses[i]))
        return in_order(entries)

    def feed_entries(self) -> list[Entry]:
        """Every entry of the site feed, oldest first: for each version, one on each day a step of it was
        recorded (its publication, an event) — what a feed entry shows moves only with those, and so does its
        ``updated``."""
        entries: list[Entry] = []
        for agreement in self.agreements:
            for i in range(len(agreement.versions)):
                version_steps = self.steps[(agreement.id, i)]
                for k, step in enumerate(version_steps, 1):
                    if k == len(version_steps) or version_steps[k].day != step.day:  # the day's last step
                        entries.append(Entry(step.day, agreement, i, k))
        return in_order(entries)

    def latest(self, agreement: PublishedAgreement, position: int) -> Entry:
        """A version's feed entry with every step taken into account: its site feed entry of the day of its
        latest step."""
        version_steps = self.steps[(agreement.id, position)]
        return Entry(version_steps[-1].day, agreement, position, len(version_steps), agreement.versions[position].status)

    # ── what an entry shows ──

    def effective(self, entry: Entry) -> date | None:
        return effective(entry.version, self.of(entry), entry.steps)

    def events(self, entry: Entry) -> list[Event]:
        """The events recorded on the version among the entry's steps, in the record's order."""
        return [s.event for s in self.of(entry)[1 : entry.steps] if s.event is not None]

    def _texts(self, entry: Entry) -> tuple[int, int]:
        """How many corrections of the version, and of its predecessor, the entry takes into account: the
        version's among its steps, the predecessor's recorded by the entry's day."""
        mine = sum(1 for s in self.of(entry)[1 : entry.steps] if _is(s, "correction"))
        if entry.position == 0:
            return mine, 0
        return mine, _corrections(self.steps[(entry.agreement.id, entry.position - 1)], entry.day)

    def _is_current(self, entry: Entry) -> bool:
        mine, theirs = self._texts(entry)
        v = entry.version
        if mine != len(v.record.sources) - 1 and v.record.sources:
            return False
        if entry.position == 0:
            return True
        previous = entry.agreement.versions[entry.position - 1]
        return theirs == len(previous.record.sources) - 1 or not previous.record.sources

    def _agreement_at(self, v: PublishedVersion, corrections: int) -> Agreement | None:
        source = text_at(v, corrections)
        if source == v.record.source:
            return v.agreement
        key = (v.record.path, source)
        if key not in self._parsed:
            from kspub.parse import parse_agreement

            self._parsed[key] = parse_agreement(source, v.record.path).agreement
        return self._parsed[key]

    def changes(self, entry: Entry) -> Mapping[str, Any] | None:
        """The version's change set against the previous version (published form) as of the entry."""
        v = entry.version
        current = self._current.get((entry.agreement.id, v.label))
        if entry.position == 0 or self._is_current(entry):
            return current
        mine, theirs = self._texts(entry)
        old = self._agreement_at(entry.agreement.versions[entry.position - 1], theirs)
        new = self._agreement_at(v, mine)
        if old is None or new is None:  # an earlier text the parser no longer reads: the current change set
            return current
        key = (old.source, new.source)
        if key not in self._diffs:
            from kspub.diff import diff_agreements
            from kspub.publish.api_versions import published_changes

            self._diffs[key] = published_changes(diff_agreements(old, new).to_dict())
        return self._diffs[key]

    def title(self, entry: Entry) -> str:
        """The title the version gives itself, as of the entry."""
        mine, _ = self._texts(entry)
        parsed = self._agreement_at(entry.version, mine)
        return (parsed.meta.title if parsed is not None else "") or entry.version.record.title or entry.agreement.title


def _is(step: Step, kind: str) -> bool:
    return step.event is not None and step.event.kind.value == kind


def pages(entries: Sequence[Entry], size: int) -> tuple[list[list[Entry]], list[Entry]]:
    """The archive pages (oldest first, each ``size`` entries, newest first on the page) and the current page.

    Pages are counted from the oldest entry, so a page once full stays full with the same entries as later ones
    are appended. A page is archived only once every entry on it is of a day before the newest entry's: a step
    recorded later the same day could otherwise still land among its entries. The current page holds the rest —
    the newest 1..``size`` entries and any more of the newest day — each version once, by its newest entry.
    """
    newest = entries[-1].day if entries else date.min
    closed = sum(1 for e in entries if e.day < newest)
    archives = min((len(entries) - 1) // size, closed // size) if entries else 0
    archived = [list(entries[(k - 1) * size : k * size])[::-1] for k in range(1, archives + 1)]
    current: list[Entry] = []
    seen: set[tuple[str, int]] = set()
    for entry in reversed(entries[archives * size :]):
        if (entry.agreement.id, entry.position) not in seen:
            seen.add((entry.agreement.id, entry.position))
            current.append(entry)
    return archived, current


def change_date(v: PublishedVersion, effective: date | None) -> tuple[str, str]:
    """The date a transition is listed under and what it is (:attr:`PublishedVersion.change_date` and
    :attr:`~PublishedVersion.change_date_kind`), with the effective date as of an entry."""
    r = v.record
    for day, kind in ((effective, "effective"), (r.announced, "announced"), (r.recorded, "recorded")):
        if day is not None:
            return day.isoformat(), kind
    first = r.first_commit
    return (first.committed[:10] if first is not None else "0000-00-00"), "committed"


def text_at(v: PublishedVersion, corrections: int) -> str:
    """The version's source after its first ``corrections`` corrections (its current source when the record does
    not hold the earlier ones)."""
    sources = v.record.sources
    return sources[corrections] if corrections < len(sources) else v.record.source


def counts(entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    from collections import Counter

    return {
        "total": len(entries),
        "by_class": dict(sorted(Counter(str(e["class"]) for e in entries).items())),
        "by_kind": dict(sorted(Counter(str(e["kind"]) for e in entries).items())),
    }
