"""Build phases: each one timed, reported to an optional observer, and shown on a terminal when asked.

The caller decides whether to show progress (the CLI does so only when stderr is a terminal); in CI nothing is
drawn and the CLI prints one summary line at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import click

#: Phase name → what a reader sees on the terminal.
LABELS = {
    "lint": "检查协议源文件",
    "history": "读取版本历史",
    "parse": "解析各版本",
    "diff": "比对相邻版本",
    "render": "比对各版本并生成页面",
    "mkdocs": "生成网站",
    "search": "写入条款搜索索引",
    "api": "写入 JSON API",
    "check": "检查锚点与链接",
    "record": "记录本次生成的文件",
    "carry": "沿用上次生成的网站（输入未变）",
    "published": "核对上次生成的文件（未变的文件直接沿用）",
    "swap": "替换旧网站",
}

Observer = Callable[[str, str], None]
"""Called with (phase, "start" | "end")."""


@dataclass(slots=True)
class Phases:
    show: bool = False
    observer: Observer | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def run(self, name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        """Time one phase; yields ``advance(n)`` for phases that know how many steps they take."""
        label = LABELS.get(name, name)
        bar: Any = None
        if self.show and total:
            bar = click.progressbar(length=total, label=label, file=sys.stderr, show_eta=False)
            bar.__enter__()
        elif self.show:
            click.echo(f"{label}…", err=True)
        if self.observer:
            self.observer(name, "start")
        start = time.perf_counter()

        def advance(n: int = 1) -> None:
            if bar is not None:
                bar.update(n)

        try:
            yield advance
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
            if bar is not None:
                bar.__exit__(None, None, None)
            if self.observer:
                self.observer(name, "end")
