"""Golden lint fixtures: every invalid input reports its code at its line, without a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from kspub.errors import Severity
from kspub.workspace import lint_paths, parse_path

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
INVALID = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())
WARNING_CODES = {"KS301"}  # a gap in the numbering warns (it may be in the printed text); a repeated number is an error
WARN = sorted(p for p in (FIXTURES / "warn").iterdir() if p.is_dir())


def expected(case: Path) -> set[tuple[str, int | None]]:
    out: set[tuple[str, int | None]] = set()
    for line in (case / "expected.txt").read_text("utf-8").splitlines():
        code, where = line.split()
        out.add((code, None if where == "-" else int(where)))
    return out


def input_file(case: Path) -> Path:
    return next(p for p in case.iterdir() if p.name != "expected.txt")


def test_there_are_at_least_thirty_invalid_cases() -> None:
    assert len(INVALID) >= 30


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case_reports_code_and_line(case: Path) -> None:
    diags = lint_paths(case, [input_file(case)])
    found = {(d.code, d.line) for d in diags}
    assert expected(case) <= found, f"expected {expected(case)}, got {[d.format() for d in diags]}"
    if {code for code, _ in expected(case)} <= WARNING_CODES:
        assert all(d.severity is Severity.WARNING for d in diags)
    else:
        assert any(d.severity is Severity.ERROR for d in diags)
    for d in diags:
        text = d.format()
        assert text.startswith(input_file(case).name), text
        assert "Traceback" not in text


@pytest.mark.parametrize("case", WARN, ids=[p.name for p in WARN])
def test_normalised_input_warns_and_parses(case: Path) -> None:
    result = parse_path(input_file(case), case)
    assert {(d.code, d.line) for d in result.diagnostics} == expected(case)
    assert all(d.severity is Severity.WARNING for d in result.diagnostics)
    assert result.agreement is not None
    valid = parse_path(FIXTURES / "valid" / "case.md", FIXTURES / "valid").agreement
    assert valid is not None
    assert result.agreement.nodes == valid.nodes  # the same model as the LF, BOM-less file


@pytest.mark.parametrize("name", ["case.md", "full.md"])
def test_valid_fixtures_are_clean(name: str) -> None:
    assert lint_paths(FIXTURES / "valid", [FIXTURES / "valid" / name]) == []


def test_full_fixture_model() -> None:
    a = parse_path(FIXTURES / "valid" / "full.md", FIXTURES / "valid").agreement
    assert a is not None
    nodes = a.by_id()
    assert a.meta.version == "2026.1"
    assert str(a.meta.announced) == "2026-03-02" and str(a.meta.effective) == "2026-03-10"
    assert a.meta.retired == ("old-fee",)
    assert a.meta.corrections[0].reason == "更正错别字"
    assert a.meta.change_notes[0].clause == "scope"
    assert nodes["fee-items"].tags == ("fees",)
    assert nodes["fee-one"].parent == "fee-items" and nodes["fee-one"].number == "(1)"
    assert nodes["fee-one-detail"].parent == "fee-one" and nodes["fee-one-detail"].number == "a)"
    assert nodes["fee-two"].replaces == ("old-two",) and nodes["fee-two"].number == "（2）"
    assert nodes["ordered-one"].number == "1)" and nodes["ordered-one"].text == "序号项。"
    assert nodes["closing"].number == "" and nodes["closing"].text == "2022年7月5日更新。"
    assert nodes["general"].title == "总则" and nodes["general"].number == "一、"


def test_oversized_file(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"a" * (3 * 1024 * 1024))
    (d,) = lint_paths(tmp_path, [big])
    assert d.code == "KS005"


def test_missing_path_is_reported(tmp_path: Path) -> None:
    (d,) = lint_paths(tmp_path, [tmp_path / "nope.md"])
    assert d.code == "KS001"
