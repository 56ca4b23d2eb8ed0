"""`kspub release`: what it fills, what it writes, what it refuses; and renamed agreements end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kspub.cli import main
from kspub.errors import KspubError
from kspub.frontmatter import body_of
from kspub.history import read_timeline, read_timelines
from kspub.publish import api
from kspub.publish.build import build
from kspub.record import EventKind, parse_record
from kspub.release import release

from .conftest import git
from .test_check import FEE, agreement

pytestmark = pytest.mark.e2e

A = "agreements/demo.md"
RECORD = "agreements/releases/demo.yaml"
TODAY = date(2026, 3, 2)


def record(repo: Path):  # type: ignore[no-untyped-def]
    return parse_record((repo / RECORD).read_text("utf-8"), RECORD)


def first_release(make_repo: Callable[..., Path]) -> Path:
    return make_repo({A: agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-20\n")})


def test_release_fills_announced_and_the_earliest_lawful_effective_date(make_repo: Callable[..., Path]) -> None:
    repo = first_release(make_repo)
    git(repo, "checkout", "-q", "-b", "change")
    edited = agreement("2.0", fee=FEE.replace("10", "15"), extra="summary: 收费通知期改为15日。\n")
    (repo / A).write_text(edited, "utf-8")
    result = CliRunner().invoke(main, ["release", "demo", "--root", str(repo), "--today", "2026-09-25"])
    assert result.exit_code == 0, result.output
    # announced 2026-09-25 (中秋): the new clause promises 15个自然日, stricter than the old 10 (the old rule alone
    # gives E 10-09); L = 10-10 is a make-up Saturday, a working day, so no roll: E = 10-11
    assert "已补全 announced: 2026-09-25" in result.stdout
    assert "已补全 effective: 2026-10-11" in result.stdout
    assert "依 本协议第1.2条（新规则），须提前15个自然日通知" in result.stdout and "最早合法生效日：2026-10-11" in result.stdout
    assert "通知渠道：网页公告" in result.stdout
    text = (repo / A).read_text("utf-8")
    assert "announced: 2026-09-25\neffective: 2026-10-11\n" in text
    # nothing below the front matter changed
    assert body_of(text) == body_of(edited)
    entry = record(repo).release("2.0")
    assert (entry.announced, entry.effective, entry.summary) == (date(2026, 9, 25), date(2026, 10, 11), "收费通知期改为15日。")
    blob = git(repo, "hash-object", A).strip()
    assert entry.blob == blob and git(repo, "cat-file", "-t", blob).strip() == "blob"  # stored, verifiable now
    # the gate agrees with what release wrote
    check = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-09-25"])
    assert check.exit_code == 0, check.stdout


def test_the_next_label_follows_the_scheme(make_repo: Callable[..., Path]) -> None:
    repo = first_release(make_repo)
    git(repo, "checkout", "-q", "-b", "change")
    (repo / A).write_text(agreement("1.0", fee=FEE.replace("10", "15")).replace('version: "1.0"\n', ""), "utf-8")
    # without a version line lint stops first: the label is required in the source
    with pytest.raises(KspubError):
        release(repo, "demo", today=TODAY)
    (repo / A).write_text(agreement("1.0", fee=FEE.replace("10", "15")), "utf-8")
    result = release(repo, "demo", today=TODAY, version="1.1")
    assert result.action == "new" and result.filled["version"] == "1.1"
    assert 'version: "1.1"' in (repo / A).read_text("utf-8")


def test_a_review_fix_updates_the_unreleased_entry(make_repo: Callable[..., Path]) -> None:
    repo = first_release(make_repo)
    git(repo, "checkout", "-q", "-b", "change")
    extra = "announced: 2026-03-02\neffective: 2026-03-20\nsummary: 调整。\n"
    (repo / A).write_text(agreement("2.0", fee=FEE.replace("10", "15"), extra=extra), "utf-8")
    assert release(repo, "demo", today=TODAY).action == "new"
    git(repo, "commit", "-qam", "发布 2.0")
    (repo / A).write_text(agreement("2.0", fee=FEE.replace("10", "20"), extra=extra), "utf-8")
    assert release(repo, "demo", today=TODAY).action == "updated"
    assert release(repo, "demo", today=TODAY).action == "unchanged"
    assert [r.version for r in record(repo).releases] == ["1.0", "2.0"]
    # renamed during review: the unreleased entry is replaced, not followed
    (repo / A).write_text(agreement("3.0", fee=FEE.replace("10", "20"), extra=extra), "utf-8")
    assert release(repo, "demo", today=TODAY).action == "updated"
    assert [r.version for r in record(repo).releases] == ["1.0", "3.0"]


def test_a_correction_is_an_event_and_a_material_one_is_refused(make_repo: Callable[..., Path]) -> None:
    repo = first_release(make_repo)
    base = "announced: 2026-01-05\neffective: 2026-01-20\n"
    fix = base + "corrections:\n  - date: 2026-03-02\n    reason: 更正标点\n"
    (repo / A).write_text(agreement("1.0", fee=FEE.replace("10", "5"), extra=fix), "utf-8")
    with pytest.raises(KspubError) as info:
        release(repo, "demo", today=TODAY)
    assert "实质性变更" in info.value.message
    (repo / A).write_text(agreement("1.0", fee=FEE.replace("，", ","), extra=fix), "utf-8")
    assert release(repo, "demo", today=TODAY).action == "correction"
    (entry,) = record(repo).releases
    (event,) = entry.events
    assert (event.kind, event.reason) == (EventKind.CORRECTION, "更正标点")
    git(repo, "commit", "-qam", "勘误")
    (v,) = read_timeline(repo, "demo").versions
    assert v.text_sha256 == event.sha256 != entry.sha256 and "," in v.source


def test_a_postponement_needs_a_reason_and_may_only_move_later(make_repo: Callable[..., Path]) -> None:
    repo = first_release(make_repo)  # announced 2026-01-05, effective 2026-01-20
    before_effect = date(2026, 1, 6)
    with pytest.raises(KspubError) as info:
        release(repo, "demo", today=before_effect, effective=date(2026, 1, 10), reason="提前")
    assert "只能推迟" in info.value.message
    with pytest.raises(KspubError) as info:
        release(repo, "demo", today=before_effect, effective=date(2026, 2, 1))
    assert "需要写明原因" in info.value.message
    # once in force, what applied is history: no postponement (the review found one rewriting months of it)
    with pytest.raises(KspubError) as info:
        release(repo, "demo", today=TODAY, effective=date(2026, 12, 1), reason="系统改造延期")
    assert "已于 2026-01-20生效，不能再推迟生效" in info.value.message
    assert release(repo, "demo", today=before_effect, effective=date(2026, 2, 1), reason="系统改造延期").action == "postponement"
    assert "effective: 2026-02-01" in (repo / A).read_text("utf-8")
    assert record(repo).releases[0].current_effective == date(2026, 2, 1)
    assert record(repo).releases[0].effective == date(2026, 1, 20)  # the recorded entry itself is untouched


def test_as_is_fills_nothing(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0")}, release=False)
    before = (repo / A).read_bytes()
    result = release(repo, "demo", today=TODAY, as_is=True)
    assert result.filled == {} and (repo / A).read_bytes() == before
    assert (record(repo).releases[0].announced, record(repo).releases[0].effective) == (None, None)


def test_crlf_source_is_released_and_read_back(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"NOTES.md": "说明"}, "首个提交", release=False)
    (repo / A).write_bytes(agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-20\n").replace("\n", "\r\n").encode())
    assert release(repo, "demo", today=TODAY).action == "new"
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "CRLF")
    (v,) = read_timeline(repo, "demo").versions
    assert v.label == "1.0" and "\r" not in v.source


def test_withdraw_needs_the_file_removed_and_a_reason(make_repo: Callable[..., Path]) -> None:
    repo = first_release(make_repo)
    with pytest.raises(KspubError) as info:
        release(repo, "demo", today=TODAY, withdraw=True, reason="下线")
    assert "请先删除" in info.value.message
    (repo / A).unlink()
    with pytest.raises(KspubError):
        release(repo, "demo", today=TODAY, withdraw=True)
    assert release(repo, "demo", today=TODAY, withdraw=True, reason="产品下线").action == "withdrawal"
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "停止适用")
    timeline = read_timelines(repo)["demo"]
    assert timeline.withdrawn is not None and timeline.in_force(date(2026, 3, 3)) is None
    assert timeline.in_force(date(2026, 3, 1)) is not None  # before the withdrawal it applied


def test_a_renamed_agreement_keeps_its_lineage_and_old_addresses(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from .site_helpers import ROOT

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772323200")
    repo = first_release(make_repo)
    (repo / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text("utf-8"), "utf-8")
    (repo / ".gitignore").write_text("/build/\n", "utf-8")
    make_repo({}, "网站配置", release=False)
    # rename and rewrite in one commit
    git(repo, "mv", A, "agreements/cloud-terms.md")
    new = agreement("2.0", fee=FEE.replace("10", "15"),
                    extra="announced: 2026-03-02\neffective: 2026-03-20\nsummary: 更名并调整。\n").replace("id: demo", "id: cloud-terms")  # fmt: skip
    (repo / "agreements/cloud-terms.md").write_text(new, "utf-8")
    release(repo, "cloud-terms", today=TODAY, renamed_from="demo")
    make_repo({}, "更名", release=False)
    timelines = read_timelines(repo)
    assert list(timelines) == ["cloud-terms"]
    assert [v.label for v in timelines["cloud-terms"].versions] == ["1.0", "2.0"]
    result = build(repo, as_of=date(2026, 3, 25), out=None, progress=False)
    site = result.site
    assert "../cloud-terms/" in (site / "demo" / "index.html").read_text("utf-8")
    assert "../../cloud-terms/1.0/" in (site / "demo" / "1.0" / "index.html").read_text("utf-8")
    moved = json.loads((site / "api/v1/agreements/demo.json").read_text("utf-8"))
    assert moved["renamed_to"] == "cloud-terms" and moved["urls"]["timeline"].endswith("/agreements/cloud-terms.json")
    jsonschema.Draft202012Validator(api.schema("redirect"), format_checker=jsonschema.FormatChecker()).validate(moved)
    assert json.loads((site / "api/v1/agreements/demo/current.json").read_text("utf-8")) == moved
    timeline = json.loads((site / "api/v1/agreements/cloud-terms.json").read_text("utf-8"))
    assert timeline["formerly"] == ["demo"] and [v["version"] for v in timeline["versions"]] == ["1.0", "2.0"]
    jsonschema.Draft202012Validator(api.schema("timeline"), format_checker=jsonschema.FormatChecker()).validate(timeline)


def test_a_new_text_under_the_released_label_becomes_the_next_version(make_repo: Callable[..., Path]) -> None:
    """The editor changed the text but not the label: release fills the next label, and the released version's
    dates and summary, still in the front matter, are not carried over to the new version."""
    old = "announced: 2026-01-05\neffective: 2026-01-20\nsummary: 首次发布。\n"
    repo = make_repo({A: agreement("1.0", extra=old)})
    git(repo, "checkout", "-q", "-b", "change")
    (repo / A).write_text(agreement("1.0", fee=FEE.replace("10", "15"), extra=old), "utf-8")
    result = CliRunner().invoke(main, ["release", "demo", "--root", str(repo), "--today", "2026-09-25"])
    assert result.exit_code == 0, result.output
    assert "按新版本 1.1 登记" in result.stdout and "summary 为空" in result.stdout
    entry = record(repo).release("1.1")
    assert (entry.announced, entry.effective, entry.summary) == (date(2026, 9, 25), date(2026, 10, 11), "")
    text = (repo / A).read_text("utf-8")
    assert 'version: "1.1"' in text and "announced: 2026-09-25" in text and "effective: 2026-10-11" in text
    assert "首次发布" not in text
    assert [r.version for r in record(repo).releases] == ["1.0", "1.1"]
    assert record(repo).release("1.0").announced == date(2026, 1, 5)  # the released entry is untouched
    # what the editor writes for the new version is kept
    (repo / A).write_text(agreement("1.1", fee=FEE.replace("10", "15"),
                                    extra="announced: 2026-09-25\neffective: 2026-10-20\nsummary: 收费通知期改为15日。\n"), "utf-8")  # fmt: skip
    assert release(repo, "demo", today=date(2026, 9, 25)).action == "updated"
    entry = record(repo).release("1.1")
    assert (entry.effective, entry.summary) == (date(2026, 10, 20), "收费通知期改为15日。")


def test_as_is_or_an_explicit_label_never_renames_a_released_version(make_repo: Callable[..., Path]) -> None:
    old = "announced: 2026-01-05\neffective: 2026-01-20\n"
    repo = make_repo({A: agreement("1.0", extra=old)})
    (repo / A).write_text(agreement("1.0", fee=FEE.replace("10", "15"), extra=old), "utf-8")
    for kwargs in ({"as_is": True}, {"version": "1.0"}):
        with pytest.raises(KspubError) as info:
            release(repo, "demo", today=TODAY, **kwargs)  # type: ignore[arg-type]
        assert "已发布，正文却被修改" in info.value.message
    assert [r.version for r in record(repo).releases] == ["1.0"]


def test_a_version_not_yet_in_force_can_be_withdrawn_and_is_never_in_force(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from .site_helpers import ROOT

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772323200")
    repo = first_release(make_repo)
    (repo / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text("utf-8"), "utf-8")
    (repo / ".gitignore").write_text("/build/\n", "utf-8")
    upcoming = "announced: 2026-03-02\neffective: 2026-06-01\nsummary: 收费通知期改为15日。\n"
    make_repo({A: agreement("2.0", fee=FEE.replace("10", "15"), extra=upcoming)}, "发布 2.0")
    # not on main yet / unknown / already in force / no reason: refused, nothing written
    before = (repo / RECORD).read_bytes()
    for kwargs, said in [({"version": "9.9", "reason": "x"}, "没有版本 9.9"),
                         ({"version": "1.0", "reason": "x"}, "已生效的版本不能撤回"),
                         ({"version": "2.0"}, "需要写明原因")]:  # fmt: skip
        with pytest.raises(KspubError) as info:
            release(repo, "demo", today=TODAY, withdraw=True, **kwargs)  # type: ignore[arg-type]
        assert said in info.value.message
    assert (repo / RECORD).read_bytes() == before
    result = release(repo, "demo", today=TODAY, withdraw=True, version="2.0", reason="收费方案取消")
    assert result.action == "version-withdrawal"
    make_repo({}, "撤回 2.0", release=False)
    timeline = read_timelines(repo)["demo"]
    assert timeline.in_force(date(2026, 6, 2)).label == "1.0"  # type: ignore[union-attr]
    assert timeline.upcoming(date(2026, 3, 3)) == ()
    site = build(repo, as_of=date(2026, 6, 2), out=None, progress=False).site
    doc = json.loads((site / "api/v1/agreements/demo.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(api.schema("timeline"), format_checker=jsonschema.FormatChecker()).validate(doc)
    rows = {row["version"]: row for row in doc["versions"]}
    assert rows["2.0"]["withdrawn"] == {"date": "2026-03-02", "reason": "收费方案取消"}
    assert rows["2.0"]["status"] == "archived" and rows["1.0"]["status"] == "in-force" and doc["in_force"] == "1.0"
    # the documented client rule agrees with the build on every day around the dates
    for day in (date(2026, 3, 1), date(2026, 5, 31), date(2026, 6, 1), date(2026, 12, 31)):
        assert api.version_in_force(doc["versions"], day, doc["withdrawn"]) == "1.0", day
    history = (site / "demo" / "index.html").read_text("utf-8")
    assert "已于 2026年3月2日 撤回，未生效" in history
    # the gate accepts the event, and a second withdrawal changes nothing
    check = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "HEAD~1", "--today", "2026-03-02"])
    assert check.exit_code == 0, check.stdout
    assert release(repo, "demo", today=TODAY, withdraw=True, version="2.0", reason="再次").action == "unchanged"


def test_corrections_and_postponements_are_shown_as_what_they_are(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from xml.etree import ElementTree

    from .site_helpers import ROOT

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772323200")
    repo = make_repo({A: agreement("1.0", extra="announced: 2026-03-02\neffective: 2026-04-20\n"),
                      "mkdocs.yml": (ROOT / "mkdocs.yml").read_text("utf-8"), ".gitignore": "/build/\n"})  # fmt: skip
    assert release(repo, "demo", today=TODAY, effective=date(2026, 5, 6), reason="系统改造延期").action == "postponement"
    make_repo({}, "推迟生效", release=False)
    fix = "announced: 2026-03-02\neffective: 2026-05-06\ncorrections:\n  - date: 2026-03-03\n    reason: 更正标点\n"
    (repo / A).write_text(agreement("1.0", fee=FEE.replace("，", ","), extra=fix), "utf-8")
    assert release(repo, "demo", today=date(2026, 3, 3)).action == "correction"
    make_repo({}, "勘误", release=False)
    site = build(repo, as_of=date(2026, 3, 4), out=None, progress=False).site
    page = (site / "demo" / "1.0" / "index.html").read_text("utf-8")
    assert "推迟生效：生效日期改为 2026年5月6日。原因：系统改造延期" in page
    assert "勘误。原因：更正标点" in page
    feed = ElementTree.parse(site / "api/v1/agreements/demo/feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    (entry,) = feed.findall(f"{atom}entry")
    content = entry.findtext(f"{atom}content") or ""
    assert "推迟生效（2026-03-02）：系统改造延期，生效日期改为 2026-05-06" in content
    assert "勘误（2026-03-03）：更正标点" in content
    assert entry.findtext(f"{atom}updated") == "2026-03-03T00:00:00+08:00"  # the last event, not a commit time


@pytest.mark.parametrize(
    ("previous", "today", "expected"),
    [("1.0", date(2026, 3, 2), "1.1"), ("1.9", date(2026, 3, 2), "1.10"), ("2026.2", date(2026, 3, 2), "2026.3"),
     ("2025.3", date(2026, 3, 2), "2026.1"), ("2022-07-05", date(2026, 3, 2), "2026-03-02")],
)  # fmt: skip
def test_the_next_label_keeps_the_scheme(previous: str, today: date, expected: str) -> None:
    """A date label is followed by the day of the release, never by 2022-07-6 (which the gate refuses)."""
    from kspub.labels import follows
    from kspub.release import _next_label

    label = _next_label(previous, "agreements/demo.md", today)
    assert label == expected and follows(label, previous) is True
    with pytest.raises(KspubError):
        _next_label("2026-03-02", "agreements/demo.md", date(2026, 3, 2))  # the same day: no later date label


def test_release_says_the_channels_and_warns_of_a_date_too_early(make_repo: Callable[..., Path]) -> None:
    repo = first_release(make_repo)
    git(repo, "checkout", "-q", "-b", "change")
    edited = agreement("2.0", fee=FEE.replace("10", "15"), extra="summary: 收费通知期改为15日。\neffective: 2026-10-01\n")
    (repo / A).write_text(edited, "utf-8")
    result = CliRunner().invoke(main, ["release", "demo", "--root", str(repo), "--today", "2026-09-25"])
    assert result.exit_code == 0, result.output
    assert "通知渠道：" in result.stdout
    assert "生效日期 2026-10-01 早于最早合法生效日 2026-10-11" in result.stdout and "KS414" in result.stdout
