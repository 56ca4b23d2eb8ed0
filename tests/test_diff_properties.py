"""Properties of redlines, materiality and clause diffs over generated texts and agreements."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kspub.changes import mirror_kind
from kspub.chinese_text import fold_width
from kspub.diff import diff_agreements
from kspub.materiality import DUTY_WORDS, classify_text_change
from kspub.model import Agreement, Node
from kspub.redline import mirror, redline, source_text, target_text
from tests.test_diff import agreement, node, section

# --- texts ------------------------------------------------------------------------------------------------

ATOMS = [
    *"金山云协议服务用户数据条款费用通知终止我们您的相应用",
    "应当", "不得", "有权", "可以", "不承担", "免责", "同意", "不", "未",
    *"0123456789", "１", "２", "10个自然日", "99.95%", "三十日", "本协议第1.2条", "第2.1条",
    "，", "。", "；", "：", "（", "）", ",", ";", ":", "(", ")", "**",
    " ", "\n", "a", "b", "SLA",
]  # fmt: skip

texts = st.lists(st.sampled_from(ATOMS), max_size=30).map("".join)
any_text = st.one_of(texts, st.text(max_size=60))

WHITESPACE = [" ", "\n", "\t", "\u3000", "  "]


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _swap_width(ch: str) -> str:
    """The other width of a character, when it has one."""
    if "!" <= ch <= "~":
        return chr(ord(ch) + 0xFEE0)
    folded = fold_width(ch)
    return folded if len(folded) == 1 and folded != ch else ch


@st.composite
def width_and_whitespace_edit(draw: st.DrawFn) -> tuple[str, str]:
    """A text and a copy that differs only by width swaps and whitespace inserted where it cannot join words."""
    old = draw(texts)
    swapped = "".join(_swap_width(c) if draw(st.booleans()) else c for c in old)
    out = []
    folded = fold_width(swapped)
    for k, ch in enumerate(swapped):
        before = folded[k - 1] if k else ""
        if not (before and _is_ascii_alnum(before) and _is_ascii_alnum(folded[k])) and draw(st.booleans()):
            out.append(draw(st.sampled_from(WHITESPACE)))
        out.append(ch)
    return old, "".join(out)


# --- redline ----------------------------------------------------------------------------------------------


@given(any_text, any_text)
@settings(max_examples=300, deadline=None)
def test_redline_reconstructs_both_sides_and_mirrors(old: str, new: str) -> None:
    segments = redline(old, new)
    assert source_text(segments) == old
    assert target_text(segments) == new
    assert redline(new, old) == mirror(segments)


# --- materiality ------------------------------------------------------------------------------------------


@given(width_and_whitespace_edit())
@settings(max_examples=300, deadline=None)
def test_whitespace_and_width_edits_are_never_material(pair: tuple[str, str]) -> None:
    old, new = pair
    assert classify_text_change(old, new).editorial
    assert classify_text_change(new, old).editorial


@given(texts, texts, st.sampled_from("0123456789"), st.sampled_from("0123456789"))
@settings(max_examples=300, deadline=None)
def test_changed_digit_is_material_and_explained(prefix: str, suffix: str, d1: str, d2: str) -> None:
    assume(d1 != d2)
    verdict = classify_text_change(prefix + d1 + suffix, prefix + d2 + suffix)
    assert verdict.material
    assert {"number-changed", "cross-reference-changed"} & set(verdict.flags)
    inserted = classify_text_change(prefix + suffix, prefix + d2 + suffix)
    assert inserted.material


@given(texts, texts, st.sampled_from(DUTY_WORDS))
@settings(max_examples=300, deadline=None)
def test_inserted_or_removed_duty_word_is_material(prefix: str, suffix: str, word: str) -> None:
    assert classify_text_change(prefix + suffix, prefix + word + suffix).material
    assert classify_text_change(prefix + word + suffix, prefix + suffix).material
    # Set apart by punctuation the word is also named.
    verdict = classify_text_change(prefix + "。" + suffix, prefix + "。" + word + "。" + suffix)
    assert "duty-word-added" in verdict.flags


@given(any_text, any_text)
@settings(max_examples=300, deadline=None)
def test_classification_is_symmetric(old: str, new: str) -> None:
    assert classify_text_change(old, new).editorial == classify_text_change(new, old).editorial


# --- agreements -------------------------------------------------------------------------------------------

IDS = [f"n{k}" for k in range(8)]


@st.composite
def agreements(draw: st.DrawFn) -> Agreement:
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=7, unique=True))
    nodes: list[Node] = []
    for k, node_id in enumerate(ids):
        parent = draw(st.sampled_from([None, *ids[:k]]))
        number = draw(st.sampled_from(["", f"1.{k + 1}", f"2.{k + 1}", f"({k + 1})"]))
        if draw(st.integers(0, 4)) == 0:
            nodes.append(section(node_id, number, draw(texts), parent=parent))
        else:
            tags = draw(st.lists(st.sampled_from(["fees", "liability", "account"]), unique=True, max_size=2))
            nodes.append(node(node_id, draw(texts), number=number, parent=parent, tags=tags))
    return agreement(*nodes)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Agreement, Agreement]:
    """An agreement and a later version after edits, deletions, additions, moves, renames, splits and merges."""
    a = draw(agreements())
    nodes = list(a.nodes)
    fresh = iter(f"m{k}" for k in range(100))
    for _ in range(draw(st.integers(0, 5))):
        op = draw(st.sampled_from(["edit", "delete", "add", "move", "renumber", "swap", "rename", "split", "merge",
                                   "tags"]))  # fmt: skip
        if not nodes and op != "add":
            continue
        i = draw(st.integers(0, max(0, len(nodes) - 1)))
        ids = [n.id for n in nodes]
        if op == "edit":
            nodes[i] = replace(nodes[i], text=draw(texts))
        elif op == "delete":
            del nodes[i]
        elif op == "add":
            nodes.insert(i, node(next(fresh), draw(texts), parent=draw(st.sampled_from([None, *ids]))))
        elif op == "move":
            nodes[i] = replace(nodes[i], parent=draw(st.sampled_from([None, *ids])))
        elif op == "renumber":
            nodes[i] = replace(nodes[i], number=draw(st.sampled_from(["", "1.1", "1.2", "3.1", "(9)"])))
        elif op == "swap":
            j = draw(st.integers(0, len(nodes) - 1))
            nodes[i], nodes[j] = nodes[j], nodes[i]
        elif op == "rename":
            nodes[i] = replace(nodes[i], id=next(fresh), replaces=(nodes[i].id,))
        elif op == "split":
            old = nodes[i]
            parts = [replace(old, id=next(fresh), text=draw(texts), replaces=(old.id,)) for _ in range(2)]
            nodes[i : i + 1] = parts
        elif op == "merge" and len(nodes) > 1:
            j = draw(st.integers(0, len(nodes) - 1))
            if i != j:
                first, second = sorted((i, j))
                merged = replace(nodes[first], id=next(fresh), text=draw(texts),
                                 replaces=(nodes[first].id, nodes[second].id))  # fmt: skip
                nodes[first] = merged
                del nodes[second]
        elif op == "tags":
            nodes[i] = replace(nodes[i], tags=tuple(draw(st.lists(st.sampled_from(["fees", "dispute"]), max_size=2))))
    return a, agreement(*nodes, version="2.0")


@given(agreements())
@settings(max_examples=200, deadline=None)
def test_diff_with_itself_is_empty(a: Agreement) -> None:
    assert diff_agreements(a, a).empty


@given(mutated())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_diff_mirrors(pair: tuple[Agreement, Agreement]) -> None:
    a, b = pair
    forward, backward = diff_agreements(a, b), diff_agreements(b, a)
    assert forward.material == backward.material
    back = {(c.new_ids, c.old_ids): c for c in backward.changes}
    assert len(back) == len(backward.changes) == len(forward.changes)
    for c in forward.changes:
        r = back[(c.old_ids, c.new_ids)]
        assert r.kind == mirror_kind(c.kind), (c, r)
        assert r.cls == c.cls, (c, r)
        assert r.redline == mirror(c.redline)
        assert (r.old_number, r.new_number) == (c.new_number, c.old_number)


@given(mutated())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_text_change_is_reported(pair: tuple[Agreement, Agreement]) -> None:
    """No node whose text changed goes unreported, and only editorial-by-rule changes are editorial."""
    a, b = pair
    cs = diff_agreements(a, b)
    reported = {i for c in cs.changes for i in (*c.old_ids, *c.new_ids)}
    new_by = b.by_id()
    for o in a.nodes:
        n = new_by.get(o.id)
        if n is None or (o.title, o.text) != (n.title, n.text):
            assert o.id in reported
    for c in cs.changes:
        if c.cls == "editorial":
            assert c.kind in ("modified", "renamed", "renumbered")
            assert "moved" not in c.flags
