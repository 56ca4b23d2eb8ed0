"""Every code the pull-request gate blocks with, each driven through the real `kspub check`.

One test per blocking code (decision record 0402, kspub/check.py, kspub/check_content.py, kspub/law/): the pull
request that trips it fails the check (exit 1, 检查未通过), the finding is that code at the file and line it is
about (or names the file and says what to do when there is no line), and the same change done right passes, so
every test can fail. :data:`COVERED` maps each code to its test; a test below keeps the map complete as codes
are added to the gate. Lint errors block the gate too: every invalid lint fixture is pushed through it.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from kspub.cli import main
from kspub.release import release

from . import oracle_rules as oracle
from .conftest import RECORDED, ROOT, git, release_all
from .test_check import FEE, PURPOSE, A, agreement, dates

pytestmark = pytest.mark.e2e

RECORD = "agreements/releases/demo.yaml"
SLA = "sla/catalogue.yaml"
TODAY = "2026-03-02"
FICTIONAL = Path(__file__).parent / "fixtures" / "calendar" / "fictional"
ORACLE = oracle.Calendar.official()

#: The fee clause changed in a way that is material and leaves its 10-day period (and so its rule) alone.
WRITTEN_FEE = FEE.replace("通知您", "书面通知您")
#: A lawful 2.0 of the demo agreement announced on TODAY: the fee rule's 10个自然日 gives E 2026-03-13.
LAWFUL = dates(TODAY, "2026-03-13")


# --- the gate and what it says ---------------------------------------------------------------------------------

_FINDING = re.compile(r"^\s*(?:错误：)?(?:(?P<path>[^\s:]*?)(?::(?P<line>\d+))?: )?(?P<code>KS\d{3}) (?P<message>.*)$")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int | None
    code: str
    message: str


@dataclass(frozen=True)
class Gate:
    exit_code: int
    out: str
    """stdout and stderr of the text report."""

    def findings(self, code: str) -> list[Finding]:
        found = []
        for raw in self.out.splitlines():
            m = _FINDING.match(raw)
            if m and m["code"] == code:
                found.append(Finding(m["path"] or "", int(m["line"]) if m["line"] else None, code, m["message"]))
        return found

    def codes(self) -> set[str]:
        return {m["code"] for raw in self.out.splitlines() if (m := _FINDING.match(raw))}

    def blocks(self, code: str, path: str, line: int | None, *says: str) -> Finding:
        """The check fails, and ``code`` is reported as an error at ``path:line`` saying each of ``says``."""
        assert self.exit_code == 1, self.out
        at = [f for f in self.findings(code) if f.path.endswith(path) and f.line == line]
        assert at, f"no {code} at {path}:{line}:\n{self.out}"
        finding = at[0]
        assert not finding.message.startswith(("（警告）", "（提示）")), finding  # an error, not a warning
        for phrase in says:
            assert phrase in finding.message, f"{phrase!r} not in {finding.message!r}"
        return finding

    def passes(self) -> None:
        assert self.exit_code == 0, self.out
        assert "检查通过：可以合并。" in self.out, self.out


def gate(repo: Path, today: str = TODAY, *, base: str = "main", release_first: bool = True) -> Gate:
    """What CI runs on a pull request: the editor released what they changed, then ``kspub check``."""
    if release_first:
        release_all(repo, date.fromisoformat(today))
    result = CliRunner().invoke(main, ["check", "--root", str(repo), "--base", base, "--today", today])
    return Gate(result.exit_code, result.stdout + result.stderr)


def line_of(text: str, prefix: str) -> int:
    """The 1-based line of ``text`` that starts with ``prefix``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


@pytest.fixture
def pr(make_repo: Callable[..., Path]) -> Callable[..., Path]:
    """``pr(base_files, head_files)``: ``base_files`` committed on main, ``head_files`` written on a branch."""

    def open_pr(base: dict[str, str], head: dict[str, str] | None = None) -> Path:
        repo = make_repo(base, "基础版本")
        git(repo, "checkout", "-q", "-b", "change")
        for name, text in (head or {}).items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text, "utf-8")
        return repo

    return open_pr


def write(repo: Path, name: str, text: str) -> str:
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).write_text(text, "utf-8")
    return text


IN_FORCE = "announced: 2026-01-05\neffective: 2026-01-20\n"


# --- versions and dates -----------------------------------------------------------------------------------------


def test_ks410_legal_text_changed_under_the_same_label(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    text = write(repo, A, agreement("1.0", fee=WRITTEN_FEE, extra=IN_FORCE))
    gate(repo).blocks("KS410", A, line_of(text, "version:"), "修改了版本 1.0 的正文却没有更换版本号", "请把 version 改为新的版本号")
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL))
    gate(repo).passes()


CORRECTION = "corrections:\n  - date: 2026-03-02\n    reason: 更正笔误\n"


def test_ks411_a_correction_that_carries_a_material_change(pr: Callable[..., Path]) -> None:
    # the attack: a "correction" under the same label that shortens the fee notice from 10 to 5 days
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    text = write(repo, A, agreement("1.0", fee=FEE.replace("10", "5"), extra=IN_FORCE + CORRECTION))
    g = gate(repo)
    g.blocks("KS411", A, line_of(text, "corrections:"), "勘误只能做不改变含义的编辑性更正", "1 处实质性变更（fee-notice）",
             "请设置新的版本号并按通知规则公告")  # fmt: skip
    # done right: a correction of punctuation only is recorded and passes (KS423, a warning)
    write(repo, A, agreement("1.0", fee=FEE.replace("，", ","), extra=IN_FORCE + CORRECTION))
    g = gate(repo)
    g.passes()
    assert "KS411" not in g.codes() and g.findings("KS423")[0].message.startswith("（警告）")


def test_ks412_a_new_version_without_announced(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra="effective: 2026-03-13\nsummary: 调整。\n"))
    gate(repo).blocks("KS412", A, line_of(text, "version:"), "新版本 2.0 缺少公告日期 announced", "请写明")
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL))
    gate(repo).passes()


def test_ks413_a_new_version_without_effective(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=f"announced: {TODAY}\nsummary: 调整。\n"))
    gate(repo).blocks("KS413", A, line_of(text, "version:"), "新版本 2.0 缺少生效日期 effective", "请写明")
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL))
    gate(repo).passes()


def test_ks414_effective_before_the_earliest_lawful_date(pr: Callable[..., Path]) -> None:
    # 10个自然日 from Monday 2026-03-02: L = 03-12 (Thursday, a working day), E = 03-13
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=dates(TODAY, "2026-03-12")))
    gate(repo).blocks("KS414", A, line_of(text, "effective:"), "生效日期 2026-03-12 早于最早合法生效日 2026-03-13",
                      "须提前10个自然日通知", "期间最后一日为 2026-03-12", "请把 effective 改为 2026-03-13 或更晚")  # fmt: skip
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL))
    gate(repo).passes()


def test_ks415_material_changes_without_a_summary(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=f"announced: {TODAY}\neffective: 2026-03-13\n"))
    gate(repo).blocks("KS415", A, line_of(text, "version:"), "1 处实质性变更，但没有变更说明", "请在 summary 中")
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL))
    gate(repo).passes()


def test_ks418_an_announced_date_before_the_day_of_the_check(pr: Callable[..., Path]) -> None:
    # a notice takes effect when it is published (Civil Code Arts. 137, 139): it cannot be back-dated
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=dates("2026-03-01", "2026-03-13")))
    gate(repo).blocks("KS418", A, line_of(text, "announced:"), "公告日期 2026-03-01 早于今天（2026-03-02）",
                      "请改为实际公告的日期")  # fmt: skip
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL))  # announced the day of the check
    gate(repo).passes()
    # announced for a later day: lawful, counted from that day, and said to appear only then (KS428)
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=dates("2026-03-03", "2026-03-14")))
    g = gate(repo)
    g.passes()
    assert g.findings("KS428") and "KS418" not in g.codes()


def test_ks429_effective_before_an_earlier_released_version(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-06-01\n")})
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=dates(TODAY, "2026-04-01")))
    gate(repo).blocks("KS429", A, line_of(text, "effective:"), "早于已发布的版本 1.0（2026-06-01 生效）",
                      "请改为不早于 2026-06-01 的日期")  # fmt: skip
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=dates(TODAY, "2026-06-01")))
    gate(repo).passes()


# --- deleted agreements -------------------------------------------------------------------------------------------


def test_ks421_a_published_agreement_deleted_without_withdrawal(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    (repo / A).unlink()
    g = gate(repo, release_first=False)
    g.blocks("KS421", A, None, "删除了已发布的协议 demo", "kspub release demo --withdraw --reason 原因",
             "kspub release 新ID --renamed-from demo")  # fmt: skip
    # done right: the withdrawal is recorded; every version stays published (KS427)
    release(repo, "demo", today=RECORDED, withdraw=True, reason="产品下线")
    g = gate(repo, release_first=False)
    g.passes()
    assert g.findings("KS427")


def test_ks421_a_rename_recorded_as_such_is_no_deletion(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    (repo / A).unlink()
    write(repo, "agreements/demo-renamed.md", agreement("1.0", extra=IN_FORCE).replace("id: demo", "id: demo-renamed"))
    g = gate(repo, release_first=False)
    g.blocks("KS421", A, None, "删除了已发布的协议 demo")
    release(repo, "demo-renamed", today=RECORDED, renamed_from="demo", as_is=True)
    g = gate(repo, release_first=False)
    g.passes()
    assert "KS421" not in g.codes()


# --- notice rules changed by the pull request (decision record 0403) ------------------------------------------------


def test_ks441_a_rule_lowered_without_its_clause(pr: Callable[..., Path]) -> None:
    # the attack: the fee rule stops requiring email, in the front matter only; 1.2 is as customers know it
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("1.0").replace("      channels: [site, email]\n", "      channels: [site]\n", 1))
    gate(repo).blocks("KS441", A, line_of(text, "notice:"), "降低了通知要求", "删除通知渠道 电子邮件", "（fee-notice）",
                      "请恢复规则，或在同一版本中修改该条款")  # fmt: skip
    # done right: the clause changes with the rule in a new version, announced under the old rule (KS445)
    lowered = agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL).replace("      channels: [site, email]\n", "      channels: [site]\n", 1)
    write(repo, A, lowered)
    g = gate(repo)
    g.passes()
    assert g.findings("KS445") and "KS441" not in g.codes()


def test_ks442_a_rule_resting_on_a_statute_lowered(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("1.0").replace("      consent: true\n", "      channels: [site]\n", 1))
    gate(repo).blocks("KS442", A, line_of(text, "notice:"), "不再要求重新取得同意", "请恢复原规则")
    write(repo, A, agreement("1.0").replace("      consent: true\n", "      consent: true\n      channels: [site]\n", 1))
    g = gate(repo)  # raising a statutory rule (a channel added) is only listed
    g.passes()
    assert g.findings("KS440") and "KS442" not in g.codes()


def test_ks442_the_end_or_roll_mode_lowered(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    for mode, says in (("end: lenient", "生效方式 strict → lenient"), ("roll: statutory_only", "statutory_only")):
        text = write(repo, A, agreement("1.0").replace("  rules:\n", f"  {mode}\n  rules:\n", 1))
        gate(repo).blocks("KS442", A, line_of(text, "notice:"), says, "期间计算方式也不能在合并请求中放宽", "请恢复原规则")


def test_ks442_a_lowered_mode_does_not_lower_the_earliest_date(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    lenient = agreement("2.0", fee=WRITTEN_FEE, extra=dates(TODAY, "2026-03-12")).replace("  rules:\n", "  end: lenient\n  rules:\n", 1)
    text = write(repo, A, lenient)
    g = gate(repo)
    g.blocks("KS442", A, line_of(text, "notice:"), "生效方式 strict → lenient")
    g.blocks("KS414", A, line_of(text, "effective:"), "早于最早合法生效日 2026-03-13")


def test_ks442_the_end_mode_raised_passes(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0").replace("  rules:\n", "  end: lenient\n  rules:\n", 1)})
    write(repo, A, agreement("1.0").replace("  rules:\n", "  end: strict\n  rules:\n", 1))
    g = gate(repo)
    g.passes()
    assert g.findings("KS440") and "KS442" not in g.codes()


# --- overrides, consent, published IDs, labels (check_content) ------------------------------------------------------

BARE_NOTE = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 文字调整}\n"
APPROVED_NOTE = "change_notes:\n  - {clause: fee-notice, class: editorial, reason: 文字调整, approved_by: 法务总监}\n"


def test_ks450_a_hard_flagged_change_downgraded_without_an_approver(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    shorter = FEE.replace("10", "5")
    text = write(repo, A, agreement("1.1", fee=shorter, extra=dates(TODAY, TODAY) + BARE_NOTE))
    g = gate(repo)
    g.blocks("KS450", A, line_of(text, "  - {clause: fee-notice"), "不能降为编辑性修改", "写明批准人 approved_by")  # the note's line
    assert g.findings("KS414")  # and the change keeps its notice: still material
    write(repo, A, agreement("1.1", fee=shorter, extra=dates(TODAY, TODAY) + APPROVED_NOTE))
    g = gate(repo)
    g.passes()
    assert g.findings("KS451") and g.findings("KS451")[0].message.startswith("（警告）")


def test_ks452_a_personal_information_change_without_a_consent_plan(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    marketing = "我们收集您的手机号码，用于账号注册和营销推广。"
    text = write(repo, A, agreement("2.0", purpose=marketing, extra=dates(TODAY, "2026-03-20")))
    gate(repo).blocks("KS452", A, line_of(text, "1.3 "), "条款 purposes（1.3）新增新的处理目的或处理方式",
                      "个人信息保护法第十四条", "请在头信息 consent 中写明取得同意的方式、位置和所涉条款")  # fmt: skip
    plan = 'consent: {version: "2.0", method: popup, where: 登录后弹窗, clauses: [purposes]}\n'
    write(repo, A, agreement("2.0", purpose=marketing, extra=dates(TODAY, "2026-03-20") + plan))
    gate(repo).passes()


def _without_purposes(text: str) -> str:
    return text.replace(f'{{#purposes tags="personal-information"}}\n1.3 {PURPOSE}\n', "")


def test_ks454_a_published_clause_deleted_without_retiring_its_id(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, _without_purposes(agreement("2.0", extra=dates(TODAY, "2026-03-20"))))
    gate(repo).blocks("KS454", A, line_of(text, "version:"), "删除了已发布的条款 purposes（1.3）", "请把 purposes 加入头信息 retired")
    retired = write(repo, A, _without_purposes(agreement("2.0", extra=dates(TODAY, "2026-03-20") + "retired: [purposes]\n")))
    assert line_of(retired, "retired:")
    gate(repo).passes()


def test_ks455_an_id_of_a_released_version_given_to_other_text(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({A: agreement("1.0")}, "1.0")
    make_repo({A: _without_purposes(agreement("2.0", extra=dates("2026-03-01", "2026-03-20") + "retired: [purposes]\n"))},
              "2.0")  # fmt: skip
    git(repo, "checkout", "-q", "-b", "change")
    other = "我们不会向任何人出售您的信息。"
    text = write(repo, A, agreement("3.0", purpose=other, extra=dates(TODAY, "2026-04-20")))
    gate(repo).blocks("KS455", A, line_of(text, "{#purposes"), "条款 ID “purposes” 在已发布的版本 1.0 中用于另一段文字",
                      "请为新条款另起一个描述内容的 ID")  # fmt: skip
    write(repo, A, agreement("3.0", purpose=other, extra=dates(TODAY, "2026-04-20")).replace("{#purposes", "{#no-sale"))
    gate(repo).passes()


def test_ks456_a_version_label_that_does_not_increase(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("0.9", fee=WRITTEN_FEE, extra=LAWFUL))
    gate(repo).blocks("KS456", A, line_of(text, "version:"), "版本号方案见 docs/source-format.md 第三节")
    write(repo, A, agreement("1.1", fee=WRITTEN_FEE, extra=LAWFUL))
    gate(repo).passes()


# --- lint errors through the gate (decision record 0402: KS302, KS140, KS141; the notice block) -----------------------


def test_ks302_two_siblings_printed_with_one_number(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("2.0", extra=dates(TODAY, "2026-03-20")).replace("1.3 我们", "1.2 我们"))
    gate(repo).blocks("KS302", A, line_of(text, "1.2 我们"), "编号 “1.2” 与同级的上一条")
    write(repo, A, agreement("2.0", extra=dates(TODAY, "2026-03-20")).replace("1.3 我们", "1.4 我们"))
    g = gate(repo)
    g.passes()
    assert g.findings("KS301") and g.findings("KS301")[0].message.startswith("（警告）")  # a gap only warns


NO_DEFAULT = '---\nid: extra\ntitle: 新协议\nkind: agreement\nversion: "1.0"\nannounced: 2026-03-02\neffective: 2026-03-02\n---\n' \
             "\n{#scope}\n1.1 本协议适用于全部服务。本协议变更的，金山云将提前7日公告。\n"  # fmt: skip


def test_ks140_an_agreement_without_a_default_notice_rule(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")}, {"agreements/extra.md": NO_DEFAULT})
    gate(repo).blocks("KS140", "agreements/extra.md", line_of(NO_DEFAULT, "version:"), "notice.default")
    write(repo, "agreements/extra.md", NO_DEFAULT.replace("---\n\n", "notice: {default: {period: 7日, channels: [site], clause: scope}}\n---\n\n"))
    g = gate(repo)
    g.passes()
    assert g.findings("KS422")  # a new agreement needs no notice


def test_ks141_a_malformed_consent_plan(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    bad = 'consent: {version: "2.0", method: banner, clauses: [nowhere]}\n'
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL + bad))
    gate(repo).blocks("KS141", A, line_of(text, "consent:"), "consent.method 应为 popup")
    good = 'consent: {version: "2.0", method: popup, where: 登录后弹窗, clauses: [purposes]}\n'
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL + good))
    gate(repo).passes()


DEFAULT_RULE = "  default:\n    period: 7日\n    channels: [site]\n    clause: nature\n"
RULES = "  rules:\n"
#: (code, a part of the demo agreement's notice block, what replaces it, what the message says): each a notice
#: block lint refuses, so the gate cannot compare the file.
BAD_NOTICE = [
    ("KS120", "    period: 7日\n", "    period: 7周\n", "无法识别"),
    ("KS120", RULES, "  roll: sometimes\n" + RULES, "notice.roll 只能是 all_rest_days 或 statutory_only"),
    ("KS121", RULES, RULES + "    - {clauses: [nowhere], period: 7日, clause: nature}\n", "nowhere"),
    ("KS130", "    clause: nature\n", "    clause: no-such-clause\n", "no-such-clause"),
    ("KS131", "    period: 7日\n", "    period: 3日\n", "与所依据的条款 1.1 不一致"),
    ("KS132", RULES, RULES + "    - {tags: [fees], period: 5日, basis: 电子商务法第三十四条}\n", "电子商务法第三十四条"),
    ("KS133", RULES, RULES + "    - {tags: [fees], consent: true, basis: 个人信息保护法第九十九条}\n", "个人信息保护法第九十九条"),
    ("KS134", RULES, RULES + "    - {tags: [fees], period: 10日, basis: 本协议第1.2条}\n", "clause"),
    ("KS135", RULES, RULES + "    - {tags: [fees], period: 20日, basis: 个人信息保护法第十四条}\n", "20"),
]


@pytest.mark.parametrize(("code", "part", "bad", "says"), BAD_NOTICE,
                         ids=[f"{c}-{i}" for i, (c, *_rest) in enumerate(BAD_NOTICE)])  # fmt: skip
def test_ks12x_ks13x_a_notice_block_lint_refuses(pr: Callable[..., Path], code: str, part: str, bad: str, says: str) -> None:
    repo = pr({A: agreement("1.0")})
    assert part in agreement("1.0")
    text = write(repo, A, agreement("1.0").replace(part, bad, 1))
    g = gate(repo, release_first=False)
    g.blocks(code, A, line_of(text, "notice:"), says)
    assert "以下协议文件有变化，但未通过源文件检查" in g.out
    write(repo, A, agreement("1.0"))  # the block as it was: the file lints clean again
    gate(repo, release_first=False).passes()


# --- computing the earliest date ----------------------------------------------------------------------------------


def test_ks601_a_window_into_a_year_without_an_official_schedule(pr: Callable[..., Path]) -> None:
    # 10个自然日 from 2026-12-28 ends in 2027, whose schedule has not been published (docs/legal/periods.md §3.9)
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=dates("2026-12-28", "2027-01-20")))
    gate(repo, "2026-12-28").blocks("KS601", A, line_of(text, "announced:"), "通知期延伸到 2027 年",
                                    "calendar/2027.yaml", "《国务院办公厅关于2027年部分节假日安排的通知》")  # fmt: skip
    # done right: announced in time, the window stays in 2026 (L 12-15, Tuesday, E 12-16)
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=dates("2026-12-05", "2026-12-16")))
    gate(repo, "2026-12-05").passes()


def test_ks601_goes_once_the_repository_holds_the_year(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=dates("2026-12-28", "2027-01-20")))
    shutil.copytree(FICTIONAL, repo / "calendar")  # test data only: a complete, fictional 2027 schedule
    g = gate(repo, "2026-12-28")
    g.passes()
    assert "KS601" not in g.codes()


def test_ks602_a_year_file_without_all_seven_holidays(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    write(repo, "calendar/2027.yaml", "year: 2027\nnotice: 国务院办公厅关于2027年部分节假日安排的通知\nholidays:\n"
                                      "  - name: 元旦\n    rest: 2027-01-01\n")  # fmt: skip
    g = gate(repo, release_first=False)
    found = g.blocks("KS602", "calendar/2027.yaml", 4, "缺少春节、清明节、劳动节、端午节、中秋节、国庆节的放假安排", "请按2027年的通知补全全部七个节日")
    assert found.path == "calendar/2027.yaml"  # as in the repository, not where the file was read from
    (repo / "calendar/2027.yaml").write_text((FICTIONAL / "2027.yaml").read_text("utf-8"), "utf-8")
    gate(repo, release_first=False).passes()


def test_ks603_two_year_files_that_disagree(pr: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The day kspub ships a year the repository also keeps in its calendar/: they must agree."""
    from kspub.law import workdays

    shipped = (FICTIONAL / "2027.yaml").read_text("utf-8")
    monkeypatch.setattr(workdays, "_package_year_files",
                        lambda: iter([workdays.parse_year_file(shipped, "kspub/data/calendar/2027.yaml")]))  # fmt: skip
    repo = pr({A: agreement("1.0")})
    write(repo, "calendar/2027.yaml", shipped.replace("rest: 2027-06-09", "rest: 2027-06-10"))
    gate(repo, release_first=False).blocks("KS603", "calendar/2027.yaml", None, "kspub/data/calendar/2027.yaml",
                                           "给出的2027年节假日安排不一致", "同一年份只保留一个年份文件")  # fmt: skip
    write(repo, "calendar/2027.yaml", shipped)
    gate(repo, release_first=False).passes()


HOURS = agreement("1.0").replace("    period: 7日\n", "    period: 48小时\n", 1).replace("提前7日公告", "提前48小时公告")


def test_an_hour_rule_is_counted_from_the_end_of_the_announced_day(pr: Callable[..., Path]) -> None:
    """announced is a date (KS108 refuses a time): an hour rule is counted from 24:00 of that day, the latest
    moment the notice can take effect on it, and a version applies from 00:00 of its effective date (decision
    record 0103). 48小时 from 2026-03-03 00:00 run out at 03-05 00:00: E = 03-05; counted from the start of the
    announced day it would be 03-04, 30 hours after a notice published at 18:00."""
    repo = pr({A: HOURS})
    nature = ("本协议是您与金山云之间的有效契约。", "本协议是您与金山云之间具有法律约束力的契约。")  # the default rule only

    def version(effective: str) -> str:
        return HOURS.replace('version: "1.0"', 'version: "2.0"\n' + dates(TODAY, effective).strip()).replace(*nature)

    text = write(repo, A, version("2026-03-04"))
    g = gate(repo)
    g.blocks("KS414", A, line_of(text, "effective:"), "生效日期 2026-03-04 早于最早合法生效日 2026-03-05", "须提前48小时通知",
             "自公告日 2026-03-02 24时起算，至 2026-03-05 00:00（北京时间）届满", "请把 effective 改为 2026-03-05 或更晚")  # fmt: skip
    assert "KS615" not in g.codes()
    write(repo, A, version("2026-03-05"))
    gate(repo).passes()


def test_ks615_a_lawful_change_of_an_agreement_with_an_hour_rule_passes(pr: Callable[..., Path]) -> None:
    repo = pr({A: HOURS})
    # announced 2026-03-02, effective 18 days later: 48 hours have run out on any reading
    write(repo, A, HOURS.replace('version: "1.0"', 'version: "2.0"\n' + dates(TODAY, "2026-03-20").strip())
          .replace(FEE, WRITTEN_FEE))  # fmt: skip
    gate(repo).passes()


def test_ks616_a_window_past_the_last_computable_date(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=dates("9999-12-28", "9999-12-31")))
    gate(repo).blocks("KS616", A, line_of(text, "announced:"), "无法计算最早合法生效日", "9999-12-28")
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL))
    gate(repo).passes()


# --- the SLA catalogue (the gate's SLA path: the service agreement's default window, counted from today) ------------

SERVICE = """---
id: cloud-service-agreement
title: 金山云云服务使用协议
kind: agreement
version: "1.0"
notice:
  default: {{period: {period}, channels: [site], clause: amendment}}
{modes}---

{{#general}}
## 一、总则

{{#amendment}}
1.1 本协议变更的，金山云将提前{period}公告。
"""
CATALOGUE = """title: SLA
categories:
  - id: compute
    title: 计算
    entries:
      - id: ecs
        title: 云服务器
        availability: 99.95%
        version: '1'
        effective: 2026-01-01
"""


def service(period: str = "30日", modes: str = "") -> str:
    return SERVICE.format(period=period, modes=modes)


def sla_change(effective: str | None, version: str = "2", availability: str = "99.9%") -> str:
    text = CATALOGUE.replace("99.95%", availability).replace("version: '1'", f"version: '{version}'")
    return text.replace("2026-01-01", effective) if effective else text.replace("        effective: 2026-01-01\n", "")


ECS_LINE = line_of(CATALOGUE, "      - id: ecs")


def test_ks431_an_sla_commitment_changed_under_the_same_entry_version(pr: Callable[..., Path]) -> None:
    repo = pr({"agreements/cloud-service-agreement.md": service(), SLA: CATALOGUE})
    write(repo, SLA, sla_change("2026-04-02", version="1"))
    gate(repo).blocks("KS431", SLA, ECS_LINE, "SLA 条目 ecs 的承诺变化了（", "99.95% → 99.9%", "请设置新的版本号")
    write(repo, SLA, sla_change("2026-04-02"))
    gate(repo).passes()


def test_ks432_a_changed_sla_entry_without_an_effective_date(pr: Callable[..., Path]) -> None:
    repo = pr({"agreements/cloud-service-agreement.md": service(), SLA: CATALOGUE})
    write(repo, SLA, sla_change(None))
    gate(repo).blocks("KS432", SLA, ECS_LINE, "SLA 条目 ecs 变更后缺少生效日期 effective")
    write(repo, SLA, sla_change("2026-04-02"))
    gate(repo).passes()


def test_ks433_an_sla_change_effective_before_the_service_agreement_s_window(pr: Callable[..., Path]) -> None:
    # 30日 from Monday 2026-03-02: L = 04-01 (Wednesday, a working day), E = 04-02
    repo = pr({"agreements/cloud-service-agreement.md": service(), SLA: CATALOGUE})
    write(repo, SLA, sla_change("2026-04-01"))
    gate(repo).blocks("KS433", SLA, ECS_LINE, "SLA 条目 ecs 的生效日期 2026-04-01 早于最早合法生效日 2026-04-02",
                      "自今天 2026-03-02 公告起算")  # fmt: skip
    write(repo, SLA, sla_change("2026-04-02"))
    gate(repo).passes()


def test_ks433_the_entry_s_old_date_left_in_place_is_too_early(pr: Callable[..., Path]) -> None:
    repo = pr({"agreements/cloud-service-agreement.md": service(), SLA: CATALOGUE})
    write(repo, SLA, sla_change("2026-01-01"))
    gate(repo).blocks("KS433", SLA, ECS_LINE, "生效日期 2026-01-01 早于最早合法生效日 2026-04-02")


def test_ks433_cites_the_service_agreement_s_clause_by_its_title(pr: Callable[..., Path]) -> None:
    repo = pr({"agreements/cloud-service-agreement.md": service(), SLA: CATALOGUE})
    write(repo, SLA, sla_change("2026-04-01"))
    finding = gate(repo).blocks("KS433", SLA, ECS_LINE, "依据 金山云云服务使用协议")
    assert "本协议" not in finding.message, finding.message


def test_ks433_is_reported_once_per_entry(pr: Callable[..., Path]) -> None:
    repo = pr({"agreements/cloud-service-agreement.md": service(), SLA: CATALOGUE})
    write(repo, SLA, sla_change("2026-04-01").replace("title: 云服务器", "title: 云服务器\n        claim_window: 30日"))
    g = gate(repo)
    assert len(g.findings("KS433")) == 1, g.out
    assert "共 1 个错误" in g.out, g.out


def test_ks431_ks432_are_reported_once_per_entry_naming_every_change(pr: Callable[..., Path]) -> None:
    repo = pr({"agreements/cloud-service-agreement.md": service(), SLA: CATALOGUE})
    two_fields = sla_change(None, version="1").replace("title: 云服务器", "title: 云服务器\n        claim_window: 30日")
    write(repo, SLA, two_fields)
    g = gate(repo)
    (same_version,) = g.findings("KS431")
    assert "99.95% → 99.9%" in same_version.message and "申请赔偿期限" in same_version.message, same_version
    assert len(g.findings("KS432")) == 1 and "共 2 个错误" in g.out, g.out


def test_ks433_an_sla_change_is_judged_under_the_rules_in_force_too(pr: Callable[..., Path]) -> None:
    repo = pr({"agreements/cloud-service-agreement.md": service("30日"), SLA: CATALOGUE})
    shortened = service("7日").replace('version: "1.0"', 'version: "2.0"\n' + dates(TODAY, "2026-04-02", "通知期改为7日。").strip())
    write(repo, "agreements/cloud-service-agreement.md", shortened)
    write(repo, SLA, sla_change("2026-03-10"))  # 7日 from 03-02 gives 03-10; 30日 (in force) gives 04-02
    gate(repo).blocks("KS433", SLA, ECS_LINE, "早于最早合法生效日 2026-04-02")


def test_ks433_a_lowered_mode_does_not_lower_the_sla_date(pr: Callable[..., Path]) -> None:
    repo = pr({"agreements/cloud-service-agreement.md": service("30日"), SLA: CATALOGUE})
    write(repo, "agreements/cloud-service-agreement.md", service("30日", "  end: lenient\n"))  # KS442 on its own
    write(repo, SLA, sla_change("2026-04-01"))  # lenient: E = L = 04-01; strict, in force: 04-02
    g = gate(repo)
    g.blocks("KS433", SLA, ECS_LINE, "早于最早合法生效日 2026-04-02", "（现行规则）")
    g.blocks("KS442", "agreements/cloud-service-agreement.md", 6, "生效方式 strict → lenient")


def test_an_sla_window_into_an_unknown_year_blocks(pr: Callable[..., Path]) -> None:
    # 30日 from 2026-12-10 ends on 2027-01-09, in a year with no schedule: KS601 on the catalogue
    repo = pr({"agreements/cloud-service-agreement.md": service(), SLA: CATALOGUE})
    write(repo, SLA, sla_change("2027-02-01"))
    g = gate(repo, "2026-12-10")
    g.blocks("KS601", SLA, ECS_LINE, "通知期延伸到 2027 年", "本仓库的 calendar/2027.yaml",
             "《国务院办公厅关于2027年部分节假日安排的通知》")  # at the entry changed, the repository's year file named
    gate(repo, "2026-11-20").passes()  # L = 12-20 (Sunday) rolls to 12-21; E = 12-22, provisional


def test_ks419_an_sla_window_that_depends_on_late_december_says_it_is_provisional(pr: Callable[..., Path]) -> None:
    repo = pr({"agreements/cloud-service-agreement.md": service(), SLA: CATALOGUE})
    write(repo, SLA, sla_change("2026-12-22"))
    g = gate(repo, "2026-11-20")
    g.passes()
    assert g.findings("KS419"), g.out


def test_an_sla_change_under_an_hour_rule_is_counted_from_the_end_of_the_day(pr: Callable[..., Path]) -> None:
    # decision record 0103: 48小时 from 24:00 of the day of the check (2026-03-02) run out at 03-05 00:00
    repo = pr({"agreements/cloud-service-agreement.md": service("48小时"), SLA: CATALOGUE})
    write(repo, SLA, sla_change("2026-03-04"))
    g = gate(repo)
    g.blocks("KS433", SLA, ECS_LINE, "早于最早合法生效日 2026-03-05", "依据 金山云云服务使用协议第1.1条")
    assert "KS615" not in g.codes()
    write(repo, SLA, sla_change("2026-03-05"))
    gate(repo).passes()


#: The earliest lawful date of an SLA change, from docs/legal/periods.md §3 by hand: (today, service agreement's default
#: period, roll/end modes, the earliest date, why).
SLA_DATES = [
    ("2026-03-02", "30日", "", "2026-04-02", "L 04-01 (Wednesday)"),
    ("2026-09-05", "30日", "", "2026-10-09", "raw L 10-05 in the 国庆 block rolls to Thursday 10-08"),
    ("2026-01-15", "30日", "", "2026-02-15", "L 02-14 is a make-up Saturday: no roll"),
    ("2026-01-16", "30日", "", "2026-02-25", "raw L 02-15 opens 春节 (02-15…23): L 02-24"),
    ("2026-03-07", "30日", "", "2026-04-08", "raw L 04-06 ends 清明 (04-04…06): L 04-07"),
    ("2026-03-19", "30日", "", "2026-04-21", "raw L Saturday 04-18 rolls past the weekend to 04-20"),
    ("2026-03-19", "30日", "  roll: statutory_only\n", "2026-04-19", "an ordinary Saturday does not roll"),
    ("2026-03-06", "30日", "  roll: statutory_only\n", "2026-04-08", "Sunday 04-05 is inside 清明: L 04-07"),
    ("2026-03-19", "30日", "  end: lenient\n", "2026-04-20", "E = L"),
    ("2026-02-13", "10个工作日", "", "2026-03-06", "make-up Saturdays 02-14 and 02-28 count: L 03-05"),
    ("2026-01-31", "1个月", "", "2026-03-01", "no 02-31: L is the month's last day, 02-28, a make-up Saturday: no roll"),
]


@pytest.mark.parametrize(("today", "period", "modes", "earliest", "why"), SLA_DATES, ids=[row[-1] for row in SLA_DATES])
def test_the_gate_computes_the_earliest_lawful_date_of_an_sla_change(
    pr: Callable[..., Path], today: str, period: str, modes: str, earliest: str, why: str
) -> None:
    """The gate's SLA path counts the service agreement's default period from the day of the check: the day
    before the earliest date is refused with that date, the date itself passes — and it is the oracle's."""
    repo = pr({"agreements/cloud-service-agreement.md": service(period, modes), SLA: CATALOGUE})
    e = date.fromisoformat(earliest)
    roll = "statutory_only" if "statutory_only" in modes else "all_rest_days"
    end = "lenient" if "lenient" in modes else "strict"
    window = oracle.forward(date.fromisoformat(today), oracle.Period.parse(period), ORACLE, roll=roll, end=end)
    assert window.effective_date == e  # the hand computation, checked by the independent oracle
    write(repo, SLA, sla_change((e - timedelta(days=1)).isoformat()))
    gate(repo, today).blocks("KS433", SLA, ECS_LINE, f"早于最早合法生效日 {earliest}", f"自今天 {today} 公告起算")
    write(repo, SLA, sla_change(earliest))
    gate(repo, today).passes()


# --- the release record ------------------------------------------------------------------------------------------


def test_ks815_a_changed_text_not_released(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL))
    found = gate(repo, release_first=False).blocks("KS815", A, line_of(text, "version:"))
    assert found.message == f"协议 demo 的版本 2.0 没有登记：请运行 kspub release demo，并提交发布记录 {RECORD}"
    gate(repo).passes()  # released
    text = write(repo, A, agreement("2.0", fee=WRITTEN_FEE.replace("。", "！"), extra=LAWFUL))  # the released text edited
    found = gate(repo, release_first=False).blocks("KS815", A, line_of(text, "version:"))
    assert found.message == f"协议 demo 版本 2.0 的正文与发布记录不一致：请运行 kspub release demo，并提交发布记录 {RECORD}"
    new = write(repo, "agreements/other.md", agreement("1.0").replace("id: demo", "id: other"))  # never released
    found = gate(repo, release_first=False).blocks("KS815", "agreements/other.md", line_of(new, "version:"))
    assert found.message == "协议 other 还没有登记发布：请运行 kspub release other，并提交发布记录 agreements/releases/other.yaml"


def test_ks816_front_matter_dates_that_contradict_the_record(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    text = write(repo, A, agreement("1.0", extra="announced: 2026-01-05\neffective: 2026-01-10\n"))
    g = gate(repo, release_first=False)
    assert g.blocks("KS816", A, line_of(text, "effective:")).message == (
        "头信息中的 effective（2026-01-10）与发布记录中版本 1.0 的（2026-01-20）不一致：请运行 kspub release demo（推迟生效请加 --reason 说明原因）")
    text = write(repo, A, agreement("1.0", extra="announced: 2026-01-04\neffective: 2026-01-20\n"))
    assert gate(repo, release_first=False).blocks("KS816", A, line_of(text, "announced:")).message == (
        "头信息中的 announced（2026-01-04）与发布记录中版本 1.0 的（2026-01-05）不一致：请运行 kspub release demo")
    write(repo, A, agreement("1.0", extra=IN_FORCE))
    gate(repo, release_first=False).passes()


def test_ks817_a_recorded_entry_edited(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    record = (repo / RECORD).read_text("utf-8")
    edited = write(repo, RECORD, record.replace("effective: '2026-01-20'", "effective: '2026-01-10'"))
    found = gate(repo, release_first=False).blocks("KS817", RECORD, line_of(edited, "- version: '1.0'"))
    assert found.message.startswith("发布记录只能追加：修改了已记录的版本 1.0 的 effective")
    assert found.message.endswith(f"。请把 {RECORD} 恢复为 main 上的内容，再用 kspub release 登记")
    write(repo, RECORD, record)
    gate(repo, release_first=False).passes()


def test_ks818_an_event_that_contradicts_its_version(pr: Callable[..., Path]) -> None:
    announced = "announced: 2026-03-02\neffective: 2026-04-15\n"
    repo = pr({A: agreement("1.0", extra=announced)})
    record = (repo / RECORD).read_text("utf-8")
    event = "  events:\n  - event: postponement\n    date: '2026-03-02'\n    reason: 提前\n    effective: '2026-04-01'\n"
    write(repo, RECORD, record + event)
    write(repo, A, agreement("1.0", extra="announced: 2026-03-02\neffective: 2026-04-01\n"))
    gate(repo, release_first=False).blocks("KS818", RECORD, line_of(record, "- version: '1.0'"),
                                           "推迟生效事件把生效日期由 2026-04-15 改为 2026-04-01")  # fmt: skip
    # done right: a postponement to a later date, recorded by kspub release
    write(repo, RECORD, record)
    write(repo, A, agreement("1.0", extra="announced: 2026-03-02\neffective: 2026-05-01\n"))
    release(repo, "demo", today=date(2026, 3, 2), effective=date(2026, 5, 1), reason="系统改造延期")
    g = gate(repo, release_first=False)
    g.passes()
    assert "postponement" in (repo / RECORD).read_text("utf-8")


def test_ks819_two_new_versions_in_one_pull_request(pr: Callable[..., Path]) -> None:
    from kspub.record import dump_record, parse_record

    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL))
    release(repo, "demo", today=date(2026, 3, 2))
    first = parse_record((repo / RECORD).read_text("utf-8"), RECORD).release("2.0")
    write(repo, A, agreement("2.1", fee=WRITTEN_FEE, extra=LAWFUL))
    release(repo, "demo", today=date(2026, 3, 2))
    record = parse_record((repo / RECORD).read_text("utf-8"), RECORD)
    assert first is not None
    both = write(repo, RECORD, dump_record(replace(record, releases=(record.releases[0], first, record.releases[-1]))))
    g = gate(repo, release_first=False)
    g.blocks("KS819", RECORD, line_of(both, "- version: '2.1'"), "登记了 2 个新版本（2.0、2.1）", "请拆成多个合并请求")
    write(repo, RECORD, dump_record(replace(record, releases=(record.releases[0], record.releases[-1]))))
    gate(repo, release_first=False).passes()


# --- a history that cannot be trusted ---------------------------------------------------------------------------


def test_ks801_a_shallow_clone(pr: Callable[..., Path], tmp_path: Path) -> None:
    repo = pr({A: agreement("1.0")})
    git(repo, "checkout", "-q", "main")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{repo}", str(shallow)],
                   check=True)  # fmt: skip
    g = gate(shallow, base="origin/main", release_first=False)
    assert g.exit_code == 1 and "检查未通过" in g.out
    (finding,) = g.findings("KS801")
    assert "浅克隆" in finding.message
    full = tmp_path / "full"
    subprocess.run(["git", "clone", "-q", f"file://{repo}", str(full)], check=True)
    gate(full, base="origin/main", release_first=False).passes()


def test_ks801_says_what_to_do(pr: Callable[..., Path], tmp_path: Path) -> None:
    repo = pr({A: agreement("1.0")})
    git(repo, "checkout", "-q", "main")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{repo}", str(shallow)],
                   check=True)  # fmt: skip
    g = gate(shallow, base="origin/main", release_first=False)
    assert "git fetch --unshallow" in g.out and not re.search(r"^\s*: KS801", g.out, re.M), g.out


def _append_version(repo: Path, blob: str, sha256: str) -> str:
    record = (repo / RECORD).read_text("utf-8")
    return write(repo, RECORD, record + f"- version: '2.0'\n  path: {A}\n  blob: '{blob}'\n  sha256: '{sha256}'\n"
                 "  announced: '2026-03-02'\n  effective: '2026-03-20'\n  summary: 调整。\n  recorded: '2026-03-02'\n")


def test_ks810_a_record_that_does_not_read(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    record = (repo / RECORD).read_text("utf-8")
    write(repo, RECORD, record.replace("versions:", "versions: [", 1))
    gate(repo, release_first=False).blocks("KS810", RECORD, line_of(record, "versions:"), f"发布记录 {RECORD} 有误",
                                           "请恢复为主分支上的内容后重新运行 kspub release")  # fmt: skip
    write(repo, RECORD, record)
    gate(repo, release_first=False).passes()


def test_ks811_a_recorded_text_missing_from_the_repository(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    appended = _append_version(repo, "1" * 40, "2" * 64)
    gate(repo, release_first=False).blocks("KS811", RECORD, line_of(appended, "- version: '2.0'"),
                                           "demo@2.0", "在仓库中找不到", "git fetch --unshallow")  # fmt: skip


def test_ks812_a_record_whose_hash_does_not_match_its_text(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    blob = git(repo, "rev-parse", f"HEAD:{A}").strip()
    appended = _append_version(repo, blob, "2" * 64)
    gate(repo, release_first=False).blocks("KS812", RECORD, line_of(appended, "- version: '2.0'"),
                                           "demo@2.0", "的内容不符", "请把发布记录恢复为主分支上的内容")  # fmt: skip


def test_ks811_ks812_done_right_is_kspub_release(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    write(repo, A, agreement("2.0", fee=WRITTEN_FEE, extra=LAWFUL))
    gate(repo).passes()


def test_ks813_a_predecessor_without_a_record(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0", extra=IN_FORCE)})
    record = (repo / RECORD).read_text("utf-8")
    write(repo, RECORD, record.replace("versions:", "predecessor: nowhere\nversions:"))
    gate(repo, release_first=False).blocks("KS813", RECORD, None, "协议 demo 声明的前身 nowhere 没有发布记录",
                                           "predecessor 应为改名前的协议 ID")  # fmt: skip


def test_ks800_ks804_no_repository_or_no_base(pr: Callable[..., Path], tmp_path: Path) -> None:
    repo = pr({A: agreement("1.0")})
    g = gate(repo, base="no-such-branch", release_first=False)
    assert g.exit_code == 1 and "KS804" in g.codes() and "no-such-branch" in g.out and "请确认分支或提交存在" in g.out
    (tmp_path / "plain" / "agreements").mkdir(parents=True)
    g = gate(tmp_path / "plain", release_first=False)
    assert g.exit_code == 1 and "KS800" in g.codes() and "不是 git 仓库" in g.out
    gate(repo, release_first=False).passes()


# --- every lint error blocks the gate -------------------------------------------------------------------------

LINT = Path(__file__).parent / "fixtures" / "lint"
INVALID = sorted(p for p in (LINT / "invalid").iterdir() if p.is_dir())
LINT_WARNINGS = {"KS301"}


def _expected(case: Path) -> set[tuple[str, int | None]]:
    out: set[tuple[str, int | None]] = set()
    for row in (case / "expected.txt").read_text("utf-8").splitlines():
        code, where = row.split()
        out.add((code, None if where == "-" else int(where)))
    return out


def test_every_invalid_agreement_fixture_blocks_the_gate(pr: Callable[..., Path]) -> None:
    """Each invalid lint fixture as an agreement file of one pull request: every expected code at its line."""
    repo = pr({A: agreement("1.0")})
    cases = [c for c in INVALID if (c / "case.md").exists()]
    for case in cases:
        (repo / "agreements" / f"{case.name}.md").write_bytes((case / "case.md").read_bytes())
    g = gate(repo, release_first=False)
    assert g.exit_code == 1 and "检查未通过" in g.out
    missing = []
    for case in cases:
        path = f"agreements/{case.name}.md"
        reported = {(code, f.line) for code, _ in _expected(case) for f in g.findings(code) if f.path == path}
        if not _expected(case) <= reported:
            missing.append((case.name, _expected(case) - reported))
    assert not missing, missing


@pytest.mark.parametrize("case", [c for c in INVALID if (c / "catalogue.yaml").exists()], ids=lambda c: c.name)
def test_every_invalid_catalogue_fixture_blocks_the_gate(pr: Callable[..., Path], case: Path) -> None:
    repo = pr({A: agreement("1.0"), SLA: CATALOGUE})
    (repo / SLA).write_bytes((case / "catalogue.yaml").read_bytes())
    g = gate(repo, release_first=False)
    for code, line in _expected(case):
        g.blocks(code, SLA, line)


def test_the_valid_fixtures_pass_the_gate(pr: Callable[..., Path]) -> None:
    repo = pr({A: agreement("1.0")})
    for name in ("case.md", "full.md"):
        text = (LINT / "valid" / name).read_text("utf-8")
        agreement_id = re.search(r"^id: (\S+)$", text, re.M)
        assert agreement_id is not None
        write(repo, f"agreements/{agreement_id.group(1)}.md", text)
    g = gate(repo)
    assert not [c for c in g.codes() if c not in {"KS422"} | LINT_WARNINGS], g.out


# --- the map: every blocking code of the gate has its test above ----------------------------------------------------

#: Each code the gate can block with, and the test above that drives the gate into it.
COVERED: dict[str, str] = {
    "KS120": "test_ks12x_ks13x_a_notice_block_lint_refuses", "KS121": "test_ks12x_ks13x_a_notice_block_lint_refuses",
    "KS130": "test_ks12x_ks13x_a_notice_block_lint_refuses", "KS131": "test_ks12x_ks13x_a_notice_block_lint_refuses",
    "KS132": "test_ks12x_ks13x_a_notice_block_lint_refuses", "KS133": "test_ks12x_ks13x_a_notice_block_lint_refuses",
    "KS134": "test_ks12x_ks13x_a_notice_block_lint_refuses", "KS135": "test_ks12x_ks13x_a_notice_block_lint_refuses",
    "KS140": "test_ks140_an_agreement_without_a_default_notice_rule", "KS141": "test_ks141_a_malformed_consent_plan",
    "KS302": "test_ks302_two_siblings_printed_with_one_number",
    "KS410": "test_ks410_legal_text_changed_under_the_same_label",
    "KS411": "test_ks411_a_correction_that_carries_a_material_change",
    "KS412": "test_ks412_a_new_version_without_announced", "KS413": "test_ks413_a_new_version_without_effective",
    "KS414": "test_ks414_effective_before_the_earliest_lawful_date",
    "KS415": "test_ks415_material_changes_without_a_summary",
    "KS418": "test_ks418_an_announced_date_before_the_day_of_the_check",
    "KS421": "test_ks421_a_published_agreement_deleted_without_withdrawal",
    "KS429": "test_ks429_effective_before_an_earlier_released_version",
    "KS431": "test_ks431_an_sla_commitment_changed_under_the_same_entry_version",
    "KS432": "test_ks432_a_changed_sla_entry_without_an_effective_date",
    "KS433": "test_ks433_an_sla_change_effective_before_the_service_agreement_s_window",
    "KS441": "test_ks441_a_rule_lowered_without_its_clause", "KS442": "test_ks442_a_rule_resting_on_a_statute_lowered",
    "KS450": "test_ks450_a_hard_flagged_change_downgraded_without_an_approver",
    "KS452": "test_ks452_a_personal_information_change_without_a_consent_plan",
    "KS454": "test_ks454_a_published_clause_deleted_without_retiring_its_id",
    "KS455": "test_ks455_an_id_of_a_released_version_given_to_other_text",
    "KS456": "test_ks456_a_version_label_that_does_not_increase",
    "KS601": "test_ks601_a_window_into_a_year_without_an_official_schedule",
    "KS602": "test_ks602_a_year_file_without_all_seven_holidays", "KS603": "test_ks603_two_year_files_that_disagree",
    "KS616": "test_ks616_a_window_past_the_last_computable_date",
    "KS800": "test_ks800_ks804_no_repository_or_no_base", "KS801": "test_ks801_a_shallow_clone",
    "KS804": "test_ks800_ks804_no_repository_or_no_base",
    "KS810": "test_ks810_a_record_that_does_not_read", "KS811": "test_ks811_a_recorded_text_missing_from_the_repository",
    "KS812": "test_ks812_a_record_whose_hash_does_not_match_its_text",
    "KS813": "test_ks813_a_predecessor_without_a_record",
    "KS815": "test_ks815_a_changed_text_not_released",
    "KS816": "test_ks816_front_matter_dates_that_contradict_the_record", "KS817": "test_ks817_a_recorded_entry_edited",
    "KS818": "test_ks818_an_event_that_contradicts_its_version", "KS819": "test_ks819_two_new_versions_in_one_pull_request",
}  # fmt: skip

#: Codes of kspub/law/ the gate cannot emit, and why.
NOT_FROM_THE_GATE: dict[str, str] = {
    "KS604": "a calendar directory that does not exist: the gate reads calendar/ only when it exists",
    "KS611": "an unreadable period: in a notice block lint reports it as KS120",
    "KS612": "a period whose count is not a positive whole number: in a notice block it is KS120",
    "KS613": "a unit the Civil Code does not count in: in a notice block it is KS120",
    "KS614": "an unreadable notice time: an operand of kspub notice; the gate counts from front-matter dates",
    "KS615": "an hour period given only a date: an operand of kspub notice; the gate counts an hour rule from the "
             "end of the announced day (decision record 0103)",
    "KS617": "no time-zone data on the system: a broken installation (tzdata is a dependency of kspub), which "
             "no pull request can cause",
}


def _blocking_codes() -> set[str]:
    """The codes the gate's own modules report as errors (a call naming a code without Severity.WARNING or
    Severity.INFO), every code of kspub/law/, and the codes decision record 0402 lists as errors."""
    package = ROOT / "kspub"
    found: set[str] = set()
    for module in ("check.py", "check_content.py"):
        tree = ast.parse((package / module).read_text("utf-8"))
        constants = {t.id: n.value.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)
                     and isinstance(n.value.value, str) and re.fullmatch(r"KS\d{3}", n.value.value)}  # fmt: skip
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args):
            first = call.args[0]
            code = first.value if isinstance(first, ast.Constant) else constants.get(getattr(first, "id", ""))
            if not (isinstance(code, str) and re.fullmatch(r"KS\d{3}", code)):
                continue
            rest = [*call.args[1:], *(k.value for k in call.keywords)]
            quiet = [a for arg in rest for a in ast.walk(arg) if (isinstance(a, ast.Attribute) and a.attr in ("WARNING", "INFO"))
                     or (isinstance(a, ast.Name) and a.id == "severity")]  # fmt: skip
            if not quiet:
                found.add(code)
    for module in (package / "law").glob("*.py"):
        found |= set(re.findall(r"\bKS\d{3}\b", module.read_text("utf-8")))
    record = (ROOT / "docs/decisions/0402-pull-request-gate.md").read_text("utf-8")
    errors = record.split("Errors (the pull request fails, exit 1):")[1].split("Warnings and notes")[0]
    return found | set(re.findall(r"\bKS\d{3}\b", errors))


def test_every_blocking_code_of_the_gate_has_its_test() -> None:
    codes = _blocking_codes()
    assert {"KS411", "KS418", "KS421", "KS432", "KS433"} <= codes  # the scan finds what the issue named
    assert codes - COVERED.keys() - NOT_FROM_THE_GATE.keys() == set()
    tests = {name for name in globals() if name.startswith("test_")}
    assert set(COVERED.values()) <= tests
    source = Path(__file__).read_text("utf-8")
    for code, test in COVERED.items():  # each test drives the gate into its code by name
        body = source.split(f"def {test}(")[1].split("\ndef ")[0]
        assert code in body or test == "test_ks12x_ks13x_a_notice_block_lint_refuses", (code, test)
