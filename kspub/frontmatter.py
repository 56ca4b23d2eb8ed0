"""Front matter: YAML → :class:`kspub.model.Meta`, with every problem reported at its line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import yaml

from kspub.errors import Diagnostic
from kspub.model import ChangeNote, Correction, Meta, PrintedDates

KINDS: Mapping[str, str] = {
    "agreement": "协议",
    "policy": "政策",
    "letter": "责任书",
    "statement": "说明",
}
REQUIRED = ("id", "title", "kind", "version")
ALLOWED = frozenset(
    {
        "id",
        "title",
        "kind",
        "version",
        "language",
        "announced",
        "effective",
        "printed",
        "retired",
        "corrections",
        "summary",
        "change_notes",
        "notice",
        "internal",
    }
)
SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class _StringDateLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, so an impossible date is our error, not a YAML crash."""


_NO_TIMESTAMPS = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StringDateLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS

if getattr(yaml, "__with_libyaml__", False):

    class FastStringDateLoader(yaml.CSafeLoader):
        """The same rules on libyaml's C parser: history reads thousands of front matters per build."""

    FastStringDateLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS
else:  # pragma: no cover - PyYAML built without libyaml
    FastStringDateLoader = _StringDateLoader  # type: ignore[misc,assignment]


class DuplicateKeyError(ValueError):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


def load_yaml(text: str) -> tuple[Any, dict[str, int]]:
    """Load YAML (dates as strings); returns the data and the 0-based line of each top-level key.

    Raises yaml.YAMLError for bad YAML (RecursionError on absurd nesting is turned into one), and
    DuplicateKeyError when a mapping names a key twice (YAML would silently keep the last value)."""
    try:
        node = yaml.compose(text, Loader=_StringDateLoader)
        _no_duplicate_keys(node)
        data = yaml.load(text, Loader=_StringDateLoader)  # noqa: S506 - SafeLoader subclass
    except RecursionError as exc:
        raise yaml.YAMLError("嵌套层次过深") from exc
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines[str(key_node.value)] = key_node.start_mark.line
    return data, lines


def _no_duplicate_keys(node: yaml.Node | None) -> None:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise DuplicateKeyError(str(key.value), key.start_mark.line)
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_MARKUP = re.compile(r"[<>]")


def unprintable(data: Any) -> str | None:
    """The first string anywhere in ``data`` holding a control character or a lone surrogate, if any."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNPRINTABLE.search(item):
                return item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def parse_date(value: object) -> date | None:
    """An ISO date ``YYYY-MM-DD`` → date; None when it is not one (or is impossible, like 2026-02-30)."""
    if not isinstance(value, str):
        return None
    m = DATE_RE.match(value.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_front_matter(
    text: str, path: str, *, first_line: int, file_stem: str | None
) -> tuple[Meta | None, list[Diagnostic]]:
    """Validate front matter; ``first_line`` is the file line of the YAML's first line."""
    diags: list[Diagnostic] = []

    def err(code: str, message: str, line: int | None) -> None:
        diags.append(Diagnostic(code, message, path, line))

    try:
        data, key_lines = load_yaml(text)
    except DuplicateKeyError as exc:
        err("KS112", f"头信息字段 “{exc.key}” 写了两次：YAML 只会保留后一个，请删除重复的一行。", first_line + exc.line)
        return None, diags
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        err("KS103", f"YAML 头信息写法有误（{problem}）：请检查冒号、缩进和引号。", line)
        return None, diags
    if not isinstance(data, dict):
        err("KS104", "YAML 头信息必须是“字段: 值”的形式（例如 id: cloud-service-agreement）。", first_line)
        return None, diags
    lines = {k: first_line + v for k, v in key_lines.items()}

    def at(key: str) -> int:
        return lines.get(key, first_line)

    for key in data:
        if key not in ALLOWED:
            err(
                "KS105",
                f"未知的头信息字段 “{key}”：可用字段为 {', '.join(sorted(ALLOWED))}；内部备注请写在 internal 下。",
                at(str(key)),
            )
    for key in REQUIRED:
        if key not in data or data[key] in (None, ""):
            err("KS106", f"头信息缺少必填字段 “{key}”。", at(key))
    bad = unprintable(data)
    if bad is not None:
        err("KS113", f"头信息中有控制字符或无法显示的字符（{bad.encode('unicode_escape').decode()[:40]}）：请删除后重新输入。", first_line)
    title = data.get("title")
    if isinstance(title, str) and _MARKUP.search(title):
        err("KS107", "标题中不能有 < 或 >：标题按原样显示在网页标题和导航中，请改用中文书名号《》或全角符号。", at("title"))
    ok = not diags

    def text_field(key: str) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            err("KS107", f"头信息字段 “{key}” 应为一段文字。", at(key))
            return ""
        return str(value)

    agreement_id = text_field("id")
    if agreement_id and not SLUG_RE.match(agreement_id):
        err("KS107", f"协议 ID “{agreement_id}” 格式不对：只能用小写英文字母、数字和连字符。", at("id"))
    elif agreement_id and file_stem is not None and agreement_id != file_stem:
        err("KS110", f"协议 ID “{agreement_id}” 与文件名 “{file_stem}.md” 不一致：请把文件重命名为 {agreement_id}.md，或改正 id。", at("id"))
    kind = text_field("kind")
    if kind and kind not in KINDS:
        err("KS107", f"协议类型 “{kind}” 未知：可选 {', '.join(KINDS)}。", at("kind"))
    if isinstance(data.get("version"), int | float) and not isinstance(data.get("version"), bool):
        # YAML reads 1.10 as the number 1.1: an unquoted label could silently become another label
        err("KS111", "版本号没有加引号：YAML 会把它当作数字（1.10 会变成 1.1），请加上引号，例如 version: \"1.10\"。", at("version"))
    version = text_field("version")
    if version and not VERSION_RE.match(version):
        err("KS111", f"版本号 “{version}” 格式不对：只能用字母、数字、点、连字符和下划线，例如 2026.1 或 2022-07-05。", at("version"))
    language = text_field("language") or "zh-CN"

    def date_field(value: object, key: str, line: int) -> date | None:
        if value is None:
            return None
        d = parse_date(value)
        if d is None:
            err("KS108", f"日期 “{value}”（{key}）不存在或格式不对：请写成 YYYY-MM-DD，例如 2026-03-01。", line)
        return d

    announced = date_field(data.get("announced"), "announced", at("announced"))
    effective = date_field(data.get("effective"), "effective", at("effective"))
    if announced and effective and effective < announced:
        err("KS109", f"生效日期 {effective} 早于公告日期 {announced}：生效不能早于公告，请核对两个日期。", at("effective"))

    printed = PrintedDates()
    raw_printed = data.get("printed")
    if raw_printed is not None:
        if not isinstance(raw_printed, dict) or set(raw_printed) - {"updated", "effective"}:
            err("KS107", "printed 只能包含 updated（文中印的更新时间）和 effective（文中印的生效时间）。", at("printed"))
        else:
            printed = PrintedDates(
                updated=date_field(raw_printed.get("updated"), "printed.updated", at("printed")),
                effective=date_field(raw_printed.get("effective"), "printed.effective", at("printed")),
            )

    retired: tuple[str, ...] = ()
    raw_retired = data.get("retired")
    if raw_retired is not None:
        if not isinstance(raw_retired, list) or not all(isinstance(x, str) for x in raw_retired):
            err("KS107", "retired 应为已退役条款 ID 的列表，例如 retired: [old-clause-id]。", at("retired"))
        else:
            retired = tuple(raw_retired)
            for rid in retired:
                if not SLUG_RE.match(rid):
                    err("KS202", f"退役 ID “{rid}” 格式不对：只能用小写英文字母、数字和连字符。", at("retired"))

    corrections: list[Correction] = []
    raw_corr = data.get("corrections")
    if raw_corr is not None:
        if not isinstance(raw_corr, list):
            err("KS107", "corrections 应为列表，每项写 date（日期）、reason（原因），可选 clauses（条款 ID 列表）。", at("corrections"))
        else:
            for entry in raw_corr:
                if not isinstance(entry, dict) or not entry.get("reason") or "date" not in entry:
                    err("KS107", "每条勘误记录（corrections）都必须写 date 和 reason。", at("corrections"))
                    continue
                d = date_field(entry.get("date"), "corrections.date", at("corrections"))
                clauses = entry.get("clauses") or []
                if d is not None:
                    corrections.append(Correction(d, str(entry["reason"]), tuple(str(c) for c in clauses)))

    notes: list[ChangeNote] = []
    raw_notes = data.get("change_notes")
    if raw_notes is not None:
        if not isinstance(raw_notes, list):
            err("KS107", "change_notes 应为列表，每项写 clause、class: editorial 和 reason。", at("change_notes"))
        else:
            for entry in raw_notes:
                if (
                    not isinstance(entry, dict)
                    or not entry.get("clause")
                    or entry.get("class") != "editorial"
                    or not str(entry.get("reason", "")).strip()
                ):
                    err(
                        "KS107",
                        "每条 change_notes 都必须写 clause（条款 ID）、class: editorial 和 reason（为何不影响权利义务）。",
                        at("change_notes"),
                    )
                    continue
                notes.append(ChangeNote(str(entry["clause"]), "editorial", str(entry["reason"])))

    summary = data.get("summary") or ""
    if not isinstance(summary, str):
        err("KS107", "summary（变更说明）应为一段文字。", at("summary"))
        summary = ""
    notice = data.get("notice") or {}
    if not isinstance(notice, dict):
        err("KS107", "notice（通知规则）应为映射，见 docs/source-format.md。", at("notice"))
        notice = {}
    internal = data.get("internal")
    if internal is not None and not isinstance(internal, dict):
        err("KS107", "internal（内部备注，不会发布）应为映射。", at("internal"))

    if not ok:
        return None, diags
    meta = Meta(
        id=agreement_id,
        title=text_field("title"),
        kind=kind,
        version=version,
        language=language,
        announced=announced,
        effective=effective,
        printed=printed,
        retired=retired,
        corrections=tuple(corrections),
        summary=summary.strip(),
        change_notes=tuple(notes),
        notice=notice,
        field_lines=lines,
    )
    return meta, diags
