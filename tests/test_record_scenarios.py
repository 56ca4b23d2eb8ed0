"""The release record end to end: no released version is ever lost or silently changed, whatever happens to git.

One test per git scenario of the review that found ``kspub build`` losing or altering published versions when
timelines were inferred from first-parent history. Each starts from a copy of one repository in which ``demo``
1.0 and 2.0 are released, committed and built (``build/site`` is the previous site), does what the scenario
does with git and kspub, builds, and reads the built JSON API: every released version is published with its
exact text and dates, or the build stops with a KS code and the previous site is byte for byte as it was.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .record_helpers import TODAY, Outcome, Repo, dates, epoch_env, fee, legal_sha, text

pytestmark = pytest.mark.e2e

V1 = text("demo", "1.0", fee(10), dates("2026-01-05", "2026-01-20"))
V2 = text("demo", "2.0", fee(30), dates("2026-03-02", "2026-04-15", "收费通知期延长为30日。"))
RECORD = "agreements/releases/demo.yaml"
Row = tuple[str, str | None, str | None, str]
"""What a published version must show: its clause 1.2, announced and effective dates, and its source."""
DEMO: dict[str, Row] = {"1.0": (fee(10), "2026-01-05", "2026-01-20", V1), "2.0": (fee(30), "2026-03-02", "2026-04-15", V2)}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repo]:
    with pytest.MonkeyPatch.context() as mp:
        for k, v in epoch_env().items():
            mp.setenv(k, v)
        repo = Repo.create(tmp_path_factory.mktemp("base") / "repo", sla=True)
        repo.publish("demo", V1, "示例协议 1.0")
        repo.publish("demo", V2, "示例协议 2.0")
        outcome = repo.build()
        assert outcome.error is None, outcome.error
        yield repo


@pytest.fixture
def repo(base: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    for k, v in epoch_env().items():
        monkeypatch.setenv(k, v)
    return base.copy(tmp_path / "repo")


def assert_published(repo: Repo, agreement: str, expected: dict[str, Row]) -> None:
    """Exactly these versions of ``agreement``, each with its clause text, dates and legal-text hash."""
    rows = repo.published(agreement)
    assert list(rows) == list(expected), f"{agreement}: {list(rows)}"
    for label, (clause, announced, effective, source) in expected.items():
        row = rows[label]
        assert (row["announced"], row["effective"]) == (announced, effective), f"{agreement}@{label}"
        assert row["sha256"] == legal_sha(source), f"{agreement}@{label}"
        assert repo.clause(agreement, label) == f"1.2 {clause}", f"{agreement}@{label}"
        assert (repo.site / agreement / label / "index.html").is_file()


def demo_versions(**more: Row) -> dict[str, Row]:
    return DEMO | more


def assert_refused(outcome: Outcome, code: str) -> None:
    assert outcome.error is not None, "the build should have stopped"
    assert outcome.code == code, outcome.error.format()
    assert outcome.before and outcome.site_unchanged, "the previous site must stay exactly as it was"


V3 = text("demo", "3.0", fee(20), dates("2026-03-02", "2026-04-20", "收费通知期改为20日。"))
V3_ROW: Row = (fee(20), "2026-03-02", "2026-04-20", V3)


# --- merge topologies ------------------------------------------------------------------------------------


def test_foxtrot_merge_keeps_every_version(repo: Repo) -> None:
    """A feature branch merges main and main is fast-forwarded to it: main's own releases become second parents."""
    repo.git("checkout", "-q", "-b", "feature")
    other = text("other", "1.0", fee(15), dates("2026-03-02", "2026-03-02"), title="另一协议")
    repo.publish("other", other, "另一协议 1.0")
    repo.git("checkout", "-q", "main")
    repo.publish("demo", V3, "示例协议 3.0")
    assert repo.build().error is None
    repo.git("checkout", "-q", "feature")
    repo.git("merge", "-q", "--no-edit", "main")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "feature")
    # main's first-parent history no longer passes through the commit that released 3.0
    first_parent = repo.git("log", "--first-parent", "--format=%s").splitlines()
    assert "示例协议 3.0" not in first_parent
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions(**{"3.0": V3_ROW}))
    assert_published(repo, "other", {"1.0": (fee(15), "2026-03-02", "2026-03-02", other)})


def test_version_released_on_a_no_ff_side_branch_is_published(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "side")
    repo.publish("demo", V3, "示例协议 3.0")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "side")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions(**{"3.0": V3_ROW}))
    assert repo.timeline("demo")["in_force"] == "3.0"


# --- rewritten history ----------------------------------------------------------------------------------


def test_force_push_that_drops_a_released_version_stops_the_build(repo: Repo) -> None:
    """main reset to before 2.0 was released (a force-push): the record at HEAD lost 2.0; the build refuses."""
    repo.git("reset", "-q", "--hard", "HEAD~1")
    outcome = repo.build()
    assert_refused(outcome, "KS930")
    assert outcome.error is not None and "已发布的版本 demo@2.0 不见了" in outcome.error.message


def test_rewritten_history_keeps_every_version_while_its_blobs_are_reachable(repo: Repo) -> None:
    """Every commit recreated (new messages, so new commit IDs) and the old ones pruned: the texts survive."""
    parent: list[str] = []
    for sha in repo.git("rev-list", "--reverse", "HEAD").split():
        tree = repo.git("rev-parse", f"{sha}^{{tree}}").strip()
        parent = [repo.git("commit-tree", tree, *[a for p in parent for a in ("-p", p)], "-m", f"重写 {sha[:7]}").strip()]
    repo.git("reset", "-q", "--hard", parent[0])
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    assert "示例协议 2.0" not in repo.git("log", "--format=%s")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions())


def test_history_squashed_into_one_commit_names_the_lost_record_entry(repo: Repo) -> None:
    """The whole history squashed into one root commit and the old objects pruned: the 1.0 text is gone from
    the repository. The build stops with KS811 naming the record file and the entry; the previous site stays."""
    repo.git("reset", "-q", "--soft", repo.head("HEAD~2"))
    repo.git("commit", "-q", "--amend", "-m", "重写的历史")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    outcome = repo.build()
    assert_refused(outcome, "KS811")
    assert outcome.error is not None
    assert "demo@1.0" in outcome.error.message and outcome.error.path == RECORD and outcome.error.line


def test_rewritten_history_that_lost_a_recorded_text_names_the_record_entry(repo: Repo) -> None:
    """The 2.0 text was rewritten in history (record untouched) and the old objects pruned: KS811 names the
    record file and the entry; the previous site stays."""
    repo.write("demo", V2.replace(fee(30), fee(3)))
    repo.git("commit", "-q", "-a", "--amend", "--no-edit")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    outcome = repo.build()
    assert_refused(outcome, "KS811")
    assert outcome.error is not None
    assert "demo@2.0" in outcome.error.message and outcome.error.path == RECORD and outcome.error.line


def test_git_replace_graft_does_not_hide_versions(repo: Repo) -> None:
    repo.git("replace", "--graft", "HEAD", repo.head("HEAD~2"))
    assert "示例协议 1.0" not in repo.git("log", "--format=%s")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions())


def test_git_replace_of_a_commit_or_a_blob_neither_hides_nor_alters_versions(repo: Repo) -> None:
    """``git replace`` swaps objects for every git reader: HEAD for its parent (whose record lacks 2.0) and the
    2.0 text for another. kspub reads the objects themselves."""
    blob_v2 = repo.git("rev-parse", "HEAD:agreements/demo.md").strip()
    other = repo.store(V2.replace("示例协议", "被替换的协议"))
    repo.git("replace", blob_v2, other)
    repo.git("replace", "HEAD", repo.head("HEAD~1"))
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions())
    assert repo.timeline("demo")["title"] == "示例协议"


# --- deleted agreements ---------------------------------------------------------------------------------


def test_an_uncommitted_deletion_is_not_published(repo: Repo) -> None:
    (repo.path / "agreements" / "demo.md").unlink()
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions())
    assert outcome.result is not None
    assert [w.code for w in outcome.result.warnings] == ["KS820"]


def test_a_committed_deletion_without_withdrawal_fails_the_gate_and_stays_published(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "remove")
    repo.git("rm", "-q", "agreements/demo.md")
    repo.commit("删除示例协议")
    gate = repo.check()
    assert gate.exit_code == 1 and "KS421" in gate.stdout, gate.stdout
    # merged anyway: the build still publishes every recorded version, and says why
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "remove")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions())
    assert outcome.result is not None and "KS816" in [w.code for w in outcome.result.warnings]
    assert repo.timeline("demo")["withdrawn"] is None


def test_a_withdrawn_agreement_stays_published_as_withdrawn(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "withdraw")
    repo.git("rm", "-q", "agreements/demo.md")
    done = repo.cli("release", "demo", "--withdraw", "--reason", "产品下线", "--today", TODAY.isoformat())
    assert done.exit_code == 0 and "已登记停止适用" in done.stdout, done.output
    repo.commit("示例协议停止适用")
    gate = repo.check()
    assert gate.exit_code == 0 and "KS427" in gate.stdout, gate.stdout
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "withdraw")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions())
    timeline = repo.timeline("demo")
    assert timeline["withdrawn"] == {"date": TODAY.isoformat(), "reason": "产品下线"}
    assert timeline["in_force"] is None and {r["status"] for r in timeline["versions"]} == {"archived"}
    assert "停止适用" in (repo.site / "demo" / "index.html").read_text("utf-8")
    home = (repo.site / "index.html").read_text("utf-8")
    card = home[home.index('data-ks-agreement="demo"') :]
    assert "已停止适用" in card[: card.index("</div>")] and "尚无生效版本" not in home


def test_rename_and_rewrite_in_one_commit_keeps_the_old_lineage(repo: Repo) -> None:
    repo.git("mv", "agreements/demo.md", "agreements/cloud-terms.md")
    new = text("cloud-terms", "3.0", fee(20), dates("2026-03-02", "2026-04-20", "更名并调整。"))
    repo.write("cloud-terms", new)
    repo.release("cloud-terms", renamed_from="demo")
    repo.commit("更名并改写")
    gate = repo.check(base="HEAD~1")
    assert "KS421" not in gate.stdout, gate.stdout
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    expected = demo_versions(**{"3.0": (fee(20), "2026-03-02", "2026-04-20", new)})
    # the old versions keep their text (the clause hash covers the legal text, not the front matter's id)
    rows = repo.published("cloud-terms")
    assert list(rows) == ["1.0", "2.0", "3.0"]
    assert [rows[k]["sha256"] for k in rows] == [legal_sha(e[3]) for e in expected.values()]
    assert [repo.clause("cloud-terms", k) for k in rows] == [f"1.2 {e[0]}" for e in expected.values()]
    assert repo.timeline("cloud-terms")["formerly"] == ["demo"]
    assert repo.api("agreements/demo.json")["renamed_to"] == "cloud-terms"


# --- text and dates changed by hand ---------------------------------------------------------------------


PLAIN = text("plain", "1.0", fee(7), title="无日期协议")


def test_text_changed_under_a_label_without_announced_date_is_caught(repo: Repo) -> None:
    """A version released with no dates at all: its text edited later under the same label."""
    repo.publish("plain", PLAIN, "无日期协议 1.0", as_is=True)
    assert repo.build().error is None
    repo.git("checkout", "-q", "-b", "edit")
    repo.write("plain", PLAIN.replace(fee(7), fee(1)))
    repo.commit("偷改正文")
    gate = repo.check()
    assert gate.exit_code == 1 and "KS410" in gate.stdout and "KS815" in gate.stdout, gate.stdout
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "edit")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "plain", {"1.0": (fee(7), None, None, PLAIN)})
    assert outcome.result is not None and "KS815" in [w.code for w in outcome.result.warnings]


def test_record_edited_by_hand_to_a_new_text_is_refused(repo: Repo) -> None:
    """The record's blob and sha256 rewritten by hand to match an edited text: the gate (KS817) and the
    previous-site guard (KS930) both stop it."""
    repo.publish("plain", PLAIN, "无日期协议 1.0", as_is=True)
    assert repo.build().error is None
    edited = PLAIN.replace(fee(7), fee(1))
    repo.write("plain", edited)
    blob = repo.git("hash-object", "-w", "agreements/plain.md").strip()
    rec = repo.path / "agreements/releases/plain.yaml"
    old = rec.read_text("utf-8")
    old_blob = repo.git("rev-parse", "HEAD:agreements/plain.md").strip()
    rec.write_text(old.replace(old_blob, blob).replace(legal_sha(PLAIN), legal_sha(edited)), "utf-8")
    gate = repo.check()
    assert gate.exit_code == 1 and "KS817" in gate.stdout, gate.stdout
    repo.commit("手改发布记录")
    assert_refused(repo.build(), "KS930")


def test_dates_moved_by_hand_in_the_front_matter_are_caught(repo: Repo) -> None:
    repo.write("demo", V2.replace("effective: 2026-04-15", "effective: 2026-03-05"))
    gate = repo.check()
    assert gate.exit_code == 1 and "KS816" in gate.stdout, gate.stdout
    repo.commit("手改生效日期")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions())  # the recorded dates, not the edited ones
    assert outcome.result is not None
    (warning,) = outcome.result.warnings
    assert warning.code == "KS816" and "2026-03-05" in warning.message and "2026-04-15" in warning.message


def test_dates_moved_by_hand_in_the_record_are_caught(repo: Repo, tmp_path: Path) -> None:
    """The record's effective date of 2.0 moved earlier by hand: the recorded text's front matter contradicts
    it, so the gate and the build (KS812, naming the entry) stop, with or without a previous site."""
    rec = repo.path / RECORD
    rec.write_text(rec.read_text("utf-8").replace("effective: '2026-04-15'", "effective: '2026-03-05'"), "utf-8")
    gate = repo.check()
    assert gate.exit_code == 1 and "KS817" in gate.stdout and "KS812" in gate.stdout, gate.stdout
    repo.commit("手改发布记录的日期")
    outcome = repo.build()
    assert_refused(outcome, "KS812")
    assert outcome.error is not None and outcome.error.path == RECORD and "demo@2.0" in outcome.error.message
    fresh = repo.copy(tmp_path / "fresh")
    shutil.rmtree(fresh.path / "build")
    outcome = fresh.build()
    assert outcome.code == "KS812" and not fresh.site.exists()


# --- how a file is saved --------------------------------------------------------------------------------


def test_crlf_line_ends_and_dot_ended_front_matter_are_normal_versions(repo: Repo) -> None:
    repo.write("demo", V3.replace("\n", "\r\n").encode("utf-8"))
    repo.release("demo")
    other = text("other", "1.0", fee(15), title="另一协议").replace("---\n\n{#general}", "...\n\n{#general}")
    repo.write("other", other)
    result = repo.release("other")  # fills announced and effective into a front matter closed by "..."
    assert result.filled == {"announced": TODAY.isoformat(), "effective": TODAY.isoformat()}
    repo.commit("CRLF 与 ... 结尾的头信息")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions(**{"3.0": V3_ROW}))
    filled = (repo.path / "agreements/other.md").read_text("utf-8")
    assert filled.count("\n...\n") == 1
    assert_published(repo, "other", {"1.0": (fee(15), TODAY.isoformat(), TODAY.isoformat(), filled)})


def test_a_draft_copy_with_the_same_id_does_not_replace_the_lineage(repo: Repo) -> None:
    """A Markdown file in a sub-folder of agreements/ would never be published: lint says so (KS009, an error),
    so the build stops with the published site as it was; removed, the real lineage is published unchanged."""
    draft = text("demo", "9.0", fee(1), dates("2026-03-02", "2026-03-02", "草稿。"))
    (repo.path / "agreements" / "drafts").mkdir()
    (repo.path / "agreements" / "drafts" / "demo.md").write_text(draft, "utf-8")
    repo.commit("草稿副本")
    outcome = repo.build()
    assert outcome.code == "KS010" and "KS009" in outcome.error.message  # type: ignore[union-attr]
    assert outcome.after == outcome.before, "the published site is left exactly as it was"
    assert_published(repo, "demo", demo_versions())
    (repo.path / "agreements" / "drafts" / "demo.md").unlink()
    repo.commit("移走草稿")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions())
    assert not (repo.site / "demo" / "9.0").exists()


def test_a_label_reused_for_the_same_text_gives_one_row(repo: Repo) -> None:
    """2.0 saved again with only whitespace changed, then its text edited and reverted: one 2.0 row."""
    repo.write("demo", V2.replace("1.1 本协议", "1.1  本协议") + "\n")
    assert repo.release("demo").action == "unchanged"
    repo.commit("只改空白")
    repo.write("demo", V2.replace(fee(30), fee(31)))
    repo.commit("误改")
    repo.git("revert", "--no-edit", "HEAD")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions())
    assert sorted(p.name for p in (repo.site / "demo").iterdir() if p.is_dir() and p.name[0].isdigit()) == ["1.0", "2.0"]


def test_a_version_whose_recorded_file_was_resaved_before_the_commit_is_published(repo: Repo) -> None:
    """``kspub release`` stored the file, the editor then only re-wrapped a line before committing: the recorded
    blob is in the repository but no commit holds it, so the version has no commits to show."""
    repo.write("demo", V3)
    repo.release("demo")
    repo.write("demo", V3.replace("1.1 本协议", "1.1  本协议"))
    repo.commit("发布 3.0")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions(**{"3.0": V3_ROW}))
    assert repo.published("demo")["3.0"]["commits"] == []


# --- the committed tree ---------------------------------------------------------------------------------


def test_uncommitted_edits_of_catalogue_config_and_agreements_are_not_published(repo: Repo) -> None:
    catalogue = repo.path / "sla" / "catalogue.yaml"
    sla_before = (repo.site / "sla" / "index.html").read_text("utf-8")
    catalogue.write_text(catalogue.read_text("utf-8").replace("title: ", "title: 未提交的", 1), "utf-8")
    config = repo.path / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("site_name: ", "site_name: 未提交的", 1), "utf-8")
    (repo.path / "agreements" / "demo.md").unlink()
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert outcome.result is not None
    (warning,) = outcome.result.warnings
    assert warning.code == "KS820"
    for name in ("sla/catalogue.yaml", "mkdocs.yml", "agreements/demo.md"):
        assert name in warning.message
    assert_published(repo, "demo", demo_versions())
    assert (repo.site / "sla" / "index.html").read_text("utf-8") == sla_before
    assert "未提交的" not in (repo.site / "index.html").read_text("utf-8")


BOMB = """---
id: bomb
title: 炸弹
kind: agreement
version: "1.0"
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
---

{#general}
## 一、总则
"""

DUPLICATE = text("dup", "1.0", fee(5), title="重复").replace("{#nature}", "{#general}")


def test_a_bad_old_commit_never_recorded_does_not_break_later_builds(repo: Repo) -> None:
    repo.write("bomb", BOMB)
    repo.write("dup", DUPLICATE)
    bad = repo.commit("坏的提交")
    (repo.path / "agreements/bomb.md").unlink()
    (repo.path / "agreements/dup.md").unlink()
    repo.commit("修正")
    assert repo.cli("lint").exit_code == 0
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions())
    # the gate against the bad commit reads it without a traceback
    gate = repo.check(base=bad)
    assert gate.exception is None or isinstance(gate.exception, SystemExit), gate.exception
    assert gate.exit_code in (0, 1)


# --- a pull request of two commits -----------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["merge", "rebase", "squash", "fast-forward"])
def test_a_two_commit_pull_request_merges_cleanly_whatever_the_strategy(repo: Repo, strategy: str) -> None:
    repo.git("checkout", "-q", "-b", "pr")
    draft = text("demo", "3.0", fee(18), dates("2026-03-02", "2026-04-20", "收费通知期改为18日。"))
    assert repo.release("demo").action == "unchanged"
    repo.publish("demo", draft, "发布 3.0")
    repo.write("demo", V3)
    assert repo.release("demo").action == "updated"
    repo.commit("评审修改")
    gate = repo.check()
    assert gate.exit_code == 0, gate.stdout
    for code in ("KS802", "KS803", "KS815", "KS816", "KS817", "KS818"):
        assert code not in gate.stdout, gate.stdout
    repo.git("checkout", "-q", "main")
    if strategy != "fast-forward":  # main moved on meanwhile
        (repo.path / "README.md").write_text("说明\n", "utf-8")
        repo.commit("说明", "README.md")
    if strategy == "merge":
        repo.git("merge", "-q", "--no-ff", "--no-edit", "pr")
    elif strategy == "rebase":
        repo.git("rebase", "-q", "main", "pr")
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--ff-only", "pr")
    elif strategy == "squash":
        repo.git("merge", "-q", "--squash", "pr")
        repo.commit("发布 3.0（压缩合并）")
    else:
        repo.git("merge", "-q", "--ff-only", "pr")
    assert repo.cli("check", "--base", "HEAD", "--today", "2026-03-02").exit_code == 0
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions(**{"3.0": V3_ROW}))
    # publishing keeps working afterwards
    v4 = text("demo", "4.0", fee(25), dates("2026-03-03", "2026-05-01", "收费通知期改为25日。"))
    repo.git("checkout", "-q", "-b", "next")
    repo.publish("demo", v4, "发布 4.0", today=TODAY.replace(day=3))
    assert repo.check(today="2026-03-03").exit_code == 0
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "next")
    outcome = repo.build()
    assert outcome.error is None, outcome.error
    assert_published(repo, "demo", demo_versions(**{"3.0": V3_ROW, "4.0": (fee(25), "2026-03-03", "2026-05-01", v4)}))
