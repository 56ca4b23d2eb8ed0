"""Periods compared as periods, and the refusals of kspub.law.period word for word.

How long a period can last decides whether a notice rule is lowered (docs/decisions/0403-rules-in-force.md) and
whether a rule undercuts a statute (KS132): each bound is checked at its edge, and against the calendar it
summarises."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kspub.law.counting import effective_window
from kspub.law.period import (
    NoticeTime,
    Period,
    PeriodError,
    Unit,
    at_least,
    parse_notice,
    parse_period,
    period_bounds,
)
from kspub.law.workdays import load_calendar

CAL = load_calendar()


def p(text: str) -> Period:
    return parse_period(text)


@pytest.mark.parametrize(
    ("period", "shortest", "longest"),
    [
        ("10日", 10, 10),
        ("10个工作日", 10, 26),  # 10 × 7/5 weekdays, and 12 days for the longest holiday blocks
        ("20个工作日", 20, 40),
        ("1个月", 28, 31),
        ("2个月", 56, 62),
        ("1年", 365, 366),
        ("2年", 730, 732),
        ("24小时", 1, 1),
        ("48小时", 2, 2),
        ("12小时", 0.5, 0.5),
    ],
)
def test_the_bounds_of_a_period_in_calendar_days(period: str, shortest: float, longest: float) -> None:
    assert period_bounds(p(period)) == (shortest, longest)


@pytest.mark.parametrize(
    ("period", "other", "never_shorter"),
    [
        ("10日", "10日", True),
        ("9日", "10日", False),
        ("10个工作日", "10日", True),  # decision record 0403: never shorter than as many calendar days
        ("10日", "10个工作日", False),
        ("26日", "10个工作日", True),
        ("25日", "10个工作日", False),
        ("30日", "1个月", False),  # 0403: 1 month is not comparable with 30 days, either way
        ("1个月", "30日", False),
        ("31日", "1个月", True),
        ("1个月", "28日", True),
        ("1个月", "29日", False),
        ("2个月", "56日", True),
        ("61日", "2个月", False),
        ("62日", "2个月", True),
        ("1年", "365日", True),
        ("1年", "366日", False),
        ("366日", "1年", True),
        ("365日", "1年", False),
        ("2年", "730日", True),
        ("731日", "2年", False),
        ("732日", "2年", True),
        ("1年", "12个月", True),  # a year is counted as twelve months (Art. 202): the same period
        ("12个月", "1年", True),
        ("11个月", "1年", False),
        ("1年", "13个月", False),
        ("2年", "24个月", True),
        ("25个月", "2年", True),
        ("24小时", "1日", True),
        ("23小时", "1日", False),
        ("1日", "24小时", True),
        ("1日", "25小时", False),
        ("48小时", "2日", True),
        ("2日", "49小时", False),
    ],
)
def test_a_period_is_at_least_another_only_when_it_can_never_be_shorter(
    period: str, other: str, never_shorter: bool
) -> None:
    assert at_least(p(period), p(other)) is never_shorter


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2004, 1, 1), dt.date(2025, 11, 30)), st.integers(1, 25))
def test_working_days_never_outlast_their_bound(d: dt.date, n: int) -> None:
    """The longest span is a bound for every notice date the calendar knows, across every holiday block."""
    window = effective_window(d, Period(n, Unit.WORKING_DAY), CAL)
    assert window.last_day is not None
    shortest, longest = period_bounds(window.period)
    assert shortest <= (window.last_day - d).days <= longest


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(2004, 1, 1), dt.date(2024, 6, 30)), st.integers(1, 24), st.sampled_from([Unit.MONTH, Unit.YEAR]))
def test_months_and_years_span_their_bounds(d: dt.date, n: int, unit: Unit) -> None:
    period = Period(n if unit is Unit.MONTH else 1 + n % 2, unit)
    window = effective_window(d, period, CAL)
    assert window.raw_last_day is not None
    shortest, longest = period_bounds(period)
    assert shortest <= (window.raw_last_day - d).days <= longest


PERIODS = [p(text) for text in ("7日", "10日", "26日", "28日", "31日", "62日", "366日", "10个工作日", "1个月", "2个月",
                                 "12个月", "13个月", "1年")]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dates(dt.date(2004, 1, 1), dt.date(2024, 6, 30)), st.sampled_from(PERIODS), st.sampled_from(PERIODS))
def test_a_period_at_least_another_never_takes_effect_earlier(d: dt.date, period: Period, other: Period) -> None:
    """What at_least promises, checked against the windows themselves: from any notice date, a period at least
    as long as another never gives an earlier effective date."""
    if at_least(period, other):
        assert effective_window(d, period, CAL).effective_date >= effective_window(d, other, CAL).effective_date


def test_a_chinese_numeral_that_reads_as_no_number_is_refused_with_its_digits() -> None:
    with pytest.raises(PeriodError) as info:
        parse_period("三五日")
    assert info.value.format() == "KS611 无法识别期间“三五日”中的数字“三五”（请改用阿拉伯数字）"


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("10 working  days", Period(10, Unit.WORKING_DAY)),  # any run of spaces between the words
        ("10 WORKING DAYS", Period(10, Unit.WORKING_DAY)),
        ("10 workdays", Period(10, Unit.WORKING_DAY)),
        ("2 hour", Period(2, Unit.HOUR)),
        ("10  日", Period(10, Unit.CALENDAR_DAY)),
        ("+10日", Period(10, Unit.CALENDAR_DAY)),
        ("0001000日", Period(1000, Unit.CALENDAR_DAY)),  # leading zeros are no digits of the count
        ("999999日", Period(999999, Unit.CALENDAR_DAY)),
    ],
)
def test_periods_written_loosely_still_read(text: str, period: Period) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("1000000日", "KS612 期间“1000000日”的数量过大（期间的数量最多 6 位数字）"),
        ("1" * 50 + "日", "KS612 期间“" + "1" * 40 + "”的数量过大（期间的数量最多 6 位数字）"),
        ("10 businessdays", "KS611 无法识别期间“10 businessdays”（请写成如 “10日”“10个自然日”“10个工作日”“1个月”“1年”“24小时”或“10 days”“1 month”）"),
        ("10 dayx", "KS611 无法识别期间“10 dayx”（请写成如 “10日”“10个自然日”“10个工作日”“1个月”“1年”“24小时”或“10 days”“1 month”）"),
        ("10 fortnights", "KS611 无法识别期间“10 fortnights”（请写成如 “10日”“10个自然日”“10个工作日”“1个月”“1年”“24小时”或“10 days”“1 month”）"),
        ("1.5日", "KS612 期间“1.5日”的数量必须是正整数（请写成如 “10日”“10个自然日”“10个工作日”“1个月”“1年”“24小时”或“10 days”“1 month”；"
                  "半个月等非整数期间请换算为日）"),
        ("0日", "KS612 期间“0日”的数量必须是正整数（请写成如 “10日”“10个自然日”“10个工作日”“1个月”“1年”“24小时”或“10 days”“1 month”；"
                "半个月等非整数期间请换算为日）"),
    ],
)  # fmt: skip
def test_a_period_that_cannot_be_counted_is_refused_with_how_to_write_it(text: str, refusal: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    assert info.value.format() == refusal


@pytest.mark.parametrize("count", [0, -1, True, 1.5, "3"])
def test_a_period_of_no_positive_whole_count_is_refused_with_what_it_got(count: int) -> None:
    with pytest.raises(PeriodError) as info:
        Period(count, Unit.CALENDAR_DAY)
    assert info.value.format() == (
        f"KS612 期间的数量必须是正整数，收到 {count!r}（请写成如 “10日”“10个自然日”“10个工作日”“1个月”“1年”“24小时”或“10 days”“1 month”）"
    )


@pytest.mark.parametrize("value", ["2026-3-2", "2026-03-02T9:00", "2026-02-30T09:00", "2026-03-02T09:00+25:00"])
def test_a_notice_time_that_cannot_be_read_is_refused_with_the_forms_it_may_take(value: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_notice(value)
    assert info.value.format() == (
        f"KS614 无法识别通知时间“{value}”（请写成日期 2026-03-02，或带时区的时间 2026-03-02T09:00+08:00 / 2026-03-01T16:30Z"
        "（不带时区按北京时间））"
    )


def test_a_notice_time_with_seconds_and_surrounding_spaces() -> None:
    assert parse_notice("2026-03-02T09:00:00Z").instant == dt.datetime(2026, 3, 2, 17, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert parse_notice(" 2026-03-02 ") == NoticeTime(dt.date(2026, 3, 2))
