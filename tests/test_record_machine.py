"""Random sequences of git operations on one repository, and after every build: each version released to main is
published with its exact text and dates, or the build stopped with a KS code and the previous site is byte for
byte as it was.

The model holds what main's release record says (per main commit, so a force-push back to an earlier commit
restores the model of that commit), what the last successful build published, and whether the record was edited
by hand. A build may only stop when the record was tampered with or when it would drop or alter something
published before (a force-push past a built release); anything else must build.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from .record_helpers import Repo, dates, fee, legal_sha, text

pytestmark = pytest.mark.e2e

ANNOUNCED = "2026-03-02"


@dataclass(frozen=True)
class Version:
    clause: str
    sha256: str
    announced: str
    effective: str


@dataclass(frozen=True)
class Main:
    """What main's release record holds at one commit."""

    versions: dict[str, Version] = field(default_factory=dict)
    agreement: str = "demo"
    formerly: tuple[str, ...] = ()
    alive: bool = True
    """The agreement's file exists."""
    withdrawn: bool = False
    tampered: bool = False
    """The record was edited by hand: builds may stop (never with anything but a KS code)."""

    def keys(self) -> dict[tuple[str, str], Version]:
        return {(a, label): v for a in (self.agreement, *self.formerly) for label, v in self.versions.items()}


def building(step: Callable[..., None]) -> Callable[..., None]:
    """A rule that may be followed at once by a build (``then_build``), so builds see every kind of step."""

    @functools.wraps(step)
    def run(self: RecordMachine, *, then_build: bool, **kwargs: Any) -> None:
        step(self, **kwargs)
        if then_build:
            self._build()

    return run


class RecordMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="kspub-machine-"))
        self.repo = Repo.create(self.tmp / "repo")
        self.states: dict[str, Main] = {}
        self.main = Main()
        self.published: dict[tuple[str, str], Version] = {}
        self.built_at: str | None = None
        self.counter = 1
        self.branches = 0

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- helpers ------------------------------------------------------------------------------------------

    def _next_label(self) -> str:
        self.counter += 1
        return f"{self.counter}.0"

    def _source(self, label: str, days: int, effective_day: int) -> tuple[str, Version]:
        effective = f"2026-04-{effective_day:02d}"
        source = text(self.main.agreement, label, fee(days), dates(ANNOUNCED, effective, f"改为{days}日。"))
        return source, Version(fee(days), legal_sha(source), ANNOUNCED, effective)

    def _settle(self, main: Main) -> None:
        """main moved: remember the model of its new commit."""
        self.main = main
        self.states[self.repo.head("main")] = main

    def _branch(self) -> str:
        self.branches += 1
        name = f"pr-{self.branches}"
        self.repo.git("checkout", "-q", "-b", name, "main")
        return name

    # --- rules --------------------------------------------------------------------------------------------

    @initialize()
    def first_release(self) -> None:
        source, version = self._source("1.0", 10, 1)
        self.repo.publish("demo", source, "示例协议 1.0")
        self._settle(replace(self.main, versions={"1.0": version}))

    @precondition(lambda self: self.main.alive)
    @rule(
        days=st.integers(1, 60),
        effective_day=st.integers(2, 28),
        review_fix=st.booleans(),
        strategy=st.sampled_from(["direct", "merge", "no-ff", "rebase", "squash", "foxtrot"]),
        then_build=st.booleans(),
    )
    @building
    def release(self, days: int, effective_day: int, review_fix: bool, strategy: str) -> None:
        """A new version with its clause edited, released on a branch (optionally fixed in review, released again)
        and merged into main by one of the usual ways."""
        label = self._next_label()
        agreement = self.main.agreement
        branch = self._branch() if strategy != "direct" else "main"
        source, version = self._source(label, days, effective_day)
        self.repo.publish(agreement, source, f"发布 {label}")
        if review_fix and branch != "main":  # on main the version is final at once: only an event could follow
            source, version = self._source(label, days + 1, effective_day)
            self.repo.write(agreement, source)
            assert self.repo.release(agreement).action in ("updated", "new")
            self.repo.commit(f"评审修改 {label}")
        if branch != "main":
            self.repo.git("checkout", "-q", "main")
            if strategy in ("merge", "rebase", "squash", "foxtrot"):  # main moved on meanwhile
                (self.repo.path / "README.md").write_text(f"说明 {label}\n", "utf-8")
                self.repo.commit("说明", "README.md")
            if strategy in ("merge", "no-ff"):
                self.repo.git("merge", "-q", "--no-ff", "--no-edit", branch)
            elif strategy == "rebase":
                self.repo.git("rebase", "-q", "main", branch)
                self.repo.git("checkout", "-q", "main")
                self.repo.git("merge", "-q", "--ff-only", branch)
            elif strategy == "squash":
                self.repo.git("merge", "-q", "--squash", branch)
                self.repo.commit(f"发布 {label}（压缩合并）")
            else:  # foxtrot: the branch merges main, main is fast-forwarded to it
                self.repo.git("checkout", "-q", branch)
                self.repo.git("merge", "-q", "--no-edit", "main")
                self.repo.git("checkout", "-q", "main")
                self.repo.git("merge", "-q", "--ff-only", branch)
        self._settle(replace(self.main, versions={**self.main.versions, label: version}))

    @precondition(lambda self: self.main.alive)
    @rule(days=st.integers(1, 60), then_build=st.booleans())
    @building
    def unmerged_review(self, days: int) -> None:
        """A release and its review fix on a branch that is never merged."""
        label = f"{self.counter + 1}.0"
        self._branch()
        source, _ = self._source(label, days, 20)
        self.repo.publish(self.main.agreement, source, f"草拟 {label}")
        source, _ = self._source(label, days + 1, 21)
        self.repo.write(self.main.agreement, source)
        self.repo.release(self.main.agreement)
        self.repo.commit(f"评审修改 {label}")
        self.repo.git("checkout", "-q", "main")

    @precondition(lambda self: self.main.alive and len(self.main.formerly) < 2)
    @rule(days=st.integers(1, 60), then_build=st.booleans())
    @building
    def rename(self, days: int) -> None:
        """The file renamed and rewritten in one commit, released with ``--renamed-from``."""
        old = self.main.agreement
        new = f"{old}-{len(self.main.formerly) + 1}"
        self.repo.git("mv", f"agreements/{old}.md", f"agreements/{new}.md")
        label = self._next_label()
        main = replace(self.main, agreement=new, formerly=(*self.main.formerly, old))
        self.main = main
        source, version = self._source(label, days, 25)
        self.repo.write(new, source)
        self.repo.release(new, renamed_from=old)
        self.repo.commit(f"更名为 {new}")
        self._settle(replace(main, versions={**main.versions, label: version}))

    @precondition(lambda self: self.main.alive)
    @rule(withdraw=st.booleans(), then_build=st.booleans())
    @building
    def delete(self, withdraw: bool) -> None:
        agreement = self.main.agreement
        self.repo.git("rm", "-q", f"agreements/{agreement}.md")
        if withdraw:
            self.repo.release(agreement, withdraw=True, reason="产品下线")
        self.repo.commit("删除协议")
        self._settle(replace(self.main, alive=False, withdrawn=withdraw))

    @precondition(lambda self: len(self.states) > 1)
    @rule(data=st.data(), then_build=st.booleans())
    @building
    def force_reset(self, data: st.DataObject) -> None:
        """main reset to one of its earlier commits (a force-push)."""
        head = self.repo.head("main")
        earlier = sorted(sha for sha in self.states if sha != head)
        if not earlier:
            return
        target = data.draw(st.sampled_from(earlier))
        self.repo.git("reset", "-q", "--hard", target)
        self._settle(self.states[target])

    @precondition(lambda self: self.main.alive)
    @rule(days=st.integers(61, 90), then_build=st.booleans())
    @building
    def edit_released_text(self, days: int) -> None:
        """The released text edited under its label and committed without ``kspub release`` (it would refuse)."""
        file = self.repo.path / "agreements" / f"{self.main.agreement}.md"
        source = file.read_text("utf-8")
        edited = source.replace(source.split("1.2 ", 1)[1].split("\n", 1)[0], fee(days))
        file.write_text(edited, "utf-8")
        self.repo.commit("改了已发布的正文")
        self._settle(self.main)

    @precondition(lambda self: self.main.alive)
    @rule(then_build=st.booleans())
    @building
    def edit_front_matter_dates(self) -> None:
        file = self.repo.path / "agreements" / f"{self.main.agreement}.md"
        file.write_text(file.read_text("utf-8").replace(f"announced: {ANNOUNCED}", "announced: 2026-02-01"), "utf-8")
        self.repo.commit("手改头信息中的日期")
        self._settle(self.main)

    @rule(then_build=st.booleans())
    @building
    def edit_record_dates(self) -> None:
        """An effective date in main's release record moved by hand."""
        record = self.repo.path / "agreements" / "releases" / f"{self.main.agreement}.yaml"
        data = record.read_text("utf-8")
        moved = data.replace("effective: '2026-04-", "effective: '2026-05-", 1)
        if moved == data:
            return
        record.write_text(moved, "utf-8")
        self.repo.commit("手改发布记录")
        self._settle(replace(self.main, tampered=True))

    @rule()
    def build(self) -> None:
        self._build()

    def _build(self) -> None:
        """Build into the persistent ``build/`` and hold the result to the model."""
        outcome = self.repo.build()
        expected = self.main.keys()
        drops = any(expected.get(k) != v for k, v in self.published.items())
        if outcome.error is not None:
            assert outcome.error.code.startswith("KS"), outcome.error
            assert outcome.site_unchanged, f"{outcome.code}: the previous site changed"
            assert self.main.tampered or drops, f"a build that should succeed stopped: {outcome.error.format()}"
            return
        assert not drops, "the build dropped or altered a published version without stopping"
        timeline = self.repo.timeline(self.main.agreement)
        rows = {row["version"]: row for row in timeline["versions"]}
        site = {(a, label): row for a in (self.main.agreement, *timeline["formerly"]) for label, row in rows.items()}
        for key, version in {**expected, **self.published}.items():
            assert key in site, f"{key} is not published"
            row = site[key]
            assert (row["sha256"], row["announced"], row["effective"]) == (
                version.sha256, version.announced, version.effective), key  # fmt: skip
            assert self.repo.clause(self.main.agreement, key[1]) == f"1.2 {version.clause}", key
        assert set(site) == set(expected) | set(self.published), "the site publishes versions nobody released"
        assert (timeline["withdrawn"] is not None) == self.main.withdrawn
        self.published = {k: expected.get(k) or self.published[k] for k in site}
        self.built_at = self.repo.head("main")

    @precondition(lambda self: self.built_at is not None)
    @rule(then_build=st.booleans())
    @building
    def restore(self) -> None:
        """main put back where the last successful build was made: it builds again."""
        assert self.built_at is not None
        self.repo.git("reset", "-q", "--hard", self.built_at)
        self._settle(self.states[self.built_at])


RecordMachine.TestCase.settings = settings(
    max_examples=8, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestRecordMachine = RecordMachine.TestCase

