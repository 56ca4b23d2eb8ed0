"""Shared by the release-record scenario tests and the state machine: a temporary agreement repository driven
through git and kspub, its builds, and what the built API says about each version."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from kspub.cli import main
from kspub.errors import KspubError
from kspub.history import legal_text
from kspub.model import sha256_text
from kspub.publish.build import BuildResult, build
from kspub.release import ReleaseResult, release

from .conftest import ROOT, git
from .site_helpers import EPOCH, tree_digest

AS_OF = date(2026, 6, 1)
TODAY = date(2026, 3, 2)

AGREEMENT = """---
id: {id}
title: {title}
kind: agreement
version: "{version}"
notice: {{default: {{channels: [site], clause: nature}}}}
{extra}---

{{#general}}
## 一、总则

{{#nature}}
1.1 本协议是您与金山云之间的有效契约。

{{#fee-notice tags="fees"}}
1.2 {fee}
"""


def fee(days: int) -> str:
    return f"免费服务转为收费前，金山云将提前{days}个自然日通知您。"


def dates(announced: str | None, effective: str | None, summary: str | None = None) -> str:
    return (
        (f"announced: {announced}\n" if announced else "")
        + (f"effective: {effective}\n" if effective else "")
        + (f"summary: {summary}\n" if summary else "")
    )


def text(agreement: str, version: str, clause: str, extra: str = "", title: str = "示例协议") -> str:
    return AGREEMENT.format(id=agreement, title=title, version=version, fee=clause, extra=extra)


@dataclass(frozen=True)
class Outcome:
    """A build: its result, or the KS code it stopped with (and the site as it stood after it)."""

    result: BuildResult | None
    error: KspubError | None
    before: dict[str, str]
    after: dict[str, str]

    @property
    def code(self) -> str | None:
        return self.error.code if self.error else None

    @property
    def site_unchanged(self) -> bool:
        return self.before == self.after


class Repo:
    """One temporary agreement repository with ``mkdocs.yml`` committed; builds go to ``<repo>/build``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, path: Path, *, sla: bool = False) -> Repo:
        (path / "agreements").mkdir(parents=True)
        git(path, "init", "-q", "-b", "main")
        shutil.copy(ROOT / "mkdocs.yml", path / "mkdocs.yml")
        (path / ".gitignore").write_text("/build/\n", "utf-8")
        if sla:
            (path / "sla").mkdir()
            shutil.copy(ROOT / "sla" / "catalogue.yaml", path / "sla" / "catalogue.yaml")
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "网站配置")
        return cls(path)

    def copy(self, path: Path) -> Repo:
        shutil.copytree(self.path, path, symlinks=True)
        return Repo(path)

    # --- editing ------------------------------------------------------------------------------------------

    def write(self, agreement: str, source: str | bytes) -> None:
        file = self.path / "agreements" / f"{agreement}.md"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(source if isinstance(source, bytes) else source.encode("utf-8"))

    def release(self, agreement: str, **options: Any) -> ReleaseResult:
        return release(self.path, agreement, today=options.pop("today", TODAY), **options)

    def commit(self, message: str, *paths: str) -> str:
        git(self.path, "add", "-A", "--", *(paths or ("agreements",)))
        git(self.path, "commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def publish(self, agreement: str, source: str, message: str, **options: Any) -> str:
        """What an editor does: write the text, ``kspub release``, commit both."""
        self.write(agreement, source)
        self.release(agreement, **options)
        return self.commit(message)

    def head(self, ref: str = "HEAD") -> str:
        return git(self.path, "rev-parse", ref).strip()

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def store(self, source: str) -> str:
        """Write ``source`` into git's object database; its blob ID."""
        scratch = self.path.parent / f"{self.path.name}-blob.md"
        scratch.write_text(source, "utf-8")
        return git(self.path, "hash-object", "-w", "--", str(scratch)).strip()

    def cli(self, *args: str) -> Any:
        return CliRunner().invoke(main, [*args, "--root", str(self.path)])

    def check(self, base: str = "main", today: str = "2026-03-02") -> Any:
        return CliRunner().invoke(main, ["check", "--root", str(self.path), "--base", base, "--today", today])

    # --- building -----------------------------------------------------------------------------------------

    @property
    def site(self) -> Path:
        return self.path / "build" / "site"

    def build(self, as_of: date = AS_OF) -> Outcome:
        before = tree_digest(self.site) if self.site.exists() else {}
        try:
            result, error = build(self.path, as_of=as_of, out=None, progress=False), None
        except KspubError as exc:
            result, error = None, exc
        after = tree_digest(self.site) if self.site.exists() else {}
        return Outcome(result, error, before, after)

    def api(self, rel: str) -> Any:
        return json.loads((self.site / "api" / "v1" / rel).read_text("utf-8"))

    def timeline(self, agreement: str) -> dict[str, Any]:
        data: dict[str, Any] = self.api(f"agreements/{agreement}.json")
        return data

    def published(self, agreement: str) -> dict[str, dict[str, Any]]:
        """Each published version of an agreement by label: its timeline row."""
        return {row["version"]: row for row in self.timeline(agreement)["versions"]}

    def clause(self, agreement: str, version: str, clause: str = "fee-notice") -> str:
        doc = self.api(f"agreements/{agreement}/{version}.json")
        (node,) = (n for n in doc["nodes"] if n["id"] == clause)
        printed: str = node["printed"]
        return printed


def legal_sha(source: str) -> str:
    return sha256_text(legal_text(source.replace("\r\n", "\n")))


def epoch_env() -> dict[str, str]:
    return {"SOURCE_DATE_EPOCH": EPOCH}
