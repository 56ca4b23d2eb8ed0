"""Personal-information changes found by what the text says, the PIPL article each engages, and consent plans.

Which clauses are about personal information is not only a matter of section IDs or tags: a new advertising
partner written in the Cookies section of a privacy policy is a new recipient and a new purpose wherever it is
written. :func:`detect` reads every changed clause sentence by sentence; a sentence about personal information
(it names 个人信息, 信息, 数据, Cookie … or a kind of personal information, or its clause carries the
``personal-information`` tag) that gains one of the terms of :data:`TERMS` is a personal-information change,
and the term says which article of the Personal Information Protection Law applies (docs/legal/consent.md,
decision record 0406). Terms are counted, so a second 第三方 added beside a first one is caught.

A consent-gated change needs a consent plan in the new version's front matter (``consent``, read by
:func:`load_plan`): how and where consent is collected and which clauses it covers. kspub cannot verify that
consent is collected; it checks that the plan exists, is for this version, covers the clause, and promises the
kind of consent the article requires (separate consent, a guardian's consent).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kspub.chinese_text import normalise
from kspub.errors import Diagnostic
from kspub.memo import memo
from kspub.model import Agreement, Meta

PERSONAL_INFORMATION_TAG = "personal-information"


@dataclass(frozen=True, slots=True)
class Article:
    """One article of the Personal Information Protection Law (个人信息保护法) and what it requires."""

    number: int
    name: str
    """How the report cites it: 个人信息保护法第二十三条."""
    requires: str
    """``consent`` (consent again), ``separate`` (separate consent, 单独同意), ``guardian`` (a parent's or
    guardian's consent), ``necessity`` (notice of necessity and impact), ``agreement`` (a contract with the
    processor, no consent)."""
    duty: str
    """Chinese: what the article requires, in one sentence."""


ARTICLES: Mapping[int, Article] = {
    14: Article(14, "个人信息保护法第十四条", "consent",
                "处理目的、处理方式和处理的个人信息种类发生变更的，应当重新取得个人同意"),
    21: Article(21, "个人信息保护法第二十一条", "agreement",
                "委托处理个人信息的，应当与受托人约定委托处理的目的、期限、处理方式、个人信息的种类、保护措施以及双方的"
                "权利和义务，并对受托人的个人信息处理活动进行监督（无需另行取得同意）"),
    23: Article(23, "个人信息保护法第二十三条", "separate",
                "向其他个人信息处理者提供个人信息的，应当告知接收方的名称或者姓名、联系方式、处理目的、处理方式和个人信息的"
                "种类，并取得个人的单独同意"),
    25: Article(25, "个人信息保护法第二十五条", "separate", "不得公开其处理的个人信息，取得个人单独同意的除外"),
    29: Article(29, "个人信息保护法第二十九条", "separate", "处理敏感个人信息应当取得个人的单独同意"),
    30: Article(30, "个人信息保护法第三十条", "necessity", "处理敏感个人信息的，应当告知处理的必要性以及对个人权益的影响"),
    31: Article(31, "个人信息保护法第三十一条", "guardian",
                "处理不满十四周岁未成年人个人信息的，应当取得未成年人的父母或者其他监护人的同意"),
    39: Article(39, "个人信息保护法第三十九条", "separate",
                "向境外提供个人信息的，应当告知境外接收方的名称、联系方式、处理目的、处理方式、个人信息的种类以及行使权利的"
                "方式和程序，并取得个人的单独同意"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Term:
    """A word whose appearance in a sentence about personal information engages the given articles."""

    word: str
    category: str
    articles: tuple[int, ...]


#: Chinese names of the categories, as the report lists what a clause gained.
CATEGORIES: Mapping[str, str] = {
    "kind": "新的个人信息种类",
    "sensitive": "敏感个人信息",
    "minor": "不满十四周岁未成年人的个人信息",
    "purpose": "新的处理目的或处理方式",
    "recipient": "新的接收方（向其他个人信息处理者提供）",
    "entrusted": "委托处理",
    "abroad": "向境外提供",
    "publication": "公开个人信息",
}

_CATEGORY_ARTICLES: Mapping[str, tuple[int, ...]] = {
    "kind": (14,),
    "sensitive": (14, 29, 30),
    "minor": (14, 29, 30, 31),
    "purpose": (14,),
    "recipient": (23,),
    "entrusted": (21,),
    "abroad": (39,),
    "publication": (25,),
}

_WORDS: Mapping[str, tuple[str, ...]] = {
    "kind": ("手机号码", "手机号", "电话号码", "姓名", "电子邮箱", "邮箱地址", "通讯录", "设备信息", "设备标识",
             "IMEI", "MAC地址", "IP地址", "浏览记录", "搜索记录", "交易记录", "订单信息", "收货地址", "住址",
             "账号信息", "登录信息", "发票信息", "录音", "照片"),
    "sensitive": ("身份证件", "身份证", "证件号码", "护照", "银行卡", "银行账户", "金融账户", "支付账户", "生物识别",
                  "人脸", "面部", "指纹", "声纹", "虹膜", "行踪轨迹", "精确定位", "位置信息", "医疗", "健康", "病历",
                  "宗教信仰", "特定身份"),
    "minor": ("未满十四周岁", "不满十四周岁", "十四周岁以下", "未满14周岁", "不满14周岁", "14周岁以下", "儿童"),
    "purpose": ("用于", "目的", "营销", "推广", "广告", "个性化推荐", "个性化展示", "画像", "定向推送",
                "自动化决策", "模型训练"),
    "recipient": ("提供给", "共享", "分享", "转让", "出售", "交易", "对外提供", "披露给", "合作伙伴", "第三方",
                  "关联公司", "关联方", "广告商", "广告主"),
    "entrusted": ("委托", "受托"),
    "abroad": ("境外", "出境", "跨境", "海外", "国外"),
    "publication": ("公开披露", "公开"),
}  # fmt: skip

#: The table of terms → articles (docs/legal/consent.md prints it).
TERMS: tuple[Term, ...] = tuple(
    Term(word, category, _CATEGORY_ARTICLES[category]) for category, words in _WORDS.items() for word in words
)
_BY_WORD = {t.word: t for t in TERMS}
# Longest first, so 公开披露 is one term and not 公开, and 身份证件 is not 身份证.
_TERM_RE = re.compile("|".join(re.escape(w) for w in sorted(_BY_WORD, key=lambda w: (-len(w), w))))

#: Words that make a sentence one about personal information (with every kind term of :data:`TERMS`).
CONTEXT_WORDS: tuple[str, ...] = ("个人信息", "信息", "数据", "Cookie", "cookie", "COOKIE", "同类技术", "SDK")
_CONTEXT = tuple(dict.fromkeys((*CONTEXT_WORDS, *(t.word for t in TERMS if t.category in ("kind", "sensitive",
                                                                                            "minor")))))  # fmt: skip
_SENTENCE_END = re.compile(r"[。；;！？!?\n]")

#: Articles whose consent must be separate consent (单独同意).
SEPARATE_CONSENT_ARTICLES = frozenset(a.number for a in ARTICLES.values() if a.requires == "separate")
#: Articles that make a change consent-gated (Art. 21 needs an agreement with the processor, Art. 30 a notice).
CONSENT_ARTICLES = frozenset(a.number for a in ARTICLES.values() if a.requires in ("consent", "separate", "guardian"))


#: A sentence saying a thing will not be done does not engage an article; taking the negation away does.
NEGATIONS: tuple[str, ...] = ("不会", "不得", "不向", "不将", "不予", "不对外", "不进行", "不收集", "不共享", "不提供",
                              "不公开", "不出售", "不转让", "绝不", "禁止", "无意")  # fmt: skip


@memo(maxsize=1024)  # an agreement's comparisons read the same clauses again
def _sentences(text: str) -> tuple[str, ...]:
    # NFKC first: a compatibility ideograph (⽅ U+2F45) must not hide 第三方 from the table
    return tuple(s for s in _SENTENCE_END.split(normalise(unicodedata.normalize("NFKC", text))) if s)


def _about(text: str, tagged: bool) -> bool:
    """A clause is about personal information when tagged so or when any sentence of it mentions it: a later
    sentence (我们会将其分享给广告商) refers back to an earlier one."""
    return tagged or any(w in sentence for sentence in _sentences(text) for w in _CONTEXT)


def term_counts(text: str, *, about_personal_information: bool = False) -> Counter[str]:
    """How often each term occurs, affirmatively (not in a sentence that negates it), in ``text``'s sentences
    about personal information (every sentence when the clause is about it, see :func:`_about`)."""
    counts: Counter[str] = Counter()
    about = _about(text, about_personal_information)
    for sentence in _sentences(text):
        if (about or any(w in sentence for w in _CONTEXT)) and not any(n in sentence for n in NEGATIONS):
            counts.update(m.group(0) for m in _TERM_RE.finditer(sentence))
    return counts


#: The categories whose terms a new or reworded sentence gains even when no count of them rises.
_REWORDED = ("recipient", "abroad", "publication", "sensitive", "minor")


def _new_sentence_terms(old: str, new: str, tagged: bool) -> set[str]:
    """Terms of :data:`_REWORDED` categories in affirmative personal-information sentences that are new or
    reworded (a recipient replaced by another keeps every count the same: 合作伙伴（金山办公） → 合作伙伴（某数据经纪公司）)."""
    def words(sentence: str) -> str:  # punctuation and spacing do not make a sentence new
        return re.sub(r"[\W_]", "", sentence)

    before = {words(s) for s in _sentences(old)}
    about = _about(new, tagged)
    out: set[str] = set()
    for sentence in _sentences(new):
        if words(sentence) in before or any(n in sentence for n in NEGATIONS):
            continue
        if about or any(w in sentence for w in _CONTEXT):
            out.update(m.group(0) for m in _TERM_RE.finditer(sentence) if _BY_WORD[m.group(0)].category in _REWORDED)
    return out


@dataclass(frozen=True, slots=True)
class ConsentFlag:
    """A changed clause that gained personal-information terms, and the articles they engage."""

    clause: str
    ids: tuple[str, ...]
    """Every ID the change covers on the new side (a consent plan may name any of them)."""
    number: str
    line: int | None
    terms: tuple[Term, ...]

    @property
    def articles(self) -> tuple[int, ...]:
        return tuple(sorted({a for t in self.terms for a in t.articles}))

    @property
    def needs_consent(self) -> bool:
        return bool(CONSENT_ARTICLES & set(self.articles))

    @property
    def separate(self) -> bool:
        return bool(SEPARATE_CONSENT_ARTICLES & set(self.articles))

    @property
    def guardian(self) -> bool:
        return 31 in self.articles

    def what(self) -> str:
        """Chinese: what the clause gained, by category (``新的接收方（…）：“合作伙伴”``)."""
        by_category: dict[str, list[str]] = {}
        for t in self.terms:
            by_category.setdefault(t.category, []).append(f"“{t.word}”")
        return "；".join(f"{CATEGORIES[c]}：{'、'.join(words)}" for c, words in by_category.items())

    def citations(self) -> str:
        """Chinese: each article with what it requires."""
        return "；".join(f"依{ARTICLES[n].name}，{ARTICLES[n].duty}" for n in self.articles)

    def to_dict(self) -> dict[str, Any]:
        return {"clause": self.clause, "number": self.number, "line": self.line,
                "terms": [{"word": t.word, "category": t.category} for t in self.terms],
                "articles": list(self.articles), "consent": self.needs_consent, "separate": self.separate,
                "guardian": self.guardian}  # fmt: skip


def detect(changes: Iterable[Any]) -> list[ConsentFlag]:
    """The changed clauses (:class:`kspub.diff.Change`) that gained personal-information terms (whatever their class: an approved
    downgrade does not make a new recipient consent-free)."""
    out: list[ConsentFlag] = []
    for change in changes:
        if change.kind in ("removed", "retired", "meta") or not change.new_text:
            continue
        tagged = PERSONAL_INFORMATION_TAG in change.tags
        before = term_counts(change.old_text or "", about_personal_information=tagged)
        after = term_counts(change.new_text, about_personal_information=tagged)
        words = {w for w in after if after[w] > before[w]}
        if change.old_text:
            words |= _new_sentence_terms(change.old_text, change.new_text, tagged)
        gained = [_BY_WORD[w] for w in sorted(words, key=lambda w: list(_BY_WORD).index(w))]
        if gained:
            out.append(ConsentFlag(change.clause, tuple(change.new_ids) or (change.clause,), change.new_number or "",
                                   change.new_line or change.line, tuple(gained)))  # fmt: skip
    return out


# --------------------------------------------------------------------------------------------------------
# The consent plan (front matter ``consent``)

#: How consent is collected; ``none`` records a person's finding that no consent is needed (with approver).
METHODS: Mapping[str, str] = {
    "popup": "弹窗",
    "checkbox": "勾选框",
    "settings": "设置页开关",
    "form": "单独的书面或电子表单",
    "guardian": "监护人同意流程",
    "none": "无需取得同意",
}
_PLAN_KEYS = frozenset({"version", "method", "separate", "guardian", "where", "clauses", "reason", "approved_by"})
#: A consent plan that cannot be read.
INVALID_PLAN = "KS141"


@dataclass(frozen=True, slots=True)
class ConsentPlan:
    """How the consent a version's changes need is collected, as the editor wrote it."""

    version: str
    method: str
    clauses: tuple[str, ...]
    separate: bool = False
    guardian: bool = False
    where: str = ""
    reason: str = ""
    approved_by: str = ""

    def describe(self) -> str:
        """Chinese, one sentence: the plan as the report states it."""
        if self.method == "none":
            return f"经 {self.approved_by} 认定无需取得同意，理由：“{self.reason}”"
        kinds = [k for k, on in (("单独同意", self.separate), ("监护人同意", self.guardian)) if on]
        kind = f"（{'、'.join(kinds)}）" if kinds else ""
        where = f"，{self.where}" if self.where else ""
        return f"以{METHODS.get(self.method, self.method)}取得同意{kind}{where}"

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "method": self.method, "clauses": list(self.clauses),
                "separate": self.separate, "guardian": self.guardian, "where": self.where, "reason": self.reason,
                "approved_by": self.approved_by}  # fmt: skip


def load_plan(meta: Meta, path: str, ids: Iterable[str] | None = None) -> tuple[ConsentPlan | None, list[Diagnostic]]:
    """The ``consent`` front matter as a plan, or None when there is none or it cannot be read; every problem
    is a KS141 diagnostic at the ``consent`` line. ``ids``: the agreement's clause IDs, to check ``clauses``."""
    raw: Mapping[str, Any] = meta.consent or {}
    if not raw:
        return None, []
    line = meta.field_lines.get("consent")
    problems: list[str] = []
    for key in raw:
        if key not in _PLAN_KEYS:
            problems.append(f"consent 中有未知字段 “{key}”：可用 {', '.join(sorted(_PLAN_KEYS))}")
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append("consent 须写 version（本同意安排所属的版本号，加引号，例如 version: \"2.0\"）")
    method = raw.get("method")
    if method not in METHODS:
        problems.append(f"consent.method 应为 {', '.join(METHODS)} 之一")
    clauses = raw.get("clauses")
    if not isinstance(clauses, list) or not clauses or not all(isinstance(c, str) for c in clauses):
        problems.append("consent.clauses 应为须取得同意的条款 ID 列表，例如 clauses: [cookies]")
    elif ids is not None:
        known = set(ids)
        problems.extend(f"consent.clauses 中的条款 ID “{c}” 不存在" for c in clauses if c not in known)
    flags = {}
    for key in ("separate", "guardian"):
        value = raw.get(key, False)
        if not isinstance(value, bool):
            problems.append(f"consent.{key} 只能是 true 或 false")  # a plan with a problem is not made
        flags[key] = value
    texts = {}
    for key in ("where", "reason", "approved_by"):
        value = raw.get(key, "")
        if not isinstance(value, str):
            problems.append(f"consent.{key} 应为一段文字")
            value = ""
        texts[key] = value.strip()
    if method == "none" and not (texts["reason"] and texts["approved_by"]):
        problems.append("consent.method 为 none（无需取得同意）时，须写 reason（理由）和 approved_by（批准人）")
    if method not in (None, "none") and not texts["where"]:
        problems.append("consent 须写 where：在哪里、以什么方式取得同意（例如 控制台登录后弹窗，逐项勾选）")
    if problems:
        return None, [Diagnostic(INVALID_PLAN, f"同意安排（consent）写法有误：{p}；见 docs/source-format.md。", path, line)
                      for p in problems]  # fmt: skip
    # read and checked above: no problem means a version, a method and a list of clause IDs
    return ConsentPlan(raw["version"].strip(), raw["method"], tuple(raw["clauses"]), flags["separate"], flags["guardian"], texts["where"],
                       texts["reason"], texts["approved_by"]), []  # fmt: skip


def lint_consent(a: Agreement) -> list[Diagnostic]:
    """Lint rule: the consent plan reads, and every clause it names exists."""
    return load_plan(a.meta, a.path, {n.id for n in a.nodes})[1]


def plan_problem(flag: ConsentFlag, plan: ConsentPlan | None, version: str) -> str | None:
    """Why ``plan`` does not answer ``flag`` (Chinese), or None when it does."""
    if plan is None:
        return "头信息中没有同意安排（consent）"
    if plan.version != version:
        return f"头信息中的同意安排属于版本 {plan.version}，不是本版本 {version}（旧安排不适用于新的变更）"
    if not set(flag.ids) & set(plan.clauses):
        return f"同意安排的 clauses 没有列出 {flag.clause}"
    if plan.method == "none":
        return None
    if flag.separate and not plan.separate:
        return "须取得单独同意（单独同意），但同意安排没有写 separate: true"
    if flag.guardian and not plan.guardian:
        return "涉及不满十四周岁未成年人的个人信息，须取得监护人同意，但同意安排没有写 guardian: true"
    return None


def example_plan(version: str, flags: Sequence[ConsentFlag]) -> str:
    """The one-line ``consent`` an editor could start from for these flags."""
    ids = ", ".join(dict.fromkeys(f.clause for f in flags))
    extra = (", separate: true" if any(f.separate for f in flags) else "") + (
        ", guardian: true" if any(f.guardian for f in flags) else "")
    return f'consent: {{version: "{version}", method: popup{extra}, where: 取得同意的位置和方式, clauses: [{ids}]}}'
