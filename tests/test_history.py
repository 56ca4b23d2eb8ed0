"""End-to-end: timelines from temporary git repositories."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kspub.cli import main
from kspub.errors import HistoryError, KspubError
from kspub.history import legal_text, read_timeline, read_timelines
from kspub.release import release

from .conftest import RECORDED, demo_text, git

A = "agreements/demo.md"


def test_versions_with_rename_and_correction(make_repo: Callable[..., Path]) -> None:
    make_repo({A: demo_text("1.0")}, "首次发布")
    repo = make_repo({A: demo_text("2.0", fee="免费服务转为收费前，金山云将提前5个自然日通知您。", extra="announced: 2026-03-01\n")}, "第二版")
    # an editorial correction to the released version 2.0, recorded with date and reason
    corrected = demo_text(
        "2.0",
        fee="免费服务转为收费前,金山云将提前5个自然日通知您。",
        extra="announced: 2026-03-01\ncorrections:\n  - date: 2026-03-02\n    reason: 更正标点\n",
    )
    make_repo({A: corrected}, "勘误")
    git(repo, "mv", A, "agreements/demo-renamed.md")
    (repo / "agreements/demo-renamed.md").write_text(corrected.replace("id: demo", "id: demo-renamed"), encoding="utf-8")
    release(repo, "demo-renamed", today=RECORDED, as_is=True, renamed_from="demo")
    make_repo({}, "重命名", release=False)
    timelines = read_timelines(repo)
    assert "demo" not in timelines  # folded into its successor
    timeline = timelines["demo-renamed"]
    assert timeline.formerly == ("demo",)
    assert [v.label for v in timeline.versions] == ["1.0", "2.0"]
    v2 = timeline.versions[1]
    assert [r.correction for r in v2.revisions] == [None, "更正标点", None]
    assert v2.revisions[-1].path == "agreements/demo-renamed.md"
    assert v2.authors == ("法务编辑",)
    assert timeline.versions[0].agreement == "demo-renamed"
    # the text of an old version is retrievable byte for byte
    assert timeline.versions[0].source == demo_text("1.0")


def test_text_changed_under_a_released_label_is_refused_and_never_published(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: demo_text("1.0", extra="announced: 2026-03-01\n")})
    (repo / A).write_text(demo_text("1.0", fee="改了文字。", extra="announced: 2026-03-01\n"), encoding="utf-8")
    with pytest.raises(KspubError) as info:
        release(repo, "demo", today=RECORDED, as_is=True)
    assert info.value.code == "KS830"
    assert "版本 1.0 已发布，正文却被修改" in info.value.message and "corrections" in (info.value.hint or "")
    make_repo({}, "偷偷修改", release=False)
    (v,) = read_timeline(repo, "demo").versions
    assert "改了文字" not in v.source and v.source == demo_text("1.0", extra="announced: 2026-03-01\n")


def test_a_release_is_updated_until_it_reaches_main(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: demo_text("1.0")})
    git(repo, "checkout", "-q", "-b", "change")
    make_repo({A: demo_text("2.0", fee="起草。")}, "发布 2.0")
    repo = make_repo({A: demo_text("2.0", fee="评审后修改。")}, "评审修改")
    versions = read_timeline(repo, "demo").versions
    assert [v.label for v in versions] == ["1.0", "2.0"] and "评审后修改" in versions[1].source
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "change")
    (repo / A).write_text(demo_text("2.0", fee="合入后再改。"), encoding="utf-8")
    with pytest.raises(KspubError) as info:
        release(repo, "demo", today=RECORDED, as_is=True)
    assert info.value.code == "KS830"


def test_label_reused_for_different_text(make_repo: Callable[..., Path]) -> None:
    make_repo({A: demo_text("1.0")})
    repo = make_repo({A: demo_text("2.0", fee="第二版。")})
    (repo / A).write_text(demo_text("1.0", fee="另一份文字。"), encoding="utf-8")
    with pytest.raises(KspubError) as info:
        release(repo, "demo", today=RECORDED, as_is=True)
    assert info.value.code == "KS830" and "已登记过其他文本" in info.value.message


def test_metadata_only_change_is_not_a_text_change(make_repo: Callable[..., Path]) -> None:
    make_repo({A: demo_text("1.0", extra="announced: 2026-03-01\n")})
    text = demo_text("1.0", extra="announced: 2026-03-01\nsummary: 补充说明\n").replace('{#nature}', '{#nature tags="account"}')
    repo = make_repo({"NOTES.md": "说明"}, "无关的提交")
    (repo / A).write_text(text, encoding="utf-8")
    assert release(repo, "demo", today=RECORDED, as_is=True).action == "unchanged"
    make_repo({}, "补充标签", release=False)
    (v,) = read_timeline(repo, "demo").versions
    assert legal_text(text) == legal_text(demo_text("1.0")) and v.text_sha256 == v.release.sha256  # type: ignore[union-attr]


def test_shallow_clone_fails_and_says_how_to_fix(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    make_repo({A: demo_text("1.0")})
    repo = make_repo({A: demo_text("2.0", fee="第二版。")})
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True)
    result = CliRunner().invoke(main, ["versions", "demo", "--root", str(shallow)])
    assert result.exit_code == 1
    assert "KS801" in result.stderr and "git fetch --unshallow" in result.stderr
    assert "Traceback" not in result.output


def test_drafts_only_when_asked(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: demo_text("1.0")})
    (repo / A).write_text(demo_text("2.0", fee="草稿文字。"), encoding="utf-8")
    assert [v.label for v in read_timeline(repo, "demo").versions] == ["1.0"]
    versions = read_timeline(repo, "demo", include_draft=True).versions
    assert [(v.label, v.draft) for v in versions] == [("1.0", False), ("2.0", True)]


def test_merge_commits_first_parent(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: demo_text("1.0")})
    git(repo, "checkout", "-q", "-b", "change")
    make_repo({A: demo_text("2.0", fee="分支上起草。")}, "起草一")
    make_repo({A: demo_text("2.0", fee="分支上定稿。")}, "起草二")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "合并", "change")
    versions = read_timeline(repo, "demo").versions
    assert [v.label for v in versions] == ["1.0", "2.0"]
    assert "分支上定稿" in versions[1].source and len(versions[1].revisions) == 1


def test_versions_cli_json(make_repo: Callable[..., Path]) -> None:
    make_repo({A: demo_text("1.0")})
    repo = make_repo({A: demo_text("2.0", fee="第二版。", extra="announced: 2026-03-02\neffective: 2026-04-02\n")})
    result = CliRunner().invoke(main, ["versions", "demo", "--root", str(repo), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [v["version"] for v in data["versions"]] == ["1.0", "2.0"]
    assert data["versions"][1]["effective"] == "2026-04-02"
    assert "email" not in json.dumps(data)


def test_not_a_git_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["versions", "demo", "--root", str(tmp_path)])
    assert result.exit_code == 1 and "KS800" in result.stderr


def test_a_base_that_cannot_be_read_is_an_error_not_a_new_agreement(make_repo: Callable[..., Path]) -> None:
    from kspub.repository import file_at_ref

    repo = make_repo({A: demo_text("1.0")})
    assert file_at_ref(repo, "HEAD", "agreements/absent.md") is None  # truly absent: None
    assert file_at_ref(repo, "HEAD", A) == demo_text("1.0")
    blob = git(repo, "rev-parse", f"HEAD:{A}").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # the base's object is gone
    with pytest.raises(HistoryError) as info:
        file_at_ref(repo, "HEAD", A)
    assert info.value.code in {"KS808", "KS809"} and "git" in (info.value.hint or "")
