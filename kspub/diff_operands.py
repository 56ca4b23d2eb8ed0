"""`kspub diff`: resolve the two operands (a file, AGREEMENT@VERSION or REF:PATH) and diff them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kspub.diff import ChangeSet, diff_agreements
from kspub.errors import KspubError
from kspub.model import Agreement
from kspub.parse import parse_file
from kspub.workspace import display_path, read_bytes


def _parsed(data: bytes, shown: str, *, check_name: bool = True) -> Agreement:
    result = parse_file(shown, data, check_name=check_name)
    if result.agreement is None or not result.ok:
        errors = [d for d in result.diagnostics if d.severity.value == "error"]
        raise KspubError(
            "KS030",
            f"{shown} 无法解析（{len(errors)} 处错误，第一处：{errors[0].format() if errors else '未知'}）",
            hint="请先运行 kspub lint 改正",
            diagnostics=tuple(errors),
        )
    return result.agreement


def resolve_operand(root: Path, spec: str) -> Agreement:
    """An agreement from a file path, ``AGREEMENT@VERSION`` (git history) or ``REF:PATH`` (a git ref)."""
    path = Path(spec)
    if path.exists():
        shown = display_path(path, root)
        data, diags = read_bytes(path, shown)
        if data is None:
            raise KspubError(diags[0].code, diags[0].message, path=shown)
        return _parsed(data, shown, check_name=False)
    if "@" in spec and ":" not in spec:
        from kspub.history import find_version

        agreement_id, version = spec.split("@", 1)
        return find_version(root, agreement_id, version)
    if ":" in spec:
        from kspub.repository import read_at_ref

        ref, file = spec.split(":", 1)
        # git's output is decoded with surrogateescape: encoding it back the same way gives the committed bytes,
        # so a file that is not UTF-8 is reported as one (KS002) like any other file
        return _parsed(read_at_ref(root, ref, file).encode("utf-8", "surrogateescape"), file)
    raise KspubError(
        "KS031",
        f"找不到 “{spec}”",
        hint="请写文件路径、协议ID@版本号（如 cloud-service-agreement@1.0）或 提交:路径（如 main:agreements/x.md）",
    )


@dataclass(frozen=True, slots=True)
class AgreementDiff:
    """The change set of one agreement between two refs; ``old``/``new`` is None when it was added/removed."""

    path: str
    old: Agreement | None
    new: Agreement | None
    changes: ChangeSet | None


def parsed_source(text: str, path: str) -> Agreement:
    """An agreement's text read from a ref, parsed as the file at ``path`` would be (KS030 when it does not parse)."""
    return _parsed(text.encode("utf-8"), path)


def diff_refs(root: Path, base: str, head: str | None, *, skip: frozenset[str] = frozenset()) -> list[AgreementDiff]:
    """Every agreement changed between ``base`` and ``head`` (the working tree when None), leaving out the
    paths in ``skip`` (files lint already reported as broken)."""
    from kspub.repository import changed_agreement_paths, file_at_ref

    out: list[AgreementDiff] = []
    for old_path, new_path in changed_agreement_paths(root, base, head):
        if new_path in skip:
            continue
        old = None
        if old_path is not None and (text := file_at_ref(root, base, old_path)) is not None:
            old = _parsed(text.encode("utf-8"), old_path)
        new = None
        if new_path is not None:
            if head is None:
                file = root / new_path
                new = _parsed(file.read_bytes(), new_path) if file.exists() else None
            elif (text := file_at_ref(root, head, new_path)) is not None:
                new = _parsed(text.encode("utf-8"), new_path)
        changes = diff_agreements(old, new) if old is not None and new is not None else None
        out.append(AgreementDiff(new_path or old_path or "", old, new, changes))
    return out
