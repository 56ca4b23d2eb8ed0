"""Notice rules as the front matter writes them (kspub.law.notice, notice_lint, rules_in_force, statutes): every
refusal of a notice block word for word, the rules read from it, and what the gate says they require
(docs/source-format.md §四, docs/decisions/0401, 0403, 0404)."""

from __future__ import annotations

import datetime as dt

import pytest

from kspub.errors import KspubError
from kspub.law.notice import (
    NoticeAssessment,
    NoticeRule,
    assess,
    load_policy,
    own_word,
    policy_of,
    reference_number,
)
from kspub.law.notice_lint import lint_notice, text_periods
from kspub.law.period import Period, Unit
from kspub.law.rules_in_force import RuleChange, assess_in_force, diff_policies, legacy_sources
from kspub.law.statutes import ARTICLES, chinese_article, cited_articles, mentions_own_clause
from kspub.law.workdays import load_calendar
from kspub.model import Agreement
from kspub.parse import parse_agreement

PATH = "agreements/demo.md"
BODY = """
{#general}
## 一、总则

{#changes}
1.1 本协议变更的，金山云将提前三十日公告。

{#fee-notice tags="fees"}
1.2 免费服务转为收费前，金山云将提前十个自然日通知您。
"""


def agreement(notice: str, title: str = "示例协议", body: str = BODY) -> Agreement:
    result = parse_agreement(f'---\nid: demo\ntitle: {title}\nkind: agreement\nversion: "1.0"\n{notice}---\n{body}', PATH)
    assert result.agreement is not None, result.diagnostics
    return result.agreement


def policy_problems(notice: str) -> list[str]:
    a = agreement(notice)
    return [d.format() for d in load_policy(a.meta, a.path)[1]]


def ks120(message: str) -> str:
    return f"{PATH}:6: KS120 {message}"


OK = "{period: 30日, clause: changes}"


@pytest.mark.parametrize(
    ("notice", "problems"),
    [
        (f"notice: {{default: {OK}, when: 1}}\n", [ks120("notice 中有未知字段 “when”：可用 default、rules、roll、end、statutes。")]),
        (f"notice: {{default: {OK}, roll: sometimes}}\n",
         [ks120("notice.roll 只能是 all_rest_days 或 statutory_only；notice.end 只能是 strict 或 lenient。")]),
        (f"notice: {{default: {OK}, end: never}}\n",
         [ks120("notice.roll 只能是 all_rest_days 或 statutory_only；notice.end 只能是 strict 或 lenient。")]),
        (f"notice: {{default: {OK}, rules: {{tags: [fees]}}}}\n", [ks120("notice.rules 应为列表。")]),
        ("notice: {default: [30日]}\n",
         [ks120("每条通知规则应为映射，例如 {period: 10个自然日, clause: free-service-charging-notice}。")]),
        ("notice: {default: {period: 30日, clause: changes, when: x}}\n",
         [ks120("通知规则中有未知字段 “when”：可用 basis, channels, clause, clauses, consent, note, period, tags。")]),
        ("notice: {default: {period: 30日, clause: 3}}\n",
         [ks120("通知规则中的 clause 应为条款 ID 或其列表，例如 clause: free-service-charging-notice。"),
          ks120("每条通知规则都必须写依据：clause（规则所依据的本协议条款 ID）和/或 basis（法律条文）。")]),
        ("notice: {default: {period: 30日}}\n",
         [ks120("每条通知规则都必须写依据：clause（规则所依据的本协议条款 ID）和/或 basis（法律条文）。")]),
        ("notice: {default: {period: 三五日, clause: changes}}\n",
         [ks120("通知期 “三五日” 无法识别：无法识别期间“三五日”中的数字“三五”。"),
          ks120("通知规则（changes）既没有 period，也没有 consent 或 channels：请至少写一项。")]),
        ("notice: {default: {period: 30日, clause: changes, channels: site}}\n",
         [ks120("通知规则中的 channels 应为列表，例如 channels: [site, email]。")]),
        ("notice: {default: {period: 30日, clause: changes, tags: fees}}\n",
         [ks120("通知规则中的 tags 应为列表，例如 tags: [fees]。")]),
        ("notice: {default: {period: 30日, clause: changes, channels: [fax]}}\n",
         [ks120("未知的通知渠道 “fax”：可用 site, email, message, sms, console, popup, written。")]),
        ("notice: {default: {period: 30日, clause: changes, consent: yes please}}\n", [ks120("consent 只能是 true 或 false。")]),
        ("notice: {default: {clause: changes}}\n",
         [ks120("通知规则（changes）既没有 period，也没有 consent 或 channels：请至少写一项。")]),
        ("notice: {default: {basis: 民法典第二百条}}\n",
         [ks120("通知规则（民法典第二百条）既没有 period，也没有 consent 或 channels：请至少写一项。")]),
        ("notice: {default: {clause: [changes, purposes]}}\n",
         [ks120("通知规则（changes、purposes）既没有 period，也没有 consent 或 channels：请至少写一项。")]),
        ("notice: {default: {clause: changes, consent: 是}}\n",  # a consent that does not read is none
         [ks120("consent 只能是 true 或 false。"), ks120("通知规则（changes）既没有 period，也没有 consent 或 channels：请至少写一项。")]),
        ("notice: {default: {period: 提前三十个自然日以书面形式通知并在官网首页显著位置公告并以电子邮件和短信方式送达用户, clause: changes, channels: [site]}}\n",  # quoted up to 40 characters
         [ks120("通知期 “提前三十个自然日以书面形式通知并在官网首页显著位置公告并以电子邮件和短信方式送达” 无法识别：无法识别期间“提前三十个自然日以书面形式通知并在官网首页显著位置公告并以电子邮件和短信方式送达用户”。")]),
        (f"notice: {{default: {OK}, rules: [{OK}]}}\n",
         [ks120("通知规则（本协议条款 changes）需写 tags 或 clauses，说明它适用于哪些条款；适用于全部条款的写在 default。")]),
        (f"notice: {{default: {OK}, statutes: 电子商务法第三十四条}}\n",
         [ks120("notice.statutes 应为法律条文的列表，例如 statutes: [电子商务法第三十四条]。")]),
        (f"notice: {{default: {OK}, statutes: [电子商务法, 民法典第九百条]}}\n",
         [ks120("notice.statutes 中的 “电子商务法” 不是法律条文：请写成如 电子商务法第三十四条。"),
          f"{PATH}:6: KS133 notice.statutes 中的 “民法典第九百条” 不是本仓库收录的法律条文：可引用的条文见 docs/legal/statutes.md。"]),
    ],
)  # fmt: skip
def test_each_mistake_in_a_notice_block_is_named_at_its_line(notice: str, problems: list[str]) -> None:
    assert policy_problems(notice) == problems


def test_a_notice_block_reads_into_rules() -> None:
    a = agreement("notice:\n  default: {period: 30日, channels: [site, email], clause: changes, note: 变更公告}\n"
                  "  roll: statutory_only\n  end: lenient\n  statutes: [电子商务法第三十四条]\n"
                  "  rules:\n    - {tags: [fees], clauses: [changes], period: 10个自然日, clause: [fee-notice], consent: true}\n")  # fmt: skip
    policy, problems = load_policy(a.meta, a.path)
    assert problems == []
    assert (policy.roll.value, policy.end.value) == ("statutory_only", "lenient")
    default = policy.default
    assert default is not None and default.is_default and not default.applies_all
    assert (default.period, default.channels, default.sources, default.note) == (
        Period(30, Unit.CALENDAR_DAY), ("site", "email"), ("changes",), "变更公告")
    (rule,) = policy.rules
    assert (rule.tags, rule.clauses, rule.sources, rule.consent, rule.is_default) == (
        ("fees",), ("changes",), ("fee-notice",), True, False)
    (statute,) = policy.statutes
    assert statute.applies_all and not statute.is_default
    assert (statute.basis, statute.period, statute.note) == ("电子商务法第三十四条", Period(7, Unit.CALENDAR_DAY),
                                                            "平台经营者修改平台服务协议和交易规则")  # fmt: skip
    assert statute.duties[1] == "修改内容至少在实施前七日予以公示"
    assert policy.all_rules == (default, rule, statute)


# --- rules named as the report names them ------------------------------------------------------------------------

THREE = BODY + """
{#purposes tags="personal-information"}
1.3 我们收集您的手机号码，用于账号注册。
"""
BASE = """notice:
  default: {period: 30日, channels: [site, email], clause: changes}
  statutes: [电子商务法第三十四条]
  rules:
    - {tags: [fees], period: 10个自然日, channels: [site], clause: fee-notice}
    - {tags: [personal-information], consent: true, basis: 个人信息保护法第十四条}
"""


def demo(notice: str = BASE, title: str = "示例协议") -> Agreement:
    return agreement(notice, title, THREE)


@pytest.mark.parametrize(
    ("title", "word"),
    [("隐私政策", "本政策"), ("产品说明", "本说明"), ("安全责任书", "本责任书"), ("交易规则", "本规则"), ("服务条款", "本协议")],
)
def test_a_text_cites_its_own_clauses_as_it_names_itself(title: str, word: str) -> None:
    assert own_word(demo(title=title)) == word
    assert policy_of(demo(title=title)).all_rules[0].describe(demo(title=title)) == f"{word}第1.1条"


def test_a_rule_is_described_by_its_clauses_current_numbers_then_its_statute() -> None:
    a = demo()
    rule = NoticeRule(basis="本协议第4.4条；电子商务法第三十四条", sources=("changes", "gone"))
    assert rule.describe(a) == "本协议第1.1条；本协议条款 gone；本协议第4.4条；电子商务法第三十四条"
    assert rule.describe(a, by_title=True) == "示例协议第1.1条；示例协议条款 gone；示例协议第4.4条；电子商务法第三十四条"
    assert rule.describe() == "本协议条款 changes；本协议条款 gone；本协议第4.4条；电子商务法第三十四条"
    assert NoticeRule(basis="").describe(a) == "（未写依据）"
    assert NoticeRule(basis="本政策（第9.3条）及本规则第2条").describe(a, by_title=True) == "示例协议（第9.3条）及示例协议第2条"
    assert own_word(None) == "本协议"


@pytest.mark.parametrize(("number", "cited"), [("4.4", "4.4"), ("- 9.1.3", "9.1.3"), ("* 2.1", "2.1"), ("三、", "三")])
def test_a_display_number_is_cited_as_a_citation_writes_it(number: str, cited: str) -> None:
    assert reference_number(number) == cited


# --- what a version changes in the rules (KS440–KS442) --------------------------------------------------------------


def changes(new_notice: str, old_notice: str = BASE) -> list[RuleChange]:
    return diff_policies(demo(old_notice), demo(new_notice))


def test_a_shorter_period_and_a_dropped_channel_lower_a_rule() -> None:
    assert changes(BASE.replace("period: 30日, channels: [site, email]", "period: 20日, channels: [site, sms]")) == [
        RuleChange("默认规则（本协议第1.1条）", ("通知期 30个自然日 → 20个自然日", "删除通知渠道 电子邮件", "新增通知渠道 短信"), True,
                   ("changes",))
    ]  # fmt: skip
    assert changes(BASE.replace("period: 30日", "period: 40日")) == [
        RuleChange("默认规则（本协议第1.1条）", ("通知期 30个自然日 → 40个自然日",), False, ("changes",))
    ]


def test_months_rewritten_as_a_year_are_not_lowered() -> None:
    months = BASE.replace("period: 30日", "period: 12个月")
    assert changes(BASE.replace("period: 30日", "period: 1年"), months) == [
        RuleChange("默认规则（本协议第1.1条）", ("通知期 12个月 → 1年",), False, ("changes",))
    ]
    assert changes(BASE.replace("period: 30日", "period: 11个月"), months)[0].lowered


def test_consent_given_up_or_added_and_a_rule_on_a_statute_alone() -> None:
    rule = "通知规则（个人信息保护法第十四条，适用于 personal-information）"
    without = BASE.replace("consent: true", "channels: [email]")
    assert changes(without) == [RuleChange(rule, ("新增通知渠道 电子邮件", "不再要求重新取得同意"), True, (), statutory=True)]
    assert changes(BASE, without) == [RuleChange(rule, ("删除通知渠道 电子邮件", "新增重新取得同意的要求"), True, (), statutory=True)]


def test_a_narrower_or_wider_scope() -> None:
    assert changes(BASE.replace("tags: [fees]", "tags: [charges], clauses: [changes]")) == [
        RuleChange("通知规则（本协议第1.2条，适用于 charges、changes）", ("适用范围缩小（不再适用于 fees）", "适用范围扩大（新增 charges、changes）"),
                   True, ("fee-notice",))
    ]  # fmt: skip
    assert changes(BASE.replace("tags: [fees]", "tags: [fees, charges]")) == [
        RuleChange("通知规则（本协议第1.2条，适用于 fees、charges）", ("适用范围扩大（新增 charges）",), False, ("fee-notice",))
    ]


def test_rules_removed_and_added() -> None:
    fee = "    - {tags: [fees], period: 10个自然日, channels: [site], clause: fee-notice}\n"
    assert changes(BASE.replace(fee, "    - {clauses: [purposes], period: 15日, clause: changes}\n")) == [
        RuleChange("通知规则（本协议第1.2条，适用于 fees）", ("删除规则",), True, ("fee-notice",)),
        RuleChange("通知规则（本协议第1.1条，适用于 purposes）", ("新增规则",), False, ("changes",)),
    ]
    assert changes(BASE.replace("  statutes: [电子商务法第三十四条]\n", "")) == [
        RuleChange("电子商务法第三十四条", ("删除规则",), True, (), statutory=True)
    ]
    assert changes(BASE, BASE.replace("  statutes: [电子商务法第三十四条]\n", "")) == [
        RuleChange("电子商务法第三十四条", ("新增规则",), False, (), statutory=True)
    ]



def test_the_roll_and_end_modes() -> None:
    lowered = BASE + "  roll: statutory_only\n  end: lenient\n"
    name = "期间计算方式（notice.roll / notice.end）"
    assert changes(lowered) == [
        RuleChange(name, ("期间最后一日顺延方式 all_rest_days → statutory_only", "生效方式 strict → lenient"), True, (), statutory=True)
    ]
    assert changes(BASE, lowered) == [
        RuleChange(name, ("期间最后一日顺延方式 statutory_only → all_rest_days", "生效方式 lenient → strict"), False, (), statutory=True)
    ]
    assert changes(BASE + "  end: lenient\n")[0].lowered and changes(BASE + "  roll: statutory_only\n")[0].lowered
    assert not changes(BASE + "  end: strict\n", BASE + "  end: lenient\n")[0].lowered


def test_a_rule_citing_its_clause_by_id_instead_of_by_number_is_the_same_rule() -> None:
    assert changes(BASE, BASE.replace("clause: fee-notice", "basis: 本协议第1.2条")) == []
    change = RuleChange("默认规则（本协议第1.1条）", ("通知期 30个自然日 → 20个自然日",), True, ("changes",))
    assert change.text == "默认规则（本协议第1.1条）：通知期 30个自然日 → 20个自然日"
    assert change.to_dict() == {"rule": "默认规则（本协议第1.1条）", "changes": ["通知期 30个自然日 → 20个自然日"],
                                "lowered": True, "clauses": ["changes"], "statutory": False}  # fmt: skip


# --- what the changes need (the report's notice paragraph) ------------------------------------------------------------

CAL = load_calendar()


def test_the_notice_paragraph_lists_both_versions_rules_and_what_governs() -> None:
    old, new = demo(), demo(BASE.replace("period: 30日", "period: 20日").replace("10个自然日", "40日"))
    found = assess_in_force(["fee-notice", "purposes"], old, new, CAL, announced=dt.date(2026, 3, 2))
    assert found.explanation == (
        "本协议第1.1条（现行规则）：30个自然日（适用于 fee-notice、purposes）；本协议第1.2条（现行规则）：10个自然日（适用于 fee-notice）；"
        "个人信息保护法第十四条：无固定期限（适用于 purposes）；电子商务法第三十四条：7个自然日（适用于 fee-notice、purposes）；"
        "本协议第1.1条（新规则）：20个自然日（适用于 fee-notice、purposes）；本协议第1.2条（新规则）：40个自然日（适用于 fee-notice）。"
        "依现行规则（基础分支上的版本，即客户已知的规则）最早生效日为 2026-04-02，依新规则为 2026-04-14，以较晚者为准。"
        "以最长者为准：依 本协议第1.2条（新规则），最早生效日为 2026-04-14。"
        "电子商务法第三十四条另要求：（1）在首页显著位置公开征求意见，采取合理措施确保有关各方能够及时充分表达意见；"
        "（2）修改内容至少在实施前七日予以公示；（3）平台内经营者不接受修改内容、要求退出平台的，不得阻止，并按照修改前的服务协议和交易规则"
        "承担相关责任。涉及个人信息处理目的、方式或种类的变更须重新取得用户同意，未同意的用户不因期间届满而受约束。"
    )
    data = found.to_dict()
    assert {k: data[k] for k in ("agreement", "material", "channels", "channels_text", "consent_required", "consent_clauses",
                                 "announced", "earliest_effective_date", "base_rules_effective_date",
                                 "new_rules_effective_date", "governing_rule", "provisional")} == {
        "agreement": "demo", "material": True, "channels": ["site", "email"], "channels_text": ["网页公告", "电子邮件"],
        "consent_required": True, "consent_clauses": ["purposes"], "announced": "2026-03-02",
        "earliest_effective_date": "2026-04-14", "base_rules_effective_date": "2026-04-02",
        "new_rules_effective_date": "2026-04-14", "governing_rule": "本协议第1.2条", "provisional": False,
    }  # fmt: skip
    assert data["statutory_duties"] == [{"statute": "电子商务法第三十四条", "actions": list(ARTICLES[("电子商务法", 34)].duties)}]
    assert [(r["basis"], r["side"], r["clauses"]) for r in data["rules"]] == [
        ("本协议第1.1条", "base", ["fee-notice", "purposes"]), ("本协议第1.2条", "base", ["fee-notice"]),
        ("个人信息保护法第十四条", "both", ["purposes"]), ("电子商务法第三十四条", "both", ["fee-notice", "purposes"]),
        ("本协议第1.1条", "head", ["fee-notice", "purposes"]), ("本协议第1.2条", "head", ["fee-notice"]),
    ]  # fmt: skip


def test_no_material_change_needs_no_notice_and_no_rule_says_so() -> None:
    nothing = assess([], demo(), demo(), CAL, announced=dt.date(2026, 3, 2))
    assert nothing.explanation == "没有实质性变更：无需提前通知。"
    assert (nothing.material, nothing.applications, nothing.earliest_effective) == (False, (), None)
    no_default = demo("notice:\n  rules:\n    - {tags: [fees], period: 10日, clause: fee-notice}\n")
    unruled = assess(["changes"], None, no_default, CAL, announced=None)
    assert unruled.explanation == (
        "本协议的通知规则（notice）没有适用于这些变更的规则，也没有 default：无法确定通知期。"
        "请在头信息 notice.default 中写明本协议约定的变更通知方式和期限。"
    )
    assert unruled.to_dict()["earliest_effective_date"] is None and unruled.to_dict()["announced"] is None


# --- statutes as rules cite them (kspub.law.statutes) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "printed"),
    [(1, "一"), (7, "七"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"), (100, "一百"), (101, "一百零一"),
     (110, "一百一十"), (111, "一百一十一"), (200, "二百"), (203, "二百零三"), (1000, "一千"), (1001, "一千零一"),
     (1010, "一千零一十"), (1100, "一千一百"), (1005, "一千零五"), (1050, "一千零五十"), (1500, "一千五百"), (2000, "二千"), (9999, "九千九百九十九"), (0, "0"), (-3, "-3")],
)  # fmt: skip
def test_an_article_number_is_printed_as_statutes_print_it(number: int, printed: str) -> None:
    assert chinese_article(number) == printed


def test_citations_carry_the_law_over_a_list_and_know_only_the_table() -> None:
    assert [(c.text, c.law, c.number, c.article is not None) for c in cited_articles("个人信息保护法第二十二条、第二十三条")] == [
        ("个人信息保护法第二十二条", "个人信息保护法", 22, True), ("第二十三条", "个人信息保护法", 23, True)]
    assert [(c.law, c.number, c.article) for c in cited_articles("《中华人民共和国电子商务法》第34条")] == [
        ("电子商务法", 34, ARTICLES[("电子商务法", 34)])]
    assert [(c.law, c.number, c.article) for c in cited_articles("第五条；电子商务法第一百条")] == [
        (None, 5, None), ("电子商务法", 100, None)]
    assert [c.law for c in cited_articles("民法典第二百零三条及个人信息保护法第十四条")] == ["民法典", "个人信息保护法"]
    assert ARTICLES[("电子商务法", 34)].citation == "电子商务法第三十四条"


@pytest.mark.parametrize(
    ("basis", "own"),
    [("本协议第4.4条", True), ("本政策（9.3）", True), ("本规则(2.1)", True), ("本说明第3条", True), ("本责任书第1条", True),
     ("本条款第2条", True), ("本协议约定", False), ("电子商务法第三十四条", False), ("协议第4.4条", False)],
)  # fmt: skip
def test_a_basis_citing_the_agreement_by_number_is_recognised(basis: str, own: bool) -> None:
    assert mentions_own_clause(basis) is own


# --- rules bound to their text (KS121, KS130–KS135) -------------------------------------------------------------------

RULE = "notice:\n  default: {period: 30日, channels: [site], clause: changes}\n  rules:\n    - "


@pytest.mark.parametrize(
    ("rule", "problems"),
    [
        ("{tags: [fees], clauses: [nowhere], period: 10日, clause: fee-notice}",
         ["KS121 通知规则（本协议第1.2条）引用了不存在的条款 ID “nowhere”：请改正 clauses。"]),
        ("{tags: [fees], period: 10日, clause: no-such-clause}",
         ["KS130 通知规则（本协议条款 no-such-clause）所依据的条款 ID “no-such-clause” 在本协议中不存在：请把 clause 改为规则所依据的条款的 ID。"]),
        ("{tags: [fees], period: 10日, basis: 本协议第1.2条}",
         ["KS134 通知规则的 basis “本协议第1.2条” 按编号引用本协议条款：条款重新编号后编号会指向别的条款。请改为 clause: 条款ID"
          "（报告会显示该条款当前的编号），basis 只写法律条文。"]),
        ("{tags: [fees], period: 15日, clause: fee-notice}",
         ["KS131 通知规则的通知期 15个自然日 与所依据的条款 1.2 不一致（条款中写的是：10个自然日）：请让规则与条款一致，或改正 clause。"]),
        ("{tags: [fees], period: 1个月, clause: purposes}",
         ["KS131 通知规则的通知期 1个月 与所依据的条款 1.3 不一致（条款中写的是：没有任何期限）：请让规则与条款一致，或改正 clause。"]),
        ("{tags: [fees], period: 3日, clause: fee-notice, basis: 电子商务法第三十四条}",
         ["KS132 通知规则（本协议第1.2条；电子商务法第三十四条）的通知期 3个自然日 短于电子商务法第三十四条规定的7个自然日：协议不能降低法律规定的期限。",
          "KS131 通知规则的通知期 3个自然日 与所依据的条款 1.2 不一致（条款中写的是：10个自然日）：请让规则与条款一致，或改正 clause。"]),
        ("{tags: [fees], period: 10日, clause: fee-notice, basis: 电子商务法第九十九条}",
         ["KS133 通知规则引用的 “电子商务法第九十九条” 不是本仓库收录的法律条文：请核对法律名称和条号；可引用的条文见 docs/legal/statutes.md，"
          "新增条文请先收录原文。"]),
        ("{tags: [fees], period: 10日, basis: 本协议约定}",
         ["KS135 通知规则（本协议约定）的通知期 10个自然日 没有来源：请用 clause 写明约定该期限的条款，或在 basis 中引用规定该期限的法律条文。"]),
        ("{tags: [fees], period: 10个自然日, clause: [fee-notice, changes]}", []),
        ("{tags: [fees], period: 8日, clause: fee-notice, basis: 电子商务法第三十四条}",
         ["KS131 通知规则的通知期 8个自然日 与所依据的条款 1.2 不一致（条款中写的是：10个自然日）：请让规则与条款一致，或改正 clause。"]),
    ],
)  # fmt: skip
def test_each_rule_is_bound_to_the_text_it_rests_on(rule: str, problems: list[str]) -> None:
    assert [d.format() for d in lint_notice(demo(RULE + rule + "\n"))] == [f"{PATH}:6: {p}" for p in problems]


def test_the_periods_a_clause_writes() -> None:
    assert text_periods("提前10个自然日，30天内，三十日，2个工作日以内，半个月，0日") == [
        Period(10, Unit.CALENDAR_DAY), Period(30, Unit.CALENDAR_DAY), Period(30, Unit.CALENDAR_DAY), Period(2, Unit.WORKING_DAY)]
    assert text_periods("0日内或者10日内") == [Period(10, Unit.CALENDAR_DAY)]  # a period that does not parse is passed over


def test_a_basis_cited_within_its_own_document_is_kept_as_written() -> None:
    policy = demo(title="隐私政策")
    rule = NoticeRule(basis="本协议第2条")
    assert (rule.describe(policy), rule.describe(policy, by_title=True)) == ("本协议第2条", "隐私政策第2条")


def test_rules_and_their_applications_in_json() -> None:
    a = demo(BASE.replace("channels: [site, email], clause: changes", "channels: [site, email], clause: changes, note: 变更公告"))
    default, statute, fee, consent = policy_of(a).all_rules[0], *policy_of(a).statutes, *policy_of(a).rules
    assert default.to_dict() == {"basis": "", "clause": ["changes"], "duties": [], "period": {"count": 30, "unit": "calendar_day"},
                                 "period_text": "30个自然日", "channels": ["site", "email"], "consent": False, "tags": [],
                                 "clauses": [], "note": "变更公告", "default": True}  # fmt: skip
    assert consent.to_dict() == {"basis": "个人信息保护法第十四条", "clause": [], "duties": [], "period": None, "period_text": None,
                                 "channels": [], "consent": True, "tags": ["personal-information"], "clauses": [], "note": "",
                                 "default": False}  # fmt: skip
    assert statute.to_dict()["duties"] == list(ARTICLES[("电子商务法", 34)].duties)
    found = assess(["fee-notice", "purposes"], a, a, CAL, announced=dt.date(2026, 3, 2))
    by_basis = {app.basis: app for app in found.applications}
    window = by_basis["本协议第1.2条"].window
    assert window is not None and window.effective_date == dt.date(2026, 3, 13)
    assert by_basis["本协议第1.2条"].to_dict() == {"rule": fee.to_dict(), "basis": "本协议第1.2条", "side": "both",
                                               "clauses": ["fee-notice"], "window": window.to_dict()}  # fmt: skip
    assert by_basis["个人信息保护法第十四条"].to_dict() == {"rule": consent.to_dict(), "basis": "个人信息保护法第十四条", "side": "both",
                                                    "clauses": ["purposes"], "window": None}  # fmt: skip
    assert found.to_dict()["explanation"] == found.explanation and found.to_dict()["rules"] == [
        app.to_dict() for app in found.applications]


def test_an_assessment_without_dates_in_json() -> None:
    no_default = demo("notice:\n  rules:\n    - {tags: [fees], period: 10日, channels: [sms, site], clause: fee-notice}\n")
    found = assess(["fee-notice"], None, no_default, CAL, announced=None)
    assert found.to_dict() == {
        "agreement": "demo", "material": True, "rules": [found.applications[0].to_dict()], "channels": ["sms", "site"],
        "channels_text": ["短信", "网页公告"], "consent_required": False, "consent_clauses": [], "announced": None,
        "earliest_effective_date": None, "base_rules_effective_date": None, "new_rules_effective_date": None,
        "governing_rule": None, "statutory_duties": [], "provisional": False,
        "explanation": "本协议第1.2条：10个自然日（适用于 fee-notice）。",
    }  # fmt: skip
    # a channel the table does not know (an assessment built by hand) is published as written
    assert NoticeAssessment("demo", True, (), ("fax",), False, (), None, None, None, False).to_dict()["channels_text"] == ["fax"]


def test_a_rule_written_before_clause_ids_rests_on_the_clauses_its_basis_numbers() -> None:
    """A basis citing the agreement by number (本协议第1.2条) names the clauses the rule rests on, in the version it is
    read from: a changed period is not a statutory rule's (KS442) but the clause's (KS441)."""
    numbered = BASE.replace("clause: fee-notice", "basis: 本协议第1.2条；电子商务法第三十四条")
    assert changes(numbered.replace("10个自然日", "5日"), numbered) == [
        RuleChange("通知规则（本协议第1.2条；电子商务法第三十四条，适用于 fees）", ("通知期 10个自然日 → 5个自然日",), True, ("fee-notice",))
    ]
    def rested_on(notice: str) -> list[tuple[str, ...]]:
        a = demo(notice)
        return [legacy_sources(rule, a) for rule in policy_of(a).rules]
    assert rested_on(BASE.replace("clause: fee-notice", "basis: 本协议第1.2条、第1.1条")) == [("fee-notice", "changes"), ()]
    assert rested_on(BASE.replace("clause: fee-notice", "basis: 电子商务法第三十四条；本协议第9.9条")) == [(), ()]
    assert rested_on(BASE) == [("fee-notice",), ()]


DUTIES = ("电子商务法第三十四条另要求：（1）在首页显著位置公开征求意见，采取合理措施确保有关各方能够及时充分表达意见；（2）修改内容至少在实施前七日"
          "予以公示；（3）平台内经营者不接受修改内容、要求退出平台的，不得阻止，并按照修改前的服务协议和交易规则承担相关责任。")  # fmt: skip


def test_on_a_tie_the_specific_rule_governs_not_the_default() -> None:
    """From Thursday 2026-03-05 the default's 10 days and the fee rule's 10 days both end on 03-16 (rolled past a
    weekend): the report cites the rule that applies to the clause, not the default."""
    tie = demo(BASE.replace("period: 30日", "period: 10日"))
    found = assess(["fee-notice"], tie, tie, CAL, announced=dt.date(2026, 3, 5))
    assert [(a.basis, a.window.effective_date if a.window else None) for a in found.applications] == [
        ("本协议第1.1条", dt.date(2026, 3, 17)), ("本协议第1.2条", dt.date(2026, 3, 17)), ("电子商务法第三十四条", dt.date(2026, 3, 13))]
    assert found.governing is not None and found.governing.basis == "本协议第1.2条"


def test_on_a_tie_between_the_versions_the_rules_customers_were_given_govern() -> None:
    """10 days (base) and 11 days (head) from 2026-03-05 both end on Monday 03-16: the same date, so the report does
    not say the rules differ, and it cites the base's rule."""
    old = demo(BASE.replace("period: 30日", "period: 10日").replace("10个自然日", "3日"))
    new = demo(BASE.replace("period: 30日", "period: 11日").replace("10个自然日", "3日"))
    found = assess_in_force(["changes"], old, new, CAL, announced=dt.date(2026, 3, 5))
    assert (found.base_effective, found.head_effective, found.rules_differ) == (dt.date(2026, 3, 17), dt.date(2026, 3, 17), False)
    assert found.explanation == (
        "本协议第1.1条（现行规则）：10个自然日（适用于 changes）；电子商务法第三十四条：7个自然日（适用于 changes）；"
        "本协议第1.1条（新规则）：11个自然日（适用于 changes）。以最长者为准：依 本协议第1.1条（现行规则），最早生效日为 2026-03-17。" + DUTIES
    )


def test_a_rule_both_versions_hold_is_counted_under_each_versions_modes() -> None:
    """30 days from 2026-03-12 end on Saturday 04-11: the base rolls it to Monday (E 04-14), the new statutory-only
    mode does not (E 04-12). The rule is listed under each version; the base's date governs (docs/legal/notice.md §4).
    The statute's 7 days end on a Thursday either way: listed once."""
    found = assess_in_force(["changes"], demo(), demo(BASE + "  roll: statutory_only\n"), CAL, announced=dt.date(2026, 3, 12))
    assert [(a.label, a.window.roll_mode.value if a.window else None) for a in found.applications] == [
        ("本协议第1.1条（现行规则）", "all_rest_days"), ("电子商务法第三十四条", "statutory_only"), ("本协议第1.1条（新规则）", "statutory_only")]
    assert found.explanation == (
        "本协议第1.1条（现行规则）：30个自然日（适用于 changes）；电子商务法第三十四条：7个自然日（适用于 changes）；"
        "本协议第1.1条（新规则）：30个自然日（适用于 changes）。依现行规则（基础分支上的版本，即客户已知的规则）最早生效日为 2026-04-14，"
        "依新规则为 2026-04-12，以较晚者为准。以最长者为准：依 本协议第1.1条（现行规则），最早生效日为 2026-04-14。" + DUTIES
    )


def test_only_the_segments_of_a_basis_that_cite_the_agreement_are_read_for_its_clauses() -> None:
    def rested_on(basis: str) -> tuple[str, ...]:
        a = demo(BASE.replace("clause: fee-notice", f"basis: {basis}"))
        return legacy_sources(policy_of(a).rules[0], a)
    assert rested_on("电子商务法第三十四条；本协议第1.2条") == ("fee-notice",)
    # a segment citing a statute is not read for the agreement's numbers, even one the agreement also uses
    assert rested_on("本协议第1.2条；电子商务法第三十四条、第1.1条") == ("fee-notice",)


def test_what_a_changed_rule_rests_on_is_read_from_both_versions() -> None:
    two = BASE.replace("clause: fee-notice", "clause: [fee-notice, changes]").replace("10个自然日", "12日")
    name = "通知规则（本协议第1.2条；本协议第1.1条，适用于 fees）"
    assert changes(two) == [RuleChange(name, ("通知期 10个自然日 → 12个自然日",), False, ("fee-notice", "changes"))]
    assert changes(two.replace("[fee-notice, changes]", "fee-notice"), two.replace("12日", "10个自然日")) == [
        RuleChange("通知规则（本协议第1.2条，适用于 fees）", ("通知期 10个自然日 → 12个自然日",), False, ("fee-notice", "changes"))]


def test_a_period_given_or_taken_away() -> None:
    rule = "通知规则（个人信息保护法第十四条，适用于 personal-information）"
    with_period = BASE.replace("consent: true", "consent: true, period: 10日")
    assert changes(with_period) == [RuleChange(rule, ("通知期 无 → 10个自然日",), False, (), statutory=True)]
    assert changes(BASE, with_period) == [RuleChange(rule, ("通知期 10个自然日 → 无",), True, (), statutory=True)]


def test_every_way_customers_get_less_stays_lowered() -> None:
    # a channel dropped lowers the rule even when consent is added with it
    assert changes(BASE.replace("channels: [site, email]", "channels: [site], consent: true")) == [
        RuleChange("默认规则（本协议第1.1条）", ("删除通知渠道 电子邮件", "新增重新取得同意的要求"), True, ("changes",))]
    # a later roll lowers the modes even when the end becomes strict
    assert changes(BASE + "  roll: statutory_only\n  end: strict\n", BASE + "  end: lenient\n") == [
        RuleChange("期间计算方式（notice.roll / notice.end）", ("期间最后一日顺延方式 all_rest_days → statutory_only", "生效方式 lenient → strict"),
                   True, (), statutory=True)]  # fmt: skip


def test_lists_of_channels_and_scopes_are_named_in_full() -> None:
    assert changes(BASE.replace("channels: [site], clause: fee-notice", "channels: [email, sms], clause: fee-notice"),
                   BASE.replace("channels: [site], clause: fee-notice", "channels: [site, message, console], clause: fee-notice")) == [
        RuleChange("通知规则（本协议第1.2条，适用于 fees）", ("删除通知渠道 网页公告、站内信、控制台提示", "新增通知渠道 电子邮件、短信"), True,
                   ("fee-notice",))]  # fmt: skip
    wide = BASE.replace("tags: [fees]", "tags: [fees, charges, refunds]")
    assert changes(BASE.replace("tags: [fees]", "tags: [refunds]"), wide) == [
        RuleChange("通知规则（本协议第1.2条，适用于 refunds）", ("适用范围缩小（不再适用于 fees、charges）",), True, ("fee-notice",))]


def test_the_tags_of_a_default_are_no_scope() -> None:
    """A default applies to every material change whatever its tags, so tags written on it change nothing."""
    assert changes(BASE.replace("default: {period: 30日,", "default: {tags: [fees], period: 30日,")) == []


SECTION_RULE = BASE.replace("    - {tags: [personal-information]", "    - {clauses: [general], period: 20日, clause: changes}\n"
                                                                   "    - {tags: [personal-information]")  # fmt: skip


def applied(found: NoticeAssessment) -> list[tuple[str, tuple[str, ...]]]:
    return [(a.basis, a.rule.clauses) for a in found.applications]


def test_a_rule_on_a_section_covers_its_clauses_in_either_version() -> None:
    a = demo(SECTION_RULE)
    found = assess(["fee-notice"], a, a, CAL, announced=dt.date(2026, 3, 2))
    assert applied(found) == [("本协议第1.1条", ()), ("本协议第1.2条", ()), ("本协议第1.1条", ("general",)), ("电子商务法第三十四条", ())]
    # 1.3 moved out of 一、总则 into a new section: the rule on 一、总则 still covers it (it was there before)
    moved = agreement(SECTION_RULE, body=THREE.replace('{#purposes tags="personal-information"}',
                                                       '{#other}\n## 二、其他\n\n{#purposes tags="personal-information"}'))  # fmt: skip
    assert ("本协议第1.1条", ("general",)) in applied(assess(["purposes"], a, moved, CAL, announced=dt.date(2026, 3, 2)))
    assert ("本协议第1.1条", ("general",)) not in applied(assess(["purposes"], None, moved, CAL, announced=dt.date(2026, 3, 2)))


def test_removing_a_tag_never_escapes_a_rule_of_either_version() -> None:
    untagged = agreement(BASE, body=THREE.replace('{#fee-notice tags="fees"}', "{#fee-notice}"))
    found = assess_in_force(["fee-notice"], demo(), untagged, CAL, announced=dt.date(2026, 3, 2))
    assert [(a.label, a.window.effective_date if a.window else None) for a in found.applications] == [
        ("本协议第1.1条", dt.date(2026, 4, 2)), ("本协议第1.2条", dt.date(2026, 3, 13)), ("电子商务法第三十四条", dt.date(2026, 3, 10))]


def test_a_notice_block_that_does_not_read_stops_the_assessment_at_its_first_problem() -> None:
    with pytest.raises(KspubError) as info:
        policy_of(demo("notice: {default: {period: 30日, clause: changes}, when: 1, roll: sometimes}\n"))
    assert info.value.format() == f"{PATH}:6: KS120 notice 中有未知字段 “when”：可用 default、rules、roll、end、statutes。"


def test_a_rule_reads_trimmed_and_each_statute_of_a_list_is_a_rule_of_its_own() -> None:
    a = demo("notice:\n  default: {period: 30日, clause: changes, basis: '  民法典第二百条  ', note: 7}\n"
             "  statutes: [个人信息保护法第十四条、第二十三条]\n")  # fmt: skip
    policy, problems = load_policy(a.meta, a.path)
    assert problems == [] and policy.default is not None
    assert (policy.default.basis, policy.default.note) == ("民法典第二百条", "7")
    assert [(r.basis, r.period, r.note, r.duties, r.applies_all) for r in policy.statutes] == [
        ("个人信息保护法第十四条", None, "处理目的、处理方式和个人信息种类变更的，应当重新取得个人同意", (), True),
        ("个人信息保护法第二十三条", None, "向其他个人信息处理者提供个人信息，应当告知接收方信息并取得单独同意", (), True)]


# --- which rules a clause falls under, and the notice it needs (kspub.law.notice.assess, policy_of) ----------------


def test_a_rule_on_a_section_covers_the_clauses_of_its_subsections() -> None:
    from kspub.law.notice import _lineage

    text = "{#general}\n## 一、总则\n\n{#part}\n### （一）小节\n\n{#nature}\n1.1 本协议是有效契约。\n"
    a = agreement("notice:\n  rules:\n    - {clauses: [general], period: 15日, clause: nature}\n", "示例协议", text)
    assert _lineage("nature", [a]) == {"nature", "part", "general"}
    found = assess(["nature"], a, a, load_calendar(), announced=dt.date(2026, 3, 2))
    assert [(app.rule.clauses, app.clauses) for app in found.applications] == [(("general",), ("nature",))]
    assert (found.announced, found.earliest_effective) == (dt.date(2026, 3, 2), dt.date(2026, 3, 18))


def test_a_notice_block_that_does_not_read_is_one_error_at_its_line() -> None:
    broken = demo(BASE.replace("period: 30日", "period: 0日"))
    with pytest.raises(KspubError) as info:
        policy_of(broken)
    assert (info.value.code, info.value.path, info.value.line) == ("KS120", broken.path, broken.meta.field_lines["notice"])
    assert "0日" in info.value.message


@pytest.mark.parametrize(
    ("notice", "problems"),
    [
        # a rule without a period does not stop the rules after it from being judged
        ("notice:\n  default: {channels: [site], clause: changes}\n  rules:\n    - {tags: [fees], period: 5日, basis: 电子商务法第三十四条}\n",
         ["KS132 通知规则（电子商务法第三十四条）的通知期 5个自然日 短于电子商务法第三十四条规定的7个自然日：协议不能降低法律规定的期限。"]),
        # every clause a rule rests on, and every period they write
        ("notice:\n  default: {period: 20日, clause: [changes, fee-notice]}\n",
         ["KS131 通知规则的通知期 20个自然日 与所依据的条款 1.1、1.2 不一致（条款中写的是：30个自然日、10个自然日）：请让规则与条款一致，"
          "或改正 clause。"]),
        # a number of this agreement is KS134, not an unknown statute; the statute after it is still looked up
        ("notice:\n  default: {period: 30日, clause: changes, basis: 本协议第1.1条；民法典第九百条}\n",
         ["KS134 通知规则的 basis “本协议第1.1条；民法典第九百条” 按编号引用本协议条款：条款重新编号后编号会指向别的条款。请改为 "
          "clause: 条款ID（报告会显示该条款当前的编号），basis 只写法律条文。",
          "KS133 通知规则引用的 “民法典第九百条” 不是本仓库收录的法律条文：请核对法律名称和条号；可引用的条文见 docs/legal/statutes.md，"
          "新增条文请先收录原文。"]),
        # the same with the number in Chinese, which is read as an article of no law first: passed over, not the end
        ("notice:\n  default: {period: 30日, clause: changes, basis: 本协议第十二条；民法典第九百条}\n",
         ["KS134 通知规则的 basis “本协议第十二条；民法典第九百条” 按编号引用本协议条款：条款重新编号后编号会指向别的条款。请改为 "
          "clause: 条款ID（报告会显示该条款当前的编号），basis 只写法律条文。",
          "KS133 通知规则引用的 “民法典第九百条” 不是本仓库收录的法律条文：请核对法律名称和条号；可引用的条文见 docs/legal/statutes.md，"
          "新增条文请先收录原文。"]),
    ],
)  # fmt: skip
def test_each_rule_is_bound_to_its_text_and_its_statutes(notice: str, problems: list[str]) -> None:
    assert [d.format() for d in lint_notice(agreement(notice))] == [f"{PATH}:6: {p}" for p in problems]


def test_an_unknown_article_in_a_list_of_statutes_does_not_hide_the_known_ones_after_it() -> None:
    a = demo(f"notice: {{default: {OK}, statutes: [电子商务法第九百条、第三十四条]}}\n")
    policy, problems = load_policy(a.meta, a.path)
    assert [d.format() for d in problems] == [
        f"{PATH}:6: KS133 notice.statutes 中的 “电子商务法第九百条、第三十四条” 不是本仓库收录的法律条文：可引用的条文见 docs/legal/statutes.md。"]
    assert [r.basis for r in policy.statutes] == ["电子商务法第三十四条"]
