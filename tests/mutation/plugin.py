"""The pytest plugin `make mutate` loads (``-p tests.mutation.plugin`` in pyproject.toml's ``[tool.mutmut]``).

- Hypothesis runs derandomized and without its example database, so that a mutant's verdict depends on the
  mutant alone: not on the random seed of the run, nor on failures stored by an earlier mutant.
- The tests of each mutant run fastest first (by the durations mutmut recorded in ``mutmut-stats.json`` while
  collecting which tests call which function): mutmut stops at the first failure, so a mutant that a unit test
  kills is not first run through the end-to-end tests. Files are ordered by the time of their selected tests and
  each file's tests stay together, so a module-scoped fixture is still set up once.
- mutmut runs pytest several times in one process (and forks its workers from it). pytest keeps the ids it
  generated for a ``parametrize(..., ids=[...])`` on the mark and escapes them again on the next collection, so
  an id with Chinese in it (``\\u6e05`` becomes ``\\\\u6e05``) no longer names the test mutmut recorded and
  the run stops with "not found". Each collection here starts from the ids as written, as in a fresh process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("mutation", derandomize=True, database=None, deadline=None)
settings.load_profile("mutation")


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
