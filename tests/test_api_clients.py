"""The services' questions, answered as a client would: from the built files only, in one or two fetches.

This module imports nothing from kspub: the files are built in a child process, and every document is checked
with an independent validator (jsonschema-rs, a separate implementation of JSON Schema 2020-12) against the
schemas the build publishes.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://legal.example.com"
ATOM = "{http://www.w3.org/2005/Atom}"

_BUILD = """
import sys
from datetime import date
from pathlib import Path
from kspub.publish import api
from kspub.publish.snapshot import collect
from tests.conftest import git
from tests.test_api import AS_OF, EPOCH, OTHER, _commit, make_demo_repo
from tests.test_api_notice import make_privacy_repo
out = Path(sys.argv[1])
for name, make in (("demo", make_demo_repo), ("privacy", make_privacy_repo)):
    root = make(out / name / "repo")
    for day in ("2026-05-01", "2026-05-02"):
        snapshot = collect(root, date.fromisoformat(day), environ={})
        api.write_api(snapshot, out / name / day, base_url=sys.argv[2])
# the next day, a commit: a new version of the other agreement, nothing else
root = out / "demo" / "repo"
git(root, "checkout", "--", "agreements/demo.md")  # the draft stays out of it
_commit(root, {"agreements/other.md": OTHER.replace('version: "1.0"', 'version: "1.1"\\nannounced: 2026-05-03\\n'
                                                    'effective: 2026-05-03').replace("全部服务", "金山云的全部服务")}, "1.1")
api.write_api(collect(root, date(2026, 5, 3), environ={}), out / "demo" / "2026-05-03", base_url=sys.argv[2])
"""


class Api:
    """A static API as a client sees it: fetch a URL, count the fetches."""

    def __init__(self, root: Path) -> None:
        self.root, self.fetches = root, 0

    def fetch(self, url: str) -> bytes:
        assert url.startswith(BASE + "/api/v1/"), url
        self.fetches += 1
        return (self.root / "api" / "v1" / url.removeprefix(BASE + "/api/v1/")).read_bytes()

    def json(self, url: str) -> Any:
        return json.loads(self.fetch(url))


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clients")
    subprocess.run([sys.executable, "-c", _BUILD, str(out), BASE], cwd=ROOT, check=True)
    return out


def client(sites: Path, name: str = "demo", day: str = "2026-05-01") -> Api:
    return Api(sites / name / day)


def version_in_force(versions: list[dict[str, Any]], day: str, withdrawn: dict[str, Any] | None) -> str | None:
    # the rule exactly as docs/api.md states it
    if withdrawn is not None and withdrawn["date"] <= day:
        return None
    current = None
    for v in versions:
        if v.get("withdrawn") and v["withdrawn"]["date"] <= day:
            continue
        if v["effective"] is None or v["effective"] <= day:
            current = v["version"]
    return current


def test_which_version_of_every_agreement_is_in_force_on_a_date(sites: Path) -> None:
    api = client(sites)
    index = api.json(f"{BASE}/api/v1/index.json")
    answers = {row["id"]: version_in_force(row["timeline"], "2026-06-20", row["withdrawn"]) for row in index["agreements"]}
    assert answers == {"demo": "2.0", "other": "1.0"} and api.fetches == 1
    today = {row["id"]: version_in_force(row["timeline"], index["as_of"], row["withdrawn"]) for row in index["agreements"]}
    assert today == {row["id"]: row["in_force"]["version"] for row in index["agreements"]}


def test_which_clauses_of_a_change_need_consent(sites: Path) -> None:
    api = client(sites, "privacy")
    document = api.json(f"{BASE}/api/v1/agreements/demo/2.0.json")
    notice = document["notice"]
    assert notice["consent_required"] and [c["clause"] for c in notice["consent_clauses"]] == ["cookie-use"]
    assert notice["consent_plan"]["method"] == "popup" and api.fetches == 1


def test_a_user_accepted_a_version_what_must_we_show(sites: Path) -> None:
    api = client(sites, "privacy")
    since = api.json(f"{BASE}/api/v1/agreements/demo/since/1.0.json")
    shown = since["in_force"] or since["latest"]
    assert shown["consent_required"] is True
    assert [(c["clause"], c["old_text"] is not None, c["new_text"] is not None) for c in shown["changes"] if c["consent"]] == [
        ("cookie-use", True, True)
    ]
    assert api.fetches == 1


def test_a_renamed_clause_is_followed(sites: Path) -> None:
    api = client(sites)
    old = api.json(f"{BASE}/api/v1/agreements/demo/clauses/fee-notice.json")
    (successor,) = old["replaced_by"]
    new = api.json(f"{BASE}/api/v1/agreements/demo/clauses/{successor['clause']}.json")
    assert new["came_from"] == [{"clause": "fee-notice", "version": successor["version"]}]
    assert new["versions"][0]["change"] == "moved" and api.fetches == 2


def test_a_mailer_sends_once_per_event(sites: Path) -> None:
    first, second = client(sites), client(sites, day="2026-05-02")
    rows = {r["id"]: r["updated"] for r in first.json(f"{BASE}/api/v1/changes.json")["changes"]}
    again = {r["id"]: r["updated"] for r in second.json(f"{BASE}/api/v1/changes.json")["changes"]}
    assert rows == again  # a day without an event: nothing to send
    feed = ET.fromstring(first.fetch(f"{BASE}/api/v1/feed.xml"))
    hrefs = [e.attrib["href"] for e in feed.iter() if "href" in e.attrib]
    assert hrefs and all(h.startswith(BASE + "/") for h in hrefs)  # links survive being stored or forwarded
    assert {e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")} == set(rows)


def test_a_mirror_fetches_only_what_changed(sites: Path) -> None:
    before, after = client(sites), client(sites, day="2026-05-02")
    old = {f["path"]: f["sha256"] for f in before.json(f"{BASE}/api/v1/manifest.json")["files"]}
    new = {f["path"]: f["sha256"] for f in after.json(f"{BASE}/api/v1/manifest.json")["files"]}
    changed = sorted(p for p in new if old.get(p) != new[p])
    assert changed == ["agreements/demo/current.json", "agreements/other/current.json", "index.json", "manifest/index.json"]
    for path in changed:
        assert hashlib.sha256(after.fetch(f"{BASE}/api/v1/{path}")).hexdigest() == new[path]


class Mirror:
    """A copy of the API kept up to date through the split manifest: the top list every time, a part only when its
    hash moved, a file only when its hash moved — each checked against the hash it was listed with."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def sync(self, api: Api) -> list[str]:
        fetched: list[str] = []

        def get(path: str, digest: str | None = None) -> bytes:
            data = api.fetch(f"{BASE}/api/v1/{path}")
            fetched.append(path)
            assert digest is None or hashlib.sha256(data).hexdigest() == digest, path
            return data

        def have(path: str, digest: str) -> bool:
            return path in self.files and hashlib.sha256(self.files[path]).hexdigest() == digest

        top = get("manifest/index.json")
        index = json.loads(top)
        wanted = {f["path"]: f["sha256"] for f in index["files"]}
        for part in index["parts"]:
            wanted[part["path"]] = part["sha256"]
            if not have(part["path"], part["sha256"]):
                self.files[part["path"]] = get(part["path"], part["sha256"])
            wanted.update((f["path"], f["sha256"]) for f in json.loads(self.files[part["path"]])["files"])
        for path, digest in sorted(wanted.items()):
            if not have(path, digest):
                self.files[path] = get(path, digest)
        self.files = {path: self.files[path] for path in wanted} | {"manifest/index.json": top}
        return fetched


def tree(sites: Path, name: str, day: str) -> dict[str, bytes]:
    root = sites / name / day / "api" / "v1"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_mirror_keeps_up_through_the_split_manifest(sites: Path) -> None:
    mirror = Mirror()
    first = mirror.sync(client(sites))
    # the complete 1.0 list (manifest.json) lists the split manifest, so the split one leaves it out
    assert mirror.files == {p: d for p, d in tree(sites, "demo", "2026-05-01").items() if p != "manifest.json"}
    assert len(first) == len(mirror.files)  # a first copy fetches each file once
    # the next day, no commit: the top list and the pointers it names, not a single part
    second = mirror.sync(client(sites, day="2026-05-02"))
    assert sorted(second) == ["agreements/demo/current.json", "agreements/other/current.json", "index.json",
                              "manifest/index.json"]  # fmt: skip
    assert mirror.files == {p: d for p, d in tree(sites, "demo", "2026-05-02").items() if p != "manifest.json"}
    fetched = sum(len(mirror.files[p]) for p in second)
    assert fetched < sum(map(len, mirror.files.values())) / 4
    # a commit to one agreement: its part and its files, and the site-wide documents it changes — nothing of the other
    third = mirror.sync(client(sites, day="2026-05-03"))
    assert [p for p in third if p.startswith("manifest/agreements/")] == ["manifest/agreements/other.json"]
    assert not [p for p in third if p.startswith("agreements/demo") and p != "agreements/demo/current.json"]
    assert {"agreements/other/1.1.json", "agreements/other.json", "changes.json", "feed.xml"} <= set(third)
    assert mirror.files == {p: d for p, d in tree(sites, "demo", "2026-05-03").items() if p != "manifest.json"}


def test_a_versions_hash_is_checked_from_its_document(sites: Path) -> None:
    api = client(sites)
    document = api.json(f"{BASE}/api/v1/agreements/demo/2.0.json")
    markup = "".join(n["markup"] for n in document["nodes"])
    assert hashlib.sha256("".join(c for c in markup if not c.isspace()).encode()).hexdigest() == document["sha256"]
    assert api.fetches == 1


def _schema_for(rel: str) -> str | None:
    parts = rel.split("/")
    if parts[0] == "schemas" or not rel.endswith(".json") or rel == "openapi.json":
        return None
    if len(parts) == 1:
        return rel.removesuffix(".json")
    if parts[0] == "manifest":
        return "manifest_index" if parts[1] == "index.json" else "manifest_part"
    if len(parts) == 2:
        return "changes" if parts[0] == "changes" else "timeline"
    if len(parts) == 3:
        return "current" if parts[2] == "current.json" else "version"
    return {"clauses": "clause", "since": "since"}[parts[2]]


def test_every_document_validates_with_an_independent_validator(sites: Path) -> None:
    checked = 0
    for name in ("demo", "privacy"):
        root = sites / name / "2026-05-01" / "api" / "v1"
        validators = {
            p.name.removesuffix(".schema.json"): jsonschema_rs.Draft202012Validator(
                json.loads(p.read_text("utf-8")), validate_formats=True
            )
            for p in (root / "schemas").glob("*.schema.json")
        }
        for path in sorted(root.rglob("*.json")):
            kind = _schema_for(path.relative_to(root).as_posix())
            if kind is None:
                continue
            errors = [e.message for e in validators[kind].iter_errors(json.loads(path.read_text("utf-8")))]
            assert not errors, (path, errors[:5])
            checked += 1
    assert checked > 25
