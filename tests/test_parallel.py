"""Work dealt to forked workers (:func:`kspub.publish.parallel.prefetch`): every entry computed once, by
short-lived workers, never more at a time than cores, and a failing entry left for the build to compute."""

from __future__ import annotations

import os
import time
from collections import Counter
from functools import partial
from pathlib import Path

import pytest

from kspub.publish.cache import Cache, key
from kspub.publish.parallel import ROUNDS, prefetch


def _square(i: int, marks: Path) -> int:
    running = marks / f"running-{os.getpid()}"
    running.touch()
    seen = len(list(marks.glob("running-*")))  # workers computing at this moment, this one included
    time.sleep(0.02)
    (marks / f"task-{i}").write_text(f"{os.getpid()} {seen}")
    running.unlink()
    if i == 13:
        raise ValueError("a failing entry")
    return i * i


def test_every_entry_once_by_short_lived_workers_never_more_than_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KSPUB_WORKERS", "2")
    cache, marks = Cache(tmp_path / "cache"), tmp_path / "marks"
    marks.mkdir()
    tasks = [("square", key("square", str(i)), partial(_square, i, marks)) for i in range(40)]
    cache.put("square", tasks[0][1], 0)  # stored already: not dealt out
    assert prefetch(tasks, cache) == 39
    done = {i: (marks / f"task-{i}").read_text().split() for i in range(1, 40)}
    assert not (marks / "task-0").exists()
    pids = Counter(pid for pid, _ in done.values())
    assert str(os.getpid()) not in pids
    assert len(pids) == 2 * ROUNDS  # a few workers per core, one after another
    assert max(pids.values()) == 5  # 39 entries over 8 workers
    assert max(int(seen) for _, seen in done.values()) <= 2
    assert not cache.has("square", tasks[13][1])  # failed: the build computes it and reports the failure
    assert all(cache.get("square", tasks[i][1]) == i * i for i in range(40) if i != 13)


def test_too_few_or_one_core_is_left_to_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    tasks = [("square", key("square", str(i)), partial(_square, i, marks)) for i in range(20)]
    monkeypatch.setenv("KSPUB_WORKERS", "2")
    assert prefetch(tasks[:3], Cache(tmp_path / "cache")) == 0
    assert prefetch(tasks, Cache(None)) == 0
    monkeypatch.setenv("KSPUB_WORKERS", "1")
    assert prefetch(tasks, Cache(tmp_path / "cache")) == 0
    assert list(marks.iterdir()) == []
