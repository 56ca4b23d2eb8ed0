"""A Content-Security-Policy for every page: only the site's own scripts run.

Defence in depth behind the escaping of every text (decision record 0504): even if some text ever reached a page
as markup, an inline event handler, a ``javascript:`` URL or an injected ``<script>`` would not run. The theme
writes a few inline scripts of its own; each page's policy allows exactly those, by their sha256, and scripts
loaded from the site itself. Styles may be inline (the theme sets ``style`` attributes; a style cannot run code).
The policy travels in a ``<meta http-equiv>`` element at the top of ``<head>``, so it holds on any static host.
"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.S | re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?(?P<type>[^"'\s>]+)""", re.I)
_HEAD = re.compile(r"<head\b[^>]*>(?:\s*<meta\s+charset=[^>]*>)?", re.I)
_EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}

BASE_POLICY = (
    "default-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


def inline_script_hashes(page: str) -> list[str]:
    """The CSP source expressions (``'sha256-…'``) of the page's executable inline scripts, in order."""
    hashes: dict[str, None] = {}
    for m in _INLINE_SCRIPT.finditer(page):
        attrs = m.group("attrs")
        if _SRC.search(attrs):
            continue
        kind = _TYPE.search(attrs)
        if kind is not None and kind.group("type").lower() not in _EXECUTABLE_TYPES:
            continue  # data blocks (application/json) never run
        digest = base64.b64encode(hashlib.sha256(m.group("body").encode("utf-8")).digest()).decode("ascii")
        hashes[f"'sha256-{digest}'"] = None
    return list(hashes)


def policy_for(page: str) -> str:
    scripts = " ".join(["'self'", *inline_script_hashes(page)])
    return "; ".join([BASE_POLICY[0], f"script-src {scripts}", *BASE_POLICY[1:]])


def with_policy(page: str) -> str:
    """``page`` with its Content-Security-Policy at the top of ``<head>`` (after ``<meta charset>``), before any
    script."""
    head = _HEAD.search(page)
    if head is None:
        return page
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(page)}">'
    return page[: head.end()] + meta + page[head.end() :]
