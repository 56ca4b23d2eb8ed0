"""Hostile inputs to the readers: work that grows with the input must grow linearly, odd file names and
symbolic links are reported, never tracebacks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

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

    sys.settrace(global_)
    try:
        work()
    finally:
        sys.settrace(None)
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
