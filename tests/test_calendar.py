"""The official working-day schedule: sources, the 2005-12-31 correction, year files, unknown years."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays
import pytest
from chinese_calendar import constants as cc

from kspub.errors import CalendarError
from kspub.law.workdays import (
    CONFLICTING_YEAR_FILES,
    INVALID_YEAR_FILE,
    MISSING_CALENDAR_DIR,
    UNKNOWN_YEAR,
    DayKind,
    WorkCalendar,
    load_calendar,
    parse_year_file,
)

FICTIONAL = Path(__file__).parent / "fixtures" / "calendar" / "fictional"
D = dt.date


def every_day(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return load_calendar()


def test_known_years_are_2004_to_2026(cal: WorkCalendar) -> None:
    assert cal.known_years == tuple(range(2004, 2027))
    assert cal.last_known_year == 2026
    assert cal.sources[2004].startswith("chinesecalendar ")


def test_default_calendar_is_cached() -> None:
    assert load_calendar() is load_calendar()


def test_2005_12_31_is_a_make_up_working_day(cal: WorkCalendar) -> None:
    # The 2006 notice: 元旦 2006-01-01…03 off, Saturday 2005-12-31 worked; chinesecalendar misses it.
    day = D(2005, 12, 31)
    assert cal.is_working_day(day)
    assert not cal.is_rest_day(day)
    assert cal.day_kind(day) is DayKind.MAKEUP_WORKDAY
    assert cal.holiday_name(day) == "元旦"
    assert [cal.is_rest_day(d) for d in every_day(D(2006, 1, 1), D(2006, 1, 3))] == [True, True, True]


# docs/legal/calendar.md §5, the 2026 schedule.
REST_2026 = {
    "元旦": every_day(D(2026, 1, 1), D(2026, 1, 3)),
    "春节": every_day(D(2026, 2, 15), D(2026, 2, 23)),
    "清明节": every_day(D(2026, 4, 4), D(2026, 4, 6)),
    "劳动节": every_day(D(2026, 5, 1), D(2026, 5, 5)),
    "端午节": every_day(D(2026, 6, 19), D(2026, 6, 21)),
    "中秋节": every_day(D(2026, 9, 25), D(2026, 9, 27)),
    "国庆节": every_day(D(2026, 10, 1), D(2026, 10, 7)),
}
MAKEUP_2026 = {
    D(2026, 1, 4): "元旦",
    D(2026, 2, 14): "春节",
    D(2026, 2, 28): "春节",
    D(2026, 5, 9): "劳动节",
    D(2026, 9, 20): "国庆节",
    D(2026, 10, 10): "国庆节",
}


def test_2026_schedule_matches_the_notice(cal: WorkCalendar) -> None:
    rest = {day: name for name, days in REST_2026.items() for day in days}
    for day in every_day(D(2026, 1, 1), D(2026, 12, 31)):
        if day in rest:
            assert cal.is_rest_day(day) and cal.is_statutory_holiday_block(day), day
            assert cal.holiday_name(day) == rest[day], day
        elif day in MAKEUP_2026:
            assert cal.day_kind(day) is DayKind.MAKEUP_WORKDAY, day
            assert cal.holiday_name(day) == MAKEUP_2026[day], day
        else:
            expected = DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY
            assert cal.day_kind(day) is expected, day
            assert cal.holiday_name(day) is None
            assert not cal.is_statutory_holiday_block(day)


@pytest.mark.parametrize(
    ("day", "kind", "description"),
    [
        (D(2026, 2, 20), DayKind.IN_LIEU, "2026-02-20（星期五，春节调休休息日）"),
        (D(2026, 2, 16), DayKind.HOLIDAY, "2026-02-16（星期一，春节假期）"),
        (D(2026, 2, 14), DayKind.MAKEUP_WORKDAY, "2026-02-14（星期六，春节调休上班日）"),
        (D(2026, 3, 7), DayKind.WEEKEND, "2026-03-07（星期六，周末休息日）"),
        (D(2026, 3, 9), DayKind.WORKDAY, "2026-03-09（星期一，工作日）"),
    ],
)
def test_day_kinds_and_descriptions(cal: WorkCalendar, day: dt.date, kind: DayKind, description: str) -> None:
    assert cal.day_kind(day) is kind
    assert cal.describe(day) == description


@pytest.mark.parametrize(
    ("day", "name"),
    [
        # Weekends announced with the holiday (与周末连休) that chinesecalendar leaves out.
        (D(2015, 9, 5), "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
        (D(2011, 6, 5), "端午节"),
        (D(2015, 5, 2), "劳动节"),
        (D(2015, 5, 3), "劳动节"),
        (D(2017, 12, 30), "元旦"),
        (D(2024, 6, 9), "端午节"),
    ],
)
def test_weekends_joined_to_a_holiday_block(cal: WorkCalendar, day: dt.date, name: str) -> None:
    assert day not in cc.holidays
    assert cal.is_statutory_holiday_block(day)
    assert cal.day_kind(day) is DayKind.HOLIDAY
    assert cal.holiday_name(day) == name


def test_ordinary_weekend_is_not_a_holiday_block(cal: WorkCalendar) -> None:
    assert cal.is_rest_day(D(2026, 3, 14))
    assert not cal.is_statutory_holiday_block(D(2026, 3, 14))
    # The Sunday after the 2026 Labour Day block is a working day, so the block ends on Tuesday.
    assert not cal.is_statutory_holiday_block(D(2026, 5, 10))


def test_every_day_matches_the_holidays_package(cal: WorkCalendar) -> None:
    """Two independent transcriptions of the notices agree on every day except the one we correct."""
    china = holidays.China(years=range(2004, 2027))
    differ = [
        d
        for d in every_day(D(2004, 1, 1), D(2026, 12, 31))
        if cal.is_working_day(d) != china.is_working_day(d)
    ]
    assert differ == []
    # And holidays' make-up days are exactly ours (it models them as weekend_workdays).
    ours = {d for d, s in cal.days.items() if s.kind is DayKind.MAKEUP_WORKDAY}
    theirs = {d for d in china.weekend_workdays if 2004 <= d.year <= 2026}
    assert ours == theirs


def test_every_day_matches_chinesecalendar_except_the_correction(cal: WorkCalendar) -> None:
    def cc_working(d: dt.date) -> bool:  # chinesecalendar's own is_workday rule, on its data
        return d in cc.workdays or (d.weekday() < 5 and d not in cc.holidays)

    differ = [d for d in every_day(D(2004, 1, 1), D(2026, 12, 31)) if cal.is_working_day(d) != cc_working(d)]
    assert differ == [D(2005, 12, 31)]


@pytest.mark.parametrize(
    "day", [D(2027, 1, 1), D(2027, 1, 4), D(2003, 12, 31), D(1999, 10, 1), D(2030, 5, 1)]
)
def test_unknown_year_is_never_guessed(cal: WorkCalendar, day: dt.date) -> None:
    for method in (cal.is_working_day, cal.is_rest_day, cal.is_statutory_holiday_block, cal.holiday_name):
        with pytest.raises(CalendarError) as info:
            method(day)
        assert info.value.code == UNKNOWN_YEAR == "KS601"
        assert f"{day.year}年" in info.value.message
        assert f"kspub/data/calendar/{day.year}.yaml" in info.value.message


def test_unknown_year_message_is_exact(cal: WorkCalendar) -> None:
    with pytest.raises(CalendarError) as info:
        cal.is_working_day(D(2027, 1, 4))
    assert info.value.message == (
        "2027年的国务院节假日安排尚未载入，无法判断 2027-01-04 是否为工作日（kspub 不推测日历）；"
        "请新增 kspub/data/calendar/2027.yaml"
    )
    assert info.value.hint is not None and "README.md" in info.value.hint


@pytest.mark.parametrize(
    ("day", "provisional"),
    [
        (D(2026, 12, 20), False),
        (D(2026, 12, 21), True),
        (D(2026, 12, 31), True),
        (D(2026, 11, 30), False),
        (D(2025, 12, 31), False),  # 2026 is known
        (D(2018, 12, 29), False),
    ],
)
def test_provisional_days(cal: WorkCalendar, day: dt.date, provisional: bool) -> None:
    assert cal.is_provisional(day) is provisional


# ---------------------------------------------------------------------------------------------------------
# Year files


def test_fictional_year_file_extends_the_calendar() -> None:
    cal = load_calendar([FICTIONAL])
    assert cal.last_known_year == 2027
    assert cal.sources[2027].endswith("2027.yaml")
    assert cal.sources[2026].startswith("chinesecalendar")
    # December entries of the 2027 file apply to 2026 dates.
    assert cal.day_kind(D(2026, 12, 26)) is DayKind.MAKEUP_WORKDAY
    assert cal.day_kind(D(2026, 12, 31)) is DayKind.IN_LIEU
    assert cal.holiday_name(D(2026, 12, 31)) == "元旦"
    assert cal.day_kind(D(2027, 1, 1)) is DayKind.HOLIDAY
    assert cal.is_working_day(D(2027, 1, 4))
    assert cal.is_working_day(D(2027, 1, 31))
    assert cal.is_rest_day(D(2027, 2, 12))
    assert not cal.is_provisional(D(2026, 12, 31))
    assert cal.is_provisional(D(2027, 12, 21))
    with pytest.raises(CalendarError) as info:
        cal.is_working_day(D(2028, 1, 3))
    assert "2028" in info.value.message


def other_holidays(year: int, spring: str = "02-17..{y}-02-19") -> str:
    """The six holidays after 元旦 (fictional dates): a year file must list all seven."""
    return (f"  - name: 春节\n    rest: {year}-{spring.format(y=year)}\n  - name: 清明节\n    rest: {year}-04-06\n"
            f"  - name: 劳动节\n    rest: {year}-05-01..{year}-05-03\n  - name: 端午节\n    rest: {year}-06-09\n"
            f"  - name: 中秋节\n    rest: {year}-09-15\n  - name: 国庆节\n    rest: {year}-10-01..{year}-10-07\n")


def test_year_file_replaces_a_chinesecalendar_year(tmp_path: Path) -> None:
    (tmp_path / "2026.yaml").write_text(
        "year: 2026\nnotice: 测试用更正\nholidays:\n  - name: 元旦\n    rest: 2026-01-01..2026-01-03\n"
        + other_holidays(2026),
        encoding="utf-8",
    )
    cal = load_calendar([tmp_path])
    assert cal.sources[2026] == str(tmp_path / "2026.yaml")
    assert cal.is_rest_day(D(2026, 1, 2))
    assert cal.is_working_day(D(2026, 2, 16))  # the file's 春节 starts on 02-17
    # Nor the make-up Sunday: 01-04 is now an ordinary Sunday right after the block, so it joins it.
    assert cal.day_kind(D(2026, 1, 4)) is DayKind.HOLIDAY
    assert cal.day_kind(D(2026, 2, 14)) is DayKind.WEEKEND
    assert cal.is_rest_day(D(2025, 10, 1))  # other years untouched


def test_identical_year_files_in_two_directories_are_fine(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "2027.yaml").write_text((FICTIONAL / "2027.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    cal = load_calendar([FICTIONAL, other])
    assert cal.last_known_year == 2027


def test_conflicting_year_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "2027.yaml").write_text(
        "year: 2027\nnotice: 另一份虚构安排\nholidays:\n  - name: 元旦\n    rest: 2027-01-01..2027-01-03\n"
        + other_holidays(2027),
        encoding="utf-8",
    )
    with pytest.raises(CalendarError) as info:
        load_calendar([FICTIONAL, tmp_path])
    assert info.value.code == CONFLICTING_YEAR_FILES == "KS603"
    assert "2027年" in info.value.message and "fictional" in info.value.message


def test_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CalendarError) as info:
        load_calendar([tmp_path / "calendar"])
    assert info.value.code == MISSING_CALENDAR_DIR == "KS604"


VALID = "year: 2027\nnotice: 测试\nholidays:\n  - name: 元旦\n    rest: 2027-01-01..2027-01-03\n"


@pytest.mark.parametrize(
    ("name", "text", "line", "fragment"),
    [
        ("2027.yml", VALID, None, "2027.yml 不符合格式"),
        ("calendar.yaml", VALID, None, "calendar.yaml 不符合格式"),
        ("2028.yaml", VALID, 1, "文件名年份 2028 与 year: 2027 不一致"),
        ("2027.yaml", "year: 2027\nholidays:\n  - name: 元旦\n    rest: 2027-01-01\n", 1, "缺少 notice"),
        ("2027.yaml", "year: 2027\nnotice: 测试\n", 1, "缺少 holidays"),
        ("2027.yaml", "year: 二〇二七\nnotice: 测试\nholidays: []\n", 1, "year 应为四位年份"),
        ("2027.yaml", VALID + "holiday: []\n", 6, "未知的键 'holiday'"),
        ("2027.yaml", VALID.replace("2027-01-03", "2027-02-30"), 5, "不是有效日期"),
        (
            "2027.yaml",
            VALID.replace("2027-01-01..2027-01-03", "2027-01-03..2027-01-01"),
            5,
            "结束日早于开始日",
        ),
        ("2027.yaml", VALID.replace("2027-01-01..2027-01-03", "1月1日"), 5, "不是日期 YYYY-MM-DD"),
        ("2027.yaml", VALID.replace("2027-01-01..2027-01-03", "2025-12-31"), 5, "不属于2027年的安排"),
        ("2027.yaml", VALID + "    in_lieu: [2027-01-04]\n", 6, "不在 rest 所列的放假日期中"),
        ("2027.yaml", VALID + "    in_lieu: [2027-01-02]\n", 6, "调休休息日应为周一至周五"),
        ("2027.yaml", VALID + "    workdays: [2027-01-04]\n", 6, "调休上班日应为周六或周日"),
        ("2027.yaml", VALID + "  - name: 又一个\n    rest: 2027-01-03\n", 7, "日期 2027-01-03 重复出现"),
        ("2027.yaml", VALID + "  - rest: 2027-05-01\n", 6, "节日条目缺少 name"),
        ("2027.yaml", VALID + "  - name: 劳动节\n", 6, "缺少 rest"),
        ("2027.yaml", "year: 2027\nnotice: [测试\n", 2, "YAML 语法错误：方括号 [ ] 没有闭合"),
        ("2027.yaml", "- 2027-01-01\n", 1, "年份文件应为映射"),
    ],
)
def test_invalid_year_files(name: str, text: str, line: int | None, fragment: str) -> None:
    with pytest.raises(CalendarError) as info:
        parse_year_file(text, f"calendar/{name}")
    error = info.value
    assert error.code == INVALID_YEAR_FILE == "KS602"
    assert error.path == f"calendar/{name}"
    assert fragment in error.message
    assert error.line == line
    assert error.diagnostics and all(d.code == "KS602" for d in error.diagnostics)


def test_every_problem_in_a_year_file_is_reported() -> None:
    text = (
        "year: 2027\n"
        "notice: 测试\n"
        "holidays:\n"
        "  - name: 元旦\n"
        "    rest: 2027-01-01..2027-01-03\n"
        "    workdays: [2027-01-05]\n"
        "  - name: 春节\n"
        "    rest: 2027-02-30\n"
    )
    with pytest.raises(CalendarError) as info:
        parse_year_file(text, "2027.yaml")
    lines = [(d.line, d.message) for d in info.value.diagnostics]
    assert [line for line, _ in lines] == [6, 8]
    assert "共 2 处问题" in info.value.message
    assert info.value.format().startswith("2027.yaml:6: KS602 元旦：调休上班日 2027-01-05 是星期二")


def test_a_bad_year_file_in_an_extra_directory_stops_loading(tmp_path: Path) -> None:
    (tmp_path / "2027.yaml").write_text("year: 2027\n", encoding="utf-8")
    with pytest.raises(CalendarError) as info:
        load_calendar([tmp_path])
    assert info.value.code == "KS602"
    assert info.value.path == str(tmp_path / "2027.yaml")


def test_readme_and_other_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# 说明\n", encoding="utf-8")
    cal = load_calendar([tmp_path])
    assert cal.known_years == tuple(range(2004, 2027))


def test_year_file_ranges_lists_and_single_dates() -> None:
    year = parse_year_file((FICTIONAL / "2027.yaml").read_text(encoding="utf-8"), "2027.yaml")
    assert year.year == 2027
    kinds = {d: s.kind for d, s in year.days.items()}
    # 元旦 rest, 春节 rest, 元旦 make-up, 春节 make-ups, then 清明节, 劳动节, 端午节, 中秋节, 国庆节
    assert len(kinds) == 4 + 9 + 1 + 2 + 3 + 5 + 1 + 1 + 7
    assert kinds[D(2027, 2, 11)] is DayKind.IN_LIEU
    assert kinds[D(2027, 2, 6)] is DayKind.HOLIDAY
    assert kinds[D(2027, 2, 20)] is DayKind.MAKEUP_WORKDAY


def test_readme_example_is_a_valid_year_file() -> None:
    """The format guide's example must stay parseable, so the documentation cannot drift from the code."""
    readme = (Path(__file__).parent.parent / "kspub" / "data" / "calendar" / "README.md").read_text(
        encoding="utf-8"
    )
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    year = parse_year_file(example, "2027.yaml")
    assert year.year == 2027
    assert year.days[D(2027, 2, 11)].kind is DayKind.IN_LIEU
    assert year.days[D(2027, 1, 31)].kind is DayKind.MAKEUP_WORKDAY
    assert year.days[D(2027, 1, 2)].holiday == "元旦"
