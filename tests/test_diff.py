"""Clause-aligned diffs: every change kind, classification, notes, front matter, SLA, reports."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kspub.changes import mirror_kind
from kspub.diff import Change, ChangeSet, diff_agreements
from kspub.diff_report import render_markdown_report, render_text_report
from kspub.model import Agreement, ChangeNote, Meta, Node, NodeKind
from kspub.redline import mirror
from kspub.sla.diff import diff_sla

ROOT = Path(__file__).resolve().parent.parent

# --- a small factory: agreements straight from the model ---------------------------------------------------


def node(
    node_id: str,
    text: str = "",
    *,
    number: str = "",
    parent: str | None = None,
    kind: NodeKind = NodeKind.CLAUSE,
    title: str = "",
    tags: Iterable[str] = (),
    replaces: Iterable[str] = (),
) -> Node:
    """A node; line numbers are filled in by :func:`agreement`."""
    printed = " ".join(p for p in (number, title or text) if p)
    return Node(node_id, kind, number, title, text, printed, parent, 0, 0, tags=tuple(tags), replaces=tuple(replaces))


def section(node_id: str, number: str, title: str, **kw: object) -> Node:
    return node(node_id, number=number, title=title, kind=NodeKind.SECTION, **kw)  # type: ignore[arg-type]


def agreement(
    *nodes: Node,
    version: str = "1.0",
    retired: Iterable[str] = (),
    notes: Iterable[ChangeNote] = (),
    agreement_id: str = "demo",
) -> Agreement:
    """An agreement whose nodes sit three lines apart, as ``{#id}`` + text + blank line would."""
    depth: dict[str, int] = {}
    placed = []
    for k, n in enumerate(nodes):
        d = 0 if n.parent is None else depth.get(n.parent, 0) + 1
        depth[n.id] = d
        placed.append(replace(n, line=10 + 3 * k, id_line=9 + 3 * k, depth=d))
    meta = Meta(agreement_id, "示例协议", "agreement", version, retired=tuple(retired), change_notes=tuple(notes))
    source = "\n".join(n.printed for n in placed)
    return Agreement(meta, tuple(placed), f"agreements/{agreement_id}.md", source)


def base() -> Agreement:
    return agreement(
        section("general", "一、", "总则"),
        node("nature", "本协议是您与金山云之间的有效契约。", number="1.1", parent="general"),
        node("fee-notice", "金山云将提前10个自然日通知您具体的收费政策。", number="1.2", parent="general",
             tags=["fees"]),  # fmt: skip
        node("account", "您应当妥善保管账户，不得转让。", number="1.3", parent="general"),
        section("privacy", "二、", "个人信息", tags=["personal-information"]),
        node("collect", "我们仅收集必要的信息。", number="2.1", parent="privacy"),
        node("xref", "如有异议，请按本协议第1.3条处理。", number="2.2", parent="privacy"),
    )


def with_nodes(a: Agreement, *nodes: Node, version: str = "1.1", **kw: object) -> Agreement:
    return agreement(*nodes, version=version, **kw)  # type: ignore[arg-type]


def edit(a: Agreement, node_id: str, **changes: object) -> tuple[Node, ...]:
    return tuple(replace(n, **changes) if n.id == node_id else n for n in a.nodes)  # type: ignore[arg-type]


def only(cs: ChangeSet) -> Change:
    assert len(cs.changes) == 1, [(c.clause, c.kind) for c in cs.changes]
    return cs.changes[0]


def kinds(cs: ChangeSet) -> dict[str, tuple[str, str]]:
    return {c.clause: (c.kind, c.cls) for c in cs.changes}


# --- identity ---------------------------------------------------------------------------------------------


def test_diff_with_itself_is_empty() -> None:
    a = base()
    cs = diff_agreements(a, a)
    assert cs.empty and not cs.material
    assert cs.to_dict()["changes"] == [] and cs.to_dict()["material"] is False


def test_only_the_version_changed() -> None:
    a = base()
    cs = diff_agreements(a, with_nodes(a, *a.nodes))
    assert cs.changes == ()
    assert [(c.clause, c.kind, c.explanation) for c in cs.meta_changes] == [("version", "meta", "版本号：1.0 → 1.1。")]


# --- modified ---------------------------------------------------------------------------------------------


def test_changed_period_is_material_with_explanation_and_redline() -> None:
    a = base()
    b = with_nodes(a, *edit(a, "fee-notice", text="金山云将提前5个自然日通知您具体的收费政策。"))
    change = only(diff_agreements(a, b))
    assert (change.clause, change.kind, change.cls) == ("fee-notice", "modified", "material")
    assert "number-changed" in change.flags and "tag:fees" in change.flags
    assert "10个自然日 → 5个自然日" in change.explanation
    assert "涉及费用与支付" in change.explanation
    assert [s.to_dict() for s in change.redline][1:3] == [{"op": "delete", "text": "10"}, {"op": "insert", "text": "5"}]
    assert change.line == b.node("fee-notice").line  # type: ignore[union-attr]


def test_added_right_is_material() -> None:
    a = base()
    b = with_nodes(a, *edit(a, "collect", text="我们仅收集必要的信息，并有权与关联公司共享。"))
    change = only(diff_agreements(a, b))
    assert change.material and "duty-word-added" in change.flags
    assert "“有权”" in change.explanation
    # Inherited from the enclosing 个人信息 section.
    assert "tag:personal-information" in change.flags and "个人信息" in change.explanation


def test_deleted_obligation_is_material() -> None:
    a = base()
    b = with_nodes(a, *edit(a, "account", text="您妥善保管账户。"))
    change = only(diff_agreements(a, b))
    assert change.material and "duty-word-removed" in change.flags
    assert "“应当”（1 → 0 处）" in change.explanation and "“不得”（1 → 0 处）" in change.explanation


def test_width_only_change_is_editorial() -> None:
    a = base()
    b = with_nodes(a, *edit(a, "account", text="您应当妥善保管账户,不得转让。"))
    change = only(diff_agreements(a, b))
    assert (change.kind, change.cls) == ("modified", "editorial")
    assert change.flags == ("whitespace-or-width",)
    # 。 and . are different punctuation, not two widths of one character.
    b1 = with_nodes(a, *edit(a, "account", text="您应当妥善保管账户，不得转让."))
    assert only(diff_agreements(a, b1)).material
    b2 = with_nodes(a, *edit(a, "fee-notice", text="金山云将提前10个自然日通知您具体的收费政策。"))
    assert diff_agreements(a, b2).changes == ()


def test_section_title_change() -> None:
    a = base()
    b = with_nodes(a, *edit(a, "privacy", title="个人信息保护"))
    change = only(diff_agreements(a, b))
    assert (change.clause, change.kind, change.cls) == ("privacy", "modified", "material")
    assert (change.old_text, change.new_text) == ("个人信息", "个人信息保护")


# --- renumbering and cross-references ---------------------------------------------------------------------


def renumbered() -> tuple[Agreement, Agreement]:
    """Clause 1.1 removed: 1.2 → 1.1 and 1.3 → 1.2; the cross-reference to 1.3 is updated to 1.2."""
    a = base()
    nodes = [n for n in a.nodes if n.id != "nature"]
    nodes = [
        replace(n, number={"1.2": "1.1", "1.3": "1.2"}.get(n.number, n.number)) for n in nodes
    ]
    nodes = [replace(n, text="如有异议，请按本协议第1.2条处理。") if n.id == "xref" else n for n in nodes]
    return a, with_nodes(a, *nodes, retired=["nature"])


def test_renumbering_and_following_cross_reference_are_editorial() -> None:
    a, b = renumbered()
    cs = diff_agreements(a, b)
    assert kinds(cs) == {
        "nature": ("retired", "material"),
        "fee-notice": ("renumbered", "editorial"),
        "account": ("renumbered", "editorial"),
        "xref": ("modified", "editorial"),
    }
    by_id = {c.clause: c for c in cs.changes}
    assert by_id["fee-notice"].old_number == "1.2" and by_id["fee-notice"].new_number == "1.1"
    assert "仅编号变化" in by_id["fee-notice"].explanation
    assert by_id["xref"].flags == ("cross-reference-renumbered",)
    assert "本协议第1.3条 → 本协议第1.2条" in by_id["xref"].explanation
    assert by_id["nature"].flags[:2] == ("clause-removed", "retired")


def test_cross_reference_left_pointing_at_another_clause_is_material() -> None:
    a, b = renumbered()
    stale = with_nodes(a, *edit(b, "xref", text="如有异议，请按本协议第1.3条处理。"), retired=["nature"])
    change = next(c for c in diff_agreements(a, stale).changes if c.clause == "xref")
    assert (change.kind, change.cls) == ("modified", "material")
    assert "cross-reference-retargeted" in change.flags
    assert "text-unchanged" not in change.flags


def test_removed_clause_is_listed_where_it_was() -> None:
    a, b = renumbered()
    assert [c.clause for c in diff_agreements(a, b).changes] == ["nature", "fee-notice", "account", "xref"]
    a2 = base()
    b2 = with_nodes(a2, *(n for n in a2.nodes if n.id != "collect"))
    change = only(diff_agreements(a2, b2))
    assert (change.kind, change.cls, change.line) == ("removed", "material", a2.node("collect").line)  # type: ignore[union-attr]
    assert change.new_line is None and change.old_text == "我们仅收集必要的信息。" and change.new_text is None


# --- added, removed, retired ------------------------------------------------------------------------------


def test_added_clause_is_material_and_says_what_it_contains() -> None:
    a = base()
    new = node("suspend", "金山云有权在提前30天通知后暂停服务。", number="1.4", parent="general", tags=["termination"])
    b = with_nodes(a, *a.nodes[:4], new, *a.nodes[4:])
    change = only(diff_agreements(a, b))
    assert (change.clause, change.kind, change.cls) == ("suspend", "added", "material")
    assert change.flags[0] == "clause-added" and "tag:termination" in change.flags
    assert "新增条款" in change.explanation and "30天" in change.explanation and "“有权”" in change.explanation
    assert change.old_text is None and [s.op for s in change.redline] == ["insert"]


def test_reusing_a_retired_id_is_flagged() -> None:
    a = with_nodes(base(), *base().nodes, retired=["old-clause"])
    b = with_nodes(a, *a.nodes, node("old-clause", "新条款。", parent="general"), retired=["old-clause"])
    assert "retired-id-reused" in only(diff_agreements(a, b)).flags


# --- moves ------------------------------------------------------------------------------------------------


def test_move_to_another_section_is_material() -> None:
    a = base()
    b = with_nodes(a, *edit(a, "collect", parent="general"))
    change = only(diff_agreements(a, b))
    assert (change.kind, change.cls) == ("moved", "material")
    assert change.flags[:2] == ("text-unchanged", "moved")
    assert (change.old_parent, change.new_parent) == ("privacy", "general")
    assert "上级由 二、个人信息（privacy） 改为 一、总则（general）" in change.explanation


def test_reordering_reports_only_the_clause_that_moved() -> None:
    a = base()
    n = a.by_id()
    b = with_nodes(a, n["general"], n["account"], n["nature"], n["fee-notice"], *a.nodes[4:])
    change = only(diff_agreements(a, b))
    assert (change.clause, change.kind, change.cls) == ("account", "moved", "material")
    assert "顺序改变" in change.explanation


def test_moved_and_modified_is_modified_with_moved_flag() -> None:
    a = base()
    b = with_nodes(a, *edit(a, "collect", parent="general", text="我们收集必要的信息。"))
    change = only(diff_agreements(a, b))
    assert (change.kind, change.cls) == ("modified", "material")
    assert "moved" in change.flags and "text-changed" in change.flags


def test_children_of_a_renamed_section_have_not_moved() -> None:
    a = base()
    nodes = [
        replace(n, id="personal-data", replaces=("privacy",)) if n.id == "privacy"
        else replace(n, parent="personal-data") if n.parent == "privacy" else n
        for n in a.nodes
    ]  # fmt: skip
    change = only(diff_agreements(a, with_nodes(a, *nodes)))
    assert (change.clause, change.kind, change.cls) == ("personal-data", "renamed", "editorial")
    assert change.replaces == ("privacy",) and "id-renamed" in change.flags


# --- split, merge, rename ---------------------------------------------------------------------------------


def test_split_clause() -> None:
    a = base()
    parts = (
        node("account-safekeeping", "您应当妥善保管账户，", number="1.3", parent="general", replaces=["account"]),
        node("account-transfer", "不得转让。", number="1.4", parent="general", replaces=["account"]),
    )
    b = with_nodes(a, *a.nodes[:3], *parts, *a.nodes[4:])
    cs = diff_agreements(a, b)
    change = cs.changes[0]
    assert (change.clause, change.kind, change.cls) == ("account", "split", "material")
    assert change.old_ids == ("account",) and change.new_ids == ("account-safekeeping", "account-transfer")
    assert change.replaces == ("account",)
    assert "拆分为 account-safekeeping、account-transfer" in change.explanation
    assert "text-unchanged" in change.flags  # same words, new boundaries: still material
    # The cross-reference to 1.3 now names only half of the old clause.
    assert kinds(cs)["xref"] == ("modified", "material")


def test_split_keeping_the_original_id() -> None:
    a = base()
    b = with_nodes(a, *edit(a, "account", text="您应当妥善保管账户。")[:4],
                   node("account-transfer", "您不得转让账户。", number="1.4", parent="general", replaces=["account"]),
                   *a.nodes[4:])  # fmt: skip
    change = diff_agreements(a, b).changes[0]
    assert (change.clause, change.kind) == ("account", "split")
    assert change.new_ids == ("account", "account-transfer")


def test_merged_clauses() -> None:
    a = base()
    merged = node("fees-and-account", "金山云将提前10个自然日通知您具体的收费政策。您应当妥善保管账户，不得转让。",
                  number="1.2", parent="general", replaces=["fee-notice", "account"])  # fmt: skip
    b = with_nodes(a, *a.nodes[:2], merged, *a.nodes[4:])
    change = diff_agreements(a, b).changes[0]
    assert (change.clause, change.kind, change.cls) == ("fees-and-account", "merged", "material")
    assert change.replaces == ("fee-notice", "account")


def test_restructured_group() -> None:
    a = base()
    first = node("p1", "金山云将提前10个自然日通知您。您应当妥善保管账户，", number="1.2", parent="general",
                 replaces=["fee-notice", "account"])  # fmt: skip
    second = node("p2", "不得转让。", number="1.3", parent="general", replaces=["account"])
    change = diff_agreements(a, with_nodes(a, *a.nodes[:2], first, second, *a.nodes[4:])).changes[0]
    assert (change.kind, change.cls) == ("restructured", "material")
    assert (change.old_ids, change.new_ids) == (("fee-notice", "account"), ("p1", "p2"))


def test_a_tags_only_change_is_material() -> None:
    """Tags decide which notice rule applies (decision record 0202): a tags-only change keeps its text and is
    material until a person records otherwise."""
    a = base()
    change = only(diff_agreements(a, with_nodes(a, *edit(a, "nature", tags=("dispute",)))))
    assert (change.kind, change.cls) == ("modified", "material")
    assert change.flags[:2] == ("text-unchanged", "tags-changed")
    assert "仅主题标签变化" in change.explanation


def test_dropping_a_subject_tag_is_material() -> None:
    """A tag decides which notice rule applies: dropped as "editorial", a fee clause could leave the fees rule in
    one pull request and have its period lowered under the default rule in the next."""
    a = with_nodes(base(), *edit(base(), "nature", tags=("fees",)))
    change = only(diff_agreements(a, with_nodes(a, *edit(a, "nature", tags=()))))
    assert change.cls == "material" and "删除主题标签 fees" in change.explanation


def test_clause_turned_into_item_is_a_material_structure_change() -> None:
    a = base()
    change = only(diff_agreements(a, with_nodes(a, *edit(a, "nature", kind=NodeKind.ITEM))))
    assert (change.kind, change.cls) == ("moved", "material")
    assert "structure-changed" in change.flags


def test_replaces_declared_in_an_earlier_version_does_not_repeat() -> None:
    a = base()
    b = with_nodes(a, *a.nodes[:4],
                   node("account-transfer", "不得转让。", parent="general", replaces=["account"]), *a.nodes[4:])  # fmt: skip
    c = with_nodes(b, *b.nodes, version="1.2")
    assert diff_agreements(b, c).changes == ()


# --- change notes -----------------------------------------------------------------------------------------


def test_change_note_downgrades_with_reason() -> None:
    a = base()
    # collect is in the personal-information section: a hard flag, so the note names who approved it
    note = ChangeNote("collect", "editorial", "仅改正错别字，不影响权利义务", "法务总监")
    b = with_nodes(a, *edit(a, "collect", text="我们仅收集必要的信息"), notes=[note])
    cs = diff_agreements(a, b)
    change = only(cs)
    assert change.cls == "editorial" and not cs.material
    assert change.flags[-2:] == ("downgraded", "override-approved") and "punctuation-changed" in change.flags
    assert "“仅改正错别字，不影响权利义务”" in change.explanation and "批准人：法务总监" in change.explanation


def test_change_note_without_approver_does_not_downgrade_a_hard_flag() -> None:
    a = base()
    note = ChangeNote("collect", "editorial", "仅改正错别字，不影响权利义务")
    b = with_nodes(a, *edit(a, "collect", text="我们仅收集必要的信息"), notes=[note])
    change = only(diff_agreements(a, b))
    assert change.cls == "material" and change.flags[-1] == "override-unapproved"
    assert "没有写明批准人（approved_by），仍按实质性变更处理" in change.explanation


def test_change_note_copied_from_the_previous_version_is_not_applied() -> None:
    a = base()
    note = ChangeNote("collect", "editorial", "仅改正错别字")
    b = with_nodes(a, *a.nodes, notes=[note])
    c = with_nodes(b, *edit(b, "collect", text="我们收集全部信息。"), version="1.2", notes=[note])
    cs = diff_agreements(b, c)
    assert only(cs).cls == "material"
    assert cs.stale_notes == (note,)
    assert diff_agreements(a, b).unused_notes == (note,)
    assert "沿用旧说明" in render_text_report(cs)


# --- JSON contract and mirror -----------------------------------------------------------------------------


def test_to_dict_contract() -> None:
    a, b = renumbered()
    data = diff_agreements(a, b).to_dict()
    json.dumps(data, ensure_ascii=False)
    assert {"agreement", "from", "to", "material", "changes"} <= set(data)
    assert (data["agreement"], data["from"], data["to"], data["material"]) == ("demo", "1.0", "1.1", True)
    first = data["changes"][0]
    assert {"clause", "kind", "class", "flags", "explanation", "old_text", "new_text", "redline"} <= set(first)
    assert all(set(seg) == {"op", "text"} for c in data["changes"] for seg in c["redline"])


def assert_mirrors(a: Agreement, b: Agreement) -> None:
    forward, backward = diff_agreements(a, b), diff_agreements(b, a)
    back = {(c.new_ids, c.old_ids): c for c in backward.changes}
    assert len(back) == len(backward.changes) == len(forward.changes)
    for c in forward.changes:
        r = back[(c.old_ids, c.new_ids)]
        assert r.kind == mirror_kind(c.kind) or (c.kind, r.kind) in {("added", "retired")}
        assert r.cls == c.cls, (c, r)
        assert r.redline == mirror(c.redline)


def test_mirror_of_each_kind() -> None:
    a, b = renumbered()
    assert_mirrors(a, b)
    base_a = base()
    parts = (
        node("account-safekeeping", "您应当妥善保管账户，", number="1.3", parent="general", replaces=["account"]),
        node("account-transfer", "不得转让。", number="1.4", parent="general", replaces=["account"]),
    )
    assert_mirrors(base_a, with_nodes(base_a, *base_a.nodes[:3], *parts, *base_a.nodes[4:]))
    assert_mirrors(base_a, with_nodes(base_a, *edit(base_a, "collect", parent="general")))


# --- reports ----------------------------------------------------------------------------------------------


def test_text_and_markdown_reports() -> None:
    a, b = renumbered()
    b = with_nodes(a, *edit(b, "fee-notice", text="金山云将提前5个自然日通知您**具体的**收费政策。"),
                   retired=["nature"])  # fmt: skip
    cs = diff_agreements(a, b)
    text = render_text_report(cs)
    assert "协议 demo：版本 1.0 → 1.1" in text
    assert "【实质性变更】修改 1.2 → 1.1 fee-notice" in text
    assert "【编辑性修改】重新编号 1.3 → 1.2 account" in text
    assert "【实质性变更】退役 1.1 nature" in text
    assert "提前[-10-]{+5+}个自然日" in text
    md = render_markdown_report(cs, title="示例协议")
    assert md.startswith("## 示例协议：版本 1.0 → 1.1")
    assert "<del>10</del><ins>5</ins>" in md
    assert "<ins>\\*\\*</ins>" in md  # the agreement's own bold markers are shown, not interpreted
    assert "### 2. 修改 · 1.2 → 1.1 fee-notice · 实质性变更" in md
    assert "**含实质性变更" in md


def test_report_of_an_empty_change_set() -> None:
    a = base()
    assert "条款无变化。" in render_text_report(diff_agreements(a, a))


# --- SLA catalogue ----------------------------------------------------------------------------------------


def catalogue(**entry_fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": "cloud-server", "title": "金山云云服务器服务等级协议", "availability": "99.95%",
             "measurement_period": "自然月", "compensation": [{"below": "99.95%", "credit": "10%"}],
             "claim_window": "次月5个工作日内", "document_url": None, "version": None, "effective": None}  # fmt: skip
    entry.update(entry_fields)
    return {"title": "SLA", "categories": [{"id": "compute", "title": "计算", "entries": [entry]}]}


def test_sla_unchanged_is_empty() -> None:
    assert diff_sla(catalogue(), catalogue()).changes == ()


def test_sla_commitment_change_is_material() -> None:
    cs = diff_sla(catalogue(), catalogue(availability="99.9%"))
    (change,) = cs.changes
    assert (change.id, change.field, change.kind, change.cls) == ("cloud-server", "availability", "modified", "material")
    assert "99.95% → 99.9%" in change.explanation and cs.material


def test_sla_tier_change_is_material() -> None:
    cs = diff_sla(catalogue(), catalogue(compensation=[{"below": "99.95%", "credit": "5%"}]))
    (change,) = cs.changes
    assert (change.field, change.cls) == ("compensation", "material")
    assert "赔偿标准" in change.explanation


def test_sla_width_only_title_change_is_editorial() -> None:
    (change,) = diff_sla(catalogue(), catalogue(title="金山云云服务器服务等级协议 ")).changes
    assert change.cls == "editorial"


def test_sla_entries_added_removed_and_moved() -> None:
    old = catalogue()
    new = catalogue()
    new["categories"] = [
        {"id": "compute", "title": "计算", "entries": []},
        {"id": "storage", "title": "存储", "entries": [*old["categories"][0]["entries"],
                                                    {"id": "ks3", "title": "对象存储服务等级协议"}]},
    ]  # fmt: skip
    cs = diff_sla(old, new)
    summary = {(c.target, c.id, c.kind) for c in cs.changes}
    assert summary == {("category", "storage", "added"), ("entry", "cloud-server", "moved"), ("entry", "ks3", "added")}
    assert all(c.material for c in cs.changes)
    assert json.dumps(cs.to_dict(), ensure_ascii=False)


# --- through the parser, on the real agreements ------------------------------------------------------------

AGREEMENTS = sorted((ROOT / "agreements").glob("*.md"))


def parse(text: str, path: str) -> Agreement:
    from kspub.parse import parse_agreement

    result = parse_agreement(text, path)
    assert result.agreement is not None
    return result.agreement


@pytest.mark.parametrize("path", AGREEMENTS, ids=[p.stem for p in AGREEMENTS])
def test_real_agreement_against_itself_is_empty(path: Path) -> None:
    a = parse(path.read_text("utf-8"), str(path))
    assert diff_agreements(a, a).empty


def test_real_agreement_edits() -> None:
    path = ROOT / "agreements" / "cloud-service-agreement.md"
    text = path.read_text("utf-8")
    a = parse(text, str(path))
    assert "提前10个自然日" in text
    edited = text.replace("提前10个自然日", "提前5个自然日").replace("（", "(", 3)
    cs = diff_agreements(a, parse(edited, str(path)))
    material = [c for c in cs.changes if c.material]
    assert len(material) == 1 and "10个自然日 → 5个自然日" in material[0].explanation
    assert "tag:fees" in material[0].flags
    assert all(c.flags == ("whitespace-or-width",) for c in cs.changes if not c.material)


def test_every_change_kind_has_one_chinese_name_in_both_reports() -> None:
    import typing

    from kspub import changes, check_report, diff_report

    kinds = set(typing.get_args(changes.ChangeKind))
    assert kinds <= set(diff_report.KIND_ZH)
    assert check_report.KIND_ZH is diff_report.KIND_ZH  # the pull-request report uses the same words
    assert all(not name.isascii() for name in diff_report.KIND_ZH.values())
