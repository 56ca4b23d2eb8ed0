"""Hostile inputs to the readers: work that grows with the input must grow linearly, odd file names and
symbolic links are reported, never tracebacks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import pytest
from click.testing import CliRunner

import kspub.sla.catalogue as catalogue_module
from kspub.cli import main
from kspub.errors import Diagnostic, KspubError
from kspub.sla.catalogue import parse_catalogue
from kspub.workspace import load_corpus

from .conftest import demo_text


def steps_in(module_file: str, work: Callable[[], object]) -> int:
    """Lines executed in one module's frames while ``work`` runs (a loop counts once per iteration): a measure
    of work that, unlike a clock, does not depend on the machine."""
    count = 0

    def local(frame: FrameType, event: str, arg: object) -> object:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def global_(frame: FrameType, event: str, arg: object) -> object:
        return local if frame.f_code.co_filename == module_file else None

    previous = sys.gettrace()  # a coverage measurement's tracer: put back, or nothing after this is measured
    sys.settrace(global_)
    try:
        work()
    finally:
        sys.settrace(previous)
    return count


def test_sla_errors_are_placed_in_linear_time() -> None:
    # many unknown top-level keys before `categories`, then an entry error per line: finding each error's line
    # used to search the top-level keys again for every error
    def catalogue(n: int) -> str:
        keys = "".join(f"k{i}: 1\n" for i in range(n))
        entries = "".join(f"      - id: E{i}\n" for i in range(n))
        return keys + "title: x\ncategories:\n  - id: c\n    title: t\n    entries:\n" + entries

    small, large = (steps_in(catalogue_module.__file__, lambda n=n: parse_catalogue(catalogue(n), "x")) for n in (500, 2000))
    assert large < 6 * small, (small, large)  # linear: 4 times the steps; quadratic: 16 times
    _, diags = parse_catalogue(catalogue(3), "sla/catalogue.yaml")
    assert {(d.code, d.line) for d in diags} >= {("KS702", 1), ("KS702", 9)}


# --- the agreements folder: symbolic links, odd names, files that are not agreements ------------------------


def _lint(root: Path, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["lint", "--root", str(root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output.splitlines()


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "agreements").mkdir()
    (tmp_path / "agreements" / "demo.md").write_text(demo_text(), "utf-8")
    return tmp_path


def test_a_file_symlink_loop_is_reported_by_path(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "agreements" / "loop.md").symlink_to("loop.md")
    (root / "agreements" / "a.md").symlink_to("b.md")
    (root / "agreements" / "b.md").symlink_to("a.md")
    code, lines = _lint(root)
    assert code == 1
    assert [line.split(" ", 2)[:2] for line in lines[:-1]] == [
        ["agreements/a.md:", "KS008"], ["agreements/b.md:", "KS008"], ["agreements/loop.md:", "KS008"]
    ]
    assert "循环" in lines[0]
    code, lines = _lint(root, str(root / "agreements" / "loop.md"))
    assert code == 1 and lines[0].startswith("agreements/loop.md: KS008")


def test_a_directory_symlink_loop_is_reported_and_never_walked(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "agreements" / "d").symlink_to("d")
    (root / "agreements" / "up").symlink_to("..")
    code, lines = _lint(root)
    assert code == 1 and lines[0].startswith("agreements/d: KS008"), lines
    assert any(line.startswith("agreements/up: KS009") for line in lines), lines
    for args in ([str(root / "agreements")], [str(root)]):
        code, lines = _lint(root, *args)
        assert "Traceback" not in "\n".join(lines)


def test_a_file_name_with_a_line_break_keeps_each_diagnostic_on_one_line(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "agreements" / "de\nmo.md").write_text(demo_text(), "utf-8")
    code, lines = _lint(root)
    assert code == 1
    assert lines[0].startswith('"agreements/de\\nmo.md":2: KS110 '), lines
    assert len(lines) == 2  # the diagnostic and the summary
    named = Diagnostic("KS001", "x", "a\tb\u202e\"c\\.md")
    assert named.format() == '"a\\tb\\u202e\\"c\\\\.md": KS001 x'
    assert KspubError("KS001", "第一行\n第二行", path="x\ny.md").format() == '"x\\ny.md": KS001 第一行\\n第二行'


def test_anything_but_agreements_in_the_agreements_folder_is_reported(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    folder = root / "agreements"
    (folder / "drafts").mkdir()
    (folder / "drafts" / "demo.md").write_text(demo_text(), "utf-8")  # a same-ID copy that never publishes
    (folder / "Other.MD").write_text(demo_text(), "utf-8")
    (folder / "notes.txt").write_text("备忘", "utf-8")
    (folder / "images").mkdir()
    (folder / "releases").mkdir()
    (folder / ".gitkeep").write_text("", "utf-8")
    diags = load_corpus(root).diagnostics
    found = {(d.path, d.code, d.severity.value) for d in diags}
    assert found == {
        ("agreements/drafts/demo.md", "KS009", "error"),
        ("agreements/Other.MD", "KS009", "error"),
        ("agreements/notes.txt", "KS009", "warning"),
        ("agreements/images", "KS009", "warning"),
    }, [d.format() for d in diags]
    assert "other.md" in next(d.message for d in diags if d.path.endswith(".MD"))
    assert [a.id for a in load_corpus(root).agreements] == ["demo"]
    code, lines = _lint(root, str(folder))
    assert code == 1 and sum("KS009" in line for line in lines) == 4, lines


# --- one YAML reader, one set of limits ----------------------------------------------------------------------

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(12)
)
SELF_ALIAS = "s: &s [*s]\n"
TOO_MANY_NODES = "n: [" + ", ".join(["1"] * 100_001) + "]\n"
DEEP = "d: " + "[" * 1500 + "]" * 1500 + "\n"
DUPLICATE = "k: 1\nk: 2\n"


def _front_matter(yaml_text: str) -> list[str]:
    from kspub.frontmatter import parse_front_matter

    meta, diags = parse_front_matter(yaml_text, "agreements/demo.md", first_line=2, file_stem=None)
    assert meta is None
    return [d.format() for d in diags]


def _sla(yaml_text: str) -> list[str]:
    catalogue, diags = parse_catalogue(yaml_text, "sla/catalogue.yaml")
    assert catalogue is None
    return [d.format() for d in diags]


def _record(yaml_text: str) -> list[str]:
    from kspub.record import parse_record

    with pytest.raises(KspubError) as exc:
        parse_record(yaml_text, "agreements/releases/demo.yaml")
    return [exc.value.format()]


def _year_file(yaml_text: str) -> list[str]:
    from kspub.errors import CalendarError
    from kspub.law.workdays import parse_year_file

    with pytest.raises(CalendarError) as exc:
        parse_year_file(yaml_text, "calendar/2030.yaml")
    return [exc.value.format()]


@pytest.mark.parametrize("reader", [_front_matter, _sla, _record, _year_file], ids=["front-matter", "sla", "record", "calendar"])
@pytest.mark.parametrize(
    ("yaml_text", "says"),
    [(ALIAS_BOMB, "别名"), (SELF_ALIAS, "别名"), (TOO_MANY_NODES, "100000"), (DEEP, "嵌套"), (DUPLICATE, "k")],
    ids=["alias-bomb", "self-alias", "too-many-nodes", "deep", "duplicate-key"],
)
def test_every_yaml_reader_has_the_same_limits(reader: Callable[[str], list[str]], yaml_text: str, says: str) -> None:
    messages = reader(yaml_text)
    assert messages and any(says in m for m in messages), messages


# --- rendering: the bold renderer stays linear ---------------------------------------------------------------


@pytest.mark.parametrize("unit", ["**", "**a", "***", "\\**", "[a](#x)**", "<https://a>**"])
def test_bold_and_links_render_in_linear_steps(unit: str) -> None:
    from kspub.publish import markup

    def steps(n: int) -> int:
        text = unit * n
        return steps_in(markup.__file__, lambda: (markup.inline_html(text), markup.inline_markdown(text),
                                                  markup.plain_text(text), markup.redline_html([("insert", text)])))  # fmt: skip

    small, large = steps(2_000), steps(8_000)
    assert large < 5 * small, (small, large)  # linear: 4 times the steps; quadratic: 16 times
