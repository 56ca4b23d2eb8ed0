"""The front-matter diff gives DeepDiff only the fields that differ (``kspub.diff.differing_fields``), and the text
functions remember their results (``kspub.memo``): neither may change what a comparison reports."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

import pytest
from deepdiff import DeepDiff
from hypothesis import given, settings
from hypothesis import strategies as st

from kspub import memo
from kspub.chinese_text import normalise
from kspub.diff import _identical, changed_paths, deepdiff_paths, differing_fields
from kspub.law.consent import _sentences
from kspub.redline import redline

# Front-matter-like values: the scalars YAML gives, in lists and mappings, with look-alikes that are equal in
# Python and not to DeepDiff (1, 1.0, True) and lists that differ only in order (DeepDiff ignores it here).
scalars = st.one_of(st.sampled_from([0, 1, 1.0, True, False, None, "", "1", "v1.0", "2024-01-01"]), st.text(max_size=4))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from("abc"), inner, max_size=3)),
    max_leaves=8,
)
fields = st.dictionaries(st.sampled_from(["id", "version", "title", "retired", "notice", "effective"]), values,
                         max_size=6)  # fmt: skip


def _found(a: Mapping[str, Any], b: Mapping[str, Any]) -> set[tuple[str, str]]:
    tree = DeepDiff(a, b, ignore_order=True, view="tree")  # as before: DeepDiff's own default threshold
    return {(kind, level.path()) for kind, levels in tree.items() for level in levels}


@settings(max_examples=int(os.environ.get("KSPUB_EXAMPLES", "400")), deadline=None)
@given(fields, fields)
def test_deepdiff_finds_the_same_in_the_differing_fields_as_in_the_whole(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert _found(*differing_fields(a, b)) == _found(a, b)


# Front matters as a new version changes them: most fields plain values, some nested.
plain_fields = st.dictionaries(st.sampled_from(["id", "version", "title", "announced", "effective", "summary"]), scalars,
                               max_size=6)  # fmt: skip


@settings(max_examples=int(os.environ.get("KSPUB_EXAMPLES", "400")), deadline=None)
@given(st.one_of(plain_fields, fields), st.one_of(plain_fields, fields))
def test_the_changed_fields_are_those_deepdiff_finds(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert changed_paths(a, b) == deepdiff_paths(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ({"version": "1.0", "summary": "甲"}, {"version": "2.0", "summary": "乙"}),  # values changed
    ({"version": 1}, {"version": True}),  # equal in Python, a change of type to DeepDiff
    ({"version": "1.0"}, {"version": "1.0", "effective": "2024-01-01"}),  # added
    ({"a": 1, "b": 2, "c": 3, "d": 4}, {"e": 5}),  # nothing shared: DeepDiff reports the whole
])  # fmt: skip
def test_plain_front_matter_changes_without_deepdiff(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert changed_paths(a, b) == deepdiff_paths(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ({"version": 0}, {"version": 0, "id": [], "title": []}),  # found by the test above: {} against two fields
    ({"id": [], "effective": [], "notice": [], "title": [[], {"c": "001"}], "retired": []},
     {"id": [], "title": [[], {"c": "001"}]}),  # found by it at deepdiff's lowest version: 1 field shared of 4
])  # fmt: skip
def test_leaving_fields_out_never_makes_deepdiff_report_the_whole(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert _found(*differing_fields(a, b)) == _found(a, b)
    assert ("values_changed", "root") not in _found(a, b)


@settings(max_examples=200, deadline=None)
@given(fields)
def test_a_front_matter_compared_with_a_mutated_copy(a: dict[str, Any]) -> None:
    b = {**a, "version": not a.get("version")}  # one field always differs
    assert _found(*differing_fields(a, b)) == _found(a, b)
    fewer = differing_fields(a, b)
    assert fewer == (a, b) or set(fewer[1]) == {"version"}  # the one differing field, or the whole


@pytest.mark.parametrize(("x", "y"), [(1, True), (1, 1.0), (0, False), ([1], [True]), ({"a": 1}, {"a": 1.0}),
                                      ([1, 2], (1, 2)), (float("nan"), float("nan"))])  # fmt: skip
def test_values_equal_in_python_but_not_alike_are_not_identical(x: object, y: object) -> None:
    assert not _identical(x, y)
    assert DeepDiff({"k": x}, {"k": y}, ignore_order=True) or x != x  # DeepDiff tells them apart (NaN: never equal)


def test_identical_values_are_identical() -> None:
    assert _identical({"a": [1, {"b": "x"}], "c": None}, {"a": [1, {"b": "x"}], "c": None})


# --- remembered results -----------------------------------------------------------------------------------


def test_remembered_results_cannot_be_changed_by_a_caller() -> None:
    old, new = "甲方应当在10个自然日内通知。", "甲方可以在30个自然日内通知。"
    segments = redline(old, new)
    assert isinstance(segments, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        segments[0].text = "篡改"  # type: ignore[misc]
    assert isinstance(_sentences("我们收集您的个人信息。我们不会出售。"), tuple)
    assert redline(old, new) is segments  # remembered …
    assert "".join(s.text for s in segments if s.op != "insert") == old  # … and still the redline of old → new


def test_forgetting_gives_the_same_results() -> None:
    texts = ["本协议第1.2条　约定", "甲方 应当\n通知", "１０个自然日"]
    before = [(normalise(t), _sentences(t), redline(t, t + "。")) for t in texts]
    memo.clear()
    assert redline.cache_info().currsize == 0
    assert [(normalise(t), _sentences(t), redline(t, t + "。")) for t in texts] == before


def test_a_changed_function_below_is_seen_only_after_forgetting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why every test starts with nothing remembered (tests/conftest.py): a mutant of a function below
    ``redline`` would otherwise be served the unmutated result computed before it."""
    import kspub.redline as module

    old, new = "甲方应当通知。", "乙方可以通知。"
    first = redline(old, new)
    monkeypatch.setattr(module, "_segments_from_matches", lambda *args: [module.Segment("equal", "变异")])
    assert redline(old, new) == first  # remembered: the change below is not seen
    memo.clear()
    assert redline(old, new) == (module.Segment("equal", "变异"),)


def test_a_recent_memory_keeps_the_latest_values_until_forgotten() -> None:
    recent: memo.Recent[str, int] = memo.Recent(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert (recent.get("a"), recent.get("b"), len(recent)) == (1, 2, 2)
    recent.put("c", 3)  # the first put is let go, not the last
    assert (recent.get("a"), recent.get("b"), recent.get("c"), len(recent)) == (None, 2, 3, 2)
    recent.put("b", 20)  # a key put again keeps its place and takes the new value
    assert (recent.get("b"), len(recent)) == (20, 2)
    memo.clear()
    assert (recent.get("b"), recent.get("c"), len(recent)) == (None, None, 0)
