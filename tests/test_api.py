"""The static JSON API: schemas, manifest, determinism, pointers, clause histories and what must never leak.

End to end: a temporary git repository with three committed versions of one agreement (past, in force,
upcoming on the as-of date), a second agreement without dates, the real SLA catalogue and an uncommitted draft;
then the real repository itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kspub.errors import KspubError
from kspub.history import read_timelines
from kspub.model import Agreement
from kspub.parse import parse_agreement
from kspub.publish import api, api_contract, api_versions
from kspub.publish.snapshot import Snapshot, collect
from kspub.repository import read_at_ref

from .conftest import ROOT, demo_text, git, release_all

pytestmark = pytest.mark.e2e

AS_OF = date(2026, 5, 1)
EPOCH = {"SOURCE_DATE_EPOCH": "1777593600"}  # 2026-05-01T08:00:00+08:00

INTERNAL_MARKER = "INTERNAL-MARKER-7f3a"
YAML_COMMENT_MARKER = "YAML-COMMENT-MARKER-51c2"
DRAFT_MARKER = "DRAFT-MARKER-9e0d"
SUBJECT_MARKER = "COMMIT-SUBJECT-MARKER-44b1"
AUTHOR_EMAIL = "legal@example.com"
AUTHOR_NAME = "法务编辑"

REAL_AGREEMENTS = {
    "account-cancellation-agreement",
    "cloud-service-agreement",
    "ern-sdk-privacy-policy",
    "info-source-security-letter",
    "marketplace-sales-agreement",
    "privacy-policy",
    "promotion-agreement",
    "real-name-verification-statement",
}


# ── the temporary repository ────────────────────────────────────────────────────────────────────────────────

V1 = demo_text(
    "1.0",
    extra=(
        "announced: 2026-01-05\neffective: 2026-02-01\n"
        f"internal:\n  owner: {INTERNAL_MARKER}\n"
        f"# {YAML_COMMENT_MARKER}\n"
    ),
)
V11 = (
    demo_text(
        "1.1",
        fee="免费服务转为收费前，金山云将提前30个自然日通知您。",
        extra=(
            "announced: 2026-03-01\neffective: 2026-04-01\nsummary: 收费通知期由10日延长为30日。\n"
            f"internal:\n  reviewer: {INTERNAL_MARKER}\n"
        ),
    )
    + "\n{#refund}\n1.3 预付费用可按规则退还。\n"
)
V2 = (
    demo_text(
        "2.0",
        extra="announced: 2026-04-20\neffective: 2026-06-15\nsummary: 收费通知条款改写。\nretired: [fee-notice]\n",
    )
    .replace('{#fee-notice tags="fees"}', '{#fee-change-notice tags="fees" replaces="fee-notice"}')
    .replace("提前10个自然日", "提前30个自然日以站内信")
    + "\n{#refund}\n1.3 预付费用可按规则退还。\n"
)
DRAFT = V2.replace('version: "2.0"', 'version: "2.1"').replace("以站内信", f"以站内信{DRAFT_MARKER}")
OTHER = """---
id: other
title: 其他说明
kind: statement
version: "1.0"
notice: {default: {channels: [site], clause: scope}}
---

{#scope}
本说明适用于全部服务。
"""


@dataclass(frozen=True)
class Built:
    root: Path
    snapshot: Snapshot
    out: Path
    written: list[Path]

    @property
    def api_root(self) -> Path:
        return self.out / api_contract.API_DIR

    def files(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.api_root).as_posix(): p.read_bytes()
            for p in sorted(self.api_root.rglob("*"))
            if p.is_file()
        }

    def load(self, rel: str) -> Any:
        return json.loads((self.api_root / rel).read_text("utf-8"))


def _commit(repo: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    release_all(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def make_demo_repo(repo: Path) -> Path:
    (repo / "agreements").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    sla = (ROOT / "sla" / "catalogue.yaml").read_text("utf-8")
    _commit(repo, {"agreements/demo.md": V1, "agreements/other.md": OTHER, "sla/catalogue.yaml": sla}, "首版")
    _commit(repo, {"agreements/demo.md": V11}, f"1.1 {SUBJECT_MARKER}")
    _commit(repo, {"agreements/demo.md": V2}, "2.0")
    (repo / "agreements" / "demo.md").write_text(DRAFT, encoding="utf-8")  # uncommitted: a draft
    return repo


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("api")
    root = make_demo_repo(base / "repo")
    snapshot = collect(root, AS_OF, environ=EPOCH)
    out = base / "out"
    return Built(root, snapshot, out, api.write_api(snapshot, out))


# ── helpers ─────────────────────────────────────────────────────────────────────────────────────────────────


def document_type(rel: str) -> str | None:
    """The schema an emitted JSON file must satisfy (None for the published schemas themselves)."""
    parts = rel.split("/")
    if parts[0] == "schemas" or rel == "openapi.json":
        return None
    if len(parts) == 1:
        return {
            "index.json": "index",
            "sla.json": "sla",
            "changes.json": "changes",
            "manifest.json": "manifest",
        }[rel]
    if parts[0] == "manifest":
        assert rel == api_contract.MANIFEST_INDEX or (len(parts) == 3 and parts[1] == "agreements"), rel
        return "manifest_index" if rel == api_contract.MANIFEST_INDEX else "manifest_part"
    if len(parts) == 2:
        return "changes" if parts[0] == "changes" else "timeline"
    if len(parts) == 3:
        return "current" if parts[2] == "current.json" else "version"
    assert parts[2] in ("clauses", "since") and len(parts) == 4, rel
    return "clause" if parts[2] == "clauses" else "since"


def _closed(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _closed(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


def strict_schema(document_type: str) -> dict[str, Any]:
    """The published schema with every object closed: the published ones accept the fields a later 1.x adds,
    the tests forbid every field the schema does not describe, so a build never emits an undocumented one."""
    closed: dict[str, Any] = _closed(api.schema(document_type))
    return closed


POINTERS = {"index", "current", "manifest", "manifest_index"}
"""The documents whose meaning depends on the build date: the only ones a rebuild without a commit changes."""


def validate_all(files: dict[str, bytes]) -> int:
    checked = 0
    for rel, data in files.items():
        if not rel.endswith(".json"):
            continue
        document = json.loads(data)
        kind = document_type(rel)
        if kind is None:
            if rel != "openapi.json":  # checked with an OpenAPI validator (test_api_openapi.py)
                jsonschema.Draft202012Validator.check_schema(document)
            continue
        validator = jsonschema.Draft202012Validator(
            strict_schema(kind), format_checker=jsonschema.FormatChecker()
        )
        errors = [
            f"{rel}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(document)
        ]
        assert not errors, "\n".join(errors[:10])
        checked += 1
    return checked


def committed_text(repo: Path, sha: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{sha}:{path}"], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def parsed(text: str, path: str) -> Agreement:
    result = parse_agreement(text, path)
    assert result.agreement is not None and result.ok, [d.format() for d in result.diagnostics]
    return result.agreement


# ── tests ───────────────────────────────────────────────────────────────────────────────────────────────────


def test_layout(built: Built) -> None:
    files = built.files()
    assert sorted(files) == sorted(p.relative_to(built.api_root).as_posix() for p in built.written)
    expected = {
        "index.json",
        "changes.json",
        "sla.json",
        "feed.xml",
        "manifest.json",
        "manifest/index.json",
        "manifest/agreements/demo.json",
        "manifest/agreements/other.json",
        "agreements/demo.json",
        "agreements/demo/current.json",
        "agreements/demo/feed.xml",
        "agreements/demo/1.0.json",
        "agreements/demo/1.1.json",
        "agreements/demo/2.0.json",
        "agreements/other.json",
        "agreements/other/current.json",
        "agreements/other/feed.xml",
        "agreements/other/1.0.json",
        "agreements/other/clauses/scope.json",
    } | {f"schemas/{t}.schema.json" for t in api_contract.DOCUMENT_TYPES}
    assert expected <= set(files)
    clauses = {rel.rsplit("/", 1)[1] for rel in files if rel.startswith("agreements/demo/clauses/")}
    assert clauses == {
        "general.json",
        "nature.json",
        "fee-notice.json",
        "refund.json",
        "fee-change-notice.json",
    }
    assert not [rel for rel in files if "2.1" in rel]  # the draft has no file


def test_every_document_validates_against_its_schema(built: Built) -> None:
    files = built.files()
    assert validate_all(files) == sum(
        1 for rel in files if rel.endswith(".json") and document_type(rel) is not None
    )


def test_published_schemas_are_the_packaged_ones(built: Built) -> None:
    for kind in api_contract.DOCUMENT_TYPES:
        published = (built.api_root / api_contract.schema_path(kind)).read_bytes()
        assert published == (ROOT / "kspub" / "schemas" / "api" / f"{kind}.schema.json").read_bytes()
        assert json.loads(published)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_document_carries_schema_version_and_sorted_keys(built: Built) -> None:
    for rel, data in built.files().items():
        if not rel.endswith(".json") or document_type(rel) is None:
            continue
        document = json.loads(data)
        assert document["schema_version"] == api_contract.SCHEMA_VERSION, rel
        if document_type(rel) in POINTERS:  # only the documents about the build date carry it
            assert document["generated_at"] == built.snapshot.built_at == "2026-05-01T08:00:00+08:00", rel
            assert rel in ("manifest.json", "manifest/index.json") or document["as_of"] == "2026-05-01", rel
        else:
            assert "generated_at" not in document and "as_of" not in document, rel
        assert data == api_contract.dump_json(document), rel  # sorted keys, two-space indent, final newline


def test_manifest_is_true_and_covers_every_file(built: Built) -> None:
    files = built.files()
    manifest = json.loads(files.pop("manifest.json"))
    listed = {f["path"]: f for f in manifest["files"]}
    assert [f["path"] for f in manifest["files"]] == sorted(files)
    assert set(listed) == set(files)
    for rel, data in files.items():
        assert listed[rel]["sha256"] == hashlib.sha256(data).hexdigest(), rel
        assert listed[rel]["size"] == len(data), rel


def test_the_split_manifest_covers_every_file_once_and_is_true(built: Built) -> None:
    files = built.files()
    index = json.loads(files["manifest/index.json"])
    listed = [f["path"] for f in index["files"]]
    assert listed == sorted(listed)
    parts = {p["agreement"]: p for p in index["parts"]}
    assert list(parts) == ["demo", "other"] == sorted(a.id for a in built.snapshot.agreements)
    for agreement, row in parts.items():
        assert row["path"] == f"manifest/agreements/{agreement}.json"
        data = files[row["path"]]
        assert (row["sha256"], row["size"]) == (hashlib.sha256(data).hexdigest(), len(data))
        part = json.loads(data)
        assert part["agreement"] == agreement and "generated_at" not in part
        mine = [f["path"] for f in part["files"]]
        # every file of the agreement but its current.json, which changes every build
        assert mine == sorted(rel for rel in files if rel == f"agreements/{agreement}.json"
                              or (rel.startswith(f"agreements/{agreement}/") and not rel.endswith("/current.json")))  # fmt: skip
        listed += mine
    # every file exactly once (a part or the top list), but the two manifests that list the others
    assert sorted(listed) == sorted(set(files) - {"manifest.json", "manifest/index.json", *(p["path"] for p in index["parts"])})
    assert len(listed) == len(set(listed))
    assert {"index.json", "agreements/demo/current.json", "changes.json", "feed.xml", "openapi.json"} <= set(
        f["path"] for f in index["files"]
    )
    entries = [f for f in index["files"]] + [f for p in parts.values() for f in json.loads(files[p["path"]])["files"]]
    for f in entries:
        assert (f["sha256"], f["size"]) == (hashlib.sha256(files[f["path"]]).hexdigest(), len(files[f["path"]])), f["path"]
    # the complete 1.0 list still lists every other file, the split manifest's too
    assert "manifest/index.json" in {f["path"] for f in built.load("manifest.json")["files"]}


def test_two_builds_are_byte_identical(built: Built, tmp_path: Path) -> None:
    again = collect(built.root, AS_OF, environ=EPOCH)
    api.write_api(again, tmp_path / "a")
    api.write_api(built.snapshot, tmp_path / "b")
    first = built.files()
    for other in ("a", "b"):
        root = tmp_path / other / api_contract.API_DIR
        assert {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        } == first


def test_version_documents_do_not_change_with_the_build_date(built: Built) -> None:
    later = collect(built.root, date(2026, 7, 1), environ={"SOURCE_DATE_EPOCH": "1782864000"})
    now, then = api.build_api(built.snapshot), api.build_api(later)
    for label in ("1.0", "1.1", "2.0"):
        rel = api_contract.version_path("demo", label)
        assert now[rel] == then[rel]
    assert now["index.json"] != then["index.json"]
    assert json.loads(then[api_contract.current_path("demo")])["in_force"]["version"] == "2.0"


def test_a_daily_rebuild_without_a_commit_changes_only_the_pointers_and_the_manifest(built: Built) -> None:
    # the daily build: no SOURCE_DATE_EPOCH, so the build timestamp is each day's midnight
    today, tomorrow = (api.build_api(collect(built.root, day, environ={})) for day in (AS_OF, AS_OF + timedelta(1)))
    assert today.keys() == tomorrow.keys()
    differ = {rel for rel in today if today[rel] != tomorrow[rel]}
    assert differ == {"index.json", "manifest.json", "manifest/index.json", "agreements/demo/current.json",
                      "agreements/other/current.json"}  # fmt: skip
    # and the manifest of the second build tells a mirror exactly that
    before = {f["path"]: f["sha256"] for f in json.loads(today["manifest.json"])["files"]}
    after = {f["path"]: f["sha256"] for f in json.loads(tomorrow["manifest.json"])["files"]}
    assert {p for p in after if after[p] != before.get(p)} == differ - {"manifest.json"}
    # so does the split one, without a part: every part is byte for byte yesterday's
    top = {f["path"]: f["sha256"] for f in json.loads(tomorrow["manifest/index.json"])["files"]}
    assert {p for p in top if top[p] != hashlib.sha256(today[p]).hexdigest()} == differ - {"manifest.json",
                                                                                           "manifest/index.json"}  # fmt: skip
    assert json.loads(today["manifest/index.json"])["parts"] == json.loads(tomorrow["manifest/index.json"])["parts"]


def test_the_day_a_version_takes_effect_changes_its_statuses_too(built: Built) -> None:
    eve, day = (api.build_api(collect(built.root, d, environ={})) for d in (date(2026, 6, 14), date(2026, 6, 15)))
    differ = {rel for rel in eve if eve[rel] != day[rel]}
    pointers = {"index.json", "manifest.json", "manifest/index.json", "agreements/demo/current.json",
                "agreements/other/current.json"}  # fmt: skip
    # the statuses in the timeline and the change log follow the date; texts, clauses and feeds do not
    # and what someone who accepted 1.0 or 1.1 must be shown now: the version in force moved
    since = {"agreements/demo/since/1.0.json", "agreements/demo/since/1.1.json"}
    # demo's manifest part lists those files: it moves with them; other's does not
    assert differ == pointers | since | {"agreements/demo.json", "changes.json", "manifest/agreements/demo.json"}


def test_version_text_equals_the_committed_source(built: Built) -> None:
    for agreement in built.snapshot.agreements:
        for version in agreement.versions:
            sha = version.record.revisions[-1].commit.sha
            source = parsed(committed_text(built.root, sha, version.record.path), version.record.path)
            document = built.load(api_contract.version_path(agreement.id, version.label))
            assert [n["id"] for n in document["nodes"]] == [n.id for n in source.nodes]
            for node, expected in zip(document["nodes"], source.nodes, strict=True):
                assert (node["number"], node["title"], node["text"], node["printed"]) == (
                    expected.number,
                    expected.title,
                    expected.text,
                    expected.printed,
                )
                assert node["sha256"] == hashlib.sha256(expected.printed.encode("utf-8")).hexdigest()
                assert node["parent"] == expected.parent and node["tags"] == list(expected.tags)
            assert document["version"] == version.label == source.meta.version
            assert document["sha256"] == version.record.text_sha256


def test_clause_documents_agree_with_version_documents(built: Built) -> None:
    for rel, data in built.files().items():
        if "/clauses/" not in rel:
            continue
        clause = json.loads(data)
        for row in clause["versions"]:
            version = built.load(api_contract.version_path(clause["agreement"], row["version"]))
            node = next(n for n in version["nodes"] if n["id"] == clause["clause"])
            assert (row["text"], row["number"], row["sha256"]) == (
                node["text"],
                node["number"],
                node["sha256"],
            )


def test_in_force_and_upcoming_pointers(built: Built) -> None:
    index = built.load("index.json")
    demo = next(a for a in index["agreements"] if a["id"] == "demo")
    assert index["as_of"] == "2026-05-01" and index["timezone"] == "Asia/Shanghai"
    assert demo["in_force"] == {
        "version": "1.1",
        "effective": "2026-04-01",
        "sha256": built.snapshot.agreements[0].versions[1].record.text_sha256,
    }
    assert demo["upcoming"] == [{"version": "2.0", "announced": "2026-04-20", "effective": "2026-06-15"}]
    assert demo["next_change"] == "2026-06-15"
    assert demo["latest"] == "2.0" and demo["versions"] == 3
    assert demo["urls"]["document"] == "/api/v1/agreements/demo/1.1.json"
    current = built.load(api_contract.current_path("demo"))
    assert current["in_force"]["version"] == "1.1"
    assert current["in_force"]["url"] == "/api/v1/agreements/demo/1.1.json"
    assert [u["version"] for u in current["upcoming"]] == ["2.0"]
    assert current["next_change"] == "2026-06-15"
    timeline = built.load(api_contract.timeline_path("demo"))
    assert [(v["version"], v["status"]) for v in timeline["versions"]] == [
        ("1.0", "archived"),
        ("1.1", "in-force"),
        ("2.0", "upcoming"),
    ]
    assert timeline["in_force"] == "1.1" and timeline["upcoming"] == ["2.0"]
    other = built.load(api_contract.current_path("other"))  # no dates at all: in force from the start, nothing next
    assert other["in_force"]["version"] == "1.0" and other["in_force"]["effective"] is None
    assert other["upcoming"] == [] and other["next_change"] is None


def test_timeline_answers_in_force_on_any_date(built: Built) -> None:
    """A client applying the documented rule to the timeline agrees with the history module on every day."""
    timelines = read_timelines(built.root)
    for agreement_id in ("demo", "other"):
        rows = built.load(api_contract.timeline_path(agreement_id))["versions"]
        day = date(2025, 12, 1)
        while day <= date(2026, 8, 1):
            expected = timelines[agreement_id].in_force(day)
            assert api.version_in_force(rows, day) == (expected.label if expected else None), day
            day += timedelta(days=1)
    rows = built.load(api_contract.timeline_path("demo"))["versions"]
    assert api.version_in_force(rows, date(2026, 1, 31)) is None
    assert api.version_in_force(rows, date(2026, 2, 1)) == "1.0"
    assert api.version_in_force(rows, date(2026, 6, 14)) == "1.1"
    assert api.version_in_force(rows, date(2026, 6, 15)) == "2.0"


def test_index_answers_in_force_on_any_date_for_every_agreement(built: Built) -> None:
    """One fetch: the index holds every timeline, and the rule applied to it agrees with the timeline documents."""
    index = built.load("index.json")
    timelines = read_timelines(built.root)
    for row in index["agreements"]:
        full = built.load(api_contract.timeline_path(row["id"]))
        assert [{k: v[k] for k in ("version", "status", "announced", "effective", "sha256", "withdrawn")}
                for v in full["versions"]] == row["timeline"]  # fmt: skip
        assert row["withdrawn"] == full["withdrawn"]
        day = date(2025, 12, 1)
        while day <= date(2026, 8, 1):
            expected = timelines[row["id"]].in_force(day)
            assert api.version_in_force(row["timeline"], day, row["withdrawn"]) == (expected.label if expected else None)
            day += timedelta(days=1)


def _with_effective(snapshot: Snapshot, dates: dict[str, date | None]) -> Snapshot:
    demo = snapshot.agreement("demo")
    assert demo is not None
    versions = tuple(
        replace(v, record=replace(v.record, effective=dates[v.label])) if v.label in dates else v for v in demo.versions
    )
    return replace(snapshot, agreements=tuple(replace(a, versions=versions) if a is demo else a
                                              for a in snapshot.agreements))  # fmt: skip


@pytest.mark.parametrize(
    ("dates", "says"),
    [
        ({"1.1": None}, "没有生效日期"),  # a later version without an effective date
        ({"2.0": date(2026, 3, 1)}, "早于之前的版本 1.1"),  # effective dates out of order
    ],
)
def test_ambiguous_histories_are_named(built: Built, dates: dict[str, date | None], says: str) -> None:
    demo = _with_effective(built.snapshot, dates).agreement("demo")
    assert demo is not None
    problem = api.ambiguity(demo)
    assert problem is not None and says in problem
    assert api.ambiguity(built.snapshot.agreements[0]) is None


def test_the_build_warns_of_an_ambiguous_history(tmp_path: Path) -> None:
    # released without the gate (which refuses it: KS429): the daily build still publishes, and says so
    repo = tmp_path / "repo"
    (repo / "agreements").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    _commit(repo, {"agreements/demo.md": demo_text("1.0", extra="announced: 2026-01-05\neffective: 2026-06-01\n")}, "1.0")
    later = demo_text("2.0", fee="免费服务转为收费前，金山云将提前30个自然日通知您。",
                      extra="announced: 2026-03-01\neffective: 2026-04-01\nsummary: 延长。\n")  # fmt: skip
    _commit(repo, {"agreements/demo.md": later}, "2.0")
    snapshot = collect(repo, AS_OF, environ=EPOCH)
    assert "agreements/demo/2.0.json" in api.build_api(snapshot)
    assert [w.code for w in snapshot.warnings if w.code == "KS912"] == ["KS912"]


def test_timeline_rows(built: Built) -> None:
    timeline = built.load(api_contract.timeline_path("demo"))
    first, second, third = timeline["versions"]
    assert first["previous"] is None and second["previous"] == "1.0" and third["previous"] == "1.1"
    assert first["material"] is False and second["material"] is True
    assert second["summary"] == "收费通知期由10日延长为30日。"
    assert set(second["commits"][0]) == {"sha", "committed", "correction"}
    assert second["commits"][0]["committed"] == "2026-03-01T10:00:00+08:00"
    assert first["printed_dates"] == {"updated": None, "effective": None}


def test_version_document_changes(built: Built) -> None:
    first = built.load(api_contract.version_path("demo", "1.0"))
    assert first["changes"] is None and first["previous"] is None
    second = built.load(api_contract.version_path("demo", "1.1"))
    assert second["changes"]["from"] == "1.0" and second["changes"]["to"] == "1.1"
    changed = {c["clause"] for c in second["changes"]["changes"]}
    assert {"fee-notice", "refund"} <= changed and "nature" not in changed
    for change in second["changes"]["changes"]:
        assert list(change) == sorted(api_versions.CHANGE_FIELDS)  # no source lines or analysis internals
    # no front-matter changes, no change-note diagnostics
    assert set(second["changes"]) == {"agreement", "from", "to", "material", "changes"}
    third = built.load(api_contract.version_path("demo", "2.0"))
    assert third["retired"] == ["fee-notice"]
    (rename,) = third["changes"]["changes"]
    assert (rename["old_ids"], rename["new_ids"]) == (["fee-notice"], ["fee-change-notice"])


def test_clause_history(built: Built) -> None:
    fee = built.load(api_contract.clause_path("demo", "fee-notice"))
    assert [(v["version"], v["change"], v["changed"]) for v in fee["versions"]] == [
        ("1.0", "initial", False),
        ("1.1", "modified", True),
    ]
    assert fee["versions"][1]["text"] == "免费服务转为收费前，金山云将提前30个自然日通知您。"
    assert fee["versions"][1]["diff"] is not None and fee["versions"][1]["diff"]["kind"]
    assert (fee["first_version"], fee["last_version"], fee["in_latest"]) == ("1.0", "1.1", False)
    assert fee["removed_in"] == "2.0" and fee["retired_in"] == ["2.0"]
    assert fee["replaced_by"] == [{"clause": "fee-change-notice", "version": "2.0"}]
    successor = built.load(api_contract.clause_path("demo", "fee-change-notice"))
    # the renamed clause starts as moved, not added, and says where it came from (as its diff does)
    assert [(v["version"], v["change"], v["changed"]) for v in successor["versions"]] == [("2.0", "moved", True)]
    assert successor["came_from"] == [{"clause": "fee-notice", "version": "2.0"}]
    assert successor["versions"][0]["replaces"] == ["fee-notice"]
    assert "id-renamed" in successor["versions"][0]["diff"]["flags"]
    assert fee["came_from"] == []
    nature = built.load(api_contract.clause_path("demo", "nature"))
    assert [v["change"] for v in nature["versions"]] == ["initial", "unchanged", "unchanged"]
    assert nature["in_latest"] and nature["removed_in"] is None and nature["replaced_by"] == []
    refund = built.load(api_contract.clause_path("demo", "refund"))
    assert [(v["version"], v["change"]) for v in refund["versions"]] == [
        ("1.1", "added"),
        ("2.0", "unchanged"),
    ]


def legal_sha256(version_document: dict[str, Any]) -> str:
    """The version's sha256 from its JSON alone, as docs/api.md defines it."""
    markup = "".join(node["markup"] for node in version_document["nodes"])
    return hashlib.sha256("".join(c for c in markup if not c.isspace()).encode("utf-8")).hexdigest()


def test_a_versions_sha256_is_reproducible_from_its_document(built: Built, real: Built) -> None:
    checked = 0
    for source in (built, real):
        for rel, data in source.files().items():
            if rel.endswith(".json") and document_type(rel) == "version":
                document = json.loads(data)
                assert legal_sha256(document) == document["sha256"], rel
                checked += 1
    assert checked >= 12


def test_change_log(built: Built) -> None:
    changes = built.load("changes.json")["changes"]
    # each version once, by its newest entry, newest entry first (the log is in the order things happened)
    assert [(c["agreement"], c["from"], c["to"], c["date"]) for c in changes] == [
        ("demo", "1.1", "2.0", "2026-06-15"),  # published on its announced day
        ("demo", "1.0", "1.1", "2026-04-01"),  # took effect
        ("demo", None, "1.0", "2026-02-01"),  # archived the same day, 1.1 having taken over
        ("other", None, "1.0", "2026-03-01"),  # no dates: listed under the day it was recorded
    ]
    assert [c["logged"] for c in changes] == ["2026-04-20", "2026-04-01", "2026-04-01", "2026-03-01"]
    assert [c["status"] for c in changes] == ["upcoming", "in-force", "archived", "in-force"]
    assert [c["date_kind"] for c in changes] == ["effective", "effective", "effective", "recorded"]
    # stable IDs (the feed entry's) and the time the row last changed in substance (the feed entry's updated):
    # a change of status is a new entry, but not news — updated stays
    assert [c["id"] for c in changes] == [
        "tag:ksyun.com,2022:agreements/demo/versions/2.0",
        "tag:ksyun.com,2022:agreements/demo/versions/1.1",
        "tag:ksyun.com,2022:agreements/demo/versions/1.0",
        "tag:ksyun.com,2022:agreements/other/versions/1.0",
    ]
    assert [c["updated"][:10] for c in changes] == ["2026-04-20", "2026-03-01", "2026-01-05", changes[3]["date"]]
    upgrade = changes[1]
    assert upgrade["material"] is True and upgrade["status"] == "in-force"
    assert upgrade["counts"]["total"] == sum(upgrade["counts"]["by_class"].values()) >= 2
    assert upgrade["urls"] == {
        "from": "/api/v1/agreements/demo/1.0.json",
        "to": "/api/v1/agreements/demo/1.1.json",
        "timeline": "/api/v1/agreements/demo.json",
    }
    assert (
        changes[2]["counts"] == {"total": 0, "by_class": {}, "by_kind": {}}
        and changes[2]["urls"]["from"] is None
    )


def test_sla_document_keeps_open_figures_null(built: Built) -> None:
    import yaml

    sla = built.load("sla.json")
    source = yaml.safe_load((ROOT / "sla" / "catalogue.yaml").read_text("utf-8"))
    entries = [e for c in sla["categories"] for e in c["entries"]]
    source_entries = [e for c in source["categories"] for e in c["entries"]]
    assert sla["counts"] == {"categories": len(source["categories"]), "entries": len(source_entries)}
    assert [e["id"] for e in entries] == [e["id"] for e in source_entries]
    for published, raw in zip(entries, source_entries, strict=True):
        for key in ("availability", "measurement_period", "claim_window", "document_url", "version"):
            assert published[key] == raw.get(key), (published["id"], key)


def test_base_url_makes_absolute_links(built: Built) -> None:
    files = api.build_api(built.snapshot, base_url="https://legal.example.com/")
    index = json.loads(files["index.json"])
    demo = next(a for a in index["agreements"] if a["id"] == "demo")
    assert demo["urls"]["page"] == "https://legal.example.com/demo/"
    assert demo["urls"]["current"] == "https://legal.example.com/api/v1/agreements/demo/current.json"
    assert (
        files[api_contract.version_path("demo", "1.1")]
        == (built.api_root / api_contract.version_path("demo", "1.1")).read_bytes()
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_base_url_makes_every_url_in_the_api_and_the_feeds_absolute(built: Built) -> None:
    import xml.etree.ElementTree as ET

    base = "https://example.github.io/agreements"
    files = api.build_api(built.snapshot, base_url=base + "/")
    links = 0
    for rel, data in files.items():
        if rel.startswith("schemas/") or rel == "openapi.json":  # its server URL: test_api_openapi.py
            continue
        if rel.endswith(".xml"):
            hrefs = [e.attrib["href"] for e in ET.fromstring(data).iter() if "href" in e.attrib]
        else:
            hrefs = [s for s in _strings(json.loads(data)) if s.startswith(("/", "http"))]
        assert all(h.startswith(base + "/") for h in hrefs), (rel, [h for h in hrefs if not h.startswith(base)])
        links += len(hrefs)
    assert links > 50
    # without a base URL they are root-relative, and nothing else changes
    plain = api.build_api(built.snapshot)
    assert plain.keys() == files.keys()
    # (the manifests list the other files' hashes, which the addresses change)
    assert all(plain[rel] == data.replace(base.encode(), b"") for rel, data in files.items() if not rel.startswith("manifest"))


@pytest.mark.parametrize("bad", ["legal.example.com", "ftp://example.com", "https://example.com/?x=1",
                                 "https://user@example.com", "https://example.com/#top", "/relative", "https://"])  # fmt: skip
def test_a_base_url_that_is_not_an_http_address_is_refused(built: Built, bad: str) -> None:
    with pytest.raises(KspubError) as info:
        api.build_api(built.snapshot, base_url=bad)
    assert info.value.code == "KS913"


def test_nothing_private_or_draft_is_published(built: Built) -> None:
    assert INTERNAL_MARKER in built.snapshot.agreements[0].versions[0].record.source  # planted and committed
    assert DRAFT_MARKER in (built.root / "agreements" / "demo.md").read_text("utf-8")  # planted, uncommitted
    for rel, data in built.files().items():
        text = data.decode("utf-8")
        for marker in (
            INTERNAL_MARKER,
            YAML_COMMENT_MARKER,
            DRAFT_MARKER,
            SUBJECT_MARKER,
            AUTHOR_EMAIL,
            AUTHOR_NAME,
        ):
            assert marker not in text, (marker, rel)
        assert '"2.1"' not in text, rel


def test_html_comment_never_reaches_the_output(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "agreements").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    marker = "HTML-COMMENT-MARKER-0b7e"
    _commit(repo, {"agreements/demo.md": demo_text() + f"\n<!-- {marker} -->\n"}, "带注释")
    with pytest.raises(KspubError):
        snapshot = collect(repo, AS_OF, environ=EPOCH)
        api.write_api(snapshot, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    # fixed in a later commit, the comment is still in history: the build refuses rather than publish around it
    _commit(repo, {"agreements/demo.md": demo_text()}, "去掉注释")
    snapshot = collect(repo, AS_OF, environ=EPOCH)
    for data in api.build_api(snapshot).values():
        assert marker.encode() not in data


def _with_label(snapshot: Snapshot, label: str) -> Snapshot:
    agreement = snapshot.agreements[0]
    version = agreement.versions[0]
    versions = (replace(version, record=replace(version.record, label=label)), *agreement.versions[1:])
    return replace(snapshot, agreements=(replace(agreement, versions=versions), *snapshot.agreements[1:]))


@pytest.mark.parametrize(
    "label", ["current", "../evil", "a/b", "..", "x..y", "", "中文", "CLAUSES", "1.0\n", "a\\b"]
)
def test_unsafe_version_labels_are_refused(built: Built, label: str, tmp_path: Path) -> None:
    with pytest.raises(KspubError) as info:
        api.write_api(_with_label(built.snapshot, label), tmp_path)
    assert info.value.code == "KS910"
    assert not any(tmp_path.iterdir())


def test_paths_differing_only_in_case_are_refused(built: Built) -> None:
    agreement = built.snapshot.agreements[0]
    twin = replace(agreement.versions[1], record=replace(agreement.versions[1].record, label="1.0A"))
    first = replace(agreement.versions[0], record=replace(agreement.versions[0].record, label="1.0a"))
    snapshot = replace(
        built.snapshot,
        agreements=(
            replace(agreement, versions=(first, twin, *agreement.versions[2:])),
            *built.snapshot.agreements[1:],
        ),
    )
    with pytest.raises(KspubError) as info:
        api.build_api(snapshot)
    assert info.value.code == "KS911"


def test_unsafe_clause_ids_are_refused(built: Built) -> None:
    agreement = built.snapshot.agreements[0]
    version = agreement.versions[0]
    nodes = (replace(version.agreement.nodes[0], id="../x"), *version.agreement.nodes[1:])
    bad = replace(version, agreement=replace(version.agreement, nodes=nodes))
    snapshot = replace(
        built.snapshot, agreements=(replace(agreement, versions=(bad, *agreement.versions[1:])),)
    )
    with pytest.raises(KspubError) as info:
        api.build_api(snapshot)
    assert info.value.code == "KS910"


# ── the real repository ─────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("real-api")
    snapshot = collect(ROOT, date(2026, 11, 30), environ=EPOCH)
    return Built(ROOT, snapshot, out, api.write_api(snapshot, out))


def test_real_repository_publishes_every_agreement_and_sla_entry(real: Built) -> None:
    index = real.load("index.json")
    # fails, never skips, when an agreement is missing
    assert {a["id"] for a in index["agreements"]} == REAL_AGREEMENTS
    for row in index["agreements"]:
        assert row["in_force"] is not None, row["id"]
    sla = real.load("sla.json")
    assert sla["counts"] == {"categories": 12, "entries": 49}
    assert sum(len(c["entries"]) for c in sla["categories"]) == 49
    files = real.files()
    assert validate_all(files) > len(REAL_AGREEMENTS) * 3
    manifest = json.loads(files.pop("manifest.json"))
    assert [f["path"] for f in manifest["files"]] == sorted(files)


def test_real_repository_clause_text_equals_the_parsed_source(real: Built) -> None:
    for agreement in real.snapshot.agreements:
        latest = agreement.latest
        head = parsed(read_at_ref(ROOT, "HEAD", latest.record.path), latest.record.path)
        for version in agreement.versions:
            document = real.load(api_contract.version_path(agreement.id, version.label))
            source = head if version is latest else parsed(version.record.source, version.record.path)
            assert len(document["nodes"]) == len(source.nodes) > 0
            for node, expected in zip(document["nodes"], source.nodes, strict=True):
                assert (node["id"], node["number"], node["title"], node["text"], node["printed"]) == (
                    expected.id,
                    expected.number,
                    expected.title,
                    expected.text,
                    expected.printed,
                ), (agreement.id, version.label, expected.id)
            for expected in source.nodes:
                clause = real.load(api_contract.clause_path(agreement.id, expected.id))
                row = next(r for r in clause["versions"] if r["version"] == version.label)
                assert row["text"] == expected.text and row["sha256"] == expected.sha256


def test_the_change_log_is_paged_from_the_oldest(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    # six entries: demo 1.0, 1.1 and other 1.0 published (03-01), 1.1 taking effect over 1.0 (04-01, two
    # entries), 2.0 published (04-20); one per page: five archive pages, and the newest day on the current page
    monkeypatch.setattr(api, "CHANGES_PAGE", 1)
    files = api.build_api(built.snapshot)
    assert sorted(rel for rel in files if rel.startswith("changes/")) == [f"changes/{k}.json" for k in range(1, 6)]
    page = json.loads(files["changes.json"])
    assert page["archive"] is False and page["urls"]["current"] == "/api/v1/changes.json"
    assert [r["to"] for r in page["changes"]] == ["2.0"]
    rows = list(page["changes"])
    while page["urls"]["prev_archive"]:
        page = json.loads(files[page["urls"]["prev_archive"].removeprefix("/api/v1/")])
        assert page["archive"] is True and len(page["changes"]) == 1
        rows += page["changes"]
    # newest first across the pages, the log in the order things happened; a version's first row is what it is now
    assert [(r["logged"], r["agreement"], r["to"], r["status"]) for r in rows] == [
        ("2026-04-20", "demo", "2.0", "upcoming"),
        ("2026-04-01", "demo", "1.1", "in-force"),
        ("2026-04-01", "demo", "1.0", "archived"),
        ("2026-03-01", "demo", "1.1", "upcoming"),
        ("2026-03-01", "demo", "1.0", "in-force"),
        ("2026-03-01", "other", "1.0", "in-force"),
    ]
    newest: dict[str, dict[str, Any]] = {}
    for row in rows:
        newest.setdefault(row["id"], row)
    assert list(newest.values()) == built.load("changes.json")["changes"]  # unpaged: every version once, newest
    assert [r["to"] for r in json.loads(files["changes/1.json"])["changes"]] == ["1.0"]  # the oldest
    assert json.loads(files["changes/1.json"])["changes"][0]["agreement"] == "other"


def test_the_written_api_equals_the_built_one_and_nothing_is_left_aside(built: Built, tmp_path: Path) -> None:
    """write_api writes each file as it is made (a scratch folder moved in at the end): the same files as
    build_api's, into a fresh folder or over an earlier API (a file of its own there is left alone), and no
    scratch folder stays behind."""
    expected = api.build_api(built.snapshot)
    out = tmp_path / "site"
    (out / api_contract.API_DIR).mkdir(parents=True)
    (out / api_contract.API_DIR / "keep.txt").write_text("mine", "utf-8")
    for _ in range(2):  # into a folder with a file of its own, then over itself
        written = api.write_api(built.snapshot, out)
        root = out / api_contract.API_DIR
        assert written == [out / api_contract.API_DIR / rel for rel in sorted(expected)]
        assert {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()} == {
            **expected,
            "keep.txt": b"mine",
        }
        assert sorted(p.name for p in out.iterdir()) == ["api"]


# ── a forked helper writes part of the agreements' files ─────────────────────────────────────────────────────


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _marking_clause_documents(marks: Path, fail: dict[str, BaseException] | None = None) -> Any:
    """``clause_documents`` that notes which process made each agreement's documents (and fails where told)."""
    original = api.clause_documents

    def clause_documents(versions: Any) -> Any:
        agreement = versions[0].agreement.id
        with (marks / "made").open("a") as f:
            f.write(f"{agreement} {os.getpid()}\n")
        if fail and agreement in fail:
            raise fail[agreement]
        return original(versions)

    return clause_documents


def test_a_helper_writes_part_of_the_agreements_and_the_api_is_the_same(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kspub.publish.cache import Cache

    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setattr(api, "clause_documents", _marking_clause_documents(marks))
    alone, shared = Cache(tmp_path / "c1"), Cache(tmp_path / "c2")
    one = api.write_api(built.snapshot, tmp_path / "one", cache=alone)
    two = api.write_api(built.snapshot, tmp_path / "two", cache=shared, helpers=2)
    made = dict(line.split() for line in (marks / "made").read_text().splitlines()[2:])  # the second write's
    assert made["demo"] == str(os.getpid()) != made["other"]  # the later agreement by the helper
    assert [p.relative_to(tmp_path / "two") for p in two] == [p.relative_to(tmp_path / "one") for p in one]
    assert _tree(tmp_path / "two") == _tree(tmp_path / "one")
    assert _tree(tmp_path / "two" / "api" / "v1") == api.build_api(built.snapshot)  # the manifests count both
    # the cache entries the helper read count in this process's figures, and survive its prune
    assert (shared.hits, shared.misses, shared.missed) == (alone.hits, alone.misses, alone.missed)
    assert {p.relative_to(tmp_path / "c2") for p in shared.used} == {p.relative_to(tmp_path / "c1") for p in alone.used}


@pytest.mark.parametrize(
    ("where", "error", "code"),
    [
        ("other", ValueError("helper failed"), "KS928"),  # in the helper: reported, not lost
        ("other", KspubError("KS910", "发布路径超出"), "KS910"),  # the helper's own error, as it was
        ("demo", KspubError("KS910", "发布路径超出"), "KS910"),  # here, while the helper runs: it is stopped
    ],
)
def test_a_failure_on_either_side_fails_the_api_and_leaves_nothing(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, error: BaseException, code: str
) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setattr(api, "clause_documents", _marking_clause_documents(marks, {where: error}))
    with pytest.raises(KspubError) as info:
        api.write_api(built.snapshot, tmp_path / "out", helpers=2)
    assert info.value.code == code
    assert not (tmp_path / "out").exists()
    with pytest.raises(ChildProcessError):  # no helper left behind, running or unreaped
        os.waitpid(-1, os.WNOHANG)
