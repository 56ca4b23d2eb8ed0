"""A version's notice assessment and consent gating as the JSON API publishes them (``notice`` in
``agreements/<id>/<version>.json``, and the ``since`` documents).

The same functions the gate and ``kspub release`` use decide it: :func:`kspub.law.notice.assess_in_force` for
the rules (the stricter of the previous version's rules and the new ones governs) and
:func:`kspub.law.consent.detect` for the clauses that gained personal-information terms. Only published data
goes in: the consent plan without ``approved_by`` (a person's name), the rules without their free ``note``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from kspub.errors import KspubError
from kspub.law.consent import ARTICLES, METHODS, ConsentFlag, detect, load_plan
from kspub.law.notice import CHANNELS, NoticeAssessment, RuleApplication
from kspub.law.rules_in_force import assess_in_force

if TYPE_CHECKING:
    from kspub.diff import ChangeSet
    from kspub.law.workdays import WorkCalendar
    from kspub.model import Agreement


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _rule(app: RuleApplication) -> dict[str, Any]:
    rule = app.rule
    return {
        "cited": app.basis,
        "statute": rule.basis or None,
        "sources": list(rule.sources),
        "side": app.side,
        "default": rule.is_default,
        "statutory": rule.applies_all,
        "period": rule.period.display if rule.period else None,
        "channels": list(rule.channels),
        "consent": rule.consent,
        "duties": list(rule.duties),
        "clauses": list(app.clauses),
        "earliest_effective": _iso(app.window.effective_date) if app.window else None,
    }


def calendar_fingerprint(calendar: WorkCalendar) -> str:
    """sha256 of everything a notice assessment reads from a calendar: every scheduled day and the years with an
    official schedule. Part of the cache key of anything counted with it (:mod:`kspub.publish.api_since`)."""
    h = hashlib.sha256()
    for day, scheduled in sorted(calendar.days.items()):
        h.update(f"{day.isoformat()} {scheduled.kind.value} {scheduled.holiday}\n".encode())
    h.update(" ".join(str(year) for year in sorted(calendar.years)).encode())
    return h.hexdigest()


def consent_clauses(flags: Iterable[ConsentFlag], assessment: NoticeAssessment | None) -> list[dict[str, Any]]:
    """Every consent-gated clause, in reading order: gated by its content (it gained personal-information terms
    engaging an article that needs consent) and/or by a notice rule that asks for consent."""
    gated: dict[str, dict[str, Any]] = {}
    for flag in flags:
        if not flag.needs_consent:
            continue
        gated[flag.clause] = {
            "clause": flag.clause,
            "ids": list(flag.ids),
            "number": flag.number,
            "articles": [{"number": n, "name": ARTICLES[n].name} for n in flag.articles],
            "terms": [{"word": t.word, "category": t.category} for t in flag.terms],
            "separate": flag.separate,
            "guardian": flag.guardian,
            "by": ["content"],
        }
    for clause in assessment.consent_clauses if assessment is not None else ():
        entry = gated.setdefault(
            clause,
            {"clause": clause, "ids": [clause], "number": "", "articles": [], "terms": [], "separate": False,
             "guardian": False, "by": []},
        )  # fmt: skip
        entry["by"].append("rule")
    return list(gated.values())


def consent_plan(agreement: Agreement) -> dict[str, Any] | None:
    """The version's consent plan from its front matter, when it is this version's."""
    plan, _ = load_plan(agreement.meta, agreement.path, {n.id for n in agreement.nodes})
    if plan is None or plan.version != agreement.meta.version:
        return None
    return {
        "method": plan.method,
        "method_text": METHODS[plan.method],
        "separate": plan.separate,
        "guardian": plan.guardian,
        "where": plan.where or None,
        "reason": plan.reason or None,
        "clauses": list(plan.clauses),
    }


def assessment(
    old: Agreement, new: Agreement, changes: ChangeSet, calendar: WorkCalendar, announced: date | None
) -> NoticeAssessment | None:
    """:func:`assess_in_force` for the material changes; without dates when the calendar does not cover them,
    None when the rules cannot be read at all (an old text lint no longer accepts)."""
    material = [c.clause for c in changes.changes if c.material]
    for when in (announced, None) if announced is not None else (None,):
        try:
            return assess_in_force(material, old, new, calendar, announced=when)
        except KspubError:
            continue
    return None


def notice_document(
    old: Agreement, new: Agreement, changes: ChangeSet, calendar: WorkCalendar, announced: date | None
) -> dict[str, Any]:
    """The ``notice`` of a version document: what notice its changes against the previous version need."""
    found = assessment(old, new, changes, calendar, announced)
    gated = consent_clauses(detect(changes.changes), found)
    channels = list(found.channels) if found is not None else []
    explanation = found.explanation if found is not None else "通知规则无法读取：请以公告为准。"
    by_content = [c["clause"] for c in gated if "content" in c["by"]]
    if by_content and not (found is not None and found.consent_required):
        explanation += (f"条款 {'、'.join(by_content)} 新增个人信息的处理目的、方式、种类或接收方：须重新取得用户同意，"
                        "未同意的用户不因期间届满而受约束。")  # fmt: skip
    return {
        "material": changes.material,
        "announced": _iso(announced),
        "earliest_effective": _iso(found.earliest_effective) if found else None,
        "base_rules_effective": _iso(found.base_effective) if found else None,
        "new_rules_effective": _iso(found.head_effective) if found else None,
        "provisional": found.provisional if found else False,
        "governing_rule": found.governing.basis if found and found.governing else None,
        "rules": [_rule(a) for a in found.applications] if found else [],
        "channels": channels,
        "channels_text": [CHANNELS.get(c, c) for c in channels],
        "statutory_duties": [{"statute": s, "actions": list(a)} for s, a in found.duties] if found else [],
        "consent_required": bool(gated),
        "consent_clauses": gated,
        "consent_plan": consent_plan(new),
        "explanation": explanation,
    }
