"""Materiality, case by case where a plausible slip in the code would change what a legal editor is told: the
class, the flags, the values listed and the Chinese explanation (docs/decisions/0202-materiality.md)."""

from __future__ import annotations

import pytest

from kspub.materiality import (
    CROSS_REFERENCE_CHANGED,
    CROSS_REFERENCE_RETARGETED,
    DUTY_WORD_ADDED,
    DUTY_WORD_REMOVED,
    EMPHASIS_CHANGED,
    NEGATION_CHANGED,
    NUMBER_CHANGED,
    PUNCTUATION_CHANGED,
    REMOVED_TARGET,
    TEXT_CHANGED,
    WHITESPACE_OR_WIDTH,
    ValueChange,
    WordCount,
    classify_text_change,
    hard_flag_reason,
    hard_flags,
    retargeted_references,
    subject_flags,
    subject_reason,
)

# --- the verdict as data ----------------------------------------------------------------------------------


def test_material_verdict_to_dict_carries_every_list() -> None:
    verdict = classify_text_change("您应当在本协议第4.4条所述期限内付款", "您可以在本协议第4.6条所述期限内付款",
                                   renumbering={"4.4": "4.5"})  # fmt: skip
    assert verdict.to_dict() == {
        "class": "material",
        "flags": [CROSS_REFERENCE_CHANGED, DUTY_WORD_ADDED, DUTY_WORD_REMOVED],
        "explanation": verdict.explanation,
        "numbers": [],
        "duty_words": [{"word": "应当", "old": 1, "new": 0}, {"word": "可以", "old": 0, "new": 1}],
        "negations": [],
        "references": [{"old": "本协议第4.4条", "new": "本协议第4.6条"}],
    }
    assert verdict.explanation.startswith("实质性变更：交叉引用变化：本协议第4.4条 → 本协议第4.6条；")
    assert verdict.editorial is False and verdict.material is True


def test_negations_are_listed_in_to_dict() -> None:
    data = classify_text_change("金山云通知您", "金山云未通知您").to_dict()
    assert data["flags"] == [NEGATION_CHANGED]
    assert data["negations"] == [{"word": "未", "old": 0, "new": 1}]


def test_editorial_verdict_to_dict_says_editorial() -> None:
    data = classify_text_change("（1）甲方", "(1)甲方").to_dict()
    assert data["class"] == "editorial"
    assert data["explanation"] == "编辑性修改：仅空白、换行或全角/半角字符不同。"


def test_editorial_verdicts_give_their_reason() -> None:
    width = classify_text_change("（1）甲方", "(1)甲方")
    assert width.flags == (WHITESPACE_OR_WIDTH,)
    assert width.reasons == ("仅空白、换行或全角/半角字符不同",)
    renumbered = classify_text_change("见本协议第4.4条和本协议第4.6条", "见本协议第4.5条和本协议第4.7条",
                                      renumbering={"4.4": "4.5", "4.6": "4.7"})  # fmt: skip
    reason = "交叉引用随条款重新编号更新（本协议第4.4条 → 本协议第4.5条；本协议第4.6条 → 本协议第4.7条），所指条款不变"
    assert renumbered.editorial
    assert renumbered.reasons == (reason,)
    assert renumbered.explanation == f"编辑性修改：{reason}。"


# --- cross-references -------------------------------------------------------------------------------------


def test_retargeted_reference_after_an_unchanged_one_is_still_retargeted() -> None:
    # 第3条 kept its number; 第4.4条 kept its wording while clause 4.4 became 4.5: the second reference now names
    # another clause, whatever the first one does.
    text = "按本协议第3条和本协议第4.4条处理。"
    verdict = classify_text_change(text, text, renumbering={"4.4": "4.5"})
    assert verdict.material
    assert verdict.flags == (CROSS_REFERENCE_RETARGETED,)
    assert verdict.explanation == (
        "实质性变更：交叉引用本协议第4.4条的文字未变，但原来所指的条款已重新编号或不复存在，现在指向不同条款。"
    )
    assert verdict.references == (ValueChange("本协议第4.4条", "本协议第4.4条"),)


# --- contacts -----------------------------------------------------------------------------------------------


def test_one_changed_address_among_several_is_named_alone() -> None:
    verdict = classify_text_change("联系邮箱：legal@ksyun.com 或 privacy@ksyun.com。", "联系邮箱：legal@ksyun.com 或 dpo@ksyun.com。")
    assert verdict.flags == (TEXT_CHANGED,)
    assert verdict.reasons == ("联系方式（电子邮件或网址）变化：privacy@ksyun.com → dpo@ksyun.com",)


def test_added_and_removed_addresses_say_so() -> None:
    added = classify_text_change("联系邮箱：legal@ksyun.com。", "联系邮箱：legal@ksyun.com 或 dpo@ksyun.com。")
    assert added.reasons[0] == "联系方式（电子邮件或网址）变化：新增 dpo@ksyun.com"
    removed = classify_text_change("联系邮箱：legal@ksyun.com 或 dpo@ksyun.com。", "联系邮箱：legal@ksyun.com。")
    assert removed.reasons[0] == "联系方式（电子邮件或网址）变化：删除 dpo@ksyun.com"


def test_one_changed_address_in_a_long_list_is_named_alone() -> None:
    # A list of 218 addresses where every seventh is the same one: an address that occurs often is not noise
    # to be skipped when pairing, or the explanation would add a "legal@ksyun.com → legal@ksyun.com" change.
    old = ["legal@ksyun.com" if i % 7 == 0 else f"user{i}@ksyun.com" for i in range(218)]
    new = [*old]
    new[216] = "dpo@ksyun.com"
    verdict = classify_text_change("、".join(old), "、".join(new))
    assert verdict.reasons == ("联系方式（电子邮件或网址）变化：user216@ksyun.com → dpo@ksyun.com",)


# --- hard flags (decision record 0405) ----------------------------------------------------------------------


def test_added_clause_is_read_for_hard_flags() -> None:
    # An added clause has no old text; its duty word and its number are hard.
    assert hard_flags(("added",), None, "您应当在10日内付款。") == (NUMBER_CHANGED, DUTY_WORD_ADDED)


def test_removed_clause_is_read_for_hard_flags() -> None:
    assert hard_flags(("removed",), "您应当在10日内付款。", None) == (NUMBER_CHANGED, DUTY_WORD_REMOVED)


def test_hard_flags_without_texts_keep_only_hard_flags() -> None:
    assert hard_flags((TEXT_CHANGED, NEGATION_CHANGED, "tag:fees", "tag:account")) == (NEGATION_CHANGED, "tag:fees")


def test_hard_flag_reason_without_subject_has_no_trailing_separator() -> None:
    assert hard_flag_reason((NUMBER_CHANGED,)) == "数字、期限、金额或比例变化"
    assert hard_flag_reason((NUMBER_CHANGED, "tag:fees")) == "数字、期限、金额或比例变化；涉及费用与支付"



def test_reference_the_renumbering_does_not_touch_is_not_retargeted() -> None:
    # Only clause 4.4 moved: 第3条 names the same clause as before, and the unchanged text stays unchanged.
    text = "见本协议第3条。"
    assert retargeted_references(text, {"4.4": "4.5"}) == ()
    verdict = classify_text_change(text, text, renumbering={"4.4": "4.5"})
    assert verdict.editorial
    assert verdict.explanation == "文字未变。"


def test_reference_added_or_removed_says_none_on_the_missing_side() -> None:
    removed = classify_text_change("见本协议第4条", "见有关条款")
    assert removed.reasons[0] == "交叉引用变化：本协议第4条 → （无）"
    added = classify_text_change("见有关条款", "见本协议第4条")
    assert added.reasons[0] == "交叉引用变化：（无） → 本协议第4条"


# --- numbers ----------------------------------------------------------------------------------------------


def test_two_changed_numbers_in_one_sentence_pair_in_reading_order() -> None:
    verdict = classify_text_change("提前10天通知，并在30天内退款", "提前5天通知，并在15天内退款")
    assert verdict.numbers == (ValueChange("10天", "5天"), ValueChange("30天", "15天"))
    assert verdict.reasons == ("数字、期限、金额或比例变化：10天 → 5天；30天 → 15天",)


def test_unit_inserted_inside_a_period_pairs_the_period() -> None:
    # 30日 becomes 30个自然日: the insertion falls inside the old token.
    verdict = classify_text_change("提前30日通知", "提前30个自然日通知")
    assert verdict.flags == (NUMBER_CHANGED,)
    assert verdict.numbers == (ValueChange("30日", "30个自然日"),)


def test_words_inserted_next_to_an_unchanged_number_do_not_list_it() -> None:
    # 30日 itself is unchanged: a word written right after or right before it is not a change of the number.
    after = classify_text_change("提前30日通知，费用10元", "提前30日内通知，费用20元")
    assert after.numbers == (ValueChange("10元", "20元"),)
    assert after.reasons == ("数字、期限、金额或比例变化：10元 → 20元", "其他文字改动")
    before = classify_text_change("提前30日通知，费用10元", "提前约30日通知，费用20元")
    assert before.numbers == (ValueChange("10元", "20元"),)


def test_deleted_number_alone_is_only_a_number_change() -> None:
    verdict = classify_text_change("提前10个自然日书面通知", "提前书面通知")
    assert verdict.flags == (NUMBER_CHANGED,)
    assert verdict.explanation == "实质性变更：数字、期限、金额或比例变化：删除 10个自然日。"


def test_number_right_after_a_cross_reference_is_a_number() -> None:
    verdict = classify_text_change("按本协议第4.4条30日内处理", "按本协议第4.4条15日内处理")
    assert verdict.flags == (NUMBER_CHANGED,)
    assert verdict.numbers == (ValueChange("30日", "15日"),)


def test_number_right_before_a_cross_reference_is_a_number() -> None:
    verdict = classify_text_change("罚款10元本协议第5条另有约定的除外", "罚款20元本协议第5条另有约定的除外")
    assert verdict.flags == (NUMBER_CHANGED,)
    assert verdict.numbers == (ValueChange("10元", "20元"),)


# --- words ------------------------------------------------------------------------------------------------


def test_neutral_word_changed_alongside_a_number_is_other_wording() -> None:
    # 应用 → 相应 is neither a duty nor a negation word, but it is a change of wording the flags must name.
    verdict = classify_text_change("应用程序收费10元", "相应程序收费5元")
    assert verdict.flags == (NUMBER_CHANGED, TEXT_CHANGED)
    assert verdict.duty_words == () and verdict.negations == ()


def test_reference_to_a_removed_clause_cannot_be_followed_by_dropping_its_number() -> None:
    # Clause 4.4 no longer exists: no rewrite of 第4.4条 follows the renumbering, not even one without a number.
    verdict = classify_text_change("见本协议第4.4条", "见本协议第条", renumbering={"4.4": REMOVED_TARGET})
    assert verdict.material
    assert CROSS_REFERENCE_CHANGED in verdict.flags


def test_several_references_are_each_listed() -> None:
    retargeted = classify_text_change("按本协议第4.4条和本协议第4.6条处理", "按本协议第4.4条和本协议第4.6条处理",
                                      renumbering={"4.4": "4.5", "4.6": "4.7"})  # fmt: skip
    assert retargeted.reasons == (
        "交叉引用本协议第4.4条、本协议第4.6条的文字未变，但原来所指的条款已重新编号或不复存在，现在指向不同条款",
    )
    changed = classify_text_change("见本协议第1条和本协议第2条", "见本协议第5条和本协议第6条")
    assert changed.reasons == ("交叉引用变化：本协议第1条 → 本协议第5条；本协议第2条 → 本协议第6条",)


def test_changed_references_pair_in_reading_order_after_an_unchanged_one() -> None:
    verdict = classify_text_change("见本协议第1条、本协议第2条、本协议第3条", "见本协议第1条、本协议第5条、本协议第6条")
    assert verdict.references == (ValueChange("本协议第2条", "本协议第5条"), ValueChange("本协议第3条", "本协议第6条"))


def test_one_reference_replaced_by_two_lists_the_second_as_added() -> None:
    verdict = classify_text_change("见本协议第1条和本协议第9条", "见本协议第2条、本协议第3条和本协议第9条")
    assert verdict.references == (ValueChange("本协议第1条", "本协议第2条"), ValueChange("", "本协议第3条"))
    back = classify_text_change("见本协议第2条、本协议第3条和本协议第9条", "见本协议第1条和本协议第9条")
    assert back.references == (ValueChange("本协议第2条", "本协议第1条"), ValueChange("本协议第3条", ""))


def test_one_changed_reference_in_a_long_list_is_named_alone() -> None:
    # As for addresses: a reference that occurs often is not noise, or an unchanged one would be "retargeted".
    old = ["本协议第3条" if i % 7 == 0 else f"本协议第{i + 1000}条" for i in range(218)]
    new = [*old]
    new[216] = "本协议第999条"
    verdict = classify_text_change("、".join(old), "、".join(new))
    assert verdict.flags == (CROSS_REFERENCE_CHANGED,)
    assert verdict.references == (ValueChange("本协议第1216条", "本协议第999条"),)


def test_several_addresses_are_each_listed() -> None:
    verdict = classify_text_change("邮箱a@ksyun.com和b@ksyun.com", "邮箱c@ksyun.com和d@ksyun.com")
    assert verdict.reasons == ("联系方式（电子邮件或网址）变化：a@ksyun.com → c@ksyun.com；b@ksyun.com → d@ksyun.com",)


def test_reference_turned_into_a_statute_article_lists_its_number_as_added() -> None:
    # 第21条 of the agreement becomes article 21 of a law: its number is no longer masked as a reference.
    verdict = classify_text_change("依据本协议第21条处理", "依据《网络安全法》第21条处理")
    assert verdict.references == (ValueChange("本协议第21条", ""),)
    assert verdict.numbers == (ValueChange("", "21"),)
    assert "数字、期限、金额或比例变化：新增 21" in verdict.reasons


# --- duty and negation words ----------------------------------------------------------------------------


def test_several_duty_words_are_each_listed() -> None:
    added = classify_text_change("您应当付款", "您必须且须付款")
    assert added.reasons[:2] == ("新增义务或权利用语：“必须”（0 → 1 处）、“须”（0 → 1 处）", "删除义务或权利用语：“应当”（1 → 0 处）")
    removed = classify_text_change("您应当且必须付款", "您付款")
    assert removed.reasons[0] == "删除义务或权利用语：“应当”（1 → 0 处）、“必须”（1 → 0 处）"


def test_several_negations_are_each_listed() -> None:
    verdict = classify_text_change("金山云通知", "金山云不通知也未退款")
    assert verdict.reasons[0] == "否定词变化：“不”（0 → 1 处）、“未”（0 → 1 处）"


def test_a_second_negation_vanishing_is_counted() -> None:
    verdict = classify_text_change("未通知，也未退款", "未通知，也退款")
    assert verdict.flags == (NEGATION_CHANGED,)
    assert verdict.negations == (WordCount("未", 2, 1),)


# --- emphasis and punctuation ---------------------------------------------------------------------------


def test_emphasis_removed_while_the_words_change_is_still_an_emphasis_change() -> None:
    verdict = classify_text_change("**不承担责任**", "不承担任何责任")
    assert verdict.flags == (EMPHASIS_CHANGED, TEXT_CHANGED)


def test_emphasis_kept_in_place_is_not_an_emphasis_change() -> None:
    assert classify_text_change("**甲方**通知乙方", "**甲方**书面通知乙方").flags == (TEXT_CHANGED,)


def test_emphasis_moved_to_other_words_is_an_emphasis_change() -> None:
    verdict = classify_text_change("**甲方**通知乙方", "甲方**通知乙方**")
    assert verdict.flags == (EMPHASIS_CHANGED,)
    assert verdict.explanation == "实质性变更：加粗等提示标记变化：免除或限制责任的条款须以显著方式提示（民法典第四百九十六条）。"


def test_punctuation_change_is_explained() -> None:
    verdict = classify_text_change("甲，乙和丙", "甲、乙和丙")
    assert verdict.flags == (PUNCTUATION_CHANGED,)
    assert verdict.explanation == "实质性变更：标点符号变化（不只是全角/半角之别），可能改变句读和适用范围。"


# --- subjects ---------------------------------------------------------------------------------------------


def test_subjects_other_than_the_default_ones() -> None:
    assert subject_flags(("fees", "account"), ("account",)) == ("tag:account",)
    assert subject_reason(("fees", "account"), ("account",)) == "涉及账号与实名"
    assert subject_reason(("custom-subject",), ("custom-subject",)) == "涉及custom-subject"


def test_no_new_text_can_spell_the_mark_of_a_removed_clause() -> None:
    # The mark that stands for a removed target in the followed text must not be something a text can hold.
    for mark in ("\u0000已删除\u0000", "已删除", "\u200b"):
        verdict = classify_text_change("见本协议第4.4条", f"见本协议第{mark}条", renumbering={"4.4": REMOVED_TARGET})
        assert verdict.material, mark


# --- the verdicts remembered ------------------------------------------------------------------------------


def test_a_remembered_verdict_is_the_one_for_the_same_texts_and_the_same_renumbering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The verdict on two texts is remembered by both texts and what each old reference should read now: the
    same pair under another renumbering is judged afresh, and the memory keeps only the latest verdicts."""
    import kspub.materiality as materiality

    monkeypatch.setattr(materiality._VERDICTS, "bound", 2)
    old, new = "见本协议第4.4条，费用为10元", "见本协议第4.4条，费用为20元"
    plain = classify_text_change(old, new)
    assert plain is classify_text_change(old, new)  # remembered
    assert classify_text_change(old, new, renumbering={"9.9": "9.10"}) is plain  # no reference of it moved
    moved = classify_text_change(old, new, renumbering={"4.4": "4.5"})
    assert moved is not plain and CROSS_REFERENCE_RETARGETED in moved.flags
    assert CROSS_REFERENCE_RETARGETED not in plain.flags
    assert len(materiality._VERDICTS) == 2
    classify_text_change("费用为1元", "费用为2元")
    assert len(materiality._VERDICTS) == 2  # bounded: the oldest verdict let go
    assert classify_text_change(old, new) is not plain and classify_text_change(old, new) == plain
