"""The contract's promises about the schemas themselves (1.1): the published schemas accept fields a later 1.x
adds; the tests hold a strict copy that forbids them, so a build never emits an undocumented field; tags, flags
and kinds are enumerated; dates are dates; every field is documented in docs/api.md."""

from __future__ import annotations

import copy
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kspub.publish import api, api_contract

from .conftest import ROOT
from .test_api import Built, document_type, strict_schema

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    from kspub.publish.snapshot import collect

    from .test_api import AS_OF, EPOCH, make_demo_repo

    base = tmp_path_factory.mktemp("contract")
    root = make_demo_repo(base / "repo")
    snapshot = collect(root, AS_OF, environ=EPOCH)
    out = base / "out"
    return Built(root, snapshot, out, api.write_api(snapshot, out))


def documents(built: Built) -> dict[str, tuple[str, Any]]:
    out = {}
    for rel, data in built.files().items():
        kind = document_type(rel) if rel.endswith(".json") else None
        if kind is not None:
            out[rel] = (kind, json.loads(data))
    return out


def _first_object_below(document: dict[str, Any]) -> dict[str, Any] | None:
    for value in document.values():
        if isinstance(value, dict):
            return value
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return value[0]
    return None


def test_published_schemas_accept_fields_a_later_minor_version_adds(built: Built) -> None:
    for kind, document in documents(built).values():
        future = copy.deepcopy(document)
        future["added_in_1_9"] = {"anything": [1, 2]}
        nested = _first_object_below(future)
        if nested is not None:
            nested["also_added"] = True
        jsonschema.Draft202012Validator(api.schema(kind)).validate(future)
        # the strict copy the tests use forbids them: an undocumented field never leaves a build
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft202012Validator(strict_schema(kind)).validate(future)


def test_a_1_0_document_still_validates(built: Built) -> None:
    # 1.0 documents carried generated_at (and the timeline as_of) everywhere; 1.1 schemas still allow them
    rel = api_contract.timeline_path("demo")
    document = json.loads(built.files()[rel])
    document.update(schema_version="1.0", generated_at="2026-05-01T08:00:00+08:00", as_of="2026-05-01")
    jsonschema.Draft202012Validator(strict_schema("timeline"), format_checker=jsonschema.FormatChecker()).validate(document)


@pytest.mark.parametrize("day", ["2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "2026-1-05"])
def test_impossible_dates_fail_without_a_format_checker(built: Built, day: str) -> None:
    document = json.loads(built.files()[api_contract.version_path("demo", "1.1")])
    document["effective"] = day
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(api.schema("version")).validate(document)


def test_29_february_of_a_common_year_fails_with_the_format_checker(built: Built) -> None:
    document = json.loads(built.files()[api_contract.version_path("demo", "1.1")])
    document["effective"] = "2026-02-29"
    checker = jsonschema.FormatChecker()
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(api.schema("version"), format_checker=checker).validate(document)
    document["effective"] = "2028-02-29"
    jsonschema.Draft202012Validator(api.schema("version"), format_checker=checker).validate(document)


@pytest.mark.parametrize(
    ("where", "value"),
    [(("nodes", 1, "tags"), ["made-up"]), (("changes", "changes", 0, "flags"), ["made-up"]), (("kind",), "contract")],
)
def test_tags_flags_and_kinds_are_enumerated(built: Built, where: tuple[Any, ...], value: Any) -> None:
    document = json.loads(built.files()[api_contract.version_path("demo", "1.1")])
    target = document
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(api.schema("version")).validate(document)


def _property_names(schema: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                names |= set(value)
            names |= _property_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= _property_names(value)
    return names


def test_every_field_of_every_schema_is_documented() -> None:
    text = (ROOT / "docs" / "api.md").read_text("utf-8")
    missing = {
        (kind, name)
        for kind in api_contract.DOCUMENT_TYPES
        for name in _property_names(api.schema(kind))
        if f"`{name}`" not in text and f'"{name}"' not in text
    }
    assert not missing, sorted(missing)


# ── the serialisation: orjson writes what json.dumps would ────────────────────────────────────────────────────

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _json_values, max_size=6))
def test_dump_json_writes_the_bytes_json_dumps_writes(document: dict[str, object]) -> None:
    """Every value the schemas admit (no floats): the same bytes as the standard library's indented, sorted,
    unescaped form, control characters, line separators and astral characters included."""
    expected = (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert api_contract.dump_json(document) == expected


def test_dump_json_matches_json_dumps_on_the_repository_api() -> None:
    """Every document of the repository's API, read back and written again both ways."""
    from kspub.publish.api import build_api
    from kspub.publish.snapshot import collect

    files = build_api(collect(ROOT, date(2026, 3, 1)))
    documents = [json.loads(data) for rel, data in files.items() if rel.endswith(".json")]
    assert len(documents) > 100
    for document in documents:
        expected = (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        assert api_contract.dump_json(document) == expected


# --- what writing the API leaves behind ---------------------------------------------------------------------


def test_writing_the_api_attaches_nothing_to_the_snapshots_texts(tmp_path: Path) -> None:
    """orjson keeps a UTF-8 copy of every non-ASCII string it writes for as long as the string lives; the
    snapshot's clause texts live through the build, so the documents carry copies of them (``unshared``)."""
    from kspub.publish.snapshot import collect

    from .test_api import AS_OF, EPOCH, make_demo_repo

    snapshot = collect(make_demo_repo(tmp_path / "repo"), AS_OF, environ=EPOCH)
    texts = [s for a in snapshot.agreements for v in a.versions for n in v.agreement.nodes
             for s in (n.text, n.printed, n.title) if not s.isascii()]  # fmt: skip
    assert len(texts) > 20
    sizes = [sys.getsizeof(s) for s in texts]
    api.write_api(snapshot, tmp_path / "out")
    assert [sys.getsizeof(s) for s in texts] == sizes
    orjson.dumps(texts)  # the check above can fail: written as they are, each text grows
    assert all(sys.getsizeof(s) > size for s, size in zip(texts, sizes, strict=True))


@given(st.text(max_size=40))
def test_an_unshared_copy_is_the_same_text(text: str) -> None:
    copied = api_contract.unshared(text)
    assert copied == text and type(copied) is str
    assert copied is text or not text.isascii()  # ASCII needs no copy (a one-character string is shared anyway)
