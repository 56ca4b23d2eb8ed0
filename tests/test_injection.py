"""No text an editor writes can run as script, by construction.

Every field an editor writes that reaches the site, the JSON API or the feeds is listed in ``FIELDS`` (and the
list is checked against what the readers accept: a new front-matter key, SLA field or record text fails the
test until it is covered). ``PAYLOADS`` are hostile strings: tags with handlers, entity-encoded tags, attr_list
syntax, script URLs in links and autolinks, quote breaking, Jinja syntax, refused characters, YAML-breaking
text.

- Phase 1 (no git): every payload in every field, written as an editor would (YAML quoted and plain), is linted.
  A refused payload is refused with a Chinese diagnostic at the file and a line.
- Phase 2: one repository holds every accepted payload in every field at once (an archived, an in-force and an
  upcoming version, a redline, a correction, a postponement, a withdrawn version, a renamed and a withdrawn
  agreement, the SLA catalogue). The built site is scanned statically (no ``on*`` attribute, no script URL, no
  script but the theme's and kspub's own, compared with a build of the same repository without payloads;
  valid JSON, well-formed feeds whose texts are plain text) and every page is opened in Chromium, with the
  Content-Security-Policy and without it: no dialog opens and the payloads' global stays undefined.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from kspub import frontmatter
from kspub.errors import Diagnostic, KspubError, Severity
from kspub.record import parse_record
from kspub.sla.catalogue import ENTRY_FIELDS, catalogue_schema
from kspub.workspace import load_sla, parse_path

from .conftest import ROOT, git, release_all
from .site_helpers import AS_OF, EPOCH

JS = "window.__pwned=1"

#: Hostile strings, by name. Most set the global ``__pwned`` when they run; some open a dialog instead.
PAYLOADS: dict[str, str] = {
    "img-onerror": f"<img src=x onerror={JS}>",
    "svg-onload": f"<svg onload={JS}>",
    "script": f"<script>{JS}</script>",
    "script-close": f"</script><script>{JS}</script>",
    "iframe": f"<iframe src=javascript:{JS}></iframe>",
    "a-javascript": f'<a href="javascript:{JS}">点</a>',
    "entity-img": f"&lt;img src=x onerror={JS}&gt;",
    "entity-title": f"&lt;/title&gt;&lt;script&gt;{JS}&lt;/script&gt;",
    "numeric-entity": f"&#60;img src=x onerror={JS}&#62;",
    "double-entity": f"&amp;lt;svg onload={JS}&amp;gt;",
    "attr-list": f"{{: onmouseover={JS} }}",
    "attr-list-id": "{#x onclick=alert(1)}",
    "md-link-js": f"[点我](javascript:{JS})",
    "md-link-js-case": "[点我](JaVaScRiPt:alert(1))",
    "md-link-data": "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-link-vbscript": "[点我](vbscript:msgbox(1))",
    "md-image": f"![图](javascript:{JS})",
    "autolink-js": f"<javascript:{JS}>",
    "autolink-quote": f'<https://example.com/"onmouseover="{JS}>',
    "link-quote": f'[点我](https://example.com/"onmouseover="{JS})',
    "link-fragment-quote": f'[点我](#x"onmouseover="{JS})',
    "reference-link": f"[点我][r]\n\n[r]: javascript:{JS}",
    "quote-double": f'" onmouseover="{JS}" x="',
    "quote-single": f"' onmouseover='{JS}' x='",
    "jinja": "{{ 7*7 }}{% raw %}{{ config }}{% endraw %}{#",
    "jinja-kspub": "{%# 注释 #%}{{ snapshot }}",
    "json-break": '"}]</script><script>alert(1)</script>',
    "style": "<style>*{color:red}</style>",
    "comment": "<!-- x --><b>粗</b>",
    "bold-breakout": f"**<img src=x onerror={JS}>**",
    "backslash-escape": f"\\<img src=x onerror={JS}\\>",
    "c1-controls": "标题\x85\x9b31m",
    "c0-escape": "标题\x1b[31m\x07",
    "bidi-override": "金山云\u202e协议\u202c",
    "bidi-isolate": "金山云\u2066协议\u2069",
    "noncharacter": "金山云\ufdd0\uffff",
    "yaml-dashes": "---",
    "yaml-colon": "甲: 乙",
    "yaml-newline": "第一行\n---\n# 标题",
    "yaml-anchor": "&a 甲",
    "javascript-text": f"javascript:{JS}",
    "https-quote": f'https://example.com/"><img src=x onerror={JS}>',
    "https-attr": f"https://example.com/' onmouseover='{JS}",
}

#: The values a payload is written in place of, when another field holds it. Each file lints clean with them.
DEFAULTS: dict[str, str] = {
    "title": "注入测试协议",
    "kind": "agreement",
    "version": '"1.0"',
    "language": "zh-CN",
    "announced": "2025-11-01",
    "effective": "2025-12-01",
    "printed.updated": "2025-10-01",
    "printed.effective": "2025-12-01",
    "summary": "首次发布。",
    "retired": "old-clause",
    "corrections.date": "2025-11-20",
    "corrections.reason": "更正错别字。",
    "corrections.clauses": "nature",
    "change_notes.clause": "nature",
    "change_notes.class": "editorial",
    "change_notes.reason": "仅调整空格。",
    "change_notes.approved_by": "法务总监",
    "notice.period": "10个自然日",
    "notice.channels": "site",
    "notice.clause": "fee-notice",
    "notice.rules.tags": "fees",
    "notice.rules.basis": "个人信息保护法第十四条",
    "notice.statutes": "",
    "consent.version": '"1.0"',
    "consent.method": "popup",
    "consent.separate": "true",
    "consent.guardian": "false",
    "consent.where": "控制台登录后单独弹窗",
    "consent.clauses": "nature",
    "consent.reason": "新增 Cookie 用途。",
    "consent.approved_by": "数据保护官",
    "internal.owner": "法务部",
    "heading": "总则",
    "clause": "",
    "item": "",
    "link.text": "服务说明",
    "link.href": "https://example.com/terms",
    "attr.number": "1.4",
    "attr.tags": "fees",
    "attr.replaces": "old-links",
}

AGREEMENT = """---
id: @id@
title: @title@
kind: @kind@
version: @version@
language: @language@
announced: @announced@
effective: @effective@
printed:
  updated: @printed.updated@
  effective: @printed.effective@
summary: @summary@
retired: [@retired@]
corrections:
  - date: @corrections.date@
    reason: @corrections.reason@
    clauses: [@corrections.clauses@]
change_notes:
  - clause: @change_notes.clause@
    class: @change_notes.class@
    reason: @change_notes.reason@
    approved_by: @change_notes.approved_by@
notice:
  default: {period: @notice.period@, channels: [@notice.channels@], clause: @notice.clause@}
  rules:
    - tags: [@notice.rules.tags@]
      consent: true
      basis: @notice.rules.basis@
  statutes: [@notice.statutes@]
consent:
  version: @consent.version@
  method: @consent.method@
  separate: @consent.separate@
  guardian: @consent.guardian@
  where: @consent.where@
  clauses: [@consent.clauses@]
  reason: @consent.reason@
  approved_by: @consent.approved_by@
internal:
  owner: @internal.owner@
---

{#general}
## 一、@heading@

{#nature}
1.1 本协议是您与金山云之间的有效契约。@clause@

{#fee-notice tags="fees"}
1.2 免费服务转为收费前，金山云将提前10个自然日通知您。

{#scope}
1.3 下列情形除外：

{#scope-law}
- (1) 法律另有规定的@item@

{#links number="@attr.number@" tags="@attr.tags@" replaces="@attr.replaces@"}
1.4 详见[@link.text@](https://example.com/)和[服务说明](@link.href@)。
"""

SLA_DEFAULTS: dict[str, str] = {
    "sla.title": "产品服务等级协议",
    "sla.internal": "内部",
    "sla.category.id": "compute",
    "sla.category.title": "计算",
    "sla.entry.id": "cloud-server",
    "sla.entry.title": "云服务器服务等级协议",
    "sla.entry.availability": "99.95%",
    "sla.entry.measurement_period": "自然月",
    "sla.entry.compensation.below": "99.95%",
    "sla.entry.compensation.at_least": "99%",
    "sla.entry.compensation.credit": "10%",
    "sla.entry.claim_window": "次月15日内",
    "sla.entry.document_url": "https://example.com/sla",
    "sla.entry.version": "\"2026.1\"",
    "sla.entry.effective": "2026-01-01",
}

SLA_HEAD = "title: @sla.title@\ninternal: {note: @sla.internal@}\ncategories:\n"
SLA_CATEGORY = """  - id: @sla.category.id@
    title: @sla.category.title@
    entries:
"""
SLA_ENTRY = """      - id: @sla.entry.id@
        title: @sla.entry.title@
        availability: @sla.entry.availability@
        measurement_period: @sla.entry.measurement_period@
        compensation:
          - below: @sla.entry.compensation.below@
            at_least: @sla.entry.compensation.at_least@
            credit: @sla.entry.compensation.credit@
        claim_window: @sla.entry.claim_window@
        document_url: @sla.entry.document_url@
        version: @sla.entry.version@
        effective: @sla.entry.effective@
"""

#: Texts of the release record, written through ``kspub release --reason`` (and ``--summary``, which goes into
#: the front matter first): each is read back by the record reader.
RECORD_DEFAULTS: dict[str, str] = {
    "record.summary": "首次发布。",
    "record.withdrawn.reason": "业务调整。",
    "record.event.reason": "推迟生效。",
}

RECORD = """agreement: inj
withdrawn: {date: '2026-03-01', reason: @record.withdrawn.reason@}
versions:
- version: '1.0'
  path: agreements/inj.md
  blob: 9bf146b87ba9a8d3c6daea3aca83f039e6271fb0
  sha256: cdec20f6c949f7a6de1db48b40b28714c569a52655f54a14e87d917b727b4caf
  announced: '2025-11-01'
  effective: '2025-12-01'
  summary: @record.summary@
  recorded: '2025-11-01'
  events:
  - {event: postponement, date: '2025-11-10', reason: @record.event.reason@, effective: '2025-12-15'}
"""

#: Fields whose YAML value is a flow sequence item: a plain payload is written inside ``[…]``.
YAML_FIELDS = [k for k in DEFAULTS if not k.startswith(("heading", "clause", "item", "link.", "attr."))]
BODY_FIELDS = ["heading", "clause", "item", "link.text", "link.href", "attr.number", "attr.tags", "attr.replaces"]
SLA_FIELDS = list(SLA_DEFAULTS)
RECORD_FIELDS = list(RECORD_DEFAULTS)
FIELDS = YAML_FIELDS + BODY_FIELDS + SLA_FIELDS + RECORD_FIELDS
#: Fields that are never published (the tests elsewhere check they never reach the output); they are linted all
#: the same, and phase 2 plants their accepted payloads too.
UNPUBLISHED = {"internal.owner", "sla.internal", "notice.period", "notice.channels", "notice.clause",
               "notice.rules.tags", "notice.rules.basis", "notice.statutes", "consent.version", "consent.method",
               "consent.separate", "consent.guardian", "consent.where", "consent.clauses", "consent.reason",
               "consent.approved_by"}  # fmt: skip


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"@([a-z_.]+)@", lambda m: values[m.group(1)], template)


def _yaml_quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def encodings(field: str, payload: str) -> dict[str, str]:
    """How an editor may write ``payload`` into ``field``: YAML double-quoted and plain; body text as is."""
    if field in BODY_FIELDS:
        if field.startswith("attr."):
            return {"quoted": payload.replace("\n", " ")}  # an attribute line is one line
        return {"raw": payload}
    return {"quoted": _yaml_quoted(payload), "plain": payload}


def agreement_text(values: dict[str, str], agreement_id: str = "inj") -> str:
    return _fill(AGREEMENT, {**DEFAULTS, "id": agreement_id, **values})


def sla_text(entries: list[dict[str, str]], head: dict[str, str] | None = None) -> str:
    """A catalogue with one category and one entry per item of ``entries`` (their own IDs)."""
    out = _fill(SLA_HEAD, {**SLA_DEFAULTS, **(head or {})})
    for i, values in enumerate(entries):
        v = {**SLA_DEFAULTS, "sla.category.id": f"cat{i}", "sla.entry.id": f"entry{i}", **values}
        out += _fill(SLA_CATEGORY, v) + _fill(SLA_ENTRY, v)
    return out


# --- phase 1: lint every payload in every field -----------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    field: str
    payload: str
    encoding: str
    text: str
    """The file as written."""
    errors: tuple[Diagnostic, ...]

    @property
    def accepted(self) -> bool:
        return not self.errors


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _lint_one(root: Path, field: str, encoded: str) -> tuple[str, list[Diagnostic]]:
    if field in SLA_FIELDS:
        head = {k: encoded for k in ("sla.title", "sla.internal") if k == field}
        text = sla_text([{field: encoded}] if not head else [{}], head)
        (root / "sla").mkdir(exist_ok=True)
        (root / "sla" / "catalogue.yaml").write_text(text, "utf-8")
        return text, load_sla(root)[1]
    if field in RECORD_FIELDS:
        text = _fill(RECORD, {**RECORD_DEFAULTS, field: encoded})
        try:
            parse_record(text, "agreements/releases/inj.yaml")
        except KspubError as exc:
            return text, [Diagnostic(exc.code, exc.message, exc.path or "", exc.line)]
        return text, []
    text = agreement_text({field: encoded})
    path = root / "agreements" / "inj.md"
    path.write_text(text, "utf-8")
    return text, list(parse_path(path, root).diagnostics)


@cache
def lint_matrix() -> tuple[Verdict, ...]:
    import tempfile

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "agreements").mkdir()
        for field in FIELDS:
            for name, payload in PAYLOADS.items():
                for encoding, encoded in encodings(field, payload).items():
                    text, diags = _lint_one(root, field, encoded)
                    errors = tuple(d for d in diags if d.severity is Severity.ERROR)
                    out.append(Verdict(field, name, encoding, text, errors))
    return tuple(out)


def accepted_payloads(field: str) -> list[str]:
    """The payloads lint accepts in ``field`` written quoted (the exact string), in PAYLOADS order."""
    ok = {v.payload for v in lint_matrix() if v.field == field and v.accepted and v.encoding in ("quoted", "raw")}
    return [name for name in PAYLOADS if name in ok]


def test_every_published_field_is_covered() -> None:
    """The readers' fields are the fields covered: a new front-matter key, SLA field or record text fails here
    until the injection test plants payloads in it."""
    top = {f.split(".")[0] for f in YAML_FIELDS}
    assert top | {"id"} == set(frontmatter.ALLOWED)
    assert {f.split(".")[1] for f in YAML_FIELDS if f.startswith("corrections.")} == {"date", "reason", "clauses"}
    assert {f.split(".")[1] for f in YAML_FIELDS if f.startswith("change_notes.")} == {"clause", "class", "reason",
                                                                                       "approved_by"}
    from kspub.law.consent import _PLAN_KEYS

    assert {f.split(".")[1] for f in YAML_FIELDS if f.startswith("consent.")} == set(_PLAN_KEYS)
    assert {f.split(".")[1] for f in YAML_FIELDS if f.startswith("printed.")} == {"updated", "effective"}
    schema = catalogue_schema()
    assert {f.split(".")[1] for f in SLA_FIELDS if f.count(".") == 1} | {"categories"} == set(schema["properties"])
    category = schema["properties"]["categories"]["items"]["properties"]
    assert {f.split(".")[2] for f in SLA_FIELDS if f.startswith("sla.category.")} | {"entries"} == set(category)
    entry = schema["$defs"]["entry"]["properties"]
    assert {f.split(".")[2] for f in SLA_FIELDS if f.startswith("sla.entry.")} == set(entry) == {"id", "title", *ENTRY_FIELDS}
    compensation = entry["compensation"]["items"]["properties"]
    assert {f.split(".")[3] for f in SLA_FIELDS if f.startswith("sla.entry.compensation.")} == set(compensation)
    from kspub.parse import ALLOWED_ATTRS

    assert {f.split(".")[1] for f in BODY_FIELDS if f.startswith("attr.")} | {"id"} == set(ALLOWED_ATTRS)


def test_the_defaults_lint_clean() -> None:
    base = [v for v in lint_matrix() if v.payload == "yaml-dashes" and v.field == "clause"]
    assert base and base[0].accepted, base[0].errors


@pytest.mark.parametrize("field", FIELDS)
def test_lint_refuses_with_a_chinese_diagnostic_at_its_line(field: str) -> None:
    verdicts = [v for v in lint_matrix() if v.field == field]
    for v in verdicts:
        for d in v.errors:
            assert d.path in ("agreements/inj.md", "sla/catalogue.yaml", "agreements/releases/inj.yaml"), d
            assert d.line is not None and 1 <= d.line <= v.text.count("\n") + 1, (v.payload, v.encoding, d)
            assert _HAN.search(d.message), d
    # the characters that have no place in a legal text are refused in every field, however they are written
    for v in verdicts:
        if v.payload in ("c1-controls", "c0-escape", "bidi-override", "bidi-isolate", "noncharacter"):
            assert not v.accepted, f"{field}: {v.payload} ({v.encoding}) accepted"
            assert {d.code for d in v.errors} & {"KS113", "KS505", "KS704", "KS810"}, (field, v.payload, v.errors)


def test_titles_refuse_markup() -> None:
    """Titles reach the theme's navigation and page title: a raw tag is refused there, whatever else may hold."""
    for field in ("title", "heading", "sla.title", "sla.category.title", "sla.entry.title"):
        for name in ("img-onerror", "svg-onload", "script"):
            assert name not in accepted_payloads(field), (field, name)


# --- phase 2: every accepted payload at once, built and looked at ----------------------------------------


def _join(names: list[str]) -> str:
    return " ".join(PAYLOADS[n] for n in names)


@dataclass
class Plan:
    agreements: list[dict[str, str]]
    """Per agreement: field → the joined accepted payloads it carries (already encoded)."""
    sla_entries: list[dict[str, str]]
    sla_head: dict[str, str]
    record: dict[str, str]
    """record.* → the joined payloads given to kspub release."""
    planted: dict[str, set[str]]
    """field → payload names planted somewhere."""


def _lints_clean(values: dict[str, str], agreement_id: str) -> bool:
    from kspub.law.notice_lint import lint_notice
    from kspub.lint import lint_agreement
    from kspub.parse import parse_agreement

    for _step, text in _versions(values, agreement_id):
        result = parse_agreement(text, f"agreements/{agreement_id}.md")
        if not result.ok or result.agreement is None:
            return False
        diags = lint_agreement(result.agreement) + lint_notice(result.agreement)
        if any(d.severity is Severity.ERROR for d in diags):
            return False
    return True


def make_plan(hostile: bool) -> Plan:
    """Where each accepted payload goes: each is added to the first agreement whose text still lints clean with
    it (titles and headings are capped at 200 characters; a quote in one payload may close an attribute another
    opened), a new agreement when none does. The SLA catalogue has one entry per payload."""
    planted: dict[str, set[str]] = {}
    agreements: list[dict[str, str]] = [{}, {}]
    shares: list[dict[str, list[str]]] = [{}, {}]
    for field in [f for f in YAML_FIELDS + BODY_FIELDS if f not in ("retired", "notice.statutes")]:
        for name in accepted_payloads(field) if hostile else []:
            for i in range(len(agreements) + 1):
                if i == len(agreements):
                    agreements.append({})
                    shares.append({})
                share = [*shares[i].get(field, []), name]
                value = next(iter(encodings(field, _join(share)).values()))
                if _lints_clean({**agreements[i], field: value}, f"inj-{i}"):
                    agreements[i][field] = value
                    shares[i][field] = share
                    planted.setdefault(field, set()).add(name)
                    break
                if i >= 12:
                    pytest.fail(f"{field}: {name} is accepted alone but in no agreement with the others")
    sla_entries: list[dict[str, str]] = []
    for field in SLA_FIELDS:
        names = accepted_payloads(field) if hostile else []
        if field in ("sla.title", "sla.internal"):
            continue
        for name in names:
            if field.endswith(".id"):
                continue  # IDs accept no payload
            sla_entries.append({field: _yaml_quoted(PAYLOADS[name])})
            planted.setdefault(field, set()).add(name)
    head: dict[str, str] = {}
    for field in ("sla.title", "sla.internal"):
        names = accepted_payloads(field) if hostile else []
        fit: list[str] = []
        for name in names:  # the catalogue has one title: as many as fit in 200 characters
            if len(_join([*fit, name])) <= 200:
                fit.append(name)
        if fit:
            head[field] = _yaml_quoted(_join(fit))
            planted.setdefault(field, set()).update(fit)
    record = {}
    for field in RECORD_FIELDS:
        names = accepted_payloads(field) if hostile else []
        record[field] = _join(names) if names else RECORD_DEFAULTS[field]
        planted.setdefault(field, set()).update(names)
    return Plan(agreements, sla_entries or [{}], head, record, planted)


def _versions(values: dict[str, str], agreement_id: str) -> Iterator[tuple[str, str]]:
    """(step, text): 1.0; 2.0; 2.0 corrected; 3.0 upcoming, with the clause text moved around for a redline."""
    base = {k: v for k, v in values.items() if not k.startswith(("corrections.", "change_notes."))}
    no_corrections = agreement_text(base, agreement_id)
    no_corrections = re.sub(r"corrections:\n(  .*\n)+change_notes:\n(  .*\n)+", "", no_corrections)
    yield "1.0", no_corrections
    v2 = no_corrections.replace('version: "1.0"', 'version: "2.0"').replace("2025-11-01", "2025-12-15").replace(
        "effective: 2025-12-01", "effective: 2026-01-15"
    )
    v2 = v2.replace("1.2 免费服务转为收费前，金山云将提前10个自然日通知您。", "1.2 免费服务转为收费前，金山云将提前 10个自然日通知您。", 1)
    yield "2.0", v2
    corrected = agreement_text(
        {**values, "version": '"2.0"', "announced": "2025-12-15", "effective": "2026-01-15",
         "corrections.date": "2026-01-20", "corrections.clauses": "fee-notice", "change_notes.clause": "fee-notice"},
        agreement_id,
    )  # fmt: skip
    yield "2.0-corrected", corrected
    v3 = no_corrections.replace('version: "1.0"', 'version: "3.0"').replace("2025-11-01", "2026-02-20").replace(
        "effective: 2025-12-01", "effective: 2026-04-01"
    )
    clause = values.get("clause", "")
    v3 = v3.replace(f"1.1 本协议是您与金山云之间的有效契约。{clause}", f"1.1 {clause}本协议是您与金山云之间的契约。", 1)
    yield "3.0", v3


def build_repo(repo: Path, plan: Plan) -> Path:
    from kspub.release import release

    (repo / "agreements").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    (repo / ".gitignore").write_text("/build/\n", "utf-8")

    def commit(files: dict[str, str | None], message: str, *, release_them: bool = True) -> None:
        for name, text in files.items():
            path = repo / name
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        if release_them:
            assert release_all(repo) == [], f"release refused: {message}"
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "--allow-empty", "-m", message)

    ids = [f"inj-{i}" for i in range(len(plan.agreements))]
    steps = [list(_versions(values, aid)) for values, aid in zip(plan.agreements, ids, strict=True)]
    for index in range(4):
        commit({f"agreements/{aid}.md": s[index][1] for aid, s in zip(ids, steps, strict=True)}, f"第 {index + 1} 步")
    rec = plan.record
    summary_values = {"summary": _yaml_quoted(rec["record.summary"])}
    # a version announced and then withdrawn, and a postponement of the upcoming one
    v4 = agreement_text({**plan.agreements[0], **summary_values, "version": '"4.0"', "announced": "2026-02-25",
                         "effective": "2026-06-01"}, ids[0])  # fmt: skip
    v4 = re.sub(r"corrections:\n(  .*\n)+change_notes:\n(  .*\n)+", "", v4)
    commit({f"agreements/{ids[0]}.md": v4}, "版本 4.0")
    release(repo, ids[0], today=date(2026, 3, 1), withdraw=True, version="4.0", reason=rec["record.event.reason"])
    commit({}, "撤回版本 4.0", release_them=False)
    release(repo, ids[1], today=date(2026, 3, 1), effective=date(2026, 4, 15), reason=rec["record.event.reason"])
    commit({}, "推迟生效", release_them=False)
    # a renamed agreement and a withdrawn one
    old = agreement_text({**plan.agreements[0], **summary_values}, "inj-old")
    old = re.sub(r"corrections:\n(  .*\n)+change_notes:\n(  .*\n)+", "", old)
    commit({"agreements/inj-old.md": old, "agreements/inj-gone.md": old.replace("id: inj-old", "id: inj-gone")}, "新协议")
    (repo / "agreements" / "inj-old.md").rename(repo / "agreements" / "inj-new.md")
    renamed = old.replace("id: inj-old", "id: inj-new").replace('version: "1.0"', 'version: "2.0"').replace(
        "2025-11-01", "2026-01-01").replace("effective: 2025-12-01", "effective: 2026-01-02")  # fmt: skip
    (repo / "agreements" / "inj-new.md").write_text(renamed, "utf-8")
    release(repo, "inj-new", today=date(2026, 3, 1), as_is=True, renamed_from="inj-old")
    (repo / "agreements" / "inj-gone.md").unlink()
    release(repo, "inj-gone", today=date(2026, 3, 1), withdraw=True, reason=rec["record.withdrawn.reason"])
    commit({}, "改名与停止适用", release_them=False)
    commit({"sla/catalogue.yaml": sla_text(plan.sla_entries, plan.sla_head)}, "SLA 目录")
    return repo


@dataclass
class Site:
    folder: Path
    pages: list[Path]


def _build(repo: Path) -> Site:
    from kspub.publish.build import build

    result = build(repo, as_of=AS_OF, out=None, progress=False)
    folder = result.site.resolve()
    return Site(folder, sorted(folder.rglob("*.html")))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    """The hostile site and the same repository without payloads."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        hostile = make_plan(True)
        # the same repository without payloads: as many agreements and SLA entries, default texts
        clean = Plan([{} for _ in hostile.agreements], [{} for _ in hostile.sla_entries], {}, dict(RECORD_DEFAULTS), {})
        sites = {name: _build(build_repo(tmp_path_factory.mktemp(name) / "repo", plan))
                 for name, plan in (("hostile", hostile), ("clean", clean))}  # fmt: skip
    yield sites


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))
        if tag == "script":
            self._script, self._body = dict(attrs), []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._body.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._body)))
            self._script = None


def _parse(page: Path) -> _Elements:
    parser = _Elements()
    parser.feed(page.read_text("utf-8"))
    parser.close()
    return parser


URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset", "background"}
BAD_SCHEME = re.compile(r"^\s*(?:javascript|data|vbscript)\s*:", re.I)


def _script_identity(attrs: dict[str, str | None], body: str) -> str:
    if attrs.get("src"):
        return "src:" + re.sub(r"^(\.\./)+", "", attrs["src"] or "")
    if (attrs.get("type") or "").lower() == "application/json":
        return f"data:{attrs.get('id')}"
    return "inline:" + re.sub(r"(\.\./)+", "", body)


@pytest.mark.e2e
def test_every_accepted_payload_is_planted(built: dict[str, Site]) -> None:
    plan = make_plan(True)
    for field in FIELDS:
        if field.endswith((".id", "retired", "notice.statutes")):
            continue
        assert plan.planted.get(field, set()) >= set(accepted_payloads(field)) or field in ("sla.title", "sla.internal"), field
    # the payloads reached the output (as text): the site is not clean by accident
    text = "\n".join(p.read_text("utf-8") for p in built["hostile"].pages)
    assert "onerror=window.__pwned=1" in text.replace("&#x3D;", "=").replace("&#61;", "=")


@pytest.mark.e2e
def test_static_scan_of_every_page(built: dict[str, Site]) -> None:
    hostile, clean = built["hostile"], built["clean"]
    assert len(hostile.pages) >= 30
    assert [p.relative_to(hostile.folder) for p in hostile.pages] == [p.relative_to(clean.folder) for p in clean.pages]
    known: set[str] = set()
    for page in clean.pages:
        known.update(_script_identity(a, b) for a, b in _parse(page).scripts)
    problems: list[str] = []
    for page in hostile.pages:
        where = page.relative_to(hostile.folder).as_posix()
        parsed = _parse(page)
        for tag, attrs in parsed.elements:
            for name, value in attrs:
                if name.lower().startswith("on"):
                    problems.append(f"{where}: <{tag} {name}={value!r}>")
                if name.lower() in URL_ATTRS and value and BAD_SCHEME.match(value):
                    problems.append(f"{where}: <{tag} {name}={value!r}>")
                if tag == "meta" and name == "content" and value and re.search(r"url=\s*(javascript|data|vbscript):", value, re.I):
                    problems.append(f"{where}: <meta content={value!r}>")
        # elements that can load or run something: as many as on the same page built without payloads
        risky = ("script", "iframe", "object", "embed", "base", "form", "svg", "math", "style", "meta", "link", "img")
        theirs = [t for t, _ in _parse(clean.folder / where).elements if t in risky]
        ours = [t for t, _ in parsed.elements if t in risky]
        if sorted(ours) != sorted(theirs):
            problems.append(f"{where}: elements {sorted(ours)} != {sorted(theirs)}")
        for attrs, body in parsed.scripts:
            identity = _script_identity(attrs, body)
            if identity not in known:
                problems.append(f"{where}: unknown script {identity[:120]!r}")
            if identity.startswith("data:"):
                json.loads(body)  # kspub's data blocks stay data
    assert not problems, "\n".join(problems[:40])


@pytest.mark.e2e
def test_api_and_feeds_hold_the_payloads_as_data(built: dict[str, Site]) -> None:
    folder = built["hostile"].folder
    documents = sorted((folder / "api").rglob("*.json")) + [folder / "search" / "search_index.json"]
    assert len(documents) > 20
    strings: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, str):
            strings.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for doc in documents:
        walk(json.loads(doc.read_text("utf-8")))
    joined = "\n".join(strings)
    # the API carries the editors' strings exactly (data, not markup): the tags are there, unescaped
    assert f"<img src=x onerror={JS}>" in joined
    atom = "{http://www.w3.org/2005/Atom}"
    feeds = sorted((folder / "api").rglob("*.xml"))
    assert len(feeds) >= 2
    for feed in feeds:
        root = ET.parse(feed).getroot()
        for element in root.iter():
            if element.tag in (f"{atom}title", f"{atom}summary", f"{atom}content", f"{atom}subtitle"):
                assert element.get("type") in (None, "text"), (feed, element.tag, element.get("type"))
    ET.parse(folder / "sitemap.xml")
    # the search index the theme renders as HTML holds no tag an editor wrote
    index = json.loads((folder / "search" / "search_index.json").read_text("utf-8"))
    for doc in index["docs"]:
        for key in ("title", "text"):
            for m in re.finditer(r"<\s*([a-zA-Z][\w-]*)", doc[key]):
                assert m.group(1).lower() in {"p", "code", "pre", "strong", "em", "a", "ul", "ol", "li"}, (doc["location"], doc[key][:200])
            assert not re.search(r"<[^>]*\son\w+\s*=", doc[key]), (doc["location"], doc[key][:200])


# --- the browser ----------------------------------------------------------------------------------------

HOVER = """() => {
  for (const el of document.querySelectorAll('body *')) {
    for (const type of ['mouseover', 'mouseenter', 'mousemove', 'focus', 'animationstart']) {
      el.dispatchEvent(new Event(type, {bubbles: true}));
    }
  }
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) bad.push(el.tagName + ' ' + a.name);
      if (/^(href|src|action|formaction|xlink:href)$/i.test(a.name) && /^\\s*(javascript|vbscript|data):/i.test(a.value))
        bad.push(el.tagName + ' ' + a.name + '=' + a.value);
    }
  }
  return {pwned: typeof window.__pwned, bad};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "escaping-alone"])
def test_no_payload_runs_in_the_browser(built: dict[str, Site], bypass_csp: bool) -> None:
    from .test_site_browser import CHROMIUM, CHROMIUM_ARGS, _serve, search

    if not CHROMIUM.exists():
        pytest.fail(f"浏览器测试需要 Debian 的 Chromium（{CHROMIUM}）：请运行 apt-get install -y chromium（测试不会下载浏览器）")
    from playwright.sync_api import sync_playwright

    site = built["hostile"]
    server, base = _serve(site.folder)
    dialogs: list[str] = []
    failures: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", bypass_csp=bypass_csp)
            context.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda r: r.abort())
            page = context.new_page()

            def on_dialog(d: Any) -> None:
                dialogs.append(f"{page.url}: {d.message}")
                d.dismiss()

            page.on("dialog", on_dialog)
            for html_page in site.pages:
                rel = html_page.relative_to(site.folder).as_posix()
                url = base + rel.removesuffix("index.html")
                page.goto(url, wait_until="load")
                page.mouse.move(300, 300)
                page.mouse.move(700, 500)
                try:
                    state = page.evaluate(HOVER)
                except Exception:  # a renamed agreement's old address moves on to the new one
                    page.wait_for_load_state("load")
                    state = page.evaluate(HOVER)
                if state["pwned"] != "undefined" or state["bad"]:
                    failures.append(f"{rel}: {state}")
            # the search box renders the index as HTML: search for the payloads' words
            page.goto(base, wait_until="load")
            for query in ("pwned", "onerror", "img", "script"):
                search(page, query)
                page.wait_for_timeout(100)
                state = page.evaluate(HOVER)
                if state["pwned"] != "undefined" or state["bad"]:
                    failures.append(f"search {query}: {state}")
                page.locator("input.md-search__input").fill("")
            context.close()
            browser.close()
    finally:
        server.shutdown()
    assert not dialogs, dialogs
    assert not failures, "\n".join(failures[:20])


@pytest.mark.e2e
@pytest.mark.parametrize("option", ["reason", "summary"])
def test_release_refuses_a_reason_with_refused_characters(make_repo: Callable[..., Path], option: str) -> None:
    """``kspub release --reason`` goes into the record and from there onto the site and into the API as is."""
    from kspub.release import release

    from .conftest import demo_text

    repo = make_repo({"agreements/demo.md": demo_text("1.0", extra="announced: 2025-11-01\neffective: 2025-12-01\n")})
    with pytest.raises(KspubError) as caught:
        release(repo, "demo", today=date(2026, 3, 1), withdraw=True, **{option: "业务调整\u202e。"})
    assert "U+202E" in caught.value.message and f"--{option}" in caught.value.message
