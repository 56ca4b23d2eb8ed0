"""The JSON API at scale: how many files and bytes, by kind, and how many a daily rebuild without a commit
changes (what a mirror re-fetches), with the sizes of the manifests.

The corpus is built in memory (no git): ``KSPUB_BENCH_API`` agreements × versions × clauses, default 300 × 20 ×
150. Each version changes three clauses and adds one; every version has its dates. The two builds a day apart
differ only in the build date, as a daily rebuild does, and share a cache as the daily build does: the first is
rendered with an empty cache, the second with the first's (the ``since`` comparisons).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from datetime import date, timedelta

from benchmarks.common import Row
from benchmarks.synthetic_site import phrase_pool

TITLE = "JSON API size (files and bytes; a daily rebuild without a commit)"
NUMERALS = "一二三四五六七八九十"


def _document(agreement: int, version: int, clauses: int, pool: list[str], start: date) -> str:
    rng = random.Random(agreement)
    per_section = max(1, clauses // 10)
    texts = [["，".join(rng.sample(pool, 3)) + "。" for _ in range(per_section)] for _ in range(10)]
    for k in range(1, version):
        amend = random.Random(agreement * 1000 + k)
        for _ in range(3):
            texts[amend.randrange(10)][amend.randrange(per_section)] += f"金山云将提前{10 + 5 * k}个自然日通知您。"
        texts[amend.randrange(10)].append("，".join(amend.sample(pool, 3)) + "。")
    effective = start + timedelta(days=120 * version)
    lines = ["---", f"id: a{agreement:04d}", f"title: 示例协议{agreement:04d}", "kind: agreement",
             f'version: "{version}.0"', f"announced: {(effective - timedelta(days=30)).isoformat()}",
             f"effective: {effective.isoformat()}", "summary: 调整通知期限并增加条款。",
             "notice: {default: {period: 30日, channels: [site], clause: s1}}", "---", ""]  # fmt: skip
    for s, section in enumerate(texts, start=1):
        lines += [f"{{#s{s}}}", f"## {NUMERALS[s - 1]}、第{s}部分", ""]
        for c, text in enumerate(section, start=1):
            tags = ' tags="fees"' if c == 1 else ""
            lines += [f"{{#c{s}-{c}{tags}}}", f"{s}.{c} {text}", ""]
    return "\n".join(lines)


def synthetic_snapshot(agreements: int, versions: int, clauses: int, as_of: date):  # type: ignore[no-untyped-def]
    from kspub.diff import diff_agreements
    from kspub.history import Timeline, VersionRecord, legal_text
    from kspub.law.workdays import load_calendar
    from kspub.model import sha256_text
    from kspub.parse import parse_agreement
    from kspub.publish.snapshot import assemble, snapshot_of

    pool, start = phrase_pool(), date(2020, 1, 1)
    published = []
    for a in range(1, agreements + 1):
        records, parsed, changes = [], [], []
        for v in range(1, versions + 1):
            source = _document(a, v, clauses, pool, start)
            result = parse_agreement(source, f"agreements/a{a:04d}.md")
            assert result.agreement is not None, [d.format() for d in result.diagnostics]
            meta = result.agreement.meta
            records.append(VersionRecord(f"a{a:04d}", meta.version, meta.title, f"agreements/a{a:04d}.md", source,
                                         sha256_text(legal_text(source)), meta.announced, meta.effective, (),
                                         summary=meta.summary, recorded=meta.announced))  # fmt: skip
            changes.append(diff_agreements(parsed[-1], result.agreement) if parsed else None)
            parsed.append(result.agreement)
        published.append(assemble(Timeline(f"a{a:04d}", tuple(records)), as_of, parsed, changes))
    return snapshot_of(as_of, published, None, {}, calendar=load_calendar())


def _kind(path: str) -> str:
    parts = path.split("/")
    if parts[0] == "manifest":
        return "manifest/index.json" if parts[1] == "index.json" else "manifest parts"
    if parts[0] in ("schemas", "changes", "feed") and len(parts) == 2:
        return f"{parts[0]}/ (archive pages)" if parts[0] != "schemas" else "schemas"
    if len(parts) <= 2:
        return "timeline" if parts[0] == "agreements" else parts[-1]
    if len(parts) == 3:
        return parts[2] if parts[2] in ("current.json", "feed.xml") else "version"
    return parts[2]


def run() -> list[Row]:
    import hashlib
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from kspub.publish.api import build_api
    from kspub.publish.cache import Cache
    from kspub.publish.snapshot import build_timestamp

    scale = os.environ.get("KSPUB_BENCH_API", "300x20x150")
    agreements, versions, clauses = (int(x) for x in scale.split("x"))
    as_of = date(2020, 1, 1) + timedelta(days=120 * versions - 20)  # the last version announced, not in force
    started = time.perf_counter()
    snapshot = synthetic_snapshot(agreements, versions, clauses, as_of)
    collected = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="kspub-bench-api-") as folder:
        started = time.perf_counter()
        files = build_api(snapshot, cache=Cache(Path(folder)))
        rendered = time.perf_counter() - started
        count, size = Counter[str](), Counter[str]()
        for path, data in files.items():
            count[_kind(path)] += 1
            size[_kind(path)] += len(data)
        digests = {path: hashlib.sha256(data).digest() for path, data in files.items()}
        manifests = {path: len(data) for path, data in files.items() if path.startswith("manifest")}
        del files  # the next day's build is held in memory alone
        started = time.perf_counter()
        tomorrow = build_api(replace(snapshot, as_of=as_of + timedelta(1), built_at=build_timestamp(as_of + timedelta(1), {})),
                             cache=Cache(Path(folder)))  # fmt: skip
        daily = time.perf_counter() - started
    changed = sorted(p for p in digests if hashlib.sha256(tomorrow.get(p, b"")).digest() != digests[p])
    total = sum(size.values())
    print(f"\n{agreements} agreements × {versions} versions × {clauses} clauses: {len(digests)} files, {total / 1e6:.1f} MB")
    for kind in sorted(count, key=lambda k: -size[k]):
        print(f"    {kind:<24} {count[kind]:>7} files {size[kind] / 1e6:>9.2f} MB")
    parts = [n for path, n in manifests.items() if path.startswith("manifest/agreements/")]
    print(f"    manifests: manifest.json {manifests['manifest.json'] / 1e6:.2f} MB, manifest/index.json "
          f"{manifests['manifest/index.json'] / 1e6:.3f} MB, {len(parts)} parts {sum(parts) / 1e6:.2f} MB "
          f"(largest {max(parts, default=0) / 1e3:.1f} kB)")  # fmt: skip
    print(f"    a daily rebuild without a commit changes {len(changed)} files "
          f"({sum(len(tomorrow[p]) for p in changed) / 1e6:.2f} MB): {', '.join(changed[:3])}, …")  # fmt: skip
    fetched = sum(len(tomorrow[p]) for p in changed if p != "manifest.json")
    print(f"    a mirror reading the split manifest fetches {len([p for p in changed if p != 'manifest.json'])} files "
          f"({fetched / 1e6:.2f} MB); reading manifest.json, {len(changed)} ({sum(len(tomorrow[p]) for p in changed) / 1e6:.2f} MB)")  # fmt: skip
    note = f"{len(digests)} files, {total / 1e6:.1f} MB; {len(changed)} change daily ({fetched / 1e6:.2f} MB for a mirror)"
    return [
        Row(f"API {scale}: build_api, empty cache", rendered, "parse + diff of the corpus", collected, None, note),
        Row(f"API {scale}: build_api, next day (cache)", daily, "build_api, empty cache", rendered, None),
    ]
