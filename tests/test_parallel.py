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
from kspub.publish.parallel import ROUNDS, TAIL, parts, prefetch, prefetch_groups


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
    assert len(pids) == len(parts([[t] for t in tasks[1:]], 2)) > 2 * ROUNDS  # a few workers per core in turn
    assert max(pids.values()) == 5  # no worker takes more than 39 entries / (2 cores × ROUNDS), rounded up
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


def test_runs_get_shorter_to_the_end_and_never_split_a_group() -> None:
    def run_lengths(groups: list[list[int]], count: int) -> list[int]:
        runs = parts(groups, count)  # type: ignore[arg-type]
        assert [t for run in runs for t in run] == [t for g in groups for t in g]  # every task once, in order
        starts = {g[0] for g in groups}
        assert all(run[0] in starts for run in runs)  # a run begins where a group does
        return [len(run) for run in runs]

    lengths = run_lengths([[i] for i in range(5800)], 2)
    longest = -(-5800 // (2 * ROUNDS))
    assert lengths[0] == longest == max(lengths)  # a worker's memory: never more than a share / ROUNDS
    assert all(a >= b for a, b in zip(lengths, lengths[1:], strict=False))  # shorter as less work is left
    assert min(lengths[:-1]) == -(-longest // TAIL)  # down to a TAIL-th of the longest (the last: what is left)
    assert len(lengths) < 2 * ROUNDS * TAIL  # forks stay few
    # groups of 17 tasks (an agreement's comparisons and pages): whole, the runs as long as the rule allows
    grouped = run_lengths([list(range(i * 17, (i + 1) * 17)) for i in range(200)], 2)
    assert all(n % 17 == 0 for n in grouped) and sum(grouped) == 3400
    assert grouped[0] == 17 * 25  # 3,400 / 8 = 425 = 25 groups
    assert run_lengths([[1, 2, 3]], 4) == [3]


def _note(name: str, marks: Path) -> int:
    with (marks / "order").open("a") as f:
        f.write(f"{os.getpid()} {name}\n")
    return 0


def test_a_group_is_computed_by_one_worker_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KSPUB_WORKERS", "2")
    cache, marks = Cache(tmp_path / "cache"), tmp_path / "marks"
    marks.mkdir()
    groups = [[("note", key("note", f"{g}-{i}"), partial(_note, f"{g}-{i}", marks)) for i in range(5)] for g in range(12)]
    cache.put("note", groups[3][0][1], 0)  # stored already: the rest of its group is still dealt out
    assert prefetch_groups(groups, cache) == 59
    seen: dict[str, list[str]] = {}
    for line in (marks / "order").read_text().splitlines():
        pid, name = line.split()
        seen.setdefault(name.split("-")[0], []).append(f"{pid} {name}")
    assert len(seen) == 12
    for g, lines in seen.items():
        assert len({line.split()[0] for line in lines}) == 1  # one worker
        assert [line.split()[1] for line in lines] == [f"{g}-{i}" for i in range(5) if (g, i) != ("3", 0)]


def test_an_entry_a_worker_computed_counts_as_a_miss_where_it_is_first_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KSPUB_WORKERS", "2")
    cache, marks = Cache(tmp_path / "cache"), tmp_path / "marks"
    marks.mkdir()
    tasks = [("note", key("note", str(i)), partial(_note, str(i), marks)) for i in range(10)]
    cache.put("note", tasks[0][1], 0)  # stored before: a hit when read
    assert prefetch(tasks, cache) == 9
    for kind, k, _ in tasks:
        assert cache.get_or_compute(kind, k, lambda: 1 / 0) == 0  # found, not computed here
    assert (cache.hits, cache.missed) == (1, {"note": 9})  # the figures of a build that computed them itself
    for kind, k, _ in tasks:
        cache.get(kind, k)
    assert (cache.hits, cache.missed) == (11, {"note": 9})  # read again: hits


def test_a_scratch_cache_keeps_only_what_this_build_reads_again(tmp_path: Path) -> None:
    computed: list[str] = []

    def compute(value: str) -> str:
        computed.append(value)
        return value

    lasting, scratch = Cache(tmp_path / "lasting"), Cache(tmp_path / "scratch", lasting=False)
    for cache in (lasting, scratch):
        cache.put("page-html", key("a"), "<p>a</p>", later=True)
        cache.put("since", key("b"), {"b": 1}, later=True)
        cache.put("diff", key("c"), "c")  # another process of the build reads it
        assert cache.get_or_compute("docx", key("d"), partial(compute, "d"), later=True) == "d"
        assert cache.get_or_compute("docx", key("d"), partial(compute, "d"), later=True) == "d"
        assert cache.get("diff", key("c")) == "c"
    assert computed == ["d", "d", "d"]  # the lasting cache computed it once, the scratch one each time
    assert lasting.get("page-html", key("a")) == "<p>a</p>" and lasting.has("docx", key("d"))
    assert not scratch.has("page-html", key("a")) and not scratch.has("since", key("b"))
    assert not scratch.has("docx", key("d"))
    assert sorted(p.parent.parent.name for p in (tmp_path / "scratch").rglob("*.pickle")) == ["diff"]
    assert scratch.missed == {"docx": 2} and lasting.missed == {"docx": 1}


def test_a_remembered_value_counts_as_the_read_it_spared(tmp_path: Path) -> None:
    cache, none = Cache(tmp_path / "cache"), Cache(None)
    cache.put("compare", key("a"), "a")
    cache.found("compare", key("a"))
    none.found("compare", key("a"))
    assert (cache.hits, cache.misses) == (1, 0)
    assert (none.hits, none.missed) == (0, {"compare": 1})  # without a cache, the computation it spared
    assert cache.prune() == 0  # kept: the build used it
    cache.computed_ahead("compare", key("a"))
    cache.found("compare", key("a"))
    assert cache.missed == {"compare": 1}  # a worker computed it for this build: the miss it was


def test_a_cache_whose_folders_went_away_during_the_build_still_stores(tmp_path: Path) -> None:
    import shutil

    cache = Cache(tmp_path / "cache")
    cache.put("diff", key("a"), "a")
    shutil.rmtree(tmp_path / "cache")  # the folder this process made once is gone
    cache.put("diff", key("a"), "a")
    assert cache.get("diff", key("a")) == "a"
