"""What the gate says about a personal-information change and its consent plan, word for word (kspub.law.consent;
docs/legal/consent.md, decision record 0406): the report's lines are what the editor acts on."""

from __future__ import annotations

import pytest

from kspub.law.consent import (
    ConsentFlag,
    ConsentPlan,
    Term,
    detect,
    example_plan,
    lint_consent,
    load_plan,
    plan_problem,
)
from kspub.model import Agreement
from kspub.parse import parse_agreement

TERMS = {"合作伙伴": ("recipient", (23,)), "广告": ("purpose", (14,)), "儿童": ("minor", (14, 29, 30, 31)),
         "手机号码": ("kind", (14,)), "委托": ("entrusted", (21,))}  # fmt: skip


def flag(clause: str, *words: str, ids: tuple[str, ...] = ()) -> ConsentFlag:
    terms = tuple(Term(w, *TERMS[w]) for w in words)
    return ConsentFlag(clause, ids or (clause,), "9.3", 12, terms)


class _Change:
    def __init__(self, clause: str, old: str, new: str) -> None:
        self.clause, self.kind, self.old_text, self.new_text = clause, "modified", old, new
        self.new_ids, self.new_number, self.new_line, self.line, self.tags = (clause,), "1.1", 3, 3, ()


def test_what_a_clause_gained_is_listed_by_category_in_the_report() -> None:
    gained = flag("cookie-use", "合作伙伴", "广告", "手机号码")
    assert gained.what() == "新的接收方（向其他个人信息处理者提供）：“合作伙伴”；新的处理目的或处理方式：“广告”；新的个人信息种类：“手机号码”"
    assert gained.citations() == (
        "依个人信息保护法第十四条，处理目的、处理方式和处理的个人信息种类发生变更的，应当重新取得个人同意；"
        "依个人信息保护法第二十三条，向其他个人信息处理者提供个人信息的，应当告知接收方的名称或者姓名、联系方式、"
        "处理目的、处理方式和个人信息的种类，并取得个人的单独同意"
    )


def test_the_example_plan_asks_for_what_the_flags_need() -> None:
    assert example_plan("2.0", [flag("a", "广告"), flag("b", "广告"), flag("a", "手机号码")]) == (
        'consent: {version: "2.0", method: popup, where: 取得同意的位置和方式, clauses: [a, b]}'
    )
    assert example_plan("2.0", [flag("a", "合作伙伴")]) == (
        'consent: {version: "2.0", method: popup, separate: true, where: 取得同意的位置和方式, clauses: [a]}'
    )
    assert example_plan("3.1", [flag("kids", "儿童"), flag("ads", "广告")]) == (
        'consent: {version: "3.1", method: popup, separate: true, guardian: true, where: 取得同意的位置和方式, '
        "clauses: [kids, ads]}"
    )


def test_a_plan_is_stated_as_the_report_prints_it() -> None:
    popup = ConsentPlan("2.0", "popup", ("a",), separate=True, guardian=True, where="首次登录时单独弹窗")
    assert popup.describe() == "以弹窗取得同意（单独同意、监护人同意），首次登录时单独弹窗"
    assert ConsentPlan("2.0", "checkbox", ("a",), guardian=True).describe() == "以勾选框取得同意（监护人同意）"
    assert ConsentPlan("2.0", "settings", ("a",)).describe() == "以设置页开关取得同意"
    assert ConsentPlan("2.0", "carrier-pigeon", ("a",)).describe() == "以carrier-pigeon取得同意"
    none = ConsentPlan("2.0", "none", ("a",), reason="只接收匿名统计", approved_by="数据保护官")
    assert none.describe() == "经 数据保护官 认定无需取得同意，理由：“只接收匿名统计”"


def test_why_a_plan_does_not_answer_a_flag() -> None:
    partner, child, ads = flag("a", "合作伙伴"), flag("a", "儿童"), flag("a", "广告", ids=("a", "a-1"))
    plan = ConsentPlan("2.0", "popup", ("a",), where="弹窗")
    assert plan_problem(ads, None, "2.0") == "头信息中没有同意安排（consent）"
    assert plan_problem(ads, plan, "2.1") == "头信息中的同意安排属于版本 2.0，不是本版本 2.1（旧安排不适用于新的变更）"
    assert plan_problem(ads, ConsentPlan("2.0", "popup", ("b",), where="弹窗"), "2.0") == "同意安排的 clauses 没有列出 a"
    assert plan_problem(ads, ConsentPlan("2.0", "popup", ("a-1",), where="弹窗"), "2.0") is None  # any ID it covers
    assert plan_problem(ads, plan, "2.0") is None
    assert plan_problem(partner, plan, "2.0") == "须取得单独同意（单独同意），但同意安排没有写 separate: true"
    assert plan_problem(child, ConsentPlan("2.0", "popup", ("a",), separate=True, where="弹窗"), "2.0") == (
        "涉及不满十四周岁未成年人的个人信息，须取得监护人同意，但同意安排没有写 guardian: true"
    )
    assert plan_problem(child, ConsentPlan("2.0", "guardian", ("a",), separate=True, guardian=True), "2.0") is None
    assert plan_problem(child, ConsentPlan("2.0", "none", ("a",), reason="r", approved_by="p"), "2.0") is None


def test_entrusted_processing_needs_no_consent_plan() -> None:
    (entrusted,) = detect([_Change("c", "我们收集您的手机号码。", "我们收集您的手机号码，并委托服务商处理。")])
    assert entrusted.articles == (21,)
    assert (entrusted.needs_consent, entrusted.separate, entrusted.guardian) == (False, False, False)


def test_a_tagged_clause_is_about_personal_information_in_every_sentence() -> None:
    """A clause tagged personal-information needs no context word: a new sentence naming a recipient is a new
    recipient (decision record 0406)."""
    change = _Change("sharing", "我们重视您的隐私。", "我们重视您的隐私。我们会将其分享给广告商。")
    assert detect([change]) == []
    change.tags = ("personal-information",)
    (shared,) = detect([change])
    assert [t.word for t in shared.terms] == ["分享", "广告商"]


PLAN_BODY = "\n{#general}\n## 一、总则\n\n{#cookies}\n1.1 我们使用Cookie。\n"


def policy_text(plan: str) -> Agreement:
    result = parse_agreement('---\nid: demo\ntitle: 隐私政策\nkind: agreement\nversion: "2.0"\n'
                             f"notice: {{default: {{period: 7日, clause: cookies}}}}\n{plan}---\n{PLAN_BODY}", "agreements/demo.md")  # fmt: skip
    assert result.agreement is not None, result.diagnostics
    return result.agreement


def ks141(*problems: str) -> list[str]:
    return [f"agreements/demo.md:7: KS141 同意安排（consent）写法有误：{p}；见 docs/source-format.md。" for p in problems]


@pytest.mark.parametrize(
    ("plan", "problems"),
    [
        ("{version: \"2.0\", method: popup, where: 弹窗, clauses: [cookies], color: red}",
         ks141("consent 中有未知字段 “color”：可用 approved_by, clauses, guardian, method, reason, separate, version, where")),
        ("{method: popup, where: 弹窗, clauses: [cookies]}", ks141("consent 须写 version（本同意安排所属的版本号，加引号，例如 version: \"2.0\"）")),
        ("{version: \"  \", method: popup, where: 弹窗, clauses: [cookies]}",
         ks141("consent 须写 version（本同意安排所属的版本号，加引号，例如 version: \"2.0\"）")),
        ("{version: \"2.0\", method: banner, where: 弹窗, clauses: [cookies]}", ks141("consent.method 应为 popup, checkbox, settings, form, guardian, none 之一")),
        ("{version: \"2.0\", where: 弹窗, clauses: [cookies]}", ks141("consent.method 应为 popup, checkbox, settings, form, guardian, none 之一")),
        ("{version: \"2.0\", method: popup, where: 弹窗, clauses: cookies}", ks141("consent.clauses 应为须取得同意的条款 ID 列表，例如 clauses: [cookies]")),
        ("{version: \"2.0\", method: popup, where: 弹窗, clauses: []}", ks141("consent.clauses 应为须取得同意的条款 ID 列表，例如 clauses: [cookies]")),
        ("{version: \"2.0\", method: popup, where: 弹窗, clauses: [cookies, 3]}", ks141("consent.clauses 应为须取得同意的条款 ID 列表，例如 clauses: [cookies]")),
        ("{version: \"2.0\", method: popup, where: 弹窗, clauses: [nowhere]}", ks141("consent.clauses 中的条款 ID “nowhere” 不存在")),
        ("{version: \"2.0\", method: popup, where: 弹窗, clauses: [cookies], separate: yes please, guardian: 1}",
         ks141("consent.separate 只能是 true 或 false", "consent.guardian 只能是 true 或 false")),
        ("{version: \"2.0\", method: popup, where: [弹窗], clauses: [cookies], reason: 1, approved_by: [a]}",
         ks141("consent.where 应为一段文字", "consent.reason 应为一段文字", "consent.approved_by 应为一段文字",
               "consent 须写 where：在哪里、以什么方式取得同意（例如 控制台登录后弹窗，逐项勾选）")),
        ("{version: \"2.0\", method: none, clauses: [cookies]}", ks141("consent.method 为 none（无需取得同意）时，须写 reason（理由）和 approved_by（批准人）")),
        ("{version: \"2.0\", method: none, clauses: [cookies], reason: 匿名}",
         ks141("consent.method 为 none（无需取得同意）时，须写 reason（理由）和 approved_by（批准人）")),
        ("{version: \"2.0\", method: none, clauses: [cookies], approved_by: 数据保护官}",
         ks141("consent.method 为 none（无需取得同意）时，须写 reason（理由）和 approved_by（批准人）")),
        ("{version: \"2.0\", method: popup, where: \"  \", clauses: [cookies]}",
         ks141("consent 须写 where：在哪里、以什么方式取得同意（例如 控制台登录后弹窗，逐项勾选）")),
    ],
)  # fmt: skip
def test_each_mistake_in_a_consent_plan_is_named(plan: str, problems: list[str]) -> None:
    a = policy_text(f"consent: {plan}\n")
    found, diagnostics = load_plan(a.meta, a.path, {n.id for n in a.nodes})
    assert found is None
    assert [d.format() for d in diagnostics] == problems
    assert [d.format() for d in lint_consent(a)] == problems


def test_a_consent_plan_reads_trimmed_and_its_clauses_are_checked_only_against_known_ids() -> None:
    a = policy_text('consent: {version: " 2.0 ", method: guardian, where: " 弹窗 ", clauses: [cookies], separate: true, '
                    'guardian: true, reason: " r ", approved_by: " p "}\n')  # fmt: skip
    assert load_plan(a.meta, a.path, {"cookies"}) == (ConsentPlan("2.0", "guardian", ("cookies",), True, True, "弹窗", "r", "p"), [])
    nowhere = policy_text('consent: {version: "2.0", method: popup, where: 弹窗, clauses: [nowhere]}\n')
    assert load_plan(nowhere.meta, nowhere.path)[1] == []  # without the agreement's IDs there is nothing to check against
    assert load_plan(policy_text("").meta, "agreements/demo.md") == (None, [])
    assert ConsentPlan("2.0", "popup", ("a",), where="w").to_dict() == {
        "version": "2.0", "method": "popup", "clauses": ["a"], "separate": False, "guardian": False, "where": "w",
        "reason": "", "approved_by": ""}  # fmt: skip


def test_a_flag_in_json() -> None:
    assert flag("kids", "儿童", "合作伙伴").to_dict() == {
        "clause": "kids", "number": "9.3", "line": 12,
        "terms": [{"word": "儿童", "category": "minor"}, {"word": "合作伙伴", "category": "recipient"}],
        "articles": [14, 23, 29, 30, 31], "consent": True, "separate": True, "guardian": True,
    }  # fmt: skip


class _Changed:
    def __init__(self, old: str | None, new: str | None, *, kind: str = "modified", tags: tuple[str, ...] = (),
                 new_ids: tuple[str, ...] = ("c",), new_number: str | None = "1.1", new_line: int | None = 3) -> None:  # fmt: skip
        self.clause, self.kind, self.old_text, self.new_text, self.tags = "c", kind, old, new, tags
        self.new_ids, self.new_number, self.new_line, self.line = new_ids, new_number, new_line, 9


PI = ("personal-information",)
PHONE = "我们收集您的手机号码。"
THIRD = "我们收集您的手机号码，并提供给第三方。"


def gained(*changes: _Changed) -> list[list[str]]:
    return [[t.word for t in f.terms] for f in detect(changes)]


def test_removed_retired_and_front_matter_changes_are_not_read_for_terms() -> None:
    for kind in ("removed", "retired", "meta"):
        assert gained(_Changed(PHONE, THIRD, kind=kind)) == []
    assert gained(_Changed(PHONE, None)) == []
    assert gained(_Changed(PHONE, THIRD)) == [["提供给", "第三方"]]
    # and the changes after one of them are still read
    assert gained(_Changed(PHONE, THIRD, kind="removed"), _Changed(PHONE, None), _Changed(PHONE, THIRD)) == [["提供给", "第三方"]]


def test_a_second_recipient_sentence_is_counted_even_word_for_word_the_same() -> None:
    """Terms are counted (decision record 0406): the same sentence written twice is a second recipient."""
    assert gained(_Changed("我们会将其分享给广告商。", "我们会将其分享给广告商。我们会将其分享给广告商。", tags=PI)) == [["分享", "广告商"]]
    # an unchanged sentence of a tagged clause is no new term, though no word in it says personal information
    assert gained(_Changed("我们会将其分享给广告商。", "我们会将其分享给广告商。我们重视您的隐私。", tags=PI)) == []


def test_a_recipient_replaced_by_another_is_a_new_recipient() -> None:
    """合作伙伴（金山办公） → 合作伙伴（某数据经纪公司）keeps every count: the sentence is new, its recipient term counts."""
    assert gained(_Changed("我们会将其分享给甲公司。", "我们会将其分享给乙公司。", tags=PI)) == [["分享"]]
    assert gained(_Changed("我们会将其分享给甲公司。", "我们会将其分享给乙公司。")) == []  # not about personal information
    negated_first = "我们不会共享您的信息。"  # makes the clause one about personal information, engages nothing itself
    assert gained(_Changed(negated_first + "我们会将其分享给甲公司。", negated_first + "我们会将其分享给乙公司。")) == [["分享"]]
    assert gained(_Changed("我们提供云服务。", "我们提供云服务。我们与合作伙伴共同提供云服务。")) == []


@pytest.mark.parametrize(
    ("old", "new", "term"),
    [
        ("数据存储于境外甲地。", "数据存储于境外乙地。", "境外"),
        ("我们会在公开渠道公布统计数据。", "我们会在公开网站公布统计数据。", "公开"),
        ("我们会采集您的人脸信息用于登录。", "我们会采集您的人脸信息用于支付。", "人脸"),
        ("我们会收集儿童的信息用于甲。", "我们会收集儿童的信息用于乙。", "儿童"),
    ],
)
def test_a_reworded_sentence_engages_its_recipient_abroad_publication_sensitive_and_minor_terms(old: str, new: str, term: str) -> None:
    assert gained(_Changed(old, new)) == [[term]]


def test_a_reworded_sentence_does_not_make_old_kinds_or_purposes_new() -> None:
    assert gained(_Changed("我们收集您的手机号码用于甲。", "我们收集您的手机号码用于乙。")) == []


def test_a_flag_names_the_ids_number_and_line_of_the_new_side() -> None:
    (split,) = detect([_Changed(PHONE, THIRD, new_ids=("c", "c-1"), new_number=None, new_line=None)])
    assert (split.ids, split.number, split.line) == (("c", "c-1"), "", 9)
    (plain,) = detect([_Changed(PHONE, THIRD, new_ids=(), new_line=5)])
    assert (plain.ids, plain.number, plain.line) == (("c",), "1.1", 5)
