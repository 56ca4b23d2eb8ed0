"""The Beijing clock: the only place kspub reads the time (the CLI and the build call it; the core never does).

The zone itself is :func:`kspub.law.period.shanghai` (Asia/Shanghai, with a clear error when the system has no
time-zone data): every date kspub states is a Beijing date.
"""

from __future__ import annotations

from datetime import date, datetime

from kspub.law.period import shanghai


def today_in_shanghai() -> date:
    """Today's date in Beijing."""
    return datetime.now(shanghai()).date()
