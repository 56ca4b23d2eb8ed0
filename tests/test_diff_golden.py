"""Golden diffs: hand-made amendments of the real agreements, each compared with a reviewed expected result.

tests/fixtures/diff/<case>.json holds, per change, the clause, kind, class and flags; regenerate a file only
after reading the new result (KSPUB_REGENERATE_GOLDEN=1) — a silent change of classification is what this
test exists to catch.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kspub.diff import diff_agreements
from kspub.model import Agreement
from kspub.parse import parse_agreement

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "fixtures" / "diff"
CSA = ROOT / "agreements" / "cloud-service-agreement.md"


def load(name: str) -> str:
    return (ROOT / "agreements" / f"{name}.md").read_text("utf-8")


def parse(text: str, name: str = "cloud-service-agreement") -> Agreement:
    result = parse_agreement(text, f"agreements/{name}.md")
    assert result.ok and result.agreement is not None, [d.format() for d in result.diagnostics]
    return result.agreement


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def renumber_section(t: str) -> str:
    t = replace_once(t, "## 十五、其他", "## 十六、其他")
    for k in (1, 2, 3):
        t = replace_once(t, f"\n15.{k} ", f"\n16.{k} ")
    return t


def move_clause(t: str) -> str:
    block = "{#customer-service-contact}\n15.3 请点击www.ksyun.com/查看客服联系方式。\n"
    t = replace_once(t, "\n" + block, "\n")
    anchor = "{#governing-law-and-jurisdiction}\n## 十四、法律管辖"
    return replace_once(t, anchor, block.replace("15.3 ", "13.3 ") + "\n" + anchor)


def change_number(t: str) -> str:
    return replace_once(t, "届时金山云将提前10个自然日", "届时金山云将提前5个自然日")


def punctuation_only(t: str) -> str:
    line = next(x for x in t.split("\n") if x.startswith("2.2 "))
    return replace_once(t, line, line.replace("，", ",").replace("。", "。 "))


def add_right(t: str) -> str:
    return replace_once(t, "您必须完成相应的账户注册程序并获得相应账户。", "您必须完成相应的账户注册程序并获得相应账户。金山云有权拒绝任何注册申请。")


def delete_obligation(t: str) -> str:
    return replace_once(t, "您的该账户不得以任何方式买卖、转让、借用、出租、赠与或继承。", "")


def split_clause(t: str) -> str:
    old = "{#data-retention-after-termination tags=\"data-retention termination fees\"}\n12.5无论"
    head, rest = t.split(old, 1)
    body, tail = rest.split("\n", 1)
    first, second = body.split("您应承担保留期限内产生的云服务费用", 1)
    return (head + "{#data-retention-period tags=\"data-retention termination\" replaces=\"data-retention-after-termination\"}\n"
            "12.5无论" + first + "\n\n{#retention-fees-and-deletion tags=\"data-retention fees\" "
            "replaces=\"data-retention-after-termination\"}\n12.6您应承担保留期限内产生的云服务费用" + second + "\n" + tail)


CASES: dict[str, Callable[[str], str]] = {
    "renumbered-section": renumber_section,
    "moved-clause": move_clause,
    "changed-number": change_number,
    "punctuation-only": punctuation_only,
    "added-right": add_right,
    "deleted-obligation": delete_obligation,
    "split-clause": split_clause,
}


def summary(old: Agreement, new: Agreement) -> list[dict[str, object]]:
    cs = diff_agreements(old, new)
    return [{"clause": c.clause, "kind": c.kind, "class": c.cls, "flags": sorted(c.flags),
             "explanation": c.explanation} for c in cs.changes]  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_diff(case: str) -> None:
    text = CSA.read_text("utf-8")
    got = summary(parse(text), parse(CASES[case](text)))
    path = GOLDEN / f"{case}.json"
    if os.environ.get("KSPUB_REGENERATE_GOLDEN"):
        path.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text("utf-8"))


def test_golden_classes_are_the_legal_ones() -> None:
    """The reviewed expectations themselves: what docs/legal/materiality.md §1 calls editorial, and nothing else."""
    classes = {case: {c["class"] for c in json.loads((GOLDEN / f"{case}.json").read_text("utf-8"))} for case in CASES}
    assert classes["renumbered-section"] == {"editorial"}
    assert classes["punctuation-only"] == {"editorial"}
    for case in ("moved-clause", "changed-number", "added-right", "deleted-obligation", "split-clause"):
        assert "material" in classes[case], case


# ----------------------------------------------------------------------------------------------------------
# Amendments no test was tuned to: random edits of random clauses of every real agreement.

AGREEMENTS = sorted(p.stem for p in (ROOT / "agreements").glob("*.md"))
DUTY_WORDS = ["应当", "必须", "不得", "有权", "无权", "可以", "免责", "不承担", "承担"]
_PARSED: dict[str, Agreement] = {}


def real(name: str) -> Agreement:
    if name not in _PARSED:
        _PARSED[name] = parse(load(name), name)
    return _PARSED[name]


def edit_clause(a: Agreement, index: int, make: Callable[[str], str]) -> tuple[Agreement, str]:
    from dataclasses import replace

    nodes = list(a.nodes)
    node = nodes[index % len(nodes)]
    text = node.text or node.title
    new = make(text)
    printed = (f"{node.number} " if node.number else "") + new
    if node.title:
        nodes[index % len(nodes)] = replace(node, title=new, printed=printed)
    else:
        nodes[index % len(nodes)] = replace(node, text=new, printed=printed)
    return replace(a, nodes=tuple(nodes)), node.id


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(AGREEMENTS), st.integers(0, 10_000), st.sampled_from(DUTY_WORDS), st.integers(0, 10_000))
def test_inserting_a_duty_word_anywhere_is_material(name: str, index: int, word: str, at: int) -> None:
    a = real(name)
    new, clause = edit_clause(a, index, lambda t: t[: at % (len(t) + 1)] + word + t[at % (len(t) + 1):])
    changes = [c for c in diff_agreements(a, new).changes if c.clause == clause]
    assert changes and all(c.material for c in changes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(AGREEMENTS), st.integers(0, 10_000), st.integers(0, 10_000), st.sampled_from("0123456789"))
def test_changing_a_digit_anywhere_is_material(name: str, index: int, at: int, digit: str) -> None:
    a = real(name)
    node = a.nodes[index % len(a.nodes)]
    text = node.text or node.title
    digits = [i for i, ch in enumerate(text) if ch.isdigit() and ch != digit]
    if not digits:
        new, clause = edit_clause(a, index, lambda t: t + digit)
    else:
        pos = digits[at % len(digits)]
        new, clause = edit_clause(a, index, lambda t: t[:pos] + digit + t[pos + 1:])
    changes = [c for c in diff_agreements(a, new).changes if c.clause == clause]
    assert changes and all(c.material for c in changes)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(AGREEMENTS), st.integers(0, 10_000))
def test_width_and_whitespace_edits_are_editorial(name: str, index: int) -> None:
    a = real(name)
    swap = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")", "！": "!", "？": "?"})
    new, clause = edit_clause(a, index, lambda t: t.translate(swap).replace("、", "、 "))
    assert all(not c.material for c in diff_agreements(a, new).changes)
