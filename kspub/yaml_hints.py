"""YAML mistakes named in Chinese: the line an editor has to change and the likely cause.

PyYAML reports where its parser gave up, in English ("could not find expected ':'"), often a line or more after
the mistake. Editors make a handful of mistakes over and over: a full-width colon, curly quotes, a tab, a colon
inside an unquoted value, an unclosed quote or bracket, inconsistent indentation. :func:`explain` looks for them
on the lines up to the parser's mark and names the first it finds, at its own line; otherwise it translates the
parser's problem and keeps its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: ``key：value``: a field name followed by a full-width colon.
_FULLWIDTH_COLON = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.-]*\s*：")
#: ``key:value``: a field name followed by a colon and no space (a URL's ``https://`` is not one).
_NO_SPACE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.-]*:(?!//)[^\s]")
#: ``key: value``: a field name, its colon and its value.
_KEY_VALUE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.-]*:\s+(?P<value>.*)$")
_BLOCK_SCALAR = re.compile(r"^[|>][+-]?\d*\s*(?:#.*)?$")
_CURLY = "“”‘’「」"

#: PyYAML's problems, in Chinese, for when no likely cause is found.
_PROBLEMS = (
    ("could not find expected ':'", "找不到应有的冒号"),
    ("mapping values are not allowed here", "此处不能出现“冒号+空格”"),
    ("expected <block end>", "缩进或引号有误，YAML 无法判断这一行属于哪一层"),
    ("did not find expected key", "缩进有误，或缺少“字段: ”"),
    ("did not find expected '-' indicator", "列表项的缩进不一致"),
    ("found character '\\t'", "用了 Tab 字符"),
    ("found unexpected end of stream", "引号或括号没有闭合"),
    ("found unknown escape character", "双引号中的反斜杠 \\ 后面不是合法的转义字符"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有闭合，或其中的项之间缺少英文逗号"),
    ("did not find expected ',' or '}'", "花括号 { } 没有闭合，或其中的项之间缺少英文逗号"),
    ("found undefined alias", "不支持 YAML 别名（*）"),
    ("found character that cannot start any token", "有不能出现在此处的字符（如 @、` 或 %）：请给这个值加英文引号"),
)


@dataclass(frozen=True, slots=True)
class YamlHint:
    line: int
    """0-based line in the YAML text."""
    message: str
    """What is wrong and what to do, in Chinese (no trailing full stop)."""


def _cause(line: str, near: bool) -> str | None:
    """The likely mistake on one line of YAML, if it has one of the usual ones. Curly quotes are valid YAML (they
    become part of the text, which lint reports where it matters): they are named only ``near`` the error."""
    stripped = line.lstrip(" ")
    if stripped.startswith("\t") or ("\t" in line[: len(line) - len(line.lstrip())]):
        return "这一行用 Tab 缩进：YAML 只能用空格缩进，请把 Tab 换成空格（每一层两个空格）"
    if _FULLWIDTH_COLON.match(line):
        return "字段名后面用了全角冒号“：”：请改为英文冒号加一个空格，例如 title: 示例协议"
    if _NO_SPACE.match(line):
        return "冒号后面缺少空格：请在英文冒号后加一个空格，例如 title: 示例协议"
    m = _KEY_VALUE.match(line)
    if m is None:
        return None
    value = m.group("value").rstrip()
    if not value or value.startswith("#"):
        return None
    if value[0] in _CURLY and (near or re.search(r":\s", value)):
        return "值用中文引号“”括起来了：YAML 只认英文引号，请改为 \"…\"（版本号如 version: \"1.0\"）"
    if value[0] in "\"'":
        quote = value[0]
        rest = value[1:].replace("\\\\", "").replace('\\"', "") if quote == '"' else value[1:].replace("''", "")
        end = rest.find(quote)
        if end < 0:
            return "引号没有闭合：请在值的末尾补上英文引号 " + quote
        after = rest[end + 1 :].strip()
        if after and not after.startswith("#"):
            return (f"引号内又出现了英文引号 {quote}，值在那里就结束了：里面的引号请改用中文引号“”，"
                    "或把外层改为另一种英文引号")  # fmt: skip
        return None
    if value[0] == "[" and "]" not in value:
        return "方括号 [ ] 没有闭合：列表请写在一行内，例如 [site, email]"
    if value[0] == "{" and "}" not in value:
        return "花括号 { } 没有闭合：请在一行内写完，例如 {period: 30日, channels: [site]}"
    if value[0] not in "[{|>" and re.search(r":\s", value):
        return "值中含有“冒号+空格”，YAML 会把它当作新的字段：请给整个值加英文引号，例如 title: \"示例：条款\""
    return None


def explain(text: str, mark_line: int | None, problem: str) -> YamlHint:
    """The likely cause of a YAML error whose parser stopped at 0-based ``mark_line`` with ``problem``."""
    lines = text.split("\n")
    last = len(lines) - 1 if mark_line is None else min(mark_line, len(lines) - 1)
    candidates = list(_yaml_lines(lines, last))
    for near in (False, True):  # a definite mistake anywhere first, curly quotes near the error after
        for index, text_line in candidates:
            cause = _cause(text_line, near and index >= last - 1)
            if cause is not None:
                return YamlHint(index, cause)
    at = max(last, 0)
    for english, chinese in _PROBLEMS:
        if english in problem:
            if "缩进" in chinese:
                chinese += "：同一层的字段要左对齐，下一层比上一层多缩进两个空格（只用空格）"
            return YamlHint(at, chinese)
    return YamlHint(at, "YAML 写法有误：请检查冒号（英文冒号加空格）、缩进（只用空格）和引号（英文引号）")


def _yaml_lines(lines: list[str], last: int) -> list[tuple[int, str]]:
    """The lines up to ``last`` that are YAML syntax, without the text of ``|`` and ``>`` blocks."""
    out: list[tuple[int, str]] = []
    block_indent: int | None = None
    for index in range(last + 1):
        line = lines[index]
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue  # the text of a | or > block: anything goes
            block_indent = None
        out.append((index, line))
        m = _KEY_VALUE.match(line)
        if m is not None and _BLOCK_SCALAR.match(m.group("value").strip()):
            block_indent = indent
    return out
