"""Properties of the parser: arbitrary input never raises anything but kspub's own diagnostics."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kspub.errors import Diagnostic
from kspub.parse import parse_agreement, parse_file

from .conftest import demo_text

FRAGMENTS = st.sampled_from(
    ["---\n", "id: demo\n", "{#a}\n", "{#b tags=\"fees\"}\n", "## 一、总则\n", "1.1 条款\n", "- (1) 项\n", "  - a) 细项\n",
     "\n", "<b>x</b>", "**加粗**", "| a |\n|---|\n", "```\n", "> 引用\n", "{#", "}", "1) ", "本协议第1.1条", "\r\n", "\ufeff"]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=40))
def test_parse_arbitrary_text_yields_diagnostics_only(parts: list[str]) -> None:
    text = "".join(parts)
    result = parse_agreement(text, "agreements/demo.md")
    assert all(isinstance(d, Diagnostic) and d.code.startswith("KS") for d in result.diagnostics)


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_parse_arbitrary_bytes(data: bytes) -> None:
    result = parse_file("agreements/demo.md", data)
    assert all(isinstance(d, Diagnostic) for d in result.diagnostics)


@settings(max_examples=100)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80).filter(
    lambda s: s.strip() == s and "\n" not in s and not s.startswith(("#", "-", "*", "+", ">", "{", "=", "`", "~", "|", "<"))
    and not any(c.isdigit() for c in s[:3]) and s[0] not in "（(" and "\\" not in s and "&" not in s
))
def test_clause_text_round_trips(text: str) -> None:
    """Whatever a clause says comes back as its printed text, unchanged."""
    result = parse_agreement(demo_text(fee=text), "agreements/demo.md")
    assert result.agreement is not None
    node = result.agreement.by_id()["fee-notice"]
    assert node.printed == "1.2 " + text
