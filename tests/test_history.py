"""End-to-end: timelines from temporary git repositories."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kspub.cli import main
from kspub.errors import HistoryError
from kspub.history import legal_text, read_timeline, read_timelines

from .conftest import demo_text, git

A = "agreements/demo.md"


def test_versions_with_rename_and_correction(make_repo: Callable[..., Path]) -> None:
    make_repo({A: demo_text("1.0")}, "首次发布")
    repo = make_repo({A: demo_text("2.0", fee="免费服务转为收费前，金山云将提前5个自然日通知您。", extra="announced: 2026-03-01\n")}, "第二版")
    # an editorial correction to the announced version 2.0, recorded with date and reason
    corrected = demo_text(
        "2.0",
        fee="免费服务转为收费前，金山云将提前5个自然日通知您！",
        extra="announced: 2026-03-01\ncorrections:\n  - date: 2026-03-02\n    reason: 更正标点\n",
    )
    make_repo({A: corrected}, "勘误")
    git(repo, "mv", A, "agreements/demo-renamed.md")
    (repo / "agreements/demo-renamed.md").write_text(corrected.replace("id: demo", "id: demo-renamed"), encoding="utf-8")
    make_repo({}, "重命名")
    timeline = read_timeline(repo, "demo-renamed")
    assert [v.label for v in timeline.versions] == ["1.0", "2.0"]
    v2 = timeline.versions[1]
    assert [r.correction for r in v2.revisions] == [None, "更正标点", None]
    assert v2.revisions[-1].path == "agreements/demo-renamed.md"
    assert v2.authors == ("法务编辑",)
    assert v2.text_sha256 == timeline.versions[1].text_sha256
    assert timeline.versions[0].agreement == "demo-renamed"
    # the text of an old version is retrievable byte for byte
    assert timeline.versions[0].source == demo_text("1.0")


def test_text_changed_under_announced_label_is_an_error(make_repo: Callable[..., Path]) -> None:
    make_repo({A: demo_text("1.0", extra="announced: 2026-03-01\n")})
    repo = make_repo({A: demo_text("1.0", fee="改了文字。", extra="announced: 2026-03-01\n")}, "偷偷修改")
    with pytest.raises(HistoryError) as info:
        read_timelines(repo)
    assert info.value.code == "KS802"
    assert "版本 1.0 已公告" in info.value.message and "没有更换版本号" in info.value.message


def test_unannounced_label_may_be_drafted_over_several_commits(make_repo: Callable[..., Path]) -> None:
    make_repo({A: demo_text("1.0")})
    repo = make_repo({A: demo_text("1.0", fee="改了文字。")}, "继续起草")
    (v,) = read_timeline(repo, "demo").versions
    assert len(v.revisions) == 2 and "改了文字" in v.source


def test_label_reused_for_different_text(make_repo: Callable[..., Path]) -> None:
    make_repo({A: demo_text("1.0")})
    make_repo({A: demo_text("2.0", fee="第二版。")})
    repo = make_repo({A: demo_text("1.0", fee="另一份文字。")})
    with pytest.raises(HistoryError) as info:
        read_timelines(repo)
    assert info.value.code == "KS803"


def test_metadata_only_change_is_not_a_text_change(make_repo: Callable[..., Path]) -> None:
    make_repo({A: demo_text("1.0", extra="announced: 2026-03-01\n")})
    text = demo_text("1.0", extra="announced: 2026-03-01\nsummary: 补充说明\n").replace('{#nature}', '{#nature tags="account"}')
    repo = make_repo({A: text})
    (v,) = read_timeline(repo, "demo").versions
    assert len(v.revisions) == 2
    assert legal_text(text) == legal_text(demo_text("1.0"))


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
    from kspub.history import file_at_ref

    repo = make_repo({A: demo_text("1.0")})
    assert file_at_ref(repo, "HEAD", "agreements/absent.md") is None  # truly absent: None
    assert file_at_ref(repo, "HEAD", A) == demo_text("1.0")
    blob = git(repo, "rev-parse", f"HEAD:{A}").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # the base's object is gone
    with pytest.raises(HistoryError) as info:
        file_at_ref(repo, "HEAD", A)
    assert info.value.code in {"KS808", "KS809"} and "git" in (info.value.hint or "")
