"""The official PRC working-day schedule (国务院办公厅节假日安排) as a pure lookup table.

Sources, in order (a later one wins for the years it covers):

1. the data of the ``chinesecalendar`` package (module ``chinese_calendar``): its ``holidays``,
   ``workdays`` and ``in_lieu_days`` tables, never its helpers (``find_workday`` and ``get_workdays``
   miscount, see docs/decisions/0101-calendar-data.md);
2. one correction: 2005-12-31 (a Saturday) was a working day under the 2006 notice;
3. year files ``kspub/data/calendar/<year>.yaml`` shipped with kspub;
4. year files in extra directories the caller names (an agreement repository's ``calendar/``).

The format of a year file is documented in kspub/data/calendar/README.md. A date in a year no source
covers is never guessed: every classifying method raises :class:`~kspub.errors.CalendarError` (KS601).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

import yaml

from kspub.errors import CalendarError, Diagnostic

#: A date in a year with no official schedule loaded.
UNKNOWN_YEAR = "KS601"
#: A year file that cannot be read or breaks the format.
INVALID_YEAR_FILE = "KS602"
#: Two year files give different schedules for the same year.
CONFLICTING_YEAR_FILES = "KS603"
#: An extra calendar directory that does not exist.
MISSING_CALENDAR_DIR = "KS604"

#: How year files shipped with kspub are named in messages (never a machine path).
PACKAGE_DATA_DIR = "kspub/data/calendar"

#: Days after this day of December are provisional while the next year's schedule is unknown: a notice
#: can move make-up days and holiday blocks into late December (the 2019 notice made 2018-12-29 a working day).
PROVISIONAL_AFTER_DECEMBER_DAY = 20

_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# chinesecalendar names its holidays in English; its Holiday enum carries the Chinese name.
_CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class DayKind(StrEnum):
    """What the official schedule makes of one day."""

    WORKDAY = "workday"
    """An ordinary Monday to Friday."""
    WEEKEND = "weekend"
    """An ordinary Saturday or Sunday."""
    HOLIDAY = "holiday"
    """A day off inside an official holiday block: a statutory holiday or a weekend joined to one."""
    IN_LIEU = "in_lieu"
    """A weekday off in exchange for a make-up working day (调休休息日)."""
    MAKEUP_WORKDAY = "makeup_workday"
    """A Saturday or Sunday worked in exchange for an in-lieu day (调休上班日)."""

    @property
    def is_working(self) -> bool:
        return self in (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)

    @property
    def is_holiday_block(self) -> bool:
        return self in (DayKind.HOLIDAY, DayKind.IN_LIEU)


@dataclass(frozen=True, slots=True)
class ScheduledDay:
    """A day the official schedule names: a day off in a holiday block or a make-up working day."""

    kind: DayKind
    holiday: str
    """Chinese name of the holiday the day belongs to, e.g. ``春节``."""


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """The working-day schedule of every known year; days not listed follow the ordinary week."""

    days: Mapping[dt.date, ScheduledDay]
    """Every holiday-block day and make-up working day of the known years."""
    years: frozenset[int]
    """Years with an official schedule."""
    sources: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    """Where each year's schedule came from (``chinesecalendar 1.11.0`` or a year file)."""

    @property
    def known_years(self) -> tuple[int, ...]:
        """The years with an official schedule, ascending."""
        return tuple(sorted(self.years))

    @property
    def last_known_year(self) -> int:
        """The latest year with an official schedule."""
        return max(self.years)

    def require_known(self, day: dt.date) -> None:
        """Raise :class:`CalendarError` (KS601) unless ``day`` lies in a year with an official schedule."""
        if day.year not in self.years:
            raise unknown_year_error(day)

    def day_kind(self, day: dt.date) -> DayKind:
        """Classify ``day``; raises CalendarError for a year with no schedule."""
        self.require_known(day)
        listed = self.days.get(day)
        if listed is not None:
            return listed.kind
        return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY

    def is_working_day(self, day: dt.date) -> bool:
        """True for an ordinary weekday or a make-up working day."""
        return self.day_kind(day).is_working

    def is_rest_day(self, day: dt.date) -> bool:
        """True for an ordinary weekend, a holiday-block day or an in-lieu day."""
        return not self.is_working_day(day)

    def is_statutory_holiday_block(self, day: dt.date) -> bool:
        """True for a day off inside an official holiday block (statutory holiday, in-lieu day, joined weekend)."""
        return self.day_kind(day).is_holiday_block

    def holiday_name(self, day: dt.date) -> str | None:
        """Chinese name of the holiday ``day`` belongs to (a day off in its block or one of its make-up
        working days), or None for an ordinary day."""
        self.require_known(day)
        listed = self.days.get(day)
        return listed.holiday if listed is not None else None

    def is_provisional(self, day: dt.date) -> bool:
        """True when next year's notice could still change how ``day`` is classified."""
        return (
            day.month == 12 and day.day > PROVISIONAL_AFTER_DECEMBER_DAY and (day.year + 1) not in self.years
        )

    def describe(self, day: dt.date) -> str:
        """Chinese description of the day, e.g. ``2026-02-20（星期五，春节调休休息日）``."""
        kind = self.day_kind(day)
        name = self.holiday_name(day)  # a day of a holiday's kind has its holiday's name
        what = {
            DayKind.WORKDAY: "工作日",
            DayKind.WEEKEND: "周末休息日",
            DayKind.HOLIDAY: f"{name}假期",
            DayKind.IN_LIEU: f"{name}调休休息日",
            DayKind.MAKEUP_WORKDAY: f"{name}调休上班日",
        }[kind]
        return f"{day.isoformat()}（{_WEEKDAYS[day.weekday()]}，{what}）"


def weekday_name(day: dt.date) -> str:
    """``星期一`` … ``星期日``."""
    return _WEEKDAYS[day.weekday()]


def year_file_hint(year: int) -> str:
    """Where a maintainer adds the schedule of ``year``."""
    return f"{PACKAGE_DATA_DIR}/{year}.yaml"


def unknown_year_error(day: dt.date) -> CalendarError:
    """The error for a date whose year has no official schedule loaded."""
    year = day.year
    return CalendarError(
        UNKNOWN_YEAR,
        f"{year}年的国务院节假日安排尚未载入，无法判断 {day.isoformat()} 是否为工作日（kspub 不推测日历）；"
        f"请新增 {year_file_hint(year)}",
        hint=f"国务院办公厅公布{year}年部分节假日安排的通知后，按 {PACKAGE_DATA_DIR}/README.md 的格式"
        f"新增 {year_file_hint(year)}，或在协议仓库的 calendar/{year}.yaml 中添加",
    )


# ---------------------------------------------------------------------------------------------------------
# Loading


@dataclass(frozen=True, slots=True)
class YearFile:
    """One validated year file."""

    year: int
    """The year whose notice the file transcribes."""
    label: str
    """The file as named in messages."""
    days: Mapping[dt.date, ScheduledDay]
    """Every day off in a holiday block and every make-up working day the notice lists."""


def load_calendar(extra_dirs: Sequence[str | os.PathLike[str]] = ()) -> WorkCalendar:
    """The official schedule: chinesecalendar's data, the 2005-12-31 correction, kspub's year files and the
    year files in ``extra_dirs`` (later directories after earlier ones).

    The default calendar (no extra directories) is built once and cached.
    Raises CalendarError for a missing directory (KS604), a malformed year file (KS602) or two year files
    that disagree about a year (KS603).
    """
    if not extra_dirs:
        return _default_calendar()
    return _build_calendar(tuple((Path(p), str(p)) for p in extra_dirs))


@lru_cache(maxsize=1)
def _default_calendar() -> WorkCalendar:
    return _build_calendar(())


def _build_calendar(extra_dirs: tuple[tuple[Path, str], ...]) -> WorkCalendar:
    """The calendar with the year files of ``extra_dirs``: (folder, how messages name it)."""
    days, sources = _chinesecalendar_days()
    files = list(_package_year_files())
    for directory, shown in extra_dirs:
        files.extend(_directory_year_files(directory, shown))
    by_year: dict[int, YearFile] = {}
    for year_file in files:
        previous = by_year.get(year_file.year)
        if previous is not None:
            if dict(previous.days) != dict(year_file.days):
                raise CalendarError(
                    CONFLICTING_YEAR_FILES,
                    f"{previous.label} 与 {year_file.label} 给出的{year_file.year}年节假日安排不一致",
                    path=year_file.label,
                    hint="同一年份只保留一个年份文件，或使两者内容一致",
                )
            continue
        by_year[year_file.year] = year_file
    for year, year_file in sorted(by_year.items()):
        # A year file replaces that year wholesale (the way to correct a third-party table); its entries in
        # December of the year before (a 元旦 block or make-up day announced with it) override per date.
        for day in [d for d in days if d.year == year]:
            del days[day]
        days.update(year_file.days)
        sources[year] = year_file.label
    years = frozenset(sources)
    return WorkCalendar(
        days=MappingProxyType(_join_weekends_to_blocks(days, years)),
        years=years,
        sources=MappingProxyType(dict(sorted(sources.items()))),
    )


def _chinesecalendar_days() -> tuple[dict[dt.date, ScheduledDay], dict[int, str]]:
    from chinese_calendar import constants  # third-party tables, untyped

    holidays: Mapping[dt.date, str] = constants.holidays
    workdays: Mapping[dt.date, str] = constants.workdays
    in_lieu: Mapping[dt.date, str] = constants.in_lieu_days
    days: dict[dt.date, ScheduledDay] = {}
    for day, name in holidays.items():
        kind = DayKind.IN_LIEU if day in in_lieu else DayKind.HOLIDAY
        days[day] = ScheduledDay(kind, _CHINESE_NAMES.get(name, name))
    for day, name in workdays.items():
        days[day] = ScheduledDay(DayKind.MAKEUP_WORKDAY, _CHINESE_NAMES.get(name, name))
    # The 2006 notice: 元旦 2006-01-01…03 off, Saturday 2005-12-31 worked. chinesecalendar misses the
    # make-up day and so calls it a rest day.
    days[dt.date(2005, 12, 31)] = ScheduledDay(DayKind.MAKEUP_WORKDAY, "元旦")
    label = f"chinesecalendar {metadata.version('chinesecalendar')}"
    # chinesecalendar supports exactly the years from its first to its last holiday.
    first, last = min(holidays).year, max(holidays).year
    return days, {year: label for year in range(first, last + 1)}


def _join_weekends_to_blocks(
    days: Mapping[dt.date, ScheduledDay], years: frozenset[int]
) -> dict[dt.date, ScheduledDay]:
    """Make an ordinary weekend that touches a holiday block part of it.

    Notices announce such weekends as part of the days off (与周末连休), but chinesecalendar lists them only
    in some years (2026-05-02 is listed, 2015-05-02 is not); the statutory-only roll mode needs one rule.
    """
    joined = dict(days)

    def ordinary_weekend(day: dt.date) -> bool:
        return day.year in years and day.weekday() >= 5 and day not in joined

    for day, scheduled in sorted(days.items()):
        if not scheduled.kind.is_holiday_block:
            continue
        for step in (dt.timedelta(days=-1), dt.timedelta(days=1)):
            cur = day + step
            while ordinary_weekend(cur):
                joined[cur] = ScheduledDay(DayKind.HOLIDAY, scheduled.holiday)
                cur += step
    return joined


def _package_year_files() -> Iterator[YearFile]:
    root = resources.files("kspub").joinpath("data", "calendar")
    if not root.is_dir():
        return
    entries: list[Traversable] = sorted(root.iterdir(), key=lambda t: t.name)
    for entry in entries:
        if _is_year_file_candidate(entry.name):
            yield parse_year_file(entry.read_text(encoding="utf-8"), f"{PACKAGE_DATA_DIR}/{entry.name}")


def _directory_year_files(directory: Path, shown: str) -> Iterator[YearFile]:
    if not directory.is_dir():
        raise CalendarError(
            MISSING_CALENDAR_DIR,
            f"日历目录 {directory} 不存在",
            path=str(directory),
            hint="检查传入的日历目录路径；没有补充年份时不必传入",
        )
    for entry in sorted(directory.iterdir()):
        if entry.is_file() and _is_year_file_candidate(entry.name):
            yield parse_year_file(entry.read_text(encoding="utf-8"), f"{shown.rstrip('/')}/{entry.name}")


def _is_year_file_candidate(name: str) -> bool:
    # Every YAML file in a calendar directory must be a year file; a misnamed one is reported, not skipped.
    return name.endswith((".yaml", ".yml"))


# ---------------------------------------------------------------------------------------------------------
# Year files

_FILE_NAME = re.compile(r"(\d{4})\.yaml")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOP_KEYS = {"year", "notice", "url", "holidays"}
_HOLIDAY_KEYS = {"name", "rest", "in_lieu", "workdays"}
_MAX_RANGE_DAYS = 31
#: The seven statutory holidays of 《全国年节及纪念日放假办法》 (as amended 2024), each with the word a holiday
#: entry's name must contain (a joint block may be named 中秋节、国庆节). Every year's notice arranges all seven.
STATUTORY_HOLIDAYS: tuple[tuple[str, str], ...] = (
    ("元旦", "元旦"), ("春节", "春节"), ("清明节", "清明"), ("劳动节", "劳动"), ("端午节", "端午"), ("中秋节", "中秋"),
    ("国庆节", "国庆"),
)  # fmt: skip


class _Problems:
    """Collects every problem in one year file before failing (report everything, then fail)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.found: list[Diagnostic] = []

    def add(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.found.append(Diagnostic(INVALID_YEAR_FILE, message, self.label, line))

    def raise_if_any(self) -> None:
        if self.found:
            self.fail()

    def fail(self) -> NoReturn:
        first = self.found[0]
        summary = first.message if len(self.found) == 1 else f"{first.message}（共 {len(self.found)} 处问题）"
        raise CalendarError(
            INVALID_YEAR_FILE,
            summary,
            path=self.label,
            line=first.line,
            hint=f"年份文件格式见 {PACKAGE_DATA_DIR}/README.md",
            diagnostics=tuple(self.found),
        )


def parse_year_file(text: str, label: str) -> YearFile:
    """Parse and validate one year file; ``label`` names it in messages (its file name must be ``<year>.yaml``).

    Raises CalendarError (KS602) listing every problem found, each with its line.
    """
    problems = _Problems(label)
    name = label.replace("\\", "/").rpartition("/")[2]
    name_match = _FILE_NAME.fullmatch(name)
    if name_match is None:
        problems.add(None, f"年份文件名 {name} 不符合格式，应为四位年份加 .yaml，例如 2027.yaml")
        problems.fail()
    from kspub.chinese_text import describe_refused, refused_characters
    from kspub.frontmatter import DuplicateKeyError, load_yaml_document

    for at, ch in refused_characters(text):  # before the YAML reader, which would name it in English, without a line
        problems.found.append(Diagnostic(INVALID_YEAR_FILE, f"有无法显示的字符 {describe_refused(ch)}：请删除后重新输入（可能来自"
                                         "复制粘贴）", label, at + 1))  # fmt: skip
    if problems.found:
        problems.fail()
    try:
        # the one YAML reader, with its limits: no aliases, a bounded number of nodes, no duplicate keys
        root, _ = load_yaml_document(text)
    except DuplicateKeyError as exc:
        problems.found.append(Diagnostic(INVALID_YEAR_FILE, f"键 {exc.key} 重复", label, exc.line + 1))
        problems.fail()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None)
        if problem and type(exc).__name__ != "YamlLimitError":
            from kspub import yaml_hints

            # the usual mistake named at its line, in Chinese, rather than the parser's English
            hint = yaml_hints.explain(text, mark.line if mark else None, str(problem))
            line: int | None = hint.line + 1
            said = hint.message
        else:
            line, said = (mark.line + 1 if mark else None), " ".join(str(problem or exc).split())
        problems.found.append(Diagnostic(INVALID_YEAR_FILE, f"YAML 语法错误：{said}", label, line))
        problems.fail()
    if not isinstance(root, yaml.MappingNode):
        problems.add(root, "年份文件应为映射（year、notice、holidays 等键）")
        problems.fail()
    fields = _mapping(root, _TOP_KEYS, "年份文件", problems)
    year = _parse_year(fields, root, problems)
    if year is not None and int(name_match.group(1)) != year:
        problems.add(fields.get("year"), f"文件名年份 {name_match.group(1)} 与 year: {year} 不一致")
    notice = fields.get("notice")
    if notice is None:
        problems.add(root, "缺少 notice：应写明国务院办公厅通知的标题（及文号）")
    elif not (isinstance(notice, yaml.ScalarNode) and notice.value.strip()):
        problems.add(notice, "notice 应为非空文本：国务院办公厅通知的标题（及文号）")
    url = fields.get("url")
    if url is not None and not isinstance(url, yaml.ScalarNode):
        problems.add(url, "url 应为文本")
    days: dict[dt.date, ScheduledDay] = {}
    holidays = fields.get("holidays")
    if holidays is None:
        problems.add(root, "缺少 holidays：应列出该年每个节日的放假日期和调休上班日")
    elif not isinstance(holidays, yaml.SequenceNode) or not holidays.value:
        problems.add(holidays, "holidays 应为非空列表，每项是一个节日")
    else:
        seen: dict[dt.date, tuple[str, yaml.Node]] = {}
        for item in holidays.value:
            _parse_holiday(item, year, days, seen, problems)
    problems.raise_if_any()
    assert year is not None  # a missing year was reported above
    _require_statutory_holidays(days, holidays, year, problems)
    return YearFile(year=year, label=label, days=MappingProxyType(days))


def _require_statutory_holidays(
    days: Mapping[dt.date, ScheduledDay], holidays: yaml.Node | None, year: int, problems: _Problems
) -> None:
    """A well-formed year file lists all seven statutory holidays: a file holding only some is not the
    year's schedule, and a period counted across a missing holiday would end days too early."""
    names = {d.holiday for d in days.values() if d.kind is not DayKind.MAKEUP_WORKDAY}
    missing = [name for name, word in STATUTORY_HOLIDAYS if not any(word in n for n in names)]
    if missing:
        problems.add(
            holidays,
            f"缺少{'、'.join(missing)}的放假安排：《全国年节及纪念日放假办法》规定元旦、春节、清明节、劳动节、端午节、中秋节、"
            f"国庆节七个节日，国务院办公厅每年的通知都会逐一安排。请按{year}年的通知补全全部七个节日（含调休上班日）；"
            "只写了一部分的文件不是该年的安排",
        )
        problems.fail()


def _mapping(
    node: yaml.MappingNode, allowed: set[str], what: str, problems: _Problems
) -> dict[str, yaml.Node]:
    fields: dict[str, yaml.Node] = {}
    # every key is a scalar, and none is written twice: the YAML reader refused the file otherwise
    for key_node, value_node in node.value:
        if key_node.value not in allowed:
            problems.add(key_node, f"{what}中有未知的键 {key_node.value!r}；可用的键：{'、'.join(sorted(allowed))}")
        else:
            fields[key_node.value] = value_node
    return fields


def _parse_year(fields: Mapping[str, yaml.Node], root: yaml.Node, problems: _Problems) -> int | None:
    node = fields.get("year")
    if node is None:
        problems.add(root, "缺少 year：应为四位年份，例如 year: 2027")
        return None
    if not (isinstance(node, yaml.ScalarNode) and re.fullmatch(r"\d{4}", node.value)):
        problems.add(node, "year 应为四位年份，例如 year: 2027")
        return None
    return int(node.value)


def _parse_holiday(
    item: yaml.Node,
    year: int | None,
    days: dict[dt.date, ScheduledDay],
    seen: dict[dt.date, tuple[str, yaml.Node]],
    problems: _Problems,
) -> None:
    if not isinstance(item, yaml.MappingNode):
        problems.add(item, "holidays 的每一项应为映射（name、rest、in_lieu、workdays）")
        return
    fields = _mapping(item, _HOLIDAY_KEYS, "节日条目", problems)
    name_node = fields.get("name")
    if not (isinstance(name_node, yaml.ScalarNode) and name_node.value.strip()):
        problems.add(name_node or item, "节日条目缺少 name（节日的中文名称，如 春节）")
        name = "?"
    else:
        name = name_node.value.strip()
    if "rest" not in fields:
        problems.add(item, f"{name}：缺少 rest（放假的全部日期）")
    rest = _parse_dates(fields.get("rest"), "rest", name, year, problems)
    in_lieu = _parse_dates(fields.get("in_lieu"), "in_lieu", name, year, problems)
    workdays = _parse_dates(fields.get("workdays"), "workdays", name, year, problems)
    rest_days = {d for d, _ in rest}
    for day, node in in_lieu:
        if day not in rest_days:
            problems.add(node, f"{name}：调休休息日 {day} 不在 rest 所列的放假日期中")
        if day.weekday() >= 5:
            problems.add(node, f"{name}：调休休息日 {day} 是{weekday_name(day)}，调休休息日应为周一至周五")
    for day, node in workdays:
        if day.weekday() < 5:
            problems.add(node, f"{name}：调休上班日 {day} 是{weekday_name(day)}，调休上班日应为周六或周日")
    lieu_days = {d for d, _ in in_lieu}
    entries = [(d, n, DayKind.IN_LIEU if d in lieu_days else DayKind.HOLIDAY) for d, n in rest]
    entries += [(d, n, DayKind.MAKEUP_WORKDAY) for d, n in workdays]
    for day, node, kind in entries:
        if day in seen:
            other, other_node = seen[day]
            problems.add(
                node, f"{name}：日期 {day} 重复出现（另见第 {other_node.start_mark.line + 1} 行，{other}）"
            )
            continue
        seen[day] = (name, node)
        days[day] = ScheduledDay(kind, name)


def _parse_dates(
    node: yaml.Node | None, key: str, name: str, year: int | None, problems: _Problems
) -> list[tuple[dt.date, yaml.Node]]:
    """A date, a range ``A..B`` or a list of those; every date in ``year`` or December of the year before."""
    if node is None:
        return []
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if key == "rest" and not items:
        problems.add(node, f"{name}：rest 不能为空")
    result: list[tuple[dt.date, yaml.Node]] = []
    for item in items:
        if not isinstance(item, yaml.ScalarNode):
            problems.add(item, f"{name}：{key} 中的每项应为日期 YYYY-MM-DD 或日期区间 YYYY-MM-DD..YYYY-MM-DD")
            continue
        for day in _expand(item, key, name, problems):
            if year is not None and not (day.year == year or (day.year == year - 1 and day.month == 12)):
                problems.add(
                    item, f"{name}：日期 {day} 不属于{year}年的安排（只允许{year}年及{year - 1}年12月）"
                )
                continue
            result.append((day, item))
    return result


def _expand(item: yaml.ScalarNode, key: str, name: str, problems: _Problems) -> Iterable[dt.date]:
    parts = [p.strip() for p in item.value.split("..")]
    if len(parts) > 2 or not all(_DATE.fullmatch(p) for p in parts):
        problems.add(
            item, f"{name}：{key} 中的 {item.value!r} 不是日期 YYYY-MM-DD 或区间 YYYY-MM-DD..YYYY-MM-DD"
        )
        return []
    try:
        bounds = [dt.date.fromisoformat(p) for p in parts]
    except ValueError:
        problems.add(item, f"{name}：{key} 中的 {item.value!r} 不是有效日期")
        return []
    first, last = bounds[0], bounds[-1]
    if last < first:
        problems.add(item, f"{name}：区间 {item.value} 的结束日早于开始日")
        return []
    if (last - first).days >= _MAX_RANGE_DAYS:
        problems.add(item, f"{name}：区间 {item.value} 超过 {_MAX_RANGE_DAYS} 天，请检查日期")
        return []
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


#: Where an agreement repository keeps newly published years of the schedule.
REPOSITORY_CALENDAR_DIR = "calendar"


def repository_calendar(root: Path, extra_dirs: Sequence[str | os.PathLike[str]] = ()) -> WorkCalendar:
    """The calendar a repository's questions are answered with: :func:`load_calendar` plus ``extra_dirs`` and
    the repository's own ``calendar/`` (read from ``root``, never from the current directory). ``kspub check``
    and ``kspub notice`` both call this, so the same question gets the same date."""
    own = root / REPOSITORY_CALENDAR_DIR
    if not own.is_dir():
        return load_calendar(extra_dirs)
    # the repository's own year files named as in the repository (calendar/2027.yaml), wherever it is read from
    # (the build reads a copy of the commit in a temporary folder)
    return _build_calendar((*((Path(p), str(p)) for p in extra_dirs), (own, REPOSITORY_CALENDAR_DIR)))
