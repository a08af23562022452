"""Security headers on every response, and the Content-Security-Policy of the site's pages.

A page may run only the site's own scripts and styles: files under the site's origin
(`'self'`), and the inline scripts and style attributes that the build wrote into that page
(Material writes a few: the palette, the local-storage helpers), allowed one by one by their
SHA-256 (`page_policy`), never with `'unsafe-inline'`. Anything injected into a page later, by
a search result or a procedure's text, matches no hash and does not run. Connections, workers,
frames and forms stay on the origin; the page cannot be framed by another site.

JSON and other non-page responses get a policy that allows nothing at all.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Sent with everything.
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: For responses that are not pages (JSON, files): nothing may load or run.
NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"

_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_STYLE = re.compile(rb"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(
    rb"<[a-zA-Z][^>]*?\sstyle\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.DOTALL
)
_SRC = re.compile(rb"\ssrc\s*=", re.IGNORECASE)
_TYPE = re.compile(rb"\stype\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
#: Script types a browser runs (https://html.spec.whatwg.org/#javascript-mime-type).
_RUNNABLE = {
    b"",
    b"module",
    b"text/javascript",
    b"application/javascript",
    b"text/ecmascript",
    b"application/ecmascript",
    b"text/jscript",
}


def _hash(text: bytes) -> str:
    # Browsers hash the element's text as parsed: line endings normalised to LF.
    digest = hashlib.sha256(text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def inline_hashes(page: bytes) -> tuple[list[str], list[str], bool]:
    """(hashes of the inline scripts, hashes of the inline styles, whether any style is an
    attribute) of one HTML page, in order of appearance, without duplicates."""
    scripts: list[str] = []
    for attributes, body in _SCRIPT.findall(page):
        if _SRC.search(attributes):
            continue
        kind = _TYPE.search(attributes)
        if kind is not None and kind.group(1).lower() not in _RUNNABLE:
            continue  # data, e.g. Material's `__config` JSON: never run
        scripts.append(_hash(body))
    styles = [_hash(body) for body in _STYLE.findall(page)]
    attributes_found = False
    for double, single in _STYLE_ATTRIBUTE.findall(page):
        value = html.unescape((double or single).decode("utf-8", errors="replace"))
        styles.append(_hash(value.encode("utf-8")))
        attributes_found = True
    return _unique(scripts), _unique(styles), attributes_found


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def page_policy(page: bytes) -> str:
    """The Content-Security-Policy for one of the site's HTML pages."""
    scripts, styles, attributes = inline_hashes(page)
    script_src = " ".join(["'self'", *scripts])
    style_src = " ".join(["'self'", *(["'unsafe-hashes'"] if attributes else []), *styles])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_src}",
            f"style-src {style_src}",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """ASGI middleware: the base headers on every response; the non-page policy where the
    response did not set its own (pages set theirs, see `static_site`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in BASE_HEADERS.items():
                    headers[name] = value
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = NON_PAGE_POLICY
            await send(message)

        await self.app(scope, receive, send_with_headers)
