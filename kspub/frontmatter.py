"""Front matter: YAML → :class:`kspub.model.Meta`, with every problem reported at its line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from kspub import yaml_hints
from kspub.chinese_text import REFUSED_CHAR_RE, describe_refused, refused_characters
from kspub.errors import Diagnostic
from kspub.model import ID_MAX, TITLE_MAX, ChangeNote, Correction, Meta, PrintedDates, is_id, is_version_label

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
        "consent",
        "internal",
    }
)
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
#: The line that opens front matter, and the lines that may close it (YAML's document end ``...`` too).
_OPEN_RE = re.compile(r"---[ \t]*")
_CLOSE_RE = re.compile(r"(?:---|\.\.\.)[ \t]*")
#: The most YAML nodes one front matter may hold: far above any agreement's, far below a memory problem.
MAX_YAML_NODES = 100_000
#: The most characters a YAML integer may have: Python refuses to read one of over 4,300 digits, and no field
#: kspub reads is a number anywhere near this long.
MAX_YAML_INT_CHARS = 100


@dataclass(frozen=True, slots=True)
class FrontMatterBlock:
    """Where the front matter is in a text whose line ends are already LF (see :func:`split_front_matter`)."""

    yaml: str
    """The YAML between the opening and the closing line."""
    first_line: int
    """1-based line of the YAML's first line (2)."""
    end_line: int
    """1-based line of the closing ``---`` or ``...``."""


def split_front_matter(text: str) -> FrontMatterBlock | None:
    """The front matter of a text with LF line ends: a first line ``---``, then YAML, then a line ``---`` or
    ``...``. None when the text does not start with ``---``; a block with ``end_line`` 0 when it never ends.

    The one definition of where front matter is: the parser, lint, history and the legal-text hash use it."""
    first, sep, rest = text.partition("\n")
    if not _OPEN_RE.fullmatch(first):
        return None
    lines = rest.split("\n") if sep else []
    for index, line in enumerate(lines):
        if _CLOSE_RE.fullmatch(line):
            return FrontMatterBlock("\n".join(lines[:index]), 2, index + 2)
    return FrontMatterBlock(rest, 2, 0)


def body_of(text: str) -> str:
    """The text after the front matter (all of it when there is none), line ends already LF."""
    block = split_front_matter(text)
    if block is None or block.end_line == 0:
        return text
    return text.split("\n", block.end_line)[-1] if text.count("\n") >= block.end_line else ""


def _string_dates(loader: type[Any]) -> None:
    loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_LIBYAML: bool = getattr(yaml, "__with_libyaml__", False)

if _LIBYAML:

    class _Loader(yaml.CSafeLoader):
        """SafeLoader on libyaml's C parser that keeps dates as strings, so an impossible date is our error,
        not a YAML crash. History reads the front matter of every recorded version: the C parser keeps that
        fast without a second reader."""

else:  # pragma: no cover - PyYAML built without libyaml

    class _Loader(yaml.SafeLoader):  # type: ignore[no-redef]
        """SafeLoader that keeps dates as strings."""


class _PyLoader(yaml.SafeLoader):
    """The pure-Python parser with the same rules: used to place an error at its line."""


_string_dates(_Loader)
_string_dates(_PyLoader)


def _bounded_int(loader: Any, node: yaml.ScalarNode) -> Any:
    if len(node.value) > MAX_YAML_INT_CHARS:
        raise YamlLimitError(f"数字过长（超过 {MAX_YAML_INT_CHARS} 位），如是文字请加引号", node.start_mark.line)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


class DuplicateKeyError(ValueError):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


class YamlLimitError(yaml.YAMLError):
    """YAML kspub refuses before building it: aliases (an alias bomb expands exponentially), too many nodes."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = yaml.Mark("", 0, line, 0, "", 0)


_Loader.add_constructor("tag:yaml.org,2002:int", _bounded_int)
_PyLoader.add_constructor("tag:yaml.org,2002:int", _bounded_int)


def load_yaml(text: str) -> tuple[Any, dict[str, int]]:
    """Load YAML (dates as strings) in one pass; returns the data and the 0-based line of each top-level key,
    and of each item of a top-level list as ``key[i]``.

    Raises yaml.YAMLError for bad YAML (RecursionError on absurd nesting is turned into one), YamlLimitError
    for aliases or too many nodes, and DuplicateKeyError when a mapping names a key twice (YAML would
    silently keep the last value)."""
    node, data = load_yaml_document(text)
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                lines[str(key_node.value)] = key_node.start_mark.line
                if isinstance(value, yaml.SequenceNode):
                    for i, item in enumerate(value.value):
                        lines[f"{key_node.value}[{i}]"] = item.start_mark.line
    return data, lines


def load_yaml_document(text: str) -> tuple[yaml.Node | None, Any]:
    """The composed node tree (for line numbers) and the data of one YAML document, with the limits and errors
    of :func:`load_yaml`."""
    try:
        return _compose_and_construct(_Loader, text)
    except YamlLimitError:
        raise
    except yaml.YAMLError:
        if not _LIBYAML:
            raise
        # libyaml marks some errors where it gave up (a line late); the Python parser marks where the
        # mistake is. Only a broken file pays for the second parse.
        _compose_and_construct(_PyLoader, text)
        raise


def _compose_and_construct(loader_class: type[Any], text: str) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        _check_nodes(node)
        return node, (loader.construct_document(node) if node is not None else None)
    except RecursionError as exc:
        raise yaml.YAMLError("嵌套层次过深") from exc
    finally:
        loader.dispose()


def _check_nodes(node: yaml.Node | None) -> None:
    """Refuse duplicate keys, aliases (a node reached twice) and more than MAX_YAML_NODES nodes; linear."""
    seen_nodes: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen_nodes:
            raise YamlLimitError("不支持 YAML 锚点和别名（& 与 *），请把内容直接写出", current.start_mark.line)
        seen_nodes.add(id(current))
        if len(seen_nodes) > MAX_YAML_NODES:
            raise YamlLimitError(f"内容过多（超过 {MAX_YAML_NODES} 项）", current.start_mark.line)
        if isinstance(current, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        raise DuplicateKeyError(str(key.value), key.start_mark.line)
                    keys.add(key.value)
                stack.append(key)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


_UNPRINTABLE = REFUSED_CHAR_RE
_MARKUP = re.compile(r"[<>]")


def unprintable(data: Any) -> str | None:
    """The first string anywhere in ``data`` holding a refused character (a control character, a lone
    surrogate, a noncharacter, a bidi override: :data:`kspub.chinese_text.REFUSED_CHAR_RE`), if any."""
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


@dataclass(slots=True)
class _Fields:
    """The front matter's mapping with the file line of each key, and the problems found so far."""

    data: dict[Any, Any]
    lines: dict[str, int]
    first_line: int
    path: str
    diags: list[Diagnostic]

    def at(self, key: str) -> int:
        return self.lines.get(key, self.first_line)

    def err(self, code: str, message: str, line: int | None) -> None:
        self.diags.append(Diagnostic(code, message, self.path, line))

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.err("KS107", f"头信息字段 “{key}” 应为一段文字。", self.at(key))
            return ""
        return str(value)

    def date(self, value: object, key: str, line: int) -> date | None:
        if value is None:
            return None
        d = parse_date(value)
        if d is None:
            self.err("KS108", f"日期 “{value}”（{key}）不存在或格式不对：请写成 YYYY-MM-DD，例如 2026-03-01。", line)
        return d


def _load(text: str, path: str, first_line: int, diags: list[Diagnostic]) -> _Fields | None:
    """The YAML as a mapping, or None with the problem reported at its line."""
    refused = refused_characters(text)
    for line, ch in refused:
        diags.append(Diagnostic("KS113", f"头信息中有无法显示的字符 {describe_refused(ch)}：请删除后重新输入（可能来自复制粘贴）。",
                                path, first_line + line))  # fmt: skip
    if refused:
        return None
    try:
        data, key_lines = load_yaml(text)
    except DuplicateKeyError as exc:
        diags.append(Diagnostic("KS112", f"头信息字段 “{exc.key}” 写了两次：YAML 只会保留后一个，请删除重复的一行。",
                                path, first_line + exc.line))  # fmt: skip
        return None
    except YamlLimitError as exc:
        diags.append(Diagnostic("KS103", f"YAML 头信息无法读取：{exc.problem}。", path, first_line + exc.problem_mark.line))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if problem == "嵌套层次过深":
            diags.append(Diagnostic("KS103", "YAML 头信息无法读取：嵌套层次过深。", path, first_line))
            return None
        hint = yaml_hints.explain(text, mark.line if mark is not None else None, str(problem))
        diags.append(Diagnostic("KS103", f"YAML 头信息写法有误：{hint.message}。", path, first_line + hint.line))
        return None
    if not isinstance(data, dict):
        diags.append(Diagnostic("KS104", "YAML 头信息必须是“字段: 值”的形式（例如 id: cloud-service-agreement）。",
                                path, first_line))  # fmt: skip
        return None
    return _Fields(data, {str(k): first_line + v for k, v in key_lines.items()}, first_line, path, diags)


def _check_keys(f: _Fields) -> None:
    for key in f.data:
        if key not in ALLOWED:
            f.err("KS105", f"未知的头信息字段 “{key}”：可用字段为 {', '.join(sorted(ALLOWED))}；内部备注请写在 internal 下。",
                  f.at(str(key)))  # fmt: skip
    for key in REQUIRED:
        if key not in f.data or f.data[key] in (None, ""):
            f.err("KS106", f"头信息缺少必填字段 “{key}”。", f.at(key))
    bad = unprintable(f.data)
    if bad is not None:
        ch = describe_refused(REFUSED_CHAR_RE.findall(bad)[0])
        f.err("KS113", f"头信息中有无法显示的字符 {ch}（写成了转义序列）：请删除后重新输入。", f.first_line)
    title = f.data.get("title")
    if isinstance(title, str) and _MARKUP.search(title):
        f.err("KS107", "标题中不能有 < 或 >：标题按原样显示在网页标题和导航中，请改用中文书名号《》或全角符号。", f.at("title"))
    if isinstance(title, str) and len(title) > TITLE_MAX:
        f.err("KS107", f"标题过长（{len(title)} 个字符，上限 {TITLE_MAX}）：标题显示在网页标题和导航中，请缩短。", f.at("title"))


def _identity(f: _Fields, file_stem: str | None) -> tuple[str, str, str, str]:
    """id, kind, version and language."""
    agreement_id = f.text("id")
    if agreement_id and not is_id(agreement_id):
        f.err("KS107", f"协议 ID “{agreement_id}” 格式不对：只能用小写英文字母、数字和连字符，不超过 {ID_MAX} 个字符。", f.at("id"))
    elif agreement_id and file_stem is not None and agreement_id != file_stem:
        f.err("KS110", f"协议 ID “{agreement_id}” 与文件名 “{file_stem}.md” 不一致：请把文件重命名为 {agreement_id}.md，或改正 id。",
              f.at("id"))  # fmt: skip
    kind = f.text("kind")
    if kind and kind not in KINDS:
        f.err("KS107", f"协议类型 “{kind}” 未知：可选 {', '.join(KINDS)}。", f.at("kind"))
    raw_version = f.data.get("version")
    if isinstance(raw_version, int | float) and not isinstance(raw_version, bool):
        # YAML reads 1.10 as the number 1.1: an unquoted label could silently become another label
        f.err("KS111", "版本号没有加引号：YAML 会把它当作数字（1.10 会变成 1.1），请加上引号，例如 version: \"1.10\"。",
              f.at("version"))  # fmt: skip
    version = f.text("version")
    if version and version[0] in "“”‘’" :
        f.err("KS111", f"版本号 “{version}” 用了中文引号：YAML 只认英文引号，请改为 version: \"{version.strip('“”‘’')}\"。",
              f.at("version"))  # fmt: skip
    elif version and not is_version_label(version):
        f.err("KS111", f"版本号 “{version}” 格式不对：只能用字母、数字、点、连字符和下划线，例如 2026.1 或 2022-07-05。",
              f.at("version"))  # fmt: skip
    return agreement_id, kind, version, f.text("language") or "zh-CN"


def _dates(f: _Fields) -> tuple[date | None, date | None, PrintedDates]:
    """announced, effective and the dates printed in the text."""
    announced = f.date(f.data.get("announced"), "announced", f.at("announced"))
    effective = f.date(f.data.get("effective"), "effective", f.at("effective"))
    if announced and effective and effective < announced:
        f.err("KS109", f"生效日期 {effective} 早于公告日期 {announced}：生效不能早于公告，请核对两个日期。", f.at("effective"))
    printed = PrintedDates()
    raw = f.data.get("printed")
    if raw is not None:
        if not isinstance(raw, dict) or set(raw) - {"updated", "effective"}:
            f.err("KS107", "printed 只能包含 updated（文中印的更新时间）和 effective（文中印的生效时间）。", f.at("printed"))
        else:
            printed = PrintedDates(
                updated=f.date(raw.get("updated"), "printed.updated", f.at("printed")),
                effective=f.date(raw.get("effective"), "printed.effective", f.at("printed")),
            )
    return announced, effective, printed


def _retired(f: _Fields) -> tuple[str, ...]:
    raw = f.data.get("retired")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        f.err("KS107", "retired 应为已退役条款 ID 的列表，例如 retired: [old-clause-id]。", f.at("retired"))
        return ()
    for rid in raw:
        if not is_id(rid):
            f.err("KS202", f"退役 ID “{rid}” 格式不对：只能用小写英文字母、数字和连字符。", f.at("retired"))
    return tuple(raw)


def _corrections(f: _Fields) -> tuple[Correction, ...]:
    raw = f.data.get("corrections")
    if raw is None:
        return ()
    shape = "corrections 应为列表，每项写 date（日期）、reason（原因），可选 clauses（条款 ID 列表）。"
    if not isinstance(raw, list):
        f.err("KS107", shape, f.at("corrections"))
        return ()
    out: list[Correction] = []
    for entry in raw:
        if not isinstance(entry, dict) or not entry.get("reason") or "date" not in entry:
            f.err("KS107", "每条勘误记录（corrections）都必须写 date 和 reason。", f.at("corrections"))
            continue
        clauses = entry.get("clauses") or []
        if not isinstance(clauses, list) or not all(isinstance(c, str) for c in clauses):
            f.err("KS107", shape, f.at("corrections"))
            continue
        d = f.date(entry.get("date"), "corrections.date", f.at("corrections"))
        if d is not None:
            out.append(Correction(d, str(entry["reason"]), tuple(clauses)))
    return tuple(out)


def _change_notes(f: _Fields) -> tuple[ChangeNote, ...]:
    raw = f.data.get("change_notes")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        f.err("KS107", "change_notes 应为列表，每项写 clause、class: editorial 和 reason。", f.at("change_notes"))
        return ()
    notes: list[ChangeNote] = []
    for i, entry in enumerate(raw):
        line = f.lines.get(f"change_notes[{i}]", f.at("change_notes"))  # the note's own line
        if (
            not isinstance(entry, dict)
            or not entry.get("clause")
            or entry.get("class") != "editorial"
            or not str(entry.get("reason", "")).strip()
        ):
            f.err("KS107", "每条 change_notes 都必须写 clause（条款 ID）、class: editorial 和 reason（为何不影响权利义务）。",
                  line)  # fmt: skip
            continue
        approved = entry.get("approved_by")
        if approved is not None and (not isinstance(approved, str) or not approved.strip()):
            f.err("KS107", "change_notes 中的 approved_by 应写明批准降为编辑性修改的人（姓名或职务），例如 approved_by: 法务总监张三。",
                  line)  # fmt: skip
            approved = None
        notes.append(ChangeNote(str(entry["clause"]), "editorial", str(entry["reason"]),
                                str(approved or "").strip(), line))  # fmt: skip
    return tuple(notes)


def _consent(f: _Fields) -> Mapping[str, Any]:
    """The consent plan's raw mapping (its fields are checked by kspub.law.consent)."""
    raw = f.data.get("consent")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        f.err("KS141", "consent（同意安排）应为映射，例如 consent: {version: \"2.0\", method: popup, separate: true, "
              "where: 登录后弹窗, clauses: [cookies]}，见 docs/source-format.md。", f.at("consent"))  # fmt: skip
        return {}
    return raw


def _prose(f: _Fields) -> tuple[str, Mapping[str, Any]]:
    """summary and the notice rules (checked by kspub.law.notice); internal is only checked for shape."""
    summary = f.data.get("summary") or ""
    if not isinstance(summary, str):
        f.err("KS107", "summary（变更说明）应为一段文字。", f.at("summary"))
        summary = ""
    notice = f.data.get("notice") or {}
    if not isinstance(notice, dict):
        f.err("KS107", "notice（通知规则）应为映射，见 docs/source-format.md。", f.at("notice"))
        notice = {}
    internal = f.data.get("internal")
    if internal is not None and not isinstance(internal, dict):
        f.err("KS107", "internal（内部备注，不会发布）应为映射。", f.at("internal"))
    return summary.strip(), notice


def parse_front_matter(
    text: str, path: str, *, first_line: int, file_stem: str | None
) -> tuple[Meta | None, list[Diagnostic]]:
    """Validate front matter; ``first_line`` is the file line of the YAML's first line. The one reader of
    front matter: lint, check, history and the site all read a version's fields through it."""
    diags: list[Diagnostic] = []
    f = _load(text, path, first_line, diags)
    if f is None:
        return None, diags
    _check_keys(f)
    structural_ok = not diags
    agreement_id, kind, version, language = _identity(f, file_stem)
    announced, effective, printed = _dates(f)
    retired = _retired(f)
    corrections = _corrections(f)
    notes = _change_notes(f)
    summary, notice = _prose(f)
    consent = _consent(f)
    if not structural_ok:
        return None, diags
    meta = Meta(
        id=agreement_id,
        title=f.text("title"),
        kind=kind,
        version=version,
        language=language,
        announced=announced,
        effective=effective,
        printed=printed,
        retired=retired,
        corrections=corrections,
        summary=summary,
        change_notes=notes,
        notice=notice,
        consent=consent,
        field_lines=f.lines,
    )
    return meta, diags
