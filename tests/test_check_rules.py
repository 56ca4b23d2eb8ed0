"""The rules in force, rules bound to their text, statutory duties by their source, a report that tells the truth.

Each attack is written as the pull request an editor could open to get around a rule (docs/decisions/0403 and
0404); the gate must refuse it or compute the stricter date.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kspub.cli import main
from kspub.law.notice_lint import lint_notice
from kspub.law.rules_in_force import assess_in_force
from kspub.law.workdays import load_calendar
from kspub.model import Agreement
from kspub.parse import parse_agreement

from .conftest import git
from .test_check import FEE, A, agreement, branch_with, check, dates


def parsed(text: str, path: str = "agreements/demo.md") -> Agreement:
    result = parse_agreement(text, path)
    assert result.agreement is not None, result.diagnostics
    return result.agreement


def codes(out: str) -> set[str]:
    import re

    return set(re.findall(r"\bKS\d{3}\b", out))


# --- 1. the rules in force judge the change -----------------------------------------------------------------


def test_shortening_the_clause_and_its_rule_in_one_pr_is_judged_under_the_old_rule(make_repo: Callable[..., Path]) -> None:
    # the attack: 1.2 goes from 10 to 5 natural days, the rule follows it to 5, and the change takes effect 7 days
    # after the notice. Customers were promised 10: under the base's rule E is 03-13.
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("10", "5"), extra=dates("2026-03-02", "2026-03-10")))
    code, out = check(repo)
    assert code == 1, out
    assert "KS414 生效日期 2026-03-10 早于最早合法生效日 2026-03-13：依 本协议第1.2条（现行规则）" in out
    assert "KS445" in out and "通知期 10个自然日 → 5个自然日" in out
    assert "依现行规则（客户已知的版本）为 2026-03-13，依新规则为 2026-03-10" in out


def test_lowering_a_rule_without_changing_its_clause_fails(make_repo: Callable[..., Path]) -> None:
    # the attack: the default 7日 becomes 3日 in the front matter only; 1.1 still promises 7 days
    repo = branch_with(make_repo, agreement("1.0").replace("    period: 7日\n", "    period: 3日\n", 1))
    code, out = check(repo)
    assert code == 1, out
    assert "KS131 通知规则的通知期 3个自然日 与所依据的条款 1.1 不一致（条款中写的是：7个自然日）" in out
    # the same attack with the period dropped altogether (nothing left for the text to contradict)
    (repo / A).write_text(agreement("1.0").replace("    period: 7日\n", "", 1), "utf-8")
    code, out = check(repo)
    assert code == 1, out
    assert "条款变更 0 处" in out and "通知规则变更 1 处" in out
    assert "[降低] 默认规则（本协议第1.1条）：通知期 7个自然日 → 无" in out
    assert "KS441 降低了通知要求" in out


def test_a_rule_change_alone_is_listed_even_when_the_text_is_unchanged(make_repo: Callable[..., Path]) -> None:
    # raising a rule (a channel added) is no error, but it is a change the report shows
    text = agreement("1.0").replace("    channels: [site]\n", "    channels: [site, email]\n", 1)
    repo = branch_with(make_repo, text)
    code, out = check(repo)
    assert code == 0, out
    assert "KS440 （提示）通知规则变更：默认规则（本协议第1.1条）：新增通知渠道 电子邮件。" in out


def test_dropping_channels_or_narrowing_scope_is_lowering(make_repo: Callable[..., Path]) -> None:
    text = agreement("1.0").replace("      channels: [site, email]\n", "      channels: [site]\n", 1)
    code, out = check(branch_with(make_repo, text))
    assert code == 1 and "删除通知渠道 电子邮件" in out and "KS441" in out


def test_a_rule_resting_on_a_statute_cannot_be_lowered(make_repo: Callable[..., Path]) -> None:
    text = agreement("1.0").replace("      consent: true\n", "      channels: [site]\n", 1)
    code, out = check(branch_with(make_repo, text))
    assert code == 1, out
    assert "KS442" in out and "不再要求重新取得同意" in out


def test_removing_a_rule_is_lowering(make_repo: Callable[..., Path]) -> None:
    text = agreement("1.0").replace(
        "    - tags: [personal-information]\n      consent: true\n      basis: 个人信息保护法第十四条\n", "")
    code, out = check(branch_with(make_repo, text))
    assert code == 1 and "删除规则" in out and "KS442" in out


def test_a_stricter_new_rule_governs_and_both_dates_are_shown(make_repo: Callable[..., Path]) -> None:
    # 1.2 goes from 10 to 20 natural days (a longer promise): the new rule governs, E 03-24 (L 03-22 Sun → 03-23)
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("10", "20"), extra=dates("2026-03-02", "2026-03-13")))
    code, out = check(repo)
    assert code == 1
    assert "最早合法生效日 2026-03-24：依 本协议第1.2条（新规则）" in out
    assert "KS443" in out and "依现行规则（客户已知的版本）为 2026-03-13，依新规则为 2026-03-24" in out
    code, md = check(repo, "--format", "markdown")
    assert "| 现行规则 / 新规则 | 最早 2026-03-13 / 最早 2026-03-24，以较晚者为准 |" in md


def test_the_fee_window_follows_the_clause_not_a_stale_rule(make_repo: Callable[..., Path]) -> None:
    # 1.2 changed to 5 or 15 days while the rule still says 10: the rule no longer matches its clause
    repo = branch_with(make_repo, agreement("1.0"))
    for days in ("5", "15"):
        text = agreement("2.0", extra=dates("2026-03-02", "2026-03-31")).replace(FEE, FEE.replace("10", days))
        (repo / A).write_text(text, "utf-8")
        code, out = check(repo)
        assert code == 1, out
        assert f"KS131 通知规则的通知期 10个自然日 与所依据的条款 1.2 不一致（条款中写的是：{days}个自然日）" in out
        assert "以下协议文件有变化，但未通过源文件检查" in out and "没有协议或 SLA 目录发生变化" not in out


def test_renumbered_clause_is_cited_by_its_current_number(make_repo: Callable[..., Path]) -> None:
    # a new clause 1.2 pushes the fee clause to 1.3: the rule follows its clause ID, never the old number
    text = agreement("2.0", fee=FEE.replace("通知您", "书面通知您"), extra=dates("2026-03-02", "2026-03-13"))
    text = text.replace("{#fee-notice", "{#new-clause}\n1.2 新增的条款。\n\n{#fee-notice").replace("1.2 免费", "1.3 免费")
    text = text.replace("1.3 我们", "1.4 我们")
    code, out = check(branch_with(make_repo, text))
    assert code == 0, out
    assert "依 本协议第1.3条，最早生效日为 2026-03-13" in out
    assert "本协议第1.2条" not in out.split("通知要求：")[1]


def test_tag_removed_in_the_pr_does_not_escape_the_base_rule(make_repo: Callable[..., Path]) -> None:
    text = agreement("2.0", fee=FEE.replace("通知您", "书面通知您"), extra=dates("2026-03-02", "2026-03-10"))
    code, out = check(branch_with(make_repo, text.replace('{#fee-notice tags="fees"}', "{#fee-notice}")))
    assert code == 1 and "KS414" in out and "2026-03-13" in out


# --- 2. rules bound to the text (lint) ---------------------------------------------------------------------------

LINT_BODY = """
{#general}
## 一、总则

{#changes}
1.1 本协议变更的，金山云将提前三十日公告。

{#fee-notice tags="fees"}
1.2 免费服务转为收费前，金山云将提前十个自然日通知您。
"""


def lint_codes(notice: str) -> list[str]:
    text = f"---\nid: demo\ntitle: 示例协议\nkind: agreement\nversion: \"1.0\"\n{notice}---\n{LINT_BODY}"
    return [d.code for d in lint_notice(parsed(text))]


def test_periods_compare_as_periods_with_chinese_numerals() -> None:
    notice = ("notice:\n  default: {period: 30日, channels: [site], clause: changes}\n"
              "  rules:\n    - {tags: [fees], period: 10个自然日, clause: fee-notice}\n")  # fmt: skip
    assert lint_codes(notice) == []
    assert lint_codes(notice.replace("30日", "1个月")) == ["KS131"]
    assert lint_codes(notice.replace("10个自然日", "10个工作日")) == ["KS131"]


def test_rule_binding_lint_codes() -> None:
    base = "notice:\n  default: {period: 30日, channels: [site], clause: changes}\n  rules:\n    - "
    assert lint_codes(base + "{tags: [fees], period: 10日, clause: no-such-clause}\n") == ["KS130"]
    assert lint_codes(base + "{tags: [fees], period: 10日, basis: 本协议第1.2条}\n") == ["KS134"]
    assert lint_codes(base + "{tags: [fees], consent: true, basis: 个人信息保护法第九十九条}\n") == ["KS133"]
    assert lint_codes(base + "{tags: [fees], consent: true, basis: 网络安全法第二十二条}\n") == ["KS133"]
    assert lint_codes(base + "{tags: [fees], period: 5日, basis: 电子商务法第三十四条}\n") == ["KS132"]
    assert lint_codes(base + "{tags: [fees], period: 7日, basis: 电子商务法第三十四条}\n") == []
    assert lint_codes(base + "{tags: [fees], period: 20日, basis: 个人信息保护法第十四条}\n") == ["KS135"]
    assert lint_codes(base + "{tags: [fees], consent: true, basis: 个人信息保护法第二十二条、第二十三条、第三十九条}\n") == []
    assert lint_codes("notice:\n  default: {period: 30日, channels: [site], clause: changes}\n"
                      "  statutes: [电子商务法第九十九条]\n") == ["KS133"]  # fmt: skip


def test_the_real_agreements_lint_clean_and_cite_current_numbers() -> None:
    from kspub.law.notice import policy_of

    from .conftest import ROOT

    a = parsed((ROOT / "agreements/cloud-service-agreement.md").read_text("utf-8"),
               "agreements/cloud-service-agreement.md")  # fmt: skip
    assert lint_notice(a) == []
    policy = policy_of(a)
    assert policy.default is not None and policy.default.describe(a) == "本协议第1.6条；本协议第1.7条"
    assert [r.describe(a) for r in policy.rules][0] == "本协议第4.4条"
    # cited from the SLA catalogue, where 本协议 names nothing: by the agreement's title
    assert policy.default.describe(a, by_title=True) == "金山云云服务使用协议第1.6条；金山云云服务使用协议第1.7条"


def test_a_basis_citing_the_agreement_s_own_clause_is_cited_by_title_from_elsewhere() -> None:
    from kspub.law.notice import NoticeRule

    a = parsed("---\nid: x\ntitle: 示例政策\nkind: policy\nversion: \"1.0\"\n---\n\n{#one}\n1.1 正文。\n", "agreements/x.md")
    rule = NoticeRule(basis="本政策第1.1条；电子商务法第三十四条")
    assert rule.describe(a) == "本政策第1.1条；电子商务法第三十四条"
    assert rule.describe(a, by_title=True) == "示例政策第1.1条；电子商务法第三十四条"


# --- 3. statutory duties by their source ----------------------------------------------------------------------

MARKET = """---
id: demo
title: 示例销售协议
kind: agreement
version: "{version}"
{extra}notice:
  default:
    period: 30日
    channels: [site, console]
    clause: agreement-changes
  statutes: [电子商务法第三十四条]
---

{{#general}}
## 三、协议变更

{{#agreement-changes}}
3.2 本协议内容发生变更的，金山云应提前30日通过官网或控制台进行公告。

{{#refunds tags="fees"}}
3.3 {refunds}
"""


def test_marketplace_periods_each_by_their_source_and_art_34_duties(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: MARKET.format(version="1.0", extra="", refunds="退款在7个工作日内完成。")})
    git(repo, "checkout", "-q", "-b", "change")
    (repo / A).write_text(MARKET.format(version="2.0", extra=dates("2026-03-02", "2026-04-02"),
                                        refunds="退款在15个工作日内完成。"), "utf-8")  # fmt: skip
    code, out = check(repo)
    assert code == 0, out
    assert "本协议第3.2条：30个自然日（适用于 refunds）" in out
    assert "电子商务法第三十四条：7个自然日（适用于 refunds）" in out
    assert "电子商务法第三十四条另要求：（1）在首页显著位置公开征求意见" in out
    assert "KS444" in out and "修改内容至少在实施前七日予以公示" in out and "按照修改前的服务协议和交易规则承担相关责任" in out
    assert "本协议第3.2条；电子商务法第三十四条" not in out  # never one source for both periods
    code, md = check(repo, "--format", "markdown")
    assert "| 适用规则 | 本协议第3.2条：30个自然日，最早 2026-04-02（起决定作用） |" in md
    assert "| 适用规则 | 电子商务法第三十四条：7个自然日，最早 2026-03-10 |" in md
    assert "| 电子商务法第三十四条要求 | 在首页显著位置公开征求意见" in md


def test_the_real_marketplace_agreement_states_art_34() -> None:
    from kspub.law.notice import policy_of

    from .conftest import ROOT

    a = parsed((ROOT / "agreements/marketplace-sales-agreement.md").read_text("utf-8"),
               "agreements/marketplace-sales-agreement.md")  # fmt: skip
    policy = policy_of(a)
    assert policy.default is not None and policy.default.describe(a) == "本协议第3.2条"
    (art34,) = policy.statutes
    assert art34.basis == "电子商务法第三十四条" and art34.period is not None and art34.period.display == "7个自然日"
    assert len(art34.duties) == 3


# --- 4. a report that tells the truth ---------------------------------------------------------------------------


def test_an_editorial_row_never_opens_with_material(make_repo: Callable[..., Path]) -> None:
    # a fees clause: the downgrade needs its approver (KS450, decision record 0405)
    note = "change_notes:\n  - clause: fee-notice\n    class: editorial\n    reason: 文字调整\n    approved_by: 法务总监\n"
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("通知您", "书面通知您"),
                                            extra=dates("2026-03-02", "2026-03-02") + note))  # fmt: skip
    code, out = check(repo)
    rows = [line for line in out.splitlines() if "[编辑性]" in line]
    assert rows and all("：实质性变更" not in r for r in rows), out
    assert "人工定为编辑性；自动判定为实质性变更" in rows[0]


def test_no_notice_rules_never_prints_an_empty_requirement(make_repo: Callable[..., Path]) -> None:
    bare = agreement("1.0").split("notice:")[0] + "---\n" + agreement("1.0").split("---\n", 2)[2]
    repo = make_repo({A: bare})
    git(repo, "checkout", "-q", "-b", "change")
    (repo / A).write_text(bare.replace('version: "1.0"', 'version: "2.0"\n' + dates("2026-03-02", "2026-03-02").strip())
                          .replace("通知您", "书面通知您"), "utf-8")  # fmt: skip
    code, out = check(repo)
    assert "通知要求：。" not in out
    assert "没有 default" in out


def test_a_window_into_an_unknown_year_names_the_file_and_the_notice(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("通知您", "书面通知您"),
                                            extra=dates("2026-12-28", "2027-01-20")))  # fmt: skip
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-12-28"])
    assert result.exit_code == 1
    assert "calendar/2027.yaml" in result.stdout
    assert "《国务院办公厅关于2027年部分节假日安排的通知》" in result.stdout


def test_json_report_carries_rule_changes_and_both_dates(make_repo: Callable[..., Path]) -> None:
    repo = branch_with(make_repo, agreement("2.0", fee=FEE.replace("10", "5"), extra=dates("2026-03-02", "2026-03-13")))
    code, _ = check(repo)
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", "main", "--today", "2026-03-02",
                                       "--format", "json"])  # fmt: skip
    (a,) = json.loads(result.stdout)["agreements"]
    assert a["notice"]["base_rules_effective_date"] == "2026-03-13"
    assert a["notice"]["new_rules_effective_date"] == "2026-03-10"
    assert a["notice"]["earliest_effective_date"] == "2026-03-13"
    assert a["rule_changes"] == [{"rule": "通知规则（本协议第1.2条，适用于 fees）", "changes": ["通知期 10个自然日 → 5个自然日"],
                                  "lowered": True, "clauses": ["fee-notice"], "statutory": False}]  # fmt: skip


# --- 5. properties ----------------------------------------------------------------------------------------------

CALENDAR = load_calendar()
PERIODS = st.sampled_from(["3日", "5日", "7日", "10个自然日", "15日", "20日", "5个工作日", "10个工作日", "1个月"])
ANNOUNCED = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 10, 31))


def with_rules(default: str, fee: str, *, text: bool = True) -> Agreement:
    """The demo agreement with the given rule periods; ``text``: the clauses say the same (else the old text)."""
    src = agreement("1.0")
    src = src.replace("    period: 7日\n", f"    period: {default}\n", 1).replace("      period: 10个自然日\n",
                                                                                f"      period: {fee}\n", 1)  # fmt: skip
    if text:
        src = src.replace("提前7日公告", f"提前{default}公告").replace("提前10个自然日", f"提前{fee}")
    return parsed(src)


@settings(max_examples=60, deadline=None)
@given(old_default=PERIODS, old_fee=PERIODS, new_default=PERIODS, new_fee=PERIODS, announced=ANNOUNCED)
def test_lowering_rules_inside_a_pr_never_lowers_the_earliest_date(
    old_default: str, old_fee: str, new_default: str, new_fee: str, announced: date
) -> None:
    old = with_rules(old_default, old_fee)
    kept = with_rules(old_default, old_fee)
    changed = with_rules(new_default, new_fee)
    material = ["nature", "fee-notice"]
    before = assess_in_force(material, old, kept, CALENDAR, announced=announced).earliest_effective
    after = assess_in_force(material, old, changed, CALENDAR, announced=announced).earliest_effective
    assert before is not None and after is not None
    assert after >= before


@settings(max_examples=60, deadline=None)
@given(old_default=PERIODS, old_fee=PERIODS, new_default=PERIODS, new_fee=PERIODS, announced=ANNOUNCED,
       later=st.integers(min_value=0, max_value=40))  # fmt: skip
def test_the_verdict_is_monotone_in_the_announced_date(
    old_default: str, old_fee: str, new_default: str, new_fee: str, announced: date, later: int
) -> None:
    old, new = with_rules(old_default, old_fee), with_rules(new_default, new_fee)
    for material in (["nature"], ["fee-notice"], ["nature", "fee-notice"]):
        first = assess_in_force(material, old, new, CALENDAR, announced=announced).earliest_effective
        second = assess_in_force(material, old, new, CALENDAR, announced=announced + timedelta(days=later))
        assert first is not None and second.earliest_effective is not None
        assert second.earliest_effective >= first
        # and a date that passes at the later announcement passed at the earlier one
        assert second.earliest_effective >= announced + timedelta(days=later)


def test_every_known_article_is_documented() -> None:
    from kspub.law.statutes import ARTICLES, chinese_article, cited_articles

    from .conftest import ROOT

    page = (ROOT / "docs/legal/statutes.md").read_text("utf-8")
    for article in ARTICLES.values():
        assert f"| {article.citation} |" in page
        (found,) = cited_articles(article.citation)
        assert found.article == article
    assert [chinese_article(n) for n in (14, 34, 139, 496, 1259, 10, 105)] == [
        "十四", "三十四", "一百三十九", "四百九十六", "一千二百五十九", "十", "一百零五"]


def test_the_real_fee_clause_binds_its_rule() -> None:
    # 4.4 of the service agreement changed to 5 or 15 natural days: the 10-day fee rule no longer matches it
    from .conftest import ROOT

    path = "agreements/cloud-service-agreement.md"
    source = (ROOT / path).read_text("utf-8")
    for days in ("5", "15", "十五"):
        changed = source.replace("届时金山云将提前10个自然日", f"届时金山云将提前{days}个自然日")
        found = [d for d in lint_notice(parsed(changed, path)) if d.code == "KS131"]
        assert len(found) == 1 and "与所依据的条款 4.4 不一致" in found[0].message
