"""Text-level materiality: editorial only when provably harmless; every material change explained."""

from __future__ import annotations

import pytest

from kspub.chinese_text import fold_width, normalise, reference_key
from kspub.materiality import (
    CROSS_REFERENCE_CHANGED,
    CROSS_REFERENCE_RENUMBERED,
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
    retargeted_references,
    subject_flags,
    subject_reason,
    subject_tags,
)

# --- editorial --------------------------------------------------------------------------------------------


def test_unchanged_text_is_editorial_without_flags() -> None:
    verdict = classify_text_change("本协议是有效契约。", "本协议是有效契约。")
    assert verdict.editorial and verdict.flags == ()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("（1）反对宪法所确定的基本原则的；", "(1)反对宪法所确定的基本原则的;"),
        ("您应当，遵守：本协议", "您应当,遵守:本协议"),
        ("客服电话（４００-１０７０-８０８）", "客服电话(400-1070-808)"),
        ("金山云将提前10个自然日\n通知您", "金山云将提前10个 自然日通知您"),
        ("金山云　网络", "金山云网络"),  # ideographic space
        ("金山\u200b云", "金山云"),  # zero-width space: a line-break hint
        ("See  the\nSLA", "See the SLA"),
    ],
)
def test_whitespace_and_width_only_changes_are_editorial(old: str, new: str) -> None:
    verdict = classify_text_change(old, new)
    assert verdict.editorial, verdict.explanation
    assert verdict.flags == (WHITESPACE_OR_WIDTH,)
    assert "全角/半角" in verdict.explanation


def test_space_between_digits_is_not_whitespace_only() -> None:
    # "1 0天" and "10天" are different numbers: whitespace between ASCII digits or letters counts.
    assert classify_text_change("提前1 0天", "提前10天").material
    assert classify_text_change("no tice", "notice").material


def test_compatibility_forms_beyond_width_are_material() -> None:
    # NFKC would fold ² into 2 (10² → 102); only width forms are folded.
    assert classify_text_change("罚款10²元", "罚款102元").material
    assert classify_text_change("①", "1").material


def test_cross_reference_following_renumbering_is_editorial() -> None:
    verdict = classify_text_change(
        "具体请参阅本隐私政策第6.10节以及本政策中的6.7条。",
        "具体请参阅本隐私政策第6.11节以及本政策中的6.8条。",
        renumbering={"6.10": "6.11", "6.7": "6.8"},
    )
    assert verdict.editorial
    assert verdict.flags == (CROSS_REFERENCE_RENUMBERED,)
    assert "本隐私政策第6.10节 → 本隐私政策第6.11节" in verdict.explanation
    assert ValueChange("本政策中的6.7条", "本政策中的6.8条") in verdict.references


def test_renumbering_is_applied_simultaneously_not_chained() -> None:
    mapping = {"4.4": "4.5", "4.5": "4.6"}
    assert classify_text_change("见本协议第4.4条和第4.5条", "见本协议第4.5条和第4.6条", renumbering=mapping).editorial
    assert classify_text_change("见本协议第4.4条", "见本协议第4.6条", renumbering=mapping).material


# --- material ---------------------------------------------------------------------------------------------


def test_changed_period_is_material_and_explained() -> None:
    verdict = classify_text_change("金山云将提前10个自然日通知您", "金山云将提前5个自然日通知您")
    assert verdict.material
    assert verdict.flags == (NUMBER_CHANGED,)
    assert "10个自然日 → 5个自然日" in verdict.explanation
    assert verdict.numbers == (ValueChange("10个自然日", "5个自然日"),)


@pytest.mark.parametrize(
    ("old", "new", "pair"),
    [
        ("可用性99.95%", "可用性99.9%", "99.95% → 99.9%"),
        ("变更通告后30天内", "变更通告后15天内", "30天 → 15天"),
        ("电话400-1070-808", "电话400-1070-809", "400-1070-808 → 400-1070-809"),
        ("费用¥100", "费用¥200", "¥100 → ¥200"),
        ("不迟于十五日通知", "不迟于三十日通知", "十五日 → 三十日"),
        ("15个工作日内予以回复", "15日内予以回复", "15个工作日 → 15日"),
        ("存储期限为一个月", "存储期限为三个月", "一个月 → 三个月"),
        ("不满14周岁", "不满16周岁", "14周岁 → 16周岁"),
    ],
)
def test_numbers_with_units_are_explained(old: str, new: str, pair: str) -> None:
    verdict = classify_text_change(old, new)
    assert verdict.material and NUMBER_CHANGED in verdict.flags
    assert pair in verdict.explanation


def test_changed_number_pairs_with_the_number_that_replaced_it() -> None:
    # Both texts hold one 15个工作日; the redline, not counting, says which one changed.
    verdict = classify_text_change("身份后15个工作日内回复（通常为15个工作日）", "身份后30个工作日内回复（通常为15个工作日）")
    assert verdict.numbers == (ValueChange("15个工作日", "30个工作日"),)
    assert "15个工作日 → 30个工作日" in verdict.explanation


def test_swapped_numbers_are_material() -> None:
    verdict = classify_text_change("先10天后30天", "先30天后10天")
    assert verdict.material and NUMBER_CHANGED in verdict.flags


def test_added_right_is_material() -> None:
    verdict = classify_text_change("金山云可暂停服务", "金山云有权暂停服务")
    assert verdict.material
    assert DUTY_WORD_ADDED in verdict.flags and DUTY_WORD_REMOVED in verdict.flags
    assert "“有权”（0 → 1 处）" in verdict.explanation
    assert WordCount("有权", 0, 1) in verdict.duty_words


def test_deleted_obligation_is_material() -> None:
    verdict = classify_text_change("您应当妥善保管账户", "您妥善保管账户")
    assert verdict.material
    assert verdict.flags == (DUTY_WORD_REMOVED,)
    assert "删除义务或权利用语：“应当”（1 → 0 处）" in verdict.explanation


def test_second_prohibition_vanishing_is_caught_even_if_one_remains() -> None:
    verdict = classify_text_change("不得买卖，不得转让", "不得买卖，可以转让")
    assert DUTY_WORD_REMOVED in verdict.flags
    assert WordCount("不得", 2, 1) in verdict.duty_words


def test_liability_exclusion_is_caught() -> None:
    verdict = classify_text_change("金山云承担相应责任", "金山云不承担任何责任")
    assert verdict.material
    assert {DUTY_WORD_ADDED, DUTY_WORD_REMOVED} <= set(verdict.flags)
    assert "不承担" in verdict.explanation


def test_negation_change_is_material() -> None:
    verdict = classify_text_change("金山云会通知您", "金山云不会通知您")
    assert verdict.flags[0] == NEGATION_CHANGED
    assert "否定词变化：“不”（0 → 1 处）" in verdict.explanation


def test_words_containing_duty_characters_are_not_duty_words() -> None:
    # 应用 is "application", not 应 "shall"; the change is still material, but not a duty-word change.
    verdict = classify_text_change("应用程序", "相应程序")
    assert verdict.material
    assert verdict.flags == (TEXT_CHANGED,)


def test_cross_reference_not_following_renumbering_is_material() -> None:
    verdict = classify_text_change("见本协议第4.4条", "见本协议第4.6条", renumbering={"4.4": "4.5"})
    assert verdict.material
    assert verdict.flags == (CROSS_REFERENCE_CHANGED,)
    assert "本协议第4.4条 → 本协议第4.6条" in verdict.explanation


def test_unchanged_cross_reference_to_a_renumbered_clause_is_retargeted() -> None:
    text = "如有异议，请按本协议第4.4条处理。"
    assert retargeted_references(text, {"4.4": "4.5"}) == ("本协议第4.4条",)
    verdict = classify_text_change(text, text, renumbering={"4.4": "4.5"})
    assert verdict.material
    assert verdict.flags == (CROSS_REFERENCE_RETARGETED,)
    assert "现在指向不同条款" in verdict.explanation
    removed = classify_text_change(text, text, renumbering={"4.4": REMOVED_TARGET})
    assert removed.flags == (CROSS_REFERENCE_RETARGETED,)


def test_references_to_other_laws_are_not_renumbered() -> None:
    verdict = classify_text_change("依据《网络安全法》第21条", "依据《网络安全法》第22条", renumbering={"21": "22"})
    assert verdict.material and NUMBER_CHANGED in verdict.flags


def test_removed_emphasis_is_material() -> None:
    verdict = classify_text_change("**因您未能保管好账户而导致的法律责任由您全部承担。**", "因您未能保管好账户而导致的法律责任由您全部承担。")
    assert verdict.material
    assert verdict.flags == (EMPHASIS_CHANGED,)
    assert "民法典第四百九十六条" in verdict.explanation


def test_punctuation_change_beyond_width_is_material() -> None:
    verdict = classify_text_change("甲，乙和丙", "甲、乙和丙")
    assert verdict.material
    assert verdict.flags == (PUNCTUATION_CHANGED,)


def test_other_wording_is_material_with_text_changed() -> None:
    verdict = classify_text_change("包括但不限于邮件通知", "包括邮件通知")
    assert verdict.material
    assert NEGATION_CHANGED in verdict.flags and TEXT_CHANGED in verdict.flags
    assert verdict.explanation.startswith("实质性变更：")


def test_reordered_text_without_other_signal_is_still_material() -> None:
    verdict = classify_text_change("A10B", "AB10")
    assert verdict.material and verdict.flags


def test_verdict_to_dict() -> None:
    data = classify_text_change("提前10天", "提前5天").to_dict()
    assert data["class"] == "material"
    assert data["flags"] == ["number-changed"]
    assert data["numbers"] == [{"old": "10天", "new": "5天"}]


# --- helpers ----------------------------------------------------------------------------------------------


def test_normalise_and_fold() -> None:
    assert fold_width("（１）ＡＢ，") == "(1)AB,"
    assert normalise("金山云 网络\n技术 A  B") == "金山云网络技术A B"
    assert reference_key("4.4.") == "4.4"
    assert reference_key("（1）") == "1"
    assert reference_key("一、") == "一"


def test_subject_tags() -> None:
    tags = ("consent", "personal-information", "fees")
    assert subject_tags(tags) == ("fees", "personal-information")
    assert subject_flags(tags) == ("tag:fees", "tag:personal-information")
    assert subject_reason(tags) == "涉及费用与支付、个人信息"
    assert subject_reason(("account",)) == ""


def test_a_statute_article_is_not_renumbered_with_the_agreements_own_sections() -> None:
    # Section 二 of the agreement became 三; 民法典第二条 is the Civil Code's article, not that section.
    verdict = classify_text_change("依照民法典第二条处理。", "依照民法典第三条处理。", renumbering={"二": "三"})
    assert verdict.material
    # while the agreement's own reference following the renumbering stays editorial
    assert classify_text_change("依照本协议第二条处理。", "依照本协议第三条处理。", renumbering={"二": "三"}).editorial


@pytest.mark.parametrize(
    ("old", "new", "said", "not_said"),
    [
        # an address is one thing: never "punctuation" because of its dots, never "numbers" because of its digits
        ("联系邮箱：legal@ksyun.com。", "联系邮箱：privacy@kingsoft.com。",
         "联系方式（电子邮件或网址）变化：legal@ksyun.com → privacy@kingsoft.com", "标点"),
        ("联系邮箱：legal@ksyun.com。", "联系邮箱：legal@ksyun.com.cn。", "legal@ksyun.com → legal@ksyun.com.cn", "标点"),
        ("详见 https://www.ksyun.com/doc/1 。", "详见 https://www.ksyun.com/doc/2 。",
         "https://www.ksyun.com/doc/1 → https://www.ksyun.com/doc/2", "数字"),
        # a number that appears or disappears says so in words, not "（无） → 39"
        ("地址：北京市海淀区小营西路。", "地址：北京市海淀区小营西路39号。", "新增 39", "（无）"),
        ("退款在30日内完成。", "退款尽快完成。", "删除 30日", "（无）"),
    ],
)  # fmt: skip
def test_explanations_name_what_a_reader_sees(old: str, new: str, said: str, not_said: str) -> None:
    verdict = classify_text_change(old, new)
    assert not verdict.editorial
    assert said in verdict.explanation and not_said not in verdict.explanation, verdict.explanation
