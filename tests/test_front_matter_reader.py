"""One front-matter reader: history, lint and check read every field the same way (regressions)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kspub.history import read_timeline
from kspub.parse import parse_agreement, parse_file
from kspub.workspace import lint_paths

from .conftest import demo_text

A = "agreements/demo.md"

MULTI_LINE_SUMMARY = 'summary: >-\n  第一行说明，\n  第二行说明。\n'
PLAIN_MULTI_LINE = 'summary: 第一行说明，\n  第二行说明。\n'
QUOTED_MULTI_LINE = 'summary: "一段\n  很长的说明"\n'


def _lint_meta(text: str) -> tuple[str, str]:
    result = parse_agreement(text, A)
    assert result.ok and result.agreement is not None, [d.format() for d in result.diagnostics]
    return result.agreement.meta.version, result.agreement.meta.summary


@pytest.mark.parametrize("extra", [MULTI_LINE_SUMMARY, PLAIN_MULTI_LINE, QUOTED_MULTI_LINE])
def test_history_reads_a_multi_line_summary_whole(make_repo: Callable[..., Path], extra: str) -> None:
    text = demo_text("1.0", extra=extra)
    repo = make_repo({A: text})
    (version,) = read_timeline(repo, "demo").versions
    assert (version.label, version.summary) == _lint_meta(text)
    assert "\n" not in version.summary and version.summary.count("说明") == (1 if extra is QUOTED_MULTI_LINE else 2)


def test_history_reads_a_quoted_multi_line_value_as_yaml_does(make_repo: Callable[..., Path]) -> None:
    # the second line of the quoted summary looks like a key: only a YAML parser reads it as text
    text = demo_text("1.0", extra='summary: "第一行\nversion: 9.9"\n').replace('version: "1.0"\n', "").replace(
        "---\n\n", 'version: "1.0"\n---\n\n', 1
    )
    repo = make_repo({A: text})
    (version,) = read_timeline(repo, "demo").versions
    assert (version.label, version.summary) == _lint_meta(text) == ("1.0", "第一行 version: 9.9")


def test_history_reads_crlf_and_document_end_marker_versions(make_repo: Callable[..., Path]) -> None:
    make_repo({A: demo_text("1.0")})
    crlf = demo_text("2.0", fee="收费前提前30个自然日通知您。").replace("\n", "\r\n")
    repo = make_repo({A: crlf}, "Windows 换行")
    dots = demo_text("3.0", fee="收费前提前60个自然日通知您。").replace('"3.0"\n---', '"3.0"\n...')
    repo = make_repo({A: dots}, "以 ... 结束的头信息")
    labels = [v.label for v in read_timeline(repo, "demo").versions]
    assert labels == ["1.0", "2.0", "3.0"]
    for text in (crlf, dots):
        assert not [d for d in parse_file(A, text.encode()).diagnostics if d.code.startswith("KS1")]


def test_split_front_matter_is_the_only_boundary() -> None:
    from kspub.frontmatter import split_front_matter

    text = demo_text("1.0")
    block = split_front_matter(text)
    assert block is not None and block.first_line == 2 and block.yaml.startswith("id: demo")
    assert text.split("\n")[block.end_line - 1] == "---"
    assert split_front_matter("no front matter") is None
    unclosed = split_front_matter("---\nid: x\n")
    assert unclosed is not None and unclosed.end_line == 0


@pytest.mark.parametrize(
    "yaml_text",
    [
        # a billion laughs: each alias doubles the size; expanding it would hang
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(20)),
        # a node that contains itself
        "summary: &s [*s]\n",
    ],
    ids=["alias-bomb", "self-reference"],
)
def test_lint_refuses_yaml_aliases_quickly(tmp_path: Path, yaml_text: str) -> None:
    path = tmp_path / "demo.md"
    path.write_text(demo_text("1.0", extra=yaml_text), encoding="utf-8")
    diags = lint_paths(tmp_path, [path])
    assert any(d.code == "KS103" and "别名" in d.message for d in diags), [d.format() for d in diags]
