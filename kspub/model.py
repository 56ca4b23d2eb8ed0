"""The domain model: plain frozen dataclasses shared by every layer.

Nothing here knows Markdown or git. A node is any identified part of an agreement (section, clause or item);
nodes are kept flat, in document order, each naming its parent by ID.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class NodeKind(StrEnum):
    SECTION = "section"
    """A heading: ``## 一、总则``."""
    CLAUSE = "clause"
    """A paragraph: ``1.1 本协议是……``."""
    ITEM = "item"
    """A list item under a clause: ``- (1) 反对……``."""


#: Subject tags a clause may carry; the materiality and notice rules key on them.
#: An agreement or clause ID: an ASCII lowercase slug (letters, digits, single hyphens), starting with a letter.
ID_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
#: The longest ID kspub accepts (agreement and clause alike): it becomes a URL path segment and a file name.
ID_MAX = 64
#: The longest title kspub accepts, in characters: an agreement's, a section heading's (with its number) and the
#: SLA catalogue's. Titles go into headings, navigation and page titles, which the site generator renders in
#: time that grows with the square of their markup; the longest real heading is under 80 characters.
TITLE_MAX = 200
#: A version label: letters, digits, dots, hyphens and underscores (2026.1, 2022-07-05, 1.10).
VERSION_LABEL_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,39}")


def is_id(text: str) -> bool:
    """True when ``text`` is a valid agreement or clause ID (see :data:`ID_RE` and :data:`ID_MAX`)."""
    return len(text) <= ID_MAX and ID_RE.fullmatch(text) is not None


def is_version_label(text: str) -> bool:
    """True when ``text`` is a valid version label (see :data:`VERSION_LABEL_RE`)."""
    return VERSION_LABEL_RE.fullmatch(text) is not None


KNOWN_TAGS: Mapping[str, str] = {
    "fees": "费用与支付",
    "liability": "责任与免责",
    "personal-information": "个人信息",
    "termination": "终止与注销",
    "data-retention": "数据保存与删除",
    "dispute": "法律适用与争议解决",
    "change-notice": "协议变更与通知",
    "service-level": "服务等级",
    "consent": "同意与授权",
    "confidentiality": "保密",
    "intellectual-property": "知识产权",
    "account": "账号与实名",
    "content-security": "内容与信息安全",
}


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Node:
    """One identified part of an agreement."""

    id: str
    """Stable ASCII slug written by the editor, unique in the agreement."""
    kind: NodeKind
    number: str
    """Display number exactly as printed ("一、", "4.4", "(1)", "（1）"), or "" when there is none."""
    title: str
    """A section's heading text without its number; "" for clauses and items."""
    text: str
    """The node's own text without its number and without its children (inline Markdown kept as written)."""
    printed: str
    """The whole printed line(s) of the node: number, separator and text exactly as in the source."""
    parent: str | None
    """ID of the enclosing node, or None at the top level."""
    line: int
    """1-based line of the node's text in the source file."""
    id_line: int
    """1-based line of the ``{#id}`` attribute line (equal to ``line`` when the ID is missing)."""
    depth: int = 0
    """0 for top-level sections, growing inward."""
    tags: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    """IDs this node replaces (a moved, split or merged clause declares them)."""

    @property
    def sha256(self) -> str:
        return sha256_text(self.printed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "number": self.number,
            "title": self.title,
            "text": self.text,
            "printed": self.printed,
            "tags": list(self.tags),
            "parent": self.parent,
            "replaces": list(self.replaces),
            "line": self.line,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class PrintedDates:
    """Dates printed in the agreement's own text (更新时间 / 生效时间), for display only."""

    updated: date | None = None
    effective: date | None = None


@dataclass(frozen=True, slots=True)
class Correction:
    """An editorial correction made to an already announced version, recorded with date and reason."""

    date: date
    reason: str
    clauses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangeNote:
    """A person's written reason to treat one clause's change as editorial (downgrades a material flag).

    A change with a hard flag (a number, a duty or negation word, a material subject) is downgraded only when
    the note names who approved it (``approved_by``): a bare reason never silences such a change (decision
    record 0405)."""

    clause: str
    classification: str
    reason: str
    approved_by: str = ""
    """Who approved the downgrade (a name or a role), as written; "" when the note names no one."""
    line: int | None = field(default=None, compare=False)
    """1-based line of the note in the source file (not part of a note's identity)."""


@dataclass(frozen=True, slots=True)
class Meta:
    """The agreement's front matter."""

    id: str
    title: str
    kind: str
    version: str
    language: str = "zh-CN"
    announced: date | None = None
    effective: date | None = None
    printed: PrintedDates = field(default_factory=PrintedDates)
    retired: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()
    summary: str = ""
    """变更说明: a plain-language summary of what this version changes."""
    change_notes: tuple[ChangeNote, ...] = ()
    notice: Mapping[str, Any] = field(default_factory=dict)
    """Notice rules (interpreted by :mod:`kspub.law.notice`)."""
    consent: Mapping[str, Any] = field(default_factory=dict)
    """The consent plan of this version (interpreted by :mod:`kspub.law.consent`)."""
    field_lines: Mapping[str, int] = field(default_factory=dict)
    """1-based source line of each top-level front-matter key."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "version": self.version,
            "language": self.language,
            "announced": self.announced.isoformat() if self.announced else None,
            "effective": self.effective.isoformat() if self.effective else None,
            "printed_dates": {
                "updated": self.printed.updated.isoformat() if self.printed.updated else None,
                "effective": self.printed.effective.isoformat() if self.printed.effective else None,
            },
            "retired": list(self.retired),
            "summary": self.summary,
        }


@dataclass(frozen=True, slots=True)
class Agreement:
    """A parsed agreement: front matter plus every identified node in document order."""

    meta: Meta
    nodes: tuple[Node, ...]
    path: str
    source: str
    """The file's text (after normalising a BOM or CRLF, if any)."""

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def sha256(self) -> str:
        return sha256_text(self.source)

    def node(self, node_id: str) -> Node | None:
        for n in self.nodes:
            if n.id == node_id:
                return n
        return None

    def by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    def to_dict(self) -> dict[str, Any]:
        d = self.meta.to_dict()
        d["path"] = self.path
        d["sha256"] = self.sha256
        d["clauses"] = [n.to_dict() for n in self.nodes]
        return d
