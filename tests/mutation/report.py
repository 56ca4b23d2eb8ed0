"""The verdict of ``make mutate``: a table of mutmut's results per mutated module, against the target.

Run from the repository root after ``mutmut run`` (``make mutate`` does both)::

    python -m tests.mutation.report                 # every module [tool.mutmut] mutates
    python -m tests.mutation.report kspub/law/      # only the modules under these paths

For each module: its mutants; those killed; those that survived and are not listed as equivalent; those listed
in ``tests/mutation/equivalent.toml``; those not run, timed out or suspicious; and killed / (mutants -
equivalent), against the target of 95 %. The exit status is 1 when a module misses the target or the list of
equivalent mutants is wrong: an entry that matches no surviving mutant (stale: the code moved on, or a test
kills it now) or that is malformed.

An entry names a mutant by what it is, not by mutmut's number (which changes when unrelated code moves): the
module, the function (``Class.method`` for a method) and the mutated source line, stripped, exactly as it reads
after the mutation (several changed lines are joined by a line break). mutmut's own diff of each surviving
mutant gives that line. The functions that read mutmut's data import mutmut lazily: the rest is plain Python,
tested in ``tests/test_mutation_report.py`` without mutmut installed.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EQUIVALENT = Path(__file__).with_name("equivalent.toml")
TARGET = 0.95
SHOWN = 40  # mutants not run listed by name at most (a run stopped early leaves thousands)

KILLED = frozenset({"killed", "caught by type check"})
SURVIVED = "survived"

CLASS_SEPARATOR = "ǁ"  # how mutmut joins a class and a method in a mutant's name


@dataclass(frozen=True)
class Mutant:
    module: str  # the mutated file, relative to the repository: kspub/law/period.py
    function: str  # the mutated function as mutmut names it: parse_period, or WorkCalendar.is_workday
    name: str  # mutmut's name of the mutant: kspub.law.period.x_parse_period__mutmut_3
    status: str  # mutmut's status: killed, survived, timeout, no tests, not checked, suspicious, ...
    mutated: str = ""  # the mutated line (computed for survivors only)


@dataclass(frozen=True)
class Equivalent:
    module: str
    function: str
    mutated: str
    reason: str

    def matches(self, mutant: Mutant) -> bool:
        return (mutant.module, mutant.function, mutant.mutated) == (self.module, self.function, self.mutated)


@dataclass
class Row:
    module: str
    mutants: int = 0
    killed: int = 0
    survived: int = 0
    equivalent: int = 0
    other: int = 0  # not run, timed out, suspicious, segfault, interrupted

    @property
    def score(self) -> float:
        """Killed / (mutants - equivalent); 1.0 for a module whose every mutant is equivalent (or none)."""
        considered = self.mutants - self.equivalent
        return self.killed / considered if considered else 1.0

    @property
    def meets_target(self) -> bool:
        return self.score >= TARGET


@dataclass
class Verdict:
    rows: list[Row]
    survivors: list[Mutant] = field(default_factory=list)  # survived and not listed as equivalent
    others: list[Mutant] = field(default_factory=list)  # not run, timed out, suspicious, ...
    problems: list[str] = field(default_factory=list)  # stale or wrong entries of the equivalent list

    @property
    def passed(self) -> bool:
        # the target, and every survivor answered: killed by a test, or listed as equivalent with its reason
        return not self.problems and not self.survivors and all(row.meets_target for row in self.rows)


def function_of(name: str) -> str:
    """The function a mutant of mutmut mutates, from the mutant's name: ``kspub.law.period.x_parse_period__mutmut_3``
    is ``parse_period``, ``kspub.law.workdays.xǁWorkCalendarǁis_workday__mutmut_1`` is ``WorkCalendar.is_workday``."""
    mangled = name.partition("__mutmut_")[0].rpartition(".")[2]
    if mangled.startswith("x" + CLASS_SEPARATOR):
        class_name, _, method = mangled[2:].partition(CLASS_SEPARATOR)
        return f"{class_name}.{method}"
    if not mangled.startswith("x_"):
        raise ValueError(f"not a mutant of mutmut: {name}")
    return mangled[2:]


def mutated_line(diff: str) -> str:
    """The mutated line of a mutant, from mutmut's unified diff of the function: the lines the mutant has and
    the original has not, each stripped, joined by a line break."""
    lines = diff.splitlines()
    added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++ ")]
    if not added:  # a mutation that only removes lines: name what it removed
        added = ["<removed> " + line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("--- ")]
    return "\n".join(added)


def load_equivalents(path: Path = EQUIVALENT) -> tuple[list[Equivalent], list[str]]:
    """The entries of the list of equivalent mutants, and what is wrong with the list (a missing or empty field, an
    unknown key, an entry given twice)."""
    data = tomllib.loads(path.read_text("utf-8")) if path.exists() else {}
    entries: list[Equivalent] = []
    problems: list[str] = []
    unknown = set(data) - {"equivalent"}
    if unknown:
        problems.append(f"{path.name}: unknown key(s) {sorted(unknown)}; entries are [[equivalent]] tables")
    seen: set[tuple[str, str, str]] = set()
    for number, entry in enumerate(data.get("equivalent", []), start=1):
        keys = {"module", "function", "mutated", "reason"}
        if set(entry) != keys or not all(isinstance(entry[k], str) and entry[k].strip() for k in keys):
            problems.append(f"{path.name}, entry {number}: needs exactly module, function, mutated and reason, "
                            f"each a non-empty string; has {sorted(entry)}")
            continue
        equivalent = Equivalent(entry["module"], entry["function"], entry["mutated"], entry["reason"])
        key = (equivalent.module, equivalent.function, equivalent.mutated)
        if key in seen:
            problems.append(f"{path.name}, entry {number}: listed twice: {equivalent.module} {equivalent.function}: "
                            f"{equivalent.mutated}")
        seen.add(key)
        entries.append(equivalent)
    return entries, problems


def tabulate(modules: Sequence[str], mutants: Iterable[Mutant], equivalents: Iterable[Equivalent]) -> Verdict:
    """Count the mutants of each module and match the survivors against the equivalent list. Only entries of
    the given modules are checked; each must match at least one surviving mutant."""
    rows = {module: Row(module) for module in modules}
    entries = [e for e in equivalents if e.module in rows]
    used: set[int] = set()
    verdict = Verdict(list(rows.values()))
    all_mutants = [m for m in mutants if m.module in rows]
    for mutant in all_mutants:
        row = rows[mutant.module]
        row.mutants += 1
        if mutant.status in KILLED:
            row.killed += 1
        elif mutant.status == SURVIVED:
            matching = [i for i, e in enumerate(entries) if e.matches(mutant)]
            if matching:
                row.equivalent += 1
                used.update(matching)
            else:
                row.survived += 1
                verdict.survivors.append(mutant)
        else:
            row.other += 1
            verdict.others.append(mutant)
    for i, entry in enumerate(entries):
        if i not in used:
            verdict.problems.append(f"stale entry in equivalent.toml (no surviving mutant matches it; remove it, or "
                                    f"correct it if the code moved): {entry.module} {entry.function}: {entry.mutated}")
    return verdict


def render(verdict: Verdict) -> str:
    """The table, then the survivors and the mutants not run, then the problems of the equivalent list."""
    header = ("module", "mutants", "killed", "survived", "equivalent", "not run/timeout", "killed %", "target")
    width = max([len(header[0]), *(len(row.module) for row in verdict.rows)])
    lines = [f"{header[0]:<{width}}  " + "  ".join(f"{h:>{len(h) if i < 6 else 8}}" for i, h in enumerate(header[1:]))]
    for row in verdict.rows:
        cells = (row.mutants, row.killed, row.survived, row.equivalent, row.other)
        numbers = "  ".join(f"{n:>{len(h)}}" for n, h in zip(cells, header[1:6], strict=True))
        mark = "" if row.meets_target else "  MISSED"
        lines.append(f"{row.module:<{width}}  {numbers}  {row.score * 100:>7.1f}%  {TARGET * 100:>7.0f}%{mark}")
    if verdict.survivors:
        lines += ["", "Surviving mutants (write a test that kills each, or list it as equivalent with the reason):"]
        lines += [f"  {m.name}  [{m.module} {m.function}]\n      {m.mutated.replace(chr(10), chr(10) + '      ')}"
                  for m in verdict.survivors]
    if verdict.others:
        lines += ["", "Mutants not run, timed out or suspicious:"]
        lines += [f"  {m.name}: {m.status}" for m in verdict.others[:SHOWN]]
        if len(verdict.others) > SHOWN:
            lines.append(f"  … and {len(verdict.others) - SHOWN} more")
    if verdict.problems:
        lines += ["", "The list of equivalent mutants is wrong:"] + [f"  {p}" for p in verdict.problems]
    lines += ["", "PASSED: every module meets the target, and every survivor is listed as equivalent." if verdict.passed else "FAILED."]
    return "\n".join(lines)


def mutated_modules(root: Path = ROOT) -> list[str]:
    """The modules ``[tool.mutmut] only_mutate`` of pyproject.toml names, relative to the repository."""
    config = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    found = {path.relative_to(root).as_posix() for pattern in config["only_mutate"] for path in root.glob(pattern)}
    return sorted(found)


def collect(root: Path, modules: Sequence[str]) -> tuple[list[str], list[Mutant]]:
    """mutmut's results for the modules (read in ``root``/mutants/, where ``mutmut run`` left them): the modules
    that have mutants, and every mutant, with the mutated line of each survivor."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    found: list[str] = []
    mutants: list[Mutant] = []
    for module in modules:
        data = SourceFileMutationData(path=module)
        if not data.meta_path.exists():
            raise SystemExit(f"no results of mutmut for {module} in mutants/: run `make mutate`")
        data.load()
        if data.exit_code_by_key:
            found.append(module)
        for name, exit_code in sorted(data.exit_code_by_key.items()):
            status = status_by_exit_code[exit_code]
            mutated = mutated_line(get_diff_for_mutant(name, path=module)) if status == SURVIVED else ""
            mutants.append(Mutant(module, function_of(name), name, status, mutated))
    return found, mutants


def main(argv: Sequence[str] = ()) -> int:
    import os

    os.chdir(ROOT)  # mutmut's data sits in mutants/ of the repository
    modules = [m for m in mutated_modules() if not argv or any(m == a or m.startswith(a) for a in argv)]
    if not modules:
        print(f"no mutated module under {' '.join(argv)}", file=sys.stderr)
        return 2
    equivalents, problems = load_equivalents()
    found, mutants = collect(ROOT, modules)
    verdict = tabulate(found, mutants, equivalents)
    verdict.problems[:0] = problems
    print(render(verdict))
    return 0 if verdict.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
