"""`kbtool serve` as a process: clean stops, clear refusals, the warning for open addresses."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys

import httpx
import pytest

from tests.site.conftest import TODAY
from tests.web.conftest import Kb, free_port, start_server


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_stops_cleanly_on_a_signal(web_kb: Kb, sig: int, workers: str) -> None:
    running = start_server(web_kb.root, "--workers", workers)
    assert httpx.get(running.url + "/api/search", params={"q": "outlook"}).status_code == 200
    code, output = running.stop(sig)
    assert code == 0, output
    assert "kbtool serve: stopped" in output
    assert "Traceback" not in output and "ERROR" not in output, output


def serve(root, *args: str) -> subprocess.CompletedProcess[str]:  # noqa: ANN001
    return subprocess.run(
        [sys.executable, "-m", "kbtool", "--today", TODAY, "serve", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_said_plainly(web_kb: Kb, workers: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve(web_kb.root, "--port", str(port), "--workers", workers)
    assert done.returncode == 2
    assert f"port {port} is already in use on 127.0.0.1" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_second_server_on_the_same_port_is_refused(web_kb: Kb) -> None:
    """Workers listen with SO_REUSEPORT; another kbtool serve must still not join them."""
    first = start_server(web_kb.root, "--workers", "2")
    try:
        for workers in ("1", "2"):
            done = serve(web_kb.root, "--port", str(first.port), "--workers", workers)
            assert done.returncode == 2 and "already in use" in done.stderr
    finally:
        code, output = first.stop()
    assert code == 0, output


def test_both_workers_answer_a_burst_of_connections(web_kb: Kb) -> None:
    import concurrent.futures
    import http.client

    running = start_server(web_kb.root, "--workers", "2", "--access-log")

    def ask(_n: int) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
        for _ in range(5):
            connection.request("GET", "/api/search?q=outlook")
            connection.getresponse().read()
        connection.close()
        return 0

    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(ask, range(16)))
    finally:
        code, output = running.stop()
    assert code == 0, output
    started = [line for line in output.splitlines() if "Started server process" in line]
    pids = {line.split("[")[1].split("]")[0] for line in started}
    assert len(pids) == 2, output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "nowhere"], "no built site here"),
        (["--host", "host.invalid"], "cannot listen on 'host.invalid'"),
        (["--host", "192.0.2.1"], "not an address of this machine"),
        (["--port", "70000"], "70000 is not in the range"),
    ],
)
def test_refusals(web_kb: Kb, args: list[str], message: str) -> None:
    done = serve(web_kb.root, "--port", str(free_port()), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_site_folder_says_how_to_build_it(kb_copy: Kb) -> None:
    shutil.rmtree(kb_copy.site)
    done = serve(kb_copy.root, "--port", str(free_port()))
    assert done.returncode == 2
    assert "no built site here; build it with `mkdocs build`" in done.stderr


def test_an_open_address_says_authentication_belongs_in_front(web_kb: Kb) -> None:
    running = start_server(web_kb.root, "--host", "0.0.0.0")  # noqa: S104 - the point
    code, output = running.stop()
    assert "put authentication in front of it" in output
    assert code == 0
    local = start_server(web_kb.root)
    code, output = local.stop()
    assert "authentication" not in output


def test_build_updates_the_index_and_builds_the_site_first(kb_copy: Kb) -> None:
    shutil.rmtree(kb_copy.site)
    shutil.rmtree(kb_copy.root / ".kbtool")
    running = start_server(kb_copy.root, "--build")
    try:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            assert client.get("/").status_code == 200
            hits = client.get("/api/search", params={"q": "KB-0001"}).json()["results"]
            assert hits[0]["url"] == "procedures/email/outlook-profile/"
    finally:
        code, output = running.stop()
    assert code == 0, output
    assert "building the site" in output
