"""The Atom feeds: they parse, carry every committed version once, and are the same bytes for the same input."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from kspub.publish import api, api_contract, feed
from kspub.publish.snapshot import collect

from .test_api import AS_OF, EPOCH, Built, make_demo_repo

pytestmark = pytest.mark.e2e

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("feed")
    root = make_demo_repo(base / "repo")
    snapshot = collect(root, AS_OF, environ=EPOCH)
    out = base / "out"
    return Built(root, snapshot, out, api.write_api(snapshot, out))


def parse(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry")


def text(element: ET.Element, tag: str) -> str:
    found = element.find(f"{ATOM}{tag}")
    assert found is not None and found.text is not None, tag
    return found.text


def links(element: ET.Element) -> dict[str, tuple[str, str | None]]:
    return {
        link.attrib["rel"]: (link.attrib["href"], link.attrib.get("type"))
        for link in element.findall(f"{ATOM}link")
    }


def test_site_feed_carries_every_version_newest_first(built: Built) -> None:
    root = parse(built.api_root / "feed.xml")
    assert root.tag == f"{ATOM}feed"
    # the latest entry's updated, never the build time: a rebuild without an event leaves the feed alone
    assert text(root, "updated") == "2026-04-20T00:00:00+08:00"
    assert text(root, "updated") == max(text(e, "updated") for e in entries(root))
    assert text(root, "id") == "tag:ksyun.com,2022:feed"
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    assert links(root)["self"] == ("/api/v1/feed.xml", "application/atom+xml")
    generator = root.find(f"{ATOM}generator")
    assert generator is not None and generator.text == "kspub" and not generator.attrib  # no library version
    ids = [text(e, "id") for e in entries(root)]
    # in the order they reached the publication (a day's agreements by ID, each one's versions newest first)
    assert ids == [
        "tag:ksyun.com,2022:agreements/demo/versions/2.0",  # announced 2026-04-20
        "tag:ksyun.com,2022:agreements/demo/versions/1.1",  # announced 2026-03-01
        "tag:ksyun.com,2022:agreements/demo/versions/1.0",  # announced 2026-01-05, recorded 2026-03-01
        "tag:ksyun.com,2022:agreements/other/versions/1.0",  # not announced: recorded 2026-03-01
    ]
    # no commit date anywhere: a version's entry moves only with what a reader sees (its dates, its events)
    for e in entries(root):
        assert text(e, "published").endswith("T00:00:00+08:00") and text(e, "updated").endswith("T00:00:00+08:00")
    assert len(set(ids)) == sum(len(a.versions) for a in built.snapshot.agreements)


def test_agreement_feed_entries_come_from_version_data(built: Built) -> None:
    root = parse(built.api_root / api_contract.feed_path("demo"))
    assert text(root, "title") == "示例协议 版本更新"
    by_id = {text(e, "id").rsplit("/", 1)[1]: e for e in entries(root)}
    assert sorted(by_id) == ["1.0", "1.1", "2.0"]
    upcoming = by_id["2.0"]
    assert text(upcoming, "title") == "示例协议 2.0（2026-06-15 生效）"
    assert text(upcoming, "published") == "2026-04-20T00:00:00+08:00"  # the announced date
    assert text(upcoming, "updated") == "2026-04-20T00:00:00+08:00"  # committed before it was announced
    assert text(upcoming, "summary") == "收费通知条款改写。"
    content = text(upcoming, "content")
    assert (
        "公告日期：2026-04-20" in content and "生效日期：2026-06-15" in content and "上一版本：1.1" in content
    )
    assert links(upcoming) == {
        "alternate": ("/demo/2.0/", "text/html"),
        "related": ("/api/v1/agreements/demo/2.0.json", "application/json"),
    }
    category = upcoming.find(f"{ATOM}category")
    assert category is not None and category.attrib["term"] == "demo"
    first = by_id["1.0"]
    assert first.find(f"{ATOM}summary") is None  # no summary written, none invented
    assert "变更条款" not in text(first, "content")


def test_every_entry_is_complete_atom(built: Built) -> None:
    for path in [built.api_root / "feed.xml", *(built.api_root / "agreements").glob("*/feed.xml")]:
        root = parse(path)
        for entry in entries(root):
            for tag in ("id", "title", "updated", "published", "content"):
                text(entry, tag)
            alternates = [
                link
                for link in entry.findall(f"{ATOM}link")
                if link.attrib.get("rel", "alternate") == "alternate"
            ]
            assert len(alternates) == 1, path


def test_feeds_do_not_read_the_clock(built: Built) -> None:
    later = collect(built.root, date(2026, 7, 1), environ={"SOURCE_DATE_EPOCH": "1782864000"})
    first, second = api.build_api(built.snapshot), api.build_api(later)
    assert first["feed.xml"] == api.build_api(built.snapshot)["feed.xml"]
    # nothing happened to any version between the two dates: not a byte differs, not even the feed's updated
    assert first["feed.xml"] == second["feed.xml"]
    assert first[api_contract.feed_path("demo")] == second[api_contract.feed_path("demo")]


def parse_bytes(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def test_entry_ids_are_independent_of_the_base_url(built: Built) -> None:
    hosted = api.build_api(built.snapshot, base_url="https://legal.example.com")
    root = parse_bytes(hosted["feed.xml"])
    assert [text(e, "id") for e in entries(root)] == [
        text(e, "id") for e in entries(parse(built.api_root / "feed.xml"))
    ]
    assert links(root)["self"][0] == "https://legal.example.com/api/v1/feed.xml"
    assert feed.entry_id("demo", "1.0") == "tag:ksyun.com,2022:agreements/demo/versions/1.0"


def test_the_site_feed_is_paged_as_rfc_5005_archives(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed, "FEED_PAGE", 1)  # four versions: three full archive pages and the current feed
    files = api.build_api(built.snapshot)
    assert [rel for rel in files if rel.startswith("feed/")] == ["feed/1.xml", "feed/2.xml", "feed/3.xml"]
    history = "{http://purl.org/syndication/history/1.0}archive"
    current = parse_bytes(files["feed.xml"])
    assert current.find(history) is None and links(current)["prev-archive"][0] == "/api/v1/feed/3.xml"
    seen = [text(e, "id") for e in entries(current)]
    page = "feed/3.xml"
    while page:
        root = parse_bytes(files[page])
        assert root.find(history) is not None and links(root)["current"][0] == "/api/v1/feed.xml"
        assert not [e for e in entries(root) if e.find(history) is not None]  # a feed-level element (RFC 5005 §4)
        seen += [text(e, "id") for e in entries(root)]
        prev = links(root).get("prev-archive")
        page = prev[0].removeprefix("/api/v1/") if prev else ""
    # every entry exactly once, newest first across the pages
    assert seen == [text(e, "id") for e in entries(parse(built.api_root / "feed.xml"))]
    # an archive page does not change when a newer version arrives: it holds entries counted from the oldest, and
    # links only to older pages and the current feed
    assert "next-archive" not in links(parse_bytes(files["feed/2.xml"]))
    monkeypatch.setattr(feed, "FEED_PAGE", 2)
    fewer = api.build_api(built.snapshot)
    assert [rel for rel in fewer if rel.startswith("feed/")] == ["feed/1.xml"]
