"""Counting notice windows under the PRC Civil Code (民法典第二百条至第二百零四条).

Forward: a notice that took effect on D, a period of N units → the period's last day L and the earliest
effective date E (:func:`effective_window`). Reverse: the latest notice date D for a target effective date
(:func:`latest_notice_date`). Everything here is pure: the calendar and every date come in as arguments;
nothing reads the clock. Periods and notice times themselves are read in :mod:`kspub.law.period`.

The legal readings made here (rest-day roll, strict end, hours never roll, the provisional rule) are recorded in
docs/decisions/0102-period-interpretation.md and docs/legal/periods.md.
"""

from __future__ import annotations

import calendar as _gregorian
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kspub.law.period import (
    DATE_OUT_OF_RANGE,
    HOURS_NEED_TIME,
    EndMode,
    NoticeInput,
    NoticeTime,
    Period,
    PeriodError,
    RollMode,
    Unit,
    parse_notice,
    shanghai,
)
from kspub.law.workdays import DayKind, WorkCalendar, weekday_name

# ---------------------------------------------------------------------------------------------------------
# Forward


@dataclass(frozen=True, slots=True)
class EffectiveWindow:
    """The notice window of one notice: when the period ends and when the change may take effect."""

    notice_date: dt.date
    """D, the Beijing date the notice took effect; never counted."""
    notice_instant: dt.datetime | None
    """The notice instant in Beijing time, when given (required for hours)."""
    period: Period
    raw_last_day: dt.date | None
    """L before any roll (None for hours)."""
    last_day: dt.date | None
    """L: the period ends at 24:00 of this day (None for hours)."""
    effective_date: dt.date
    """E: the earliest date the change may take effect (for hours, the Beijing date of the instant)."""
    effective_instant: dt.datetime | None
    """For hours: the notice instant plus N hours, in Beijing time."""
    rolled: bool
    """True when L was moved past rest days (Art. 203)."""
    provisional: bool
    """True when a classified day could still change with next year's schedule."""
    roll_mode: RollMode
    end_mode: EndMode
    steps: tuple[str, ...]
    """The computation, step by step, in Chinese."""
    compliance_risk: str | None
    """Set in lenient mode: why E = L may not satisfy a statutory notice duty."""
    classified_days: tuple[dt.date, ...]
    """Every day whose working/rest status the computation relied on."""

    @property
    def explanation(self) -> str:
        """The steps joined into one Chinese paragraph."""
        return "；".join(self.steps) + "。"

    @property
    def calendar_years(self) -> tuple[int, ...]:
        """The years whose official schedule the computation used."""
        return tuple(sorted({d.year for d in self.classified_days}))

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of a forward computation."""
        return {
            "notice_date": self.notice_date.isoformat(),
            "notice_instant": _iso(self.notice_instant),
            "period": self.period.to_dict(),
            "period_text": self.period.display,
            "raw_last_day": _iso(self.raw_last_day),
            "last_day": _iso(self.last_day),
            "effective_date": self.effective_date.isoformat(),
            "effective_instant": _iso(self.effective_instant),
            "rolled": self.rolled,
            "provisional": self.provisional,
            "roll_mode": self.roll_mode.value,
            "end_mode": self.end_mode.value,
            "compliance_risk": self.compliance_risk,
            "calendar_years": list(self.calendar_years),
            "explanation": self.explanation,
            "explanation_steps": list(self.steps),
        }


COMPLIANCE_RISK_LENIENT = (
    "宽松口径以期间最后一日当日为生效日，而期间至该日二十四时才届满（民法典第二百零三条），"
    "通知实际不足完整期间；对“至少提前N日公示”等法定或约定义务（如电子商务法第三十四条）存在合规风险"
)


def effective_window(
    notice: NoticeInput,
    period: Period,
    calendar: WorkCalendar,
    *,
    roll: RollMode = RollMode.ALL_REST_DAYS,
    end: EndMode = EndMode.STRICT,
) -> EffectiveWindow:
    """Compute the notice window of a notice that took effect at ``notice`` (docs/legal/periods.md §3).

    Calendar days: L = D + N; months/years: the corresponding day N months later, or that month's last day;
    then, while L is a rest day (``roll``), L moves one day later. Working days: L is the N-th working day
    after D (make-up working days count). E = L + 1 (strict) or L (lenient). Hours: E = instant + N hours,
    never rolled. Raises CalendarError (KS601) when a day that must be classified lies in a year with no
    official schedule, PeriodError (KS615) for an hour period given only a date.
    """
    when = parse_notice(notice)
    if period.unit is Unit.HOUR:
        return _hours_window(when, period, roll, end)
    d = when.date
    steps = [f"通知生效日 D={d.isoformat()}（{weekday_name(d)}，北京时间），当日不计入（民法典第二百零一条）"]
    classified: list[dt.date] = []

    def classify(day: dt.date) -> DayKind:
        kind = calendar.day_kind(day)  # raises for a year with no schedule: never guess
        classified.append(day)
        return kind

    if period.unit is Unit.WORKING_DAY:
        raw_last = last = _walk_working_days(d, period.count, classify, steps)
    else:
        raw_last = _raw_last_day(d, period, steps)
        last = _roll(raw_last, roll, calendar, classify, steps)
    steps.append(f"期间于 {last.isoformat()} 24时届满（第二百零三条）")
    risk: str | None = None
    if end is EndMode.STRICT:
        effective = _shift(last, 1)
        steps.append(f"严格口径：期间届满后次日生效，最早生效日 E={_day(effective)}")
    else:
        effective = last
        risk = COMPLIANCE_RISK_LENIENT
        steps.append(f"宽松口径：以期间最后一日为生效日 E={_day(effective)}（存在合规风险）")
    provisional = _provisional_note(classified, calendar, steps)
    return EffectiveWindow(
        notice_date=d,
        notice_instant=when.instant,
        period=period,
        raw_last_day=raw_last,
        last_day=last,
        effective_date=effective,
        effective_instant=None,
        rolled=last != raw_last,
        provisional=provisional,
        roll_mode=roll,
        end_mode=end,
        steps=tuple(steps),
        compliance_risk=risk,
        classified_days=tuple(sorted(set(classified))),
    )


def announced_day_window(
    day: dt.date,
    period: Period,
    calendar: WorkCalendar,
    *,
    roll: RollMode = RollMode.ALL_REST_DAYS,
    end: EndMode = EndMode.STRICT,
) -> EffectiveWindow:
    """The window of a notice known only by its Beijing date ``day``: an agreement's ``announced`` date, the day
    of the check for an SLA change. Days, working days, months and years count from the date as
    :func:`effective_window` does. An hour period needs the notice's time, which a date does not give, so it is
    counted from 24:00 of ``day`` — the latest moment the notice can have taken effect that day — and, since a
    version applies from 00:00 (Beijing time) of its effective date, E is the first day that starts no earlier
    than the end of the period (docs/decisions/0103-hours-from-an-announced-date.md). No day is classified."""
    if period.unit is not Unit.HOUR:
        return effective_window(day, period, calendar, roll=roll, end=end)
    start = dt.datetime.combine(_shift(day, 1), dt.time(), tzinfo=shanghai())
    try:
        ends = (start.astimezone(dt.UTC) + dt.timedelta(hours=period.count)).astimezone(shanghai())
    except OverflowError:
        raise _out_of_range(day) from None
    effective = ends.date() if ends.time() == dt.time() else _shift(ends.date(), 1)
    steps = [
        f"公告日 {_day(day)}，只知日期不知时刻：按小时计算的期间自公告日 24时（{_instant(start)}，北京时间）起算，"
        "公告当日任何时刻发布的通知都不会因此少算（民法典第二百零一条第二款；决定记录 0103）",
        f"经过{period.display}，于 {_instant(ends)} 届满；按小时计算不适用休假日顺延",
        f"新版本自生效日 0时起适用，最早生效日 E={_day(effective)}",
    ]
    return _hours_result(day, start, period, effective, ends, roll, end, steps)


def _hours_window(when: NoticeTime, period: Period, roll: RollMode, end: EndMode) -> EffectiveWindow:
    if when.instant is None:
        raise PeriodError(
            HOURS_NEED_TIME,
            f"按小时计算的期间（{period.display}）需要通知的具体时间，只给了日期 {when.date.isoformat()}",
            hint="请写成如 2026-03-02T09:00+08:00（不带时区按北京时间）",
        )
    # Add in absolute time so that any offset change in the zone cannot shift the result.
    effective = (when.instant.astimezone(dt.UTC) + dt.timedelta(hours=period.count)).astimezone(shanghai())
    steps = [
        f"通知时间 {_instant(when.instant)}（北京时间）；按小时计算的期间自该时刻起算（民法典第二百零一条第二款）",
        f"经过{period.display}，于 {_instant(effective)} 届满；按小时计算不适用休假日顺延",
        f"最早生效时刻 {_instant(effective)}（北京时间）",
    ]
    return _hours_result(when.date, when.instant, period, effective.date(), effective, roll, end, steps)


def _hours_result(
    notice_date: dt.date,
    notice_instant: dt.datetime,
    period: Period,
    effective_date: dt.date,
    effective_instant: dt.datetime,
    roll: RollMode,
    end: EndMode,
    steps: list[str],
) -> EffectiveWindow:
    """The window of an hour period: no last day, nothing rolled, and no day classified, so no future notice can
    change the result (never provisional)."""
    return EffectiveWindow(
        notice_date=notice_date,
        notice_instant=notice_instant,
        period=period,
        raw_last_day=None,
        last_day=None,
        effective_date=effective_date,
        effective_instant=effective_instant,
        rolled=False,
        provisional=False,
        roll_mode=roll,
        end_mode=end,
        steps=tuple(steps),
        compliance_risk=None,
        classified_days=(),
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later, or that month's last day when it has none (Art. 202)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise _out_of_range(day)
    return dt.date(year, month + 1, min(day.day, _gregorian.monthrange(year, month + 1)[1]))


def _raw_last_day(d: dt.date, period: Period, steps: list[str]) -> dt.date:
    first = _shift(d, 1)
    if period.unit is Unit.CALENDAR_DAY:
        last = _shift(d, period.count)
        steps.append(f"自 {first.isoformat()} 起算{period.display}，期间最后一日为 {last.isoformat()}")
        return last
    months = period.count * (12 if period.unit is Unit.YEAR else 1)
    last = add_months(d, months)
    if last.day == d.day:
        steps.append(
            f"自 {first.isoformat()} 起算{period.display}，到期月的对应日 {last.isoformat()} 为期间最后一日"
            "（第二百零二条）"
        )
    else:
        steps.append(
            f"自 {first.isoformat()} 起算{period.display}，到期月没有对应日（{last.year}年{last.month}月"
            f"没有{d.day}日），以月末日 {last.isoformat()} 为期间最后一日（第二百零二条）"
        )
    return last


def _roll(
    raw_last: dt.date,
    roll: RollMode,
    calendar: WorkCalendar,
    classify: Callable[[dt.date], DayKind],
    steps: list[str],
) -> dt.date:
    def must_roll(kind: DayKind) -> bool:
        return kind.is_holiday_block if roll is RollMode.STATUTORY_ONLY else not kind.is_working

    kind = classify(raw_last)
    if not must_roll(kind):
        if kind is DayKind.MAKEUP_WORKDAY:
            steps.append(f"期间最后一日 {calendar.describe(raw_last)}不是休假日，不顺延")
        elif kind is DayKind.WEEKEND:
            steps.append(
                f"期间最后一日 {calendar.describe(raw_last)}不在法定节假日内，按“仅法定节假日顺延”口径不顺延"
            )
        else:
            steps.append(f"期间最后一日 {calendar.describe(raw_last)}，不顺延")
        return raw_last
    passed = [raw_last]
    last = _shift(raw_last, 1)
    while must_roll(classify(last)):
        passed.append(last)
        last = _shift(last, 1)
    why = (
        "按默认口径（休息日均顺延，含普通周末）"
        if roll is RollMode.ALL_REST_DAYS
        else "按“仅法定节假日顺延”口径"
    )
    also = "、".join(calendar.describe(p) for p in passed[1:])
    steps.append(
        f"期间最后一日 {calendar.describe(raw_last)}为休假日，{also}亦为休假日"
        if also
        else f"期间最后一日 {calendar.describe(raw_last)}为休假日"
    )
    steps[-1] += f"，依第二百零三条{why}顺延至 {calendar.describe(last)}"
    return last


def _walk_working_days(
    d: dt.date, count: int, classify: Callable[[dt.date], DayKind], steps: list[str]
) -> dt.date:
    steps.append(
        f"自 {_shift(d, 1).isoformat()} 起逐日计算{count}个工作日：调休上班日计入，"
        "法定节假日、调休休息日和普通周末不计入"
    )
    found = 0
    skipped = 0
    makeups: list[dt.date] = []
    day = d
    while found < count:
        day = _shift(day, 1)
        kind = classify(day)
        if kind.is_working:
            found += 1
            if kind is DayKind.MAKEUP_WORKDAY:
                makeups.append(day)
        else:
            skipped += 1
    detail = f"跳过休息日{skipped}天"
    if makeups:
        detail += "，计入调休上班日 " + "、".join(m.isoformat() for m in makeups)
    steps.append(f"第{count}个工作日为 {_day(day)}，即期间最后一日（{detail}）")
    return day


def _provisional_note(classified: list[dt.date], calendar: WorkCalendar, steps: list[str]) -> bool:
    late = sorted({day for day in classified if calendar.is_provisional(day)})
    if not late:
        return False
    next_year = late[0].year + 1
    steps.append(
        f"暂定结果：计算依赖 {late[0].isoformat()} 等12月下旬的日期，而{next_year}年节假日安排尚未载入，"
        f"其公布时可能调整这些日期（如2019年安排将2018-12-29调为上班日）"
    )
    return True


# ---------------------------------------------------------------------------------------------------------
# Reverse


@dataclass(frozen=True, slots=True)
class LatestNotice:
    """The answer to "by when must we give notice so that the change takes effect on E?"."""

    effective_date: dt.date
    """The target E."""
    effective_instant: dt.datetime | None
    """For hours: the target instant in Beijing time."""
    period: Period
    latest_notice_date: dt.date
    """The latest D whose window gives an effective date no later than E."""
    latest_notice_instant: dt.datetime | None
    """For hours: the latest notice instant (target − N hours)."""
    provisional: bool
    """True when a classified day could still change with next year's schedule."""
    roll_mode: RollMode
    end_mode: EndMode
    window: EffectiveWindow
    """The forward window of the latest notice."""
    steps: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return "；".join(self.steps) + "。"

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of a reverse computation."""
        return {
            "effective_date": self.effective_date.isoformat(),
            "effective_instant": _iso(self.effective_instant),
            "period": self.period.to_dict(),
            "period_text": self.period.display,
            "latest_notice_date": self.latest_notice_date.isoformat(),
            "latest_notice_instant": _iso(self.latest_notice_instant),
            "provisional": self.provisional,
            "roll_mode": self.roll_mode.value,
            "end_mode": self.end_mode.value,
            "window": self.window.to_dict(),
            "explanation": self.explanation,
            "explanation_steps": list(self.steps),
        }


def latest_notice_date(
    target_effective: NoticeInput,
    period: Period,
    calendar: WorkCalendar,
    *,
    roll: RollMode = RollMode.ALL_REST_DAYS,
    end: EndMode = EndMode.STRICT,
) -> LatestNotice:
    """The latest notice date D whose window gives an effective date no later than ``target_effective``.

    The forward computation never decreases as D grows, so D steps down from E − 1 until forward(D) ≤ E
    (docs/legal/periods.md §3.8); the first such D is the latest. A D whose window must end after E even before any
    roll is passed over without consulting the calendar, so only days that matter are classified.
    For hours the target may be a time (a date means 00:00 Beijing time) and the answer is target − N hours.
    """
    target = parse_notice(target_effective)
    if period.unit is Unit.HOUR:
        return _latest_for_hours(target, period, roll, end)
    e = target.date
    steps = [
        f"目标生效日 E={_day(e)}；期间{period.display}，"
        + ("严格口径（E=L+1）" if end is EndMode.STRICT else "宽松口径（E=L）")
        + ("，休息日均顺延" if roll is RollMode.ALL_REST_DAYS else "，仅法定节假日顺延"),
        f"生效日随通知日单调不减，自 D={_shift(e, -1).isoformat()} 向前逐日检验，第一个满足的 D 即最迟通知日",
    ]
    classified: set[dt.date] = set()
    d, window, later = _search_latest(e, period, calendar, roll, end, classified)
    steps.append(later)
    steps.append(
        f"D={_day(d)} 时期间最后一日为 {window.last_day}，"  # a period of days, months or years has its last day
        f"最早生效日 {window.effective_date.isoformat()}，不晚于目标"
    )
    steps.append(f"最迟通知日 {d.isoformat()}（北京时间，当日通知生效）")
    provisional = _provisional_note(sorted(classified), calendar, steps)
    return LatestNotice(
        effective_date=e,
        effective_instant=None,
        period=period,
        latest_notice_date=d,
        latest_notice_instant=None,
        provisional=provisional,
        roll_mode=roll,
        end_mode=end,
        window=window,
        steps=tuple(steps),
    )


def _search_latest(
    e: dt.date, period: Period, calendar: WorkCalendar, roll: RollMode, end: EndMode, classified: set[dt.date]
) -> tuple[dt.date, EffectiveWindow, str]:
    """Step D down from E − 1 to the first D whose window gives an effective date ≤ E; the days classified on
    the way are added to ``classified``. Returns D, its window and what D + 1 gives (for the explanation)."""
    shift = 1 if end is EndMode.STRICT else 0
    days = period.unit in (Unit.CALENDAR_DAY, Unit.WORKING_DAY)
    # Any D above E − (N + shift) has an unrolled L past E already (N months or years are longer than N days):
    # start there instead of stepping one by one; for months and years, pass over the D whose unrolled L is past E.
    d = _shift(e, -(period.count + shift))
    later = f"D={_shift(d, 1).isoformat()} 及以后即使不顺延，最早生效日也晚于目标"
    while True:
        if not days and _unrolled_months(d, period, shift) > e:
            later = f"D={d.isoformat()} 及以后即使不顺延，最早生效日也晚于目标"
            d = _shift(d, -1)
            continue
        window = effective_window(d, period, calendar, roll=roll, end=end)
        classified.update(window.classified_days)
        if window.effective_date <= e:
            return d, window, later
        later = f"D={d.isoformat()} 时最早生效日为 {window.effective_date.isoformat()}，晚于目标"
        d = _shift(d, -1)


def _unrolled_months(d: dt.date, period: Period, shift: int) -> dt.date:
    """A lower bound of forward(D) for a period of months or years that needs no calendar: rolls only add days."""
    return _shift(add_months(d, period.count if period.unit is Unit.MONTH else 12 * period.count), shift)


def _latest_for_hours(target: NoticeTime, period: Period, roll: RollMode, end: EndMode) -> LatestNotice:
    zone = shanghai()
    # A bare date means the change applies from the start of that Beijing day.
    target_instant = target.instant or dt.datetime.combine(target.date, dt.time(), tzinfo=zone)
    latest = (target_instant.astimezone(dt.UTC) - dt.timedelta(hours=period.count)).astimezone(zone)
    window = _hours_window(parse_notice(latest), period, roll, end)
    steps = (
        f"目标生效时刻 {_instant(target_instant)}（北京时间）；期间{period.display}，按小时计算不顺延",
        f"最迟通知时刻 = 目标生效时刻 − {period.display} = {_instant(latest)}（北京时间）",
    )
    return LatestNotice(
        effective_date=target_instant.date(),
        effective_instant=target_instant,
        period=period,
        latest_notice_date=latest.date(),
        latest_notice_instant=latest,
        provisional=False,
        roll_mode=roll,
        end_mode=end,
        window=window,
        steps=steps,
    )


# ---------------------------------------------------------------------------------------------------------
# Helpers


def _shift(day: dt.date, days: int) -> dt.date:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise _out_of_range(day) from None


def _out_of_range(day: dt.date) -> PeriodError:
    return PeriodError(
        DATE_OUT_OF_RANGE, f"自 {day.isoformat()} 起的期间超出可计算的日期范围", hint="请检查期间长度"
    )


def _day(day: dt.date) -> str:
    return f"{day.isoformat()}（{weekday_name(day)}）"


def _instant(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
