"""The statutes kspub knows: one table of the articles notice rules may cite, and what each requires.

A notice rule cites a statute in ``basis`` (``个人信息保护法第十四条``) and lint accepts only the articles listed
here (KS133), so a typo or an article nobody has read cannot become the basis of a rule. An article that sets a
period the agreement cannot shorten carries it as ``floor`` (E-Commerce Law Art. 34: at least seven days); an
article that imposes actions of its own lists them as ``duties``. The texts and readings are in
docs/legal/statutes.md and docs/legal/notice.md; the decision record is docs/decisions/0404-rule-text-binding.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kspub.chinese_text import chinese_numeral


@dataclass(frozen=True, slots=True)
class Article:
    """One article of a statute, as kspub cites and applies it."""

    law: str
    """The statute's short name as agreements cite it: 民法典, 电子商务法, 个人信息保护法, 消费者权益保护法."""
    number: int
    subject: str
    """What the article is about, in Chinese, one line."""
    floor: str | None = None
    """A period the article sets as a minimum (``7日``): a rule citing it cannot be shorter."""
    duties: tuple[str, ...] = ()
    """Actions the article requires of its own, in Chinese, as the report lists them."""

    @property
    def citation(self) -> str:
        return f"{self.law}第{chinese_article(self.number)}条"


#: The full names the short names stand for (with 中华人民共和国 and the book-title marks dropped).
LAWS: Mapping[str, str] = {
    "民法典": "中华人民共和国民法典",
    "电子商务法": "中华人民共和国电子商务法",
    "个人信息保护法": "中华人民共和国个人信息保护法",
    "消费者权益保护法": "中华人民共和国消费者权益保护法",
}

_ARTICLES: tuple[Article, ...] = (
    Article("民法典", 137, "以对话或非对话方式作出的意思表示何时生效；数据电文进入指定系统时生效"),
    Article("民法典", 139, "以公告方式作出的意思表示，公告发布时生效"),
    Article("民法典", 200, "期间按照公历年、月、日、小时计算"),
    Article("民法典", 201, "按年、月、日计算期间的，开始的当日不计入"),
    Article("民法典", 202, "按年、月计算期间的，到期月的对应日为期间的最后一日"),
    Article("民法典", 203, "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日"),
    Article("民法典", 204, "期间的计算方法依照本法，但法律另有规定或者当事人另有约定的除外"),
    Article("民法典", 496, "格式条款中免除或者减轻提供方责任等与对方有重大利害关系的条款，须以显著方式提示"),
    Article("民法典", 1259, "“以上”“以下”“以内”“届满”包括本数"),
    Article(
        "电子商务法",
        34,
        "平台经营者修改平台服务协议和交易规则",
        floor="7日",
        duties=(
            "在首页显著位置公开征求意见，采取合理措施确保有关各方能够及时充分表达意见",
            "修改内容至少在实施前七日予以公示",
            "平台内经营者不接受修改内容、要求退出平台的，不得阻止，并按照修改前的服务协议和交易规则承担相关责任",
        ),
    ),
    Article("电子商务法", 81, "违反第三十四条等规定的处罚"),
    Article("个人信息保护法", 14, "处理目的、处理方式和个人信息种类变更的，应当重新取得个人同意"),
    Article("个人信息保护法", 17, "告知事项发生变更的，应当将变更部分告知个人"),
    Article("个人信息保护法", 21, "委托处理个人信息，应当与受托人约定处理事项"),
    Article("个人信息保护法", 22, "因合并、分立等转移个人信息，接收方变更处理目的、方式的应当重新取得同意"),
    Article("个人信息保护法", 23, "向其他个人信息处理者提供个人信息，应当告知接收方信息并取得单独同意"),
    Article("个人信息保护法", 25, "公开其处理的个人信息，应当取得单独同意"),
    Article("个人信息保护法", 28, "敏感个人信息的范围"),
    Article("个人信息保护法", 29, "处理敏感个人信息应当取得单独同意"),
    Article("个人信息保护法", 30, "处理敏感个人信息应当告知必要性以及对个人权益的影响"),
    Article("个人信息保护法", 31, "处理不满十四周岁未成年人个人信息，应当取得父母或者其他监护人的同意"),
    Article("个人信息保护法", 39, "向境外提供个人信息，应当告知境外接收方等事项并取得单独同意"),
    Article("消费者权益保护法", 26, "格式条款中与消费者有重大利害关系的内容，应当以显著方式提请消费者注意"),
)

ARTICLES: Mapping[tuple[str, int], Article] = {(a.law, a.number): a for a in _ARTICLES}

_DIGITS = "零一二三四五六七八九"


def chinese_article(number: int) -> str:
    """An article number as statutes print it: 34 → 三十四, 139 → 一百三十九, 1259 → 一千二百五十九."""
    if number <= 0:
        return str(number)
    units = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
    out = ""
    rest = number
    for value, name in units:
        digit, rest = divmod(rest, value)
        if digit:
            out += _DIGITS[digit] + name
        elif out and rest and not out.endswith("零"):  # one 零 for the zeros between two digits: 一千零五
            out += "零"
    if 10 <= number < 20:
        out = out[1:]  # 十四, not 一十四
    return out


_LAW_NAME = "|".join(sorted(LAWS, key=len, reverse=True))
_CITATION = re.compile(
    rf"(?:《?(?:中华人民共和国)?(?P<law>{_LAW_NAME})》?)?第(?P<number>[零〇一二两三四五六七八九十百千\d]+)条"
)


@dataclass(frozen=True, slots=True)
class Citation:
    """One article cited in a ``basis`` text; ``article`` is None when the table does not know it."""

    text: str
    law: str | None
    number: int | None
    article: Article | None


def cited_articles(text: str) -> list[Citation]:
    """Every article ``text`` cites, the law carried forward over a list (``个人信息保护法第二十二条、第二十三条``).

    A ``第…条`` with no law before it in the same text is a citation of nothing kspub knows (law None)."""
    out: list[Citation] = []
    law: str | None = None
    for match in _CITATION.finditer(text):
        if match.group("law"):
            law = match.group("law")
        raw = match.group("number")
        number = int(raw) if raw.isdigit() else chinese_numeral(raw)
        article = ARTICLES.get((law, number)) if law is not None and number is not None else None
        out.append(Citation(match.group(0), law, number, article))
    return out


def mentions_own_clause(text: str) -> bool:
    """True when ``text`` cites a clause of the agreement by its printed number (本协议第4.4条): such a basis
    goes stale on a renumbering, and the rule must cite the clause by ID instead."""
    return re.search(r"本(?:协议|政策|说明|责任书|规则|条款)(?:第|（|\()", text) is not None
