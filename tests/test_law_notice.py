"""Notice rules as the front matter writes them (kspub.law.notice, notice_lint, rules_in_force, statutes): every
refusal of a notice block word for word, the rules read from it, and what the gate says they require
(docs/source-format.md §四, docs/decisions/0401, 0403, 0404)."""

from __future__ import annotations

import pytest

from kspub.law.notice import load_policy
from kspub.law.period import Period, Unit
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
