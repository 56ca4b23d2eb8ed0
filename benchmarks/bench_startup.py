"""`kspub --help` start-up against a bare `import click` (lazy imports keep the CLI fast)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.common import Row, median_time

TITLE = "CLI start-up"


def run() -> list[Row]:
    kspub = Path(sys.executable).with_name("kspub")
    cli = [str(kspub)] if kspub.exists() else [sys.executable, "-m", "kspub"]
    ours = median_time(lambda: subprocess.run([*cli, "--help"], check=True, capture_output=True), repeat=9)
    floor = median_time(lambda: subprocess.run([sys.executable, "-c", "import click"], check=True), repeat=9)
    return [Row("kspub --help", ours, "python -c 'import click'", floor, target=2.5)]
