"""Independent work done on every core: cache entries computed ahead by forked workers.

A build's expensive steps — parsing every version, diffing neighbours, rendering each agreement's pages — are
independent of one another and already cached by their inputs (:mod:`kspub.publish.cache`). :func:`prefetch`
deals the entries not yet stored, in runs of consecutive ones, to forked workers, one per core at a time (``KSPUB_WORKERS``
overrides), a few after one another on each; each computes its share and stores it, and the build then goes
on exactly as before, finding them. Nothing else changes: the same code computes each entry, and the build
reads it back through the same cache, so the result is the same as a build in one process
(``tests/test_incremental_render.py`` holds them equal).

A worker that fails stores nothing for that entry and goes on; the build then computes the entry itself and
reports the failure as it always does. Workers are forked (the snapshot and the parsed texts are shared, not
copied); where fork is not available the build runs in one process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
from collections.abc import Callable, Sequence
from contextlib import suppress
from multiprocessing.connection import wait
from typing import Any

from kspub.publish.cache import Cache

Task = tuple[str, str, Callable[[], Any]]
"""(kind, key, compute): one cache entry."""


def workers() -> int:
    """Processes for independent work: ``KSPUB_WORKERS`` when set (1: all in this process), else one per core."""
    given = os.environ.get("KSPUB_WORKERS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _run(tasks: Sequence[Task], cache: Cache) -> None:
    for kind, k, compute in tasks:
        try:
            value = compute()
        except Exception:  # noqa: BLE001, S112 - the build computes it again and reports the failure itself
            continue
        cache.put(kind, k, value)


def release_free_memory() -> None:
    """Give the memory the C allocator holds free back to the system (glibc's ``malloc_trim``; nothing elsewhere),
    before forking: a worker would otherwise copy the pages it reuses of it, and each counts in the build's peak."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def prefetch(tasks: Sequence[Task], cache: Cache, minimum: int = 8) -> int:
    """Compute the tasks whose entries are not stored, in forked workers; returns how many were dealt out (0:
    too few, one core, no cache, or no fork — the build computes them as it goes)."""
    return prefetch_groups([[task] for task in tasks], cache, minimum)


def prefetch_groups(groups: Sequence[Sequence[Task]], cache: Cache, minimum: int = 8) -> int:
    """:func:`prefetch` of tasks in groups each computed by one worker, in order (a group's later tasks read what
    its earlier ones stored: an agreement's comparisons, then its pages)."""
    count = workers()
    if cache.folder is None or count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    todo = [kept for group in groups if (kept := [t for t in group if not cache.has(t[0], t[1])])]
    total = sum(map(len, todo))
    if total < minimum or len(todo) < 2:  # one group is one worker's: the build computes it as it goes
        return 0
    release_free_memory()
    context = multiprocessing.get_context("fork")
    running: list[Any] = []
    try:
        for chunk in parts(todo, count):
            while len(running) >= count:
                done = wait([process.sentinel for process in running])
                for process in [process for process in running if process.sentinel in done]:
                    process.join()
                    running.remove(process)
            process = context.Process(target=_run, args=(chunk, cache), daemon=True)
            process.start()
            running.append(process)
        for process in running:
            process.join()
    except BaseException:  # interrupted: no worker outlives the build
        for process in running:
            process.terminate()
            process.join()
        raise
    for kind, k, _ in (task for group in todo for task in group):
        cache.computed_ahead(kind, k)  # counted where read, as computed
    return total


def parts(groups: Sequence[Sequence[Task]], count: int) -> list[list[Task]]:
    """The groups dealt into runs of consecutive tasks, one per worker, never splitting a group.

    Short-lived workers, a few per core one after another: a forked worker's memory grows with what it reads and
    makes of the build's (touching an object copies its page), so no run is longer than a share divided by
    :data:`ROUNDS`; a worker given a quarter of a share peaks at about a quarter of what one given the whole share
    would. A fork costs milliseconds. The runs get shorter as the work left does (guided scheduling), down to a
    :data:`TAIL`-th of the longest: the last runs end close together, so no core waits long on the other's.
    Consecutive tasks: an agreement's tasks are listed together and share most of their texts, which the text
    functions remember within a process (:mod:`kspub.memo`)."""
    total = sum(map(len, groups))
    longest = -(-total // (count * ROUNDS))
    shortest = -(-longest // TAIL)
    out: list[list[Task]] = []
    current: list[Task] = []
    left = total
    for group in groups:
        if current and len(current) >= max(shortest, min(longest, -(-left // (count * ROUNDS)))):
            out.append(current)
            left -= len(current)
            current = []
        current.extend(group)
    if current:
        out.append(current)
    return out


#: Workers each core runs one after another in :func:`prefetch` at least (the longest runs).
ROUNDS = 4
#: The shortest run of :func:`parts` is this fraction of the longest.
TAIL = 4
