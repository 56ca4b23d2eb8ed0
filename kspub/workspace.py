"""The edge that reads an agreement repository from disk: agreements/*.md and sla/catalogue.yaml."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from kspub.errors import Diagnostic, KspubError, Severity
from kspub.lint import lint_agreement
from kspub.model import Agreement
from kspub.parse import MAX_FILE_BYTES, ParseResult, decode_source, parse_file
from kspub.record import RELEASES_DIR
from kspub.sla.catalogue import SlaCatalogue, parse_catalogue

AGREEMENTS_DIR = "agreements"
SLA_FILE = "sla/catalogue.yaml"
_RELEASES = RELEASES_DIR.rsplit("/", 1)[-1]


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it lies below it. Symbolic links are resolved where they can be; a
    link that loops is shown as given (it is reported by :func:`read_bytes`, never a traceback)."""
    try:
        shown, base = path.resolve(), root.resolve()
    except (OSError, RuntimeError):  # RuntimeError: "Symlink loop" (Python 3.11)
        shown, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        return shown.relative_to(base).as_posix()
    except ValueError:
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
        except ValueError:
            return path.as_posix()


def agreement_paths(root: Path) -> list[Path]:
    """The agreements: the files ``agreements/*.md`` (lower-case ``.md``, top level only)."""
    folder = root / AGREEMENTS_DIR
    return sorted(p for p in folder.glob("*.md") if p.name.endswith(".md")) if folder.is_dir() else []


def _broken_link(path: Path) -> str | None:
    """Why a symbolic link cannot be read (a loop, a missing target), or None."""
    if not path.is_symlink():
        return None
    try:
        path.resolve(strict=True)
    except RuntimeError:
        return "符号链接指向自身或形成循环"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "符号链接指向自身或形成循环"
        return "符号链接指向的文件不存在"
    return None


def stray_diagnostics(root: Path) -> list[Diagnostic]:
    """Everything in ``agreements/`` that is neither an agreement (``*.md`` at the top level) nor the release
    records (``releases/``): none of it is ever published, which an editor should hear about (KS009).

    A Markdown file (a sub-folder's copy, ``X.MD``, ``.markdown``) is an error: it looks like an agreement and
    would silently never appear on the site. Any other file or folder is a warning. Hidden files (``.gitkeep``)
    are left alone; symbolic links are not followed."""
    folder = root / AGREEMENTS_DIR
    if not folder.is_dir() or folder.is_symlink():
        return []
    diags: list[Diagnostic] = []
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.startswith(".") or (name == _RELEASES and entry.is_dir() and not entry.is_symlink()):
            continue
        shown = f"{AGREEMENTS_DIR}/{name}"
        if name.endswith(".md"):
            continue  # an agreement (a link to one too): read, and reported, by parse_path
        broken = _broken_link(entry)
        if broken is not None:
            diags.append(Diagnostic("KS008", f"{broken}：请删除该链接，或把真实文件放在这里。", shown))
        elif entry.is_symlink():
            diags.append(Diagnostic("KS009", f"{AGREEMENTS_DIR}/ 下的符号链接不会作为协议发布：请删除它，或把真实的协议文件"
                                    "（协议ID.md）放在这里。", shown, None, Severity.WARNING))  # fmt: skip
        elif entry.is_dir():
            markdown = sorted(p for p in _walk(entry) if _looks_like_markdown(p.name))
            for p in markdown:
                diags.append(Diagnostic("KS009", f"{AGREEMENTS_DIR}/ 的子文件夹中的文件不是协议，永远不会发布：如是协议，请移到 "
                                        f"{AGREEMENTS_DIR}/ 下（文件名为 协议ID.md）；如是草稿或备份，请移出 {AGREEMENTS_DIR}/。",
                                        f"{shown}/{p.relative_to(entry).as_posix()}"))  # fmt: skip
            if not markdown:
                diags.append(Diagnostic("KS009", f"{AGREEMENTS_DIR}/ 下只应有协议文件（协议ID.md）和 releases/：这个文件夹不会发布，"
                                        f"请把它移出 {AGREEMENTS_DIR}/。", shown, None, Severity.WARNING))  # fmt: skip
        elif _looks_like_markdown(name):
            stem = name.rsplit(".", 1)[0]
            diags.append(Diagnostic("KS009", f"文件扩展名不是小写的 .md，不会作为协议发布：请重命名为 {stem.lower()}.md。", shown))
        else:
            diags.append(Diagnostic("KS009", f"{AGREEMENTS_DIR}/ 下只应有协议文件（协议ID.md）和 releases/：这个文件不会发布，"
                                    f"请把它移出 {AGREEMENTS_DIR}/。", shown, None, Severity.WARNING))  # fmt: skip
    return diags


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symbolic link loop
        return Path(os.path.abspath(path))


def _looks_like_markdown(name: str) -> bool:
    return name.lower().endswith((".md", ".markdown"))


def _walk(folder: Path) -> list[Path]:
    """The files below ``folder``, symbolic links not followed (a link that loops cannot hang this)."""
    found: list[Path] = []
    for top, _dirs, files in os.walk(folder, followlinks=False):
        found.extend(Path(top) / f for f in files)
    return found


def read_bytes(path: Path, shown: str) -> tuple[bytes | None, list[Diagnostic]]:
    broken = _broken_link(path)
    if broken is not None:
        return None, [Diagnostic("KS008", f"{broken}：请删除该链接，或把真实的协议文件放在这里。", shown)]
    try:
        if not path.is_file():
            return None, [Diagnostic("KS001", "不是普通文件（目录、设备或管道）：请给出协议文件或 SLA 目录文件的路径。", shown)]
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [
                Diagnostic("KS005", f"文件过大（{path.stat().st_size} 字节，上限 {MAX_FILE_BYTES} 字节）：请检查是否误放了其他内容。", shown)
            ]
        return path.read_bytes(), []
    except OSError as exc:
        return None, [Diagnostic("KS001", f"无法读取文件（{exc.strerror}）：请确认路径存在且有读取权限。", shown)]


def parse_path(path: Path, root: Path) -> ParseResult:
    """Parse one agreement file and run the semantic lint rules on it."""
    shown = display_path(path, root)
    data, diags = read_bytes(path, shown)
    if data is None:
        return ParseResult(None, tuple(diags))
    result = parse_file(shown, data)
    extra = []
    if result.agreement is not None:
        from kspub.law.notice_lint import lint_notice

        extra = lint_agreement(result.agreement) + lint_notice(result.agreement)
    return ParseResult(result.agreement, result.diagnostics + tuple(extra))


def load_sla(root: Path, path: Path | None = None) -> tuple[SlaCatalogue | None, list[Diagnostic]]:
    path = path or root / SLA_FILE
    shown = display_path(path, root)
    data, diags = read_bytes(path, shown)
    if data is None:
        return None, diags
    text, decode_diags = decode_source(data, shown, empty_hint="请写入 SLA 目录（title 与 categories），或删除该文件。")
    if text is None:
        return None, decode_diags
    catalogue, more = parse_catalogue(text, shown)
    return catalogue, decode_diags + more


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything in a repository that parsed, plus every problem found on the way."""

    agreements: tuple[Agreement, ...]
    sla: SlaCatalogue | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    def agreement(self, agreement_id: str) -> Agreement:
        for a in self.agreements:
            if a.id == agreement_id:
                return a
        known = "、".join(a.id for a in self.agreements) or "（无）"
        raise KspubError("KS020", f"没有 ID 为 “{agreement_id}” 的协议。现有协议：{known}。")


def load_corpus(root: Path, *, with_sla: bool = True) -> Corpus:
    agreements: list[Agreement] = []
    diags: list[Diagnostic] = stray_diagnostics(root)
    for path in agreement_paths(root):
        result = parse_path(path, root)
        diags.extend(result.diagnostics)
        if result.agreement is not None:
            agreements.append(result.agreement)
    sla = None
    if with_sla and (root / SLA_FILE).exists():
        sla, sla_diags = load_sla(root)
        diags.extend(sla_diags)
    return Corpus(tuple(agreements), sla, tuple(diags))


def require_clean(corpus: Corpus) -> None:
    """Raise when any file has an error: nothing is built or diffed from a broken source."""
    if corpus.errors:
        first = corpus.errors[0]
        raise KspubError(
            "KS010",
            f"协议源文件有 {len(corpus.errors)} 处错误，未继续执行（第一处：{first.format()}）",
            hint="请先运行 kspub lint 查看并改正全部错误",
            diagnostics=corpus.diagnostics,
        )


def lint_paths(root: Path, paths: list[Path]) -> list[Diagnostic]:
    """Lint the given files and folders (default: the whole repository)."""
    if not paths:
        return list(load_corpus(root).diagnostics)
    diags: list[Diagnostic] = []
    files: list[Path] = []
    agreements_dir = _resolved(root / AGREEMENTS_DIR)
    for p in paths:
        if p.is_dir() and _resolved(p) == agreements_dir:
            diags.extend(stray_diagnostics(root))
            files.extend(agreement_paths(root))
        elif p.is_dir():
            records = _resolved(root / RELEASES_DIR)
            found = [x for x in _walk(p) if records not in _resolved(x).parents]
            files.extend(sorted(x for x in found if x.suffix == ".md"))
            files.extend(sorted(x for x in found if x.suffix in (".yaml", ".yml")))
        elif p.exists() or p.is_symlink():
            files.append(p)
        else:
            diags.append(Diagnostic("KS001", "文件不存在：请检查路径。", p.as_posix()))
    for f in files:
        if f.suffix in (".yaml", ".yml"):
            diags.extend(load_sla(root, f)[1])
        else:
            diags.extend(parse_path(f, root).diagnostics)
    return diags
