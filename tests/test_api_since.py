"""``agreements/<id>/since/<version>.json``: what a consent prompt needs in one fetch (contract 1.1)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kspub.parse import parse_agreement
from kspub.publish import api
from kspub.publish.cache import Cache
from kspub.publish.snapshot import Snapshot, collect

from .test_api import AS_OF, EPOCH, make_demo_repo
from .test_api_notice import make_privacy_repo

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    root = make_demo_repo(tmp_path_factory.mktemp("since") / "repo")
    return collect(root, AS_OF, environ=EPOCH)


@pytest.fixture(scope="module")
def demo(demo_snapshot: Snapshot) -> dict[str, bytes]:
    return api.build_api(demo_snapshot)


@pytest.fixture(scope="module")
def privacy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make_privacy_repo(tmp_path_factory.mktemp("since-privacy") / "repo")
    return api.build_api(collect(root, AS_OF, environ=EPOCH))


def load(files: dict[str, bytes], rel: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(files[rel])
    return data


def test_one_document_per_version_but_the_latest(demo: dict[str, bytes]) -> None:
    assert sorted(rel for rel in demo if "/since/" in rel) == [
        "agreements/demo/since/1.0.json",
        "agreements/demo/since/1.1.json",
    ]
    assert not [rel for rel in demo if rel.startswith("agreements/other/since/")]  # one version only


def test_since_the_first_version_to_the_one_in_force_and_the_latest(demo: dict[str, bytes]) -> None:
    doc = json.loads(demo["agreements/demo/since/1.0.json"])
    assert doc["since"] == "1.0" and doc["sha256"] == json.loads(demo["agreements/demo/1.0.json"])["sha256"]
    in_force, latest = doc["in_force"], doc["latest"]
    assert in_force["version"] == "1.1" and in_force["versions"] == ["1.1"]
    assert {c["clause"]: c["kind"] for c in in_force["changes"]} == {"fee-notice": "modified", "refund": "added"}
    assert in_force["material"] is True and in_force["consent_required"] is False
    fee = next(c for c in in_force["changes"] if c["clause"] == "fee-notice")
    assert "10个自然日" in fee["old_text"] and "30个自然日" in fee["new_text"] and fee["class"] == "material"
    # to the latest: the renamed clause is followed, old text to new text in one change
    assert latest["version"] == "2.0" and latest["versions"] == ["1.1", "2.0"]
    (renamed,) = (c for c in latest["changes"] if "fee-notice" in c["old_ids"])
    assert renamed["new_ids"] == ["fee-change-notice"] and renamed["kind"] != "added"
    assert "10个自然日" in renamed["old_text"] and "站内信" in renamed["new_text"]
    assert latest["url"] == "/api/v1/agreements/demo/2.0.json"


def test_since_the_version_in_force(demo: dict[str, bytes]) -> None:
    doc = json.loads(demo["agreements/demo/since/1.1.json"])
    assert doc["in_force"] is None  # 1.1 is the one in force: nothing to show yet
    assert doc["latest"]["version"] == "2.0" and doc["latest"]["versions"] == ["2.0"]


def test_consent_prompt_in_one_fetch(privacy: dict[str, bytes]) -> None:
    doc = json.loads(privacy["agreements/demo/since/1.0.json"])
    latest = doc["latest"]
    assert latest["consent_required"] is True
    assert [c["clause"] for c in latest["consent_clauses"]] == ["cookie-use"]
    assert [c["clause"] for c in latest["changes"] if c["consent"]] == ["cookie-use"]
    assert latest["consent_plans"] == [
        {"version": "2.0", "plan": json.loads(privacy["agreements/demo/2.0.json"])["notice"]["consent_plan"]}
    ]


def test_since_documents_validate(demo: dict[str, bytes], privacy: dict[str, bytes], tmp_path: Path) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(api.schema("since"), format_checker=jsonschema.FormatChecker())
    for files in (demo, privacy):
        for rel, data in files.items():
            if "/since/" in rel:
                validator.validate(json.loads(data))


# ── the since comparisons are cached by their inputs ─────────────────────────────────────────────────────────


def _since(files: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: data for rel, data in files.items() if "/since/" in rel}


def test_a_cached_build_gives_the_same_bytes_and_computes_nothing_again(
    demo_snapshot: Snapshot, demo: dict[str, bytes], tmp_path: Path
) -> None:
    cold = Cache(tmp_path / "cache")
    assert api.build_api(demo_snapshot, cache=cold) == demo  # every file, not only the since documents
    # since: 1.0 → 1.1, 1.0 → 2.0, 1.1 → 2.0, each with the comparison it rests on (shared with the site's
    # pages); the versions' notices: 1.0 → 1.1, 1.1 → 2.0
    assert cold.missed == {"since": 3, "compare": 3, "notice": 2} and cold.hits == 0
    warm = Cache(tmp_path / "cache")  # the next build: a new process, the same folder
    assert api.build_api(demo_snapshot, cache=warm) == demo
    assert warm.hits == 5 and warm.missed == {}
    assert warm.prune() == 0  # what the API used is kept for the next build


def _notices(files: dict[str, bytes]) -> dict[str, object]:
    return {rel: json.loads(data)["notice"] for rel, data in files.items() if rel.startswith("agreements/demo/") and
            rel.count("/") == 2 and rel.split("/")[2][0].isdigit()}  # fmt: skip


def _with_text(snapshot: Snapshot, label: str, old: str, new: str) -> Snapshot:
    """The same agreement, version labels and paths, with one version's text changed."""
    agreement = snapshot.agreements[0]
    versions = []
    for v in agreement.versions:
        if v.label == label:
            source = v.record.source.replace(old, new)
            assert source != v.record.source
            parsed = parse_agreement(source, v.record.path).agreement
            assert parsed is not None
            v = replace(v, agreement=parsed, record=replace(v.record, source=source))
        versions.append(v)
    return replace(snapshot, agreements=(replace(agreement, versions=tuple(versions)), *snapshot.agreements[1:]))


def test_a_cached_comparison_is_never_served_for_another_text(demo_snapshot: Snapshot, tmp_path: Path) -> None:
    # same agreement, same labels, same paths: only the text of 2.0 differs — the cache must not answer for it
    api.build_api(demo_snapshot, cache=Cache(tmp_path / "cache"))
    variant = _with_text(demo_snapshot, "2.0", "以站内信", "以短信")
    cache = Cache(tmp_path / "cache")
    cached = _since(api.build_api(variant, cache=cache))
    assert cached == _since(api.build_api(variant))
    assert "以短信" in cached["agreements/demo/since/1.0.json"].decode()  # the new text
    assert cache.missed == {"since": 2, "compare": 2, "notice": 1} and cache.hits == 2  # only 1.0 → 1.1 is unchanged
    assert _notices(api.build_api(variant, cache=Cache(tmp_path / "cache"))) == _notices(api.build_api(variant))


def test_a_comparison_of_neighbours_is_the_diff_phase_s_change_set_of_the_same_texts(
    demo_snapshot: Snapshot, tmp_path: Path
) -> None:
    from kspub.diff import diff_agreements
    from kspub.publish.compare import comparison, diff_key, parse_key

    old, new = (v.agreement for v in demo_snapshot.agreements[0].versions[:2])
    fresh = diff_agreements(old, new)
    cache = Cache(tmp_path / "cache")
    marked = replace(fresh, agreement="from-the-diff-phase")  # to tell the stored change set from a computed one
    cache.put("diff", diff_key(parse_key(old.path, old.source), parse_key(new.path, new.source)), marked)
    assert comparison(cache, old, new) == marked  # read, not computed again
    assert cache.missed == {"compare": 1} and cache.hits == 0  # the diff entry is no hit or miss of its own
    # another text at the same path and label: the stored change set of the first text is not taken for it
    variant = _with_text(demo_snapshot, "1.1", "预付费用可按规则退还", "预付费用不予退还").agreements[0].versions[1].agreement
    assert variant.source != new.source
    assert comparison(cache, old, variant) == diff_agreements(old, variant) != marked
    # nothing stored, or something else stored under the key: computed
    assert comparison(Cache(tmp_path / "other"), old, new) == fresh
    broken = Cache(tmp_path / "broken")
    broken.put("diff", diff_key(parse_key(old.path, old.source), parse_key(new.path, new.source)), {"not": "a change set"})
    assert comparison(broken, old, new) == fresh


def test_a_damaged_cache_entry_is_recomputed(demo_snapshot: Snapshot, demo: dict[str, bytes], tmp_path: Path) -> None:
    api.build_api(demo_snapshot, cache=Cache(tmp_path / "cache"))
    entries = sorted((tmp_path / "cache").rglob("since/*/*.pickle"))
    assert len(entries) == 3
    import pickle

    entries[0].write_bytes(pickle.dumps({"changes": "not a comparison"}))  # readable, but not what was stored
    entries[1].write_bytes(b"truncated")
    cache = Cache(tmp_path / "cache")
    assert api.build_api(demo_snapshot, cache=cache) == demo
    # the two damaged ones computed again from the comparisons they rest on (found), the third found whole
    assert cache.missed == {"since": 2} and cache.hits == 3 + 2
