"""Run every benchmark module (benchmarks/bench_*.py) and print one table each.

Each module exposes TITLE and run() -> list[Row]; a row carries its floor, measured in the same run.
Exit status 1 when a figure is over its target ratio.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from benchmarks.common import print_table


def main(selected: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    failed = 0
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        rows = module.run()
        print_table(module.TITLE, rows)
        failed += sum(not r.ok for r in rows)
    print(f"\n{len(names)} benchmark groups; {failed} figure(s) over target.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
