"""One error hierarchy for everything kspub reports to a user.

Library code raises these; only the CLI turns them into `path:line: CODE message` and an exit code.
Messages are in Chinese (legal editors read them); codes are stable identifiers services may match on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kspub.chinese_text import REFUSED_CHAR_RE


def shown_path(path: str) -> str:
    """A path as printed in a one-line diagnostic: as it is, unless it holds a line break, a tab, a control
    character or another refused character that would split or disguise the line; then quoted, with those
    characters, backslashes and quotes escaped (``"agreements/de\\nmo.md"``)."""
    if not (REFUSED_CHAR_RE.search(path) or any(ch in path for ch in "\t\n\u2028\u2029")):
        return path
    out = []
    for ch in path:
        if ch in "\\\"":
            out.append("\\" + ch)
        elif ch in "\t\n\u2028\u2029" or REFUSED_CHAR_RE.fullmatch(ch):
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _one_line(message: str) -> str:
    """A message on one line: line breaks shown as ``\\n``, and a lone surrogate (from a file name that is not
    UTF-8) escaped, so printing it can never fail."""
    text = message.replace("\r", "\\r").replace("\n", "\\n")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in an input file."""

    code: str
    """Stable code, e.g. ``KS101``."""
    message: str
    """Chinese message saying what is wrong and what to do."""
    path: str
    """Path of the file as the user gave it (repository-relative when possible)."""
    line: int | None = None
    """1-based source line, or None when the problem concerns the whole file."""
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        """``path:line: CODE message``; ``path: CODE message`` for the whole file; ``CODE message`` for a problem
        of no file (a shallow clone), as :meth:`KspubError.format` writes it."""
        where = shown_path(self.path) if self.line is None else f"{shown_path(self.path)}:{self.line}"
        tag = {Severity.ERROR: "", Severity.WARNING: "（警告）", Severity.INFO: "（提示）"}[self.severity]
        message = _one_line(self.message)
        return f"{where}: {self.code} {tag}{message}" if self.path else f"{self.code} {tag}{message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "severity": self.severity.value,
        }


class KspubError(Exception):
    """An error a user can act on: it carries a stable code, where it happened and a fix hint."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
        diagnostics: tuple[Diagnostic, ...] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint
        self.diagnostics = diagnostics

    def format(self) -> str:
        where = ""
        if self.path:
            where = f"{shown_path(self.path)}:{self.line}: " if self.line else f"{shown_path(self.path)}: "
        text = f"{where}{self.code} {_one_line(self.message)}"
        if self.hint:
            text += f"（{self.hint}）"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "hint": self.hint,
        }


class HistoryError(KspubError):
    """The git history cannot give a complete, trustworthy timeline."""


class CalendarError(KspubError):
    """A date falls outside the official working-day schedules kspub knows."""


class UsageError(KspubError):
    """A command was called with arguments that make no sense (exit 2)."""
