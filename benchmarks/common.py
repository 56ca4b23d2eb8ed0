"""Shared helpers: timing by median of repeats, and one table format for every benchmark."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    name: str
    seconds: float
    floor_name: str
    floor_seconds: float
    target: float | None = None
    """The largest acceptable ratio seconds / floor_seconds, when there is one."""
    note: str = ""
    unit: str = "s"
    """``s`` (shown in ms) or ``MB`` (a memory figure against a fixed ceiling: floor_seconds holds the ceiling)."""

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_seconds if self.floor_seconds else float("inf")

    @property
    def ok(self) -> bool:
        return self.target is None or self.ratio <= self.target


def median_time(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def print_table(title: str, rows: list[Row]) -> None:
    print(f"\n## {title}")
    print(f"{'case':<52} {'kspub':>10} {'floor':>10} {'ratio':>7} {'target':>7}  floor measured")
    for r in rows:
        target = f"{r.target:.2f}" if r.target is not None else "—"
        flag = "" if r.ok else "  ← over target"
        if r.unit == "MB":
            figures = f"{r.seconds:>8.0f}MB {r.floor_seconds:>8.0f}MB"
        else:
            figures = f"{r.seconds * 1000:>8.1f}ms {r.floor_seconds * 1000:>8.1f}ms"
        print(f"{r.name:<52} {figures} {r.ratio:>7.2f} {target:>7}  {r.floor_name}{flag}")
        if r.note:
            print(f"    {r.note}")
