"""The release record: the committed, append-only list of every released version of an agreement.

One file per agreement, ``agreements/releases/<agreement-id>.yaml``, written by ``kspub release`` (never by
hand). For each released version it holds the label, the sha256 of the legal text, the git blob of the source
file as released, the announced and effective dates and the summary; later events are appended to the version
(an editorial correction with its new blob, a postponement of the effective date, a withdrawal before the
version took effect), and a withdrawal of the whole agreement is recorded at the top. The timeline is read from
this record, never inferred from commit topology (docs/decisions/0302-release-record.md).

This module is the record's data model, its reader (with Chinese errors naming the file, the line and the
entry), its writer (deterministic YAML) and the append-only comparison the gate and the build apply.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

import yaml

from kspub.chinese_text import REFUSED_CHAR_RE, describe_refused, refused_characters
from kspub.errors import KspubError
from kspub.model import is_id, is_version_label

RELEASES_DIR = "agreements/releases"
_BLOB_RE = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")

#: The record file cannot be read or does not have the record's shape.
BAD_RECORD = "KS810"

_HEADER = (
    "# 发布记录（只追加）：由 kspub release 写入，请勿手工编辑。\n"
    "# 已合入主分支的条目永远不能修改或删除；勘误、推迟生效、撤回只能作为新的事件追加。\n"
)


class EventKind(StrEnum):
    CORRECTION = "correction"
    """An editorial correction: the text changes under the same label, its meaning does not."""
    POSTPONEMENT = "postponement"
    """The effective date moves later (never earlier: the notice already given counts from the old date)."""
    WITHDRAWAL = "withdrawal"
    """The version is withdrawn before it took effect; it stays published as withdrawn."""


EVENT_ZH = {EventKind.CORRECTION: "勘误", EventKind.POSTPONEMENT: "推迟生效", EventKind.WITHDRAWAL: "撤回"}


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    date: dt.date
    reason: str
    blob: str | None = None
    """The corrected source (corrections only)."""
    sha256: str | None = None
    """sha256 of the corrected legal text (corrections only)."""
    effective: dt.date | None = None
    """The new effective date (postponements only)."""

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"event": self.kind.value, "date": self.date.isoformat(), "reason": self.reason}
        if self.kind is EventKind.CORRECTION:
            data["blob"] = self.blob
            data["sha256"] = self.sha256
        if self.kind is EventKind.POSTPONEMENT:
            data["effective"] = self.effective.isoformat() if self.effective else None
        return data


@dataclass(frozen=True, slots=True)
class Release:
    """One released version as recorded, with the events appended to it since."""

    version: str
    path: str
    """The agreement's file when the version was released (repository-relative)."""
    blob: str
    """The git blob of the source file as released."""
    sha256: str
    """sha256 of the legal text of that source (:func:`kspub.history.legal_text`)."""
    announced: date | None
    effective: date | None
    summary: str
    recorded: date
    """The day (Beijing time) ``kspub release`` recorded it."""
    events: tuple[Event, ...] = ()
    line: int = 0
    """1-based line of the entry in the record file (0 when not read from a file)."""

    @property
    def corrections(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.kind is EventKind.CORRECTION)

    @property
    def current_blob(self) -> str:
        """The blob of the text as it stands: the last correction's, else the released one."""
        fixes = self.corrections
        return fixes[-1].blob or self.blob if fixes else self.blob

    @property
    def current_sha256(self) -> str:
        fixes = self.corrections
        return fixes[-1].sha256 or self.sha256 if fixes else self.sha256

    @property
    def current_effective(self) -> date | None:
        """The effective date after every postponement."""
        effective = self.effective
        for e in self.events:
            if e.kind is EventKind.POSTPONEMENT:
                effective = e.effective
        return effective

    @property
    def withdrawal(self) -> Event | None:
        return next((e for e in self.events if e.kind is EventKind.WITHDRAWAL), None)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "path": self.path,
            "blob": self.blob,
            "sha256": self.sha256,
            "announced": self.announced.isoformat() if self.announced else None,
            "effective": self.effective.isoformat() if self.effective else None,
            "summary": self.summary,
            "recorded": self.recorded.isoformat(),
        }
        if self.events:
            data["events"] = [e.to_data() for e in self.events]
        return data

    def same_entry(self, other: Release) -> bool:
        """Equal as recorded (ignoring where in the file the entry stands)."""
        return replace(self, line=0) == replace(other, line=0)


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """The whole agreement stopped applying (its file was removed): it stays published, every version archived."""

    date: dt.date
    reason: str

    def to_data(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Record:
    agreement: str
    releases: tuple[Release, ...]
    withdrawn: Withdrawal | None = None
    predecessor: str | None = None
    """The agreement ID this one was renamed from: its versions are this agreement's earlier history."""
    path: str = ""
    """Repository-relative path of the record file."""
    lines: Mapping[str, int] = field(default_factory=dict)

    def release(self, label: str) -> Release | None:
        return next((r for r in self.releases if r.version == label), None)

    @property
    def latest(self) -> Release | None:
        return self.releases[-1] if self.releases else None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"agreement": self.agreement}
        if self.predecessor:
            data["predecessor"] = self.predecessor
        if self.withdrawn:
            data["withdrawn"] = self.withdrawn.to_data()
        data["versions"] = [r.to_data() for r in self.releases]
        return data


def record_path(agreement_id: str) -> str:
    return f"{RELEASES_DIR}/{agreement_id}.yaml"


def dump_record(record: Record) -> str:
    """The record as YAML: the same record always gives the same bytes."""
    body: str = yaml.safe_dump(
        record.to_data(), allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False
    )
    return _HEADER + body


# ---------------------------------------------------------------------------------------------------------
# Reading


class _Reader:
    """Reads one record file, turning every problem into a KS810 naming the file, the line and the fix."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, message: str, line: int | None = None) -> KspubError:
        return KspubError(
            BAD_RECORD,
            f"发布记录 {self.path} 有误：{message}",
            path=self.path,
            line=line,
            hint="发布记录由 kspub release 写入；请恢复为主分支上的内容后重新运行 kspub release，不要手工编辑",
        )

    def text(self, data: Mapping[str, Any], key: str, where: str, line: int, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{where}的 {key} 应为非空文字", line)
        refused = REFUSED_CHAR_RE.search(value)
        if refused is not None:  # written as a YAML escape: the text itself holds it
            raise self.fail(f"{where}的 {key} 中有无法显示的字符 {describe_refused(refused.group(0))}", line)
        return value

    def day(self, data: Mapping[str, Any], key: str, where: str, line: int, *, required: bool) -> date | None:
        value = data.get(key)
        if value is None and not required:
            return None
        try:
            return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _bad_date()
        except ValueError:
            raise self.fail(f"{where}的 {key} 应为 YYYY-MM-DD 形式的日期，实际为 {value!r}", line) from None

    def digest(self, data: Mapping[str, Any], key: str, pattern: re.Pattern[str], where: str, line: int) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise self.fail(f"{where}的 {key} 应为十六进制摘要，实际为 {value!r}", line)
        return value


def _bad_date() -> date:
    raise ValueError


def _node_lines(node: yaml.Node | None) -> dict[tuple[Any, ...], int]:
    """1-based line of every mapping and sequence item, keyed by its path in the document."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(n: yaml.Node, at: tuple[Any, ...]) -> None:
        lines[at] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    walk(v, (*at, k.value))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, (*at, i))

    if node is not None:
        walk(node, ())
    return lines


def parse_record(text: str, path: str) -> Record:
    """One record file; raises KspubError (KS810) naming the file, line and entry for anything malformed."""
    from kspub.frontmatter import DuplicateKeyError, YamlLimitError, load_yaml_document

    reader = _Reader(path)
    refused = refused_characters(text)
    if refused:
        line, ch = refused[0]
        raise reader.fail(f"有无法显示的字符 {describe_refused(ch)}", line + 1)
    try:
        node, data = load_yaml_document(text)
    except (yaml.YAMLError, DuplicateKeyError, YamlLimitError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None)
        if isinstance(exc, yaml.YAMLError) and not isinstance(exc, YamlLimitError) and problem:
            from kspub import yaml_hints

            hint = yaml_hints.explain(text, mark.line if mark is not None else None, str(problem))
            raise reader.fail(f"不是可读的 YAML：{hint.message}", hint.line + 1) from None
        raise reader.fail(f"不是可读的 YAML（{exc}）", mark.line + 1 if mark is not None else None) from None
    lines = _node_lines(node)
    if not isinstance(data, dict):
        raise reader.fail("应为映射，包含 agreement 和 versions", 1)
    unknown = set(data) - {"agreement", "versions", "withdrawn", "predecessor"}
    if unknown:
        raise reader.fail(f"有未知字段 {'、'.join(sorted(map(str, unknown)))}", 1)
    agreement = data.get("agreement")
    if not isinstance(agreement, str) or not is_id(agreement):
        raise reader.fail(f"agreement 应为协议 ID，实际为 {agreement!r}", lines.get(("agreement",), 1))
    expected = record_path(agreement)
    if path and path != expected:
        raise reader.fail(f"记录的协议 {agreement} 应保存在 {expected}", lines.get(("agreement",), 1))
    predecessor = data.get("predecessor")
    if predecessor is not None and (not isinstance(predecessor, str) or not is_id(predecessor)):
        raise reader.fail(f"predecessor 应为协议 ID，实际为 {predecessor!r}", lines.get(("predecessor",), 1))
    withdrawn = None
    if data.get("withdrawn") is not None:
        w = data["withdrawn"]
        line = lines.get(("withdrawn",), 1)
        if not isinstance(w, dict) or set(w) - {"date", "reason"}:
            raise reader.fail("withdrawn 应为 {date, reason}", line)
        day = reader.day(w, "date", "withdrawn", line, required=True)
        assert day is not None
        withdrawn = Withdrawal(day, reader.text(w, "reason", "withdrawn", line))
    entries = data.get("versions")
    if not isinstance(entries, list) or not entries:
        raise reader.fail("versions 应为至少一个版本的列表", lines.get(("versions",), 1))
    releases: list[Release] = []
    for index, entry in enumerate(entries):
        releases.append(_release(reader, entry, index, lines))
    labels = [r.version for r in releases]
    for r in releases:
        if labels.count(r.version) > 1:
            raise reader.fail(f"版本 {r.version} 记录了不止一次", r.line)
    return Record(agreement, tuple(releases), withdrawn, predecessor, path)


_RELEASE_KEYS = {"version", "path", "blob", "sha256", "announced", "effective", "summary", "recorded", "events"}
_EVENT_KEYS = {"event", "date", "reason", "blob", "sha256", "effective"}


def _release(reader: _Reader, entry: object, index: int, lines: Mapping[tuple[Any, ...], int]) -> Release:
    line = lines.get(("versions", index), 1)
    where = f"第 {index + 1} 个版本"
    if not isinstance(entry, dict):
        raise reader.fail(f"{where}应为映射", line)
    unknown = set(entry) - _RELEASE_KEYS
    if unknown:
        raise reader.fail(f"{where}有未知字段 {'、'.join(sorted(map(str, unknown)))}", line)
    label = entry.get("version")
    if not isinstance(label, str) or not is_version_label(label):
        raise reader.fail(f"{where}的 version 应为带引号的版本号，实际为 {label!r}", line)
    where = f"版本 {label} "
    recorded = reader.day(entry, "recorded", where, line, required=True)
    assert recorded is not None
    events: list[Event] = []
    raw_events = entry.get("events") or []
    if not isinstance(raw_events, list):
        raise reader.fail(f"{where}的 events 应为列表", line)
    for i, raw in enumerate(raw_events):
        events.append(_event(reader, raw, f"{where}的第 {i + 1} 个事件", lines.get(("versions", index, "events", i), line)))
    return Release(
        version=label,
        path=reader.text(entry, "path", where, line),
        blob=reader.digest(entry, "blob", _BLOB_RE, where, line),
        sha256=reader.digest(entry, "sha256", _SHA256_RE, where, line),
        announced=reader.day(entry, "announced", where, line, required=False),
        effective=reader.day(entry, "effective", where, line, required=False),
        summary=reader.text(entry, "summary", where, line, required=False),
        recorded=recorded,
        events=tuple(events),
        line=line,
    )


def _event(reader: _Reader, raw: object, where: str, line: int) -> Event:
    if not isinstance(raw, dict) or set(raw) - _EVENT_KEYS:
        raise reader.fail(f"{where}应为映射，字段为 {'、'.join(sorted(_EVENT_KEYS))}", line)
    try:
        kind = EventKind(str(raw.get("event")))
    except ValueError:
        raise reader.fail(f"{where}的 event 应为 correction、postponement 或 withdrawal", line) from None
    day = reader.day(raw, "date", where, line, required=True)
    assert day is not None
    reason = reader.text(raw, "reason", where, line)
    if kind is EventKind.CORRECTION:
        return Event(kind, day, reason, blob=reader.digest(raw, "blob", _BLOB_RE, where, line),
                     sha256=reader.digest(raw, "sha256", _SHA256_RE, where, line))  # fmt: skip
    if kind is EventKind.POSTPONEMENT:
        return Event(kind, day, reason, effective=reader.day(raw, "effective", where, line, required=True))
    return Event(kind, day, reason)


# ---------------------------------------------------------------------------------------------------------
# Append-only


def append_only_problems(base: Record | None, head: Record | None) -> list[tuple[str, int | None]]:
    """What ``head`` changed in ``base`` other than by appending: each problem as (Chinese message, line).

    Allowed: new versions after the recorded ones, new events after a version's recorded events, a withdrawal
    of the agreement when it had none, a predecessor declared with the first record. Everything else — an
    entry edited or removed, events edited, removed or reordered, the record deleted — is a problem."""
    if base is None:
        return []
    if head is None:
        return [(f"删除了协议 {base.agreement} 的发布记录 {base.path}：已发布的版本不能从记录中删除", None)]
    problems: list[tuple[str, int | None]] = []
    if head.agreement != base.agreement:
        problems.append((f"发布记录的 agreement 由 {base.agreement} 改为 {head.agreement}", head.lines.get("agreement")))
    if base.predecessor != head.predecessor:
        problems.append((f"发布记录的 predecessor 由 {base.predecessor} 改为 {head.predecessor}", None))
    if base.withdrawn is not None and head.withdrawn != base.withdrawn:
        problems.append((f"协议 {base.agreement} 的停止适用记录（{base.withdrawn.date}）被修改或删除", None))
    heads = {r.version: r for r in head.releases}
    for index, old in enumerate(base.releases):
        new = heads.get(old.version)
        if new is None:
            problems.append((f"删除了已记录的版本 {old.version}（记录于 {old.recorded}）", None))
            continue
        if index >= len(head.releases) or head.releases[index].version != old.version:
            problems.append((f"已记录的版本 {old.version} 的位置被改变：新版本只能追加在最后", new.line or None))
        if replace(new, events=(), line=0) != replace(old, events=(), line=0):
            fields = [k for k, v in old.to_data().items() if k != "events" and new.to_data().get(k) != v]
            problems.append((f"修改了已记录的版本 {old.version} 的 {'、'.join(fields)}：已记录的条目不能修改，"
                             "勘误、推迟生效或撤回请作为事件追加（kspub release）", new.line or None))  # fmt: skip
        if new.events[: len(old.events)] != old.events:
            problems.append((f"修改或删除了版本 {old.version} 已记录的事件：事件只能追加", new.line or None))
    return problems


def event_problems(release: Release, previous_events: Sequence[Event] = ()) -> list[str]:
    """Events that contradict the version they are appended to (checked for events not yet on the base)."""
    problems: list[str] = []
    effective = release.effective
    withdrawn = False
    for e in release.events:
        new = e not in previous_events
        if withdrawn and new:
            problems.append(f"版本 {release.version} 已撤回，不能再追加{EVENT_ZH[e.kind]}事件")
        in_force = effective is None or effective <= e.date
        if new and in_force and e.kind in (EventKind.POSTPONEMENT, EventKind.WITHDRAWAL):
            # what customers were bound to from the effective date is history: it cannot be postponed or undone
            problems.append(f"版本 {release.version} 已于 {effective or '发布时'}生效，{e.date} 不能再{EVENT_ZH[e.kind]}："
                            "已生效的版本只能由新版本取代（按通知规则重新通知）")  # fmt: skip
        if e.kind is EventKind.POSTPONEMENT:
            if new and (e.effective is None or (effective is not None and e.effective <= effective)):
                problems.append(f"版本 {release.version} 的推迟生效事件把生效日期由 {effective} 改为 {e.effective}："
                                "生效日期只能推迟，不能提前（已发出的通知按原日期计算）")  # fmt: skip
            effective = e.effective
        if e.kind is EventKind.WITHDRAWAL:
            withdrawn = True
    return problems
