"""Archive pages of ``changes.json`` and ``feed.xml`` never change (RFC 5005): a history of publications,
corrections, a postponement, a withdrawal and versions taking effect, built day after day with small pages;
every archive page, once written, must be byte for byte the same in every later build, and what happened later
must still reach a client through the current page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kspub.publish import api, api_log, feed
from kspub.publish.snapshot import PublishedAgreement, Snapshot, collect

from .record_helpers import Repo, dates, fee, text

pytestmark = pytest.mark.e2e

ATOM = "{http://www.w3.org/2005/Atom}"
CONTACT = "\n{#contact}\n1.3 如有疑问，请联系客服。\n"


def corrected(source: str, day: str) -> str:
    """An editorial correction of a released text — a comma in a clause the version did not change — recorded
    in the front matter."""
    return source.replace("如有疑问，", "如有疑问,").replace(
        "---\n\n", f"corrections:\n  - date: {day}\n    reason: 更正标点\n---\n\n", 1
    )


ALPHA_11 = text("alpha", "1.1", fee(30), dates("2026-03-05", "2026-04-10", "收费通知期延长。")) + CONTACT


def history(repo: Repo) -> list[tuple[date, Callable[[], None] | None]]:
    """The days of the history, each with what was committed that day (None: a build without a commit)."""

    def day1() -> None:
        repo.write("alpha", text("alpha", "1.0", fee(10), dates("2026-03-02", "2026-03-10")) + CONTACT)
        repo.write("beta", text("beta", "1.0", fee(10), dates("2026-03-02", "2026-03-02"), title="乙协议"))
        for agreement in ("alpha", "beta"):
            repo.release(agreement, today=date(2026, 3, 2), as_is=True)
        repo.commit("甲、乙协议 1.0")

    def alpha_11() -> None:
        repo.publish("alpha", ALPHA_11, "甲协议 1.1", today=date(2026, 3, 5), as_is=True)

    def more() -> None:
        repo.write("gamma", text("gamma", "1.0", fee(10), dates("2026-03-12", "2026-03-12"), title="丙协议"))
        repo.release("gamma", today=date(2026, 3, 12), as_is=True)
        repo.write("beta", text("beta", "1.1", fee(20), dates("2026-03-12", "2026-05-01", "乙协议调整。"),
                                title="乙协议"))  # fmt: skip
        repo.release("beta", today=date(2026, 3, 12), as_is=True)
        repo.commit("丙协议 1.0，乙协议 1.1")

    def delta() -> None:
        repo.publish("delta", text("delta", "1.0", fee(10), dates("2026-03-15", "2026-03-15"), title="丁协议"),
                     "丁协议 1.0", today=date(2026, 3, 15), as_is=True)  # fmt: skip

    def epsilon() -> None:  # later the same day: its entry lands among the day's entries, not after them
        repo.publish("epsilon", text("epsilon", "1.0", fee(10), dates("2026-03-15", "2026-03-15"), title="戊协议"),
                     "戊协议 1.0", today=date(2026, 3, 15), as_is=True)  # fmt: skip

    def correction() -> None:  # of alpha 1.1, whose publication is archived by now
        repo.publish("alpha", corrected(ALPHA_11, "2026-03-20"), "甲协议 1.1 勘误", today=date(2026, 3, 20), as_is=True)

    def postponement() -> None:
        repo.release("beta", today=date(2026, 3, 25), effective=date(2026, 5, 15), reason="系统改造延后")
        repo.commit("乙协议 1.1 推迟生效")

    def withdrawal() -> None:
        repo.release("beta", today=date(2026, 4, 12), withdraw=True, version="1.1", reason="方案取消")
        repo.commit("乙协议 1.1 撤回")

    return [
        (date(2026, 3, 2), day1),
        (date(2026, 3, 3), None),
        (date(2026, 3, 5), alpha_11),
        (date(2026, 3, 10), None),  # alpha 1.0 takes effect
        (date(2026, 3, 12), more),
        (date(2026, 3, 15), delta),
        (date(2026, 3, 15), epsilon),  # a second merge, a second build, the same day
        (date(2026, 3, 20), correction),
        (date(2026, 3, 25), postponement),
        (date(2026, 4, 10), None),  # alpha 1.1 takes effect
        (date(2026, 4, 12), withdrawal),
        (date(2026, 5, 15), None),  # the day beta 1.1 would have taken effect
        (date(2026, 5, 16), None),
    ]


Builds = list[tuple[date, Snapshot, dict[str, bytes]]]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """Every day of the history, built with two rows and two entries a page."""
    repo = Repo.create(tmp_path_factory.mktemp("archives") / "repo")
    out: Builds = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api, "CHANGES_PAGE", 2)
        patch.setattr(feed, "FEED_PAGE", 2)
        for day, commit in history(repo):
            if commit is not None:
                commit()
            snapshot = collect(repo.path, day, environ={})
            out.append((day, snapshot, api.build_api(snapshot)))
    return out


def archives(files: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: data for rel, data in files.items() if rel.startswith(("changes/", "feed/"))}


def rows(files: dict[str, bytes]) -> list[dict[str, Any]]:
    """changes.json and every archive page, newest first, as a client reads them."""
    page: dict[str, Any] = json.loads(files["changes.json"])
    out = list(page["changes"])
    while page["urls"]["prev_archive"]:
        page = json.loads(files[page["urls"]["prev_archive"].removeprefix("/api/v1/")])
        assert page["archive"] is True
        out += page["changes"]
    return out


def feed_entries(files: dict[str, bytes]) -> list[ET.Element]:
    root = ET.fromstring(files["feed.xml"])
    out = root.findall(f"{ATOM}entry")
    while (prev := next((link for link in root.findall(f"{ATOM}link") if link.get("rel") == "prev-archive"), None)) is not None:
        root = ET.fromstring(files[prev.attrib["href"].removeprefix("/api/v1/")])
        assert root.find("{http://purl.org/syndication/history/1.0}archive") is not None
        out += root.findall(f"{ATOM}entry")
    return out


def element(entry: ET.Element) -> bytes:
    """An entry's XML without the whitespace that follows it (which depends on its place in the document)."""
    entry.tail = None
    return ET.tostring(entry)


def newest(items: list[Any], ident: Callable[[Any], str]) -> dict[str, Any]:
    first: dict[str, Any] = {}
    for item in items:
        first.setdefault(ident(item), item)
    return first


def build_on(builds: Builds, day: date) -> dict[str, bytes]:
    """The day's last build."""
    return [files for d, _, files in builds if d == day][-1]


# ── the guarantee ───────────────────────────────────────────────────────────────────────────────────────────


def test_an_archive_page_never_changes_once_written(builds: Builds) -> None:
    seen: dict[str, tuple[date, bytes]] = {}
    for day, _, files in builds:
        pages = archives(files)
        assert set(seen) <= set(pages), (day, sorted(set(seen) - set(pages)))  # never withdrawn
        for rel, data in pages.items():
            first = seen.setdefault(rel, (day, data))
            assert data == first[1], f"{rel}, written on {first[0]}, differs on {day}"
    # the history is long enough for the guarantee to be tested: many pages, written on many days
    assert len([rel for rel in seen if rel.startswith("changes/")]) >= 5
    assert len([rel for rel in seen if rel.startswith("feed/")]) >= 3
    assert len({written for written, _ in seen.values()}) >= 4


def test_every_version_reads_as_it_is_now_from_its_newest_row(builds: Builds) -> None:
    """Reading newest first, a version's first row is its current state: the timeline's status and dates, the
    version document's change counts, the feed entry's updated."""
    for day, snapshot, files in builds:
        first = newest(rows(files), lambda r: r["id"])
        current = {r["id"]: r for r in json.loads(files["changes.json"])["changes"]}
        assert all(first[i] == row for i, row in current.items()), day  # the current page shows newest rows
        assert len(first) == sum(len(a.versions) for a in snapshot.agreements), day
        for agreement in snapshot.agreements:
            timeline = {v["version"]: v for v in json.loads(files[f"agreements/{agreement.id}.json"])["versions"]}
            agreement_feed = ET.fromstring(files[f"agreements/{agreement.id}/feed.xml"])
            for v in agreement.versions:
                row = first[feed.entry_id(agreement.id, v.label)]
                assert (row["status"], row["effective"]) == (timeline[v.label]["status"], timeline[v.label]["effective"])
                document = json.loads(files[f"agreements/{agreement.id}/{v.label}.json"])
                changes = document["changes"]["changes"] if document["changes"] else []
                assert row["counts"]["total"] == len(changes) and row["material"] == document["material"]
                entry = next(e for e in agreement_feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == row["id"])
                assert row["updated"] == entry.findtext(f"{ATOM}updated"), (day, row["id"])
        # the site feed's newest entry of each version is the agreement feed's entry, element for element
        entries = newest(feed_entries(files), lambda e: e.findtext(f"{ATOM}id"))
        for agreement in snapshot.agreements:
            for entry in ET.fromstring(files[f"agreements/{agreement.id}/feed.xml"]).iter(f"{ATOM}entry"):
                assert element(entries[entry.findtext(f"{ATOM}id")]) == element(entry), day


def test_a_correction_after_the_page_was_archived(builds: Builds) -> None:
    before, after = build_on(builds, date(2026, 3, 15)), build_on(builds, date(2026, 3, 20))
    alpha = feed.entry_id("alpha", "1.1")
    published = [(rel, r) for rel, d in archives(before).items() if rel.startswith("changes/")
                 for r in json.loads(d)["changes"] if r["id"] == alpha]  # fmt: skip
    assert [r["logged"] for _, r in published] == ["2026-03-05"]  # its publication: archived before the correction
    rel, row = published[0]
    assert after[rel] == before[rel]  # the archive page is untouched, byte for byte
    assert row["updated"].startswith("2026-03-05") and row["counts"]["total"] == 1  # as it was published
    # the correction reaches a client through the current page: a new row, its updated moved
    (now,) = (r for r in json.loads(after["changes.json"])["changes"] if r["id"] == alpha)
    assert (now["logged"], now["updated"][:10]) == ("2026-03-20", "2026-03-20")
    assert now["counts"]["total"] == 2  # the comma is an editorial change of its own
    # and through the feed: the archived entry is as it was, the current one names the correction
    old = [(rel, e) for rel, d in archives(before).items() if rel.startswith("feed/")
           for e in ET.fromstring(d).iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == alpha]  # fmt: skip
    assert len(old) == 1 and after[old[0][0]] == before[old[0][0]]
    content = old[0][1].findtext(f"{ATOM}content") or ""
    assert "勘误" not in content and "变更条款：1 处" in content
    assert old[0][1].findtext(f"{ATOM}updated") == "2026-03-05T00:00:00+08:00"
    (entry,) = (e for e in ET.fromstring(after["feed.xml"]).iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == alpha)
    assert entry.findtext(f"{ATOM}updated") == "2026-03-20T00:00:00+08:00"
    assert "勘误（2026-03-20）：更正标点" in (entry.findtext(f"{ATOM}content") or "")
    assert "变更条款：2 处" in (entry.findtext(f"{ATOM}content") or "")


def test_a_status_change_after_the_page_was_archived(builds: Builds) -> None:
    before, after = build_on(builds, date(2026, 3, 25)), build_on(builds, date(2026, 4, 10))
    alpha = feed.entry_id("alpha", "1.1")
    kept = {rel: d for rel, d in archives(before).items() if rel in after}
    assert kept and all(after[rel] == d for rel, d in kept.items())
    archived_rows = [r for rel, d in kept.items() if rel.startswith("changes/") for r in json.loads(d)["changes"]]
    # its publication (and any later row archived before it took effect): archived as they were, upcoming
    archived_alpha = {(r["logged"], r["status"]) for r in archived_rows if r["id"] == alpha}
    assert ("2026-03-05", "upcoming") in archived_alpha and {s for _, s in archived_alpha} == {"upcoming"}
    (now,) = (r for r in json.loads(after["changes.json"])["changes"] if r["id"] == alpha)
    assert (now["logged"], now["status"]) == ("2026-04-10", "in-force")
    assert now["updated"] == "2026-03-20T00:00:00+08:00"  # a change of status is no news: a mailer stays quiet
    # alpha 1.0 was superseded the same day: a row of its own, archived on the page as it was
    (older,) = (r for r in json.loads(after["changes.json"])["changes"] if r["id"] == feed.entry_id("alpha", "1.0"))
    assert (older["logged"], older["status"]) == ("2026-04-10", "archived")


def test_a_postponement_and_a_withdrawal_are_rows_of_their_own(builds: Builds) -> None:
    beta = feed.entry_id("beta", "1.1")
    history = [(r["logged"], r["status"], r["effective"], r["updated"][:10])
               for r in rows(build_on(builds, date(2026, 5, 16))) if r["id"] == beta][::-1]  # fmt: skip
    assert history == [
        ("2026-03-12", "upcoming", "2026-05-01", "2026-03-12"),  # published
        ("2026-03-25", "upcoming", "2026-05-15", "2026-03-25"),  # postponed
        ("2026-04-12", "archived", "2026-05-15", "2026-04-12"),  # withdrawn before it took effect
    ]


def test_a_quiet_day_changes_no_page(builds: Builds) -> None:
    # 05-15 and 05-16: nothing recorded, nothing takes effect (the withdrawn version never does)
    quiet, next_day = build_on(builds, date(2026, 5, 15)), build_on(builds, date(2026, 5, 16))
    for rel in ("changes.json", "feed.xml", *archives(quiet)):
        assert quiet[rel] == next_day[rel], rel
    assert archives(quiet).keys() == archives(next_day).keys()
    # the whole API: only the pointers and the manifests' tops — no part, no page
    pointers = {"index.json", "manifest.json", "manifest/index.json"} | {
        f"agreements/{a}/current.json" for a in ("alpha", "beta", "delta", "epsilon", "gamma")
    }
    assert quiet.keys() == next_day.keys()
    assert {rel for rel in quiet if quiet[rel] != next_day[rel]} == pointers


def test_pages_are_archived_only_when_their_day_is_over(builds: Builds) -> None:
    for day, _, files in builds:
        current = json.loads(files["changes.json"])["changes"]
        newest_day = max(r["logged"] for r in rows(files))
        for rel, data in archives(files).items():
            if rel.startswith("changes/"):
                assert all(r["logged"] < newest_day for r in json.loads(data)["changes"]), (day, rel)
                assert len(json.loads(data)["changes"]) == 2
        assert current and all(r["logged"] <= day.isoformat() for r in current)


def test_the_history_happened(builds: Builds) -> None:
    """The scenario is what the tests above rely on: the correction, the postponement and the withdrawal were
    recorded as events, and the versions took effect when they should."""
    _, snapshot, _ = builds[-1]
    beta = snapshot.agreement("beta")
    alpha = snapshot.agreement("alpha")
    assert beta is not None and alpha is not None
    assert [e.kind.value for e in beta.versions[1].record.release.events] == ["postponement", "withdrawal"]  # type: ignore[union-attr]
    assert [e.kind.value for e in alpha.versions[1].record.release.events] == ["correction"]  # type: ignore[union-attr]
    assert len(alpha.versions[1].record.sources) == 2  # the text as released and as corrected
    assert [v.status for v in alpha.versions] == ["archived", "in-force"]
    assert [v.status for v in beta.versions] == ["in-force", "archived"]
    assert [a.id for a in snapshot.agreements] == ["alpha", "beta", "delta", "epsilon", "gamma"]


# ── the paging rule itself ──────────────────────────────────────────────────────────────────────────────────


def _entries(rows: list[tuple[int, str, int]]) -> list[api_log.Entry]:
    agreements = {name: PublishedAgreement(name, name, "agreement", ()) for _, name, _ in rows}
    return api_log.in_order([api_log.Entry(date(2026, 1, 1) + timedelta(days=d), agreements[name], position, 1)
                             for d, name, position in rows])  # fmt: skip


def _key(entry: api_log.Entry) -> tuple[date, str, int]:
    return (entry.day, entry.agreement.id, entry.position)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 6), st.sampled_from("abcde"), st.integers(0, 3)), unique=True, max_size=40),
    later=st.lists(st.tuples(st.integers(0, 2), st.sampled_from("abcde"), st.integers(0, 3)), max_size=8),
    size=st.integers(1, 5),
)
def test_entries_of_the_newest_day_or_later_never_reach_an_archived_page(
    rows: list[tuple[int, str, int]], later: list[tuple[int, str, int]], size: int
) -> None:
    """Whatever arrives on the newest day (another merge the same day) or after leaves every archived page as it
    was: same entries, same order."""
    before = _entries(rows)
    newest = max((d for d, _, _ in rows), default=0)
    added = [(newest + d, name, position) for d, name, position in later]
    after = _entries(sorted(set(rows) | set(added)))
    archived, current = api_log.pages(before, size)
    then, _ = api_log.pages(after, size)
    assert [[_key(e) for e in page] for page in then[: len(archived)]] == [[_key(e) for e in page] for page in archived]
    # every entry is on an archive page or the current one (which shows each version once, by its newest entry)
    on_archives = [_key(e) for page in archived for e in page]
    assert len(on_archives) == len(set(on_archives)) and all(len(page) == size for page in archived)
    rest = {(e.agreement.id, e.position) for e in before} - {(e.agreement.id, e.position) for e in current}
    assert all(any((e.agreement.id, e.position) == r for page in archived for e in page) for r in rest)
    assert len({(e.agreement.id, e.position) for e in current}) == len(current)
    assert all(e.day < before[-1].day for page in archived for e in page)
