"""The site's files through the real server: the folder cannot be left, pages carry their CSP.

Paths are sent exactly as written (`raw_request`): an HTTP client would normalise `..` away.
"""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import Kb, Server, raw_request, start_server

SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"


@pytest.fixture(scope="module")
def outside(web_kb: Kb) -> Path:
    """A file next to the site folder, and a symlink inside the site pointing at it."""
    secret = web_kb.root / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    os.symlink(secret, web_kb.site / "leak.txt")
    os.symlink(web_kb.root, web_kb.site / "up")
    return secret


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/../../../../../../etc/passwd",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
        "/leak.txt",
        "/up/secret.txt",
        "/up/kbtool.toml",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/.kbtool/index/CURRENT",
        "/%00/etc/passwd",
        "/assets/%00",
        "/" + "a" * 5000,
    ],
)
def test_static_route_never_leaves_the_site(server: Server, outside: Path, target: str) -> None:
    response = raw_request(server, target)
    assert response.status in (400, 404), (target, response.status)
    assert SECRET.encode() not in response.body
    assert b"root:" not in response.body
    assert response.headers["content-type"].startswith("application/json")
    assert raw_request(server, "/api/health").status == 200


def test_a_browser_gets_the_sites_404_page(server: Server) -> None:
    response = raw_request(server, "/no/such/page/", headers={"Accept": "text/html"})
    assert response.status == 404
    assert b"<html" in response.body and b"404" in response.body
    assert "content-security-policy" in response.headers


def test_folder_urls_answer_with_their_index(http: httpx.Client) -> None:
    redirect = http.get("/procedures/email/outlook-profile", follow_redirects=False)
    assert redirect.status_code == 308
    assert redirect.headers["location"].endswith("/procedures/email/outlook-profile/")
    page = http.get("/procedures/email/outlook-profile/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_security_headers_on_every_kind_of_response(http: httpx.Client) -> None:
    for target in (
        "/",
        "/api/search?q=outlook",
        "/api/health",
        "/api/nope",
        "/nope.png",
        "/assets/kbtool/kbtool.css",
        "/search/search_index.json",
    ):
        response = http.get(target)
        assert response.headers["x-content-type-options"] == "nosniff", target
        assert response.headers["referrer-policy"] == "same-origin", target
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], target


def test_page_policy_allows_only_the_sites_own_scripts(web_kb: Kb, http: httpx.Client) -> None:
    from kbtool.web.security import inline_hashes

    page = http.get("/procedures/email/outlook-profile/")
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";")
    )
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert "'unsafe-eval'" not in page.headers["content-security-policy"]
    scripts, _styles, _attributes = inline_hashes(page.content)
    assert scripts, "Material's pages have inline scripts to allow by hash"
    assert policy["script-src"].split() == ["'self'", *scripts]
    assert policy["connect-src"] == "'self'" and policy["object-src"] == "'none'"


def test_every_inline_script_of_the_built_site_is_hashed(web_kb: Kb) -> None:
    """What the browser would run inline, found and hashed for each page of the site (the
    JSON `__config` is data, not a script: not allowed, not needed)."""
    from kbtool.web.security import inline_hashes

    pages = list(web_kb.site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_bytes()
        runnable = [
            m
            for m in re.finditer(rb"<script(?![^>]*\bsrc=)([^>]*)>", html)
            if b"application/json" not in m.group(1)
        ]
        assert len(set(inline_hashes(html)[0])) <= len(runnable), page
        assert len(inline_hashes(html)[0]) >= 1, page


def test_hashed_assets_are_cached_pages_revalidated(http: httpx.Client, web_kb: Kb) -> None:
    bundle = next((web_kb.site / "assets" / "javascripts").glob("bundle.*.min.js")).name
    asset = http.get(f"/assets/javascripts/{bundle}")
    assert "immutable" in asset.headers["cache-control"]
    page = http.get("/")
    assert page.headers["cache-control"] == "no-cache"
    again = http.get("/", headers={"if-none-match": page.headers["etag"]})
    assert again.status_code == 304
    # The browser takes the 304's headers for the cached page: the page's policy, not "none".
    assert again.headers["content-security-policy"] == page.headers["content-security-policy"]


def test_search_index_is_a_stub_with_materials_config(web_kb: Kb, http: httpx.Client) -> None:
    import json

    real = json.loads((web_kb.site / "search" / "search_index.json").read_text("utf-8"))
    stub = http.get("/search/search_index.json").json()
    assert stub["docs"] == []
    marker = stub["config"].pop("kbtool")
    assert marker["api"] == "api/search"
    assert stub["config"] == real["config"]


def test_a_client_that_disconnects_mid_response(server: Server, web_kb: Kb) -> None:
    """The connection reset half way through a large file: the server goes on serving."""
    big = max(web_kb.site.rglob("*.js"), key=lambda p: p.stat().st_size)
    target = "/" + big.relative_to(web_kb.site).as_posix()
    for _ in range(5):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # a reset, not a clean close
    time.sleep(0.5)
    assert raw_request(server, "/api/search?q=outlook").status == 200
    assert raw_request(server, target).status == 200


def test_a_site_folder_that_vanishes_while_serving(kb_copy: Kb) -> None:
    running = start_server(kb_copy.root)
    try:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            assert client.get("/").status_code == 200
            moved = kb_copy.root / "site-moved"
            kb_copy.site.rename(moved)
            gone = client.get("/")
            assert gone.status_code == 503
            assert "mkdocs build" in gone.json()["message"]
            as_page = client.get("/", headers={"accept": "text/html"})
            assert as_page.status_code == 503 and "not built" in as_page.text
            assert client.get("/api/search", params={"q": "outlook"}).status_code == 200
            health = client.get("/api/health")
            assert health.status_code == 200
            time.sleep(1.1)  # the site's state is read again at most once a second
            assert client.get("/api/health").json()["site"]["present"] is False
            moved.rename(kb_copy.site)
            assert client.get("/").status_code == 200
    finally:
        code, output = running.stop()
    assert code == 0 and "Traceback" not in output, output
