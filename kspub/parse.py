"""Agreement source → model. The only module that knows Markdown syntax.

The source format (docs/source-format.md): YAML front matter, then Markdown where every heading (section),
paragraph (clause) and list item (item) is preceded by an attribute line ``{#clause-id tags="fees"}``.
The parser never rejects text silently: anything it cannot place in a node is a diagnostic, so no word is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin

from kspub.chinese_text import describe_refused, refused_characters
from kspub.errors import Diagnostic, Severity
from kspub.frontmatter import parse_front_matter, split_front_matter
from kspub.model import ID_MAX, TITLE_MAX, Agreement, Meta, Node, NodeKind, is_id

#: Display numbers as printed in the agreements: "一、", "4.4", "4.1.1", "1.", "(1)", "（1）", "1)".
NUMBER_RE = re.compile(
    r"""^(?:
        [一二三四五六七八九十百零]+、
      | 第[一二三四五六七八九十百零\d]+[章节条]
      | \d+(?:\.\d+)+\.?
      | \d+\.(?=\s)
      | [（(]\d+[）)]
      | [（(][一二三四五六七八九十]+[）)]
      | \d+[)）]
      | [a-z][)）]
      | [（(][a-z][）)]
    )""",
    re.VERBOSE,
)
ALLOWED_ATTRS = frozenset({"id", "tags", "replaces", "number"})
MAX_FILE_BYTES = 2 * 1024 * 1024

_BLOCK_NAMES = {
    "fence": "代码块",
    "code_block": "代码块（缩进四个空格的文字）",
    "table_open": "表格",
    "blockquote_open": "引用块",
    "hr": "分隔线",
    "html_block": "HTML",
}


def _markdown() -> MarkdownIt:
    # "commonmark" with tables enabled only so that a table is recognised and reported, never silently parsed
    # as a paragraph; html stays enabled so raw HTML is *seen* and rejected by lint, not passed through.
    return MarkdownIt("commonmark").enable("table").use(attrs_block_plugin)


_MD = _markdown()


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The parsed agreement (None when the front matter is unusable) and every problem found."""

    agreement: Agreement | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


@dataclass(slots=True)
class _Ctx:
    path: str
    lines: list[str]
    diags: list[Diagnostic] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    # stack of (heading level, node id) for the sections enclosing the current position
    sections: list[tuple[int, str]] = field(default_factory=list)
    last_clause: str | None = None

    def error(self, code: str, message: str, line: int | None) -> None:
        self.diags.append(Diagnostic(code, message, self.path, line))

    def warn(self, code: str, message: str, line: int | None) -> None:
        self.diags.append(Diagnostic(code, message, self.path, line, Severity.WARNING))


def decode_source(data: bytes, path: str, *, empty_hint: str = "请写入 YAML 头信息和协议正文，或删除该文件。") -> tuple[str | None, list[Diagnostic]]:
    """Turn a file's bytes into text, normalising a BOM and CRLF line ends (with a warning each)."""
    diags: list[Diagnostic] = []
    if len(data) > MAX_FILE_BYTES:
        diags.append(
            Diagnostic(
                "KS005",
                f"文件过大（{len(data)} 字节，上限 {MAX_FILE_BYTES} 字节）：一个协议应是一个文件，请检查是否误放了其他内容。",
                path,
            )
        )
        return None, diags
    if not data.strip():
        diags.append(Diagnostic("KS004", f"文件为空：{empty_hint}", path, 1))
        return None, diags
    if b"\x00" in data[:8192]:
        diags.append(Diagnostic("KS003", "这不是文本文件（含有二进制内容）：协议文件必须是 UTF-8 编码的 Markdown。", path))
        return None, diags
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diags.append(
            Diagnostic(
                "KS002",
                "文件不是 UTF-8 编码（可能是 GBK）：请在编辑器中以 UTF-8 编码重新保存。",
                path,
                line,
            )
        )
        return None, diags
    if text.startswith("\ufeff"):
        text = text[1:]
        diags.append(
            Diagnostic(
                "KS006", "文件以 BOM 开头，已自动忽略；建议保存为“UTF-8（无 BOM）”。", path, 1, Severity.WARNING
            )
        )
    if "\r" in text:
        first = text[: text.index("\r")].count("\n") + 1
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        diags.append(
            Diagnostic(
                "KS007", "文件使用 CRLF（Windows）或 CR 换行，已按 LF 处理；建议保存为 LF 换行。", path, first, Severity.WARNING
            )
        )
    return text, diags


def parse_file(path: str, data: bytes, *, check_name: bool = True) -> ParseResult:
    """Parse an agreement file's bytes; ``path`` is used in diagnostics and (unless ``check_name`` is False,
    as for a file compared from elsewhere) to check that the ID equals the file name."""
    text, diags = decode_source(data, path)
    if text is None:
        return ParseResult(None, tuple(diags))
    result = parse_agreement(text, path, check_name=check_name)
    return ParseResult(result.agreement, tuple(diags) + result.diagnostics)


def parse_agreement(text: str, path: str, *, check_name: bool = True) -> ParseResult:
    """Parse an agreement's text. Never raises for bad input: problems come back as diagnostics."""
    ctx = _Ctx(path=path, lines=text.split("\n"))
    block = split_front_matter(text)
    meta: Meta | None = None
    if block is None:
        ctx.error("KS101", "缺少 YAML 头信息：文件第一行应为 ---，随后写 id、title、kind、version 等字段，再以 --- 结束。", 1)
        body_text = text
    elif block.end_line == 0:
        ctx.error("KS102", "YAML 头信息没有结束：请在头信息最后一行之后单独写一行 ---。", 1)
        body_text = ""
    else:
        meta, fm_diags = parse_front_matter(block.yaml, path, first_line=block.first_line,
                                            file_stem=_stem(path) if check_name else None)  # fmt: skip
        ctx.diags.extend(fm_diags)
        # the front matter's lines left blank, so every token keeps its line in the file
        lines = text.split("\n")
        body_text = "\n" * block.end_line + "\n".join(lines[block.end_line :])
    _check_characters(ctx, body_text)
    body = _MD.parse(body_text)
    _walk_blocks(ctx, body)
    if not ctx.nodes and meta is not None:
        ctx.error("KS210", "正文没有任何条款：请在头信息之后写入协议正文，每个条款前一行写 {#条款ID}。", len(ctx.lines))
    agreement = None
    if meta is not None:
        agreement = Agreement(meta=meta, nodes=tuple(ctx.nodes), path=path, source=text)
    return ParseResult(agreement, tuple(ctx.diags))


#: How many lines with refused characters are reported one by one; the rest are counted.
_MAX_CHARACTER_REPORTS = 20


def _check_characters(ctx: _Ctx, body_text: str) -> None:
    """Control characters, noncharacters and bidi overrides in the body (the front matter reports its own)."""
    found = refused_characters(body_text)
    for line, ch in found[:_MAX_CHARACTER_REPORTS]:
        ctx.error("KS505", f"正文中有无法显示的字符 {describe_refused(ch)}：请删除后重新输入（可能来自复制粘贴）。", line + 1)
    if len(found) > _MAX_CHARACTER_REPORTS:
        rest = len(found) - _MAX_CHARACTER_REPORTS
        ctx.error("KS505", f"另有 {rest} 行也含有这类字符：请全部删除后再检查。", found[_MAX_CHARACTER_REPORTS][0] + 1)


def _stem(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-3] if name.endswith(".md") else name


def _walk_blocks(ctx: _Ctx, tokens: Sequence[Token]) -> None:
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            _heading(ctx, tok, tokens[i + 1])
            i += 3
        elif tok.type == "paragraph_open":
            _paragraph(ctx, tok, tokens[i + 1])
            i += 3
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            end = _matching_close(tokens, i)
            parent = ctx.last_clause or (ctx.sections[-1][1] if ctx.sections else None)
            _list(ctx, tokens[i : end + 1], parent, depth=_depth_below(ctx, parent))
            i = end + 1
        else:
            _unsupported(ctx, tok)
            i = _matching_close(tokens, i) + 1 if tok.nesting == 1 else i + 1


def _matching_close(tokens: Sequence[Token], start: int) -> int:
    level = 0
    for j in range(start, len(tokens)):
        level += tokens[j].nesting
        if level == 0:
            return j
    return len(tokens) - 1


def _line(tok: Token) -> int:
    return tok.map[0] + 1 if tok.map else 1


def _unsupported(ctx: _Ctx, tok: Token) -> None:
    what = _BLOCK_NAMES.get(tok.type, tok.type)
    if tok.type == "html_block":
        ctx.error("KS501", "正文中不允许使用 HTML 或脚本：请改为纯文字；需要强调时用 **加粗**。", _line(tok))
    else:
        ctx.error(
            "KS211",
            f"不支持的 Markdown 内容（{what}）：协议正文只能由标题、段落和列表项组成，每一项前一行写 {{#条款ID}}。",
            _line(tok),
        )


def _id_line(ctx: _Ctx, tok: Token) -> int:
    """The line of the attribute block directly above a block (blank lines are not allowed between them)."""
    start = tok.map[0] if tok.map else 0
    j = min(start, len(ctx.lines)) - 1
    while j >= 0 and ctx.lines[j].lstrip().startswith("{") and ctx.lines[j].rstrip().endswith("}"):
        j -= 1
    return j + 2 if j + 1 < start else start + 1


def _attrs(ctx: _Ctx, attrs: dict[str, Any], line: int, id_line: int) -> tuple[str, tuple[str, ...], tuple[str, ...], str | None]:
    """Validate a block's attributes; returns (id, tags, replaces, number override)."""
    for key in attrs:
        if key not in ALLOWED_ATTRS:
            ctx.error(
                "KS207",
                f"未知的属性 “{key}”：属性行只能写 #条款ID、tags=\"…\"、replaces=\"…\" 和 number=\"…\"。",
                id_line,
            )
    node_id = str(attrs.get("id", ""))
    if not node_id:
        ctx.error("KS201", "缺少条款 ID：请在这一段上一行写 {#条款ID}（小写英文字母、数字和连字符，例如 {#price-change-notice}）。", line)
    elif not is_id(node_id):
        ctx.error(
            "KS202",
            f"条款 ID “{node_id}” 格式不对：只能用小写英文字母、数字和连字符（-），以字母开头，不超过 {ID_MAX} 个字符，"
            "不要用编号（如 4-4）作为 ID，应描述条款内容，例如 price-change-notice。",
            id_line,
        )
    _check_attr_lines(ctx, id_line, line)
    tags = tuple(str(attrs.get("tags", "")).split())
    replaces = tuple(str(attrs.get("replaces", "")).split())
    for old in replaces:
        if not is_id(old):
            ctx.error("KS202", f"replaces 中的 “{old}” 不是合法的条款 ID：只能用小写英文字母、数字和连字符。", id_line)
    number = attrs.get("number")
    return node_id, tags, replaces, (str(number) if number is not None else None)


def _check_attr_lines(ctx: _Ctx, id_line: int, line: int) -> None:
    """The attributes plugin merges several lines and repeated keys silently (the last wins): refuse both,
    so no ID or tag written by an editor is lost without a word."""
    above = ctx.lines[id_line - 1 : line - 1] if id_line < line else []
    if len(above) > 1:
        ctx.error("KS209", "一个条款只能有一行属性：请把 ID、tags、replaces 合写在一行，例如 {#clause-id tags=\"fees\"}。", id_line)
    for text in above:
        unquoted = re.sub(r'"[^"]*"', '""', text)
        if len(re.findall(r"#[^\s}]+", unquoted)) > 1:
            ctx.error("KS209", "属性行中写了多个 #ID：每个条款只能有一个 ID。", id_line)
        keys = re.findall(r"([A-Za-z_][\w-]*)=", unquoted)
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            ctx.error("KS209", f"属性 {key} 写了两次：只会保留后一个，请合并为一个（多个标签用空格分隔）。", id_line)


#: Text a browser would read as the start of a tag or comment; an autolink (``<https://…>``) and a
#: backslash-escaped ``\<`` are not.
_TAG_LIKE = re.compile(r"(?<!\\)<(?!(?:https?://|mailto:)[^\s<>]*>)[A-Za-z/!?][^\s<>]*")


def _check_inline(ctx: _Ctx, inline: Token) -> None:
    base = _line(inline)
    for child in inline.children or ():
        if child.type == "html_inline":
            ctx.error("KS501", f"正文中不允许使用 HTML 或脚本（{child.content}）：请改为纯文字。", base)
        elif child.type == "image":
            ctx.error("KS211", "协议正文中不支持图片：请改为文字说明。", base)
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if not re.match(r"^(https?://|mailto:|#)", href):
                ctx.error("KS502", f"链接地址 “{href}” 不安全或不完整：只允许 http(s)://、mailto: 或站内 #条款ID。", base)
    # markdown-it reads "<img src=x onerror=a=1>" as text (its unquoted attribute values exclude "="), a browser
    # as a tag: the text is escaped on the site all the same, but an editor who wrote a tag should hear about it.
    if not any(child.type == "html_inline" for child in inline.children or ()):
        tag = _TAG_LIKE.search(inline.content)
        if tag is not None:
            ctx.error("KS501", f"正文中不允许使用 HTML 或脚本（{tag.group(0)}…）：请改为纯文字；"
                      "确需写出尖括号时请用全角符号＜＞或书名号《》。", base)  # fmt: skip
    # markdown-it already refuses to make links of these schemes; an editor should still hear about them.
    if re.search(r"\]\(\s*(?:javascript|vbscript|data):", inline.content, re.IGNORECASE):
        ctx.error("KS502", "链接使用了不安全的地址（javascript: / data:）：只允许 http(s)://、mailto: 或站内 #条款ID。", base)
    first = inline.content.split("\n", 1)[0]
    if first.startswith("{") and "}" in first:
        ctx.error(
            "KS205",
            f"属性行 “{first[: first.index('}') + 1]}” 无法识别：写法应为 {{#条款ID}} 或 {{#条款ID tags=\"fees\"}}，"
            "ID 只能含小写字母、数字和连字符，且属性行下一行紧接条款正文。",
            base,
        )


def split_number(printed: str) -> tuple[str, str]:
    """Split a printed line into (display number, text); a number printed in bold ("**6.2** …") counts too."""
    bold = printed.startswith("**")
    m = NUMBER_RE.match(printed[2:] if bold else printed)
    if not m:
        return "", printed
    number = m.group(0)
    end = m.end()
    if bold:
        if not printed[2 + end :].startswith("**"):
            return "", printed  # bold that runs on into the text: the number is part of the emphasis
        end += 4
    return number, printed[end:].lstrip()


def _apply_number(printed: str, override: str | None) -> tuple[str, str]:
    if override is None:
        return split_number(printed)
    if override and printed.startswith(override):
        return override, printed[len(override) :].lstrip()
    return "", printed


def _heading(ctx: _Ctx, open_tok: Token, inline: Token) -> None:
    level = int(open_tok.tag[1:])
    line = _line(open_tok)
    id_line = _id_line(ctx, open_tok)
    _check_inline(ctx, inline)
    printed = inline.content
    if len(printed) > TITLE_MAX:
        ctx.error("KS214", f"标题过长（{len(printed)} 个字符，上限 {TITLE_MAX}）：标题显示在目录和导航中，请缩短；"
                  "大段文字请写成标题下的条款。", line)  # fmt: skip
    if re.search(r"\{#[^}]*\}\s*$", printed):
        ctx.error("KS205", "请把 {#条款ID} 单独写在标题的上一行，而不是标题末尾。", line)
    node_id, tags, replaces, override = _attrs(ctx, dict(open_tok.attrs), line, id_line)
    number, title = _apply_number(printed, override)
    while ctx.sections and ctx.sections[-1][0] >= level:
        ctx.sections.pop()
    parent = ctx.sections[-1][1] if ctx.sections else None
    node = Node(
        id=node_id,
        kind=NodeKind.SECTION,
        number=number,
        title=title,
        text="",
        printed=printed,
        parent=parent,
        line=line,
        id_line=id_line,
        depth=len(ctx.sections),
        tags=tags,
        replaces=replaces,
    )
    ctx.nodes.append(node)
    ctx.sections.append((level, node_id))
    ctx.last_clause = None


def _depth_below(ctx: _Ctx, parent: str | None) -> int:
    for n in reversed(ctx.nodes):
        if n.id == parent:
            return n.depth + 1
    return 0


def _paragraph(ctx: _Ctx, open_tok: Token, inline: Token) -> None:
    line = _line(open_tok)
    id_line = _id_line(ctx, open_tok)
    _check_inline(ctx, inline)
    node_id, tags, replaces, override = _attrs(ctx, dict(open_tok.attrs), line, id_line)
    printed = inline.content
    number, text = _apply_number(printed, override)
    parent = ctx.sections[-1][1] if ctx.sections else None
    ctx.nodes.append(
        Node(
            id=node_id,
            kind=NodeKind.CLAUSE,
            number=number,
            title="",
            text=text,
            printed=printed,
            parent=parent,
            line=line,
            id_line=id_line,
            depth=len(ctx.sections),
            tags=tags,
            replaces=replaces,
        )
    )
    ctx.last_clause = node_id


def _list_items(tokens: Sequence[Token]) -> Iterator[tuple[int, int]]:
    """Yield (open, close) indexes of the direct items of the list tokens[0..]."""
    i = 1
    while i < len(tokens) - 1:
        if tokens[i].type == "list_item_open":
            end = _matching_close(tokens, i)
            yield i, end
            i = end + 1
        else:
            i += 1


#: An attribute line that ended up as the last line of a list item's text (no blank line before it).
_ID_LINE_AT_END = re.compile(r"\n(\{#[^\n{}]*\})\s*$")


def _list(ctx: _Ctx, tokens: Sequence[Token], parent: str | None, depth: int) -> None:
    list_open = tokens[0]
    ordered = list_open.type == "ordered_list_open"
    items = list(_list_items(tokens))
    previous_text = ""
    for index, (start, end) in enumerate(items):
        item_open = tokens[start]
        inner = tokens[start + 1 : end]
        # The ID line above a one-item list lands on the list; each item needs its own (blank line + ID line).
        attrs: dict[str, Any] = dict(list_open.attrs) if index == 0 else dict(item_open.attrs)
        attrs.pop("start", None)  # markdown-it's own attribute for an ordered list not starting at 1
        line = _line(item_open)
        id_line = _id_line(ctx, list_open) if index == 0 else line
        if index > 0 and not attrs:
            swallowed = _ID_LINE_AT_END.search(previous_text)
            if swallowed:
                # "{#id}" right under the previous item, with no blank line, is read as that item's last line
                ctx.error(
                    "KS206",
                    f"属性行 {swallowed.group(1)} 的上一行缺少空行，它被当作了上一项的文字，这一项因此没有条款 ID："
                    f"请在 {swallowed.group(1)} 的上一行插入一个空行。",
                    line - 1,
                )
            else:
                ctx.error(
                    "KS206",
                    "列表项缺少条款 ID：请在这一项上方空一行，再写一行 {#条款ID}，例如 {#no-resale} 换行 - (1) ……",
                    line,
                )
        node_id, tags, replaces, override = (
            _attrs(ctx, attrs, line, id_line) if (index == 0 or attrs) else ("", (), (), None)
        )
        marker = f"{item_open.info}{item_open.markup}" if ordered else ""
        if inner and inner[0].type == "ordered_list_open" and not marker:
            # "- 1) text": markdown-it reads the printed number as a nested one-item ordered list.
            close = _matching_close(inner, 0)
            nested = inner[1 : close]
            if len(list(_list_items(inner[: close + 1]))) == 1 and len(nested) > 1:
                marker = f"{nested[0].info}{nested[0].markup}"
                inner = list(nested[1:-1]) + list(inner[close + 1 :])
        if not inner or inner[0].type != "paragraph_open":
            ctx.error("KS212", "空的列表项：请写入条款文字或删除这一行。", line)
            continue
        inline = inner[1]
        _check_inline(ctx, inline)
        printed = inline.content
        previous_text = printed
        if marker:
            # markdown-it consumes an ordered marker ("1." / "1)"); it is part of the printed number.
            printed = f"{marker} {printed}"
        number, text = _apply_number(printed, override)
        node = Node(
            id=node_id,
            kind=NodeKind.ITEM,
            number=number,
            title="",
            text=text,
            printed=printed,
            parent=parent,
            line=line,
            id_line=id_line,
            depth=depth,
            tags=tags,
            replaces=replaces,
        )
        ctx.nodes.append(node)
        rest = inner[3:]
        j = 0
        while j < len(rest):
            tok = rest[j]
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                close = _matching_close(rest, j)
                _list(ctx, rest[j : close + 1], node_id, depth + 1)
                j = close + 1
            elif tok.type == "paragraph_open":
                ctx.error(
                    "KS213",
                    "列表项中有第二段文字：每一段都是独立条款，请将其移出列表并在上一行写 {#条款ID}。",
                    _line(tok),
                )
                j += 3
            else:
                _unsupported(ctx, tok)
                j = _matching_close(rest, j) + 1 if tok.nesting == 1 else j + 1
