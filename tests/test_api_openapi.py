"""``api/v1/openapi.json``: an OpenAPI 3.1 description of the static API, checked with openapi-spec-validator."""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from kspub.publish import api, api_contract

from .test_api import Built

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    from kspub.publish.snapshot import collect

    from .test_api import AS_OF, EPOCH, make_demo_repo

    base = tmp_path_factory.mktemp("openapi")
    root = make_demo_repo(base / "repo")
    snapshot = collect(root, AS_OF, environ=EPOCH)
    out = base / "out"
    return Built(root, snapshot, out, api.write_api(snapshot, out))


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[a-z]+\\\}", "[^/]+", re.escape(path)) + "$")


def test_the_description_is_valid_openapi_3_1(built: Built) -> None:
    spec = built.load("openapi.json")
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises on an invalid description
    assert spec["info"]["version"] == api_contract.SCHEMA_VERSION
    assert spec["servers"] == [{"url": "/api/v1"}]


def test_a_broken_description_is_caught() -> None:
    # the validator really validates: a path parameter that is not declared is an error
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a/{b}.json": {"get": {"responses": {"200": {"description": "x"}}}}}}  # fmt: skip
    with pytest.raises(OpenAPIValidationError):
        validate(spec)


def test_every_published_file_has_a_path_template(built: Built) -> None:
    spec = built.load("openapi.json")
    templates = [_template(p) for p in spec["paths"]]
    for rel in built.files():
        if rel == "openapi.json":
            continue
        assert any(t.match("/" + rel) for t in templates), rel


def test_every_document_type_is_a_component_that_agrees_with_its_schema(built: Built) -> None:
    components = built.load("openapi.json")["components"]["schemas"]
    for kind in api_contract.DOCUMENT_TYPES:
        schema = api.schema(kind)
        assert set(components[kind]["properties"]) == set(schema["properties"]), kind
        for name in schema.get("$defs", {}):
            assert f"{kind}.{name}" in components
    assert "$defs" not in json.dumps(components)  # every reference resolves inside the OpenAPI document


def test_with_a_base_url_the_server_is_absolute(built: Built) -> None:
    files = api.build_api(built.snapshot, base_url="https://legal.example.com")
    assert json.loads(files["openapi.json"])["servers"] == [{"url": "https://legal.example.com/api/v1"}]


def test_every_path_parameter_pattern_admits_what_the_build_publishes(built: Built) -> None:
    # a pattern narrower than the files (a document type with an underscore, say) would make a generated client
    # refuse a path the API serves
    spec = built.load("openapi.json")
    found = 0
    for template, item in spec["paths"].items():
        names = re.findall(r"\{([a-z]+)\}", template)
        if not names:
            continue
        patterns = {p["name"]: re.compile(p["schema"]["pattern"]) for p in item["get"]["parameters"]}
        shape = re.compile("^" + re.sub(r"\\\{[a-z]+\\\}", "([^/]+)", re.escape(template)) + "$")
        for rel in built.files():
            match = shape.match("/" + rel)
            if match is None:
                continue
            for name, value in zip(names, match.groups(), strict=True):
                assert patterns[name].match(value), (template, rel, name)
                found += 1
    assert found > 20
    assert any("manifest_index" in rel for rel in built.files())
