"""Periods and notice times as the agreements write them (民法典第二百条至第二百零四条).

A period text ("10个自然日", "1个月", "24小时", "10 days") becomes a :class:`Period`; a notice time (a date, or a
time in Beijing time) becomes a :class:`NoticeTime`. Counting windows with them is :mod:`kspub.law.counting`.

The legal readings (Asia/Shanghai, what a bare date means) are recorded in
docs/decisions/0102-period-interpretation.md and docs/legal/periods.md.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kspub.chinese_text import chinese_numeral
from kspub.errors import KspubError

#: A period text kspub cannot read.
UNREADABLE_PERIOD = "KS611"
#: A period whose count is zero, negative or not a whole number.
BAD_PERIOD_COUNT = "KS612"
#: A period in a unit the Civil Code does not count in (weeks, minutes …).
UNSUPPORTED_PERIOD_UNIT = "KS613"
#: A notice date or time kspub cannot read.
UNREADABLE_NOTICE_TIME = "KS614"
#: An hour period given a notice date without a time of day.
HOURS_NEED_TIME = "KS615"
#: A computation that leaves the range of representable dates.
DATE_OUT_OF_RANGE = "KS616"
#: The Asia/Shanghai time-zone data is not installed.
MISSING_TIME_ZONE = "KS617"
#: The most digits a period's count may have: far above any notice period, far below Python's 4,300-digit
#: limit on reading integers.
MAX_PERIOD_DIGITS = 6

#: Notice dates are dates in Beijing (Art. 201 counts calendar days where the notice took effect).
TIME_ZONE = "Asia/Shanghai"

_PERIOD_EXAMPLES = "“10日”“10个自然日”“10个工作日”“1个月”“1年”“24小时”或“10 days”“1 month”"


class PeriodError(KspubError):
    """A period or a notice time that cannot be read, or arithmetic that cannot be done."""


class Unit(StrEnum):
    """The units the Civil Code counts in (Art. 200), with working days as agreements use them."""

    CALENDAR_DAY = "calendar_day"
    WORKING_DAY = "working_day"
    MONTH = "month"
    YEAR = "year"
    HOUR = "hour"


_UNIT_DISPLAY = {
    Unit.CALENDAR_DAY: "个自然日",
    Unit.WORKING_DAY: "个工作日",
    Unit.MONTH: "个月",
    Unit.YEAR: "年",
    Unit.HOUR: "小时",
}


class RollMode(StrEnum):
    """Which rest days move a period's last day later (Art. 203)."""

    ALL_REST_DAYS = "all_rest_days"
    """Default: every non-working day, ordinary weekends included."""
    STATUTORY_ONLY = "statutory_only"
    """Only days inside an official holiday block (statutory holidays, in-lieu days and joined weekends)."""


class EndMode(StrEnum):
    """How the effective date follows the period's last day."""

    STRICT = "strict"
    """Default: E = L + 1, the change applies once N full days have elapsed."""
    LENIENT = "lenient"
    """E = L, as some platforms do; a compliance risk."""


@dataclass(frozen=True, slots=True)
class Period:
    """A period of ``count`` whole ``unit``s."""

    count: int
    unit: Unit

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count <= 0:
            raise PeriodError(
                BAD_PERIOD_COUNT,
                f"期间的数量必须是正整数，收到 {self.count!r}",
                hint=f"请写成如 {_PERIOD_EXAMPLES}",
            )

    @property
    def display(self) -> str:
        """Chinese display: ``10个自然日``, ``10个工作日``, ``1个月``, ``1年``, ``24小时``."""
        return f"{self.count}{_UNIT_DISPLAY[self.unit]}"

    def __str__(self) -> str:
        return self.display

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "unit": self.unit.value}


# ---------------------------------------------------------------------------------------------------------
# Parsing periods

_CN_NUMBER = "[零〇一二两三四五六七八九十百千]+"
_NUMBER = rf"(?P<number>[+-]?\d+(?:\.\d+)?|{_CN_NUMBER}|半)"

_CN_UNITS: dict[str, Unit | None] = {
    "日": Unit.CALENDAR_DAY,
    "天": Unit.CALENDAR_DAY,
    "自然日": Unit.CALENDAR_DAY,
    "日历日": Unit.CALENDAR_DAY,
    "工作日": Unit.WORKING_DAY,
    "月": Unit.MONTH,
    "年": Unit.YEAR,
    "小时": Unit.HOUR,
    "钟头": Unit.HOUR,
    # Recognised only to be refused with a useful hint: the Civil Code counts in years, months, days, hours.
    "周": None,
    "星期": None,
    "礼拜": None,
    "分钟": None,
    "秒": None,
}
_CN_PERIOD = re.compile(rf"{_NUMBER}\s*个?\s*(?P<unit>{'|'.join(sorted(_CN_UNITS, key=len, reverse=True))})")

_EN_UNITS: dict[str, Unit | None] = {
    "day": Unit.CALENDAR_DAY,
    "natural day": Unit.CALENDAR_DAY,
    "calendar day": Unit.CALENDAR_DAY,
    "working day": Unit.WORKING_DAY,
    "business day": Unit.WORKING_DAY,
    "workday": Unit.WORKING_DAY,
    "month": Unit.MONTH,
    "year": Unit.YEAR,
    "hour": Unit.HOUR,
    "week": None,
    "minute": None,
    "second": None,
}
_EN_PERIOD = re.compile(r"(?P<number>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>[a-z]+(?:\s+[a-z]+)?)", re.IGNORECASE)


def _unreadable(text: str) -> PeriodError:
    return PeriodError(UNREADABLE_PERIOD, f"无法识别期间“{text}”", hint=f"请写成如 {_PERIOD_EXAMPLES}")


def parse_period(text: str) -> Period:
    """Read a period as agreements and users write it.

    Chinese: ``10日``, ``10天``, ``10个自然日``, ``10自然日``, ``10个工作日``, ``1个月``, ``1月``, ``1年``,
    ``24小时``, with Arabic or Chinese numerals (``三十日``, ``七日``, ``两个月``). English: ``10 days``,
    ``10 natural days``, ``10 calendar days``, ``10 working days``, ``10 business days``, ``1 month``,
    ``2 years``, ``24 hours``. Raises PeriodError: KS611 unreadable, KS612 count not a positive whole
    number, KS613 a unit the Civil Code does not count in.
    """
    # NFKC folds full-width digits and letters (１０日) into ASCII.
    normalized = unicodedata.normalize("NFKC", text).strip()
    match = _CN_PERIOD.fullmatch(normalized)
    units: dict[str, Unit | None] = _CN_UNITS
    if match is not None:
        unit_key = match.group("unit")
    else:
        match = _EN_PERIOD.fullmatch(normalized)
        if match is None:
            raise _unreadable(text)
        units = _EN_UNITS
        unit_key = re.sub(r"\s+", " ", match.group("unit").lower())
        if unit_key.endswith("s") and unit_key[:-1] in _EN_UNITS:
            unit_key = unit_key[:-1]  # plural
    if unit_key not in units:
        raise _unreadable(text)
    unit = units[unit_key]
    if unit is None:
        raise PeriodError(
            UNSUPPORTED_PERIOD_UNIT,
            f"期间“{text}”的单位不受支持：民法典第二百条按年、月、日、小时计算期间",
            hint="请换算为日或小时，例如“1周”写作“7日”",
        )
    count = _parse_count(match.group("number"), text)
    return Period(count, unit)


def _parse_count(number: str, text: str) -> int:
    bad = PeriodError(
        BAD_PERIOD_COUNT,
        f"期间“{text}”的数量必须是正整数",
        hint=f"请写成如 {_PERIOD_EXAMPLES}；半个月等非整数期间请换算为日",
    )
    if re.fullmatch(r"\+?\d+", number):
        if len(number.lstrip("+0")) > MAX_PERIOD_DIGITS:
            raise PeriodError(BAD_PERIOD_COUNT, f"期间“{text[:40]}”的数量过大", hint=f"期间的数量最多 {MAX_PERIOD_DIGITS} 位数字")
        value = int(number)
    elif re.fullmatch(_CN_NUMBER, number):
        value = _chinese_number(number, text)
    else:
        raise bad  # negative, fractional or 半
    if value <= 0:
        raise bad
    return value


def _chinese_number(number: str, text: str) -> int:
    """Chinese numerals up to 9999 (七, 十, 十五, 三十, 九十, 一百八十, 一百零五, 两千), read by the one reader."""
    value = chinese_numeral(number)
    if value is None:
        raise PeriodError(UNREADABLE_PERIOD, f"无法识别期间“{text}”中的数字“{number}”", hint="请改用阿拉伯数字")
    return value


# ---------------------------------------------------------------------------------------------------------
# Notice time


@lru_cache(maxsize=1)
def shanghai() -> ZoneInfo:
    """The Asia/Shanghai zone; raises PeriodError (KS617) when the system has no time-zone data."""
    try:
        return ZoneInfo(TIME_ZONE)
    except ZoneInfoNotFoundError as exc:
        raise PeriodError(
            MISSING_TIME_ZONE,
            f"找不到时区 {TIME_ZONE} 的数据",
            hint="请安装 tzdata（pip install tzdata）",
        ) from exc


@dataclass(frozen=True, slots=True)
class NoticeTime:
    """When a notice took effect: the Beijing date, and the instant when a time of day was given."""

    date: dt.date
    """The Asia/Shanghai calendar date D."""
    instant: dt.datetime | None = None
    """The instant, in Asia/Shanghai; None when only a date was given."""


NoticeInput = NoticeTime | dt.datetime | dt.date | str


def parse_notice(value: NoticeInput) -> NoticeTime:
    """Read a notice date (``2026-03-02``) or time (``2026-03-01T16:30Z``, ``2026-03-02T09:00+08:00``).

    A time with an offset or ``Z`` is converted to Beijing time; a time without one is Beijing time.
    Raises PeriodError (KS614) for text that is neither.
    """
    if isinstance(value, NoticeTime):
        return value
    if isinstance(value, dt.datetime):
        return _notice_from_datetime(value)
    if isinstance(value, dt.date):
        return NoticeTime(value)
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return NoticeTime(dt.date.fromisoformat(text))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", text):
            return _notice_from_datetime(dt.datetime.fromisoformat(re.sub(r"z$", "Z", text)))
    except ValueError:
        pass
    raise PeriodError(
        UNREADABLE_NOTICE_TIME,
        f"无法识别通知时间“{value}”",
        hint="请写成日期 2026-03-02，或带时区的时间 2026-03-02T09:00+08:00 / 2026-03-01T16:30Z（不带时区按北京时间）",
    )


def _notice_from_datetime(value: dt.datetime) -> NoticeTime:
    zone = shanghai()
    instant = value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
    return NoticeTime(instant.date(), instant)


def period_bounds(period: Period) -> tuple[float, float]:
    """The shortest and longest span of ``period`` in calendar days, whatever the calendar: 10 working days
    take at least 10 calendar days and, across the longest holiday blocks, far more."""
    n = period.count
    return {
        Unit.CALENDAR_DAY: (n, n),
        Unit.WORKING_DAY: (n, n * 7 / 5 + 12),
        Unit.MONTH: (28 * n, 31 * n),
        Unit.YEAR: (365 * n, 366 * n),
        Unit.HOUR: (n / 24, n / 24),
    }[period.unit]


def at_least(period: Period, other: Period) -> bool:
    """True when ``period`` is never shorter than ``other``, from any notice date."""
    if period.unit == other.unit:
        return period.count >= other.count
    if {period.unit, other.unit} == {Unit.MONTH, Unit.YEAR}:  # a year is counted as twelve months (Art. 202)
        return _months(period) >= _months(other)
    return period_bounds(period)[0] >= period_bounds(other)[1]


def _months(period: Period) -> int:
    return period.count * 12 if period.unit is Unit.YEAR else period.count
