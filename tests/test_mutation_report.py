"""The verdict of ``make mutate`` (tests/mutation/report.py): how it names mutants, matches the equivalent list
and counts; and that the committed list and the test selection of ``[tool.mutmut]`` are sound. No mutmut run:
these are fast and run with the rest of the suite."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.mutation.report import (
    EQUIVALENT,
    Equivalent,
    Mutant,
    function_of,
    load_equivalents,
    mutated_line,
    mutated_modules,
    render,
    tabulate,
)

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "kspub/law/period.py"

DIFF = """--- kspub/law/period.py
+++ kspub/law/period.py
@@ -3,7 +3,7 @@
     text = text.strip()
-    if len(text) > 20:
+    if len(text) > 21:
         raise KspubError("KS610")
"""


def mutant(status: str, mutated: str = "", function: str = "parse_period", number: int = 1,
           module: str = PERIOD) -> Mutant:
    name = module.removesuffix(".py").replace("/", ".") + f".x_{function}__mutmut_{number}"
    return Mutant(module, function, name, status, mutated)


def test_a_mutant_s_function_is_named_as_mutmut_names_it() -> None:
    assert function_of("kspub.law.period.x_parse_period__mutmut_3") == "parse_period"
    assert function_of("kspub.law.consent.x__about__mutmut_12") == "_about"
    assert function_of("kspub.law.workdays.xǁWorkCalendarǁis_workday__mutmut_1") == "WorkCalendar.is_workday"
    with pytest.raises(ValueError):
        function_of("kspub.law.period.parse_period__mutmut_3")


def test_the_mutated_line_is_what_the_mutant_added_stripped() -> None:
    assert mutated_line(DIFF) == "if len(text) > 21:"
    two = DIFF.replace("+    if len(text) > 21:", "+    if len(text) > 21:\n+        pass")
    assert mutated_line(two) == "if len(text) > 21:\npass"
    removed = "--- a\n+++ b\n@@ -1,2 +1,1 @@\n x = 1\n-    y = 2\n"
    assert mutated_line(removed) == "<removed> y = 2"


def test_killed_is_counted_against_the_mutants_not_listed_equivalent() -> None:
    mutants = [*(mutant("killed", number=n) for n in range(1, 18)),
               mutant("survived", "if len(text) > 21:", number=18),
               mutant("survived", "return None", number=19),
               mutant("timeout", number=20)]
    listed = [Equivalent(PERIOD, "parse_period", "if len(text) > 21:", "no text is that long")]
    verdict = tabulate([PERIOD], mutants, listed)
    (row,) = verdict.rows
    assert (row.mutants, row.killed, row.survived, row.equivalent, row.other) == (20, 17, 1, 1, 1)
    assert row.score == pytest.approx(17 / 19)
    assert not row.meets_target and not verdict.passed
    assert [m.mutated for m in verdict.survivors] == ["return None"]
    assert [m.status for m in verdict.others] == ["timeout"]
    assert verdict.problems == []
    table = render(verdict)
    assert "89.5%" in table and "MISSED" in table and "return None" in table and table.endswith("FAILED.")


def test_the_target_is_95_percent_of_the_considered_mutants() -> None:
    nineteen = [mutant("killed", number=n) for n in range(1, 20)]
    at_target = tabulate([PERIOD], [*nineteen, mutant("survived", "x", number=20)], [])
    assert at_target.rows[0].meets_target
    assert not at_target.passed and render(at_target).endswith("FAILED.")  # the survivor is neither killed nor listed
    eighteen = nineteen[:18]
    assert not tabulate([PERIOD], [*eighteen, mutant("survived", "x", number=19)], []).rows[0].meets_target
    everything_equivalent = tabulate([PERIOD], [mutant("survived", "x")], [Equivalent(PERIOD, "parse_period", "x", "r")])
    assert everything_equivalent.rows[0].score == 1.0 and everything_equivalent.passed


def test_an_entry_matches_by_module_function_and_line_only() -> None:
    entry = Equivalent(PERIOD, "parse_period", "if len(text) > 21:", "reason")
    assert entry.matches(mutant("survived", "if len(text) > 21:", number=99))
    assert not entry.matches(mutant("survived", "if len(text) > 21:", function="other"))
    assert not entry.matches(mutant("survived", "if len(text) >= 21:"))
    assert not entry.matches(mutant("survived", "if len(text) > 21:", module="kspub/law/counting.py"))


def test_a_stale_entry_fails_the_run() -> None:
    listed = [Equivalent(PERIOD, "parse_period", "if len(text) > 21:", "no text is that long")]
    killed_now = tabulate([PERIOD], [mutant("killed", number=n) for n in range(1, 30)], listed)
    assert not killed_now.passed
    assert len(killed_now.problems) == 1 and "stale" in killed_now.problems[0]
    # an entry of a module the run does not report on is not judged
    assert tabulate(["kspub/law/counting.py"], [mutant("killed", module="kspub/law/counting.py")], listed).passed


def test_a_malformed_or_duplicated_entry_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "equivalent.toml"
    entry = '[[equivalent]]\nmodule = "m.py"\nfunction = "f"\nmutated = "x = 1"\nreason = "r"\n'
    path.write_text(entry + entry + '[[equivalent]]\nmodule = "m.py"\nfunction = "f"\nmutated = "y"\nreason = ""\n'
                    '[other]\n', "utf-8")
    entries, problems = load_equivalents(path)
    assert len(entries) == 2
    assert len(problems) == 3
    assert "unknown key" in problems[0] and "listed twice" in problems[1] and "entry 3" in problems[2]


def test_the_committed_equivalent_list_is_well_formed() -> None:
    entries, problems = load_equivalents(EQUIVALENT)
    assert problems == []
    modules = set(mutated_modules())
    for entry in entries:
        assert entry.module in modules, entry
        source = (ROOT / entry.module).read_text("utf-8")
        name = entry.function.rpartition(".")[2]
        assert re.search(rf"def {re.escape(name)}\(", source), entry
        assert len(entry.reason) >= 20, entry  # a reason, not a placeholder


def test_the_mutated_modules_are_the_law_materiality_and_the_gate() -> None:
    modules = mutated_modules()
    law = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "kspub/law").glob("*.py"))
    assert set(law) <= set(modules)
    assert {"kspub/materiality.py", "kspub/check.py", "kspub/check_content.py"} <= set(modules)


def test_every_test_file_naming_a_mutated_module_runs_against_its_mutants() -> None:
    """mutmut runs a mutant only against the selected tests that call its function: a test file that imports a
    mutated module must be in [tool.mutmut]'s selection, or be one of the exclusions pyproject.toml explains."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    selected = set(config["pytest_add_cli_args_test_selection"])
    excluded = {"tests/test_injection.py"}  # builds whole sites; see the comment in pyproject.toml
    dotted = [m.removesuffix(".py").replace("/", ".") for m in mutated_modules() if not m.endswith("__init__.py")]
    pattern = re.compile(r"^\s*(?:from\s+(kspub(?:\.\w+)*)\s+import\s+([\w, ()]+)|import\s+(kspub(?:\.\w+)+))",
                         re.MULTILINE)
    naming = set()
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for package, names, module in pattern.findall(path.read_text("utf-8")):
            imported = {module} if module else {package} | {f"{package}.{n.strip()}" for n in re.split(r"[,()]", names)}
            if imported & set(dotted):
                naming.add(path.relative_to(ROOT).as_posix())
    assert naming - excluded <= selected
    assert selected <= {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob("test_*.py")}
