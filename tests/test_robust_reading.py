"""Hostile inputs to the readers: work that grows with the input must grow linearly, odd file names and
symbolic links are reported, never tracebacks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType

import kspub.sla.catalogue as catalogue_module
from kspub.sla.catalogue import parse_catalogue


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
