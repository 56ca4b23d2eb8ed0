"""The SLA catalogue: ``sla/catalogue.yaml`` validated against its JSON Schema, into frozen records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from kspub import yaml_hints
from kspub.chinese_text import REFUSED_CHAR_RE, describe_refused, refused_characters
from kspub.errors import Diagnostic
from kspub.frontmatter import DuplicateKeyError, YamlLimitError, load_yaml_document, parse_date, unprintable
from kspub.model import TITLE_MAX

ENTRY_FIELDS = (
    "availability",
    "measurement_period",
    "compensation",
    "claim_window",
    "document_url",
    "version",
    "effective",
)


@dataclass(frozen=True, slots=True)
class SlaEntry:
    id: str
    title: str
    category: str
    availability: str | None = None
    measurement_period: str | None = None
    compensation: tuple[dict[str, Any], ...] = ()
    claim_window: str | None = None
    document_url: str | None = None
    version: str | None = None
    effective: str | None = None
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "availability": self.availability,
            "measurement_period": self.measurement_period,
            "compensation": [dict(c) for c in self.compensation],
            "claim_window": self.claim_window,
            "document_url": self.document_url,
            "version": self.version,
            "effective": self.effective,
        }


@dataclass(frozen=True, slots=True)
class SlaCategory:
    id: str
    title: str
    entries: tuple[SlaEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "entries": [e.to_dict() for e in self.entries]}


@dataclass(frozen=True, slots=True)
class SlaCatalogue:
    title: str
    categories: tuple[SlaCategory, ...]
    path: str

    @property
    def entries(self) -> tuple[SlaEntry, ...]:
        return tuple(e for c in self.categories for e in c.entries)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "categories": [c.to_dict() for c in self.categories]}


@cache
def catalogue_schema() -> dict[str, Any]:
    text = resources.files("kspub").joinpath("schemas/sla-catalogue.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class _Lines:
    """Source lines (1-based) of the YAML nodes at JSON paths. Each mapping's keys are indexed once, so finding
    the line of every entry and every error stays linear in the size of the file."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root
        self._keys: dict[int, dict[Any, yaml.Node]] = {}

    def _child(self, node: yaml.Node, step: str | int) -> yaml.Node | None:
        if isinstance(node, yaml.MappingNode):
            index = self._keys.get(id(node))
            if index is None:
                index = {}
                for k, v in node.value:
                    index.setdefault(k.value, v)
                self._keys[id(node)] = index
            return index.get(step)
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            child: yaml.Node = node.value[step]
            return child
        return None

    def __call__(self, path: list[str | int]) -> int:
        """The line of the node at ``path``, or of its deepest existing ancestor."""
        node = self.root
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for step in path:
            nxt = self._child(node, step)
            if nxt is None:
                break
            node = nxt
            line = node.start_mark.line + 1
        return line


def parse_catalogue(text: str, path: str) -> tuple[SlaCatalogue | None, list[Diagnostic]]:
    """Parse and validate the catalogue; every schema violation is reported at its line."""
    import jsonschema  # lazy: only SLA work pays for it

    diags: list[Diagnostic] = []
    refused = refused_characters(text)
    for line, ch in refused:
        diags.append(Diagnostic("KS704", f"SLA 目录中有无法显示的字符 {describe_refused(ch)}：请删除后重新输入（可能来自复制粘贴）。", path, line + 1))
    if refused:
        return None, diags
    try:
        root, data = load_yaml_document(text)
    except DuplicateKeyError as exc:
        diags.append(Diagnostic("KS701", f"字段 “{exc.key}” 写了两次：YAML 只会保留后一个，请删除重复的一行。", path, exc.line + 1))
        return None, diags
    except YamlLimitError as exc:
        diags.append(Diagnostic("KS701", f"SLA 目录无法读取：{exc.problem}。", path, exc.problem_mark.line + 1))
        return None, diags
    except yaml.YAMLError as exc:
        if getattr(exc, "problem", None) is None and str(exc) == "嵌套层次过深":
            diags.append(Diagnostic("KS701", "SLA 目录无法读取：嵌套层次过深。", path, 1))
            return None, diags
        mark = getattr(exc, "problem_mark", None)
        hint = yaml_hints.explain(text, mark.line if mark is not None else None, str(getattr(exc, "problem", exc)))
        diags.append(Diagnostic("KS701", f"SLA 目录的 YAML 写法有误：{hint.message}。", path, hint.line + 1))
        return None, diags
    line_of = _Lines(root)
    validator = jsonschema.Draft202012Validator(catalogue_schema())
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        where = "/".join(str(p) for p in error.absolute_path) or "（根）"
        diags.append(
            Diagnostic(
                "KS702",
                f"SLA 目录不符合格式（{where}）：{_explain(error)}",
                path,
                line_of(list(error.absolute_path)),
            )
        )
    bad = unprintable(data)
    title = data.get("title") if isinstance(data, dict) else None
    if isinstance(title, str) and ("<" in title or ">" in title):
        diags.append(Diagnostic("KS702", "目录标题中不能有 < 或 >：标题按原样显示在网页中，请改用全角符号。", path, 1))
    if isinstance(title, str) and len(title) > TITLE_MAX:
        diags.append(Diagnostic("KS702", f"目录标题过长（{len(title)} 个字符，上限 {TITLE_MAX}）：请缩短。", path, line_of(["title"])))
    if bad is not None:
        ch = describe_refused(REFUSED_CHAR_RE.findall(bad)[0])
        diags.append(Diagnostic("KS704", f"SLA 目录中有无法显示的字符 {ch}（写成了转义序列）：请删除后重新输入。", path, 1))
    if diags:
        return None, diags
    seen: dict[str, int] = {}
    seen_categories: dict[str, int] = {}
    categories: list[SlaCategory] = []
    for ci, cat in enumerate(data["categories"]):
        cat_line = line_of(["categories", ci])
        if cat["id"] in seen_categories:
            diags.append(Diagnostic("KS703", f"SLA 分类 ID “{cat['id']}” 重复（第 {seen_categories[cat['id']]} 行已使用）：每个分类 ID 必须唯一。", path, cat_line))
        seen_categories[cat["id"]] = cat_line
        for title in (cat["title"], *(e["title"] for e in cat["entries"])):
            if "<" in title or ">" in title:
                diags.append(Diagnostic("KS702", f"标题 “{title}” 中不能有 < 或 >：标题按原样显示在网页中，请改用全角符号。", path, cat_line))
            if len(title) > TITLE_MAX:
                diags.append(Diagnostic("KS702", f"标题 “{title[:20]}…” 过长（{len(title)} 个字符，上限 {TITLE_MAX}）：请缩短。", path, cat_line))
        entries: list[SlaEntry] = []
        for ei, raw in enumerate(cat["entries"]):
            line = line_of(["categories", ci, "entries", ei])
            if raw["id"] in seen:
                diags.append(
                    Diagnostic("KS703", f"SLA 条目 ID “{raw['id']}” 重复（第 {seen[raw['id']]} 行已使用）：每个条目 ID 必须唯一。", path, line)
                )
            seen[raw["id"]] = line
            if raw.get("effective") and parse_date(raw["effective"]) is None:
                diags.append(Diagnostic("KS108", f"日期 “{raw['effective']}” 不存在：请写成 YYYY-MM-DD。", path, line))
            entries.append(
                SlaEntry(
                    id=raw["id"],
                    title=raw["title"],
                    category=cat["id"],
                    compensation=tuple(raw.get("compensation") or ()),
                    line=line,
                    **{k: raw.get(k) for k in ENTRY_FIELDS if k != "compensation"},
                )
            )
        categories.append(SlaCategory(cat["id"], cat["title"], tuple(entries)))
    if diags:
        return None, diags
    return SlaCatalogue(data["title"], tuple(categories), path), diags


def _explain(error: Any) -> str:
    validator = error.validator
    if validator == "required":
        return f"缺少必填字段（{error.message.split(' ')[0]}）。"
    if validator == "additionalProperties":
        return f"有未知字段：{error.message}。请删除或改正字段名。"
    if validator == "pattern":
        return f"取值 {error.instance!r} 格式不对（ID 只能用小写字母、数字和连字符；百分比写作 99.95%；日期写作 YYYY-MM-DD）。"
    if validator in ("type", "oneOf"):
        return f"取值 {error.instance!r} 类型不对（不确定的数值请留空写 null，不要编造）。"
    return str(error.message)
