"""The one reader of Chinese numerals, display numbers and cross-references."""

from __future__ import annotations

import pytest

from kspub.chinese_text import canonical_key, chinese_numeral, internal_references, normalise, sibling_key


@pytest.mark.parametrize(
    ("text", "value"),
    [("七", 7), ("十", 10), ("十五", 15), ("三十", 30), ("一百零五", 105), ("一百八十", 180), ("两千", 2000), ("零", 0)],
)
def test_chinese_numerals_kspub_reads(text: str, value: int) -> None:
    assert chinese_numeral(text) == value


@pytest.mark.parametrize("text", ["", "二一", "三五", "十十", "十百", "零五", "一x"])
def test_what_is_not_a_chinese_numeral(text: str) -> None:
    assert chinese_numeral(text) is None


def test_sibling_keys_and_canonical_keys() -> None:
    assert sibling_key("十二、") == ("cn", 12)
    assert sibling_key("4.4") == ("dot:4.", 4)
    assert sibling_key("（三）") == ("cnparen", 3)
    assert sibling_key("9" * 5000 + ".") is None  # no int() of thousands of digits
    assert canonical_key("九") == "9" and canonical_key("4.4") == "4.4"


def test_references_leave_out_other_texts() -> None:
    text = normalise("依照《网络安全法》第21条、民法典第二条、本协议第4.4条、本声明第9.9条、第九条处理。")
    assert [r.display for r in internal_references(text)] == ["本协议第4.4条", "本声明第9.9条", "第九条"]
