"""What every document of the static JSON API shares: the contract's version, where each document lives
(paths under ``api/v1/``, URLs, the IDs and labels that may name a path), the header, the date format and the
one serialisation. The documents themselves are rendered by :mod:`kspub.publish.api` and
:mod:`kspub.publish.api_versions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from kspub.errors import KspubError
from kspub.model import is_id, is_version_label
from kspub.publish.snapshot import Snapshot

SCHEMA_VERSION = "1.1"
"""Major.minor of the document contract: minor adds fields, major moves to ``/api/v2/``."""
API_DIR = "api/v1"
TIMEZONE = "Asia/Shanghai"
DOCUMENT_TYPES = (
    "index", "timeline", "version", "current", "clause", "since", "sla", "changes", "manifest", "redirect",
    "manifest_index", "manifest_part",
)  # fmt: skip
"""Every JSON document type; each has ``schemas/<type>.schema.json``."""
MANIFEST = "manifest.json"
"""Every other file in one list (1.0); rewritten every build."""
MANIFEST_INDEX = "manifest/index.json"
"""The top of the split manifest (1.1): the files in no part, and each agreement's part by its hash."""

#: Version labels that would collide with (or shadow) a sibling document of the agreement.
RESERVED_LABELS = frozenset({"current", "clauses", "feed", "index", "manifest", "since", "timeline"})

# ── paths and URLs ──────────────────────────────────────────────────────────────────────────────────────────


def timeline_path(agreement_id: str) -> str:
    return f"agreements/{agreement_id}.json"


def version_path(agreement_id: str, label: str) -> str:
    return f"agreements/{agreement_id}/{label}.json"


def current_path(agreement_id: str) -> str:
    return f"agreements/{agreement_id}/current.json"


def clause_path(agreement_id: str, clause_id: str) -> str:
    return f"agreements/{agreement_id}/clauses/{clause_id}.json"


def feed_archive_path(page: int) -> str:
    return f"feed/{page}.xml"


def changes_archive_path(page: int) -> str:
    return f"changes/{page}.json"


def since_path(agreement_id: str, label: str) -> str:
    return f"agreements/{agreement_id}/since/{label}.json"


def feed_path(agreement_id: str | None = None) -> str:
    return "feed.xml" if agreement_id is None else f"agreements/{agreement_id}/feed.xml"


def manifest_part_path(agreement_id: str) -> str:
    return f"manifest/agreements/{agreement_id}.json"


def schema_path(document_type: str) -> str:
    return f"schemas/{document_type}.schema.json"


@dataclass(frozen=True, slots=True)
class Urls:
    """Absolute (or root-relative, when no base URL is given) addresses of API files and site pages."""

    base_url: str = ""

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")

    def api(self, rel: str) -> str:
        return f"{self.base}/{API_DIR}/{rel}"

    def page(self, agreement_id: str, label: str | None = None) -> str:
        """The site page of an agreement (its version in force) or of one version: ``/<id>/``, ``/<id>/<v>/``.

        This mirrors the site's layout (kspub/publish/site.py); the two must move together.
        """
        return f"{self.base}/{agreement_id}/" + (f"{label}/" if label else "")


def check_base_url(base_url: str) -> str:
    """The site's address as given to ``kspub build --base-url`` (``https://host`` or ``https://host/path``),
    without a trailing slash; raise :class:`KspubError` (KS913) for anything else: every URL in the API and the
    feeds is built on it, so it must be absolute, http(s), without query, fragment or credentials."""
    from urllib.parse import urlsplit

    if base_url == "":
        return ""
    parts = urlsplit(base_url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
        or any(c.isspace() for c in base_url)
    ):
        raise KspubError(
            "KS913",
            f"网站地址 “{base_url}” 不能作为 --base-url：应为 http(s) 开头的完整地址，不带查询参数、锚点或用户名",
            hint="例如 https://legal.ksyun.com 或 https://example.github.io/agreements",
        )
    return base_url.rstrip("/")


def check_agreement_id(agreement_id: str) -> str:
    """Return the ID when it is safe as a path segment; raise :class:`KspubError` otherwise."""
    if not is_id(agreement_id):
        raise KspubError(
            "KS910", f"协议 ID “{agreement_id}” 不能用作发布路径：只能用小写英文字母、数字和连字符"
        )
    return agreement_id


def check_label(agreement_id: str, label: str) -> str:
    """Return the version label when it is safe as a file name; raise :class:`KspubError` otherwise."""
    if not is_version_label(label) or ".." in label or label.lower() in RESERVED_LABELS:
        raise KspubError(
            "KS910",
            f"协议 {agreement_id} 的版本号 “{label}” 不能用作发布路径",
            hint="版本号只能用字母、数字、点、连字符和下划线，不能含 “..”，也不能是 "
            + "、".join(sorted(RESERVED_LABELS)),
        )
    return label


def check_clause_id(agreement_id: str, clause_id: str) -> str:
    """Return the clause ID when it is safe as a file name; raise :class:`KspubError` otherwise."""
    if not is_id(clause_id):
        raise KspubError("KS910", f"协议 {agreement_id} 的条款 ID “{clause_id}” 不能用作发布路径")
    return clause_id


# ── what every document shares ──────────────────────────────────────────────────────────────────────────────


def iso_date(d: date | None) -> str | None:
    return d.isoformat() if d else None


_DUMP_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def dump_json(document: Mapping[str, Any]) -> bytes:
    """The one serialisation of every document: sorted keys, two-space indent, UTF-8, final newline.

    The bytes ``json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\\n"`` gives, written by
    orjson, which is many times faster (the API is tens of thousands of documents; decision record 0508). The two
    agree on every value the schemas admit — strings, integers, booleans, null, lists, objects with string keys
    (``tests/test_api_contract.py`` holds them equal); they would differ only in how a float below 1e-4 is
    written, and no document has a float."""
    return orjson.dumps(document, option=_DUMP_OPTIONS)


def unshared(text: str) -> str:
    """A copy of a long-lived non-ASCII string (a clause's text) for one document, the string itself otherwise.

    orjson attaches a UTF-8 copy to every non-ASCII string it writes, kept as long as the string lives: written
    as they are, the snapshot's texts grew by about 50 MB at 200 agreements × 10 versions, in the process that
    writes the API (decision record 0508). The copy goes with the document."""
    return text if text.isascii() else text.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass")


def unshared_strings(value: Any) -> Any:
    """Plain data (what a change set's ``to_dict`` gives) with every non-ASCII string :func:`unshared`."""
    if isinstance(value, str):
        return unshared(value)
    if isinstance(value, dict):
        return {k: unshared_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unshared_strings(v) for v in value]
    return value


def document_header(snapshot: Snapshot) -> dict[str, Any]:
    """The header of a pointer document (``index.json``, ``current.json``, the manifests): the contract and
    the build timestamp. Only documents whose meaning depends on the build date carry it."""
    return {"schema_version": SCHEMA_VERSION, "generated_at": snapshot.built_at}


def stable_header() -> dict[str, Any]:
    """The header of every other document: no build time and no as-of date, so a rebuild without a new commit
    leaves its bytes alone (docs/api.md, "Bytes that stay put")."""
    return {"schema_version": SCHEMA_VERSION}
