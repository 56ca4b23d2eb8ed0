"""The git repository as kspub reads it: refs, blobs, the first-parent log and the committed tree.

With :mod:`kspub.history` the only module that imports git. Every git failure is an error with a KS code (KS800
not a repository, KS801 shallow clone, KS804 unknown ref, KS808/KS809 unreadable objects); only a path that truly
does not exist at a ref reads as absent.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kspub.errors import HistoryError, KspubError
from kspub.law.period import shanghai

AGREEMENTS_DIR = "agreements"

#: Replacement objects (``git replace``, grafts) are ignored: kspub reads the commits, trees and blobs themselves,
#: so a replacement can neither hide the release record of a commit nor swap the text of a recorded version.
GIT_ENV = {"GIT_NO_REPLACE_OBJECTS": "1"}


def git_env() -> dict[str, str]:
    """The environment of every git process kspub starts (see :data:`GIT_ENV`)."""
    return {**os.environ, **GIT_ENV}


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



def open_repo(root: Path) -> Any:
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise HistoryError(
            "KS800",
            f"{root} 不是 git 仓库，无法读取版本历史",
            hint="请在协议仓库的完整克隆中运行（git clone 后不要加 --depth）",
        ) from exc
    repo.git.update_environment(**GIT_ENV)
    return repo


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


def start_commit(repo: Any, ref: str) -> str | None:
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


def read_log(repo: Any, ref: str) -> list[tuple[CommitInfo, list[tuple[str, str, str, str]]]]:
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



#: What a build publishes from the committed tree (never from the working tree).
PUBLISHED_PATHS = ("agreements", "sla", "calendar", "mkdocs.yml")


@contextmanager
def committed_tree(root: Path, ref: str = "HEAD", paths: Sequence[str] = PUBLISHED_PATHS) -> Iterator[Path]:
    """The files ``paths`` as committed at ``ref``, extracted into a temporary folder (removed afterwards).

    Published means committed: the build reads agreements, ``sla/``, ``calendar/`` and ``mkdocs.yml`` from here,
    so an uncommitted edit or deletion never reaches the site."""
    import io
    import tarfile
    import tempfile

    repo = open_repo(root)
    start = start_commit(repo, ref)
    with tempfile.TemporaryDirectory(prefix="kspub-tree-") as tmp:
        present = _top_level_names(repo, start, paths) if start is not None else []
        if present:
            proc = subprocess.run(["git", "archive", "--format=tar", str(start), "--", *present], cwd=repo.working_tree_dir,
                                  capture_output=True, check=False, env=git_env())  # fmt: skip
            if proc.returncode != 0:
                raise HistoryError("KS809", f"无法读取 {ref} 提交的文件：{proc.stderr.decode('utf-8', 'replace')[-200:]}",
                                   hint="请确认仓库完整（git fsck）")  # fmt: skip
            with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
                tar.extractall(tmp, filter="data")
        yield Path(tmp)


def _top_level_names(repo: Any, commit: str, paths: Sequence[str]) -> list[str]:
    out = str(repo.git.execute(["git", "ls-tree", "-z", "--name-only", commit], with_exceptions=False))
    names = set(out.split("\0"))
    return [p for p in paths if p in names]


def uncommitted_changes(root: Path, paths: Sequence[str] = PUBLISHED_PATHS) -> list[str]:
    """Paths under ``paths`` whose working-tree state differs from HEAD (edited, added, deleted, untracked)."""
    repo = open_repo(root)
    status, out, _ = repo.git.execute(
        ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths],
        with_extended_output=True,
        with_exceptions=False,
    )
    if status != 0:
        return []
    changed: list[str] = []
    entries = str(out).split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        if len(entry) > 3:
            changed.append(entry[3:])
            if entry[0] in "RC":
                i += 1  # the rename's source follows
        i += 1
    return changed



def read_blobs(repo: Any, blobs: list[str], *, missing_ok: bool = False) -> dict[str, bytes]:
    """Every blob's text through one ``git cat-file --batch`` process (not one process per version).

    A missing object is an error (KS809), or with ``missing_ok`` simply absent from the result."""

    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    proc = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo.git_dir,
        input=("\n".join(wanted) + "\n").encode(),
        capture_output=True,
        check=False,
        env=git_env(),
    )
    if proc.returncode != 0:
        problem = proc.stderr.decode("utf-8", "replace").strip()[-200:]
        raise HistoryError("KS809", f"无法读取 git 对象（{problem}）", hint="请确认仓库完整（git fsck），CI 中需检出完整历史")
    out, texts, pos = proc.stdout, dict[str, bytes](), 0
    for blob in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if missing_ok and header[-1:] == [b"missing"]:
            pos = end + 1
            continue
        if len(header) < 3 or header[1] != b"blob":
            raise HistoryError("KS809", f"git 对象 {blob} 缺失，历史不完整", hint="请使用完整克隆（git fetch --unshallow）")
        size = int(header[2])
        texts[blob] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return texts




def read_at_ref(root: Path, ref: str, path: str) -> str:
    """A file's text at a git ref (``REF:PATH`` in ``kspub diff``)."""
    repo = open_repo(root)
    commit = verify_ref(repo, ref)
    status, kind, _ = repo.git.execute(["git", "cat-file", "-t", f"{commit}:{path}"], with_extended_output=True,
                                       with_exceptions=False)  # fmt: skip
    if status == 0 and str(kind).strip() != "blob":  # a folder (git shows a listing of it, not a text)
        raise KspubError("KS001", f"{ref}:{path} 不是文件（是目录）",
                         hint="请给出协议文件的路径，例如 main:agreements/privacy-policy.md")  # fmt: skip
    try:
        return str(repo.git.show(f"{commit}:{path}", strip_newline_in_stdout=False))
    except Exception as exc:
        raise KspubError(
            "KS808", f"无法读取 {ref}:{path}（提交或文件不存在）", hint="请检查分支名/提交号和文件路径"
        ) from exc


def changed_agreement_paths(root: Path, base: str, head: str | None) -> list[tuple[str | None, str | None]]:
    """(path at base, path at head) of every agreement that differs between ``base`` and ``head`` (the working
    tree when head is None); None on the side where the file does not exist. Renames are paired."""
    repo = open_repo(root)
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
    repo = open_repo(root)
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
    data = read_blobs(repo, [fields[2]])[fields[2]]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HistoryError("KS808", f"{ref}:{path} 不是 UTF-8 编码", path=path,
                           hint="请在编辑器中以 UTF-8 编码重新保存后提交") from exc  # fmt: skip
