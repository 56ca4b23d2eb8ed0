"""``api/v1/openapi.json``: an OpenAPI 3.1 description of the static API — every path template, each answered by
a ``GET``, with the JSON Schemas of the documents as components (docs/api.md).

The schemas are the published ones (:mod:`kspub.publish.api`), each carried over with its ``$defs`` renamed into
``components.schemas`` (``<type>.<name>``), so a tool that resolves references against the OpenAPI document
finds them.
"""

from __future__ import annotations

from typing import Any

from kspub.publish.api_contract import API_DIR, DOCUMENT_TYPES, SCHEMA_VERSION, Urls

OPENAPI = "openapi.json"

_PARAMETERS = {
    "agreement": ("协议 ID（小写英文字母、数字和连字符）", "^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"),
    "version": ("版本号", "^[0-9A-Za-z][0-9A-Za-z._-]*$"),
    "clause": ("条款 ID", "^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"),
    "type": ("文档类型", "^[a-z][a-z_]*$"),
    "page": ("存档页码，1 为最早", "^[1-9][0-9]*$"),
}

#: path template → (operation ID, summary, document type(s) or a media type for non-JSON files)
PATHS: tuple[tuple[str, str, str, tuple[str, ...] | str], ...] = (
    ("/index.json", "getIndex", "每个协议的现行版本、即将生效的版本与全部版本时间线", ("index",)),
    ("/agreements/{agreement}.json", "getTimeline", "协议的全部版本（改名后的旧 ID 返回 redirect）",
     ("timeline", "redirect")),
    ("/agreements/{agreement}/current.json", "getCurrent", "生成当日的现行版本与即将生效的版本（改名后的旧 ID 返回 redirect）",
     ("current", "redirect")),
    ("/agreements/{agreement}/{version}.json", "getVersion", "一个版本的全文、变更与通知评估", ("version",)),
    ("/agreements/{agreement}/since/{version}.json", "getSince", "自某一版本以来的全部变更与同意要求", ("since",)),
    ("/agreements/{agreement}/clauses/{clause}.json", "getClause", "一个条款在各版本中的历史", ("clause",)),
    ("/agreements/{agreement}/feed.xml", "getAgreementFeed", "协议的版本更新（Atom）", "application/atom+xml"),
    ("/sla.json", "getSla", "服务等级目录", ("sla",)),
    ("/changes.json", "getChanges", "全部协议的版本变更记录：当前页，每个版本一行（最新的一条），新的在前", ("changes",)),
    ("/changes/{page}.json", "getChangesArchive", "changes.json 的存档页（1 为最早；写出后不再改变）", ("changes",)),
    ("/feed.xml", "getFeed", "全部协议的版本更新（Atom）", "application/atom+xml"),
    ("/feed/{page}.xml", "getFeedArchive", "feed.xml 的存档页（RFC 5005，1 为最早；写出后不再改变）", "application/atom+xml"),
    ("/manifest.json", "getManifest", "API 下每个文件的 sha256 与大小（一份完整清单，每次生成都会改写）", ("manifest",)),
    ("/manifest/index.json", "getManifestIndex", "分片清单的总表：不属于任何协议分片的文件，以及各协议分片的 sha256",
     ("manifest_index",)),
    ("/manifest/agreements/{agreement}.json", "getManifestPart", "一个协议的清单分片：该协议除 current.json 外的全部文件",
     ("manifest_part",)),
    ("/schemas/{type}.schema.json", "getSchema", "文档类型的 JSON Schema（draft 2020-12）", "application/schema+json"),
)  # fmt: skip


def _component(document_type: str, schema: dict[str, Any], components: dict[str, Any]) -> None:
    """Put a document's schema and its ``$defs`` into ``components`` with references rewritten."""

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                    out[key] = f"#/components/schemas/{document_type}.{value.removeprefix('#/$defs/')}"
                elif key not in ("$defs", "$schema", "$id"):
                    out[key] = rewrite(value)
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    for name, definition in schema.get("$defs", {}).items():
        components[f"{document_type}.{name}"] = rewrite(definition)
    components[document_type] = rewrite(schema)


def openapi_document(schemas: dict[str, dict[str, Any]], urls: Urls) -> dict[str, Any]:
    """The OpenAPI 3.1 description; ``schemas`` maps each document type to its published JSON Schema."""
    components: dict[str, Any] = {}
    for document_type in DOCUMENT_TYPES:
        _component(document_type, schemas[document_type], components)
    paths: dict[str, Any] = {}
    for template, operation, summary, answer in PATHS:
        content: dict[str, Any]
        if isinstance(answer, str):
            content = {answer: {"schema": {"type": "string"}}}
        else:
            refs: list[dict[str, Any]] = [{"$ref": f"#/components/schemas/{t}"} for t in answer]
            schema: dict[str, Any] = refs[0] if len(refs) == 1 else {"oneOf": refs}
            content = {"application/json": {"schema": schema}}
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": _PARAMETERS[name][0],
                "schema": {"type": "string", "pattern": _PARAMETERS[name][1]},
            }
            for name in _PARAMETERS
            if "{" + name + "}" in template
        ]
        get: dict[str, Any] = {
            "operationId": operation,
            "summary": summary,
            "responses": {"200": {"description": summary, "content": content}, "404": {"description": "没有这个文件"}},
        }
        if parameters:
            get["parameters"] = parameters
        paths[template] = {"get": get}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "金山云协议 JSON API",
            "version": SCHEMA_VERSION,
            "description": "静态文件，无需鉴权；每天与每次合并后重新生成。字段说明见 docs/api.md；"
            "1.x 只增加字段，请忽略不认识的字段。",
        },
        "servers": [{"url": urls.api("").rstrip("/") or f"/{API_DIR}"}],
        "paths": paths,
        "components": {"schemas": components},
    }
