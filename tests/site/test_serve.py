"""`mkdocs serve` rebuilds when a procedure or the roster changes (they live outside docs/)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.site.conftest import write_kb

TIMEOUT = 90  # seconds; the machine is shared


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, text: str) -> str:
    deadline = time.monotonic() + TIMEOUT
    page = None
    while time.monotonic() < deadline:
        page = fetch(url)
        if page is not None and text in page:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{url} never showed {text!r}")


def test_serve_reloads_on_procedure_and_roster_changes(tmp_path: Path) -> None:
    root = write_kb(tmp_path)
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/procedures/email/outlook-profile/"
        wait_for(url, "Jane Doe")
        procedure = root / "procedures" / "email" / "outlook-profile.md"
        procedure.write_text(
            procedure.read_text("utf-8").replace("Loading profile", "Preparing profile"), "utf-8"
        )
        wait_for(url, "Outlook is stuck on &quot;Preparing profile&quot;")
        roster = root / "procedures" / "roster.yml"
        roster.write_text(roster.read_text("utf-8").replace("Jane Doe", "Janet Doe"), "utf-8")
        wait_for(url, "Janet Doe")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_does_not_rebuild_when_kbtool_writes_its_state_folder(tmp_path: Path) -> None:
    """`procedures = "."`: the knowledge base is the whole tree, `.kbtool/` inside it."""
    from tests.site.conftest import PROCEDURES, ROSTER

    root = write_kb(tmp_path / "kb", {})
    for rel, text in PROCEDURES.items():
        path = root / rel  # at the root: the root is the procedures folder
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "roster.yml").write_text(ROSTER, encoding="utf-8")
    (root / "kbtool.toml").write_text(
        'procedures = "."\nroster = "roster.yml"\nexclude = ["docs/*", "procedures/*"]\n',
        encoding="utf-8",
    )
    port = free_port()
    log = tmp_path / "serve.log"  # outside the watched tree
    with open(log, "wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=root,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/procedures/email/outlook-profile/"
        wait_for(url, "Jane Doe")
        deadline = time.monotonic() + TIMEOUT
        while "Watching paths for changes" not in log.read_text("utf-8", "replace"):
            assert time.monotonic() < deadline, log.read_text("utf-8", "replace")
            time.sleep(0.2)
        builds = log.read_text("utf-8", "replace").count("Building documentation")
        state = root / ".kbtool" / "index"
        state.mkdir(parents=True)
        (state / "CURRENT").write_text("x", encoding="utf-8")
        (root / ".kbtool" / "search-misses.jsonl").write_text("{}\n", encoding="utf-8")
        time.sleep(4)  # MkDocs waits a moment for more changes before it rebuilds
        assert log.read_text("utf-8", "replace").count("Building documentation") == builds
        procedure = root / "email" / "outlook-profile.md"
        procedure.write_text(
            procedure.read_text("utf-8").replace("Loading profile", "Preparing profile"), "utf-8"
        )
        wait_for(url, "Outlook is stuck on &quot;Preparing profile&quot;")
    finally:
        server.terminate()
        server.wait(timeout=30)
