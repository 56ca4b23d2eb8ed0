"""An independent oracle for notice windows, written from the legal reference alone, never from kspub's code.

docs/legal/periods.md states the Civil Code period rules (Arts. 200–204, 1259), the algorithm of its §3 with its
two interpretations (roll mode, end mode) and the worked examples of its §4; docs/legal/notice.md §4 says which
rules judge a change. This module implements that text directly, with its own calendar lookup and its own
arithmetic, so that the gate and :mod:`kspub.law` can be compared with it (tests/test_gate_oracle.py). It imports
nothing from kspub.

Only the calendar *data* is shared, because it is the official schedule and must not be retyped: the tables of
the ``chinesecalendar`` package (``holidays``, ``workdays``; never its helpers, which miscount: docs/legal/
calendar.md §6), with the one correction that section names (2005-12-31 was a working day under the 2006
notice), and any year files ``<year>.yaml`` (kspub/data/calendar/README.md gives their format; a year file
replaces its year).

Which rules of an agreement apply to a change is not law but the agreement's own ``notice`` block, whose meaning
docs/source-format.md §四 and CONTRIBUTING.md ("Adding a notice rule") document: the default rule applies to every
material change, a rule with ``tags`` to the changed clauses that carry one of them, a statute in ``statutes``
to every material change; the stricter of all applicable rules governs. Between the two versions of a pull
request notice.md §4 governs: the rules of the base and the rules the change brings, the later date wins.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ONE_DAY = dt.timedelta(days=1)
#: periods.md §3.1: the notice date is the Asia/Shanghai calendar date.
SHANGHAI = ZoneInfo("Asia/Shanghai")

# The two interpretations of periods.md §3.5 and §3.6, by the names it gives them.
ALL_REST_DAYS = "all_rest_days"  # default: every non-working day is a rest day for the roll
STATUTORY_ONLY = "statutory_only"  # roll only inside official holiday blocks
STRICT = "strict"  # default: E = L + 1
LENIENT = "lenient"  # E = L, a compliance risk

DAY, WORKING_DAY, MONTH, YEAR, HOUR = "day", "working_day", "month", "year", "hour"

#: periods.md §3.2: 日 / 天 / 自然日 = calendar days; 工作日; 个月 / 月; 年; 小时.
_UNITS = {"自然日": DAY, "日": DAY, "天": DAY, "工作日": WORKING_DAY, "月": MONTH, "年": YEAR, "小时": HOUR}
_PERIOD = re.compile(r"^\s*(\d+)\s*个?\s*(自然日|工作日|小时|日|天|月|年)\s*$")

#: periods.md §3.9: days after this day of December of the last known year make a result provisional.
PROVISIONAL_AFTER = 20


class UnknownYear(Exception):
    """periods.md §3.9: a date the computation must classify lies in a year with no official schedule."""

    def __init__(self, day: dt.date) -> None:
        super().__init__(f"no official schedule for {day.year} (needed for {day})")
        self.day = day
        self.year = day.year


@dataclass(frozen=True)
class Period:
    count: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Period:
        m = _PERIOD.match(text)
        if m is None:
            raise ValueError(f"not a period of periods.md §3.2: {text!r}")
        return cls(int(m.group(1)), _UNITS[m.group(2)])


# --- the calendar ------------------------------------------------------------------------------------------


def _dates(value: object) -> Iterable[dt.date]:
    """A year file's date list: one date, a range ``A..B`` (both ends included) or a list of those."""
    for item in value if isinstance(value, list) else [value]:
        first, _, last = str(item).partition("..")
        a = dt.date.fromisoformat(first.strip())
        b = dt.date.fromisoformat(last.strip()) if last else a
        while a <= b:
            yield a
            a += ONE_DAY


@dataclass
class Calendar:
    """The official schedule as two sets: the days off the State Council notices announce (statutory holidays and
    in-lieu rest days) and the make-up working days (调休上班). Every other day follows the ordinary week."""

    days_off: set[dt.date] = field(default_factory=set)
    make_up: set[dt.date] = field(default_factory=set)
    years: set[int] = field(default_factory=set)

    @classmethod
    def official(cls, year_dirs: Sequence[Path] = ()) -> Calendar:
        from chinese_calendar import constants  # the official tables (data only)

        cal = cls(set(constants.holidays), set(constants.workdays))
        # chinesecalendar supports exactly the years from its first to its last listed holiday.
        cal.years = set(range(min(constants.holidays).year, max(constants.holidays).year + 1))
        # calendar.md §6: its data wrongly makes 2005-12-31 a rest day; the 2006 notice made it a working day.
        cal.days_off.discard(dt.date(2005, 12, 31))
        cal.make_up.add(dt.date(2005, 12, 31))
        package = Path(__file__).resolve().parent.parent / "kspub" / "data" / "calendar"
        for directory in (package, *year_dirs):
            for path in sorted(directory.glob("*.yaml")):
                cal.add_year_file(yaml.safe_load(path.read_text("utf-8")))
        return cal

    def add_year_file(self, data: dict[str, object]) -> None:
        """A transcribed notice replaces its year; the dates it gives in December before it are set as given."""
        year = int(str(data["year"]))
        self.days_off = {d for d in self.days_off if d.year != year}
        self.make_up = {d for d in self.make_up if d.year != year}
        holidays = data.get("holidays")
        for holiday in holidays if isinstance(holidays, list) else []:
            for day in (*_dates(holiday.get("rest", [])), *_dates(holiday.get("in_lieu", []))):
                self.make_up.discard(day)
                self.days_off.add(day)
            for day in _dates(holiday.get("workdays", [])):
                self.days_off.discard(day)
                self.make_up.add(day)
        self.years.add(year)

    def known(self, day: dt.date) -> bool:
        return day.year in self.years

    def is_working(self, day: dt.date) -> bool:
        """periods.md §3.4: make-up working days work; statutory holidays, in-lieu days and ordinary weekends do not."""
        if not self.known(day):
            raise UnknownYear(day)
        if day in self.make_up:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5

    def in_holiday_block(self, day: dt.date) -> bool:
        """periods.md §3.5 (``statutory_only``): ``day`` is a rest day of an official holiday block — a run of
        consecutive days off that holds a day the notice announces (the notices join the weekend next to a
        holiday to it, 与周末连休: calendar.md §4; its §5 shows 2026's 元旦 01-01…03 ending on a Saturday)."""
        if self.is_working(day):
            return False
        for step in (-ONE_DAY, ONE_DAY):
            cur = day
            # a neighbour in a year with no schedule cannot be classified: the run is taken to end there
            while self.known(cur) and not self.is_working(cur):
                if cur in self.days_off:
                    return True
                cur += step
        return False

    def provisional(self, day: dt.date) -> bool:
        """periods.md §3.9: after 20 December of a year whose successor has no schedule yet."""
        return day.month == 12 and day.day > PROVISIONAL_AFTER and (day.year + 1) not in self.years


# --- periods.md §3: one period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    notice_date: dt.date
    last_day: dt.date | None
    """L (None for hours)."""
    effective_date: dt.date
    """E; for hours the Beijing date of the effective instant."""
    effective_instant: dt.datetime | None = None
    rolled: bool = False
    provisional: bool = False


def notice_date(notice: dt.date | dt.datetime) -> dt.date:
    """periods.md §3.1: D is the Asia/Shanghai date of the notice (a timestamp in another zone is converted first)."""
    if isinstance(notice, dt.datetime):
        if notice.tzinfo is None:
            raise ValueError("the oracle takes timestamps with their zone")
        return notice.astimezone(SHANGHAI).date()
    return notice


def add_months(day: dt.date, months: int) -> dt.date:
    """Art. 202: the corresponding day of the month ``months`` later, or that month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    first_of_next = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return dt.date(year, month, min(day.day, (first_of_next - ONE_DAY).day))


def forward(notice: dt.date | dt.datetime, period: Period, cal: Calendar, *, roll: str = ALL_REST_DAYS,
            end: str = STRICT) -> Window:  # fmt: skip
    """periods.md §3: the window of a notice that took effect at ``notice``."""
    if period.unit == HOUR:
        # §3.7: E = notice instant + N hours, no rolling (a date alone has no instant)
        if not isinstance(notice, dt.datetime):
            raise ValueError("an hour period needs the notice instant")
        instant = notice.astimezone(SHANGHAI) + dt.timedelta(hours=period.count)
        return Window(notice_date(notice), None, instant.date(), instant)
    d = notice_date(notice)  # §3.1: D itself is never counted
    classified: list[dt.date] = []

    def working(day: dt.date) -> bool:
        classified.append(day)
        return cal.is_working(day)

    rolled = False
    if period.unit == WORKING_DAY:
        # §3.4: walk forward from D + 1 counting only working days; L is the N-th; no roll
        last, seen = d, 0
        while seen < period.count:
            last += ONE_DAY
            if working(last):
                seen += 1
    else:
        if period.unit == DAY:  # §3.3
            last = d + dt.timedelta(days=period.count)
        else:  # §3.3, Art. 202
            last = add_months(d, period.count * (12 if period.unit == YEAR else 1))
        # §3.5 (Art. 203): while L is a rest day, move it one day later
        while True:
            if working(last):
                break
            if roll == STATUTORY_ONLY and not cal.in_holiday_block(last):
                break
            last += ONE_DAY
            rolled = True
    # §3.6: the period ends at 24:00 of L
    effective = last + ONE_DAY if end == STRICT else last
    return Window(d, last, effective, None, rolled, any(cal.provisional(day) for day in classified))


def reverse(target: dt.date, period: Period, cal: Calendar, *, roll: str = ALL_REST_DAYS,
            end: str = STRICT) -> dt.date:  # fmt: skip
    """periods.md §3.8: the latest notice date whose window gives E no later than ``target``: step D down from E − 1
    until forward(D) ≤ target. A D whose period cannot end before ``target`` whatever the calendar says (L is
    never earlier than the unrolled L, and N working days take at least N days) needs no day classified: a
    date the computation does not *need* is not looked up (§3.9 fails only on days it must classify)."""
    shift = ONE_DAY if end == STRICT else dt.timedelta(0)
    d = target - ONE_DAY
    while True:
        if period.unit in (DAY, WORKING_DAY):
            lowest = d + dt.timedelta(days=period.count)
        else:
            lowest = add_months(d, period.count * (12 if period.unit == YEAR else 1))
        if lowest + shift <= target and forward(d, period, cal, roll=roll, end=end).effective_date <= target:
            return d
        d -= ONE_DAY


# --- notice.md §4 and the agreement's notice block ---------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One rule of a ``notice`` block: its period (None for a rule of channels or consent only) and the tags
    it applies to (``None``: every material change, as the default rule and a statute do)."""

    period: Period | None
    tags: frozenset[str] | None = None


@dataclass(frozen=True)
class Terms:
    """The notice terms of one version of an agreement."""

    rules: tuple[Rule, ...]
    roll: str = ALL_REST_DAYS
    end: str = STRICT

    def earliest(self, announced: dt.date, changed: Sequence[frozenset[str]], cal: Calendar) -> dt.date | None:
        """The stricter of every applicable rule: the latest E among them (None: no rule with a period)."""
        dates = [
            forward(announced, rule.period, cal, roll=self.roll, end=self.end).effective_date
            for rule in self.rules
            if rule.period is not None and changed and (rule.tags is None or any(rule.tags & t for t in changed))
        ]
        return max(dates, default=None)


def earliest_effective(announced: dt.date, changed: Sequence[frozenset[str]], base: Terms, head: Terms,
                       cal: Calendar) -> dt.date | None:  # fmt: skip
    """notice.md §4: the notice a change announced on ``announced`` needs, with the rules of the version customers have
    and with the rules the change brings; the stricter (later) governs. ``changed`` holds the tags of each
    materially changed clause. Raises :class:`UnknownYear` when a date that must be classified has no schedule."""
    dates = [e for e in (base.earliest(announced, changed, cal), head.earliest(announced, changed, cal)) if e]
    return max(dates, default=None)


#: The statute with a number of days (notice.md §1): E-Commerce Law Art. 34, "修改内容应当至少在实施前七日予以公示".
ECOMMERCE_ART_34 = Rule(Period(7, DAY))
