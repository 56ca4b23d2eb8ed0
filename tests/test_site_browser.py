"""The built site in a real browser: Debian's Chromium driven by Playwright, the site served on localhost.

Every page is opened with all requests routed through a check: a request to any host but localhost is aborted
and fails the test, as does any console error. Screenshots (desktop 1280×800, phone 390×844) are saved to
tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from kspub.publish.build import build
from kspub.workspace import load_corpus

from .conftest import ROOT
from .site_helpers import AS_OF, EPOCH, demo_repo, site_repo

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        pass


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _built_and_served(repo: Path) -> Iterator[str]:
    """Build ``repo``'s site on AS_OF and serve it on localhost for as long as the caller's fixture lives."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = build(repo, as_of=AS_OF, out=None, progress=False)
    server, base = _serve(result.site)
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Base URLs of two built sites: ``demo`` (a past, an in-force and an upcoming version) and ``real``."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        demo = build(demo_repo(tmp_path_factory.mktemp("demo") / "repo"), as_of=AS_OF, out=None, progress=False)
        real = build(ROOT, as_of=AS_OF, out=tmp_path_factory.mktemp("real") / "build", progress=False)
    servers = {name: _serve(result.site) for name, result in (("demo", demo), ("real", real))}
    yield {name: base for name, (_, base) in servers.items()}
    for server, _ in servers.values():
        server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"浏览器测试需要 Debian 的 Chromium（{CHROMIUM}）：请运行 apt-get install -y chromium（测试不会下载浏览器）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Tab:
    """A page whose console errors and outgoing requests are recorded."""

    page: Any
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requests: int = 0

    def assert_clean(self) -> None:
        assert not self.errors, f"console errors: {self.errors}"
        assert not self.foreign, f"requests left localhost: {self.foreign}"
        assert self.requests > 0


@pytest.fixture
def open_tab(browser: Any) -> Iterator[Callable[..., Tab]]:
    contexts: list[Any] = []
    tabs: list[Tab] = []

    def open_(viewport: dict[str, int] = DESKTOP, now: str | None = None) -> Tab:
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        tab = Tab(context.new_page())

        def route(r: Any) -> None:
            tab.requests += 1
            if urlsplit(r.request.url).hostname in LOCAL_HOSTS:
                r.continue_()
            else:
                tab.foreign.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        tab.page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
        tab.page.on("pageerror", lambda e: tab.errors.append(str(e)))
        if now is not None:
            tab.page.clock.set_fixed_time(now)
        tabs.append(tab)
        return tab

    yield open_
    for context in contexts:
        context.close()
    for tab in tabs:  # a safety net: every test also checks its own tabs
        tab.assert_clean()


def shoot(open_tab: Callable[..., Tab], url: str, name: str, now: str | None = None,
          action: Callable[[Any], None] | None = None) -> None:  # fmt: skip
    """Desktop and phone screenshots of a page (after an optional action) into tests/artifacts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        tab = open_tab(viewport, now)
        tab.page.goto(url)
        tab.page.wait_for_load_state("networkidle")
        if action is not None:
            action(tab.page)
            tab.page.wait_for_timeout(500)  # let the theme's transitions settle
        tab.page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"))
        tab.assert_clean()


def search(page: Any, query: str) -> list[str]:
    """Type a query into the site's search box; the locations of the hits, best first."""
    toggle = page.locator("label.md-header__button[for='__search']")
    if toggle.is_visible():  # on a phone the search box opens from the header's search button
        toggle.click()
    page.locator("input.md-search__input").click()
    page.keyboard.type(query)
    # Chinese arrives as inserted text, without the keyup the theme searches on (an IME sends one): press End.
    page.keyboard.press("End")
    page.wait_for_function(
        "() => document.querySelectorAll('.md-search-result__item').length > 0"
        " || /没有找到/.test(document.querySelector('.md-search-result__meta').textContent)"
    )
    hrefs: list[str] = page.locator(".md-search-result__item a.md-search-result__link").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    return [urlsplit(h).path + ("#" + urlsplit(h).fragment if urlsplit(h).fragment else "") for h in hrefs]


# --- tests ---------------------------------------------------------------------------------------------------


def test_home_lists_every_agreement(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.page.goto(sites["real"])
    cards = tab.page.locator(".ks-card-title a")
    shown = {cards.nth(i).inner_text(): cards.nth(i).get_attribute("href") for i in range(cards.count())}
    agreements = load_corpus(ROOT).agreements
    assert shown == {a.meta.title: f"{a.id}/" for a in agreements}
    tab.assert_clean()
    shoot(open_tab, sites["real"], "home")


def test_clause_permalink_lands_on_the_clause(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    url = sites["real"] + "cloud-service-agreement/#account-credentials-safekeeping"
    tab = open_tab()
    tab.page.goto(url)
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.evaluate("document.querySelector(':target').id") == "account-credentials-safekeeping"
    top = tab.page.evaluate("document.getElementById('account-credentials-safekeeping').getBoundingClientRect().top")
    header = tab.page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
    assert header <= top < DESKTOP["height"] / 2, "the clause is scrolled into view, clear of the header"
    permalink = tab.page.locator("#account-credentials-safekeeping > .ks-text > a.ks-permalink")
    assert permalink.is_visible() and permalink.get_attribute("href") == "#account-credentials-safekeeping"
    tab.assert_clean()
    shoot(open_tab, url, "clause-permalink")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("唯一权证", "/cloud-service-agreement/#account-credentials-safekeeping"),
        ("账户密码", "/cloud-service-agreement/#account-credentials-safekeeping"),
        ("收费", "/cloud-service-agreement/#free-service-charging-notice"),
    ],
)
def test_chinese_search_finds_the_clause(sites: dict[str, str], open_tab: Callable[..., Tab], query: str, expected: str) -> None:
    tab = open_tab()
    tab.page.goto(sites["real"])
    hits = search(tab.page, query)
    clause_hits = [h for h in hits if "#" in h]
    assert clause_hits and clause_hits[0] == expected, hits
    assert not [h for h in hits if "/changes/" in h]
    tab.page.locator(f".md-search-result__item a[href*='{expected.split('#')[1]}']").first.click()
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.evaluate("document.querySelector(':target').id") == expected.split("#")[1]
    tab.assert_clean()
    if query == "唯一权证":
        shoot(open_tab, sites["real"], "search", action=lambda page: search(page, query))


def test_search_leaves_out_archived_versions(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.page.goto(sites["demo"])
    hits = search(tab.page, "自然日")
    clause_hits = sorted(h for h in hits if "#" in h)
    assert clause_hits == ["/demo/#fee-notice", "/demo/3.0/#fee-notice"], hits
    tab.assert_clean()


def test_redline_shows_insertions_and_deletions(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    url = sites["demo"] + "demo/3.0/changes/"
    tab = open_tab()
    tab.page.goto(url)
    change = tab.page.locator("#fee-notice")
    deleted, inserted = change.locator("del"), change.locator("ins")
    assert deleted.count() >= 1 and inserted.count() >= 1
    assert "30" in deleted.all_inner_texts()[0] and "15" in inserted.all_inner_texts()[0]
    assert "line-through" in deleted.first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "underline" in inserted.first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert change.locator(".ks-badge").inner_text() == "实质性变更"
    assert change.locator(".ks-kind").inner_text() == "修改"
    tab.assert_clean()
    shoot(open_tab, url, "redline")


def test_upcoming_version_banner(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    url = sites["demo"] + "demo/"
    tab = open_tab(now="2026-03-10T10:00:00+08:00")
    tab.page.goto(url)
    tab.page.wait_for_load_state("networkidle")
    banner = tab.page.locator(".ks-upcoming")
    assert banner.is_visible()
    assert banner.locator(".ks-upcoming-title").inner_text() == "即将生效：版本 3.0"
    assert "2026年4月1日" in banner.inner_text()
    assert banner.locator("a", has_text="逐条对比").get_attribute("href") == "3.0/changes/"
    assert "现行版本仍是本页所示的版本 2.0" in tab.page.locator(".ks-status-today").inner_text()
    tab.assert_clean()
    shoot(open_tab, url, "agreement-upcoming", now="2026-03-10T10:00:00+08:00")


def test_page_tells_a_later_reader_which_version_is_in_force(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    """The page was built on 2026-03-01; read on 2026-04-02 it says 3.0 is now in force."""
    tab = open_tab(now="2026-04-02T09:00:00+08:00")
    tab.page.goto(sites["demo"] + "demo/")
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.locator(".ks-upcoming-title").inner_text() == "已生效：版本 3.0"
    status = tab.page.locator(".ks-status-today")
    assert "现行版本已是版本 3.0" in status.inner_text()
    assert status.locator("a").get_attribute("href") == "./3.0/"
    # nothing on the page still contradicts it: the page's own pill and every row of the history
    assert tab.page.locator(".ks-meta .ks-pill").inner_text() == "历史版本"
    pills = {row.get_attribute("data-ks-version"): row.locator(".ks-pill").inner_text()
             for row in tab.page.locator("tr[data-ks-version]").all()}  # fmt: skip
    assert pills == {"3.0": "现行版本", "2.0": "历史版本", "1.0": "历史版本"}
    tab.page.goto(sites["demo"] + "demo/2.0/")
    tab.page.wait_for_load_state("networkidle")
    assert "本版本已不是现行版本，现行版本是 3.0" in tab.page.locator(".ks-status-today").inner_text()
    assert tab.page.locator(".ks-meta .ks-pill").inner_text() == "历史版本"
    # the home page's list too
    tab.page.goto(sites["demo"])
    tab.page.wait_for_load_state("networkidle")
    card = tab.page.locator(".ks-card[data-ks-agreement='demo']")
    assert "现行版本 3.0" in card.locator(".ks-card-current").inner_text()
    assert "已于 2026年4月1日 生效" in card.locator(".ks-card-upcoming").inner_text()
    tab.assert_clean()


def test_a_reader_on_the_build_day_sees_the_page_as_built(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    tab = open_tab(now="2026-03-01T09:00:00+08:00")
    tab.page.goto(sites["demo"])
    tab.page.wait_for_load_state("networkidle")
    card = tab.page.locator(".ks-card[data-ks-agreement='demo']")
    assert "现行版本 2.0" in card.locator(".ks-card-current").inner_text()
    assert "将于 2026年4月1日 生效" in card.locator(".ks-card-upcoming").inner_text()
    tab.page.goto(sites["demo"] + "demo/")
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.locator(".ks-meta .ks-pill").inner_text() == "现行版本"
    tab.assert_clean()


def test_sla_and_changes_pages(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.page.goto(sites["real"] + "sla/")
    assert tab.page.locator("table tbody tr").count() == 49
    tab.page.goto(sites["demo"] + "changes/")
    rows = tab.page.locator("table tbody tr")
    assert rows.count() == 3 and "3.0" in rows.first.inner_text()
    tab.assert_clean()
    shoot(open_tab, sites["real"] + "sla/", "sla")
    shoot(open_tab, sites["demo"] + "changes/", "changes")


def test_print_view_is_the_text_alone(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    """The text and what it is (the status line, without its links), none of the site's furniture."""
    tab = open_tab()
    tab.page.emulate_media(media="print")
    tab.page.goto(sites["real"] + "cloud-service-agreement/")
    for selector in (".md-header", ".md-sidebar--primary", ".ks-permalink", ".ks-status a", ".ks-actions"):
        assert not tab.page.locator(selector).first.is_visible(), selector
    assert tab.page.locator(".ks-status-built").is_visible()
    assert tab.page.locator("#account-credentials-safekeeping").is_visible()
    tab.assert_clean()


def test_the_content_security_policy_stops_script_that_reached_a_page(
    sites: dict[str, str], open_tab: Callable[..., Tab], tmp_path: Path
) -> None:
    """Defence in depth: if text ever reached a page as markup, its handlers, javascript: links and inline
    scripts would not run; the theme's own scripts still do (the search works, checked above)."""
    import shutil
    import urllib.request

    site = tmp_path / "site"
    with urllib.request.urlopen(sites["demo"] + "demo/index.html") as response:  # noqa: S310 (localhost)
        page = response.read().decode("utf-8")
    folder = site / "demo"
    folder.mkdir(parents=True)
    planted = (
        '<img id="ks-planted" src="data:," onerror="window.__ks_pwned=\'img\'">'
        '<a id="ks-planted-link" href="javascript:window.__ks_pwned=\'link\'">链接</a>'
        "<script>window.__ks_pwned='script'</script>"
        '<div onmouseover="window.__ks_pwned=\'hover\'" id="ks-planted-div" style="height:40px">悬停</div>'
    )
    assert "Content-Security-Policy" in page
    (folder / "index.html").write_text(page.replace("</h1>", "</h1>" + planted, 1), "utf-8")
    server, base = _serve(site)
    try:
        tab = open_tab()
        tab.page.goto(base + "demo/index.html")
        tab.page.wait_for_load_state("load")
        tab.page.hover("#ks-planted-div")
        tab.page.click("#ks-planted-link")
        tab.page.wait_for_timeout(300)
        assert tab.page.evaluate("typeof window.__ks_pwned") == "undefined"
        # what the browser reported is the policy refusing each of them, nothing else
        assert tab.errors and all("Content Security Policy" in e or "Failed to load resource" in e for e in tab.errors), tab.errors
        assert sum("Content Security Policy" in e for e in tab.errors) >= 3
        tab.errors.clear()  # expected: the violations are the point of this test
    finally:
        server.shutdown()
        shutil.rmtree(site)


@pytest.mark.parametrize("path", ["demo/", "changes/"])
def test_histories_and_change_lists_read_on_a_phone_without_sideways_scrolling(
    sites: dict[str, str], open_tab: Callable[..., Tab], path: str
) -> None:
    tab = open_tab(PHONE)
    tab.page.goto(sites["demo"] + path)
    tab.page.wait_for_load_state("networkidle")
    tables = tab.page.locator(".ks-table--stack")
    assert tables.count() >= 1
    for i in range(tables.count()):
        box = tables.nth(i)
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), f"table {i} scrolls sideways"
        for height in box.evaluate("e => [...e.querySelectorAll('tbody tr')].map(r => r.getBoundingClientRect().height)"):
            assert height < 320, f"a row {height}px tall"
        # every cell says what it is, since the header row is hidden
        labels = box.evaluate("e => [...e.querySelectorAll('tbody td')].map(td => getComputedStyle(td, '::before').content)")
        assert labels and all(label not in ("none", "normal", '""') for label in labels)
    assert tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    tab.assert_clean()


def test_sla_tables_scroll_in_their_box_and_take_keyboard_focus(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    tab = open_tab(PHONE)
    tab.page.goto(sites["real"] + "sla/")
    tab.page.wait_for_load_state("networkidle")
    box = tab.page.locator(".ks-table--scroll").first
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert "SLA" in (box.get_attribute("aria-label") or "")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth"), "on a phone the SLA table is wider than its box"
    box.focus()
    tab.page.keyboard.press("ArrowRight")
    tab.page.keyboard.press("ArrowRight")
    tab.page.wait_for_timeout(200)
    assert box.evaluate("e => e.scrollLeft") > 0, "the arrow keys scroll the focused table"
    assert tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    tab.assert_clean()


MOVES = """---
id: moves
title: 条款去向示例
kind: agreement
version: "{version}"
announced: {announced}
effective: {effective}
summary: 调整条款。
notice:
  default: {{period: 10日, channels: [site], clause: nature}}
{extra}---

{{#general}}
## 一、总则

{{#nature}}
1.1 本协议是您与金山云之间的有效契约，变更提前10日通知。

{body}"""


@pytest.fixture(scope="module")
def moves_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """1.0 (archived): dropped, moving; 2.0 (in force): successor replaces moving, dropped retired; 3.0
    (upcoming): adds extra."""

    from .site_helpers import commit

    repo = tmp_path_factory.mktemp("moves") / "repo"
    site_repo(repo)
    v1 = "{#dropped}\n1.2 将被删除的条款。\n\n{#moving}\n1.3 将被取代的条款。\n"
    v2 = '{#successor replaces="moving"}\n1.2 取代旧条款的新条款。\n'
    v3 = v2 + "\n{#extra}\n1.3 即将新增的条款。\n"
    for version, announced, effective, extra, body in (
        ("1.0", "2025-11-01", "2025-12-01", "", v1),
        ("2.0", "2025-12-15", "2026-01-15", "retired: [dropped]\n", v2),
        ("3.0", "2026-02-20", "2026-04-01", "retired: [dropped]\n", v3),
    ):
        text = MOVES.format(version=version, announced=announced, effective=effective, extra=extra, body=body)
        commit(repo, {"agreements/moves.md": text}, f"版本 {version}")
    yield from _built_and_served(repo)


@pytest.mark.parametrize(
    ("fragment", "said", "lands"),
    [
        ("dropped", "最后包含它的是版本 1.0", "moves/1.0/#dropped"),
        ("moving", "已被本版本的其他条款取代", "moves/#successor"),
        ("extra", "即将生效的版本 3.0", "moves/3.0/#extra"),
        ("no-such-clause", "本页没有编号为 “no-such-clause” 的条款", None),
    ],
)
def test_a_permalink_to_a_clause_not_on_the_page_says_where_it_went(  # type: ignore[no-untyped-def]
    moves_site: str, open_tab: Callable[..., Tab], fragment: str, said: str, lands: str | None
) -> None:
    tab = open_tab()
    tab.page.goto(moves_site + "moves/#" + fragment)
    notice = tab.page.locator("#ks_moved_notice")
    notice.wait_for(state="visible")
    assert said in notice.inner_text()
    if lands is not None:
        tab.page.click("#ks_moved_notice .ks-moved-link")
        tab.page.wait_for_load_state("load")
        assert tab.page.url == moves_site + lands
        target = lands.split("#")[1]
        assert tab.page.locator(f"[id='{target}']").count() == 1, "the link lands on the clause"
    tab.page.goto(moves_site + "moves/#nature")
    assert tab.page.locator("#ks_moved_notice").is_hidden(), "a clause that is on the page needs no notice"
    tab.assert_clean()


@pytest.fixture(scope="module")
def events_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A history with every kind of event, built on 2026-03-01: demo 1.0 in force with a correction, 2.0
    upcoming and postponed, 3.0 withdrawn before taking effect; the agreement "old" withdrawn as a whole."""
    from datetime import date

    from kspub.release import release

    from .conftest import git
    from .test_check import FEE, agreement

    repo = tmp_path_factory.mktemp("events") / "repo"
    site_repo(repo)
    demo, old = repo / "agreements" / "demo.md", repo / "agreements" / "old.md"

    def commit(message: str) -> None:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", message)

    first = "announced: 2025-11-01\neffective: 2025-12-01\n"
    demo.write_text(agreement("1.0", extra=first), "utf-8")
    old.write_text(agreement("1.0", extra=first).replace("id: demo", "id: old").replace("示例协议", "旧版服务协议"), "utf-8")
    release(repo, "demo", today=date(2025, 11, 1), as_is=True)
    release(repo, "old", today=date(2025, 11, 1), as_is=True)
    commit("首次发布")
    fix = first + "corrections:\n  - date: 2026-01-05\n    reason: 更正标点\n"
    demo.write_text(agreement("1.0", fee=FEE.replace("，", ","), extra=fix), "utf-8")
    release(repo, "demo", today=date(2026, 1, 5))
    commit("勘误")
    upcoming = "announced: 2026-02-20\neffective: 2026-04-01\nsummary: 收费通知期改为15日。\n"
    demo.write_text(agreement("2.0", fee=FEE.replace("10", "15"), extra=upcoming), "utf-8")
    release(repo, "demo", today=date(2026, 2, 20))
    commit("发布 2.0")
    release(repo, "demo", today=date(2026, 2, 24), effective=date(2026, 4, 15), reason="系统改造延期")
    commit("推迟 2.0")
    later = "announced: 2026-02-25\neffective: 2026-05-20\nsummary: 收费通知期改为20日。\n"
    demo.write_text(agreement("3.0", fee=FEE.replace("10", "20"), extra=later), "utf-8")
    release(repo, "demo", today=date(2026, 2, 25))
    commit("发布 3.0")
    release(repo, "demo", today=date(2026, 2, 27), withdraw=True, version="3.0", reason="收费方案取消")
    commit("撤回 3.0")
    old.unlink()
    release(repo, "old", today=date(2026, 2, 28), withdraw=True, reason="产品下线")
    commit("旧协议停止适用")
    yield from _built_and_served(repo)


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("demo/", ["现行版本", "2026年1月5日　勘误。原因：更正标点", "即将生效：版本 2.0", "2026年4月15日"]),
        ("demo/2.0/", ["即将生效", "推迟生效：生效日期改为 2026年4月15日。原因：系统改造延期"]),
        ("demo/3.0/", ["历史版本", "已于 2026年2月27日 撤回，未生效"]),
        ("old/", ["本协议已于 2026年2月28日 停止适用", "产品下线"]),
        ("", ["已停止适用"]),
    ],
)
def test_corrected_postponed_and_withdrawn_versions_say_so(  # type: ignore[no-untyped-def]
    events_site: str, open_tab: Callable[..., Tab], path: str, says: list[str]
) -> None:
    tab = open_tab(now="2026-03-01T10:00:00+08:00")
    tab.page.goto(events_site + path)
    tab.page.wait_for_load_state("networkidle")
    text = tab.page.locator("article").inner_text()
    for phrase in says:
        assert phrase in text, (phrase, text[:600])
    tab.assert_clean()
    name = "events-" + (path.strip("/").replace("/", "-") or "home")
    shoot(open_tab, events_site + path, name, now="2026-03-01T10:00:00+08:00")


AXE = ROOT / ".node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_PAGES = [
    ("demo", ""),
    ("demo", "demo/"),
    ("demo", "demo/1.0/"),
    ("demo", "demo/3.0/"),
    ("demo", "demo/3.0/changes/"),
    ("demo", "changes/"),
    ("demo", "404.html"),
    ("real", "sla/"),
    ("real", "privacy-policy/"),
    ("events", "demo/"),
    ("events", "demo/3.0/"),
    ("events", "old/"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_accessibility_violation_on_any_page_type(
    sites: dict[str, str], events_site: str, browser: Any, scheme: str
) -> None:
    """axe-core (WCAG 2.1 A and AA rules) on every page type, in both colour schemes."""
    if not AXE.exists():
        pytest.fail(f"无障碍测试需要 axe-core：请运行 scripts/ensure-axe（{AXE} 不存在）")
    script = AXE.read_text("utf-8")
    # the site's Content-Security-Policy would (rightly) refuse the injected axe script
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True, color_scheme=scheme)
    found: list[str] = []
    try:
        page = context.new_page()
        for site, path in AXE_PAGES:
            page.goto({**sites, "events": events_site}[site] + path)
            page.wait_for_load_state("networkidle")
            page.add_script_tag(content=script)
            violations = page.evaluate(
                """async () => (await axe.run(document, {runOnly: {type: 'tag',
                       values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})).violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.id + ' × ' + v.nodes.length + ': ' + v.nodes[0].target.join(' '))"""
            )
            found.extend(f"{site}:{path or '/'} {v}" for v in violations)
    finally:
        context.close()
    assert not found, "\n".join(found)


def test_a_pasted_query_searches_and_clauses_come_first(sites: dict[str, str], open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.page.goto(sites["real"])
    tab.page.locator("input.md-search__input").click()
    # fill() sets the value with an input event and no key events, as pasting with the mouse does
    tab.page.locator("input.md-search__input").fill("个人信息")
    tab.page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length > 0")
    # the theme groups hits by page (the page's own link heads each group): the first group holds clauses
    first = tab.page.locator(".md-search-result__item").first
    links = first.locator("a.md-search-result__link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any("#" in href for href in links), f"the best hit is a clause: {links[:3]}"
    tab.assert_clean()


def test_change_lists_and_placeholders_are_not_searched(sites: dict[str, str]) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(sites["real"] + "search/search_index.json") as response:  # noqa: S310 (localhost)
        docs = json.loads(response.read().decode("utf-8"))["docs"]
    assert not [d["location"] for d in docs if d["location"].startswith("changes/")]
    assert not [d["location"] for d in docs if "暂无数据" in d["text"]]
    assert any(d["location"].startswith("sla/") for d in docs), "the SLA catalogue itself is searched"
    clauses = [d for d in docs if "#" in d["location"] and not d["location"].startswith("sla/")]
    assert clauses and all(d.get("boost") == 2 for d in clauses)


@pytest.mark.parametrize(("site", "path", "status"), [("demo", "demo/1.0/", "历史版本"), ("demo", "demo/3.0/", "即将生效"),
                                                       ("demo", "demo/", "现行版本"), ("real", "sla/", None)])  # fmt: skip
def test_a_printed_page_says_what_it_is_and_fits_a4(  # type: ignore[no-untyped-def]
    sites: dict[str, str], open_tab: Callable[..., Tab], site: str, path: str, status: str | None
) -> None:
    # A4 at 96 dpi less the default print margins, read on the day the site was built
    tab = open_tab({"width": 718, "height": 1000}, now="2026-03-01T10:00:00+08:00")
    tab.page.emulate_media(media="print")
    tab.page.goto(sites[site] + path)
    tab.page.wait_for_load_state("networkidle")
    if status is not None:
        meta = tab.page.locator(".ks-meta")
        assert meta.is_visible() and status in meta.inner_text() and "生效日期" in meta.inner_text()
        line = tab.page.locator(".ks-status-built")
        assert line.is_visible() and "生成" in line.inner_text()
    assert tab.page.locator(".md-header").is_hidden() and tab.page.locator(".md-sidebar--primary").is_hidden()
    for table in tab.page.locator(".ks-table table").all():
        assert table.evaluate("t => t.getBoundingClientRect().right <= document.documentElement.clientWidth + 1")
    assert tab.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    tab.assert_clean()


@pytest.mark.parametrize(
    ("site", "path", "name", "now"),
    [
        ("demo", "demo/1.0/", "version-archived", None),
        ("demo", "demo/", "agreement-after-midnight", "2026-04-02T09:00:00+08:00"),
        ("demo", "404.html", "not-found", None),
        ("demo", "", "home-demo", "2026-03-01T10:00:00+08:00"),
    ],
)
def test_screenshots_of_the_remaining_page_types(  # type: ignore[no-untyped-def]
    sites: dict[str, str], open_tab: Callable[..., Tab], site: str, path: str, name: str, now: str | None
) -> None:
    """Desktop and phone screenshots (tests/artifacts/) of page types not shot elsewhere, for a person to read."""
    shoot(open_tab, sites[site] + path, name, now=now)
    for label in ("desktop", "phone"):
        assert (ARTIFACTS / f"{name}-{label}.png").stat().st_size > 10_000


def test_screenshots_of_a_moved_clause_and_a_comparison(moves_site: str, open_tab: Callable[..., Tab]) -> None:
    shoot(open_tab, moves_site + "moves/#dropped", "clause-moved", now="2026-03-01T10:00:00+08:00")
    for label in ("desktop", "phone"):
        assert (ARTIFACTS / f"clause-moved-{label}.png").stat().st_size > 10_000
