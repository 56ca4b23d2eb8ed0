"""The calendar as kspub.law.workdays builds it, and every refusal of a year file word for word.

Each calendar here is built while the test runs (an extra directory, even an empty one, bypasses the cached
default calendar), so what is checked is the building itself: chinesecalendar's tables in Chinese, the
2005-12-31 correction, weekends joined to holiday blocks, year files shipped with kspub or kept by a repository.
A year file is the maintainer's transcription of a State Council notice: each mistake in it is reported at its
line with what to do (kspub/data/calendar/README.md)."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path

import pytest

from kspub.errors import CalendarError
from kspub.law import workdays
from kspub.law.workdays import DayKind, WorkCalendar, load_calendar, parse_year_file

D = dt.date
FICTIONAL = Path(__file__).parent / "fixtures" / "calendar" / "fictional"
HEAD = "year: 2027\nnotice: 测试\nholidays:\n  - name: 元旦\n    rest: 2027-01-01..2027-01-03\n"
SIX = ("  - name: 春节\n    rest: 2027-02-06..2027-02-14\n  - name: 清明节\n    rest: 2027-04-05\n"
       "  - name: 劳动节\n    rest: 2027-05-01..2027-05-05\n  - name: 端午节\n    rest: 2027-06-09\n"
       "  - name: 中秋节\n    rest: 2027-09-15\n  - name: 国庆节\n    rest: 2027-10-01..2027-10-07\n")  # fmt: skip


@pytest.fixture
def built(tmp_path: Path) -> WorkCalendar:
    """The default calendar, built afresh."""
    return load_calendar([tmp_path])


@pytest.mark.parametrize(
    ("day", "description"),
    [
        # chinesecalendar's years, its English names in Chinese, its in-lieu days as such
        (D(2024, 2, 10), "2024-02-10（星期六，春节假期）"),
        (D(2024, 2, 16), "2024-02-16（星期五，春节调休休息日）"),
        (D(2024, 2, 4), "2024-02-04（星期日，春节调休上班日）"),
        (D(2025, 10, 8), "2025-10-08（星期三，国庆节调休休息日）"),
        (D(2025, 9, 28), "2025-09-28（星期日，国庆节调休上班日）"),
        (D(2010, 9, 22), "2010-09-22（星期三，中秋节假期）"),
        (D(2015, 9, 3), "2015-09-03（星期四，中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日假期）"),
        (D(2015, 9, 4), "2015-09-04（星期五，中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休休息日）"),
        (D(2015, 9, 6), "2015-09-06（星期日，中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休上班日）"),
        (D(2006, 12, 31), "2006-12-31（星期日，元旦调休上班日）"),
        # the 2006 notice's make-up Saturday, which chinesecalendar misses
        (D(2005, 12, 31), "2005-12-31（星期六，元旦调休上班日）"),
        (D(2006, 1, 2), "2006-01-02（星期一，元旦假期）"),
        # weekends announced with a block (与周末连休), before and after it, both days of each
        (D(2011, 6, 4), "2011-06-04（星期六，端午节假期）"),
        (D(2011, 6, 5), "2011-06-05（星期日，端午节假期）"),
        (D(2015, 5, 2), "2015-05-02（星期六，劳动节假期）"),
        (D(2015, 5, 3), "2015-05-03（星期日，劳动节假期）"),
        (D(2015, 9, 5), "2015-09-05（星期六，中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日假期）"),
        (D(2024, 6, 8), "2024-06-08（星期六，端午节假期）"),
        # an ordinary weekend two days from a block stays ordinary
        (D(2015, 5, 9), "2015-05-09（星期六，周末休息日）"),
        (D(2011, 6, 11), "2011-06-11（星期六，周末休息日）"),
        (D(2026, 3, 9), "2026-03-09（星期一，工作日）"),
    ],
)
def test_the_calendar_built_from_its_sources_names_each_day(built: WorkCalendar, day: dt.date, description: str) -> None:
    assert built.describe(day) == description


def test_every_year_chinesecalendar_covers_is_known_with_its_source(built: WorkCalendar) -> None:
    from importlib.metadata import version

    assert built.known_years == tuple(range(2004, 2027))
    assert set(built.sources.values()) == {f"chinesecalendar {version('chinesecalendar')}"}


def test_a_year_file_identical_in_two_directories_does_not_stop_the_files_after_it(tmp_path: Path) -> None:
    (tmp_path / "2027.yaml").write_text((FICTIONAL / "2027.yaml").read_text("utf-8"), "utf-8")
    (tmp_path / "2028.yaml").write_text(HEAD.replace("2027", "2028") + SIX.replace("2027", "2028"), "utf-8")
    cal = load_calendar([FICTIONAL, tmp_path])
    assert cal.known_years[-2:] == (2027, 2028)
    assert cal.sources[2028] == str(tmp_path / "2028.yaml")


def test_two_year_files_that_disagree_are_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "2027.yaml").write_text(HEAD + SIX, "utf-8")
    with pytest.raises(CalendarError) as info:
        load_calendar([FICTIONAL, tmp_path])
    assert info.value.format() == (
        f"{tmp_path / '2027.yaml'}: KS603 {FICTIONAL / '2027.yaml'} 与 {tmp_path / '2027.yaml'} 给出的2027年节假日安排不一致"
        "（同一年份只保留一个年份文件，或使两者内容一致）"
    )


def test_a_missing_calendar_directory_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(CalendarError) as info:
        load_calendar([tmp_path / "calendar"])
    assert info.value.format() == (
        f"{tmp_path / 'calendar'}: KS604 日历目录 {tmp_path / 'calendar'} 不存在（检查传入的日历目录路径；没有补充年份时不必传入）"
    )


def test_a_yml_file_in_a_calendar_directory_is_reported_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "2027.yml").write_text(HEAD + SIX, "utf-8")
    with pytest.raises(CalendarError) as info:
        load_calendar([tmp_path])
    assert info.value.format() == (
        f"{tmp_path / '2027.yml'}: KS602 年份文件名 2027.yml 不符合格式，应为四位年份加 .yaml，例如 2027.yaml"
        "（年份文件格式见 kspub/data/calendar/README.md）"
    )


def test_a_year_file_shipped_with_kspub_extends_the_calendar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CONTRIBUTING.md, "Adding a calendar year": a year file in kspub/data/calendar/ needs no code change. The
    package data is copied into a stand-in for the installed package, with two year files added."""
    package = tmp_path / "kspub"
    shutil.copytree(Path(str(resources.files("kspub").joinpath("data"))), package / "data")
    calendar_dir = package / "data" / "calendar"
    (calendar_dir / "2028.yaml").write_text(HEAD.replace("2027", "2028") + SIX.replace("2027", "2028"), "utf-8")
    shutil.copy(FICTIONAL / "2027.yaml", calendar_dir / "2027.yaml")
    monkeypatch.setattr(workdays.resources, "files", lambda name: package if name == "kspub" else resources.files(name))
    cal = workdays._build_calendar(())
    assert cal.known_years[-2:] == (2027, 2028)
    assert cal.sources[2027] == "kspub/data/calendar/2027.yaml"
    assert cal.sources[2028] == "kspub/data/calendar/2028.yaml"
    assert cal.describe(D(2027, 2, 11)) == "2027-02-11（星期四，春节调休休息日）"


def test_a_directory_given_with_a_trailing_slash_names_its_files_with_one(tmp_path: Path) -> None:
    (tmp_path / "DAYS-X").mkdir()
    (tmp_path / "DAYS-X" / "2027.yaml").write_text(HEAD, "utf-8")
    with pytest.raises(CalendarError) as info:
        load_calendar([f"{tmp_path}/DAYS-X/"])
    assert info.value.path == f"{tmp_path}/DAYS-X/2027.yaml"  # only the slash taken off, nothing of the name


def test_a_broken_year_file_shipped_with_kspub_is_named_by_its_place_in_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar_dir = tmp_path / "kspub" / "data" / "calendar"
    calendar_dir.mkdir(parents=True)
    (calendar_dir / "2027.yaml").write_text(HEAD, "utf-8")
    monkeypatch.setattr(workdays.resources, "files", lambda name: tmp_path / "kspub")
    with pytest.raises(CalendarError) as info:
        workdays._build_calendar(())
    assert info.value.path == "kspub/data/calendar/2027.yaml"
    assert info.value.line == 4


def parsed_problems(text: str) -> list[str]:
    with pytest.raises(CalendarError) as info:
        parse_year_file(text, "calendar/2027.yaml")
    assert info.value.code == "KS602"
    return [d.format() for d in info.value.diagnostics]


F = "calendar/2027.yaml"


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (HEAD + "  - 2027-05-01\n", [f"{F}:6: KS602 holidays 的每一项应为映射（name、rest、in_lieu、workdays）"]),
        (HEAD + "  - rest: []\n", [f"{F}:6: KS602 节日条目缺少 name（节日的中文名称，如 春节）", f"{F}:6: KS602 ?：rest 不能为空"]),
        (HEAD + "    when: 2027\n", [f"{F}:6: KS602 节日条目中有未知的键 'when'；可用的键：in_lieu、name、rest、workdays"]),
        (HEAD + "extra: 1\n", [f"{F}:6: KS602 年份文件中有未知的键 'extra'；可用的键：holidays、notice、url、year"]),
        (HEAD.replace("2027-01-01..2027-01-03", "2027-01-01..2027-01-02..2027-01-03"),
         [f"{F}:5: KS602 元旦：rest 中的 '2027-01-01..2027-01-02..2027-01-03' 不是日期 YYYY-MM-DD 或区间 YYYY-MM-DD..YYYY-MM-DD"]),
        (HEAD.replace("2027-01-03", "2027-02-01"), [f"{F}:5: KS602 元旦：区间 2027-01-01..2027-02-01 超过 31 天，请检查日期"]),
        (HEAD + "  - name: 劳动节\n    rest: []\n", [f"{F}:7: KS602 劳动节：rest 不能为空"]),
        (HEAD + "  - name: 劳动节\n    rest: [[2027-05-01], 2027-05-03]\n    in_lieu: [2027-05-03]\n",
         [f"{F}:7: KS602 劳动节：rest 中的每项应为日期 YYYY-MM-DD 或日期区间 YYYY-MM-DD..YYYY-MM-DD"]),
        (HEAD + "  - name: 劳动节\n    rest: [2025-12-31, 2027-05-03]\n    in_lieu: [2027-05-03]\n",
         [f"{F}:7: KS602 劳动节：日期 2025-12-31 不属于2027年的安排（只允许2027年及2026年12月）"]),
        (HEAD + "    in_lieu: [2027-13-01]\n    workdays: [1月4日]\n",
         [f"{F}:6: KS602 元旦：in_lieu 中的 '2027-13-01' 不是有效日期",
          f"{F}:7: KS602 元旦：workdays 中的 '1月4日' 不是日期 YYYY-MM-DD 或区间 YYYY-MM-DD..YYYY-MM-DD"]),
        (HEAD + "    in_lieu: [2028-01-03]\n    workdays: [2028-01-08]\n",
         [f"{F}:6: KS602 元旦：日期 2028-01-03 不属于2027年的安排（只允许2027年及2026年12月）",
          f"{F}:7: KS602 元旦：日期 2028-01-08 不属于2027年的安排（只允许2027年及2026年12月）"]),
        (HEAD + "  - name: 又一个\n    rest: 2027-01-02\n  - name: 再一个\n    rest: 2027-01-03\n",
         [f"{F}:7: KS602 又一个：日期 2027-01-02 重复出现（另见第 5 行，元旦）",
          f"{F}:9: KS602 再一个：日期 2027-01-03 重复出现（另见第 5 行，元旦）"]),
        # every out-of-year day of a range, every day a holiday lists twice (not only the first of each)
        (HEAD + "    workdays: [2028-01-01..2028-01-02]\n",
         [f"{F}:6: KS602 元旦：日期 2028-01-01 不属于2027年的安排（只允许2027年及2026年12月）",
          f"{F}:6: KS602 元旦：日期 2028-01-02 不属于2027年的安排（只允许2027年及2026年12月）"]),
        (HEAD + "    workdays: [2027-01-02, 2027-01-03]\n",
         [f"{F}:6: KS602 元旦：日期 2027-01-02 重复出现（另见第 5 行，元旦）",
          f"{F}:6: KS602 元旦：日期 2027-01-03 重复出现（另见第 5 行，元旦）"]),
        # a character no one can see, each at its line, before any YAML is read
        ("year: 2027\nnotice: 测\x07试\n\u202eholidays: []\n",
         [f"{F}:2: KS602 有无法显示的字符 U+0007（控制字符）：请删除后重新输入（可能来自复制粘贴）",
          f"{F}:3: KS602 有无法显示的字符 U+202E（双向文字控制符，会改变文字的显示顺序）：请删除后重新输入（可能来自复制粘贴）"]),
        ("notice: 测试\nholidays:\n  - name: 元旦\n    rest: 2027-01-01\n", [f"{F}:1: KS602 缺少 year：应为四位年份，例如 year: 2027"]),
        ("year: 27\nnotice: 测试\nholidays:\n  - name: 元旦\n    rest: 2027-01-01\n", [f"{F}:1: KS602 year 应为四位年份，例如 year: 2027"]),
    ],
)  # fmt: skip
def test_each_mistake_in_a_year_file_is_reported_at_its_line(text: str, problems: list[str]) -> None:
    assert parsed_problems(text) == problems


def test_empty_make_up_days_are_no_mistake() -> None:
    year = parse_year_file(HEAD + "    workdays: []\n    in_lieu: []\n" + SIX, F)
    assert year.days[D(2027, 1, 1)].kind is DayKind.HOLIDAY


def test_a_year_file_summarises_its_problems_and_says_where_the_format_is() -> None:
    with pytest.raises(CalendarError) as one:
        parse_year_file(HEAD + "  - name: 劳动节\n    rest: []\n", F)
    assert one.value.format() == f"{F}:7: KS602 劳动节：rest 不能为空（年份文件格式见 kspub/data/calendar/README.md）"
    with pytest.raises(CalendarError) as two:
        parse_year_file(HEAD + "    in_lieu: [2028-01-03]\n    workdays: [2028-01-08]\n", F)
    assert two.value.format() == (
        f"{F}:6: KS602 元旦：日期 2028-01-03 不属于2027年的安排（只允许2027年及2026年12月）（共 2 处问题）"
        "（年份文件格式见 kspub/data/calendar/README.md）"
    )


def test_a_year_file_missing_holidays_is_refused_with_all_seven_named() -> None:
    assert parsed_problems(HEAD) == [
        f"{F}:4: KS602 缺少春节、清明节、劳动节、端午节、中秋节、国庆节的放假安排：《全国年节及纪念日放假办法》规定元旦、春节、清明节、"
        "劳动节、端午节、中秋节、国庆节七个节日，国务院办公厅每年的通知都会逐一安排。请按2027年的通知补全全部七个节日（含调休上班日）；"
        "只写了一部分的文件不是该年的安排"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (HEAD + "year: 2028\n", f"{F}:6: KS602 键 year 重复"),
        ("year: 2027\nnotice: [测试\n", f"{F}:2: KS602 YAML 语法错误：方括号 [ ] 没有闭合：列表请写在一行内，例如 [site, email]"),
        (HEAD + "  - name: 春节\n   rest: 2027-02-01\n",
         f"{F}:7: KS602 YAML 语法错误：缩进或引号有误，YAML 无法判断这一行属于哪一层：同一层的字段要左对齐，下一层比上一层多缩进两个空格（只用空格）"),
        (HEAD + "\t- name: x\n", f"{F}:6: KS602 YAML 语法错误：这一行用 Tab 缩进：YAML 只能用空格缩进，请把 Tab 换成空格（每一层两个空格）"),
        ("year: 2027\nnotice: &n 测试\nurl: *n\n", f"{F}:2: KS602 YAML 语法错误：不支持 YAML 锚点和别名（& 与 *），请把内容直接写出"),
        ("- 2027\n", f"{F}:1: KS602 年份文件应为映射（year、notice、holidays 等键）"),
        ("", f"{F}: KS602 年份文件应为映射（year、notice、holidays 等键）"),
        ("year: 2027\nnotice: ''\nholidays:\n  - name: 元旦\n    rest: 2027-01-01\n",
         f"{F}:2: KS602 notice 应为非空文本：国务院办公厅通知的标题（及文号）"),
        ("year: 2027\nnotice: [a]\nholidays:\n  - name: 元旦\n    rest: 2027-01-01\n",
         f"{F}:2: KS602 notice 应为非空文本：国务院办公厅通知的标题（及文号）"),
        ("year: 2027\nholidays:\n  - name: 元旦\n    rest: 2027-01-01\n", f"{F}:1: KS602 缺少 notice：应写明国务院办公厅通知的标题（及文号）"),
        (HEAD + "url: [a]\n", f"{F}:6: KS602 url 应为文本"),
        ("year: 2027\nnotice: 测试\nholidays: []\n", f"{F}:3: KS602 holidays 应为非空列表，每项是一个节日"),
        ("year: 2027\nnotice: 测试\n", f"{F}:1: KS602 缺少 holidays：应列出该年每个节日的放假日期和调休上班日"),
    ],
)  # fmt: skip
def test_a_year_file_that_does_not_read_is_reported_at_its_line(text: str, problem: str) -> None:
    assert parsed_problems(text) == [problem]


def test_a_year_file_named_by_a_windows_path_is_read_by_its_file_name() -> None:
    year = parse_year_file(HEAD + SIX, "C:\\calendar\\2027.yaml")
    assert (year.year, year.label) == (2027, "C:\\calendar\\2027.yaml")
    with pytest.raises(CalendarError) as info:
        parse_year_file(HEAD + SIX, "C:\\calendar\\2028.yaml")
    assert info.value.diagnostics[0].format() == "C:\\calendar\\2028.yaml:1: KS602 文件名年份 2028 与 year: 2027 不一致"


def test_a_day_in_a_year_without_a_schedule_says_how_to_add_the_year(built: WorkCalendar) -> None:
    with pytest.raises(CalendarError) as info:
        built.day_kind(D(2031, 5, 1))
    assert info.value.hint == (
        "国务院办公厅公布2031年部分节假日安排的通知后，按 kspub/data/calendar/README.md 的格式新增 kspub/data/calendar/2031.yaml，"
        "或在协议仓库的 calendar/2031.yaml 中添加"
    )


class _InReverse:
    """A package directory as importlib.resources gives it, listing its files in reverse order and reading a file
    without an encoding as GBK, as a Chinese-language Windows does: what the year files are read with must not
    depend on either."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def joinpath(self, *parts: str) -> _InReverse:
        return _InReverse(self.path.joinpath(*parts))

    def is_dir(self) -> bool:
        return self.path.is_dir()

    def iterdir(self) -> list[_InReverse]:
        return [_InReverse(p) for p in sorted(self.path.iterdir(), reverse=True)]

    @property
    def name(self) -> str:
        return self.path.name

    def read_text(self, encoding: str | None = None) -> str:
        return self.path.read_bytes().decode(encoding or "gbk")


def _gbk_by_default(self: Path, encoding: str | None = None, errors: str | None = None) -> str:
    return self.read_bytes().decode(encoding or "gbk", errors or "strict")


def test_year_files_shipped_with_kspub_are_read_in_name_order_as_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calendar_dir = tmp_path / "kspub" / "data" / "calendar"
    calendar_dir.mkdir(parents=True)
    (calendar_dir / "2027.yaml").write_text(HEAD + SIX, "utf-8")
    (calendar_dir / "2028.yaml").write_text(HEAD.replace("2027", "2028") + SIX.replace("2027", "2028"), "utf-8")
    monkeypatch.setattr(workdays.resources, "files", lambda name: _InReverse(tmp_path / "kspub"))
    cal = workdays._build_calendar(())
    assert cal.known_years[-2:] == (2027, 2028) and cal.holiday_name(D(2027, 2, 8)) == "春节"
    (calendar_dir / "2027.yaml").write_text(HEAD, "utf-8")  # both broken: the first by name is reported
    (calendar_dir / "2028.yaml").write_text(HEAD.replace("2027", "2028"), "utf-8")
    with pytest.raises(CalendarError) as info:
        workdays._build_calendar(())
    assert info.value.path == "kspub/data/calendar/2027.yaml"


def test_year_files_of_a_repository_are_read_as_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "2027.yaml").write_text(HEAD + SIX, "utf-8")
    monkeypatch.setattr(Path, "read_text", _gbk_by_default)
    assert load_calendar([tmp_path]).holiday_name(D(2027, 2, 8)) == "春节"


def test_a_repository_s_calendar_adds_the_directories_given_and_its_own(tmp_path: Path) -> None:
    extra, root = tmp_path / "extra", tmp_path / "repo"
    extra.mkdir()
    root.mkdir()
    shutil.copy(FICTIONAL / "2027.yaml", extra / "2027.yaml")
    without_own = workdays.repository_calendar(root, [extra])
    assert 2027 in without_own.known_years and without_own.sources[2027] == f"{extra}/2027.yaml"
    (root / "calendar").mkdir()
    (root / "calendar" / "2028.yaml").write_text(HEAD.replace("2027", "2028") + SIX.replace("2027", "2028"), "utf-8")
    with_own = workdays.repository_calendar(root, [str(extra)])
    assert (with_own.sources[2027], with_own.sources[2028]) == (f"{extra}/2027.yaml", "calendar/2028.yaml")


def test_both_days_of_a_weekend_before_a_one_day_holiday_join_it(tmp_path: Path) -> None:
    (tmp_path / "2027.yaml").write_text(HEAD + SIX, "utf-8")  # 清明节: Monday 2027-04-05 alone
    cal = load_calendar([tmp_path])
    assert [cal.describe(D(2027, 4, d)) for d in (2, 3, 4, 6)] == [
        "2027-04-02（星期五，工作日）", "2027-04-03（星期六，清明节假期）", "2027-04-04（星期日，清明节假期）", "2027-04-06（星期二，工作日）"]


def test_a_holiday_chinesecalendar_names_that_kspub_cannot_translate_keeps_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workdays, "_CHINESE_NAMES", {})
    days, _ = workdays._chinesecalendar_days()
    assert (days[D(2024, 2, 10)].holiday, days[D(2024, 2, 4)].holiday) == ("Spring Festival", "Spring Festival")
