"""The pytest plugin `make mutate` loads (``-p tests.mutation.plugin`` in pyproject.toml's ``[tool.mutmut]``).

- Hypothesis runs derandomized and without its example database, so that a mutant's verdict depends on the
  mutant alone: not on the random seed of the run, nor on failures stored by an earlier mutant. It does not
  shrink a failing example: the mutant is killed by the first failure, and shrinking one can take longer than
  the mutant's time limit (the mutant would then count as timed out, not killed).
- The tests of each mutant run fastest first (by the durations mutmut recorded in ``mutmut-stats.json`` while
  collecting which tests call which function): mutmut stops at the first failure, so a mutant that a unit test
  kills is not first run through the end-to-end tests. Files are ordered by the time of their selected tests and
  each file's tests stay together, so a module-scoped fixture is still set up once.
- Each mutant's process starts without the default calendar (``load_calendar()`` caches it for the process, and
  the process is forked from one that may hold it): a calendar the tests load is built by the mutant.
  A calendar a test module built at import (``CAL = load_calendar()``) is the original's; the functions that
  build calendars are tested by the tests that build one while they run.
- A mutant that breaks the collection of a test module makes pytest report the module's tests, which mutmut
  names one by one, as "not found": a usage error (exit status 4), which mutmut files as a timeout. The tests
  did fail against the mutant: the exit status becomes 1 (tests failed), and the mutant counts as killed.
- While mutmut records which tests call which function (``MUTANT_UNDER_TEST=stats``), the default calendar is
  rebuilt for every test: it is cached for the process, and otherwise only the first test to use it would be
  recorded as calling the functions that build it, and their mutants would run against that test alone.
- pytest runs twice in each mutant's process: the fork server collected the tests before forking it. pytest
  keeps the ids it
  generated for a ``parametrize(..., ids=[...])`` on the mark and escapes them again on the next collection, so
  an id with Chinese in it (``\\u6e05`` becomes ``\\\\u6e05``) no longer names the test mutmut recorded and
  the run stops with "not found". Each collection here starts from the ids as written, as in a fresh process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path

import pytest
from hypothesis import Phase, settings

settings.register_profile("mutation", derandomize=True, database=None, deadline=None,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.load_profile("mutation")


_SESSION = pytest.StashKey[pytest.Session]()


@pytest.hookimpl(wrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Generator[None, object, object]:
    try:
        return (yield)
    except pytest.UsageError:
        session = config.stash.get(_SESSION, None)
        if session is not None and session.testsfailed:  # a failed collection counts; a mistyped name does not
            return pytest.ExitCode.TESTS_FAILED
        raise


def _forget_the_default_calendar() -> None:
    from kspub.law.workdays import _default_calendar

    _default_calendar.cache_clear()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_SESSION] = session
    if "__mutmut_" in os.environ.get("MUTANT_UNDER_TEST", ""):
        _forget_the_default_calendar()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        _forget_the_default_calendar()


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for mark in metafunc.definition.iter_markers("parametrize"):
        source = getattr(mark, "_param_ids_from", None)
        if source is not None and getattr(source, "_param_ids_generated", None) is not None:
            object.__setattr__(source, "_param_ids_generated", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        stats = json.loads((Path(config.rootpath) / "mutmut-stats.json").read_text("utf-8"))
    except (OSError, ValueError):
        return
    duration: dict[str, float] = stats.get("duration_by_test", {})
    per_file: dict[Path, float] = {}
    for item in items:
        per_file[item.path] = per_file.get(item.path, 0.0) + duration.get(item.nodeid, 0.0)
    items.sort(key=lambda item: (per_file[item.path], str(item.path), duration.get(item.nodeid, 0.0)))
