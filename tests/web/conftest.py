"""A built knowledge base and the real `kbtool serve` over it, for the web tests.

The knowledge base is the site tests' (every page state, a hostile title, a draft, a retired
procedure, orphaned ones) plus a password procedure, built once with the real `mkdocs build`
and indexed with the real `kbtool index`. `server` is `kbtool serve` as a user starts it: a
subprocess on a free localhost port, spoken to over real HTTP.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.site.conftest import PROCEDURES, TODAY, mkdocs_build, site_procedure, write_kb

STARTUP_SECONDS = 60  # the machine is shared

WEB_PROCEDURES = {
    **PROCEDURES,
    "accounts/password-reset.md": site_procedure(
        "KB-0008",
        "Forgotten password reset",
        summary="The caller forgot their password and cannot sign in.",
        service="Accounts",
        extra='error_codes: ["AADSTS50126"]',
        symptom="The caller cannot remember the password and the sign-in page refuses it.",
    ),
}


@dataclass
class Kb:
    root: Path
    site: Path


def index(root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kbtool", "index"], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def make_kb(root: Path) -> Kb:
    write_kb(root, WEB_PROCEDURES)
    # No fonts from Google (the site's CSP allows only its own files; see docs/api.md).
    mkdocs_yml = root / "mkdocs.yml"
    text = mkdocs_yml.read_text("utf-8")
    mkdocs_yml.write_text(text.replace("  name: material\n", "  name: material\n  font: false\n"))
    (root / "docs" / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n", "utf-8")
    build = mkdocs_build(root)
    assert build.returncode == 0, build.log
    index(root)
    return Kb(root, build.site)


@pytest.fixture(scope="package")
def web_kb(tmp_path_factory: pytest.TempPathFactory) -> Kb:
    """Built and indexed once; tests that change it take a copy (`kb_copy`)."""
    return make_kb(tmp_path_factory.mktemp("web-kb"))


@pytest.fixture
def kb_copy(web_kb: Kb, tmp_path: Path) -> Kb:
    root = tmp_path / "kb"
    # Not the events the package's server recorded: each copy starts with an empty store.
    ignore = shutil.ignore_patterns("events.sqlite3*")
    shutil.copytree(web_kb.root, root, symlinks=True, ignore=ignore)
    return Kb(root, root / "site")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    port: int

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> tuple[int, str]:
        """Send `sig`, wait for the process to end; (exit code, everything it printed)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
            raise AssertionError(f"kbtool serve did not stop on signal {sig}:\n{output}") from None
        return self.process.returncode, output


def start_server(
    root: Path,
    *args: str,
    port: int | None = None,
    wait: bool = True,
    env: dict | None = None,
    preexec: Callable[[], None] | None = None,
) -> Server:
    """`kbtool serve` in `root` on a free port; waits until /api/health answers. `preexec`
    runs in the server's process before it starts (resource limits)."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kbtool", "--today", TODAY, "serve", "--port", str(port), *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec,  # noqa: PLW1509 - only a resource limit, set before exec
    )
    server = Server(f"http://127.0.0.1:{port}", process, port)
    if wait:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"kbtool serve exited:\n{process.communicate()[0]}")
            try:
                httpx.get(server.url + "/api/health", timeout=2)
                return server
            except httpx.TransportError:
                time.sleep(0.2)
        server.stop(signal.SIGKILL)
        raise AssertionError("kbtool serve did not answer in time")
    return server


@pytest.fixture(scope="package")
def server(web_kb: Kb) -> Iterator[Server]:
    """One `kbtool serve` for the tests that only read."""
    running = start_server(web_kb.root)
    try:
        yield running
    finally:
        code, output = running.stop()
        assert "Traceback" not in output, output


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        import json

        return json.loads(self.body)


def raw_request(
    server: Server, target: str, method: str = "GET", headers: dict[str, str] | None = None
) -> RawResponse:
    """Send `target` exactly as written (no client normalising `..` or limiting length)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return RawResponse(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()
