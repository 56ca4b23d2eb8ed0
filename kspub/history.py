"""Git history → a timeline of versions per agreement. The only module that imports git.

One pass reads the first-parent history of the current branch with a single ``git log --raw`` and fetches every
agreement blob through one persistent ``git cat-file --batch`` process; nothing outside this module sees a git
object. A version is identified by its front-matter label; the text it is judged on is the legal text (the body
without attribute lines and whitespace), so adding a tag or a notice rule is not a text change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kspub.errors import HistoryError, KspubError
from kspub.frontmatter import body_of, parse_front_matter, split_front_matter
from kspub.law.period import shanghai
from kspub.model import Agreement, Correction, Meta, sha256_text

AGREEMENTS_DIR = "agreements"
_ATTR_LINE = re.compile(r"^[ \t]{0,3}\{[^\n]*\}[ \t]*$", re.M)


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    author: str
    email: str
    committed: str
    """ISO 8601 commit time, converted to Asia/Shanghai."""
    subject: str

    def to_dict(self) -> dict[str, str]:
        return {
            "sha": self.sha,
            "author": self.author,
            "committed": self.committed,
            "subject": self.subject,
        }


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
    """True for uncommitted changes in the working tree (only when asked for)."""
    summary: str = ""

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

    def version(self, label: str) -> VersionRecord | None:
        return next((v for v in self.versions if v.label == label), None)

    def in_force(self, on: date) -> VersionRecord | None:
        """The version in force on a date: the latest non-draft one whose effective date is on or before it.

        A version without an effective date counts as in force from the start (the seed gives no dates for
        most agreements; kspub never invents one)."""
        current = None
        for v in self.versions:
            if v.draft:
                continue
            if v.effective is None or v.effective <= on:
                current = v
        return current

    def upcoming(self, on: date) -> tuple[VersionRecord, ...]:
        return tuple(v for v in self.versions if not v.draft and v.effective is not None and v.effective > on)

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


def _open_repo(root: Path) -> Any:
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise HistoryError(
            "KS800",
            f"{root} 不是 git 仓库，无法读取版本历史",
            hint="请在协议仓库的完整克隆中运行（git clone 后不要加 --depth）",
        ) from exc


def _not_a_ref(ref: str) -> HistoryError:
    return HistoryError("KS804", f"“{ref}” 不是提交或分支名", hint="请写分支名、标签或提交号，例如 origin/main")


def _unknown_ref(ref: str) -> HistoryError:
    return HistoryError("KS804", f"找不到提交或分支 “{ref}”", hint="请确认分支或提交存在（CI 中需检出完整历史）")


def verify_ref(repo: Any, ref: str) -> str:
    """The commit a ref names; refuses anything git could read as an option (``--output=…``)."""
    if not ref or ref.startswith("-"):
        raise _not_a_ref(ref)
    try:
        return str(repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")).strip()
    except Exception as exc:
        raise _unknown_ref(ref) from exc


def _start_commit(repo: Any, ref: str) -> str | None:
    """One ``git rev-parse``: refuse a shallow clone, and resolve ``ref`` (None for a repository with no commits)."""
    if not ref or ref.startswith("-"):
        raise _not_a_ref(ref)
    status, out, _ = repo.git.execute(
        ["git", "rev-parse", "--is-shallow-repository", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        with_extended_output=True,
        with_exceptions=False,
    )
    lines = str(out).split()
    if lines and lines[0] == "true":
        _check_complete(repo)  # raises with the fix
    if status == 0 and len(lines) > 1:
        return lines[1]
    if ref == "HEAD":
        return None  # nothing committed yet: an empty history, not an error here
    raise _unknown_ref(ref)


def _check_complete(repo: Any) -> None:
    if repo.git.rev_parse("--is-shallow-repository").strip() == "true":
        raise HistoryError(
            "KS801",
            "当前是浅克隆（shallow clone），版本历史不完整：kspub 不会在缺少历史的情况下少发布版本",
            hint="请运行 git fetch --unshallow，或在 CI 中使用完整历史检出（actions/checkout 设置 fetch-depth: 0）",
        )


_LOG_FORMAT = "%x00%H%x1f%an%x1f%ae%x1f%cI%x1f%s"


@dataclass(slots=True)
class _Lineage:
    """One agreement file followed through renames."""

    path: str
    states: list[tuple[CommitInfo, str, str, bytes]] = field(default_factory=list)  # commit, path, blob, data


def _read_log(repo: Any, ref: str) -> list[tuple[CommitInfo, list[tuple[str, str, str, str]]]]:
    """(commit, [(status, old path, new path, new blob)]) oldest first, first-parent only."""
    try:
        out = repo.git.log(
            ref,
            "--first-parent",
            "--reverse",
            "--raw",
            "--no-abbrev",
            "-M",
            "-m",
            f"--format={_LOG_FORMAT}",
            "--",
            AGREEMENTS_DIR,
        )
    except Exception as exc:  # GitCommandError: an unknown ref, an empty repository
        raise HistoryError(
            "KS804", f"无法读取 {ref} 的历史：{str(exc).strip().splitlines()[-1]}", hint="请确认分支或提交存在"
        ) from exc
    commits: list[tuple[CommitInfo, list[tuple[str, str, str, str]]]] = []
    for chunk in out.split("\x00")[1:]:
        head, _, rest = chunk.partition("\n")
        sha, author, email, committed, subject = head.split("\x1f", 4)
        when = datetime.fromisoformat(committed).astimezone(shanghai()).isoformat()
        changes: list[tuple[str, str, str, str]] = []
        for line in rest.splitlines():
            if not line.startswith(":"):
                continue
            meta, *paths = line.split("\t")
            fields = meta.split()
            new_blob, status = fields[3], fields[4][0]
            old_path = paths[0]
            new_path = paths[-1]
            changes.append((status, old_path, new_path, new_blob))
        commits.append((CommitInfo(sha, author, email, when, subject), changes))
    return commits


def read_timelines(
    root: Path, *, ref: str = "HEAD", include_draft: bool = False
) -> dict[str, Timeline]:
    """Every agreement's timeline from the first-parent history of ``ref``.

    Raises :class:`HistoryError` (with every problem found) when the history cannot be trusted: a shallow clone,
    text changed under an announced label without a correction record, or a label reused for different text.
    """
    repo = _open_repo(root)
    start = _start_commit(repo, ref)
    by_path: dict[str, _Lineage] = {}
    if start is not None:
        for commit, changes in _read_log(repo, start):
            for status, old_path, new_path, blob in changes:
                if not new_path.endswith(".md") and not old_path.endswith(".md"):
                    continue
                if status == "D":
                    by_path.pop(old_path, None)
                    continue
                if not new_path.endswith(".md"):
                    continue
                lineage = by_path.pop(old_path, None) if status in ("R", "C") else by_path.get(new_path)
                if status == "C":
                    lineage = None  # a copy starts a lineage of its own
                if lineage is None:
                    lineage = by_path.get(new_path) or _Lineage(new_path)
                lineage.path = new_path
                by_path[new_path] = lineage
                lineage.states.append((commit, new_path, blob, b""))
        texts = _read_blobs(repo, [s[2] for lineage in by_path.values() for s in lineage.states])
        for lineage in by_path.values():
            lineage.states = [(c, p, b, texts[b]) for c, p, b, _ in lineage.states]
    problems: list[KspubError] = []
    timelines: dict[str, Timeline] = {}
    for lineage in by_path.values():
        timeline = _build_timeline(lineage, problems)
        if timeline is not None:
            timelines[timeline.agreement] = timeline
    if include_draft:
        _add_drafts(Path(repo.working_tree_dir), timelines, by_path)
    if problems:
        first = problems[0]
        raise HistoryError(
            first.code,
            first.message if len(problems) == 1 else f"{first.message}（另有 {len(problems) - 1} 处历史问题）",
            path=first.path,
            hint=first.hint,
            diagnostics=tuple(d for p in problems for d in _as_diagnostics(p)),
        )
    return timelines


def _read_blobs(repo: Any, blobs: list[str]) -> dict[str, bytes]:
    """Every blob's text through one ``git cat-file --batch`` process (not one process per version)."""
    import subprocess

    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    proc = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo.git_dir,
        input=("\n".join(wanted) + "\n").encode(),
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        problem = proc.stderr.decode("utf-8", "replace").strip()[-200:]
        raise HistoryError("KS809", f"无法读取 git 对象（{problem}）", hint="请确认仓库完整（git fsck），CI 中需检出完整历史")
    out, texts, pos = proc.stdout, dict[str, bytes](), 0
    for blob in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) < 3 or header[1] != b"blob":
            raise HistoryError("KS809", f"git 对象 {blob} 缺失，历史不完整", hint="请使用完整克隆（git fetch --unshallow）")
        size = int(header[2])
        texts[blob] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return texts


def _as_diagnostics(err: KspubError) -> Iterable[Any]:
    from kspub.errors import Diagnostic

    yield Diagnostic(err.code, err.message + (f"（{err.hint}）" if err.hint else ""), err.path or "", err.line)


def _build_timeline(lineage: _Lineage, problems: list[KspubError]) -> Timeline | None:
    versions: list[VersionRecord] = []
    seen_labels: dict[str, str] = {}
    for commit, path, blob, data in lineage.states:
        state = _read_state(data, path)
        if state is None:
            continue  # an unreadable state is lint's business; it never becomes a version
        meta, source = state.meta, state.source
        label = meta.version.strip()
        text_sha = sha256_text(legal_text(source))
        corrections = meta.corrections
        revision = Revision(commit, path, blob, text_sha)
        record = VersionRecord(
            agreement=meta.id or Path(path).stem,
            label=label,
            title=meta.title,
            path=path,
            source=source,
            text_sha256=text_sha,
            announced=meta.announced,
            effective=meta.effective,
            revisions=(revision,),
            corrections=corrections,
            summary=meta.summary,
        )
        if versions and versions[-1].label == label:
            prev = versions[-1]
            if prev.text_sha256 != text_sha and prev.announced is not None:
                # Once a label carries an announced date the notice has been given: its text is frozen.
                # Before that the label is still being drafted and later commits simply supersede earlier ones.
                new_corrections = [c for c in corrections if c not in prev.corrections]
                if not new_corrections:
                    problems.append(
                        HistoryError(
                            "KS802",
                            f"版本 {label} 已公告（提交 {prev.revisions[-1].commit.sha[:10]}），提交 {commit.sha[:10]} 却修改了它的正文而没有更换版本号",
                            path=path,
                            hint="请为修改后的文本设置新的 version；若只是不改变含义的勘误，请在 corrections 中登记日期和原因",
                        )
                    )
                    continue
                revision = replace(revision, correction=new_corrections[-1].reason)
            versions[-1] = replace(record, revisions=prev.revisions + (revision,))
            continue
        if label in seen_labels and seen_labels[label] != text_sha:
            problems.append(
                HistoryError(
                    "KS803",
                    f"版本号 {label} 被重复使用于不同的文本（提交 {commit.sha[:10]}）",
                    path=path,
                    hint="每个版本号只能对应一份文本，请使用新的版本号",
                )
            )
            continue
        seen_labels[label] = text_sha
        versions.append(record)
    if not versions:
        return None
    final = versions[-1].agreement  # a renamed agreement keeps one timeline under its current ID
    return Timeline(final, tuple(v if v.agreement == final else replace(v, agreement=final) for v in versions))


def _add_drafts(worktree: Path, timelines: dict[str, Timeline], by_path: dict[str, _Lineage]) -> None:
    """Add the working tree's text as a draft version wherever it differs from the last committed one."""
    folder = worktree / AGREEMENTS_DIR
    for file in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        state = _read_state(file.read_bytes(), f"{AGREEMENTS_DIR}/{file.name}")
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


def read_at_ref(root: Path, ref: str, path: str) -> str:
    """A file's text at a git ref (``REF:PATH`` in ``kspub diff``)."""
    repo = _open_repo(root)
    commit = verify_ref(repo, ref)
    try:
        return str(repo.git.show(f"{commit}:{path}", strip_newline_in_stdout=False))
    except Exception as exc:
        raise KspubError(
            "KS808", f"无法读取 {ref}:{path}（提交或文件不存在）", hint="请检查分支名/提交号和文件路径"
        ) from exc


def changed_agreement_paths(root: Path, base: str, head: str | None) -> list[tuple[str | None, str | None]]:
    """(path at base, path at head) of every agreement that differs between ``base`` and ``head`` (the working
    tree when head is None); None on the side where the file does not exist. Renames are paired."""
    repo = _open_repo(root)
    args = [verify_ref(repo, base)] if head is None else [verify_ref(repo, base), verify_ref(repo, head)]
    try:
        out = repo.git.diff("--name-status", "-M", *args, "--", AGREEMENTS_DIR)
    except Exception as exc:
        raise HistoryError("KS804", f"无法比较 {base} 与 {head or '工作区'}", hint="请确认分支或提交存在") from exc
    pairs: list[tuple[str | None, str | None]] = []
    for line in out.splitlines():
        status, *paths = line.split("\t")
        if not any(p.endswith(".md") for p in paths):
            continue
        if status.startswith("R"):
            pairs.append((paths[0], paths[1]))
        elif status.startswith("A"):
            pairs.append((None, paths[0]))
        elif status.startswith("D"):
            pairs.append((paths[0], None))
        else:
            pairs.append((paths[0], paths[0]))
    if head is None:
        for p in repo.untracked_files:
            if p.startswith(f"{AGREEMENTS_DIR}/") and p.endswith(".md"):
                pairs.append((None, p))
    return sorted(set(pairs), key=lambda pair: pair[1] or pair[0] or "")


def file_at_ref(root: Path, ref: str, path: str) -> str | None:
    """A file's text at a ref, or None when the path truly does not exist there.

    Any other failure (an unreadable object, a broken repository, a file that is not UTF-8) is an error: an
    agreement whose base cannot be read must not look new and skip every notice check."""
    repo = _open_repo(root)
    commit = verify_ref(repo, ref)
    status, listing, stderr = repo.git.execute(
        ["git", "ls-tree", "-z", "--full-tree", commit, "--", path], with_extended_output=True, with_exceptions=False
    )
    if status != 0:
        raise HistoryError("KS808", f"无法读取 {ref}:{path}：{str(stderr).strip()[-200:]}", path=path,
                           hint="请确认仓库完整（git fsck），CI 中需检出完整历史")  # fmt: skip
    entry = str(listing).split("\0")[0]
    if not entry:
        return None
    mode_type_blob, _, _name = entry.partition("\t")
    fields = mode_type_blob.split()
    if len(fields) != 3 or fields[1] != "blob":
        raise HistoryError("KS808", f"{ref}:{path} 不是文件", path=path, hint="agreements/ 下的协议必须是 .md 文件")
    data = _read_blobs(repo, [fields[2]])[fields[2]]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HistoryError("KS808", f"{ref}:{path} 不是 UTF-8 编码", path=path,
                           hint="请在编辑器中以 UTF-8 编码重新保存后提交") from exc  # fmt: skip
