"""The notice assessment and consent gating in version documents (contract 1.1): the same decision the gate
makes, published for consent prompts and notice mailers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kspub.publish import api
from kspub.publish.snapshot import collect

from .conftest import git, release_all
from .test_api import AS_OF, EPOCH
from .test_gate_content import AD_COOKIE, privacy

pytestmark = pytest.mark.e2e

PLAN = 'consent: {version: "2.0", method: popup, separate: true, where: 首次打开控制台时单独弹窗, clauses: [cookie-use], approved_by: 审批人甲}\n'  # noqa: E501


def make_privacy_repo(repo: Path) -> Path:
    (repo / "agreements").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for text, message in (
        (privacy("1.0", extra="announced: 2026-01-05\neffective: 2026-01-05\n"), "首版"),
        (privacy("2.0", AD_COOKIE, "announced: 2026-03-02\neffective: 2026-03-10\nsummary: 新增广告合作伙伴。\n" + PLAN),
         "2.0"),
    ):  # fmt: skip
        (repo / "agreements" / "demo.md").write_text(text, encoding="utf-8")
        assert release_all(repo) == []
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", message)
    return repo


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make_privacy_repo(tmp_path_factory.mktemp("notice") / "repo")
    return api.build_api(collect(root, AS_OF, environ=EPOCH))


def test_first_version_has_no_notice(files: dict[str, bytes]) -> None:
    assert json.loads(files["agreements/demo/1.0.json"])["notice"] is None


def test_version_document_carries_the_gates_notice_and_consent(files: dict[str, bytes]) -> None:
    notice = json.loads(files["agreements/demo/2.0.json"])["notice"]
    assert notice["material"] is True and notice["announced"] == "2026-03-02"
    assert notice["earliest_effective"] == notice["base_rules_effective"] == "2026-03-10"
    assert notice["channels"] == ["site"] and notice["channels_text"] == ["网页公告"]
    (rule,) = notice["rules"]
    assert rule["default"] is True and rule["period"] == "7个自然日" and rule["side"] == "both"
    assert rule["sources"] == ["nature"] and rule["earliest_effective"] == notice["earliest_effective"]
    assert notice["governing_rule"] == rule["cited"]
    # the advertising partner in the cookies section: consent-gated by content, separate consent, Art. 23
    assert notice["consent_required"] is True
    (gated,) = notice["consent_clauses"]
    assert gated["clause"] == "cookie-use" and gated["by"] == ["content"] and gated["separate"] is True
    assert [a["number"] for a in gated["articles"]] == [14, 23]
    assert "cookie-use" in notice["explanation"] and "须重新取得用户同意" in notice["explanation"]
    assert any(t["category"] == "recipient" for t in gated["terms"])
    # the plan as written, without the approver's name
    assert notice["consent_plan"] == {
        "method": "popup", "method_text": "弹窗", "separate": True, "guardian": False,
        "where": "首次打开控制台时单独弹窗", "reason": None, "clauses": ["cookie-use"],
    }  # fmt: skip
    assert "审批人甲" not in files["agreements/demo/2.0.json"].decode()


def test_notice_matches_what_the_gate_finds(files: dict[str, bytes], tmp_path: Path) -> None:
    from kspub.check_content import consent_findings
    from kspub.diff import diff_agreements
    from kspub.parse import parse_agreement

    old = parse_agreement(privacy("1.0"), "agreements/demo.md").agreement
    new = parse_agreement(privacy("2.0", AD_COOKIE), "agreements/demo.md").agreement
    assert old is not None and new is not None
    found: list[str] = []
    consent_findings(new, diff_agreements(old, new), lambda code, message, *a: found.append(message) if code == "KS452" else None)  # noqa: E501
    gate = {m.split("条款 ", 1)[1].split("（")[0].split("新增")[0] for m in found if m.startswith("条款")}
    published = {c["clause"] for c in json.loads(files["agreements/demo/2.0.json"])["notice"]["consent_clauses"]}
    assert gate == published == {"cookie-use"}
