"""kspub build: the real repository builds; every clause is reachable by its ID with exactly its source text;
builds are reproducible; a failed build leaves the old site; drafts, internal notes and HTML never leak."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kspub.cli import main
from kspub.errors import KspubError
from kspub.model import NodeKind
from kspub.publish import build as build_module
from kspub.publish.build import BuildResult, build
from kspub.publish.cache import Cache
from kspub.publish.incremental import collect_cached, load_corpus_cached
from kspub.publish.progress import Phases
from kspub.publish.snapshot import Snapshot, collect
from kspub.workspace import load_corpus

from .conftest import ROOT, demo_text, git
from .site_helpers import (
    AS_OF,
    EPOCH,
    V3,
    all_output_text,
    commit,
    demo_repo,
    expected_text,
    node_text,
    site_repo,
    tree_digest,
)

pytestmark = pytest.mark.e2e
POSITIONAL = re.compile(r'\bid="(?!__)(?:[^"]*_)?\d+"')  # the theme's own IDs start with __ (__palette_0)


@pytest.fixture(scope="module")
def epoch() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        yield


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory, epoch: None) -> BuildResult:
    return build(ROOT, as_of=AS_OF, out=tmp_path_factory.mktemp("real") / "build", progress=False)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory, epoch: None) -> BuildResult:
    repo = demo_repo(tmp_path_factory.mktemp("demo") / "repo")
    return build(repo, as_of=AS_OF, out=None, progress=False)


# --- the real repository ---------------------------------------------------------------------------------


def test_real_repository_builds(real_site: BuildResult) -> None:
    site = real_site.site
    corpus = load_corpus(ROOT)
    assert (site / "index.html").is_file() and (site / "sla" / "index.html").is_file()
    assert (site / "changes" / "index.html").is_file()
    for a in corpus.agreements:
        assert (site / a.id / "index.html").is_file(), a.id
        assert (site / a.id / a.meta.version / "index.html").is_file(), a.id
        assert (site / "api" / "v1" / "agreements" / f"{a.id}.json").is_file(), a.id
    assert real_site.api_files > 0 and real_site.search_entries > 0
    assert not list(real_site.site.parent.glob(".staging-*")), "the staging directory is removed"


def test_every_clause_is_reachable_by_its_id_with_its_source_text(real_site: BuildResult) -> None:
    for agreement in load_corpus(ROOT).agreements:
        page = (real_site.site / agreement.id / "index.html").read_text("utf-8")
        for node in agreement.nodes:
            assert page.count(f'id="{node.id}"') == 1, f"{agreement.id}#{node.id}"
            shown = node_text(page, node.id)
            assert shown == expected_text(node.printed), f"{agreement.id}#{node.id}"


def test_cjk_bold_is_rendered(real_site: BuildResult) -> None:
    """``**…。**若`` is left literal by CommonMark's flanking rules; the site shows it bold."""
    page = (real_site.site / "cloud-service-agreement" / "index.html").read_text("utf-8")
    clause = page[page.index('id="account-credentials-safekeeping"') :]
    clause = clause[: clause.index("</div>")]
    assert "<strong>因您未能保管好该账户和密码而导致的法律责任由您全部承担。</strong>若因为" in clause
    assert "**" not in clause


def test_no_positional_anchors_anywhere(real_site: BuildResult, demo_site: BuildResult) -> None:
    for site in (real_site.site, demo_site.site):
        for page in site.rglob("*.html"):
            found = POSITIONAL.findall(page.read_text("utf-8"))
            assert not found, f"{page.relative_to(site)}: {found}"


def test_anchors_on_agreement_pages_are_clause_ids(real_site: BuildResult) -> None:
    for agreement in load_corpus(ROOT).agreements:
        page = (real_site.site / agreement.id / "index.html").read_text("utf-8")
        article = page[page.index('<article class="md-content__inner') : page.index("</article>")]
        ids = set(re.findall(r'\bid="([^"]+)"', article))
        furniture = {i for i in ids if i.startswith("ks_")}
        assert ids - furniture == {n.id for n in agreement.nodes}, agreement.id


def test_sla_catalogue_page(real_site: BuildResult) -> None:
    page = (real_site.site / "sla" / "index.html").read_text("utf-8")
    catalogue = load_corpus(ROOT).sla
    assert catalogue is not None
    assert len(catalogue.categories) == 12 and len(catalogue.entries) == 49
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "every anchor on the page is unique"
    for category in catalogue.categories:
        assert f'id="category-{category.id}"' in page
    for entry in catalogue.entries:
        row = re.search(rf'<tr id="{entry.id}">(.*?)</tr>', page)
        assert row is not None, entry.id
        assert entry.title in row.group(1)
        if entry.availability is None:
            assert "暂无数据" in row.group(1)


def test_two_builds_are_byte_identical(real_site: BuildResult, tmp_path: Path, epoch: None) -> None:
    again = build(ROOT, as_of=AS_OF, out=tmp_path / "again", progress=False, cache=False)
    assert again.cache_hits == 0
    first, second = tree_digest(real_site.site), tree_digest(again.site)
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert not differing
    assert tree_digest(real_site.docs) == tree_digest(again.docs)


def test_theme_search_fix_applies(real_site: BuildResult) -> None:
    assert real_site.search_fixed, (
        "the Chinese query segmentation fix in kspub/publish/search.py no longer matches the theme's search "
        "worker: check whether the new mkdocs-material version still drops the last word of a Chinese query"
    )


# --- the demo repository: versions, banners, redlines, search ---------------------------------------------


def test_site_layout_for_past_current_and_upcoming(demo_site: BuildResult) -> None:
    site = demo_site.site
    for path in ("demo/index.html", "demo/1.0/index.html", "demo/2.0/index.html", "demo/3.0/index.html",
                 "demo/2.0/changes/index.html", "demo/3.0/changes/index.html"):  # fmt: skip
        assert (site / path).is_file(), path
    assert not (site / "demo" / "1.0" / "changes").exists(), "the first version has nothing to compare with"
    main_page = (site / "demo" / "index.html").read_text("utf-8")
    assert "即将生效：版本 3.0" in main_page and "2026年4月1日" in main_page
    assert "收费通知期调整为15日，并明确通知方式。" in main_page
    assert node_text(main_page, "fee-notice") == "1.2 免费服务转为收费前，金山云将提前30个自然日通知您。"
    home = (site / "index.html").read_text("utf-8")
    assert "示例协议" in home and "版本 3.0 将于 2026年4月1日 生效" in home


def test_redline_marks_insertions_and_deletions(demo_site: BuildResult) -> None:
    page = (demo_site.site / "demo" / "3.0" / "changes" / "index.html").read_text("utf-8")
    assert re.search(r"<del>[^<]*30[^<]*</del>", page)
    assert "<ins><strong>15</strong></ins>" in page  # the emphasis of the inserted text is kept
    assert 'id="fee-notice"' in page and "实质性变更" in page


def test_every_redline_page_offers_its_word_redline(demo_site: BuildResult) -> None:
    import zipfile

    site = demo_site.site
    pages = sorted(site.glob("demo/**/changes/index.html")) + sorted(site.glob("demo/**/compare/*/index.html"))
    assert len(pages) >= 2
    for page in pages:
        (href,) = re.findall(r'<a href="([^"]+\.docx)" download>下载 Word 修订稿', page.read_text("utf-8"))
        docx = (page.parent / href).resolve()
        assert docx.is_file(), (page, href)
        with zipfile.ZipFile(docx) as z:
            body = z.read("word/document.xml").decode("utf-8")
        assert "<w:ins " in body and "<w:del " in body and 'w:author="kspub"' in body
    with zipfile.ZipFile(site / "demo" / "3.0" / "changes" / "demo-2.0-3.0.docx") as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert 'w:date="2026-02-20T00:00:00Z"' in body  # the newer version's announced date, the same every build


def test_search_covers_in_force_and_upcoming_only(demo_site: BuildResult) -> None:
    index = json.loads((demo_site.site / "search" / "search_index.json").read_text("utf-8"))
    locations = [d["location"] for d in index["docs"]]
    assert "demo/#fee-notice" in locations and "demo/3.0/#fee-notice" in locations
    assert not [x for x in locations if x.startswith(("demo/1.0/", "demo/2.0/"))]
    assert not [x for x in locations if "/changes/" in x]
    fee = next(d for d in index["docs"] if d["location"] == "demo/#fee-notice")
    assert "\u200b" in fee["text"], "Chinese is segmented for the search index"


def test_cached_collect_equals_collect(demo_site: BuildResult, tmp_path: Path) -> None:
    repo = demo_site.site.parent.parent
    cache = Cache(tmp_path / "cache")
    plain = collect(repo, AS_OF)
    for _ in range(2):  # filled, then read back
        cached = collect_cached(repo, AS_OF, cache=cache, phases=Phases())
        assert _snapshot_data(cached) == _snapshot_data(plain)


def test_cached_corpus_equals_load_corpus(tmp_path: Path) -> None:
    for root in (ROOT, demo_repo(tmp_path / "repo")):
        cache = Cache(tmp_path / "cache")
        for _ in range(2):  # filled, then read back
            assert load_corpus_cached(root, cache) == load_corpus(root)
    broken = tmp_path / "repo" / "agreements" / "demo.md"
    broken.write_text(V3.replace("1.1 本协议", "1.1 <b>本协议</b>"), "utf-8")
    assert load_corpus_cached(tmp_path / "repo", Cache(tmp_path / "cache")) == load_corpus(tmp_path / "repo")


def _snapshot_data(s: Snapshot) -> object:
    return [
        (a.id, a.title, a.kind, [(v.record, v.agreement, v.status, v.previous, v.changes.to_dict() if v.changes else None)
                                 for v in a.versions])  # fmt: skip
        for a in s.agreements
    ] + [s.as_of, s.built_at, s.sla]


# --- the cache ----------------------------------------------------------------------------------------------


def test_unchanged_rebuild_reuses_cache_and_changes_miss(
    tmp_path: Path, epoch: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = demo_repo(tmp_path / "repo")
    first = build(repo, as_of=AS_OF, out=None, progress=False)
    # the working tree's file, 3 versions, 2 diffs and their Word redlines, 3 bodies, the pages searched: 2.0 in
    # force and 3.0 upcoming; the agreement's pages as one unit, and every page of the site through mkdocs
    # and the record of the whole output; the three comparisons the API's since documents make (1.0 → 2.0,
    # 1.0 → 3.0, 2.0 → 3.0), each resting on a comparison the site's pages would share
    assert first.cache_missed == {"agreement-pages": 1, "body": 3, "compare": 3, "diff": 2, "docx": 2, "lint": 1, "notice": 2,
                                  "page-meta": first.pages, "parse": 3, "search": 2, "since": 3, "site": 1}  # fmt: skip
    # found: only what this build computed ahead for the API's process (3 comparisons, 2 notices), before it
    # started, so that it and the pages never both compute one, and the 2 pages' search entries (computed with
    # them, read back by the search phase)
    assert first.cache_hits == 3 + 2 + 2 and first.pages_rendered == first.pages
    same = build(repo, as_of=AS_OF, out=None, progress=False)
    # the same inputs: the snapshot is collected from the cache and the whole output carried over
    assert same.cache_misses == 0 and same.cache_hits == 1 + 3 + 2 + 1 and "carry" in same.timings
    with monkeypatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400))  # another build time: the output is built
        second = build(repo, as_of=AS_OF, out=None, progress=False)
    # everything found but the record of the whole output; the bodies and Word redlines are inside the
    # agreement's pages, and the comparisons inside the since documents, not read again
    assert second.cache_missed == {"site": 1} and second.cache_hits == first.cache_misses - 1 - 3 - 2 - 3
    assert second.pages_rendered == 0
    v4 = V3.replace('version: "3.0"', 'version: "4.0"').replace("2026-04-01", "2026-05-01").replace("15个自然日", "20个自然日")
    commit(repo, {"agreements/demo.md": v4}, "4.0")
    third = build(repo, as_of=AS_OF, out=None, progress=False)
    # only what the new version brings: its file, parse, diff against 3.0, body, its search entries, its
    # comparisons with each earlier version (the since documents of 1.0, 2.0 and 3.0; the page comparing the
    # version in force, 2.0, with it shares one), and the Word redlines of both; the agreement's pages again
    # (every one shows the version history), the home page and the list of changes
    assert third.cache_missed == {"agreement-pages": 1, "body": 1, "compare": 3, "diff": 1, "docx": 2, "lint": 1,
                                  "notice": 1, "page-meta": third.pages_rendered, "parse": 1, "search": 1,
                                  "since": 3, "site": 1}  # fmt: skip
    assert 0 < third.pages_rendered < third.pages
    page = (third.site / "demo" / "4.0" / "index.html").read_text("utf-8")
    assert "20个自然日" in page


def test_a_damaged_cache_entry_is_recomputed(tmp_path: Path, epoch: None) -> None:
    repo = demo_repo(tmp_path / "repo")
    first = build(repo, as_of=AS_OF, out=None, progress=False)
    for entry in (repo / "build" / ".cache").rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    second = build(repo, as_of=AS_OF, out=None, progress=False)
    assert second.cache_hits == 0 and second.cache_misses == first.cache_misses
    assert tree_digest(second.site) == tree_digest(first.site)


# --- failures keep the old site ---------------------------------------------------------------------------


def test_failed_build_leaves_old_site_and_says_why(tmp_path: Path, epoch: None) -> None:
    repo = demo_repo(tmp_path / "repo")
    good = build(repo, as_of=AS_OF, out=None, progress=False)
    before = tree_digest(good.site)
    # an error committed (the build reads the committed tree): raw HTML is not allowed in agreement text
    commit(repo, {"agreements/demo.md": V3.replace("1.1 本协议", "1.1 <b>本协议</b>")}, "坏的修改")
    with pytest.raises(KspubError) as info:
        build(repo, as_of=AS_OF, out=None, progress=False)
    assert info.value.code == "KS010"
    assert tree_digest(good.site) == before
    assert not list((repo / "build").glob(".staging-*"))
    result = CliRunner().invoke(main, ["build", "--root", str(repo), "--as-of", "2026-03-01"])
    assert result.exit_code == 1
    # the project's error convention: each problem as path:line: CODE message, then one Chinese summary line
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("错误：KS010 协议源文件有 2 处错误")
    assert all(line.startswith("agreements/demo.md:16: KS501 正文中不允许使用 HTML") for line in lines[:-1])
    assert len(lines) == 3 and result.stdout == ""


@pytest.mark.parametrize("stage", ["_write_api", "_run_mkdocs", "_check_site"])
def test_interrupted_build_leaves_old_site(tmp_path: Path, epoch: None, monkeypatch: pytest.MonkeyPatch, stage: str) -> None:
    repo = demo_repo(tmp_path / "repo")
    good = build(repo, as_of=AS_OF, out=None, progress=False)
    before = tree_digest(good.site)

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, stage, interrupt)
    # another build time, so that the output is built again rather than carried over whole
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400))
    # the API is written in a second process, which reports its interruption as an error
    with pytest.raises(KspubError if stage == "_write_api" else KeyboardInterrupt):
        build(repo, as_of=AS_OF, out=None, progress=False)
    assert tree_digest(good.site) == before
    assert not list((repo / "build").glob(".staging-*"))


def test_the_api_process_ends_when_its_work_is_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process writing the API ends as soon as it has written it — it does not wait, holding its memory,
    for the build to ask what it used — and the build still learns every cache entry it used."""
    store = Cache(tmp_path / "cache")
    used = {tmp_path / "cache" / f"since-{i:06d}-{'0' * 64}.pickle" for i in range(20_000)}  # ~2 MB of paths

    def write(snapshot: object, folder: Path, base_url: str, cache: Cache, *_: object) -> list[Path]:
        cache.used.update(used)
        (folder / "api").mkdir(parents=True)
        return [folder / "api" / "index.json"]

    monkeypatch.setattr(build_module, "_write_api", write)
    writer = build_module._ApiWriter.start(Snapshot.__new__(Snapshot), tmp_path / "staging", cache=store)
    writer.process.join(timeout=60)
    assert not writer.process.is_alive()
    site = tmp_path / "site"
    site.mkdir()
    assert writer.finish(site, store) == 1
    assert used <= store.used
    assert (site / "api").is_dir() and not (tmp_path / "staging" / "cache-used.txt").exists()
    assert not (tmp_path / "staging" / "fingerprints.txt").exists()


@pytest.mark.parametrize("cache", [True, False])
def test_a_site_configuration_mkdocs_refuses_is_a_clear_error(tmp_path: Path, epoch: None, cache: bool) -> None:
    """A committed mkdocs.yml naming a plugin that is not installed: KS922 in Chinese with what mkdocs said,
    exit 1, nothing of the build left behind and the published site as it was (not mkdocs' bare English
    "Aborted with a configuration error!")."""
    repo = demo_repo(tmp_path / "repo")
    good = build(repo, as_of=AS_OF, out=None, progress=False)
    before = tree_digest(good.site)
    config = (repo / "mkdocs.yml").read_text("utf-8").replace("plugins:\n", "plugins:\n  - no-such-plugin\n", 1)
    commit(repo, {"mkdocs.yml": config}, "网站配置")
    with pytest.raises(KspubError) as info:
        build(repo, as_of=AS_OF, out=None, progress=False, cache=cache)
    assert info.value.code == "KS922" and "no-such-plugin" in info.value.message
    result = CliRunner().invoke(main, ["build", "--root", str(repo), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1
    assert "KS922 mkdocs 未能生成网站：" in result.stderr and "no-such-plugin" in result.stderr
    assert "Aborted" not in result.output + result.stderr
    assert tree_digest(good.site) == before
    assert not list((repo / "build").glob(".staging-*"))


def test_an_agreement_id_may_not_take_a_site_path(tmp_path: Path, epoch: None) -> None:
    repo = tmp_path / "repo"
    (repo / "agreements").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text("utf-8"), "utf-8")
    commit(repo, {"agreements/sla.md": demo_text().replace("id: demo", "id: sla")})
    with pytest.raises(KspubError) as info:
        build(repo, as_of=AS_OF, out=None, progress=False)
    assert info.value.code == "KS920"


def test_missing_site_configuration(tmp_path: Path) -> None:
    repo = demo_repo(tmp_path / "repo")
    git(repo, "rm", "-q", "mkdocs.yml")
    commit(repo, {}, "删除网站配置")
    # an uncommitted configuration is not the published one
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    with pytest.raises(KspubError) as info:
        build(repo, as_of=AS_OF, out=None, progress=False)
    assert info.value.code == "KS921" and "当前提交中没有" in info.value.message


# --- nothing unpublished leaks ------------------------------------------------------------------------------

SLA = """title: 服务等级协议
internal:
  note: MARKER-SLA-INTERNAL
categories:
  - id: compute
    title: 计算
    entries:
      - id: cloud-server
        title: 云服务器服务等级协议
        availability: 99.95%
"""


def test_drafts_internal_notes_and_html_comments_never_reach_the_output(tmp_path: Path, epoch: None) -> None:
    repo = demo_repo(tmp_path / "repo")
    internal = V3.replace("summary:", "internal:\n  note: MARKER-INTERNAL 内部备注\nsummary:")
    commit(repo, {"agreements/demo.md": internal, "sla/catalogue.yaml": SLA}, "内部备注")
    # an uncommitted edit that lints clean is a draft: it must not be published
    (repo / "agreements" / "demo.md").write_text(internal.replace("1.1 本协议是", "1.1 MARKER-DRAFT 本协议是"), "utf-8")
    result = build(repo, as_of=AS_OF, out=None, progress=False)
    text = all_output_text(result.site) + all_output_text(result.docs)
    for marker in ("MARKER-INTERNAL", "MARKER-SLA-INTERNAL", "MARKER-DRAFT"):
        assert marker not in text, marker
    assert "99.95%" in (result.site / "sla" / "index.html").read_text("utf-8")
    # an HTML comment (or any HTML) in committed text stops the build: it is never published
    commented = internal.replace("1.1 本协议是", "1.1 <!-- MARKER-COMMENT -->本协议是")
    commit(repo, {"agreements/demo.md": commented}, "带注释")
    with pytest.raises(KspubError):
        build(repo, as_of=AS_OF, out=None, progress=False)
    assert "MARKER-COMMENT" not in all_output_text(result.site) + all_output_text(result.docs)


def test_raw_html_in_text_is_escaped() -> None:
    from kspub.publish.site import render_body

    agreement = load_corpus(ROOT).agreement("cloud-service-agreement")
    node = next(n for n in agreement.nodes if n.kind is NodeKind.CLAUSE)
    hostile = type(node)(**{**{f: getattr(node, f) for f in node.__dataclass_fields__},
                            "printed": '1.1 <script>alert("x")</script><img src=x onerror=alert(1)> **粗**'})  # fmt: skip
    body = render_body(type(agreement)(agreement.meta, (hostile,), agreement.path, agreement.source))
    assert "<script" not in body and "<img" not in body
    assert "&lt;script&gt;" in body and "<strong>粗</strong>" in body


# --- the command line ------------------------------------------------------------------------------------------


def test_cli_passes_its_arguments(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[dict[str, object]] = []

    def fake_build(root: Path, **kwargs: object) -> object:
        calls.append({"root": root, **kwargs})
        raise KspubError("KS999", "测试")

    monkeypatch.setattr(build_module, "build", fake_build)
    result = CliRunner().invoke(main, ["build", "--root", str(tmp_path), "--as-of", "2026-03-01", "--out", str(tmp_path / "o"),
                                       "--previous", "https://legal.example.com/"])  # fmt: skip
    assert result.exit_code == 1 and result.stderr == "错误：KS999 测试\n"
    assert calls == [{"root": tmp_path, "as_of": AS_OF, "out": tmp_path / "o", "progress": False,
                      "previous": "https://legal.example.com/", "first_publication": False, "base_url": ""}]  # fmt: skip


def test_the_404_page_is_in_chinese_with_the_way_back(real_site: BuildResult) -> None:
    page = (real_site.site / "404.html").read_text("utf-8")
    assert "Not found" not in page and "页面不存在" in page
    for link in ('href="/"', 'href="/changes/"', 'href="/sla/"'):
        assert link in page
    assert 'http-equiv="Content-Security-Policy"' in page


def test_dates_say_what_they_are(demo_site: BuildResult, real_site: BuildResult) -> None:
    """An archived version states when it applied; a version with no stated dates says when the site recorded
    it, never presenting that day as a publication or effective date."""
    archived = (demo_site.site / "demo" / "1.0" / "index.html").read_text("utf-8")
    assert "适用期间：2025年12月1日 至 2026年1月14日" in archived
    upcoming = (demo_site.site / "demo" / "3.0" / "index.html").read_text("utf-8")
    assert "适用期间" not in upcoming
    changes = (demo_site.site / "changes" / "index.html").read_text("utf-8")
    assert '2026年1月15日<span class="ks-date-kind">（生效）</span>' in changes
    page = (real_site.site / "cloud-service-agreement" / "index.html").read_text("utf-8")
    assert "生效日期：未载明" in page and "本站收录于" in page and "原文未载明公告与生效日期" in page
    recent = (real_site.site / "changes" / "index.html").read_text("utf-8")
    assert recent.count("首次收录") == 6 and recent.count("首次发布") == 2 and 'class="ks-date-kind">（本站收录）<' in recent


def test_redline_changes_are_labelled_by_number_and_section(demo_site: BuildResult) -> None:
    page = (demo_site.site / "demo" / "3.0" / "changes" / "index.html").read_text("utf-8")
    head = re.search(r'<p class="ks-change-head">(.*?)</p>', page)
    assert head is not None
    assert "第 1.2 条（一、总则）" in head.group(1)
    assert 'href="../#fee-notice"' in head.group(1) and "<code>" not in head.group(1)  # the ID only in the link


def test_any_earlier_version_can_be_compared_with_the_one_in_force(tmp_path: Path, epoch: None) -> None:
    """"What changed since the version I accepted": 1.0 against 2.0 in force (not neighbours) has its own page,
    linked from 1.0's page; neighbours keep their ordinary redline."""
    repo = site_repo(tmp_path / "repo")
    for label, days, dates in (("1.0", "10", ("2025-09-01", "2025-10-01")), ("1.1", "20", ("2025-10-15", "2025-11-15")),
                               ("2.0", "30", ("2025-12-15", "2026-01-15"))):  # fmt: skip
        text = demo_text(label, fee=f"免费服务转为收费前，金山云将提前**{days}个自然日**通知您。",
                         extra=f"announced: {dates[0]}\neffective: {dates[1]}\nsummary: 调整通知期。\n")  # fmt: skip
        commit(repo, {"agreements/demo.md": text}, f"版本 {label}")
    site = build(repo, as_of=AS_OF, out=None, progress=False).site
    page = site / "demo" / "1.0" / "compare" / "2.0" / "index.html"
    assert page.is_file() and not (site / "demo" / "1.1" / "compare").exists()
    html = page.read_text("utf-8")
    assert "版本 2.0 与 1.0 的对比" in html
    assert re.search(r"<del>(<strong>)?10(</strong>)?</del>", html) and re.search(r"<ins>(<strong>)?30(</strong>)?</ins>", html)
    version_page = (site / "demo" / "1.0" / "index.html").read_text("utf-8")
    assert 'href="compare/2.0/"' in version_page and "与现行版本 2.0 逐条对比" in version_page


def test_every_page_names_its_search_dialog(real_site: BuildResult) -> None:
    for page in real_site.site.rglob("*.html"):
        html = page.read_text("utf-8")
        if 'role="dialog"' in html:
            assert 'role="dialog" aria-label="搜索"' in html, page


def test_cli_passes_the_base_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[dict[str, object]] = []

    def fake_build(root: Path, **kwargs: object) -> object:
        calls.append(kwargs)
        raise KspubError("KS999", "测试")

    monkeypatch.setattr(build_module, "build", fake_build)
    CliRunner().invoke(main, ["build", "--root", str(tmp_path), "--base-url", "https://legal.example.com"])
    assert calls[0]["base_url"] == "https://legal.example.com"


def test_a_bad_base_url_stops_the_build_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(KspubError) as info:
        build_module.build(tmp_path, as_of=AS_OF, out=tmp_path / "o", progress=False, base_url="legal.example.com")
    assert info.value.code == "KS913" and not (tmp_path / "o").exists()
