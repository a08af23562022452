"""Serving the built site: its files and nothing else.

A request path is decoded once (by the server), split into names, and refused (404) when any
name is `..`, `.`, hidden (`.git`), holds a NUL or a backslash, or when the file it names,
symlinks resolved, is not inside the site folder: `/../`, `%2e%2e%2f`, `//etc/passwd` and a
symlink pointing out all end here. Folders answer with their `index.html` (MkDocs' directory
URLs), a missing file with the site's own 404 page for a browser and JSON for anything else; a
site folder that is missing (not built yet, or removed while serving) is a 503 that says how
to build it. Pages carry the Content-Security-Policy of their own inline scripts
(`security.page_policy`), worked out once per version of each file.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from email.utils import parsedate
from pathlib import Path

from starlette.datastructures import URL, Headers
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import NotModifiedResponse
from starlette.types import Receive, Scope, Send

from kbtool.web.errors import error_response
from kbtool.web.security import page_policy

#: Files whose name holds a content hash never change: cached for a year.
_HASHED = re.compile(r"\.[0-9a-f]{8,}\.min\.(?:js|css)$")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_FILE_POLICY = page_policy(b"")
_MISSING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Site not built</title></head><body><h1>The site is not built</h1>
<p>The knowledge base's site folder is missing. Build it with <code>mkdocs build</code>
(or start the server with <code>kbtool serve --build</code>); the search API under
<code>/api/</code> keeps answering meanwhile.</p></body></html>
"""


class SiteFiles:
    """ASGI app serving the files of `root` (the built site)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        response = self.response(scope)
        await response(scope, receive, send)

    # -- resolving --------------------------------------------------------------------------

    def resolve(self, url_path: str) -> Path | None:
        """The file or folder `url_path` names inside the site, or None (refused or absent)."""
        names = [name for name in url_path.split("/") if name]
        for name in names:
            if name.startswith(".") or "\x00" in name or "\\" in name or ":" in name:
                return None
        root = os.path.realpath(self.root)
        candidate = os.path.realpath(os.path.join(root, *names))
        if candidate != root and not candidate.startswith(root + os.sep):
            return None  # a symlink (or anything else) pointing out of the site
        return Path(candidate)

    # -- answering --------------------------------------------------------------------------

    def response(self, scope: Scope) -> Response:
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            return error_response(
                405, f"{method} is not allowed on the site's files", headers={"Allow": "GET, HEAD"}
            )
        headers = Headers(scope=scope)
        if not self.root.is_dir():
            if _wants_html(headers):
                return HTMLResponse(_MISSING_PAGE, status_code=503)
            return error_response(
                503, "the site is not built: run mkdocs build (or kbtool serve --build)"
            )
        path = _route_path(scope)
        target = self.resolve(path)
        st = _stat(target)
        if target is not None and st is not None and stat.S_ISDIR(st.st_mode):
            if not path.endswith("/"):
                url = URL(scope=scope)
                return RedirectResponse(url.replace(path=url.path + "/"), status_code=308)
            target = self.resolve(path + "index.html")
            st = _stat(target)
        if target is None or st is None or not stat.S_ISREG(st.st_mode):
            return self.not_found(scope, headers)
        return self.file(target, st, headers)

    def file(self, path: Path, st: os.stat_result, headers: Headers, status: int = 200) -> Response:
        response = FileResponse(path, status_code=status, stat_result=st)
        # A page gets the hashes of its own inline scripts; any other file the policy of a page
        # without them (it matters for a worker script, which runs under its own response's).
        if path.suffix in (".html", ".htm"):
            policy = _policy(str(path), st.st_mtime_ns, st.st_size)
        else:
            policy = _FILE_POLICY
        response.headers["Content-Security-Policy"] = policy
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if _HASHED.search(path.name) else "no-cache"
        )
        if status == 200 and _not_modified(response.headers, headers):
            not_modified = NotModifiedResponse(response.headers)
            # A browser updates the cached response's headers from a 304: without its policy
            # here, the page would be run under the non-page policy (nothing allowed).
            not_modified.headers["Content-Security-Policy"] = policy
            return not_modified
        return response

    def not_found(self, scope: Scope, headers: Headers) -> Response:
        if _wants_html(headers):
            page = self.resolve("404.html")
            st = _stat(page)
            if page is not None and st is not None and stat.S_ISREG(st.st_mode):
                return self.file(page, st, headers, status=404)
        return error_response(404, f"no page at {scope['path']}")


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    return path or "/"


def _stat(path: Path | None) -> os.stat_result | None:
    if path is None:
        return None
    try:
        return os.stat(path)
    except (OSError, ValueError):  # ValueError: embedded NUL, a name too long for the system
        return None


def _wants_html(headers: Headers) -> bool:
    accept = headers.get("accept", "")
    return any(kind in accept for kind in _HTML_TYPES)


@functools.lru_cache(maxsize=4096)
def _policy(path: str, mtime_ns: int, size: int) -> str:
    """The page's policy, for one version of the file (the key changes when it is rebuilt)."""
    try:
        with open(path, "rb") as handle:
            return page_policy(handle.read())
    except OSError:
        return page_policy(b"")


def _not_modified(response_headers: Headers, request_headers: Headers) -> bool:
    if_none_match = request_headers.get("if-none-match")
    if if_none_match:
        etag = response_headers.get("etag", "")
        return if_none_match.strip() == "*" or etag in [
            tag.strip().removeprefix("W/") for tag in if_none_match.split(",")
        ]
    since = request_headers.get("if-modified-since")
    modified = response_headers.get("last-modified")
    if since and modified:
        since_date, modified_date = parsedate(since), parsedate(modified)
        return since_date is not None and modified_date is not None and since_date >= modified_date
    return False
