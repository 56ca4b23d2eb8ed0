"""Periods and the Civil Code arithmetic: parsing, forward windows, reverse questions, properties."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kspub.errors import CalendarError, KspubError
from kspub.law.counting import add_months, announced_day_window, effective_window, latest_notice_date
from kspub.law.period import (
    EndMode,
    NoticeTime,
    Period,
    PeriodError,
    RollMode,
    Unit,
    parse_notice,
    parse_period,
)
from kspub.law.workdays import WorkCalendar, load_calendar

D = dt.date
CAL = load_calendar()
FICTIONAL = Path(__file__).parent / "fixtures" / "calendar" / "fictional"
ALL, STAT = RollMode.ALL_REST_DAYS, RollMode.STATUTORY_ONLY
STRICT, LENIENT = EndMode.STRICT, EndMode.LENIENT


def beijing(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.timezone(dt.timedelta(hours=8)))


# ---------------------------------------------------------------------------------------------------------
# Parsing periods


@pytest.mark.parametrize(
    ("text", "count", "unit"),
    [
        ("10日", 10, Unit.CALENDAR_DAY),
        ("10天", 10, Unit.CALENDAR_DAY),
        ("10个自然日", 10, Unit.CALENDAR_DAY),
        ("10自然日", 10, Unit.CALENDAR_DAY),
        ("10个工作日", 10, Unit.WORKING_DAY),
        ("10工作日", 10, Unit.WORKING_DAY),
        ("1个月", 1, Unit.MONTH),
        ("1月", 1, Unit.MONTH),
        ("1年", 1, Unit.YEAR),
        ("24小时", 24, Unit.HOUR),
        ("24个小时", 24, Unit.HOUR),
        ("三十日", 30, Unit.CALENDAR_DAY),
        ("七日", 7, Unit.CALENDAR_DAY),
        ("十五天", 15, Unit.CALENDAR_DAY),
        ("十个工作日", 10, Unit.WORKING_DAY),
        ("两个月", 2, Unit.MONTH),
        ("一百八十日", 180, Unit.CALENDAR_DAY),
        ("一百零五日", 105, Unit.CALENDAR_DAY),
        ("１０日", 10, Unit.CALENDAR_DAY),  # full-width digits
        (" 10 日 ", 10, Unit.CALENDAR_DAY),
        ("10 days", 10, Unit.CALENDAR_DAY),
        ("1 day", 1, Unit.CALENDAR_DAY),
        ("10days", 10, Unit.CALENDAR_DAY),
        ("10 Days", 10, Unit.CALENDAR_DAY),
        ("10 natural days", 10, Unit.CALENDAR_DAY),
        ("10 calendar days", 10, Unit.CALENDAR_DAY),
        ("10 working days", 10, Unit.WORKING_DAY),
        ("10 business days", 10, Unit.WORKING_DAY),
        ("1 month", 1, Unit.MONTH),
        ("2 months", 2, Unit.MONTH),
        ("1 year", 1, Unit.YEAR),
        ("2 years", 2, Unit.YEAR),
        ("24 hours", 24, Unit.HOUR),
        ("1 hour", 1, Unit.HOUR),
    ],
)
def test_parse_period(text: str, count: int, unit: Unit) -> None:
    assert parse_period(text) == Period(count, unit)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0日", "KS612"),
        ("零日", "KS612"),
        ("-3日", "KS612"),
        ("1.5日", "KS612"),
        ("半个月", "KS612"),
        ("0 days", "KS612"),
        ("-1 month", "KS612"),
        ("10周", "KS613"),
        ("2个星期", "KS613"),
        ("30分钟", "KS613"),
        ("2 weeks", "KS613"),
        ("abc", "KS611"),
        ("", "KS611"),
        ("10", "KS611"),
        ("日", "KS611"),
        ("10 fortnights", "KS611"),
        ("三五日", "KS611"),
        ("十十日", "KS611"),
        ("10日以内", "KS611"),
    ],
)
def test_parse_period_rejects(text: str, code: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(text)
    assert info.value.code == code
    assert info.value.hint  # every refusal says how to fix it


def test_parse_period_messages_are_exact() -> None:
    with pytest.raises(PeriodError) as info:
        parse_period("10周")
    assert info.value.format() == (
        "KS613 期间“10周”的单位不受支持：民法典第二百条按年、月、日、小时计算期间（请换算为日或小时，例如“1周”写作“7日”）"
    )
    with pytest.raises(PeriodError) as info:
        parse_period("0日")
    assert info.value.message == "期间“0日”的数量必须是正整数"


@pytest.mark.parametrize("count", [0, -1, True])
def test_period_refuses_bad_counts(count: int) -> None:
    with pytest.raises(PeriodError) as info:
        Period(count, Unit.CALENDAR_DAY)
    assert info.value.code == "KS612"
    assert isinstance(info.value, KspubError)


@pytest.mark.parametrize(
    ("period", "display"),
    [
        (Period(10, Unit.CALENDAR_DAY), "10个自然日"),
        (Period(10, Unit.WORKING_DAY), "10个工作日"),
        (Period(1, Unit.MONTH), "1个月"),
        (Period(1, Unit.YEAR), "1年"),
        (Period(24, Unit.HOUR), "24小时"),
    ],
)
def test_period_display(period: Period, display: str) -> None:
    assert period.display == display == str(period)
    assert parse_period(display) == period


# ---------------------------------------------------------------------------------------------------------
# Notice times


@pytest.mark.parametrize(
    ("value", "date", "instant"),
    [
        ("2026-03-02", D(2026, 3, 2), None),
        ("2026-03-01T16:30Z", D(2026, 3, 2), beijing(2026, 3, 2, 0, 30)),
        ("2026-03-01T16:30z", D(2026, 3, 2), beijing(2026, 3, 2, 0, 30)),
        ("2026-03-01T23:59", D(2026, 3, 1), beijing(2026, 3, 1, 23, 59)),  # naive: Beijing time
        ("2026-03-01 08:00", D(2026, 3, 1), beijing(2026, 3, 1, 8, 0)),
        ("2026-03-01T20:00-05:00", D(2026, 3, 2), beijing(2026, 3, 2, 9, 0)),
        ("2026-03-02T09:00+08:00", D(2026, 3, 2), beijing(2026, 3, 2, 9, 0)),
        (D(2026, 3, 2), D(2026, 3, 2), None),
        (dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC), D(2026, 3, 2), beijing(2026, 3, 2, 0, 30)),
        (dt.datetime(2026, 3, 1, 16, 30), D(2026, 3, 1), beijing(2026, 3, 1, 16, 30)),
    ],
)
def test_parse_notice(value: str | dt.date, date: dt.date, instant: dt.datetime | None) -> None:
    notice = parse_notice(value)
    assert notice.date == date
    assert notice.instant == instant
    if notice.instant is not None:
        assert notice.instant.utcoffset() == dt.timedelta(hours=8)
        assert str(notice.instant.tzinfo) == "Asia/Shanghai"


@pytest.mark.parametrize("value", ["2026-02-30", "yesterday", "2026/03/02", "2026-03-02T25:00", ""])
def test_parse_notice_rejects(value: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_notice(value)
    assert info.value.code == "KS614"


# ---------------------------------------------------------------------------------------------------------
# docs/legal/periods.md §4 worked examples (strict E, default roll mode)


@pytest.mark.parametrize(
    ("notice", "period", "last_day", "effective"),
    [
        ("2026-03-02", "7 自然日", D(2026, 3, 9), D(2026, 3, 10)),
        ("2026-02-13", "7 日", D(2026, 2, 24), D(2026, 2, 25)),
        ("2026-02-13", "10 工作日", D(2026, 3, 5), D(2026, 3, 6)),
        ("2026-02-07", "7 天", D(2026, 2, 14), D(2026, 2, 15)),
    ],
)
def test_legal_rules_worked_examples(notice: str, period: str, last_day: dt.date, effective: dt.date) -> None:
    window = effective_window(notice, parse_period(period), CAL)
    assert window.last_day == last_day
    assert window.effective_date == effective
    assert window.provisional is False


def test_worked_example_in_lieu_day_rolls() -> None:
    window = effective_window("2026-02-13", parse_period("7日"), CAL)
    assert window.raw_last_day == D(2026, 2, 20)
    assert window.rolled is True
    assert window.classified_days == tuple(D(2026, 2, d) for d in range(20, 25))


def test_worked_example_make_up_saturdays_count() -> None:
    window = effective_window("2026-02-13", parse_period("10 工作日"), CAL)
    assert window.rolled is False
    # Every day walked is classified: 02-14 … 03-05.
    assert window.classified_days[0] == D(2026, 2, 14)
    assert window.classified_days[-1] == D(2026, 3, 5)
    assert len(window.classified_days) == 20
    assert "计入调休上班日 2026-02-14、2026-02-28" in window.explanation


def test_worked_example_unknown_year() -> None:
    with pytest.raises(CalendarError) as info:
        effective_window("2026-12-28", parse_period("7日"), CAL)
    assert info.value.code == "KS601"
    assert "2027年" in info.value.message
    assert "kspub/data/calendar/2027.yaml" in info.value.message


def test_worked_example_reverse() -> None:
    answer = latest_notice_date("2026-10-08", parse_period("7日"), CAL)
    assert answer.latest_notice_date == D(2026, 9, 23)
    assert answer.window.effective_date == D(2026, 10, 1)
    # 09-24 … 09-30 all give E 10-09.
    for day in range(24, 31):
        assert effective_window(D(2026, 9, day), parse_period("7日"), CAL).effective_date == D(2026, 10, 9)


# ---------------------------------------------------------------------------------------------------------
# Our own table, reasoned from the State Council notices (not from the code)

CASES = [
    # notice, period, roll, end, raw L, L, E, provisional
    # Month ends and leap years (Art. 202).
    ("2024-02-29", "1年", ALL, STRICT, D(2025, 2, 28), D(2025, 2, 28), D(2025, 3, 1), False),
    ("2024-01-31", "1个月", ALL, STRICT, D(2024, 2, 29), D(2024, 2, 29), D(2024, 3, 1), False),
    ("2023-01-31", "1个月", ALL, STRICT, D(2023, 2, 28), D(2023, 2, 28), D(2023, 3, 1), False),
    ("2023-02-28", "1年", ALL, STRICT, D(2024, 2, 28), D(2024, 2, 28), D(2024, 2, 29), False),
    ("2020-02-29", "4年", ALL, STRICT, D(2024, 2, 29), D(2024, 2, 29), D(2024, 3, 1), False),
    ("2025-08-31", "1个月", ALL, STRICT, D(2025, 9, 30), D(2025, 9, 30), D(2025, 10, 1), False),
    # 2025 国庆+中秋 10-01…08 off: L rolls to Thursday 10-09.
    ("2025-09-01", "1个月", ALL, STRICT, D(2025, 10, 1), D(2025, 10, 9), D(2025, 10, 10), False),
    ("2026-03-31", "1个月", ALL, STRICT, D(2026, 4, 30), D(2026, 4, 30), D(2026, 5, 1), False),
    # 2026-02-28 is a make-up Saturday: no roll.
    ("2026-01-31", "1个月", ALL, STRICT, D(2026, 2, 28), D(2026, 2, 28), D(2026, 3, 1), False),
    ("2025-12-31", "2个月", ALL, STRICT, D(2026, 2, 28), D(2026, 2, 28), D(2026, 3, 1), False),
    ("2025-02-14", "1年", ALL, STRICT, D(2026, 2, 14), D(2026, 2, 14), D(2026, 2, 15), False),
    ("2025-02-15", "1年", ALL, STRICT, D(2026, 2, 15), D(2026, 2, 24), D(2026, 2, 25), False),
    # Make-up working days are not rest days.
    ("2025-09-21", "7日", ALL, STRICT, D(2025, 9, 28), D(2025, 9, 28), D(2025, 9, 29), False),
    ("2012-09-22", "7日", ALL, STRICT, D(2012, 9, 29), D(2012, 9, 29), D(2012, 9, 30), False),
    ("2004-01-10", "7日", ALL, STRICT, D(2004, 1, 17), D(2004, 1, 17), D(2004, 1, 18), False),
    ("2018-12-22", "7日", ALL, STRICT, D(2018, 12, 29), D(2018, 12, 29), D(2018, 12, 30), False),
    ("2026-01-15", "30日", ALL, STRICT, D(2026, 2, 14), D(2026, 2, 14), D(2026, 2, 15), False),
    # 2005-12-31 worked under the 2006 notice (chinesecalendar would roll to 2006-01-04).
    ("2005-12-24", "7日", ALL, STRICT, D(2005, 12, 31), D(2005, 12, 31), D(2006, 1, 1), False),
    ("2005-12-30", "1个工作日", ALL, STRICT, D(2005, 12, 31), D(2005, 12, 31), D(2006, 1, 1), False),
    # Holiday blocks roll to the day after they end.
    ("2024-02-03", "7日", ALL, STRICT, D(2024, 2, 10), D(2024, 2, 18), D(2024, 2, 19), False),
    ("2018-12-23", "7日", ALL, STRICT, D(2018, 12, 30), D(2019, 1, 2), D(2019, 1, 3), False),
    ("2024-12-25", "7日", ALL, STRICT, D(2025, 1, 1), D(2025, 1, 2), D(2025, 1, 3), False),
    ("2015-08-27", "7日", ALL, STRICT, D(2015, 9, 3), D(2015, 9, 6), D(2015, 9, 7), False),
    ("2008-03-28", "7日", ALL, STRICT, D(2008, 4, 4), D(2008, 4, 7), D(2008, 4, 8), False),
    # 2020 Spring Festival extended to 02-02 by the State Council.
    ("2020-01-20", "10日", ALL, STRICT, D(2020, 1, 30), D(2020, 2, 3), D(2020, 2, 4), False),
    # Roll modes: an ordinary weekend rolls by default, not in statutory_only.
    ("2026-03-07", "7日", ALL, STRICT, D(2026, 3, 14), D(2026, 3, 16), D(2026, 3, 17), False),
    ("2026-03-07", "7日", STAT, STRICT, D(2026, 3, 14), D(2026, 3, 14), D(2026, 3, 15), False),
    ("2026-02-13", "7日", STAT, STRICT, D(2026, 2, 20), D(2026, 2, 24), D(2026, 2, 25), False),
    # 2015-09-05 (Saturday) was announced with the 09-03 holiday: statutory_only rolls past it.
    ("2015-08-29", "7日", STAT, STRICT, D(2015, 9, 5), D(2015, 9, 6), D(2015, 9, 7), False),
    # Lenient end: E = L.
    ("2026-03-02", "7自然日", ALL, LENIENT, D(2026, 3, 9), D(2026, 3, 9), D(2026, 3, 9), False),
    ("2026-02-13", "7日", ALL, LENIENT, D(2026, 2, 20), D(2026, 2, 24), D(2026, 2, 24), False),
    # Working days: make-up days count, holidays and weekends do not.
    ("2024-02-08", "5个工作日", ALL, STRICT, D(2024, 2, 21), D(2024, 2, 21), D(2024, 2, 22), False),
    ("2025-01-24", "3个工作日", ALL, STRICT, D(2025, 2, 5), D(2025, 2, 5), D(2025, 2, 6), False),
    ("2014-01-20", "5个工作日", ALL, STRICT, D(2014, 1, 26), D(2014, 1, 26), D(2014, 1, 27), False),
    # Time zones: the Beijing date is D.
    (
        "2026-09-30T23:30:00+00:00",
        "10个工作日",
        ALL,
        STRICT,
        D(2026, 10, 20),
        D(2026, 10, 20),
        D(2026, 10, 21),
        False,
    ),
    ("2026-02-12T17:00-08:00", "7日", ALL, STRICT, D(2026, 2, 20), D(2026, 2, 24), D(2026, 2, 25), False),
    ("2026-03-01T23:59", "7日", ALL, STRICT, D(2026, 3, 8), D(2026, 3, 9), D(2026, 3, 10), False),
    # D before the first known year is never classified.
    ("2003-12-20", "30日", ALL, STRICT, D(2004, 1, 19), D(2004, 1, 19), D(2004, 1, 20), False),
    # Provisional: a classified day after 20 December of the last known year.
    ("2026-12-14", "7日", ALL, STRICT, D(2026, 12, 21), D(2026, 12, 21), D(2026, 12, 22), True),
    ("2026-12-13", "7日", ALL, STRICT, D(2026, 12, 20), D(2026, 12, 21), D(2026, 12, 22), True),
    ("2026-12-20", "1个工作日", ALL, STRICT, D(2026, 12, 21), D(2026, 12, 21), D(2026, 12, 22), True),
    ("2026-12-06", "7日", ALL, STRICT, D(2026, 12, 13), D(2026, 12, 14), D(2026, 12, 15), False),
    ("2025-12-24", "7日", ALL, STRICT, D(2025, 12, 31), D(2025, 12, 31), D(2026, 1, 1), False),
    # L = 2026-12-31 is known (a Thursday) but provisional; E falls in 2027 and needs no classifying.
    ("2025-12-31", "1年", ALL, STRICT, D(2026, 12, 31), D(2026, 12, 31), D(2027, 1, 1), True),
]


@pytest.mark.parametrize(
    ("notice", "period", "roll", "end", "raw_last", "last", "effective", "provisional"), CASES
)
def test_forward_table(
    notice: str,
    period: str,
    roll: RollMode,
    end: EndMode,
    raw_last: dt.date,
    last: dt.date,
    effective: dt.date,
    provisional: bool,
) -> None:
    window = effective_window(notice, parse_period(period), CAL, roll=roll, end=end)
    assert (window.raw_last_day, window.last_day, window.effective_date) == (raw_last, last, effective)
    assert window.rolled is (raw_last != last)
    assert window.provisional is provisional
    assert (window.compliance_risk is not None) is (end is LENIENT)
    assert ("暂定" in window.explanation) is provisional


def test_table_has_at_least_25_own_cases() -> None:
    assert len(CASES) >= 25
    assert {int(c[0][:4]) for c in CASES} >= {2004, 2005, 2008, 2012, 2015, 2018, 2020, 2024, 2025, 2026}


@pytest.mark.parametrize(
    ("notice", "period", "year"),
    [
        ("2003-12-01", "7日", 2003),
        ("2026-12-24", "10个工作日", 2027),
        ("2026-12-30", "1个月", 2027),
        ("2026-01-31", "1年", 2027),
        ("2003-11-15", "1个工作日", 2003),
    ],
)
def test_forward_unknown_year(notice: str, period: str, year: int) -> None:
    with pytest.raises(CalendarError) as info:
        effective_window(notice, parse_period(period), CAL)
    assert info.value.code == "KS601"
    assert f"{year}年" in info.value.message
    assert f"kspub/data/calendar/{year}.yaml" in info.value.message


def test_explanation_steps() -> None:
    window = effective_window("2026-02-13", parse_period("7日"), CAL)
    assert window.steps == (
        "通知生效日 D=2026-02-13（星期五，北京时间），当日不计入（民法典第二百零一条）",
        "自 2026-02-14 起算7个自然日，期间最后一日为 2026-02-20",
        "期间最后一日 2026-02-20（星期五，春节调休休息日）为休假日，2026-02-21（星期六，春节假期）、"
        "2026-02-22（星期日，春节假期）、2026-02-23（星期一，春节调休休息日）亦为休假日，"
        "依第二百零三条按默认口径（休息日均顺延，含普通周末）顺延至 2026-02-24（星期二，工作日）",
        "期间于 2026-02-24 24时届满（第二百零三条）",
        "严格口径：期间届满后次日生效，最早生效日 E=2026-02-25（星期三）",
    )
    assert window.explanation == "；".join(window.steps) + "。"


def test_explanations_of_month_ends_and_no_roll() -> None:
    leap = effective_window("2024-02-29", parse_period("1年"), CAL).explanation
    assert "到期月没有对应日（2025年2月没有29日），以月末日 2025-02-28 为期间最后一日（第二百零二条）" in leap
    makeup = effective_window("2026-02-07", parse_period("7天"), CAL).explanation
    assert "期间最后一日 2026-02-14（星期六，春节调休上班日）不是休假日，不顺延" in makeup
    weekend = effective_window("2026-03-07", parse_period("7日"), CAL, roll=STAT).explanation
    assert "不在法定节假日内，按“仅法定节假日顺延”口径不顺延" in weekend
    lenient = effective_window("2026-03-02", parse_period("7日"), CAL, end=LENIENT)
    assert "宽松口径" in lenient.explanation and "合规风险" in lenient.explanation
    assert lenient.compliance_risk is not None and "二十四时" in lenient.compliance_risk


# ---------------------------------------------------------------------------------------------------------
# Hours


@pytest.mark.parametrize(
    ("notice", "period", "instant"),
    [
        ("2026-03-01T16:30Z", "24小时", beijing(2026, 3, 3, 0, 30)),
        # Hours never roll, even into the National Day holiday.
        ("2026-09-30T20:00+08:00", "24小时", beijing(2026, 10, 1, 20, 0)),
        ("2026-02-13T09:00", "72 hours", beijing(2026, 2, 16, 9, 0)),
        # No day is classified, so an unknown year is no obstacle.
        ("2027-05-01T10:00+08:00", "24 hours", beijing(2027, 5, 2, 10, 0)),
    ],
)
def test_hours(notice: str, period: str, instant: dt.datetime) -> None:
    window = effective_window(notice, parse_period(period), CAL, end=LENIENT)
    assert window.effective_instant == instant
    assert window.effective_date == instant.date()
    assert (window.last_day, window.raw_last_day, window.rolled, window.provisional) == (
        None,
        None,
        False,
        False,
    )
    assert window.compliance_risk is None
    assert window.classified_days == ()
    assert "不适用休假日顺延" in window.explanation


def test_hours_need_a_time_of_day() -> None:
    with pytest.raises(PeriodError) as info:
        effective_window("2026-03-02", parse_period("24小时"), CAL)
    assert info.value.code == "KS615"
    assert "2026-03-02" in info.value.message


@pytest.mark.parametrize(
    ("announced", "period", "ends", "effective"),
    [
        # decision record 0103: from 24:00 of the announced day; E is the first day starting at or after the end
        ("2026-03-02", "48小时", beijing(2026, 3, 5, 0, 0), "2026-03-05"),
        ("2026-03-02", "36小时", beijing(2026, 3, 4, 12, 0), "2026-03-05"),
        ("2026-03-02", "1小时", beijing(2026, 3, 3, 1, 0), "2026-03-04"),
        # no roll into the National Day holiday, no calendar: a year without a schedule is no obstacle
        ("2026-09-29", "24小时", beijing(2026, 10, 1, 0, 0), "2026-10-01"),
        ("2026-12-30", "72小时", beijing(2027, 1, 3, 0, 0), "2027-01-03"),
    ],
)
def test_an_hour_period_from_an_announced_date(announced: str, period: str, ends: dt.datetime, effective: str) -> None:
    window = announced_day_window(D.fromisoformat(announced), parse_period(period), CAL)
    assert (window.effective_instant, window.effective_date) == (ends, D.fromisoformat(effective))
    assert window.notice_date == D.fromisoformat(announced)
    assert window.notice_instant == beijing(*(D.fromisoformat(announced) + dt.timedelta(days=1)).timetuple()[:3])
    assert (window.last_day, window.rolled, window.provisional, window.classified_days) == (None, False, False, ())
    assert "24时" in window.explanation and "不适用休假日顺延" in window.explanation


def test_hours_from_an_announced_date_run_out_when_as_many_days_would_before_a_roll() -> None:
    # Art. 201 does not count the announced day for days either: 48小时 and 2日 (L Wednesday 03-04) both give 03-05
    hours = announced_day_window(D(2026, 3, 2), parse_period("48小时"), CAL)
    assert hours.effective_date == effective_window(D(2026, 3, 2), parse_period("2日"), CAL).effective_date == D(2026, 3, 5)


def test_an_announced_date_counts_other_periods_as_effective_window_does() -> None:
    for text in ("7日", "10个工作日", "1个月"):
        assert announced_day_window(D(2026, 2, 13), parse_period(text), CAL) == effective_window(D(2026, 2, 13), parse_period(text), CAL)


# ---------------------------------------------------------------------------------------------------------
# Reverse


@pytest.mark.parametrize(
    ("target", "period", "roll", "end", "latest", "provisional"),
    [
        ("2026-10-08", "7日", ALL, STRICT, D(2026, 9, 23), False),
        ("2026-02-25", "7日", ALL, STRICT, D(2026, 2, 17), False),
        ("2026-03-06", "10个工作日", ALL, STRICT, D(2026, 2, 13), False),
        ("2025-03-01", "1个月", ALL, STRICT, D(2025, 1, 31), False),
        ("2024-02-19", "7日", ALL, STRICT, D(2024, 2, 11), False),
        ("2026-03-09", "7自然日", ALL, LENIENT, D(2026, 3, 2), False),
        ("2026-03-15", "7日", STAT, STRICT, D(2026, 3, 7), False),
        ("2026-12-31", "7日", ALL, STRICT, D(2026, 12, 23), True),
        ("2025-03-01", "1年", ALL, STRICT, D(2024, 2, 29), False),
    ],
)
def test_reverse_table(
    target: str, period: str, roll: RollMode, end: EndMode, latest: dt.date, provisional: bool
) -> None:
    answer = latest_notice_date(target, parse_period(period), CAL, roll=roll, end=end)
    assert answer.latest_notice_date == latest
    assert answer.provisional is provisional
    assert answer.window.effective_date <= D.fromisoformat(target)
    assert f"最迟通知日 {latest.isoformat()}" in answer.explanation


def test_reverse_unknown_year() -> None:
    with pytest.raises(CalendarError) as info:
        latest_notice_date("2027-01-05", parse_period("7日"), CAL)
    assert info.value.code == "KS601" and "2027年" in info.value.message


def test_reverse_classifies_only_what_it_must() -> None:
    # E = 2026-12-31: for D = 12-28 … 12-30 even an unrolled window ends in 2027, so those D are passed
    # over without walking 2027 (forward(12-30) alone would raise KS601).
    answer = latest_notice_date("2026-12-31", parse_period("3个工作日"), CAL)
    assert answer.latest_notice_date == D(2026, 12, 27)  # Sunday; 12-28, 12-29, 12-30 → L 12-30, E 12-31
    assert answer.provisional is True
    with pytest.raises(CalendarError):
        effective_window("2026-12-30", parse_period("3个工作日"), CAL)


def test_reverse_hours() -> None:
    answer = latest_notice_date("2026-03-10", parse_period("24小时"), CAL)
    assert answer.latest_notice_instant == beijing(2026, 3, 9, 0, 0)
    assert answer.latest_notice_date == D(2026, 3, 9)
    assert answer.window.effective_instant == beijing(2026, 3, 10, 0, 0)
    answer = latest_notice_date("2026-03-10T12:00Z", parse_period("48 hours"), CAL)
    assert answer.latest_notice_instant == beijing(2026, 3, 8, 20, 0)


def test_with_a_year_file_2027_becomes_computable() -> None:
    cal = load_calendar([FICTIONAL])
    # The fictional file makes 2026-12-31 an in-lieu day and 2027-01-01…03 a block.
    window = effective_window("2026-12-24", parse_period("7日"), cal)
    assert (window.last_day, window.effective_date, window.provisional) == (
        D(2027, 1, 4),
        D(2027, 1, 5),
        False,
    )
    assert "元旦调休休息日" in window.explanation
    # The fictional make-up Saturday 2026-12-26 does not roll.
    window = effective_window("2026-12-19", parse_period("7日"), cal)
    assert (window.last_day, window.provisional) == (D(2026, 12, 26), False)
    assert effective_window("2026-12-28", parse_period("7日"), cal).effective_date == D(2027, 1, 5)


# ---------------------------------------------------------------------------------------------------------
# JSON contract


def test_forward_to_dict() -> None:
    data = effective_window("2026-02-13", parse_period("7日"), CAL).to_dict()
    assert {k: data[k] for k in ("notice_date", "period", "last_day", "effective_date", "provisional")} == {
        "notice_date": "2026-02-13",
        "period": {"count": 7, "unit": "calendar_day"},
        "last_day": "2026-02-24",
        "effective_date": "2026-02-25",
        "provisional": False,
    }
    assert data["raw_last_day"] == "2026-02-20"
    assert data["rolled"] is True
    assert (data["roll_mode"], data["end_mode"], data["compliance_risk"]) == ("all_rest_days", "strict", None)
    assert data["calendar_years"] == [2026]
    assert data["explanation"].startswith("通知生效日 D=2026-02-13")
    assert json.loads(json.dumps(data, sort_keys=True)) == data


def test_reverse_to_dict() -> None:
    data = latest_notice_date("2026-10-08", parse_period("7日"), CAL).to_dict()
    assert {k: data[k] for k in ("effective_date", "period", "latest_notice_date", "provisional")} == {
        "effective_date": "2026-10-08",
        "period": {"count": 7, "unit": "calendar_day"},
        "latest_notice_date": "2026-09-23",
        "provisional": False,
    }
    assert "D=2026-09-24 时最早生效日为 2026-10-09，晚于目标" in data["explanation"]
    assert data["window"]["effective_date"] == "2026-10-01"
    json.dumps(data)


def test_same_input_same_output() -> None:
    first = effective_window("2026-02-13", parse_period("10个工作日"), CAL).to_dict()
    second = effective_window(
        NoticeTime(D(2026, 2, 13)), Period(10, Unit.WORKING_DAY), load_calendar()
    ).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_add_months() -> None:
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 12, 15), 1) == D(2026, 1, 15)
    assert add_months(D(2024, 10, 31), 4) == D(2025, 2, 28)
    with pytest.raises(PeriodError) as info:
        add_months(D(9999, 12, 1), 1)
    assert info.value.code == "KS616"


# ---------------------------------------------------------------------------------------------------------
# Properties

CHINA = holidays.China(years=range(2004, 2027))

periods = st.one_of(
    st.builds(Period, st.integers(1, 60), st.just(Unit.CALENDAR_DAY)),
    st.builds(Period, st.integers(1, 25), st.just(Unit.WORKING_DAY)),
    st.builds(Period, st.integers(1, 12), st.just(Unit.MONTH)),
    st.builds(Period, st.integers(1, 2), st.just(Unit.YEAR)),
)
rolls = st.sampled_from(list(RollMode))
ends = st.sampled_from(list(EndMode))
# Ranges chosen so that every classified day lies in 2004–2026 for every generated period.
notices = st.dates(D(2004, 1, 1), D(2024, 6, 30))
targets = st.dates(D(2004, 4, 1), D(2026, 12, 15))
PROPERTY = settings(max_examples=300, deadline=None)


def forward(d: dt.date, period: Period, roll: RollMode, end: EndMode, cal: WorkCalendar = CAL) -> dt.date:
    return effective_window(d, period, cal, roll=roll, end=end).effective_date


@PROPERTY
@given(targets, periods, rolls, ends)
def test_reverse_is_the_latest_notice_that_works(
    e: dt.date, period: Period, roll: RollMode, end: EndMode
) -> None:
    d = latest_notice_date(e, period, CAL, roll=roll, end=end).latest_notice_date
    assert forward(d, period, roll, end) <= e
    assert forward(d + dt.timedelta(days=1), period, roll, end) > e


@PROPERTY
@given(notices, st.integers(0, 40), periods, rolls, ends)
def test_forward_is_monotone(d: dt.date, gap: int, period: Period, roll: RollMode, end: EndMode) -> None:
    assert forward(d, period, roll, end) <= forward(d + dt.timedelta(days=gap), period, roll, end)


@PROPERTY
@given(notices, periods, rolls, ends)
def test_window_never_ends_before_it_starts(d: dt.date, period: Period, roll: RollMode, end: EndMode) -> None:
    window = effective_window(d, period, CAL, roll=roll, end=end)
    assert window.raw_last_day is not None and window.last_day is not None
    assert d < window.raw_last_day <= window.last_day
    assert window.effective_date == window.last_day + dt.timedelta(days=1 if end is STRICT else 0)
    assert window.effective_date > d
    if period.unit is Unit.CALENDAR_DAY:
        assert (window.raw_last_day - d).days == period.count
    if period.unit is Unit.WORKING_DAY:
        assert (window.last_day - d).days >= period.count
        assert CAL.is_working_day(window.last_day)


@PROPERTY
@given(
    st.datetimes(dt.datetime(2004, 1, 1), dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)),
    st.integers(1, 500),
)
def test_hours_end_exactly_n_hours_later(notice: dt.datetime, hours: int) -> None:
    window = effective_window(notice, Period(hours, Unit.HOUR), CAL)
    assert window.effective_instant is not None and window.notice_instant is not None
    assert window.effective_instant - window.notice_instant == dt.timedelta(hours=hours)
    assert window.effective_instant > notice


@PROPERTY
@given(notices, st.integers(1, 60))
def test_calendar_days_agree_with_the_holidays_package(d: dt.date, days: int) -> None:
    """An independent oracle: L = D + N, then past every day holidays calls a non-working day."""
    last = d + dt.timedelta(days=days)
    while not CHINA.is_working_day(last):
        last += dt.timedelta(days=1)
    assert effective_window(d, Period(days, Unit.CALENDAR_DAY), CAL).last_day == last


@PROPERTY
@given(notices, st.integers(1, 25))
def test_working_days_agree_with_the_holidays_package(d: dt.date, days: int) -> None:
    expected = CHINA.get_nth_working_day(d, days)
    assert effective_window(d, Period(days, Unit.WORKING_DAY), CAL).last_day == expected
