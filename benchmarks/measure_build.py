"""One measured ``kspub build`` in its own process: seconds and peak resident memory per phase, as JSON.

Run by :mod:`benchmarks.bench_build` as ``python -m benchmarks.measure_build ROOT OUT AS_OF [--no-cache]``, so
every measurement starts from a fresh interpreter (imports, jieba's dictionary and memory included).
"""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
from datetime import date
from pathlib import Path

from kspub.publish.build import build


class PeakMemory:
    """Peak resident set size per phase, without sampling: Linux keeps the high-water mark (VmHWM) and lets a
    process reset it (``5`` into /proc/self/clear_refs), so each phase starts from its current size and its
    peak is read at its end. No thread runs beside the build, so the timings are not disturbed."""

    def __init__(self) -> None:
        self.peaks: dict[str, int] = {}

    @staticmethod
    def _hwm() -> int:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return 0

    def observe(self, phase: str, event: str) -> None:
        if event == "start":
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        else:
            self.peaks[phase] = max(self.peaks.get(phase, 0), self._hwm())


class TreeMemory:
    """The build's whole memory as the system counts it: the proportional set size (Pss: a page shared by n
    processes counts 1/n in each) summed over this process and every process it forked (the API writer, the
    rendering workers), sampled every 0.2 s by a thread that only reads /proc. Summing the processes' peak
    resident sizes instead would count every page a forked worker shares with the build twice."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree(pid: int) -> list[int]:
        out, todo = [], [pid]
        while todo:
            current = todo.pop()
            out.append(current)
            try:
                for task in Path(f"/proc/{current}/task").iterdir():
                    todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
        return out

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        import os

        me = os.getpid()
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, sum(self._pss(pid) for pid in self._tree(me)))

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    root, out, as_of = Path(sys.argv[1]), Path(sys.argv[2]), date.fromisoformat(sys.argv[3])
    use_cache = "--no-cache" not in sys.argv
    memory = PeakMemory()
    start = time.perf_counter()
    with TreeMemory() as tree:
        result = build(root, as_of=as_of, out=out, progress=False, cache=use_cache, observer=memory.observe)
    total = time.perf_counter() - start
    print(
        json.dumps(
            {
                "total": total,
                "timings": result.timings,
                "peak_rss": memory.peaks,
                "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                # the largest of the processes the build forked (the API writer, the rendering workers)
                "max_rss_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
                "peak_tree_pss": tree.peak,
                "pages": result.pages,
                "files": result.files,
                "cache_hits": result.cache_hits,
                "pages_rendered": result.pages_rendered,
                "files_linked": result.files_linked,
                "cache_misses": result.cache_misses,
                "nav": result.nav,
                "docs": str(result.docs),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
