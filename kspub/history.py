"""The release record and git → a timeline of versions per agreement. The only module that imports git.

The versions are the ones the committed release record lists (:mod:`kspub.record`), never guessed from commit
topology: merge style, rebases and second parents do not matter. Each recorded version is rebuilt from its git
blob through one ``git cat-file --batch`` process and its legal text (the body without attribute lines and
whitespace) checked against the recorded sha256; one ``git log --raw`` of the first-parent history tells which
commit brought each blob, for information. Nothing outside this module sees a git object.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from kspub.errors import HistoryError, KspubError
from kspub.frontmatter import body_of, parse_front_matter, split_front_matter
from kspub.model import Agreement, Correction, Meta, sha256_text
from kspub.record import BAD_RECORD, RELEASES_DIR, Record, Release, Withdrawal, parse_record, record_path
from kspub.repository import (
    AGREEMENTS_DIR,
    CommitInfo,
    open_repo,
    read_blobs,
    read_log,
    start_commit,
)

_ATTR_LINE = re.compile(r"^[ \t]{0,3}\{[^\n]*\}[ \t]*$", re.M)


@dataclass(frozen=True, slots=True)
class Revision:
    """One committed state of a version's file."""

    commit: CommitInfo
    path: str
    blob: str
    text_sha256: str
    correction: str | None = None
    """The reason of the editorial correction this revision records, if any."""


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """One version of an agreement as the history shows it."""

    agreement: str
    label: str
    title: str
    path: str
    source: str
    """The file's full text at its latest revision."""
    text_sha256: str
    """sha256 of the legal text (see :func:`legal_text`)."""
    announced: date | None
    effective: date | None
    revisions: tuple[Revision, ...]
    corrections: tuple[Correction, ...] = ()
    draft: bool = False
    """True for text in the working tree not (yet) in the release record (only when asked for)."""
    summary: str = ""
    recorded: date | None = None
    """The day the version entered the release record (None for a draft)."""
    withdrawn: date | None = None
    """The day the version was withdrawn before taking effect, if it was."""
    release: Release | None = None
    """The version's entry in the release record (None for a draft)."""
    sources: tuple[str, ...] = ()
    """The file's text as released and after each recorded correction, oldest first (the last is ``source``):
    what the version said on a given day. Empty when not read from the record."""

    @property
    def first_commit(self) -> CommitInfo | None:
        return self.revisions[0].commit if self.revisions else None

    @property
    def authors(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for r in self.revisions:
            seen[r.commit.author] = None
        return tuple(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "version": self.label,
            "title": self.title,
            "path": self.path,
            "sha256": self.text_sha256,
            "announced": self.announced.isoformat() if self.announced else None,
            "effective": self.effective.isoformat() if self.effective else None,
            "summary": self.summary,
            "draft": self.draft,
            "authors": list(self.authors),
            "commits": [r.commit.to_dict() for r in self.revisions],
            "corrections": [
                {"date": c.date.isoformat(), "reason": c.reason, "clauses": list(c.clauses)} for c in self.corrections
            ],
        }


@dataclass(frozen=True, slots=True)
class Timeline:
    agreement: str
    versions: tuple[VersionRecord, ...]
    withdrawn: Withdrawal | None = None
    """The agreement stopped applying (its file was removed); every version stays published, archived."""
    predecessor: str | None = None
    """The agreement ID this one was renamed from, as its record declares."""
    formerly: tuple[str, ...] = ()
    """Every earlier ID of the agreement, oldest first (their versions lead this timeline)."""

    def version(self, label: str) -> VersionRecord | None:
        return next((v for v in self.versions if v.label == label), None)

    def in_force(self, on: date) -> VersionRecord | None:
        """The version in force on a date: the latest non-draft one whose effective date is on or before it.

        A version without an effective date counts as in force from the start (the seed gives no dates for
        most agreements; kspub never invents one)."""
        if self.withdrawn is not None and self.withdrawn.date <= on:
            return None
        current = None
        for v in self.versions:
            if v.draft or (v.withdrawn is not None and v.withdrawn <= on):
                continue
            if v.effective is None or v.effective <= on:
                current = v
        return current

    def upcoming(self, on: date) -> tuple[VersionRecord, ...]:
        if self.withdrawn is not None and self.withdrawn.date <= on:
            return ()
        return tuple(
            v
            for v in self.versions
            if not v.draft and v.effective is not None and v.effective > on and not (v.withdrawn and v.withdrawn <= on)
        )

    def to_dict(self) -> dict[str, Any]:
        return {"agreement": self.agreement, "versions": [v.to_dict() for v in self.versions]}


def legal_text(source: str) -> str:
    """The text a version is judged on: the body without front matter, attribute lines and whitespace."""
    # str.split() drops every run of whitespace: faster than a regular expression on every version of history
    return "".join(_ATTR_LINE.sub("", body_of(source)).split())


@dataclass(frozen=True, slots=True)
class _State:
    """A file's text as kspub reads it (LF line ends, no BOM) and its front matter read the way lint reads it."""

    source: str
    meta: Meta


def _read_state(data: bytes, path: str) -> _State | None:
    """One committed state of an agreement file, or None when it is not a version (not UTF-8, no readable
    front matter, no label): lint reports such a file; history never guesses what it meant."""
    from kspub.parse import decode_source

    source, _ = decode_source(data, path)
    if source is None:
        return None
    block = split_front_matter(source)
    if block is None or block.end_line == 0:
        return None
    meta, _ = parse_front_matter(block.yaml, path, first_line=block.first_line, file_stem=None)
    if meta is None or not meta.version.strip():
        return None
    return _State(source, meta)


def read_timelines(root: Path, *, ref: str = "HEAD", include_draft: bool = False) -> dict[str, Timeline]:
    """Every agreement's timeline from the release record committed at ``ref`` (``agreements/releases/``).

    Each recorded version is rebuilt from git by its blob and its legal text checked against the recorded
    sha256; the commits that brought each blob (first-parent history) are attached for information only.
    Raises :class:`HistoryError` (with every problem found) when the record cannot be read or a recorded
    version cannot be reconstructed: a build never publishes fewer versions than were released.
    With ``include_draft`` the working tree's text is added as a draft wherever it differs from the record.
    """
    repo = open_repo(root)
    start = start_commit(repo, ref)
    records = read_records(repo, start) if start is not None else {}
    return _timelines_from_records(repo, start, records, include_draft=include_draft)


def read_worktree_timelines(root: Path) -> dict[str, Timeline]:
    """The timelines of the release record as it stands in the working tree (what a pull request proposes).

    ``kspub release`` stores every blob it records in git's object database, so an uncommitted record can be
    verified too."""
    repo = open_repo(root)
    start = start_commit(repo, "HEAD")
    return _timelines_from_records(repo, start, read_worktree_records(Path(repo.working_tree_dir)))


def _timelines_from_records(
    repo: Any, start: str | None, records: Mapping[str, Record], *, include_draft: bool = False
) -> dict[str, Timeline]:
    problems: list[KspubError] = []
    wanted = [b for r in records.values() for rel in r.releases for b in (rel.blob, *(e.blob for e in rel.corrections))]
    texts = read_blobs(repo, [b for b in wanted if b], missing_ok=True)
    commits = _first_commits(repo, start) if start is not None else {}
    timelines: dict[str, Timeline] = {}
    for record in records.values():
        versions = [v for rel in record.releases if (v := _version(record, rel, texts, commits, problems))]
        if len(versions) == len(record.releases):
            timelines[record.agreement] = Timeline(record.agreement, tuple(versions), record.withdrawn,
                                                   record.predecessor)  # fmt: skip
    _fold_predecessors(timelines, problems)
    if include_draft:
        _add_drafts(Path(repo.working_tree_dir), timelines)
    if problems:
        first = problems[0]
        raise HistoryError(
            first.code,
            first.message if len(problems) == 1 else f"{first.message}（另有 {len(problems) - 1} 处历史问题）",
            path=first.path,
            line=first.line,
            hint=first.hint,
            diagnostics=tuple(d for p in problems for d in _as_diagnostics(p)),
        )
    return timelines


def read_records(repo: Any, commit: str) -> dict[str, Record]:
    """Every release record committed at ``commit``, by agreement ID."""
    status, listing, stderr = repo.git.execute(
        ["git", "ls-tree", "-z", "--full-tree", commit, "--", f"{RELEASES_DIR}/"],
        with_extended_output=True,
        with_exceptions=False,
    )
    if status != 0:
        raise HistoryError("KS809", f"无法读取发布记录目录：{str(stderr).strip()[-200:]}", hint="请确认仓库完整（git fsck）")
    files: dict[str, str] = {}
    for entry in str(listing).split("\0"):
        if not entry:
            continue
        info, _, name = entry.partition("\t")
        fields = info.split()
        if len(fields) == 3 and fields[1] == "blob" and name.endswith(".yaml"):
            files[name] = fields[2]
    texts = read_blobs(repo, list(files.values()))
    return _parse_records({name: texts[blob] for name, blob in files.items()})


def read_worktree_records(worktree: Path) -> dict[str, Record]:
    folder = worktree / RELEASES_DIR
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return _parse_records({f"{RELEASES_DIR}/{f.name}": f.read_bytes() for f in files if f.is_file()})


def _parse_records(files: Mapping[str, bytes]) -> dict[str, Record]:
    records: dict[str, Record] = {}
    for name, data in sorted(files.items()):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise KspubError(BAD_RECORD, f"发布记录 {name} 不是 UTF-8 编码", path=name,
                             hint="发布记录由 kspub release 写入，请勿手工编辑") from None  # fmt: skip
        record = parse_record(text, name)
        records[record.agreement] = record
    return records


def _first_commits(repo: Any, start: str) -> dict[str, CommitInfo]:
    """The first commit of the first-parent history of ``start`` that brought each blob under agreements/."""
    first: dict[str, CommitInfo] = {}
    for commit, changes in read_log(repo, start):
        for _status, _old, _new, blob in changes:
            first.setdefault(blob, commit)
    return first


def _version(
    record: Record,
    rel: Release,
    texts: Mapping[str, bytes],
    commits: Mapping[str, CommitInfo],
    problems: list[KspubError],
) -> VersionRecord | None:
    """One recorded version rebuilt from its blobs, each checked against its recorded sha256."""
    where = f"{record.agreement}@{rel.version}"
    states: list[tuple[str, str, _State]] = []
    for blob, sha, reason in [(rel.blob, rel.sha256, None)] + [(e.blob or "", e.sha256 or "", e.reason)
                                                                for e in rel.corrections]:  # fmt: skip
        data = texts.get(blob)
        if data is None:
            problems.append(HistoryError(
                "KS811",
                f"发布记录中的版本 {where}（{'勘误 ' + reason if reason else '发布时'}的文本，git 对象 {blob[:12]}）在仓库中找不到，"
                "无法重建该版本：已发布的版本不能少发布",
                path=record.path, line=rel.line,
                hint="请使用完整克隆（git fetch --unshallow；CI 中 fetch-depth: 0）；若历史被改写（强制推送、git replace），"
                     "请恢复原来的提交",
            ))  # fmt: skip
            return None
        state = _read_state(data, rel.path)
        actual = sha256_text(legal_text(state.source)) if state is not None else None
        if state is None or actual != sha or state.meta.version.strip() != rel.version:
            problems.append(HistoryError(
                "KS812",
                f"发布记录中的版本 {where} 与 git 对象 {blob[:12]} 的内容不符"
                + ("（该对象不是可读的协议文件）" if state is None else
                   f"（记录的版本号 {rel.version}、文本 sha256 {sha[:12]}，对象中为 {state.meta.version.strip()}、"
                   f"{(actual or '')[:12]}）"),
                path=record.path, line=rel.line,
                hint="发布记录或历史被改动过：请把发布记录恢复为主分支上的内容，再用 kspub release 登记新的版本",
            ))  # fmt: skip
            return None
        states.append((blob, sha, state))
    released = states[0][2].meta
    if (released.announced, released.effective) != (rel.announced, rel.effective):
        # kspub release writes the dates into the front matter before it stores the blob: they agree unless the
        # record was edited by hand
        problems.append(HistoryError(
            "KS812",
            f"发布记录中版本 {where} 的日期（公告 {rel.announced or '未载明'}、生效 {rel.effective or '未载明'}）与发布时的"
            f"文本（git 对象 {rel.blob[:12]}）头信息中的（公告 {released.announced or '未载明'}、生效 "
            f"{released.effective or '未载明'}）不一致",
            path=record.path, line=rel.line,
            hint="发布记录被手工改动过：请把发布记录恢复为主分支上的内容；推迟生效请用 kspub release --effective 日期 --reason 原因 登记",
        ))  # fmt: skip
        return None
    blob, sha, state = states[-1]
    withdrawal = rel.withdrawal
    revisions = tuple(
        Revision(commits[b], rel.path, b, s, correction=None if i == 0 else rel.corrections[i - 1].reason)
        for i, (b, s, _st) in enumerate(states)
        if b in commits
    )
    return VersionRecord(
        agreement=record.agreement,
        label=rel.version,
        title=state.meta.title,
        path=rel.path,
        source=state.source,
        text_sha256=sha,
        announced=rel.announced,
        effective=rel.current_effective,
        revisions=revisions,
        corrections=state.meta.corrections,
        summary=rel.summary,
        recorded=rel.recorded,
        withdrawn=withdrawal.date if withdrawal else None,
        release=rel,
        sources=tuple(st.source for _b, _s, st in states),
    )


def _fold_predecessors(timelines: dict[str, Timeline], problems: list[KspubError]) -> None:
    """A renamed agreement's timeline starts with its predecessor's versions; the predecessor's own timeline
    is folded into it (its ID is kept in ``Timeline.formerly`` for redirects)."""
    for agreement, timeline in sorted(timelines.items()):
        chain: list[str] = []
        seen = {agreement}
        previous = timeline.predecessor
        while previous is not None:
            if previous in seen or previous not in timelines:
                # named by the record that declares ``previous``: up the chain, that is not ``agreement``'s own
                declarer = chain[-1] if chain else agreement
                problem = HistoryError(
                    "KS813",
                    f"协议 {declarer} 声明的前身 {previous} " + ("形成了循环" if previous in seen else "没有发布记录"),
                    path=record_path(declarer),
                    hint="predecessor 应为改名前的协议 ID，且该协议有发布记录",
                )  # fmt: skip
                if all((p.message, p.path) != (problem.message, problem.path) for p in problems):
                    problems.append(problem)  # the walks from several agreements meet the same declaration once
                break
            seen.add(previous)
            chain.append(previous)
            previous = timelines[previous].predecessor
        if not chain or problems:
            continue
        versions: list[VersionRecord] = []
        for part in [timelines[old] for old in reversed(chain)] + [timeline]:
            for v in part.versions:
                v = replace(v, agreement=agreement)
                if versions and versions[-1].label == v.label:
                    last = versions[-1]
                    if last.text_sha256 != v.text_sha256:
                        problems.append(HistoryError(
                            "KS813", f"协议 {agreement} 改名后的版本 {v.label} 与改名前同一版本号的文本不同",
                            path=record_path(agreement), hint="改名后修改正文请使用新的版本号",
                        ))  # fmt: skip
                    # the rename carried the version over: one version, its revisions under both names
                    versions[-1] = replace(v, revisions=last.revisions + v.revisions, announced=last.announced,
                                           effective=last.effective, recorded=last.recorded)  # fmt: skip
                    continue
                versions.append(v)
        timelines[agreement] = replace(timeline, versions=tuple(versions), formerly=tuple(reversed(chain)))
    for timeline in list(timelines.values()):
        for old in timeline.formerly:
            timelines.pop(old, None)


def _as_diagnostics(err: KspubError) -> Iterable[Any]:
    from kspub.errors import Diagnostic

    yield Diagnostic(err.code, err.message + (f"（{err.hint}）" if err.hint else ""), err.path or "", err.line)


def _add_drafts(worktree: Path, timelines: dict[str, Timeline]) -> None:
    """Add the working tree's text as a draft version wherever it differs from the last committed one."""
    folder = worktree / AGREEMENTS_DIR
    for file in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        try:
            data = file.read_bytes()
        except OSError:  # a symbolic link that loops: lint reports it (KS008); it is no draft
            continue
        state = _read_state(data, f"{AGREEMENTS_DIR}/{file.name}")
        if state is None:
            continue
        meta, source = state.meta, state.source
        label = meta.version.strip()
        agreement = meta.id or file.stem
        text_sha = sha256_text(legal_text(source))
        timeline = timelines.get(agreement)
        last = timeline.versions[-1] if timeline else None
        if last is not None and last.text_sha256 == text_sha and last.label == label:
            continue
        draft = VersionRecord(
            agreement=agreement,
            label=label,
            title=meta.title,
            path=f"{AGREEMENTS_DIR}/{file.name}",
            source=source,
            text_sha256=text_sha,
            announced=meta.announced,
            effective=meta.effective,
            revisions=(),
            draft=True,
            summary=meta.summary,
        )
        versions = (timeline.versions if timeline else ()) + (draft,)
        timelines[agreement] = Timeline(agreement, versions)


def read_timeline(root: Path, agreement_id: str, *, include_draft: bool = False) -> Timeline:
    timelines = read_timelines(root, include_draft=include_draft)
    if agreement_id not in timelines:
        known = "、".join(sorted(timelines)) or "（无）"
        raise KspubError(
            "KS805",
            f"git 历史中没有协议 “{agreement_id}” 的任何已提交版本。已有：{known}",
            hint="新协议需要先提交；查看未提交的修改请加 --draft",
        )
    return timelines[agreement_id]


def parse_version(record: VersionRecord) -> Agreement:
    """The full model of one historical version."""
    from kspub.parse import parse_agreement

    result = parse_agreement(record.source, record.path)
    if result.agreement is None or not result.ok:
        first = next(iter(d for d in result.diagnostics), None)
        raise KspubError(
            "KS806",
            f"历史版本 {record.agreement}@{record.label} 无法解析" + (f"：{first.format()}" if first else ""),
            path=record.path,
        )
    return result.agreement


def find_version(root: Path, agreement_id: str, label: str) -> Agreement:
    timeline = read_timeline(root, agreement_id, include_draft=True)
    record = timeline.version(label)
    if record is None:
        labels = "、".join(v.label for v in timeline.versions)
        raise KspubError("KS807", f"协议 {agreement_id} 没有版本 “{label}”。已有版本：{labels}")
    return parse_version(record)
