"""The check report in Chinese: plain text, Markdown (pull-request comment / job summary) and GitHub annotations."""

from __future__ import annotations

from kspub.check import AgreementCheck, CheckReport, Finding
from kspub.diff import Change
from kspub.diff_report import KIND_ZH, escape_markdown, render_markdown_redline, shorten
from kspub.errors import Diagnostic, Severity

SEVERITY_ZH = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
ICON = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}


def verdict_line(report: CheckReport) -> str:
    if report.ok:
        return "检查通过：可以合并。"
    errors = sum(1 for d in all_findings(report) if d.severity is Severity.ERROR)
    return f"检查未通过：共 {errors} 个错误，请改正后重新提交。"


def all_findings(report: CheckReport) -> list[Diagnostic]:
    out: list[Diagnostic] = [d for d in report.lint if d.severity is not Severity.INFO]
    out.extend(report.history)
    for a in report.agreements:
        out.extend(f.as_diagnostic() for f in a.findings)
    if report.sla:
        out.extend(f.as_diagnostic() for f in report.sla.findings)
    return out


def render_text(report: CheckReport) -> str:
    lines: list[str] = [f"kspub 检查（与 {report.base} 比较，今天 {report.today}）"]
    lint_problems = [d for d in report.lint]
    if lint_problems:
        lines.append("")
        lines.append("协议源文件检查：")
        lines.extend(f"  {d.format()}" for d in lint_problems)
    if report.history:
        lines.append("")
        lines.append("版本历史：")
        lines.extend(f"  {d.format()}" for d in report.history)
    lines.extend(_nothing_or_unchecked(report))
    for a in report.agreements:
        lines.append("")
        lines.append(_agreement_heading(a))
        if a.changes is not None:
            material = sum(1 for c in a.changes.changes if c.material)
            lines.append(f"  条款变更 {len(a.changes.changes)} 处，其中实质性 {material} 处。")
            for c in a.changes.changes:
                label = "实质性" if c.material else "编辑性"
                number = c.new_number or c.old_number or ""
                lines.append(f"  - [{label}] {KIND_ZH.get(c.kind, c.kind)} {number} {c.clause}：{row_explanation(c)}")
        lines.extend(_rule_change_lines(a))
        if a.notice is not None:
            lines.append(f"  通知要求：{a.notice.explanation}")
        lines.extend(f"  {f.as_diagnostic().format()}" for f in a.findings)
    if report.sla:
        lines.append("")
        lines.append(f"SLA 目录：{len(report.sla.changes.changes)} 处变化")
        lines.extend(f"  - {c.explanation}" for c in report.sla.changes.changes)
        lines.extend(f"  {f.as_diagnostic().format()}" for f in report.sla.findings)
    lines.append("")
    lines.append(verdict_line(report))
    return "\n".join(lines) + "\n"


def _nothing_or_unchecked(report: CheckReport) -> list[str]:
    """"Nothing changed" only when nothing did: files that changed but fail lint are named as unchecked."""
    if report.unchecked:
        return ["", f"以下协议文件有变化，但未通过源文件检查，无法逐条比较和计算通知期：{'、'.join(report.unchecked)}"
                "（请先改正上面的错误）。"]  # fmt: skip
    if not report.agreements and not report.sla:
        return ["", "没有协议或 SLA 目录发生变化。"]
    return []


def _rule_change_lines(a: AgreementCheck) -> list[str]:
    if not a.rule_changes:
        return []
    out = [f"  通知规则变更 {len(a.rule_changes)} 处："]
    out += [f"  - [{'降低' if r.lowered else '变更'}] {r.text}" for r in a.rule_changes]
    return out


def row_explanation(c: Change) -> str:
    """A change's explanation as its row shows it: a row classed editorial never opens with 实质性变更 (a change a
    person reclassified keeps the automatic finding, said as such)."""
    text = c.explanation
    if not c.material and text.startswith("实质性变更："):
        return "人工定为编辑性；自动判定为" + text
    if c.material and text.startswith("编辑性修改："):
        return "人工定为实质性；自动判定为" + text
    return text


def _agreement_heading(a: AgreementCheck) -> str:
    status = "通过" if a.ok else "未通过"
    versions = f"{a.old_version or '（新增）'} → {a.new_version or '（删除）'}"
    dates = f"公告 {a.announced or '—'}，生效 {a.effective or '—'}"
    return f"《{a.title}》（{a.path}）版本 {versions}，{dates}：{status}"


def record_rows(a: AgreementCheck) -> list[str]:
    """Summary-table rows for what the rules and a person put on the record: the changes to the notice rules,
    change-note overrides, whether consent is needed (by the notice rules or by the text), the consent plan and
    entrusted processing. Each is one row, counted from the same findings the conclusions list."""
    from kspub.check_content import CONSENT_PLAN_MISSING, OVERRIDE_APPROVED_CODE, OVERRIDE_UNAPPROVED_CODE
    from kspub.law.consent import detect

    count = {code: sum(1 for f in a.findings if f.code == code) for code in (
        OVERRIDE_APPROVED_CODE, OVERRIDE_UNAPPROVED_CODE)}  # fmt: skip
    rows: list[str] = []
    if a.rule_changes:
        lowered = sum(1 for r in a.rule_changes if r.lowered)
        rows.append(f"| 通知规则变更 | {len(a.rule_changes)} 处" + (f"（其中降低 {lowered} 处）" if lowered else "") + " |")
    if count[OVERRIDE_APPROVED_CODE] or count[OVERRIDE_UNAPPROVED_CODE]:
        rows.append(f"| 人工降为编辑性 | ⚠️ 已批准 {count[OVERRIDE_APPROVED_CODE]} 处；未写批准人、仍按实质性 "
                    f"{count[OVERRIDE_UNAPPROVED_CODE]} 处 |")  # fmt: skip
    flags = detect(a.changes.changes) if a.changes is not None else []
    gated = [f for f in flags if f.needs_consent]
    by_rules = a.notice is not None and a.notice.consent_required
    if a.notice is not None or gated:
        sources = (["通知规则"] if by_rules else []) + (["条款内容"] if gated else [])
        rows.append(f"| 须重新取得同意 | {'是（依' + '、'.join(sources) + '）' if sources else '否'} |")
    missing = [f for f in a.findings if f.code == CONSENT_PLAN_MISSING and f.severity is Severity.ERROR]
    if missing:
        rows.append(f"| 同意安排 | ❌ 缺少或不足（{len(missing)} 处个人信息变更） |")
    elif gated:
        rows.append(f"| 同意安排 | 已写明（{len(gated)} 处个人信息变更） |")
    entrusted = [f for f in flags if not f.needs_consent]
    if entrusted:
        rows.append(f"| 委托处理 | {len(entrusted)} 处：请确认已与受托方签订委托处理协议 |")
    return rows


def _finding_md(f: Finding) -> str:
    where = f"`{f.path}:{f.line}`" if f.line else f"`{f.path}`"
    return f"- {ICON[f.severity]} **{SEVERITY_ZH[f.severity]}** {f.code}：{escape_markdown(f.message)}（{where}）"


def _applied_rule_rows(a: AgreementCheck) -> list[str]:
    """Every applied rule in the summary table, with its period and its own earliest date; the governing one
    marked; both versions' dates when their rules differ."""
    n = a.notice
    assert n is not None
    rows: list[str] = []
    for app in n.applications:
        period = app.rule.period.display if app.rule.period else "无固定期限"
        date = f"，最早 {app.window.effective_date}" if app.window else ""
        mark = "（起决定作用）" if app is n.governing else ""
        rows.append(f"| 适用规则 | {escape_markdown(app.label)}：{period}{date}{mark} |")
    if not rows:
        rows.append("| 适用规则 | 没有适用的通知规则（notice 未写 default） |")
    if n.rules_differ:
        rows.append(f"| 现行规则 / 新规则 | 最早 {n.base_effective or '—'} / 最早 {n.head_effective or '—'}，以较晚者为准 |")
    for citation, actions in n.duties:
        rows.append(f"| {escape_markdown(citation)}要求 | {escape_markdown('；'.join(actions))} |")
    return rows


def render_markdown(report: CheckReport) -> str:
    """The pull-request comment / job summary."""
    out: list[str] = ["# 协议变更检查报告", "", f"**{'✅ ' if report.ok else '❌ '}{verdict_line(report)}**", "",
                      f"与 `{report.base}` 比较；检查日期 {report.today}（北京时间）。"]  # fmt: skip
    problems = [d for d in report.lint + report.history]
    if problems:
        out += ["", "## 源文件与历史检查", ""]
        out += [f"- {ICON[d.severity]} {_where_md(d)}{d.code} {escape_markdown(d.message)}" for d in problems]
    out += _nothing_or_unchecked(report)
    for a in report.agreements:
        out += ["", f"## {'✅' if a.ok else '❌'} 《{escape_markdown(a.title)}》", ""]
        out += [
            "| 项目 | 内容 |",
            "|---|---|",
            f"| 文件 | `{a.path}` |",
            f"| 版本 | {a.old_version or '（新增）'} → {a.new_version or '（删除）'} |",
            f"| 公告日期 | {a.announced or '未填写'} |",
            f"| 生效日期 | {a.effective or '未填写'} |",
        ]
        if a.notice is not None:
            n = a.notice
            out.append(f"| 最早合法生效日 | {n.earliest_effective or '—'} |")
            out += _applied_rule_rows(a)
        out += record_rows(a)
        if a.findings:
            out += ["", "### 结论", ""]
            out += [_finding_md(f) for f in a.findings]
        if a.notice is not None:
            out += ["", "### 通知要求", "", escape_markdown(a.notice.explanation)]
            for app in a.notice.applications:
                if app.window is not None:
                    out += ["", f"<details><summary>{escape_markdown(app.label)}：期间计算</summary>", "",
                            escape_markdown(app.window.explanation), "", "</details>"]  # fmt: skip
        if a.rule_changes:
            out += ["", "### 通知规则变更", ""]
            out += [f"- {'**降低**' if r.lowered else '变更'}：{escape_markdown(r.text)}" for r in a.rule_changes]
        if a.changes is not None and a.changes.changes:
            out += ["", "### 逐条变更", "", "| # | 条款 | 变更 | 性质 | 说明 |", "|---|---|---|---|---|"]
            for k, c in enumerate(a.changes.changes, 1):
                number = escape_markdown(c.new_number or c.old_number or "")
                cls = "**实质性**" if c.material else "编辑性"
                out.append(f"| {k} | {number} `{c.clause}` | {KIND_ZH.get(c.kind, c.kind)} | {cls} | "
                           f"{escape_markdown(row_explanation(c)).replace('|', '｜')} |")  # fmt: skip
            redlines = [(c, shorten(c.redline)) for c in a.changes.changes if any(s.op != "equal" for s in c.redline)]
            if redlines:
                out += ["", "<details><summary>红线对照</summary>", ""]
                for c, segs in redlines:
                    out.append(f"- `{c.clause}`：{render_markdown_redline(segs)}")
                out += ["", "</details>"]
    if report.sla:
        out += ["", "## SLA 目录", ""]
        out += [f"- {escape_markdown(c.explanation)}" for c in report.sla.changes.changes]
        out += [_finding_md(f) for f in report.sla.findings]
    return "\n".join(out) + "\n"


def _where_md(d: Diagnostic) -> str:
    """The file and line of a finding in Markdown, nothing for a problem of no file (a shallow clone)."""
    return f"`{d.path}:{d.line or ''}` " if d.path else ""


def render_github(report: CheckReport) -> str:
    """GitHub workflow commands: one annotation per finding at path:line."""

    def esc(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    kinds = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for d in all_findings(report):
        loc = f"file={d.path}," + (f"line={d.line}," if d.line else "") if d.path else ""
        lines.append(f"::{kinds[d.severity]} {loc}title={d.code}::{esc(d.message)}")
    lines.append(verdict_line(report))
    return "\n".join(lines) + "\n"
