"""The command line: a thin click layer. Each command lazily imports and calls one library function.

Only this module prints or exits. Exit codes: 0 ok, 1 problems found or an error, 2 usage errors.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from kspub.errors import Diagnostic, KspubError

FORMAT_TEXT_JSON = click.Choice(["text", "json"])


#: Version of the JSON the commands print (services parse it; see docs/cli.md).
SCHEMA_VERSION = "1.0"


def dump_json(data: Any) -> str:
    if isinstance(data, dict):
        data = {"schema_version": SCHEMA_VERSION, **data}
    # ensure_ascii=False keeps Chinese readable; a lone surrogate that slipped through is escaped, never a crash
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8", "backslashreplace").decode("utf-8")


@contextmanager
def user_errors(fmt: str = "text") -> Iterator[None]:
    """Turn kspub's own errors into one line on stderr (and a JSON error object with --format json), exit 1."""
    from kspub.errors import KspubError

    try:
        yield
    except KspubError as exc:
        fail(exc, fmt)
    except OSError as exc:  # a path the user gave that cannot be read or written
        where = f"{exc.filename}：" if exc.filename else ""
        fail(KspubError("KS002", f"{where}{exc.strerror or exc}", hint="请检查路径是否存在、是否有读写权限"), fmt)


def fail(exc: KspubError, fmt: str) -> None:
    from kspub.errors import UsageError

    if fmt == "json":
        click.echo(dump_json({"error": exc.to_dict()}))
    if len(exc.diagnostics) > 1:
        for d in exc.diagnostics:
            click.echo(d.format(), err=True)
    click.echo(f"错误：{exc.format()}", err=True)
    sys.exit(2 if isinstance(exc, UsageError) else 1)


def root_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="协议仓库的根目录（含 agreements/ 与 sla/）。",
    )(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kspub")
def main() -> None:
    """kspub：协议即代码。解析、检查、比对、计算通知期并发布金山云的协议。"""


@main.command("list")
@root_option
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True, help="输出格式。")
def list_cmd(root: Path, fmt: str) -> None:
    """列出仓库中的全部协议（ID、标题、版本、路径）。"""
    from kspub.workspace import load_corpus

    with user_errors(fmt):
        corpus = load_corpus(root, with_sla=False)
        rows = [{"id": a.id, "title": a.meta.title, "version": a.meta.version, "path": a.path} for a in corpus.agreements]
        if fmt == "json":
            click.echo(dump_json({"agreements": rows}))
        else:
            for r in rows:
                click.echo(f"{r['id']}\t{r['version']}\t{r['title']}\t{r['path']}")
        for d in corpus.errors:
            click.echo(d.format(), err=True)
        if corpus.errors:
            sys.exit(1)


@main.command("show")
@click.argument("agreement")
@root_option
@click.option("--version", "version", default=None, help="历史版本号（默认：工作区中的当前文本）。")
@click.option("--clause", "clause", default=None, help="只显示这一条款（条款 ID）。")
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True, help="输出格式。")
def show_cmd(agreement: str, root: Path, version: str | None, clause: str | None, fmt: str) -> None:
    """显示一份协议的全部条款（每个条款的 ID、编号、标题、正文、标签与上级）。"""
    from kspub.show import show

    with user_errors(fmt):
        data = show(root, agreement, version=version, clause=clause)
        if fmt == "json":
            click.echo(dump_json(data))
        else:
            from kspub.show import format_show

            click.echo(format_show(data))


@main.command("sla")
@root_option
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True, help="输出格式。")
def sla_cmd(root: Path, fmt: str) -> None:
    """显示 SLA 目录（分类与条目）。"""
    from kspub.errors import KspubError
    from kspub.workspace import load_sla

    with user_errors(fmt):
        catalogue, diags = load_sla(root)
        if catalogue is None:
            raise KspubError("KS700", "SLA 目录无法读取", hint="请运行 kspub lint sla/ 查看问题", diagnostics=tuple(diags))
        if fmt == "json":
            click.echo(dump_json(catalogue.to_dict()))
        else:
            for cat in catalogue.categories:
                click.echo(f"{cat.title}（{cat.id}）")
                for e in cat.entries:
                    click.echo(f"  {e.id}\t{e.title}")


@main.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@root_option
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True, help="输出格式。")
@click.option("--strict", is_flag=True, help="警告也视为失败。")
def lint_cmd(paths: tuple[Path, ...], root: Path, fmt: str, strict: bool) -> None:
    """检查协议与 SLA 目录，按 路径:行号: 代码 说明 列出全部问题。"""
    from kspub.errors import Severity
    from kspub.workspace import lint_paths

    with user_errors(fmt):
        diags = lint_paths(root, list(paths))
        emit_diagnostics(diags, fmt)
        failing = [d for d in diags if strict or d.severity is Severity.ERROR]
        sys.exit(1 if failing else 0)


@main.command("versions")
@click.argument("agreement")
@root_option
@click.option("--draft", is_flag=True, help="把工作区中未提交的修改也作为草稿版本列出。")
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True, help="输出格式。")
def versions_cmd(agreement: str, root: Path, draft: bool, fmt: str) -> None:
    """列出一份协议在 git 历史中的全部版本（版本号、公告与生效日期、提交、作者、文本哈希）。"""
    from kspub.history import read_timeline

    with user_errors(fmt):
        timeline = read_timeline(root, agreement, include_draft=draft)
        if fmt == "json":
            click.echo(dump_json(timeline.to_dict()))
            return
        for v in timeline.versions:
            dates = f"公告 {v.announced or '—'}  生效 {v.effective or '—'}"
            first = v.first_commit
            where = f"{first.sha[:10]} {first.committed[:10]}" if first else "未提交"
            flag = "（草稿）" if v.draft else ""
            click.echo(f"{v.label}{flag}\t{dates}\t{where}\t{'、'.join(v.authors)}\tsha256:{v.text_sha256[:12]}")
            for rev in v.revisions:
                if rev.correction:
                    click.echo(f"    勘误 {rev.commit.committed[:10]} {rev.commit.sha[:10]}：{rev.correction}")


@main.command("notice")
@click.option("--from", "notice_from", default=None, help="通知生效的日期或时间：2026-03-02 或 2026-03-01T16:30Z。")
@click.option("--to", "target", default=None, help="目标生效日期：反推最晚通知日期。")
@click.option("--period", required=True, help="期间：10日、10个自然日、10个工作日、1个月、1年、24小时、10 days …")
@click.option(
    "--roll",
    type=click.Choice(["all_rest_days", "statutory_only"]),
    default="all_rest_days",
    show_default=True,
    help="期间最后一日遇休息日顺延：所有休息日（默认）或仅法定节假日。",
)
@click.option(
    "--end",
    type=click.Choice(["strict", "lenient"]),
    default="strict",
    show_default=True,
    help="strict：期间届满次日生效（默认）；lenient：最后一日当日生效（有合规风险）。",
)
@click.option("--calendar-dir", "calendar_dirs", multiple=True, type=click.Path(file_okay=False), help="追加的年度调休安排目录。")
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True, help="输出格式。")
@root_option
def notice_cmd(
    notice_from: str | None,
    target: str | None,
    period: str,
    roll: str,
    end: str,
    calendar_dirs: tuple[str, ...],
    fmt: str,
    root: Path,
) -> None:
    """按民法典期间规则计算通知期：--from 求最早生效日，--to 反推最晚通知日。"""
    from kspub.errors import UsageError

    with user_errors(fmt):
        if notice_from is None and target is None:
            raise UsageError("KS610", "请给出 --from（通知日期，求最早生效日）或 --to（目标生效日期，求最晚通知日）")
        if notice_from is not None and target is not None:
            raise UsageError("KS610", "--from 与 --to 只能给出其中之一")
        from kspub.law.counting import effective_window, latest_notice_date
        from kspub.law.period import EndMode, RollMode, parse_period
        from kspub.law.workdays import repository_calendar

        # an agreement repository may carry newly published years in calendar/ (no code change needed)
        calendar = repository_calendar(root, calendar_dirs)
        p = parse_period(period)
        modes = {"roll": RollMode(roll), "end": EndMode(end)}
        if notice_from is not None:
            result = effective_window(notice_from, p, calendar, **modes)  # type: ignore[arg-type]
            data = result.to_dict()
            text = f"最早生效日：{data['effective_date']}（期间最后一日 {data['last_day'] or '—'}）"
        else:
            reverse = latest_notice_date(target, p, calendar, **modes)  # type: ignore[arg-type]
            data = reverse.to_dict()
            text = f"最晚通知日期：{data['latest_notice_date']}（目标生效日 {data['effective_date']}）"
        if fmt == "json":
            click.echo(dump_json(data))
            return
        click.echo(text)
        click.echo(data["explanation"])
        if data.get("compliance_risk"):
            click.echo(f"合规风险：{data['compliance_risk']}")
        if data["provisional"]:
            click.echo("注意：结果为暂定——涉及日期晚于已知最后一年的12月20日，次年放假安排公布后可能变化。")


@main.command("diff")
@click.argument("old", required=False)
@click.argument("new", required=False)
@root_option
@click.option("--base", default=None, help="与这个提交/分支比较仓库中所有变更的协议。")
@click.option("--head", default=None, help="与 --base 比较的提交/分支（默认：工作区）。")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "docx"]),
    default="text",
    show_default=True,
    help="输出格式；docx：带修订（跟踪更改）的 Word 文档，须同时给出 --output。",
)
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写入的文件（--format docx 时必填）。")  # fmt: skip
@click.option("--author", default="kspub", show_default=True, help="Word 修订中显示的作者。")
def diff_cmd(old: str | None, new: str | None, root: Path, base: str | None, head: str | None, fmt: str,
             output: Path | None, author: str) -> None:  # fmt: skip
    """逐条款比较两个版本：OLD 与 NEW 可以是文件、协议ID@版本号 或 提交:路径；或用 --base 比较整个仓库。

    --format docx --output 文件.docx 写出 Word 修订稿：新版本全文，每处修改都是可以逐条接受或拒绝的修订。"""
    from kspub.errors import UsageError

    with user_errors("json" if fmt == "json" else "text"):
        if base is None and (old is None or new is None):
            raise UsageError("KS032", "请给出 OLD 和 NEW 两个比较对象，或使用 --base REF")
        if base is not None and (old is not None or new is not None):
            raise UsageError("KS032", "--base 与 OLD/NEW 不能同时使用")
        if fmt == "docx" and (output is None or base is not None):
            raise UsageError("KS032", "--format docx 须给出 OLD、NEW 和 --output 文件.docx（不能与 --base 同用）")
        if fmt != "docx" and output is not None:
            raise UsageError("KS032", "--output 只用于 --format docx")
        from kspub.diff_report import render_markdown_report, render_text_report

        if base is None:
            from kspub.diff import diff_agreements
            from kspub.diff_operands import resolve_operand

            assert old is not None and new is not None
            old_agreement, new_agreement = resolve_operand(root, old), resolve_operand(root, new)
            if fmt == "docx":
                from kspub.clock import today_in_shanghai
                from kspub.redline_docx import render_docx

                assert output is not None
                when = new_agreement.meta.announced or today_in_shanghai()
                output.write_bytes(render_docx(old_agreement, new_agreement, author=author, when=when))
                click.echo(f"已写出 Word 修订稿：{output}（{old_agreement.meta.version} → {new_agreement.meta.version}）")
                return
            changes = diff_agreements(old_agreement, new_agreement)
            if fmt == "json":
                click.echo(dump_json(changes.to_dict()))
            else:
                click.echo(render_markdown_report(changes) if fmt == "markdown" else render_text_report(changes), nl=False)
            return
        from kspub.diff_operands import diff_refs

        diffs = diff_refs(root, base, head)
        if fmt == "json":
            click.echo(dump_json({"base": base, "head": head, "agreements": [
                {"path": d.path, "added": d.old is None, "removed": d.new is None,
                 "diff": d.changes.to_dict() if d.changes else None} for d in diffs]}))
            return
        if not diffs:
            click.echo(f"与 {base} 相比没有协议发生变化。")
        for d in diffs:
            if d.changes is None:
                click.echo(f"{d.path}：{'新增协议' if d.old is None else '协议被删除'}\n")
            else:
                click.echo(render_markdown_report(d.changes) if fmt == "markdown" else render_text_report(d.changes))


DATE = click.DateTime(formats=["%Y-%m-%d"])


@main.command("release")
@click.argument("agreement")
@root_option
@click.option("--version", "version", default=None, help="版本号（默认：头信息中的 version，没有则按上一版本号递增）。")
@click.option("--announced", type=DATE, default=None, help="公告日期 YYYY-MM-DD（默认：头信息中的，没有则为北京时间今天）。")
@click.option("--effective", type=DATE, default=None, help="生效日期（默认：头信息中的，没有则为按通知规则计算的最早合法生效日）。")
@click.option("--summary", default=None, help="变更说明（默认：头信息中的 summary）。")
@click.option("--reason", default=None, help="推迟生效或停止适用的原因。")
@click.option("--base", default=None, help="其发布记录已定稿的分支（默认：origin/main，没有则 main）。")
@click.option("--as-is", "as_is", is_flag=True, help="按头信息原样登记日期，不补全（用于登记发布记录建立之前已发布的版本）。")
@click.option("--withdraw", is_flag=True, help="登记协议停止适用（先删除协议文件）；与 --version 同用则撤回一个尚未生效的版本。两者的全部版本仍然发布。")
@click.option("--renamed-from", "renamed_from", default=None, help="改名前的协议 ID：其版本作为本协议的历史，旧地址跳转到新地址。")
@click.option("--today", "today_text", type=DATE, default=None, help="按哪一天登记（默认：北京时间今天）。")
def release_cmd(
    agreement: str,
    root: Path,
    version: str | None,
    announced: Any,
    effective: Any,
    summary: str | None,
    reason: str | None,
    base: str | None,
    as_is: bool,
    withdraw: bool,
    renamed_from: str | None,
    today_text: Any,
) -> None:
    """把工作区中的协议登记为发布的版本：补全头信息中缺少的版本号与日期，写入发布记录 agreements/releases/。"""
    from kspub.clock import today_in_shanghai
    from kspub.release import release

    with user_errors():
        result = release(
            root,
            agreement,
            today=today_text.date() if today_text is not None else today_in_shanghai(),
            version=version,
            announced=announced.date() if announced is not None else None,
            effective=effective.date() if effective is not None else None,
            summary=summary,
            reason=reason,
            base=base,
            as_is=as_is,
            withdraw=withdraw,
            renamed_from=renamed_from,
        )
    for line in result.lines():
        click.echo(line)


@main.command("build")
@root_option
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="网站按哪一天（北京时间）的情况生成，默认今天。")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="输出目录（默认：仓库的 build/）。")
@click.option("--previous", default=None, help="之前发布的网站（目录或 https 网址，默认 build/site）：已发布的版本一个不能少。")
@click.option("--first-publication", "first_publication", is_flag=True,
              help="--previous 给出的网址还从未发布过网站（返回 404）时使用；否则 404 是错误。")  # fmt: skip
@click.option("--base-url", "base_url", default=None,
              help="网站的地址（如 https://legal.ksyun.com）：给出时 JSON API 与订阅中的链接都是完整网址，否则以 / 开头。")  # fmt: skip
def build_cmd(root: Path, as_of: Any, out: Path | None, previous: str | None, first_publication: bool,
              base_url: str | None) -> None:  # fmt: skip
    """生成客户网站与 JSON API（build/site）；生成失败时旧网站保持不变。"""
    from kspub.clock import today_in_shanghai
    from kspub.publish.build import build

    day = as_of.date() if as_of is not None else today_in_shanghai()
    with user_errors():
        result = build(root, as_of=day, out=out, progress=sys.stderr.isatty(), previous=previous,
                       first_publication=first_publication, base_url=base_url or "")
    for warning in result.warnings:
        click.echo(warning.format(), err=True)
    click.echo(f"已生成网站：{result.site}（{result.pages} 个页面，{result.api_files} 个 API 文件，按 {day.isoformat()} 的情况）")


@main.command("check")
@root_option
@click.option("--base", default="origin/main", show_default=True, help="与之比较的提交或分支（合并请求的目标分支）。")
@click.option("--head", default=None, help="被检查的提交（默认：工作区）。")
@click.option("--today", "today_text", default=None, help="公告日，YYYY-MM-DD（默认：北京时间今天）。")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "github"]),
    default="text",
    show_default=True,
    help="text：终端；markdown：合并请求评论/作业摘要；json；github：工作流注释。",
)
def check_cmd(root: Path, base: str, head: str | None, today_text: str | None, fmt: str) -> None:
    """合并请求检查：检查全部协议，并逐一核对变更协议的版本号、日期、通知期与同意要求。通过退出码 0，否则 1。"""
    from kspub.errors import UsageError

    with user_errors("json" if fmt == "json" else "text"):
        from datetime import date

        from kspub.check import run_check
        from kspub.clock import today_in_shanghai

        try:
            today = date.fromisoformat(today_text) if today_text else today_in_shanghai()
        except ValueError as exc:
            raise UsageError("KS033", f"--today 日期 “{today_text}” 不对，请写成 YYYY-MM-DD") from exc
        report = run_check(root, base, head=head, today=today)
        if fmt == "json":
            click.echo(dump_json(report.to_dict()))
        else:
            from kspub import check_report as render

            out = {"text": render.render_text, "markdown": render.render_markdown, "github": render.render_github}[fmt]
            click.echo(out(report), nl=False)
        sys.exit(0 if report.ok else 1)


@main.command("serve")
@root_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="端口（只在本机 127.0.0.1 上提供；0 表示任选一个空闲端口）。")  # fmt: skip
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="按哪一天（北京时间）的情况预览，默认今天。")
def serve_cmd(root: Path, port: int, as_of: Any) -> None:
    """预览工作区的网站（含未提交的修改，每页标明“预览，未发布”）：保存文件后自动重新生成、页面自动刷新。

    预览不写入 build/site，也不发布任何内容；按 Ctrl+C 结束。"""
    from kspub.publish.preview import serve

    with user_errors():
        serve(root, port, as_of=as_of.date() if as_of is not None else None, say=lambda m: click.echo(m))


def emit_diagnostics(diags: list[Diagnostic], fmt: str) -> None:
    from kspub.errors import Severity

    if fmt == "json":
        click.echo(dump_json({"diagnostics": [d.to_dict() for d in diags]}))
        return
    for d in diags:
        click.echo(d.format())
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = len(diags) - errors
    click.echo(f"共 {errors} 个错误，{warnings} 个警告。" if diags else "检查通过：没有发现问题。", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
