"""Attacks on the release record and the gate found by a review, each written as the pull request that got
through, and the defence that now stops it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from kspub.cli import main
from kspub.errors import KspubError
from kspub.history import legal_text
from kspub.model import sha256_text
from kspub.record import Event, EventKind, dump_record, parse_record
from kspub.release import release

from .conftest import git
from .test_check import FEE, agreement

pytestmark = pytest.mark.e2e

A = "agreements/demo.md"
RECORD = "agreements/releases/demo.yaml"
WAIVER = "金山云对任何损失不承担责任。"


def _check(repo: Path, today: str = "2026-03-02") -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", today])
    return result.exit_code, result.stdout


def _record(repo: Path, name: str = "demo"):  # type: ignore[no-untyped-def]
    path = f"agreements/releases/{name}.yaml"
    return parse_record((repo / path).read_text("utf-8"), path)


def _write_record(repo: Path, record: object, name: str = "demo") -> None:
    (repo / f"agreements/releases/{name}.yaml").write_text(dump_record(record), "utf-8")  # type: ignore[arg-type]


def _blob(repo: Path, text: str) -> tuple[str, str]:
    """Store ``text`` as a git object, as ``kspub release`` does; its blob ID and legal-text sha256."""
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input=text.encode(), capture_output=True,
                          check=True).stdout.decode().strip()  # fmt: skip
    return blob, sha256_text(legal_text(text))


@pytest.fixture
def released(make_repo: Callable[..., Path]) -> Path:
    """demo 1.0 on main, in force since 2026-01-20; a pull-request branch checked out."""
    repo = make_repo({A: agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-20\n")}, "首次发布")
    git(repo, "checkout", "-q", "-b", "pr")
    return repo


def test_two_versions_appended_in_one_pull_request_are_refused(released: Path) -> None:
    """2.1 (a liability waiver, effective at once) slipped in before 2.2 (the old text again): the gate diffed
    1.0 against 2.2 and saw nothing."""
    repo = released
    waiver = agreement("2.1", purpose=WAIVER, extra="announced: 2026-03-02\neffective: 2026-03-02\nsummary: 调整。\n")
    (repo / A).write_text(waiver, "utf-8")
    release(repo, "demo", today=date(2026, 3, 2))
    smuggled = _record(repo).release("2.1")
    (repo / A).write_text(agreement("2.2", extra="announced: 2026-03-02\neffective: 2026-03-20\nsummary: 恢复。\n"), "utf-8")
    release(repo, "demo", today=date(2026, 3, 2))
    record = _record(repo)
    _write_record(repo, replace(record, releases=(record.releases[0], smuggled, record.releases[-1])))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "两个版本")
    code, out = _check(repo)
    assert code == 1 and "KS819" in out and "2.1、2.2" in out


def test_a_record_without_its_agreement_file_is_refused(released: Path) -> None:
    repo = released
    text = agreement("1.0", extra="announced: 2026-03-02\neffective: 2026-03-02\n").replace("id: demo", "id: ghost")
    blob, sha = _blob(repo, text)
    (repo / "agreements/releases/ghost.yaml").write_text(
        "agreement: ghost\nversions:\n- version: '1.0'\n  path: agreements/ghost.md\n"
        f"  blob: {blob}\n  sha256: {sha}\n  announced: '2026-03-02'\n  effective: '2026-03-02'\n"
        "  summary: ''\n  recorded: '2026-03-02'\n", "utf-8")  # fmt: skip
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "只有记录")
    code, out = _check(repo)
    assert code == 1 and "KS819" in out and "没有协议文件 agreements/ghost.md" in out


def test_a_hand_appended_correction_that_changes_meaning_is_refused(released: Path) -> None:
    repo = released
    rewritten = agreement("1.0", purpose=WAIVER, extra="announced: 2026-01-05\neffective: 2026-01-20\n")
    blob, sha = _blob(repo, rewritten)
    record = _record(repo)
    fix = Event(EventKind.CORRECTION, date(2026, 3, 2), "更正错别字", blob=blob, sha256=sha)
    entry = record.releases[0]
    _write_record(repo, replace(record, releases=(replace(entry, events=(fix,)),)))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "勘误")
    code, out = _check(repo)
    assert code == 1 and "KS818" in out and "勘误（2026-03-02，更正错别字）改变了条款含义" in out


@pytest.mark.parametrize(
    "event",
    [
        Event(EventKind.POSTPONEMENT, date(2026, 3, 2), "系统改造延期", effective=date(2026, 12, 1)),
        Event(EventKind.WITHDRAWAL, date(2026, 3, 2), "撤回"),
    ],
)
def test_a_version_in_force_can_be_neither_postponed_nor_withdrawn(released: Path, event: Event) -> None:
    """Appended by hand to 1.0, in force since 2026-01-20: it would rewrite what customers were bound to."""
    repo = released
    with pytest.raises(KspubError) as info:  # the command refuses it
        if event.kind is EventKind.POSTPONEMENT:
            release(repo, "demo", today=date(2026, 3, 2), effective=date(2026, 12, 1), reason="系统改造延期")
        else:
            release(repo, "demo", today=date(2026, 3, 2), withdraw=True, version="1.0", reason="撤回")
    assert "生效" in info.value.message
    record = _record(repo)
    _write_record(repo, replace(record, releases=(replace(record.releases[0], events=(event,)),)))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "事件")
    code, out = _check(repo)  # and so does the gate, written by hand
    assert code == 1 and "KS818" in out and "已于 2026-01-20生效" in out


def test_a_rename_with_a_rewrite_is_judged_against_its_predecessor(released: Path) -> None:
    """git sees a deletion and a new file; the gate and release still compare with what customers have."""
    repo = released
    git(repo, "rm", "-q", A)
    rewritten = agreement("2.0", fee=FEE.replace("10", "15"), purpose=WAIVER, extra="summary: 更名并调整。\n")
    (repo / "agreements/cloud.md").write_text(rewritten.replace("id: demo", "id: cloud"), "utf-8")
    result = release(repo, "cloud", today=date(2026, 3, 2), renamed_from="demo")
    assert result.filled["effective"] != "2026-03-02", result.lines()  # not "首次发布，无需提前通知"
    assert any("与上一版本 1.0 相比" in step for step in result.reasoning)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "更名")
    code, out = _check(repo)
    assert code == 0, out
    assert "KS422" not in out and "实质性" in out
    # the date release proposed is the law's: one day earlier fails
    text = (repo / "agreements/cloud.md").read_text("utf-8")
    earlier = date.fromisoformat(result.filled["effective"]).toordinal() - 1
    (repo / "agreements/cloud.md").write_text(
        text.replace(f"effective: {result.filled['effective']}", f"effective: {date.fromordinal(earlier)}"), "utf-8")
    release(repo, "cloud", today=date(2026, 3, 2))
    git(repo, "commit", "-qam", "提前")
    code, out = _check(repo)
    assert code == 1 and "KS414" in out


class _Change:
    def __init__(self, old: str, new: str) -> None:
        self.clause, self.kind, self.old_text, self.new_text = "c", "modified", old, new
        self.new_ids, self.new_number, self.new_line, self.line, self.tags = ("c",), "1.1", 3, 3, ()


@pytest.mark.parametrize(
    ("old", "new", "article"),
    [
        # a negation taken away: the same words, the opposite meaning
        ("我们不会向境外提供您的个人信息。", "我们会向境外提供您的个人信息。", 39),
        ("我们不会将您的个人信息提供给第三方。", "我们会将您的个人信息提供给第三方。", 23),
        ("我们不会收集您的人脸信息。", "我们会收集您的人脸信息。", 29),
        ("我们不会公开您的个人信息。", "我们会公开您的个人信息。", 25),
        # words the table lacked
        ("我们收集您的个人信息。", "我们收集您的个人信息，并与其他公司分享您的个人信息。", 23),
        ("我们收集您的个人信息。", "我们收集您的个人信息，并可能出售您的个人信息。", 23),
        ("我们收集您的个人信息。", "我们收集您的个人信息，并传输至海外服务器。", 39),
        # the sentence naming the recipient has no context word of its own
        ("我们收集您的手机号码用于登录。", "我们收集您的手机号码用于登录。我们会将其分享给广告商。", 23),
        # a recipient replaced: every count stays the same
        ("我们将您的个人信息提供给合作伙伴（金山办公）。", "我们将您的个人信息提供给合作伙伴（某数据经纪公司）。", 23),
        # a compatibility ideograph that looks like 方
        ("我们收集您的个人信息。", "我们收集您的个人信息，并向第三\u2f45传输。", 23),
    ],
)
def test_consent_gated_changes_are_found_however_they_are_written(old: str, new: str, article: int) -> None:
    from kspub.law.consent import detect

    flags = detect([_Change(old, new)])
    assert flags and article in flags[0].articles, (new, flags)


def test_adding_a_negation_or_rewording_punctuation_is_not_a_consent_change() -> None:
    from kspub.law.consent import detect

    assert detect([_Change("我们会向境外提供您的个人信息。", "我们不会向境外提供您的个人信息。")]) == []
    assert detect([_Change("我们将您的个人信息提供给第三方。", "我们将您的个人信息，提供给第三方。")]) == []
