"""``kspub serve``: the site of the working tree, uncommitted edits included, on 127.0.0.1, rebuilt on save.

A preview is not a publication. ``kspub build`` reads only the committed tree of HEAD and the release record
(decision record 0302); the preview reads the working tree, shows each agreement's text there as its latest
version whether recorded or not, and every recorded version whatever its announced date. So it is kept apart:

- it is built into a temporary directory, never into ``build/site`` (nor ``build/docs``), with its own cache;
- every HTML page it serves carries the banner 预览，未发布 (added as the page is served, so no page escapes it);
- it is served on 127.0.0.1 only.

A watcher polls the files the site is made of (``agreements/``, ``sla/``, ``calendar/``, ``mkdocs.yml``) and
rebuilds after a save; the pages reload themselves when a new build is ready. A source that does not lint clean
gives a page listing the problems (in Chinese, at their lines) instead of the site, until it is fixed.
Decision record 0604.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kspub.errors import KspubError
from kspub.history import Timeline, read_timelines

BANNER_TEXT = "预览，未发布"
#: Served by the preview only: the build counter the pages poll, and the script that polls it.
STATE_PATH = "/__kspub_preview__/state"
SCRIPT_PATH = "/__kspub_preview__/reload.js"
WATCHED = ("agreements", "sla", "calendar", "mkdocs.yml")
_BANNER = (
    '<div class="kspub-preview-banner" role="status" style="position:sticky;top:0;z-index:1000;'
    "background:#b71c1c;color:#fff;text-align:center;padding:.4em;font-weight:bold;font-size:.8rem\">"
    f"{BANNER_TEXT}：本页是工作区的预览（含未提交的修改），不是已发布的网站"
    f'</div><script src="{SCRIPT_PATH}"></script>'
)
_RELOAD_SCRIPT = f"""(function () {{
  var seen = null;
  function poll() {{
    fetch("{STATE_PATH}", {{cache: "no-store"}}).then(function (r) {{ return r.text(); }}).then(function (t) {{
      if (seen === null) {{ seen = t; }} else if (t !== seen) {{ location.reload(); return; }}
      setTimeout(poll, 1000);
    }}).catch(function () {{ setTimeout(poll, 2000); }});
  }}
  poll();
}})();
"""


def preview_timelines(root: Path, as_of: date) -> dict[str, Timeline]:
    """The release record's timelines with the working tree's text as each agreement's latest version: a text
    under a new label is added after the recorded ones; under the label of the last recorded version it takes
    that version's place (an edit not yet released). Unlike a draft elsewhere, it counts as a version, so it
    is shown as in force or upcoming by its dates, like the version it will become, and dated ``as_of`` where a
    recorded version has the day it was recorded."""
    timelines = read_timelines(root, include_draft=True)
    out: dict[str, Timeline] = {}
    for agreement, timeline in timelines.items():
        versions = list(timeline.versions)
        if versions and versions[-1].draft:
            draft = replace(versions.pop(), draft=False, recorded=as_of)
            versions = [v for v in versions if v.label != draft.label]
            versions.append(draft)
        out[agreement] = replace(timeline, versions=tuple(versions))
    return out


@dataclass
class PreviewState:
    """What the server shows: the current build's site, or the problems that stop one, and a counter the pages
    poll to reload after a rebuild."""

    site: Path | None = None
    problems: str | None = None
    generation: int = 0


def build_preview(root: Path, work: Path, *, as_of: date | None = None) -> Path:
    """Build the working tree's site into a new directory under ``work`` and return it (its ``site``). Raises
    :class:`KspubError` when the sources do not lint clean or the site cannot be built."""
    from kspub.clock import today_in_shanghai
    from kspub.publish.api import write_api
    from kspub.publish.build import CONFIG_FILE, _run_mkdocs, _write_docs
    from kspub.publish.cache import Cache
    from kspub.publish.incremental import collect_cached
    from kspub.publish.progress import Phases
    from kspub.publish.search import add_clause_entries, fix_query_segmentation
    from kspub.publish.site import render_site

    config_file = root / CONFIG_FILE
    if not config_file.is_file():
        raise KspubError("KS921", f"找不到网站配置 {CONFIG_FILE}", path=CONFIG_FILE, hint="网站配置应放在仓库根目录")
    store = Cache(work / "cache")
    day = as_of if as_of is not None else today_in_shanghai()
    snapshot = collect_cached(root, day, cache=store, phases=Phases(), preview=True)
    staging = Path(tempfile.mkdtemp(prefix="build-", dir=work))
    docs, site = staging / "docs", staging / "site"
    rendered = render_site(snapshot, store)
    _write_docs(docs, rendered)
    _run_mkdocs(config_file, docs, site, rendered.nav, str(int(time.time())), lambda _n: None)
    add_clause_entries(site, snapshot, store)
    fix_query_segmentation(site)
    write_api(snapshot, site)
    return site


def problems_page(exc: KspubError) -> str:
    """The page shown instead of the site while the sources have errors."""
    lines = [d.format() for d in exc.diagnostics if d.severity.value == "error"] or [exc.format()]
    items = "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines[:200])
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>预览无法生成</title></head><body>'
        f"<h1>预览无法生成：源文件有 {len(lines)} 处错误</h1><p>改正后保存，本页会自动刷新。</p>"
        f"<ul>{items}</ul></body></html>"
    )


def with_banner(page: bytes) -> bytes:
    """An HTML page with the preview banner right after its ``<body>`` tag."""
    text = page.decode("utf-8", errors="replace")
    at = text.find("<body")
    end = text.find(">", at) + 1 if at >= 0 else 0
    return (text[:end] + _BANNER + text[end:]).encode("utf-8")


def _handler(state: PreviewState) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(state.site or tempfile.gettempdir()), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass  # the editor's terminal shows rebuilds, not every request

        def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - the base class's name
            path = self.path.split("?", 1)[0]
            if path == STATE_PATH:
                return self._send(str(state.generation).encode(), "text/plain; charset=utf-8")
            if path == SCRIPT_PATH:
                return self._send(_RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
            if state.problems is not None or state.site is None:
                page = state.problems or '<!doctype html><html lang="zh-CN"><body><p>正在生成预览……</p></body></html>'
                return self._send(with_banner(page.encode()), "text/html; charset=utf-8")
            file = Path(self.translate_path(path))
            if file.is_dir():
                file = file / "index.html"
            if file.suffix == ".html" and file.is_file():
                return self._send(with_banner(file.read_bytes()), "text/html; charset=utf-8")
            if not file.exists() and (state.site / "404.html").is_file():
                return self._send(with_banner((state.site / "404.html").read_bytes()), "text/html; charset=utf-8",
                                  HTTPStatus.NOT_FOUND)  # fmt: skip
            return super().do_GET()

    return Handler


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """The watched files' paths, sizes and modification times: a save changes it."""
    seen: list[tuple[str, int, int]] = []
    for name in WATCHED:
        top = root / name
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else []
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                continue
            seen.append((path.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns))
    return tuple(seen)


class PreviewServer:
    """The preview: an HTTP server on 127.0.0.1 and a watcher that rebuilds after a save."""

    def __init__(self, root: Path, port: int, *, as_of: date | None = None, say: Callable[[str], None] = print,
                 interval: float = 0.5) -> None:  # fmt: skip
        self.root, self.as_of, self.say, self.interval = root.resolve(), as_of, say, interval
        self.work = Path(tempfile.mkdtemp(prefix="kspub-preview-"))
        self.state = PreviewState()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self.state))
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def rebuild(self) -> None:
        started = time.monotonic()
        try:
            site = build_preview(self.root, self.work, as_of=self.as_of)
        except KspubError as exc:
            self.state.problems = problems_page(exc)
            self.state.generation += 1
            self.say(f"预览无法生成：{exc.format()}")
            return
        except Exception as exc:  # noqa: BLE001 - the preview keeps running; the editor sees what happened
            self.state.problems = problems_page(KspubError("KS922", f"预览生成出错：{exc!r}"))
            self.state.generation += 1
            self.say(f"预览生成出错：{exc!r}")
            return
        old = self.state.site
        self.state.site, self.state.problems = site, None
        self.state.generation += 1
        if old is not None:
            shutil.rmtree(old.parent, ignore_errors=True)
        self.say(f"预览已更新（{time.monotonic() - started:.1f} 秒）：{self.url}")

    def watch(self) -> None:
        last = _fingerprint(self.root)
        while not self.stopping.wait(self.interval):
            now = _fingerprint(self.root)
            if now != last:
                time.sleep(self.interval)  # an editor saving several files, or writing one in pieces
                last = _fingerprint(self.root)
                self.rebuild()

    def serve_forever(self) -> None:
        self.rebuild()
        watcher = threading.Thread(target=self.watch, name="kspub-preview-watch", daemon=True)
        watcher.start()
        try:
            self.httpd.serve_forever()
        finally:
            self.close()

    def close(self) -> None:
        self.stopping.set()
        self.httpd.server_close()
        shutil.rmtree(self.work, ignore_errors=True)


def serve(root: Path, port: int, *, as_of: date | None = None, say: Callable[[str], None] = print) -> None:
    """Serve the preview until interrupted."""
    server = PreviewServer(root, port, as_of=as_of, say=say)
    say(f"正在生成预览：{server.url}（{BANNER_TEXT}；按 Ctrl+C 结束）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass



