"""``kspub release``: record the agreement as it stands in the working tree as a released version.

It keeps what the editor wrote in the front matter and fills what is missing — the next label of the
agreement's scheme, ``announced`` = today in Beijing, ``effective`` = the earliest lawful date the notice engine
computes for the actual changes against the previous recorded version — writes those fields into the front
matter (never touching the text below it) and the entry into ``agreements/releases/<id>.yaml``.

Run again before the version reaches the base branch, it updates that unreleased entry (a review fix). An entry
already on the base branch is never rewritten: a changed text under its label becomes a correction event (the
front matter must list the correction), a later effective date a postponement event, a removed file a
withdrawal of the agreement (docs/decisions/0302-release-record.md).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from kspub.chinese_text import REFUSED_CHAR_RE, describe_refused, listed
from kspub.errors import KspubError
from kspub.frontmatter import load_yaml_document, split_front_matter
from kspub.model import Agreement, is_version_label, sha256_text
from kspub.record import (
    Event,
    EventKind,
    Record,
    Release,
    Withdrawal,
    dump_record,
    parse_record,
    record_path,
)

#: Why a release cannot be recorded.
CANNOT_RELEASE = "KS830"


@dataclass(frozen=True, slots=True)
class ReleaseResult:
    agreement: str
    version: str
    action: str
    """``new`` (a version appended), ``updated`` (the unreleased entry rewritten), ``correction``,
    ``postponement``, ``withdrawal`` (of the agreement), ``version-withdrawal`` or ``unchanged``."""
    release: Release | None
    filled: dict[str, str] = field(default_factory=dict)
    """The front-matter fields kspub filled in, with their values."""
    reasoning: tuple[str, ...] = ()
    """How the effective date was found (Chinese), when kspub computed it."""
    record_file: str = ""

    def lines(self) -> list[str]:
        """The result in Chinese, for the editor."""
        verb = {
            "new": "已登记新版本",
            "updated": "已更新尚未合入主分支的发布条目",
            "correction": "已登记勘误",
            "postponement": "已登记推迟生效",
            "withdrawal": "已登记停止适用",
            "version-withdrawal": "已登记撤回（该版本不会生效，仍作为历史版本发布）",
            "unchanged": "无需登记：文本和日期与发布记录一致",
        }[self.action]
        out = [f"{verb}：{self.agreement}" + (f" 版本 {self.version}" if self.version else "")]
        for key, value in self.filled.items():
            out.append(f"  已补全 {key}: {value}")
        out.extend(f"  {step}" for step in self.reasoning)
        if self.release is not None:
            r = self.release
            out.append(f"  公告日期 {r.announced or '未载明'}，生效日期 {r.current_effective or '未载明'}，"
                       f"文本 sha256:{r.current_sha256[:12]}")  # fmt: skip
        if self.record_file and self.action != "unchanged":
            out.append(f"  请一并提交 {self.record_file} 和协议文件")
        return out


def _fail(message: str, path: str | None = None, hint: str | None = None, line: int | None = None) -> KspubError:
    return KspubError(CANNOT_RELEASE, message, path=path, line=line, hint=hint)


def release(
    root: Path,
    agreement_id: str,
    *,
    today: date,
    version: str | None = None,
    announced: date | None = None,
    effective: date | None = None,
    summary: str | None = None,
    reason: str | None = None,
    base: str | None = None,
    as_is: bool = False,
    withdraw: bool = False,
    renamed_from: str | None = None,
) -> ReleaseResult:
    """Record ``agreement_id`` as it stands in the working tree of ``root`` (see the module docstring).

    ``base`` is the branch whose record entries are final (default: origin/main, else main, else HEAD).
    ``as_is`` records the front matter's dates exactly as written, filling none (for versions released
    before the record existed). ``withdraw`` records that the agreement stopped applying (its file removed).
    ``renamed_from`` declares, with the first release under a new ID, the agreement ID it replaces: its versions
    stay this agreement's history and its old addresses redirect."""
    from kspub.repository import open_repo

    for option, value in (("--reason", reason), ("--summary", summary)):
        refused = REFUSED_CHAR_RE.search(value or "")
        if refused is not None:
            raise _fail(f"{option} 中有无法显示的字符 {describe_refused(refused.group(0))}：它会原样发布到网站和 JSON 中",
                        hint="请删除后重新输入（可能来自复制粘贴）")  # fmt: skip
    repo = open_repo(root)
    top = Path(repo.working_tree_dir)
    rel_record = record_path(agreement_id)
    record_file = top / rel_record
    record = parse_record(record_file.read_text(encoding="utf-8"), rel_record) if record_file.is_file() else None
    frozen = _frozen_record(repo, top, agreement_id, base)
    if renamed_from is not None and record is not None and record.predecessor not in (None, renamed_from):
        raise _fail(f"协议 {agreement_id} 已登记前身 {record.predecessor}", rel_record)
    if renamed_from is not None and not (top / record_path(renamed_from)).is_file():
        raise _fail(f"前身协议 {renamed_from} 没有发布记录", rel_record, "--renamed-from 应为改名前的协议 ID")
    path = f"agreements/{agreement_id}.md"
    file = top / path
    if withdraw and version is not None:
        return _withdraw_version(record, frozen, record_file, rel_record, path, version, today, reason)
    if withdraw:
        return _withdraw(record, record_file, rel_record, file, path, today, reason)
    if not file.is_file():
        raise _fail(f"找不到协议文件 {path}", path, "协议 ID 即文件名（不含 .md）；停止适用一份协议请删除文件后加 --withdraw")
    source = _read_source(file, path)
    agreement = _parse_clean(source, path)
    meta = agreement.meta
    frozen_labels = {r.version for r in frozen.releases} if frozen else set()
    latest = record.latest if record else None
    label = version or meta.version.strip() or ""
    if not label:
        label = _next_label(latest.version if latest else None, path, today)
    if not is_version_label(label):
        raise _fail(f"版本号 “{label}” 不能用作版本号", path, "请用数字和点，例如 1.0、2.1")
    same = latest is not None and latest.version == label
    # the old version's dates and summary, still in the front matter of a new text: not this version's
    inherited: Release | None = None
    if same and latest is not None and latest.version in frozen_labels:
        if version is not None or as_is or not _new_text_without_correction(latest, meta, source):
            return _event_on_frozen(record, latest, agreement, source, top, path, rel_record, today, effective, reason)
        # a new text under the released label and no correction listed: a new version, with the next label
        label, same, inherited = _next_label(latest.version, path, today), False, latest
    if record is not None and not same and label in {r.version for r in record.releases}:
        raise _fail(f"版本号 {label} 已登记过其他文本", path, "每个版本号只对应一份文本：请使用新的版本号")
    unreleased = latest is not None and latest.version not in frozen_labels
    # the version this one follows: the unreleased entry (if any) is replaced, not followed
    kept = list(record.releases if record else ())[: -1 if unreleased else None]
    prior = kept[-1] if kept else None
    predecessor = (record.predecessor if record else None) or renamed_from
    if prior is None and predecessor is not None:
        # a renamed agreement's first version follows its predecessor's latest: judged against it, not "first"
        old_record_file = top / record_path(predecessor)
        if old_record_file.is_file():
            old_record = parse_record(old_record_file.read_text(encoding="utf-8"), record_path(predecessor))
            prior = old_record.latest
    filled: dict[str, str] = {}
    reasoning: list[str] = []
    if meta.version.strip() != label:
        filled["version"] = label
    written_announced, written_effective, written_summary = meta.announced, meta.effective, meta.summary
    if inherited is not None:
        written_announced = None if written_announced == inherited.announced else written_announced
        written_effective = None if written_effective == inherited.current_effective else written_effective
        written_summary = "" if written_summary == inherited.summary else written_summary
    the_announced = announced or written_announced
    if the_announced is None and not as_is:
        the_announced = today
        filled["announced"] = today.isoformat()
    elif the_announced != meta.announced and the_announced is not None:
        filled["announced"] = the_announced.isoformat()
    the_effective = effective or written_effective
    earliest, steps, channels = (None, [], ()) if as_is else _earliest(root, top, prior, agreement, the_announced)
    if the_effective is None and not as_is:
        the_effective, reasoning = earliest, steps
        if the_effective is not None:
            filled["effective"] = the_effective.isoformat()
    elif the_effective != meta.effective and the_effective is not None:
        filled["effective"] = the_effective.isoformat()
    if the_effective is not None and earliest is not None and the_effective < earliest:
        reasoning.append(f"注意：生效日期 {the_effective} 早于最早合法生效日 {earliest}，合并检查会报错（KS414）："
                         "请改为该日或更晚（不写 effective 再运行一次，即按最早合法生效日登记）")  # fmt: skip
    if channels:
        from kspub.law.notice import CHANNELS

        reasoning.append(f"通知渠道：{'、'.join(CHANNELS.get(c, c) for c in channels)}（公告时请通过这些渠道通知客户）")
    the_summary = summary if summary is not None else written_summary
    if the_summary != meta.summary:
        filled["summary"] = the_summary
    if inherited is not None:
        reasoning.insert(0, f"版本 {inherited.version} 已发布，正文有修改且 corrections 中没有新的勘误：按新版本 {label} "
                            "登记，沿用的旧公告日期、生效日期和变更说明不再适用（若只是勘误，请登记 corrections 后重新运行）")  # fmt: skip
        if not the_summary:
            reasoning.append("变更说明 summary 为空：请用客户能看懂的话写明改了什么（--summary）")
    if filled:
        source = set_front_matter(source, path, {k: v for k, v in filled.items()})
        file.write_bytes(source.encode("utf-8"))
    blob = _store_blob(top, file)
    from kspub.history import legal_text

    entry = Release(
        version=label,
        path=path,
        blob=blob,
        sha256=sha256_text(legal_text(source)),
        announced=the_announced,
        effective=the_effective,
        summary=the_summary,
        recorded=today,
    )
    if unreleased and latest is not None and latest.same_entry(replace(entry, recorded=latest.recorded)):
        return ReleaseResult(agreement_id, label, "unchanged", latest, record_file=rel_record)
    releases = [*kept, entry]
    action = "updated" if unreleased else "new"
    new_record = Record(agreement_id, tuple(releases), record.withdrawn if record else None,
                        (record.predecessor if record else None) or renamed_from, rel_record)  # fmt: skip
    _write_record(record_file, new_record)
    return ReleaseResult(agreement_id, label, action, entry, filled, tuple(reasoning), rel_record)


def _event_on_frozen(
    record: Record | None,
    latest: Release,
    agreement: Agreement,
    source: str,
    top: Path,
    path: str,
    rel_record: str,
    today: date,
    effective: date | None,
    reason: str | None,
) -> ReleaseResult:
    """The label is already on the base branch: only an event can be appended."""
    from kspub.history import legal_text

    assert record is not None
    meta = agreement.meta
    file, record_file = top / path, top / rel_record
    text_sha = sha256_text(legal_text(source))
    events = list(latest.events)
    action = "unchanged"
    if text_sha != latest.current_sha256:
        known = {(e.date, e.reason) for e in latest.corrections}
        fresh = [c for c in meta.corrections if (c.date, c.reason) not in known]
        if not fresh:
            raise _fail(
                f"版本 {latest.version} 已发布，正文却被修改：已发布的版本不能再改",
                path,
                "请把 version 改为新的版本号后再运行 kspub release；若只是不改变含义的错字更正，"
                "请在 corrections 中登记日期和原因（并在 change_notes 中说明），再运行 kspub release",
                meta.field_lines.get("version"),
            )
        _refuse_material_correction(top, latest, agreement, path)
        events.append(Event(EventKind.CORRECTION, fresh[-1].date, fresh[-1].reason, blob=_store_blob(top, file),
                            sha256=text_sha))  # fmt: skip
        action = "correction"
    wanted = effective or meta.effective
    if wanted is not None and wanted != latest.current_effective:
        current = latest.current_effective
        if current is not None and wanted < current:
            raise _fail(f"版本 {latest.version} 的生效日期只能推迟，不能由 {current} 提前到 {wanted}", path,
                        "已发出的通知按原日期计算；如需更早生效，请发布新版本并重新通知",
                        meta.field_lines.get("effective"))  # fmt: skip
        if current is None or current <= today:
            raise _fail(f"版本 {latest.version} 已于 {current or '发布时'}生效，不能再推迟生效", path,
                        "已生效的版本只能由新版本取代：请设置新的版本号，按通知规则重新通知",
                        meta.field_lines.get("effective"))  # fmt: skip
        if not reason:
            raise _fail(f"推迟版本 {latest.version} 的生效日期（{current} → {wanted}）需要写明原因", path,
                        "请加 --reason 说明推迟的原因")  # fmt: skip
        if effective is not None and effective != meta.effective:
            source = set_front_matter(source, path, {"effective": effective.isoformat()})
            file.write_bytes(source.encode("utf-8"))
        events.append(Event(EventKind.POSTPONEMENT, today, reason, effective=wanted))
        action = "postponement" if action == "unchanged" else action
    if action == "unchanged":
        return ReleaseResult(record.agreement, latest.version, action, latest, record_file=rel_record)
    updated = replace(latest, events=tuple(events))
    new_record = replace(record, releases=record.releases[:-1] + (updated,))
    _write_record(record_file, new_record)
    return ReleaseResult(record.agreement, latest.version, action, updated, record_file=rel_record)


def _withdraw_version(
    record: Record | None,
    frozen: Record | None,
    record_file: Path,
    rel_record: str,
    path: str,
    label: str,
    today: date,
    reason: str | None,
) -> ReleaseResult:
    """A released version withdrawn before it takes effect: an event; the version stays published, archived."""
    entry = record.release(label) if record is not None else None
    if record is None or entry is None:
        raise _fail(f"发布记录中没有版本 {label}", rel_record)
    if frozen is None or frozen.release(label) is None:
        raise _fail(f"版本 {label} 尚未合入主分支，无需撤回", rel_record,
                    f"恢复主分支上的文件即可：git checkout origin/main -- {path} {rel_record}")  # fmt: skip
    if entry.withdrawal is not None:
        return ReleaseResult(record.agreement, label, "unchanged", entry, record_file=rel_record)
    effective = entry.current_effective
    if effective is None or effective <= today:
        raise _fail(f"版本 {label} 已于 {effective or '发布时'}生效，已生效的版本不能撤回", rel_record,
                    "请发布新版本（按通知规则提前通知）来替代它")  # fmt: skip
    if not reason:
        raise _fail(f"撤回版本 {label} 需要写明原因", rel_record, "请加 --reason 说明原因")
    updated = replace(entry, events=(*entry.events, Event(EventKind.WITHDRAWAL, today, reason)))
    releases = tuple(updated if r.version == label else r for r in record.releases)
    _write_record(record_file, replace(record, releases=releases))
    return ReleaseResult(record.agreement, label, "version-withdrawal", updated, record_file=rel_record)


def _withdraw(
    record: Record | None, record_file: Path, rel_record: str, file: Path, path: str, today: date, reason: str | None
) -> ReleaseResult:
    if record is None:
        raise _fail(f"协议 {path} 没有发布记录，无需登记停止适用", path)
    if file.exists():
        raise _fail(f"登记停止适用前请先删除 {path}", path, "停止适用的协议及其全部历史版本仍会发布，状态为“已停止适用”")
    if not reason:
        raise _fail("登记停止适用需要写明原因", path, "请加 --reason 说明原因")
    if record.withdrawn is not None:
        return ReleaseResult(record.agreement, "", "unchanged", None, record_file=rel_record)
    _write_record(record_file, replace(record, withdrawn=Withdrawal(today, reason)))
    return ReleaseResult(record.agreement, "", "withdrawal", None, record_file=rel_record)


def _read_source(file: Path, path: str) -> str:
    """The file's text as every reader sees it (BOM and CRLF normalised)."""
    from kspub.parse import decode_source

    source, diags = decode_source(file.read_bytes(), path)
    if source is None:
        raise _fail(f"协议文件无法读取：{diags[0].message if diags else path}", path, "请先用 kspub lint 修正")
    return source


def _parse_clean(source: str, path: str) -> Agreement:
    from kspub.lint import lint_agreement
    from kspub.parse import parse_agreement

    result = parse_agreement(source, path)
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    if result.agreement is not None:
        errors += [d for d in lint_agreement(result.agreement) if d.severity.value == "error"]
    if result.agreement is None or errors:
        first = errors[0].format() if errors else path
        raise _fail(f"协议有 {len(errors) or 1} 处错误，不能登记发布：{first}", path, "请先用 kspub lint 修正")
    return result.agreement


def _refuse_material_correction(top: Path, latest: Release, agreement: Agreement, path: str) -> None:
    """A correction may not change meaning: refuse it when the diff against the recorded text is material."""
    from kspub.diff import diff_agreements

    old = _recorded_agreement(top, latest, path)
    material = [c.clause for c in diff_agreements(old, agreement).changes if c.material]
    if material:
        raise _fail(f"勘误只能做不改变含义的编辑性更正，但本次修改含 {len(material)} 处实质性变更（{'、'.join(material[:5])}）",
                    path, "请设置新的版本号并按通知规则公告")  # fmt: skip


def _recorded_agreement(top: Path, entry: Release, path: str) -> Agreement:
    """The recorded text of a version (its last correction's, else the released one), parsed."""
    from kspub.parse import decode_source, parse_agreement
    from kspub.repository import git_env

    data = subprocess.run(["git", "cat-file", "blob", entry.current_blob], cwd=top, capture_output=True, check=False,
                          env=git_env())  # fmt: skip
    if data.returncode != 0:
        raise _fail(f"无法读取已登记版本 {entry.version} 的文本（git 对象 {entry.current_blob[:12]}）", path,
                    "请使用完整克隆（git fetch --unshallow）")  # fmt: skip
    text, _ = decode_source(data.stdout, entry.path)
    old = parse_agreement(text or "", entry.path).agreement
    if old is None:
        raise _fail(f"已登记版本 {entry.version} 无法解析", entry.path)
    return old


def _earliest(
    root: Path, top: Path, prior: Release | None, agreement: Agreement, announced: date | None
) -> tuple[date | None, list[str], tuple[str, ...]]:
    """The earliest lawful effective date for the changes against the previous recorded version, explained, and
    the channels the notice must use (none when no notice is needed)."""
    if announced is None:
        return None, [], ()
    if prior is None:
        return announced, [f"首次发布，无需提前通知：生效日期取公告日期 {announced}"], ()
    from kspub.diff import diff_agreements
    from kspub.law.rules_in_force import assess_in_force
    from kspub.law.workdays import repository_calendar

    old = _recorded_agreement(top, prior, agreement.path)
    changes = diff_agreements(old, agreement)
    material = [c.clause for c in changes.changes if c.material]
    if not material:
        return announced, [f"与上一版本 {prior.version} 相比没有实质性变更：生效日期取公告日期 {announced}"], ()
    notice = assess_in_force(material, old, agreement, repository_calendar(top), announced=announced)
    steps = [f"与上一版本 {prior.version} 相比有 {len(material)} 处实质性变更（{'、'.join(material[:5])}）"]
    gov = notice.governing
    if gov is None or gov.window is None or notice.earliest_effective is None:
        steps.append(f"通知规则未规定期间：生效日期取公告日期 {announced}")
        return announced, steps, notice.channels
    steps.append(f"依 {gov.label}，须提前{gov.rule.period.display if gov.rule.period else ''}通知，自公告日 {announced} 起算：")
    steps.extend(f"  {s}" for s in gov.window.steps)
    steps.append(f"最早合法生效日：{notice.earliest_effective}")
    if notice.consent_required:
        steps.append(f"注意：须重新取得用户同意（{listed(notice.consent_clauses)}）")
    return notice.earliest_effective, steps, notice.channels


def _new_text_without_correction(latest: Release, meta: Any, source: str) -> bool:
    """The working tree's legal text differs from the released one and the front matter lists no new
    correction: the editor wrote a new version without changing the label."""
    from kspub.history import legal_text

    if sha256_text(legal_text(source)) == latest.current_sha256:
        return False
    known = {(e.date, e.reason) for e in latest.corrections}
    return not [c for c in meta.corrections if (c.date, c.reason) not in known]


def _next_label(previous: str | None, path: str, today: date) -> str:
    """The label after ``previous`` in its scheme (decision record 0407): numeric 1.9 → 1.10; year 2026.2 → 2026.3,
    or 2027.1 in a new year; date → today."""
    from kspub.labels import follows, label_key

    if previous is None:
        return "1.0"
    key = label_key(previous)
    if key is not None and key.scheme == "date":
        label = today.isoformat()
    elif key is not None and key.scheme == "year" and key.parts[0] < today.year:
        label = f"{today.year}.1"
    else:
        m = re.fullmatch(r"(.*?)(\d+)", previous)
        label = f"{m.group(1)}{int(m.group(2)) + 1}" if m else ""
    if not label or follows(label, previous) is False:
        raise _fail(f"无法从版本号 {previous} 推出下一个版本号", path, "请用 --version 指定，或在头信息中写 version")
    return label


def _frozen_record(repo: Any, top: Path, agreement_id: str, base: str | None) -> Record | None:
    """The record as the base branch has it: its entries are final."""
    from kspub.repository import file_at_ref, verify_ref

    path = record_path(agreement_id)
    candidates = [base] if base else ["origin/main", "main", "HEAD"]
    for ref in candidates:
        try:
            verify_ref(repo, ref)
        except KspubError:
            if base:
                raise
            continue
        text = file_at_ref(Path(str(repo.working_tree_dir)), ref, path)
        return parse_record(text, path) if text is not None else None
    return None


def _store_blob(top: Path, file: Path) -> str:
    """Write the file into git's object database (so the record can be verified before it is committed)."""
    out = subprocess.run(["git", "hash-object", "-w", "--no-filters", "--", str(file)], cwd=top, capture_output=True,
                         text=True, check=False)  # fmt: skip
    if out.returncode != 0:
        raise _fail(f"无法把 {file.name} 写入 git 对象库：{out.stderr.strip()[-200:]}", str(file))
    return out.stdout.strip()


def _write_record(record_file: Path, record: Record) -> None:
    record_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = record_file.with_suffix(".yaml.tmp")
    tmp.write_text(dump_record(record), encoding="utf-8")
    tmp.replace(record_file)


# ---------------------------------------------------------------------------------------------------------
# Front matter


def _scalar(key: str, value: str) -> str:
    if key in ("announced", "effective"):
        return f"{key}: {value}"
    rendered = yaml.safe_dump(value, allow_unicode=True, default_style='"', width=10**9).strip()
    if rendered.endswith("\n..."):
        rendered = rendered[: -len("\n...")]
    return f"{key}: {rendered}"


_FIELD_ORDER = ("version", "announced", "effective", "summary")


def set_front_matter(source: str, path: str, fields: dict[str, str]) -> str:
    """``source`` with top-level front-matter ``fields`` set (replaced where present, else added after
    ``version``); nothing below the front matter changes, which is verified."""
    from kspub.frontmatter import parse_front_matter
    from kspub.history import legal_text

    block = split_front_matter(source)
    if block is None or block.end_line == 0:
        raise _fail("找不到头信息（--- 开头、--- 结尾）", path)
    lines = source.split("\n")
    fm_start = block.first_line - 1  # 0-based index of the first YAML line
    fm_lines = lines[fm_start : block.end_line - 1]
    node, _ = load_yaml_document("\n".join(fm_lines))
    spans: dict[str, tuple[int, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            end = v.end_mark.line + (1 if v.end_mark.column > 0 else 0)
            spans[str(k.value)] = (k.start_mark.line, max(end, k.start_mark.line + 1))
    for key, value in fields.items():
        line = _scalar(key, value)
        if key in spans:
            a, b = spans[key]
            fm_lines[a:b] = [line]
            shift = 1 - (b - a)
        else:
            anchors = [spans[k][1] for k in _FIELD_ORDER if k in spans]
            at = max(anchors) if anchors else len(fm_lines)
            fm_lines[at:at] = [line]
            a, shift = at, 1
        spans = {k: (s + shift if s >= a and k != key else s, e + shift if s >= a and k != key else e)
                 for k, (s, e) in spans.items()}  # fmt: skip
        spans[key] = (a, a + 1)
    new = "\n".join(lines[:fm_start] + fm_lines + lines[block.end_line - 1 :])
    check = split_front_matter(new)
    meta, diags = (parse_front_matter(check.yaml, path, first_line=check.first_line, file_stem=None)
                   if check is not None else (None, []))  # fmt: skip
    if meta is None or legal_text(new) != legal_text(source) or any(d.severity.value == "error" for d in diags):
        raise _fail("无法自动写入头信息字段，请手工填写：" + "、".join(f"{k}: {v}" for k, v in fields.items()), path)
    return new
