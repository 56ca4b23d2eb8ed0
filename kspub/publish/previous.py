"""The second guard of the release record: a build never publishes less than was published before.

Before anything is written, the new snapshot is compared with the previously published state — the existing
``build/site``, or in CI the deployed site given by ``kspub build --previous DIR|URL`` — through its JSON API
(``api/v1/index.json`` and each agreement's timeline). Every version published there must still be published,
with the same text (or a text its record explains by a correction), the same announced date and the same or a
recorded later effective date. A rewritten history or a deleted record is refused here even when the gate was
bypassed (docs/decisions/0302-release-record.md).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kspub.errors import KspubError
from kspub.publish.snapshot import PublishedVersion, Snapshot

#: The build would drop or alter a published version.
DROPS_PUBLISHED = "KS930"
#: The previously published state cannot be read.
PREVIOUS_UNREADABLE = "KS931"

_TIMEOUT = 30


@dataclass(frozen=True, slots=True)
class PublishedBefore:
    agreement: str
    version: str
    sha256: str
    announced: str | None
    effective: str | None


def read_previous(source: str | Path, *, first_publication: bool = False) -> list[PublishedBefore] | None:
    """What the site at ``source`` (a folder holding ``api/v1/``, or an http(s) URL) published; None when the
    folder holds no site yet (a first build).

    A URL that answers 404 for ``api/v1/index.json`` is an error (a wrong address must not switch the guard
    off) unless ``first_publication`` says that nothing has been deployed there yet; a URL that does hold a
    site is compared with whatever the flag says."""
    text = str(source)
    if text.startswith(("http://", "https://")):
        base = text.rstrip("/") + "/"

        def fetch(rel: str) -> Any:
            url = urllib.parse.urljoin(base, rel.lstrip("/"))
            try:
                with urllib.request.urlopen(url, timeout=_TIMEOUT) as response:  # noqa: S310 (http(s) only)
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                if exc.code == 404 and rel == _INDEX and first_publication:
                    raise _NothingDeployed from exc
                raise _unreadable(f"{url}（HTTP {exc.code}）", first=exc.code == 404 and rel == _INDEX) from exc
            except (urllib.error.URLError, OSError, ValueError) as exc:
                raise _unreadable(f"{url}（{exc}）") from exc

        try:
            return _collect(fetch)
        except _NothingDeployed:
            return None
    folder = Path(text)
    if folder.is_symlink() and not folder.exists():
        # build/site points at a build that is gone (a cache that dropped build/.sites): that is not "nothing
        # was published", and comparing with nothing would let a rewritten history through
        raise _unreadable(f"{folder} 指向的目录不存在", first=False)
    if not (folder / "api" / "v1" / "index.json").is_file():
        if folder.exists() and any(folder.iterdir()):
            raise _unreadable(f"{folder} 中没有 api/v1/index.json")
        return None

    def read(rel: str) -> Any:
        path = folder / rel.lstrip("/")
        try:
            return json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise _unreadable(f"{path}（{exc}）") from exc

    return _collect(read)


class _NothingDeployed(Exception):
    """The URL holds no site yet and the build was told this is the first publication."""


def _unreadable(what: str, *, first: bool = False) -> KspubError:
    hint = "发布前要与之前发布的内容比较，确保已发布的版本一个不少；请检查 --previous 给出的目录或网址"
    if first:
        hint += "；若该网址确实从未发布过网站（第一次发布），请加 --first-publication"
    return KspubError(PREVIOUS_UNREADABLE, f"无法读取之前发布的网站：{what}", hint=hint)


_INDEX = "api/v1/index.json"


def _within_site(url: str) -> str:
    """A URL the index gives, relative to the site: a build with ``--base-url`` writes absolute URLs, which must
    be read from the folder or the address the previous site is given as, not from wherever they point."""
    marker = "/" + _INDEX.rsplit("/", 1)[0] + "/"
    return url[url.index(marker) + 1 :] if marker in url else url


def _collect(load: Callable[[str], Any]) -> list[PublishedBefore]:
    index = load(_INDEX)
    out: list[PublishedBefore] = []
    try:
        for entry in index["agreements"]:
            timeline = load(_within_site(entry["urls"]["timeline"]))
            for v in timeline["versions"]:
                out.append(PublishedBefore(entry["id"], v["version"], v["sha256"], v.get("announced"), v.get("effective")))
    except (KeyError, TypeError) as exc:
        raise _unreadable(f"JSON API 的格式不对（缺少 {exc}）") from exc
    return out


def dropped_or_altered(snapshot: Snapshot, before: list[PublishedBefore]) -> list[str]:
    """Each published version the snapshot drops or alters, in Chinese."""
    versions: dict[tuple[str, str], PublishedVersion] = {}
    for agreement in snapshot.agreements:
        ids = (agreement.id, *agreement.formerly)
        for v in agreement.versions:
            for agreement_id in ids:
                versions[(agreement_id, v.label)] = v
    problems: list[str] = []
    for old in before:
        new = versions.get((old.agreement, old.version))
        name = f"{old.agreement}@{old.version}"
        if new is None:
            problems.append(f"已发布的版本 {name} 不见了")
            continue
        record, release = new.record, new.record.release
        if record.text_sha256 != old.sha256:
            explained = release is not None and old.sha256 in {release.sha256, *(e.sha256 for e in release.corrections)}
            if not explained:
                problems.append(f"已发布的版本 {name} 的文本变了（sha256 {old.sha256[:12]} → {record.text_sha256[:12]}），"
                                "发布记录中没有相应的勘误")  # fmt: skip
        withdrawal = release.withdrawal if release is not None else None
        if withdrawal is not None and (old.effective is None or old.effective <= withdrawal.date.isoformat()):
            problems.append(f"已发布的版本 {name} 于 {old.effective or '发布时'}生效，却登记为 {withdrawal.date} 撤回："
                            "已生效的版本不能撤回")  # fmt: skip
        announced = record.announced.isoformat() if record.announced else None
        if announced != old.announced:
            problems.append(f"已发布的版本 {name} 的公告日期由 {old.announced or '未载明'} 变为 {announced or '未载明'}")
        effective = record.effective.isoformat() if record.effective else None
        if effective != old.effective:
            postponed = (
                release is not None
                and old.effective is not None
                and effective is not None
                and effective > old.effective
                # postponed before it took effect: what applied from the old date is history
                and any(e.kind.value == "postponement" and e.date.isoformat() < old.effective for e in release.events)
            )
            if not postponed:
                problems.append(f"已发布的版本 {name} 的生效日期由 {old.effective or '未载明'} 变为 {effective or '未载明'}")
    return problems


def guard(snapshot: Snapshot, source: str | Path, *, first_publication: bool = False) -> None:
    """Raise KS930 when the snapshot would drop or alter anything published at ``source``."""
    before = read_previous(source, first_publication=first_publication)
    if not before:
        return
    problems = dropped_or_altered(snapshot, before)
    if problems:
        raise KspubError(
            DROPS_PUBLISHED,
            f"本次生成会删除或改变已经发布的内容（{len(problems)} 处）：{'；'.join(problems[:5])}",
            hint="旧网站保持不变。已发布的版本永远不能少：请恢复被改写的 git 历史或被删除、修改的发布记录"
            "（agreements/releases/），勘误、推迟生效、停止适用请用 kspub release 登记",
        )
