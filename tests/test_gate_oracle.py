"""The gate and kspub's law module against an independent oracle written from the legal reference alone.

tests/oracle_rules.py implements docs/legal/periods.md (Civil Code Arts. 200–204 as its §3 spells them out, with
the roll and end interpretations) and notice.md §4 ("the stricter of the base's rules and the new rules governs")
without importing kspub. Here, for random notice dates, periods, modes, agreements and changes, kspub's answer
must be the oracle's: the same last day, the same earliest lawful effective date, the same refusal to guess a
calendar, the same provisional flag, the same latest notice date for a target, and the same date in the gate.

Hypothesis runs derandomized with a fixed number of examples so that the file is fast and every run is the same.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kspub.cli import main
from kspub.diff import diff_agreements
from kspub.errors import CalendarError
from kspub.law.counting import effective_window, latest_notice_date
from kspub.law.notice_lint import lint_notice
from kspub.law.period import EndMode, RollMode, parse_period
from kspub.law.rules_in_force import assess_in_force
from kspub.law.workdays import WorkCalendar, load_calendar
from kspub.model import Agreement
from kspub.parse import parse_agreement

from . import oracle_rules as oracle
from .conftest import git, release_all

D = dt.date
KSPUB_CALENDAR = load_calendar()
ORACLE_CALENDAR = oracle.Calendar.official()
FICTIONAL = Path(__file__).parent / "fixtures" / "calendar" / "fictional"

ROLLS = {oracle.ALL_REST_DAYS: RollMode.ALL_REST_DAYS, oracle.STATUTORY_ONLY: RollMode.STATUTORY_ONLY}
ENDS = {oracle.STRICT: EndMode.STRICT, oracle.LENIENT: EndMode.LENIENT}


def examples(n: int) -> settings:
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


# --- strategies ------------------------------------------------------------------------------------------------

#: Period texts in every spelling periods.md §3.2 names, with counts that reach across year ends.
day_periods = st.builds(lambda n, w: f"{n}{w}", st.integers(1, 400), st.sampled_from(["日", "天", "自然日", "个自然日"]))
working_periods = st.builds(lambda n, w: f"{n}{w}", st.integers(1, 60), st.sampled_from(["工作日", "个工作日"]))
month_periods = st.builds(lambda n, w: f"{n}{w}", st.integers(1, 24), st.sampled_from(["个月", "月"]))
year_periods = st.builds(lambda n: f"{n}年", st.integers(1, 3))
periods = st.one_of(day_periods, working_periods, month_periods, year_periods)
rolls = st.sampled_from(sorted(ROLLS))
ends = st.sampled_from(sorted(ENDS))
#: Notice dates over the whole known calendar, December of its last year included (errors and provisional).
notice_dates = st.one_of(st.dates(D(2004, 1, 1), D(2026, 12, 31)), st.dates(D(2026, 10, 1), D(2026, 12, 31)))


def _near_the_schedule() -> list[dt.date]:
    """Every day the notices name (days off, make-up days) and the weekends within three days of one: where a
    period's last day lands when the roll modes, joined weekends and make-up Saturdays matter."""
    named = ORACLE_CALENDAR.days_off | ORACLE_CALENDAR.make_up
    near = {d + dt.timedelta(days=k) for d in named for k in range(-3, 4)}
    return sorted(d for d in near if d in named or d.weekday() >= 5)


#: (notice date, calendar-day period) pairs whose unrolled last day is such a day.
landings = st.builds(lambda day, n: (day - dt.timedelta(days=n), f"{n}日"), st.sampled_from(_near_the_schedule()),
                     st.integers(1, 90))  # fmt: skip


def kspub_forward(notice: dt.date | dt.datetime, text: str, roll: str, end: str,
                  calendar: WorkCalendar = KSPUB_CALENDAR) -> oracle.Window | int:  # fmt: skip
    """kspub's window in the oracle's terms, or the year it refused to guess (KS601)."""
    try:
        w = effective_window(notice, parse_period(text), calendar, roll=ROLLS[roll], end=ENDS[end])
    except CalendarError as exc:
        assert exc.code == "KS601", exc.format()
        return _year_in(exc.message)
    return oracle.Window(w.notice_date, w.last_day, w.effective_date, w.effective_instant, w.rolled, w.provisional)


def oracle_forward(notice: dt.date | dt.datetime, text: str, roll: str, end: str,
                   calendar: oracle.Calendar = ORACLE_CALENDAR) -> oracle.Window | int:  # fmt: skip
    try:
        return oracle.forward(notice, oracle.Period.parse(text), calendar, roll=roll, end=end)
    except oracle.UnknownYear as exc:
        return exc.year


def _year_in(message: str) -> int:
    import re

    found = re.search(r"(\d{4})年", message)
    assert found is not None, message
    return int(found.group(1))


# --- the oracle reproduces the worked examples of periods.md §4, and so does kspub -----------------------------

WORKED = [  # periods.md §4 (strict E, default roll mode), and §3.3's Art. 202 examples
    ("2026-03-02", "7自然日", "2026-03-09", "2026-03-10"),
    ("2026-02-13", "7日", "2026-02-24", "2026-02-25"),
    ("2026-02-13", "10工作日", "2026-03-05", "2026-03-06"),
    ("2026-02-07", "7天", "2026-02-14", "2026-02-15"),
    ("2024-02-29", "1年", "2025-02-28", "2025-03-01"),
    ("2026-01-31", "1个月", "2026-02-28", "2026-03-01"),
]


@pytest.mark.parametrize(("notice", "period", "last", "effective"), WORKED)
def test_the_oracle_and_kspub_give_the_worked_examples(notice: str, period: str, last: str, effective: str) -> None:
    for answer in (oracle_forward(D.fromisoformat(notice), period, "all_rest_days", "strict"),
                   kspub_forward(D.fromisoformat(notice), period, "all_rest_days", "strict")):  # fmt: skip
        assert isinstance(answer, oracle.Window)
        assert (answer.last_day, answer.effective_date) == (D.fromisoformat(last), D.fromisoformat(effective))


def test_the_oracle_and_kspub_refuse_the_unknown_year_and_answer_the_reverse_example() -> None:
    assert oracle_forward(D(2026, 12, 28), "7日", "all_rest_days", "strict") == 2027
    assert kspub_forward(D(2026, 12, 28), "7日", "all_rest_days", "strict") == 2027
    seven = oracle.Period.parse("7日")
    assert oracle.reverse(D(2026, 10, 8), seven, ORACLE_CALENDAR) == D(2026, 9, 23)
    assert latest_notice_date(D(2026, 10, 8), parse_period("7日"), KSPUB_CALENDAR).latest_notice_date == D(2026, 9, 23)


def test_the_oracle_reads_the_2026_reference_schedule() -> None:
    """docs/legal/calendar.md §5, the 2026 schedule, day by day, in the oracle's calendar."""
    cal = ORACLE_CALENDAR
    blocks = {"元旦": ("2026-01-01", "2026-01-03"), "春节": ("2026-02-15", "2026-02-23"), "清明": ("2026-04-04", "2026-04-06"),
              "劳动节": ("2026-05-01", "2026-05-05"), "端午": ("2026-06-19", "2026-06-21"),
              "中秋": ("2026-09-25", "2026-09-27"), "国庆": ("2026-10-01", "2026-10-07")}  # fmt: skip
    for first, last in blocks.values():
        day = D.fromisoformat(first)
        while day <= D.fromisoformat(last):
            assert not cal.is_working(day) and cal.in_holiday_block(day), day
            day += oracle.ONE_DAY
    for make_up in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"):
        assert cal.is_working(D.fromisoformat(make_up)), make_up
    assert not cal.is_working(D(2026, 3, 7)) and not cal.in_holiday_block(D(2026, 3, 7))  # an ordinary Saturday
    assert cal.is_working(D(2005, 12, 31))  # calendar.md §6: the correction of the data
    assert not cal.known(D(2027, 1, 4)) and cal.provisional(D(2026, 12, 21)) and not cal.provisional(D(2026, 12, 20))


# --- periods.md §3: one period, forward ------------------------------------------------------------------------


@examples(400)
@given(notice=notice_dates, period=periods, roll=rolls, end=ends)
def test_forward_windows_equal_the_oracle(notice: dt.date, period: str, roll: str, end: str) -> None:
    """Last day, earliest effective date, whether it rolled, whether it is provisional, or the unknown year."""
    assert kspub_forward(notice, period, roll, end) == oracle_forward(notice, period, roll, end)


@examples(300)
@given(landing=landings, roll=rolls, end=ends)
def test_last_days_near_holidays_roll_as_the_oracle_says(landing: tuple[dt.date, str], roll: str, end: str) -> None:
    """Unrolled last days on holidays, in-lieu days, make-up Saturdays and the weekends next to a block."""
    notice, period = landing
    assert kspub_forward(notice, period, roll, end) == oracle_forward(notice, period, roll, end)


def test_a_weekend_joined_to_a_holiday_rolls_in_statutory_only_mode_and_an_ordinary_one_does_not() -> None:
    # 2015: 清明 4/5 (Sunday) and 4/6 are listed, Saturday 4/4 is not, yet the three days are one block
    joined = (D(2015, 3, 28), "7日", "statutory_only", "strict")
    ordinary = (D(2015, 3, 7), "7日", "statutory_only", "strict")  # L = Saturday 2015-03-14
    for answer in (oracle_forward(*joined), kspub_forward(*joined)):
        assert isinstance(answer, oracle.Window) and (answer.last_day, answer.effective_date) == (D(2015, 4, 7), D(2015, 4, 8))
    for answer in (oracle_forward(*ordinary), kspub_forward(*ordinary)):
        assert isinstance(answer, oracle.Window) and (answer.last_day, answer.rolled) == (D(2015, 3, 14), False)


@examples(150)
@given(notice=st.dates(D(2026, 6, 1), D(2027, 12, 31)), period=periods, roll=rolls, end=ends)
def test_forward_windows_equal_the_oracle_with_a_year_file(notice: dt.date, period: str, roll: str, end: str) -> None:
    """A year file added (a fictional 2027, tests/fixtures/calendar): 2026's late December is no longer
    provisional, 2027 computes, 2028 is refused; the oracle reads the same file."""
    with_file = oracle.Calendar.official([FICTIONAL])
    assert kspub_forward(notice, period, roll, end, load_calendar([FICTIONAL])) == oracle_forward(
        notice, period, roll, end, with_file)


@examples(150)
@given(
    instant=st.datetimes(dt.datetime(2004, 1, 2), dt.datetime(2026, 11, 30),
                         timezones=st.sampled_from([dt.UTC, oracle.SHANGHAI, dt.timezone(dt.timedelta(hours=-8)),
                                                    dt.timezone(dt.timedelta(hours=14))])),  # fmt: skip
    period=st.one_of(st.builds(lambda n: f"{n}小时", st.integers(1, 2000)), periods.filter(lambda p: "年" not in p)),
    end=ends,
)
def test_a_timestamp_is_dated_in_beijing_and_hours_are_added_exactly(instant: dt.datetime, period: str, end: str) -> None:
    """periods.md §3.1 (a timestamp is converted to Asia/Shanghai first) and §3.7 (hours: instant + N, no roll)."""
    assert kspub_forward(instant, period, "all_rest_days", end) == oracle_forward(instant, period, "all_rest_days", end)


# --- periods.md §3.8: the reverse question ----------------------------------------------------------------------


@examples(200)
@given(target=st.one_of(st.dates(D(2004, 1, 1), D(2026, 12, 31)), st.dates(D(2026, 11, 15), D(2027, 1, 31))),
       period=st.one_of(st.builds(lambda n: f"{n}日", st.integers(1, 60)),
                        st.builds(lambda n: f"{n}个工作日", st.integers(1, 25)),
                        st.builds(lambda n: f"{n}个月", st.integers(1, 6)), st.just("1年")),
       roll=rolls, end=ends)  # fmt: skip
def test_latest_notice_dates_equal_the_oracle(target: dt.date, period: str, roll: str, end: str) -> None:
    try:
        expected: dt.date | int = oracle.reverse(target, oracle.Period.parse(period), ORACLE_CALENDAR, roll=roll, end=end)
    except oracle.UnknownYear as exc:
        expected = exc.year
    try:
        got: dt.date | int = latest_notice_date(target, parse_period(period), KSPUB_CALENDAR, roll=ROLLS[roll],
                                                end=ENDS[end]).latest_notice_date  # fmt: skip
    except CalendarError as exc:
        got = _year_in(exc.message)
    assert got == expected


# --- the gate: random agreements, changes and announcement dates -----------------------------------------------

#: An agreement whose notice block the strategies fill in: a default rule bound to 1.1, optional rules for fee
#: and liability changes bound to the clauses that state them, an optional statute, optional roll and end modes.
#: Each clause states the period of the rule bound to it, as lint requires (KS131).
TEMPLATE = """---
id: demo
title: 示例协议
kind: agreement
version: "{version}"
{dates}notice:
  default: {{period: {default}, channels: [site], clause: changes}}
{rules}{statutes}{modes}---

{{#general}}
## 一、总则

{{#changes}}
1.1 本协议变更的，金山云将提前{default}公告。{changes}

{{#fee-notice tags="fees"}}
1.2 {fee}

{{#liability-notice tags="liability"}}
1.3 {liability}

{{#service}}
1.4 金山云按本协议提供云服务。{service}

{{#prices tags="fees"}}
1.5 服务价格以官网公布为准。{prices}
"""
TAGS = {"changes": frozenset(), "fee-notice": frozenset({"fees"}), "liability-notice": frozenset({"liability"}),
        "service": frozenset(), "prices": frozenset({"fees"})}  # fmt: skip
AMENDED = "双方另有约定的除外。"

gate_periods = st.one_of(st.builds(lambda n: f"{n}日", st.integers(1, 45)),
                         st.builds(lambda n: f"{n}个自然日", st.integers(1, 45)),
                         st.builds(lambda n: f"{n}个工作日", st.integers(1, 20)),
                         st.builds(lambda n: f"{n}个月", st.integers(1, 3)))  # fmt: skip


@st.composite
def terms(draw: st.DrawFn) -> dict[str, str | None]:
    """One version's notice terms: every period of the block (None: that rule absent) and the modes."""
    return {
        "default": draw(gate_periods),
        "fees": draw(st.one_of(st.none(), gate_periods)),
        "liability": draw(st.one_of(st.none(), gate_periods)),
        "statute": draw(st.sampled_from([None, "电子商务法第三十四条"])),
        "roll": draw(st.sampled_from([None, "all_rest_days", "statutory_only"])),
        "end": draw(st.sampled_from([None, "strict", "lenient"])),
    }


def source(t: dict[str, str | None], version: str, amended: frozenset[str] = frozenset(), dates: str = "") -> str:
    rules = "".join(f"    - {{tags: [{tag}], period: {t[tag]}, channels: [site, email], clause: {clause}}}\n"
                    for tag, clause in (("fees", "fee-notice"), ("liability", "liability-notice")) if t[tag])  # fmt: skip
    modes = "".join(f"  {key}: {t[key]}\n" for key in ("roll", "end") if t[key])

    def extra(clause: str) -> str:
        return AMENDED if clause in amended else ""

    return TEMPLATE.format(
        version=version, dates=dates, default=t["default"], rules="  rules:\n" + rules if rules else "",
        statutes=f"  statutes: [{t['statute']}]\n" if t["statute"] else "", modes=modes,
        fee=(f"免费服务转为收费前，金山云将提前{t['fees']}通知您。" if t["fees"] else "免费服务转为收费前，金山云将通知您。")
        + extra("fee-notice"),
        liability=(f"涉及责任限制的变更，金山云将提前{t['liability']}通知您。" if t["liability"]
                   else "涉及责任限制的变更，金山云将通知您。") + extra("liability-notice"),
        changes=extra("changes"), service=extra("service"), prices=extra("prices"),
    )  # fmt: skip


def oracle_terms(t: dict[str, str | None]) -> oracle.Terms:
    rules = [oracle.Rule(oracle.Period.parse(str(t["default"])))]
    rules += [oracle.Rule(oracle.Period.parse(p), frozenset({tag})) for tag in ("fees", "liability") if (p := t[tag])]
    if t["statute"]:
        rules.append(oracle.ECOMMERCE_ART_34)
    return oracle.Terms(tuple(rules), roll=t["roll"] or oracle.ALL_REST_DAYS, end=t["end"] or oracle.STRICT)


def parsed(text: str) -> Agreement:
    result = parse_agreement(text, "agreements/demo.md")
    assert result.agreement is not None, [d.format() for d in result.diagnostics]
    assert [d.format() for d in lint_notice(result.agreement)] == []  # the rules are bound to their clauses
    return result.agreement


def oracle_date(announced: dt.date, changed: list[str], base: dict[str, str | None], head: dict[str, str | None],
                calendar: oracle.Calendar = ORACLE_CALENDAR) -> dt.date | int | None:  # fmt: skip
    try:
        return oracle.earliest_effective(announced, [TAGS[c] for c in changed], oracle_terms(base), oracle_terms(head),
                                         calendar)  # fmt: skip
    except oracle.UnknownYear as exc:
        return exc.year


gate_dates = st.one_of(st.dates(D(2005, 1, 1), D(2026, 12, 31)), st.dates(D(2026, 9, 1), D(2026, 12, 31)))
amendments = st.frozensets(st.sampled_from(sorted(TAGS)))


def gate_date(announced: dt.date, base: dict[str, str | None], head: dict[str, str | None],
              amended: frozenset[str]) -> tuple[dt.date | int | None, dt.date | int | None]:  # fmt: skip
    """What the gate computes for a changed agreement (:func:`assess_in_force`, called by the check) and what
    the oracle says, for the base version with ``base``'s terms and the new one with ``head``'s."""
    old, new = parsed(source(base, "1.0")), parsed(source(head, "2.0", amended))
    changed = [c.clause for c in diff_agreements(old, new).changes if c.material]
    # the material clauses are exactly those whose text the strategies changed
    assert set(changed) == amended | {c for c, key in (("changes", "default"), ("fee-notice", "fees"),
                                                       ("liability-notice", "liability")) if base[key] != head[key]}
    try:
        got: dt.date | int | None = assess_in_force(changed, old, new, KSPUB_CALENDAR, announced=announced).earliest_effective
    except CalendarError as exc:
        got = _year_in(exc.message)
    return got, oracle_date(announced, changed, base, head)


@examples(200)
@given(base=terms(), head=terms(), amended=amendments, announced=gate_dates)
def test_the_gate_s_earliest_lawful_date_equals_the_oracle(
    base: dict[str, str | None], head: dict[str, str | None], amended: frozenset[str], announced: dt.date
) -> None:
    """Every rule of both versions, every applicable rule, statutes, roll and end modes (the same in both
    versions here; a pull request that changes them is the next test)."""
    head = head | {"roll": base["roll"], "end": base["end"]}
    got, expected = gate_date(announced, base, head, amended)
    assert got == expected


@examples(60)
@given(base=terms(), modes=terms(), amended=amendments, announced=st.dates(D(2005, 1, 1), D(2026, 10, 31)))
def test_the_gate_s_earliest_lawful_date_equals_the_oracle_when_the_modes_change(
    base: dict[str, str | None], modes: dict[str, str | None], amended: frozenset[str], announced: dt.date
) -> None:
    """The same rules in both versions, the roll and end modes changed by the pull request."""
    head = base | {"roll": modes["roll"], "end": modes["end"]}
    got, expected = gate_date(announced, base, head, amended)
    assert got == expected


def _gate(repo: Path, today: dt.date) -> tuple[int, dict[str, object]]:
    release_all(repo, today)
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", today.isoformat(),
                                       "--format", "json"])  # fmt: skip
    (checked,) = json.loads(result.stdout)["agreements"]
    return result.exit_code, checked


@examples(8)
@given(base=terms(), head=terms(), amended=st.frozensets(st.sampled_from(sorted(TAGS)), min_size=1),
       announced=st.one_of(st.dates(D(2026, 1, 5), D(2026, 10, 31)), st.dates(D(2026, 11, 1), D(2026, 12, 31))))
def test_kspub_check_blocks_exactly_the_day_before_the_oracle_s_date(
    base: dict[str, str | None], head: dict[str, str | None], amended: frozenset[str], announced: dt.date
) -> None:
    """The real gate in a temporary repository: effective one day before the oracle's date is KS414 with the
    oracle's date in the message; effective on it is lawful (KS425); a window into a year without a schedule
    is KS601 naming the year file to add."""
    head = head | {"roll": base["roll"], "end": base["end"]}
    old = source(base, "1.0")
    changed = [c.clause for c in diff_agreements(parsed(old), parsed(source(head, "2.0", amended))).changes
               if c.material]  # fmt: skip
    expected = oracle_date(announced, changed, base, head)
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        (repo / "agreements").mkdir(parents=True)
        git(repo, "init", "-q", "-b", "main")
        (repo / "agreements/demo.md").write_text(old, "utf-8")
        release_all(repo)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "1.0")
        git(repo, "checkout", "-q", "-b", "change")

        def propose(effective: dt.date) -> tuple[int, dict[str, object]]:
            dates = f"announced: {announced}\neffective: {effective}\nsummary: 调整通知条款。\n"
            (repo / "agreements/demo.md").write_text(source(head, "2.0", amended, dates), "utf-8")
            return _gate(repo, announced)

        event(f"unknown year: {isinstance(expected, int)}")
        if isinstance(expected, int):
            code, checked = propose(announced + dt.timedelta(days=200))
            findings = checked["findings"]
            assert code == 1 and isinstance(findings, list)
            unknowns = [f for f in findings if f["code"] == "KS601"]
            assert len(unknowns) == 1
            unknown = unknowns[0]
            assert unknown["severity"] == "error" and f"calendar/{expected}.yaml" in unknown["message"]
            return
        assert isinstance(expected, dt.date)
        code, checked = propose(expected - dt.timedelta(days=1))
        notice, findings = checked["notice"], checked["findings"]
        assert isinstance(notice, dict) and isinstance(findings, list)
        assert notice["earliest_effective_date"] == expected.isoformat()
        earlies = [f for f in findings if f["code"] == "KS414"]
        assert len(earlies) == 1
        early = earlies[0]
        assert code == 1 and early["severity"] == "error" and f"最早合法生效日 {expected}" in early["message"]
        code, checked = propose(expected)
        findings = checked["findings"]
        assert isinstance(findings, list)
        errors = {f["code"] for f in findings if f["severity"] == "error"}
        assert "KS414" not in errors and "KS425" in {f["code"] for f in findings}
        # lowering a statute's duty is refused on its own (KS442); anything else lawful passes
        assert errors <= {"KS442"} and (code == 0) is (not errors)


@examples(8)
@given(today=st.one_of(st.dates(D(2026, 1, 1), D(2026, 10, 31)), st.dates(D(2026, 11, 1), D(2026, 12, 31))),
       period=gate_periods, roll=rolls, end=ends)  # fmt: skip
def test_the_gate_s_sla_date_equals_the_oracle(today: dt.date, period: str, roll: str, end: str) -> None:
    """An SLA change follows the service agreement's default rule, counted from the day of the check
    (decision record 0402): one day before the oracle's date is KS433 naming that date, the date itself passes;
    either is provisional (KS419) exactly when the oracle's window is."""
    from .test_gate_codes import CATALOGUE, ECS_LINE, SLA, service, sla_change

    modes = "".join(f"  {key}: {value}\n" for key, value in (("roll", roll), ("end", end)))
    provisional = False
    try:
        window = oracle.forward(today, oracle.Period.parse(period), ORACLE_CALENDAR, roll=roll, end=end)
        expected: dt.date | int = window.effective_date
        provisional = window.provisional
    except oracle.UnknownYear as exc:
        expected = exc.year
    event(f"unknown year: {isinstance(expected, int)}")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        (repo / "agreements").mkdir(parents=True)
        (repo / "sla").mkdir()
        git(repo, "init", "-q", "-b", "main")
        (repo / "agreements/cloud-service-agreement.md").write_text(service(period, modes), "utf-8")
        (repo / SLA).write_text(CATALOGUE, "utf-8")
        release_all(repo)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "1.0")
        git(repo, "checkout", "-q", "-b", "change")

        def check(effective: dt.date) -> tuple[int, list[dict[str, object]]]:
            (repo / SLA).write_text(sla_change(effective.isoformat()), "utf-8")
            result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today",
                                               today.isoformat(), "--format", "json"])  # fmt: skip
            findings = json.loads(result.stdout)["sla"]["findings"]
            assert isinstance(findings, list)
            return result.exit_code, findings

        if isinstance(expected, int):
            code, findings = check(today + dt.timedelta(days=200))
            assert code == 1 and [f["code"] for f in findings] == ["KS601"] and str(expected) in str(findings[0]["message"])
            return
        # a provisional result says so (KS419, a warning), and only then (periods.md §3.9)
        said = {"KS419"} if provisional else set()
        event(f"provisional: {provisional}")
        code, findings = check(expected - dt.timedelta(days=1))
        assert code == 1 and {f["code"] for f in findings} == {"KS433"} | said
        late = [f for f in findings if f["code"] == "KS433"]
        assert all(f"最早合法生效日 {expected}" in str(f["message"]) and f["line"] == ECS_LINE for f in late)
        code, findings = check(expected)
        assert code == 0 and [(f["code"], f["severity"]) for f in findings] == [(c, "warning") for c in said]
