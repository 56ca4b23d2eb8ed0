"""The site build: ``kspub build`` against a plain ``mkdocs build`` of the very pages kspub generated.

1. The repository's own agreements: a rebuild (cache warm, as after any earlier build) and a build without cache,
   against ``mkdocs build`` of the same pages with the same configuration and navigation, alternating, median of
   ``REPEAT`` runs in this run. Target: a rebuild within 1.25× of plain mkdocs.
2. A synthetic corpus of N agreements × 10 versions (N = 50, 100, 200; ``KSPUB_BENCH_SCALES=20,50`` to choose) in a
   temporary git repository: seconds and peak resident memory per phase for a build without cache and for an
   unchanged rebuild, printed as tables, and the rebuild against plain mkdocs.

Every measurement runs in a fresh process (``benchmarks.measure_build``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Row
from benchmarks.synthetic_site import make_repository

TITLE = "Site build (kspub build vs plain mkdocs build of the same pages)"
ROOT = Path(__file__).resolve().parent.parent
AS_OF_REAL = "2026-03-01"
AS_OF_SYNTHETIC = "2024-03-31"  # version 9 in force, version 10 announced
EPOCH = "1772294400"
REPEAT = 5
TARGET = 1.25
PHASES = ("lint", "history", "parse", "diff", "render", "mkdocs", "search", "api", "check", "swap")
MB = 1024 * 1024


def _env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}


def kspub_build(root: Path, out: Path, as_of: str, *, cache: bool = True) -> dict[str, Any]:
    args = [sys.executable, "-m", "benchmarks.measure_build", str(root), str(out), as_of]
    start = time.perf_counter()
    done = subprocess.run(args + ([] if cache else ["--no-cache"]), env=_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"kspub build failed:\n{done.stderr}")
    data: dict[str, Any] = json.loads(done.stdout)
    data["wall"] = wall
    # kspub deletes the previous site in the background; let it finish so it slows no other measurement
    deadline = time.monotonic() + 300
    while list(out.glob(".trash-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return data


def plain_mkdocs(root: Path, docs: Path, site: Path, nav: list[Any], workdir: Path) -> float:
    """``mkdocs build`` (the command) of kspub's generated pages, same configuration and navigation."""
    config = workdir / "mkdocs.plain.yml"
    lines = [
        f"INHERIT: {json.dumps(str(root / 'mkdocs.yml'))}",
        f"docs_dir: {json.dumps(str(docs))}",
        f"site_dir: {json.dumps(str(site))}",
        f"nav: {json.dumps(nav, ensure_ascii=False)}",
    ]
    config.write_text("\n".join(lines) + "\n", "utf-8")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], env=_env(),
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"plain mkdocs build failed:\n{done.stderr}")
    return time.perf_counter() - start


def _table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    print(line(headers))
    print("-" * len(line(headers)))
    for r in rows:
        print(line(r))


def real_repository(work: Path) -> list[Row]:
    out = work / "real"
    kspub_build(ROOT, out, AS_OF_REAL)  # every build after the first finds the cache
    warm, cold, plain = [], [], []
    pages = 0
    for _ in range(REPEAT):
        run = kspub_build(ROOT, out, AS_OF_REAL)
        warm.append(run["wall"])
        pages = run["pages"]
        cold.append(kspub_build(ROOT, work / "real-cold", AS_OF_REAL, cache=False)["wall"])
        plain.append(plain_mkdocs(ROOT, Path(run["docs"]), work / "real-plain", run["nav"], work))
    p = statistics.median(plain)
    note = f"{pages} pages; median of {REPEAT}; kspub writes the JSON API besides"
    return [
        Row("repository: kspub build (rebuild)", statistics.median(warm), "plain mkdocs build", p, TARGET, note),
        Row("repository: kspub build (no cache)", statistics.median(cold), "plain mkdocs build", p),
    ]


def synthetic(scales: list[int], work: Path) -> list[Row]:
    rows: list[Row] = []
    times: list[list[str]] = []
    memory: list[list[str]] = []
    for n in scales:
        repo = make_repository(work / f"synthetic-{n}", n, 10)
        cold = kspub_build(repo, repo / "build", AS_OF_SYNTHETIC, cache=False)
        kspub_build(repo, repo / "build", AS_OF_SYNTHETIC)  # fills the cache
        warm = kspub_build(repo, repo / "build", AS_OF_SYNTHETIC)
        site = work / f"plain-{n}"
        p = min(plain_mkdocs(repo, repo / "build" / "docs", site, warm["nav"], work) for _ in range(2))
        for label, run in ((f"{n} × 10, no cache", cold), (f"{n} × 10, rebuild", warm)):
            t, m = run["timings"], run["peak_rss"]
            times.append([label] + [f"{t.get(ph, 0.0):.2f}" for ph in PHASES] + [f"{run['wall']:.1f}"])
            memory.append([label] + [f"{m.get(ph, 0) / MB:.0f}" for ph in PHASES] + [f"{run['max_rss'] / MB:.0f}"])
        hits = f"cache hits {warm['cache_hits']}/{warm['cache_hits'] + warm['cache_misses']}"
        note = f"{warm['pages']} pages, {warm['files']} files; {hits}"
        rows.append(Row(f"{n} agreements × 10: rebuild", warm["wall"], "plain mkdocs build", p, TARGET, note))
        rows.append(Row(f"{n} agreements × 10: no cache", cold["wall"], "plain mkdocs build", p))
    print("\nSeconds per phase (collect = lint + history; api = waiting for the API process after mkdocs):")
    _table(["synthetic corpus"] + list(PHASES) + ["wall"], times)
    print("\nPeak resident memory per phase, MB (this process; the API is written by a forked one):")
    _table(["synthetic corpus"] + list(PHASES) + ["max"], memory)
    return rows


def run() -> list[Row]:
    scales = [int(s) for s in os.environ.get("KSPUB_BENCH_SCALES", "50,100,200").split(",") if s]
    with tempfile.TemporaryDirectory(prefix="kspub-bench-site-") as tmp:
        work = Path(tmp)
        return real_repository(work) + synthetic(scales, work)
