"""Materiality, case by case where a plausible slip in the code would change what a legal editor is told: the
class, the flags, the values listed and the Chinese explanation (docs/decisions/0202-materiality.md)."""

from __future__ import annotations

from kspub.materiality import (
    CROSS_REFERENCE_CHANGED,
    CROSS_REFERENCE_RETARGETED,
    DUTY_WORD_ADDED,
    DUTY_WORD_REMOVED,
    NEGATION_CHANGED,
    NUMBER_CHANGED,
    TEXT_CHANGED,
    ValueChange,
    classify_text_change,
    hard_flag_reason,
    hard_flags,
    retargeted_references,
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


def test_negations_are_listed_in_to_dict() -> None:
    data = classify_text_change("金山云通知您", "金山云未通知您").to_dict()
    assert data["flags"] == [NEGATION_CHANGED]
    assert data["negations"] == [{"word": "未", "old": 0, "new": 1}]


def test_editorial_verdict_to_dict_says_editorial() -> None:
    data = classify_text_change("（1）甲方", "(1)甲方").to_dict()
    assert data["class"] == "editorial"
    assert data["explanation"] == "编辑性修改：仅空白、换行或全角/半角字符不同。"


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
