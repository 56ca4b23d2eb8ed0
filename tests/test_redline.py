"""Redlines: whole numbers and words, exact reconstruction, mirror symmetry, bounded work on hostile input."""

from __future__ import annotations

import random

import pytest

from kspub.redline import (
    DELETE,
    EQUAL,
    INSERT,
    Segment,
    has_changes,
    mirror,
    redline,
    render_html,
    render_text,
    source_text,
    target_text,
)


def check(old: str, new: str) -> tuple[Segment, ...]:
    """The redline, after checking it rebuilds both texts, mirrors, and has no empty or doubled pieces."""
    segments = redline(old, new)
    assert source_text(segments) == old
    assert target_text(segments) == new
    assert redline(new, old) == mirror(segments)
    assert all(s.text for s in segments)
    assert all(a.op != b.op for a, b in zip(segments, segments[1:], strict=False))
    return segments


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("金山云将提前10个自然日通知您", "金山云将提前5个自然日通知您", "金山云将提前[-10-]{+5+}个自然日通知您"),
        ("可用性不低于99.95%。", "可用性不低于99.9%。", "可用性不低于[-99.95%-]{+99.9%+}。"),
        ("变更通告后30天内", "变更通告后300天内", "变更通告后[-30-]{+300+}天内"),
        ("客服电话400-1070-808", "客服电话400-1070-809", "客服电话[-400-1070-808-]{+400-1070-809+}"),
        ("不迟于十五日通知", "不迟于三十日通知", "不迟于[-十五-]{+三十+}日通知"),
        ("金额为¥1,000元", "金额为¥1,500元", "金额为¥[-1,000-]{+1,500+}元"),
        ("参见 SDK 文档", "参见 API 文档", "参见 [-SDK-]{+API+} 文档"),
        ("2022年7月5日", "2022年7月15日", "2022年7月[-5-]{+15+}日"),
    ],
)
def test_numbers_and_words_change_as_whole_tokens(old: str, new: str, expected: str) -> None:
    assert render_text(check(old, new)) == expected


def test_chinese_text_is_diffed_by_character() -> None:
    segments = check("您应当遵守本协议", "您可以遵守本协议")
    assert render_text(segments) == "您[-应当-]{+可以+}遵守本协议"


def test_semantic_cleanup_avoids_confetti() -> None:
    segments = check("金山云有权单方终止本协议", "金山云不得单方解除合同")
    # Scattered one-character matches are folded into one readable replacement.
    assert sum(1 for s in segments if s.op == EQUAL) <= 3


def test_equal_and_empty_texts() -> None:
    assert redline("", "") == ()
    assert redline("同一文本", "同一文本") == (Segment(EQUAL, "同一文本"),)
    assert not has_changes(redline("同一文本", "同一文本"))
    assert check("", "新增") == (Segment(INSERT, "新增"),)
    assert check("删除", "") == (Segment(DELETE, "删除"),)


def test_deletion_comes_before_insertion() -> None:
    segments = check("第10条", "第11条")
    ops = [s.op for s in segments]
    assert ops.index(DELETE) < ops.index(INSERT)


def test_renderings_escape_html() -> None:
    segments = check("a<b & c", "a<b & d<script>")
    assert render_html(segments) == "a&lt;b &amp; <del>c</del><ins>d&lt;script&gt;</ins>"
    assert render_text(segments) == "a<b & [-c-]{+d<script>+}"
    assert [s.to_dict() for s in segments][0] == {"op": "equal", "text": "a<b & "}


def test_one_change_in_a_long_text_stays_precise() -> None:
    base = "本协议是您与金山云之间的有效契约，" * 6000  # ~100k characters
    new = base[:50000] + "不得" + base[50000:]
    segments = check(base, new)
    assert [s.op for s in segments] == [EQUAL, INSERT, EQUAL]


def test_scattered_edits_in_a_long_text_stay_precise() -> None:
    rng = random.Random(7)
    phrases = [f"第{k}项约定由金山云负责，用户应当配合。" for k in range(3000)]
    new_phrases = list(phrases)
    for k in rng.sample(range(3000), 40):
        new_phrases[k] = new_phrases[k].replace("应当", "可以")
    segments = check("".join(phrases), "".join(new_phrases))
    assert sum(1 for s in segments if s.op == DELETE) == 40


HOSTILE = [
    pytest.param("ab" * 100_000, "ba" * 100_000, id="periodic-shifted"),
    pytest.param("ab" * 100_000, "b" + "ab" * 100_000, id="periodic-insert"),
    pytest.param("，" * 200_000, "。" * 200_000, id="punctuation-only"),
    pytest.param("a，" * 100_000, "b，" * 100_000, id="tiny-phrases"),
    pytest.param("甲，乙，" * 50_000, "乙，甲，" * 50_000, id="swapped-phrases"),
    pytest.param("金", "山金" * 100_000, id="tiny-vs-huge"),
    pytest.param("1" * 200_000, "12" * 100_000, id="one-huge-number"),
    pytest.param("a\n" * 100_000, "a\nb\n" * 50_000, id="lines"),
]


@pytest.mark.parametrize(("old", "new"), HOSTILE)
def test_hostile_inputs_complete_and_reconstruct(old: str, new: str) -> None:
    segments = redline(old, new)
    assert source_text(segments) == old
    assert target_text(segments) == new


@pytest.mark.parametrize("alphabet", ["ab", "ab，", "金山云协议，。应当"])
def test_random_200k_texts_complete_and_reconstruct(alphabet: str) -> None:
    rng = random.Random(alphabet)
    old = "".join(rng.choice(alphabet) for _ in range(200_000))
    new = "".join(rng.choice(alphabet) for _ in range(200_000))
    segments = redline(old, new)
    assert source_text(segments) == old
    assert target_text(segments) == new


def test_output_does_not_depend_on_timing() -> None:
    # Big enough to exhaust the step budget: the cut-off must fall at the same place every time.
    rng = random.Random(3)
    chars = "金山云协议服务用户数据条款费用责任通知终止"
    old = "".join(rng.choice(chars) for _ in range(3000))
    new = "".join(rng.choice(chars) for _ in range(3000))
    first = redline(old, new)
    assert redline(old, new) == first
    assert source_text(first) == old and target_text(first) == new
