"""The edge that reads an agreement repository from disk: agreements/*.md and sla/catalogue.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kspub.errors import Diagnostic, KspubError, Severity
from kspub.lint import lint_agreement
from kspub.model import Agreement
from kspub.parse import MAX_FILE_BYTES, ParseResult, decode_source, parse_file
from kspub.sla.catalogue import SlaCatalogue, parse_catalogue

AGREEMENTS_DIR = "agreements"
SLA_FILE = "sla/catalogue.yaml"


def display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def agreement_paths(root: Path) -> list[Path]:
    folder = root / AGREEMENTS_DIR
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


def read_bytes(path: Path, shown: str) -> tuple[bytes | None, list[Diagnostic]]:
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
        from kspub.law.notice import lint_notice

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
    diags: list[Diagnostic] = []
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
    for p in paths:
        if p.is_dir():
            files.extend(sorted(p.rglob("*.md")))
            files.extend(sorted(x for x in p.rglob("*.y*ml") if x.suffix in (".yaml", ".yml")))
        elif p.exists():
            files.append(p)
        else:
            diags.append(Diagnostic("KS001", "文件不存在：请检查路径。", p.as_posix()))
    for f in files:
        if f.suffix in (".yaml", ".yml"):
            diags.extend(load_sla(root, f)[1])
        else:
            diags.extend(parse_path(f, root).diagnostics)
    return diags
