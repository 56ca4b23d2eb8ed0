"""Independent work done on every core: cache entries computed ahead by forked workers.

A build's expensive steps — parsing every version, diffing neighbours, rendering each agreement's pages — are
independent of one another and already cached by their inputs (:mod:`kspub.publish.cache`). :func:`prefetch`
deals the entries not yet stored round-robin to one forked worker per core (``KSPUB_WORKERS`` overrides); each
computes its share and stores it, and the build then goes on exactly as before, finding them. Nothing else
changes: the same code computes each entry, and the build reads it back through the same cache, so the result
is the same as a build in one process (``tests/test_incremental_render.py`` holds them equal).

A worker that fails stores nothing for that entry and goes on; the build then computes the entry itself and
reports the failure as it always does. Workers are forked (the snapshot and the parsed texts are shared, not
copied); where fork is not available the build runs in one process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
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


def prefetch(tasks: Sequence[Task], cache: Cache, minimum: int = 8) -> int:
    """Compute the tasks whose entries are not stored, in forked workers; returns how many were dealt out (0:
    too few, one core, no cache, or no fork — the build computes them as it goes)."""
    count = workers()
    if cache.folder is None or count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    todo = [t for t in tasks if not cache.has(t[0], t[1])]
    if len(todo) < minimum:
        return 0
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_run, args=(todo[i::count], cache), daemon=True) for i in range(count)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return len(todo)
