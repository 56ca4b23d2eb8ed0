"""``agreements/<id>/since/<version>.json``: what a consent prompt needs in one fetch (contract 1.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kspub.publish import api
from kspub.publish.snapshot import collect

from .test_api import AS_OF, EPOCH, make_demo_repo
from .test_api_notice import make_privacy_repo

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make_demo_repo(tmp_path_factory.mktemp("since") / "repo")
    return api.build_api(collect(root, AS_OF, environ=EPOCH))


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
