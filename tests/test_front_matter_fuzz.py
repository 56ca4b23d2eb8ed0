"""Front matter built from the real fields (id, title, kind, version, dates, summary, notice, consent,
corrections, change_notes, retired, printed, internal …), each either well formed or replaced by something wrong: another
type, a missing key, odd Unicode, a huge number, deep nesting. Parse, lint and ``kspub lint`` must answer with
diagnostics (or a KspubError), never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kspub.cli import main
from kspub.errors import Diagnostic, KspubError
from kspub.frontmatter import ALLOWED, KINDS
from kspub.law.notice import CHANNELS
from kspub.law.notice_lint import lint_notice
from kspub.lint import lint_agreement
from kspub.model import KNOWN_TAGS
from kspub.parse import parse_agreement

BODY = "\n{#general}\n## 一、总则\n\n{#nature}\n1.1 本协议是有效契约，见本协议第1.1条。\n\n{#fees tags=\"fees\"}\n1.2 收费前通知您。\n"


class RawNumber(str):
    """Digits written into the YAML as a plain scalar (an integer YAML reads), however long."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(RawNumber, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:int", str(value)))

ODD_TEXT = st.sampled_from(
    ["", " ", "\uffff", "\ufdd0", "\U0001fffe", "\u202e", "\u2066", "\x85", "\x1b", "\u2028", "\ufeff", "<b>", "&amp;",
     "{#x}", "**", "---", "...", "'", '"', "\\", "\t", "第9.9条", "本协议第99条", "二〇二六年", "1.10", "0x1F"]
)
TEXT = st.one_of(st.text(max_size=30), ODD_TEXT, st.text(alphabet=st.characters(codec="utf-8"), max_size=10))
HUGE = st.integers(min_value=1, max_value=6000).map(lambda n: RawNumber("9" * n))
NUMBER = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True), HUGE)
SCALAR = st.one_of(st.none(), st.booleans(), NUMBER, TEXT)
ANY = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
                   max_leaves=12)  # fmt: skip
DATE = st.one_of(st.dates().map(str), st.sampled_from(["2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31", "2026-3-1", "昨天"]))
SLUG = st.one_of(st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,4}){0,2}", fullmatch=True), st.just("nature"), st.just("fees"))
PERIOD = st.one_of(
    st.sampled_from(["30日", "10个工作日", "1个月", "1年", "24小时", "三十日", "0日", "-1日", "半个月", "2周", "10 days", "99999999日"]),
    st.integers(min_value=1, max_value=6000).map(lambda n: "1" * n + "日"),
    TEXT,
)


def wrong_or(right: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right shape, sometimes anything at all."""
    return st.one_of(right, right, ANY)


RULE = st.fixed_dictionaries(
    {},
    optional={
        "period": wrong_or(PERIOD),
        "channels": wrong_or(st.lists(st.one_of(st.sampled_from(sorted(CHANNELS)), TEXT), max_size=3)),
        "basis": wrong_or(st.sampled_from(["本协议第1.1条", "个人信息保护法第十四条", "电子商务法第三十四条", ""])),
        "clause": wrong_or(st.one_of(SLUG, st.lists(SLUG, max_size=3))),
        "consent": wrong_or(st.booleans()),
        "tags": wrong_or(st.lists(st.one_of(st.sampled_from(sorted(KNOWN_TAGS)), TEXT), max_size=3)),
        "clauses": wrong_or(st.lists(SLUG, max_size=3)),
        "note": TEXT,
    },
)
NOTICE = st.fixed_dictionaries(
    {},
    optional={
        "default": wrong_or(RULE),
        "rules": wrong_or(st.lists(wrong_or(RULE), max_size=3)),
        "roll": wrong_or(st.sampled_from(["forward", "none", "backward"])),
        "end": wrong_or(st.sampled_from(["day", "workday"])),
        "statutes": wrong_or(st.lists(st.one_of(st.sampled_from(["电子商务法第三十四条", "民法典第九百九十九条"]), TEXT),
                                      max_size=2)),
    },
)
CONSENT = st.fixed_dictionaries(
    {},
    optional={
        "version": wrong_or(st.sampled_from(["1.0", "2026.1"])),
        "method": wrong_or(st.one_of(st.sampled_from(["popup", "checkbox", "settings", "form", "guardian", "none"]), TEXT)),
        "separate": wrong_or(st.booleans()),
        "guardian": wrong_or(st.booleans()),
        "where": wrong_or(TEXT),
        "clauses": wrong_or(st.lists(SLUG, max_size=3)),
        "reason": wrong_or(TEXT),
        "approved_by": wrong_or(TEXT),
    },
)
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "id": wrong_or(st.one_of(st.just("demo"), SLUG)),
    "title": wrong_or(st.one_of(st.just("示例协议"), TEXT)),
    "kind": wrong_or(st.one_of(st.sampled_from(sorted(KINDS)), TEXT)),
    "version": wrong_or(st.one_of(st.sampled_from(["1.0", "2026.1", "1.10"]), TEXT)),
    "language": wrong_or(st.just("zh-CN")),
    "announced": wrong_or(DATE),
    "effective": wrong_or(DATE),
    "printed": wrong_or(st.fixed_dictionaries({}, optional={"updated": wrong_or(DATE), "effective": wrong_or(DATE)})),
    "retired": wrong_or(st.lists(SLUG, max_size=3)),
    "corrections": wrong_or(st.lists(wrong_or(st.fixed_dictionaries(
        {}, optional={"date": wrong_or(DATE), "reason": wrong_or(TEXT), "clauses": wrong_or(st.lists(SLUG, max_size=3))}
    )), max_size=3)),
    "summary": wrong_or(TEXT),
    "change_notes": wrong_or(st.lists(wrong_or(st.fixed_dictionaries(
        {}, optional={"clause": wrong_or(SLUG), "class": wrong_or(st.just("editorial")), "reason": wrong_or(TEXT),
                      "approved_by": wrong_or(TEXT)}
    )), max_size=3)),
    "notice": wrong_or(NOTICE),
    "consent": wrong_or(CONSENT),
    "internal": wrong_or(st.dictionaries(TEXT, ANY, max_size=3)),
}  # fmt: skip
assert set(FIELDS) == ALLOWED  # the fuzz follows the reader's schema

FRONT_MATTER = st.fixed_dictionaries({}, optional={**FIELDS, "unknown-field": ANY})
NESTED = st.integers(min_value=1, max_value=1200).map(lambda depth: "summary: " + "[" * depth + "]" * depth + "\n")


def _yaml(data: dict[str, Any]) -> str:
    try:
        return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    except yaml.YAMLError:  # a string the emitter cannot write (a lone surrogate): write it escaped
        return yaml.dump(data, Dumper=_Dumper, allow_unicode=False, sort_keys=False, width=10_000)


@st.composite
def sources(draw: st.DrawFn) -> str:
    data = draw(FRONT_MATTER)
    text = _yaml(data) if data else ""
    if draw(st.booleans()):
        text += draw(st.one_of(NESTED, st.sampled_from(["a: &x [1]\nb: *x\n", "id: demo\nid: demo\n", "? [a]\n: b\n",
                                                        "title: !!python/object:os.system x\n", "version: !!binary aGk=\n"])))
    return f"---\n{text}---\n{BODY}"


def _check(text: str) -> None:
    try:
        result = parse_agreement(text, "agreements/demo.md")
        diags = list(result.diagnostics)
        if result.agreement is not None:
            diags += lint_agreement(result.agreement) + lint_notice(result.agreement)
    except KspubError:
        return
    for d in diags:
        assert isinstance(d, Diagnostic) and d.code.startswith("KS")
        assert "\n" not in d.format()


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sources())
def test_parse_and_lint_never_crash_on_front_matter(text: str) -> None:
    _check(text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sources())
def test_kspub_lint_never_crashes_on_front_matter(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "agreements").mkdir()
        (root / "agreements" / "demo.md").write_text(text, "utf-8", errors="surrogatepass")
        result = CliRunner().invoke(main, ["lint", "--root", str(root)])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code in (0, 1), result.output
