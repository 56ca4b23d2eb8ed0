"""The notice windows of kspub.law.counting as a reader gets them: the explanation step by step, the JSON of the
reverse question for hours, and the refusals word for word. The dates are the ones docs/legal/periods.md and the
legal rules' worked examples give; the wording is what ``kspub notice`` prints and the API publishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kspub.errors import CalendarError
from kspub.law.counting import add_months, announced_day_window, effective_window, latest_notice_date
from kspub.law.period import EndMode, PeriodError, RollMode, parse_period
from kspub.law.workdays import load_calendar

CAL = load_calendar()
D = dt.date
STAT, LENIENT = RollMode.STATUTORY_ONLY, EndMode.LENIENT


def test_the_reverse_question_explains_each_step_in_the_default_modes() -> None:
    """The worked example of the legal rules: for E 2026-10-08 and 7 days, 09-24…09-30 all roll through 国庆 and
    give E 10-09; the latest notice date is 09-23."""
    answer = latest_notice_date(D(2026, 10, 8), parse_period("7日"), CAL)
    assert answer.steps == (
        "目标生效日 E=2026-10-08（星期四）；期间7个自然日，严格口径（E=L+1），休息日均顺延",
        "生效日随通知日单调不减，自 D=2026-10-07 向前逐日检验，第一个满足的 D 即最迟通知日",
        "D=2026-09-24 时最早生效日为 2026-10-09，晚于目标",
        "D=2026-09-23（星期三） 时期间最后一日为 2026-09-30，最早生效日 2026-10-01，不晚于目标",
        "最迟通知日 2026-09-23（北京时间，当日通知生效）",
    )
    assert answer.explanation == "；".join(answer.steps) + "。"


def test_the_reverse_question_names_the_lenient_and_statutory_only_modes() -> None:
    answer = latest_notice_date(D(2026, 10, 8), parse_period("7日"), CAL, roll=STAT, end=LENIENT)
    assert answer.steps == (
        "目标生效日 E=2026-10-08（星期四）；期间7个自然日，宽松口径（E=L），仅法定节假日顺延",
        "生效日随通知日单调不减，自 D=2026-10-07 向前逐日检验，第一个满足的 D 即最迟通知日",
        "D=2026-10-02 及以后即使不顺延，最早生效日也晚于目标",
        "D=2026-10-01（星期四） 时期间最后一日为 2026-10-08，最早生效日 2026-10-08，不晚于目标",
        "最迟通知日 2026-10-01（北京时间，当日通知生效）",
    )
    assert (answer.roll_mode, answer.end_mode) == (STAT, LENIENT)
    assert (answer.window.roll_mode, answer.window.end_mode) == (STAT, LENIENT)


@pytest.mark.parametrize(
    ("roll", "end", "words"),
    [
        (RollMode.ALL_REST_DAYS, EndMode.STRICT, "严格口径（E=L+1），休息日均顺延"),
        (RollMode.ALL_REST_DAYS, LENIENT, "宽松口径（E=L），休息日均顺延"),
        (STAT, EndMode.STRICT, "严格口径（E=L+1），仅法定节假日顺延"),
        (STAT, LENIENT, "宽松口径（E=L），仅法定节假日顺延"),
    ],
)
def test_the_reverse_question_states_the_modes_it_counted_with(roll: RollMode, end: EndMode, words: str) -> None:
    answer = latest_notice_date(D(2026, 6, 1), parse_period("10日"), CAL, roll=roll, end=end)
    assert answer.steps[0] == f"目标生效日 E=2026-06-01（星期一）；期间10个自然日，{words}"


def test_the_reverse_question_for_months_skips_what_cannot_work_without_the_calendar() -> None:
    """2026-02-28 + 1 month is Saturday 03-28, rolled to Monday 03-30: E 03-31. From 03-01 on, even the unrolled
    last day is too late."""
    answer = latest_notice_date(D(2026, 3, 31), parse_period("1个月"), CAL)
    assert answer.steps[2:] == (
        "D=2026-03-01 及以后即使不顺延，最早生效日也晚于目标",
        "D=2026-02-28（星期六） 时期间最后一日为 2026-03-30，最早生效日 2026-03-31，不晚于目标",
        "最迟通知日 2026-02-28（北京时间，当日通知生效）",
    )
    assert answer.latest_notice_date == D(2026, 2, 28)


def test_the_reverse_question_for_hours_in_json() -> None:
    """For hours the answer is the target minus N hours, and it says in which modes the question was asked."""
    answer = latest_notice_date("2026-03-05T09:30+08:00", parse_period("48小时"), CAL, roll=STAT, end=LENIENT)
    window_steps = [
        "通知时间 2026-03-03 09:30（北京时间）；按小时计算的期间自该时刻起算（民法典第二百零一条第二款）",
        "经过48小时，于 2026-03-05 09:30 届满；按小时计算不适用休假日顺延",
        "最早生效时刻 2026-03-05 09:30（北京时间）",
    ]
    steps = [
        "目标生效时刻 2026-03-05 09:30（北京时间）；期间48小时，按小时计算不顺延",
        "最迟通知时刻 = 目标生效时刻 − 48小时 = 2026-03-03 09:30（北京时间）",
    ]
    assert answer.to_dict() == {
        "effective_date": "2026-03-05",
        "effective_instant": "2026-03-05T09:30:00+08:00",
        "period": {"count": 48, "unit": "hour"},
        "period_text": "48小时",
        "latest_notice_date": "2026-03-03",
        "latest_notice_instant": "2026-03-03T09:30:00+08:00",
        "provisional": False,
        "roll_mode": "statutory_only",
        "end_mode": "lenient",
        "window": {
            "notice_date": "2026-03-03",
            "notice_instant": "2026-03-03T09:30:00+08:00",
            "period": {"count": 48, "unit": "hour"},
            "period_text": "48小时",
            "raw_last_day": None,
            "last_day": None,
            "effective_date": "2026-03-05",
            "effective_instant": "2026-03-05T09:30:00+08:00",
            "rolled": False,
            "provisional": False,
            "roll_mode": "statutory_only",
            "end_mode": "lenient",
            "compliance_risk": None,
            "calendar_years": [],
            "explanation": "；".join(window_steps) + "。",
            "explanation_steps": window_steps,
        },
        "explanation": "；".join(steps) + "。",
        "explanation_steps": steps,
    }


def test_a_target_date_for_hours_means_its_first_moment_in_beijing() -> None:
    answer = latest_notice_date(D(2026, 3, 5), parse_period("24小时"), CAL)
    assert answer.effective_instant == dt.datetime(2026, 3, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert answer.latest_notice_instant == dt.datetime(2026, 3, 4, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert answer.steps[1] == "最迟通知时刻 = 目标生效时刻 − 24小时 = 2026-03-04 00:00（北京时间）"


def test_an_hour_window_keeps_the_modes_it_was_asked_in() -> None:
    """Hours never roll and have no end mode of their own, but the window reports the modes of the question, as
    every window does (the API's clients compare them)."""
    window = effective_window("2026-03-02T09:00+08:00", parse_period("24小时"), CAL, roll=STAT, end=LENIENT)
    assert (window.roll_mode, window.end_mode, window.period) == (STAT, LENIENT, parse_period("24小时"))
    announced = announced_day_window(D(2026, 3, 2), parse_period("24小时"), CAL, roll=STAT, end=LENIENT)
    assert (announced.roll_mode, announced.end_mode, announced.period) == (STAT, LENIENT, parse_period("24小时"))


def test_an_hour_period_without_a_time_of_day_is_refused_with_how_to_write_one() -> None:
    with pytest.raises(PeriodError) as info:
        effective_window("2026-03-02", parse_period("24小时"), CAL)
    assert info.value.format() == (
        "KS615 按小时计算的期间（24小时）需要通知的具体时间，只给了日期 2026-03-02"
        "（请写成如 2026-03-02T09:00+08:00（不带时区按北京时间））"
    )


def test_a_period_past_the_last_representable_date_is_refused() -> None:
    with pytest.raises(PeriodError) as info:
        effective_window(D(9999, 12, 25), parse_period("10日"), CAL)
    assert info.value.format() == "KS616 自 9999-12-25 起的期间超出可计算的日期范围（请检查期间长度）"
    with pytest.raises(PeriodError) as hours:  # hours from an announced date, past 9999-12-31 24:00
        announced_day_window(D(9999, 12, 30), parse_period("48小时"), CAL)
    assert hours.value.format() == "KS616 自 9999-12-30 起的期间超出可计算的日期范围（请检查期间长度）"


FIRST = "通知生效日 D={}（{}，北京时间），当日不计入（民法典第二百零一条）"
STRICT_END = "严格口径：期间届满后次日生效，最早生效日 E={}"
LATE = "暂定结果：计算依赖 {} 等12月下旬的日期，而2027年节假日安排尚未载入，其公布时可能调整这些日期（如2019年安排将2018-12-29调为上班日）"


@pytest.mark.parametrize(
    ("notice", "period", "modes", "steps", "rolled", "provisional"),
    [
        # the legal rules' worked example: make-up Saturdays 02-14 and 02-28 count, L = 03-05
        ("2026-02-13", "10个工作日", {}, (
            FIRST.format("2026-02-13", "星期五"),
            "自 2026-02-14 起逐日计算10个工作日：调休上班日计入，法定节假日、调休休息日和普通周末不计入",
            "第10个工作日为 2026-03-05（星期四），即期间最后一日（跳过休息日10天，计入调休上班日 2026-02-14、2026-02-28）",
            "期间于 2026-03-05 24时届满（第二百零三条）", STRICT_END.format("2026-03-06（星期五）")), False, False),
        ("2026-09-24", "7日", {"roll": STAT}, (
            FIRST.format("2026-09-24", "星期四"), "自 2026-09-25 起算7个自然日，期间最后一日为 2026-10-01",
            "期间最后一日 2026-10-01（星期四，国庆节假期）为休假日，2026-10-02（星期五，国庆节假期）、2026-10-03（星期六，国庆节假期）、"
            "2026-10-04（星期日，国庆节假期）、2026-10-05（星期一，国庆节假期）、2026-10-06（星期二，国庆节调休休息日）、"
            "2026-10-07（星期三，国庆节调休休息日）亦为休假日，依第二百零三条按“仅法定节假日顺延”口径顺延至 2026-10-08（星期四，工作日）",
            "期间于 2026-10-08 24时届满（第二百零三条）", STRICT_END.format("2026-10-09（星期五）")), True, False),
        ("2026-09-25", "2日", {"roll": STAT}, (
            FIRST.format("2026-09-25", "星期五"), "自 2026-09-26 起算2个自然日，期间最后一日为 2026-09-27",
            "期间最后一日 2026-09-27（星期日，中秋节假期）为休假日，依第二百零三条按“仅法定节假日顺延”口径顺延至 2026-09-28（星期一，工作日）",
            "期间于 2026-09-28 24时届满（第二百零三条）", STRICT_END.format("2026-09-29（星期二）")), True, False),
        ("2026-03-06", "8日", {}, (
            FIRST.format("2026-03-06", "星期五"), "自 2026-03-07 起算8个自然日，期间最后一日为 2026-03-14",
            "期间最后一日 2026-03-14（星期六，周末休息日）为休假日，2026-03-15（星期日，周末休息日）亦为休假日，"
            "依第二百零三条按默认口径（休息日均顺延，含普通周末）顺延至 2026-03-16（星期一，工作日）",
            "期间于 2026-03-16 24时届满（第二百零三条）", STRICT_END.format("2026-03-17（星期二）")), True, False),
        ("2026-03-07", "7日", {"roll": STAT, "end": LENIENT}, (
            FIRST.format("2026-03-07", "星期六"), "自 2026-03-08 起算7个自然日，期间最后一日为 2026-03-14",
            "期间最后一日 2026-03-14（星期六，周末休息日）不在法定节假日内，按“仅法定节假日顺延”口径不顺延",
            "期间于 2026-03-14 24时届满（第二百零三条）", "宽松口径：以期间最后一日为生效日 E=2026-03-14（星期六）（存在合规风险）"),
         False, False),
        ("2026-01-31", "1个月", {}, (
            FIRST.format("2026-01-31", "星期六"),
            "自 2026-02-01 起算1个月，到期月没有对应日（2026年2月没有31日），以月末日 2026-02-28 为期间最后一日（第二百零二条）",
            "期间最后一日 2026-02-28（星期六，春节调休上班日）不是休假日，不顺延",
            "期间于 2026-02-28 24时届满（第二百零三条）", STRICT_END.format("2026-03-01（星期日）")), False, False),
        ("2026-03-09", "1个月", {}, (
            FIRST.format("2026-03-09", "星期一"), "自 2026-03-10 起算1个月，到期月的对应日 2026-04-09 为期间最后一日（第二百零二条）",
            "期间最后一日 2026-04-09（星期四，工作日），不顺延", "期间于 2026-04-09 24时届满（第二百零三条）",
            STRICT_END.format("2026-04-10（星期五）")), False, False),
        ("2026-12-15", "7日", {}, (
            FIRST.format("2026-12-15", "星期二"), "自 2026-12-16 起算7个自然日，期间最后一日为 2026-12-22",
            "期间最后一日 2026-12-22（星期二，工作日），不顺延", "期间于 2026-12-22 24时届满（第二百零三条）",
            STRICT_END.format("2026-12-23（星期三）"), LATE.format("2026-12-22")), False, True),
        ("2026-12-10", "10个工作日", {}, (
            FIRST.format("2026-12-10", "星期四"),
            "自 2026-12-11 起逐日计算10个工作日：调休上班日计入，法定节假日、调休休息日和普通周末不计入",
            "第10个工作日为 2026-12-24（星期四），即期间最后一日（跳过休息日4天）", "期间于 2026-12-24 24时届满（第二百零三条）",
            STRICT_END.format("2026-12-25（星期五）"), LATE.format("2026-12-21")), False, True),
    ],
)  # fmt: skip
def test_the_forward_window_explains_each_step(
    notice: str, period: str, modes: dict[str, Any], steps: tuple[str, ...], rolled: bool, provisional: bool
) -> None:
    window = effective_window(notice, parse_period(period), CAL, **modes)
    assert window.steps == steps
    assert (window.rolled, window.provisional, window.calendar_years) == (rolled, provisional, (2026,))
    assert (window.compliance_risk is not None) is (modes.get("end") is LENIENT)


def test_an_hour_period_from_an_announced_date_explains_each_step() -> None:
    window = announced_day_window(D(2026, 3, 2), parse_period("36小时"), CAL)
    assert window.steps == (
        "公告日 2026-03-02（星期一），只知日期不知时刻：按小时计算的期间自公告日 24时（2026-03-03 00:00，北京时间）起算，"
        "公告当日任何时刻发布的通知都不会因此少算（民法典第二百零一条第二款；决定记录 0103）",
        "经过36小时，于 2026-03-04 12:00 届满；按小时计算不适用休假日顺延",
        "新版本自生效日 0时起适用，最早生效日 E=2026-03-05（星期四）",
    )


def test_the_reverse_question_for_one_day_in_the_lenient_mode_says_why_the_day_before_is_the_latest() -> None:
    """Lenient, one day: D = E − 1 gives L = E = E; from E on, even the unrolled last day is too late."""
    answer = latest_notice_date(D(2026, 3, 10), parse_period("1日"), CAL, end=LENIENT)
    assert answer.steps[2:] == (
        "D=2026-03-10 及以后即使不顺延，最早生效日也晚于目标",
        "D=2026-03-09（星期一） 时期间最后一日为 2026-03-10，最早生效日 2026-03-10，不晚于目标",
        "最迟通知日 2026-03-09（北京时间，当日通知生效）",
    )


def test_the_reverse_question_at_the_end_of_the_calendar_asks_for_the_year_it_needs() -> None:
    """A target on the last representable date is answered by counting back from it, never past it: the days it
    must classify lie in 9999, a year with no schedule."""
    with pytest.raises(CalendarError) as info:
        latest_notice_date(D(9999, 12, 31), parse_period("7日"), CAL)
    assert info.value.code == "KS601" and "9999-12-30" in info.value.message


def test_months_are_counted_up_to_the_first_and_last_representable_years() -> None:
    assert add_months(D(1, 1, 31), 1) == D(1, 2, 28)
    assert add_months(D(9999, 1, 31), 11) == D(9999, 12, 31)
    with pytest.raises(PeriodError) as info:
        add_months(D(9999, 12, 31), 1)
    assert info.value.format() == "KS616 自 9999-12-31 起的期间超出可计算的日期范围（请检查期间长度）"


def test_a_notice_given_at_a_time_keeps_it_in_a_window_of_days() -> None:
    window = effective_window("2026-03-02T09:00+08:00", parse_period("10日"), CAL)
    assert (window.notice_date, window.notice_instant, window.effective_date) == (
        D(2026, 3, 2), dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))), D(2026, 3, 13))
    assert effective_window(D(2026, 3, 2), parse_period("10日"), CAL).notice_instant is None
