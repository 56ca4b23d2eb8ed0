"""Every KS code is explained in Chinese, and the YAML mistakes editors make are named at their line."""

from __future__ import annotations

import re

import pytest

from kspub.codes import CODES, markdown
from kspub.parse import parse_agreement

from .conftest import ROOT

CODE_RE = re.compile(r"\bKS\d{3}\b")


def _codes_in_package() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "kspub").rglob("*"):
        if path.is_file() and path.suffix in {".py", ".md", ".yaml", ".html", ".json"} and path.name != "codes.py":
            found |= set(CODE_RE.findall(path.read_text("utf-8", errors="replace")))
    return found


def test_every_code_the_package_can_report_is_in_the_table() -> None:
    missing = _codes_in_package() - set(CODES)
    assert not missing, f"add to kspub/codes.py: {sorted(missing)}"


def test_the_table_has_no_code_the_package_never_reports() -> None:
    assert not set(CODES) - _codes_in_package()


def test_every_entry_says_what_it_means_and_what_to_do_in_chinese() -> None:
    for code, entry in CODES.items():
        assert re.fullmatch(r"KS\d{3}", code)
        assert re.search(r"[\u4e00-\u9fff]", entry.meaning) and re.search(r"[\u4e00-\u9fff]", entry.action), code
        assert "|" not in entry.meaning + entry.action and "\n" not in entry.meaning + entry.action, code  # one table row


def test_the_codes_page_is_current() -> None:
    assert (ROOT / "docs" / "codes.md").read_text("utf-8") == markdown(), "run: python -m kspub.codes > docs/codes.md"


def test_every_code_the_docs_mention_exists() -> None:
    for page in [ROOT / "docs" / "source-format.md", *(ROOT / "docs").glob("guide*.md")]:
        unknown = set(CODE_RE.findall(page.read_text("utf-8"))) - set(CODES)
        assert not unknown, (page.name, unknown)


HEAD = "---\nid: demo\ntitle: 示例\nkind: agreement\nversion: \"1.0\"\n"
BODY = "---\n\n{#a}\n正文。\n"


@pytest.mark.parametrize(
    ("front", "line", "says"),
    [
        ('id: demo\ntitle：示例\nkind: agreement\nversion: "1.0"\n', 3, "全角冒号"),
        ('id: demo\ntitle:示例\nkind: agreement\nversion: "1.0"\n', 3, "冒号后面缺少空格"),
        ('id: demo\ntitle: 示例: 条款\nkind: agreement\nversion: "1.0"\n', 3, "冒号+空格"),
        ('id: demo\ntitle: 示例\nkind: agreement\nversion: "1.0"\nsummary: "他说"好"的"\n', 6, "引号内又出现了英文引号"),
        ('id: demo\ntitle: 示例\nkind: agreement\nversion: "1.0"\ntitle2: “示例: 条款”\n', 6, "中文引号"),
        ('id: demo\ntitle: "示例\nkind: agreement\nversion: "1.0"\n', 3, "引号没有闭合"),
        ('id: demo\ntitle: 示例\nkind: agreement\nversion: "1.0"\nnotice:\n\tdefault: {period: 30日}\n', 7, "Tab"),
        ('id: demo\ntitle: 示例\nkind: agreement\nversion: "1.0"\nprinted:\n  updated: 2022-07-05\n effective: 2022-07-05\n',
         8, "缩进"),
        ('id: demo\ntitle: 示例\nkind: agreement\nversion: "1.0"\nretired: [a, b\n', 6, "方括号"),
        ('id: demo\ntitle: 示例\nkind: agreement\nversion: 1.10\n', 5, "加引号"),
        ('id: demo\ntitle: 示例\nkind: agreement\nversion: “1.10”\n', 5, "中文引号"),
        # the text of a block may hold anything: the real mistake below it is found
        ('id: demo\nsummary: |\n  说明：a: b\n  title：x\ntitle：示例\nkind: agreement\nversion: "1.0"\n', 6, "全角冒号"),
    ],
    ids=["fullwidth-colon", "no-space", "colon-in-value", "quote-in-quotes", "curly-quotes", "unclosed-quote", "tab",
         "indent", "bracket", "unquoted-version", "curly-version", "block-text"],
)
def test_a_yaml_mistake_is_named_in_chinese_at_its_line(front: str, line: int, says: str) -> None:
    result = parse_agreement("---\n" + front + BODY, "agreements/demo.md")
    messages = [(d.line, d.message) for d in result.diagnostics if d.code in {"KS103", "KS111"}]
    assert messages, [d.format() for d in result.diagnostics]
    (found_line, message), *_ = messages
    assert found_line == line and says in message, messages
    assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", message.replace("version", "")), message  # no English prose


def test_an_unknown_yaml_problem_is_still_chinese() -> None:
    result = parse_agreement("---\nid: demo\n@bad\n" + BODY, "agreements/demo.md")
    (diag,) = (d for d in result.diagnostics if d.code == "KS103")
    assert "YAML" in diag.message and "token" not in diag.message


def test_an_attribute_line_without_a_blank_line_is_named_as_that() -> None:
    text = HEAD + BODY + "\n{#b}\n正文：\n\n{#i1}\n- (1) 一；\n{#i2}\n- (2) 二。\n"
    (diag,) = parse_agreement(text, "agreements/demo.md").diagnostics
    assert diag.code == "KS206" and "空行" in diag.message and "{#i2}" in diag.message
    assert diag.line == text.split("\n").index("{#i2}") + 1


def test_an_item_without_an_attribute_line_is_named_as_that() -> None:
    text = HEAD + BODY + "\n{#b}\n正文：\n\n{#i1}\n- (1) 一；\n\n- (2) 二。\n"
    (diag,) = parse_agreement(text, "agreements/demo.md").diagnostics
    assert diag.code == "KS206" and "缺少条款 ID" in diag.message
    assert diag.line == text.split("\n").index("- (2) 二。") + 1


def test_the_release_record_and_a_calendar_year_name_the_mistake_too() -> None:
    from kspub.errors import KspubError
    from kspub.law.workdays import parse_year_file
    from kspub.record import parse_record

    with pytest.raises(KspubError) as record:
        parse_record("agreement: demo\nversions：\n", "agreements/releases/demo.yaml")
    assert record.value.code == "KS810" and record.value.line == 2 and "全角冒号" in record.value.message
    with pytest.raises(KspubError) as year:
        parse_year_file("year: 2027\nnotice:测试\n", "calendar/2027.yaml")
    assert year.value.code == "KS602" and year.value.line == 2 and "冒号后面缺少空格" in year.value.message
