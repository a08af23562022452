"""A running server follows the index: rebuilds and updates in use at the next search, with no
failed request, in one worker or several; and with --watch it updates the index itself."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import Kb, index, start_server

MARKER = "zebracrossing"


class Searcher(threading.Thread):
    """Searches in a loop until stopped; counts answers and anything that was not one."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.answers = 0
        self.failures: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set() and self.answers < 20_000:
                try:
                    response = client.get("/api/search", params={"q": "outlook loading profile"})
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))
                    continue
                results = response.json().get("results") if response.status_code == 200 else None
                if not results or results[0]["id"] != "KB-0001":
                    self.failures.append(f"{response.status_code}: {response.text[:200]}")
                self.answers += 1


def rename_procedure(root: Path, word: str) -> None:
    path = root / "procedures" / "network" / "vpn-drops.md"
    text = path.read_text("utf-8")
    path.write_text(text.replace("every five minutes", f"every five minutes ({word})"), "utf-8")


def kbtool(root: Path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kbtool", *args], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def found(client: httpx.Client, word: str) -> list[str]:
    answer = client.get("/api/search", params={"q": word}).json()
    return [hit["id"] for hit in answer["results"]]


@pytest.mark.parametrize("workers", [1, 2])
def test_searches_during_rebuilds_and_updates_never_fail(kb_copy: Kb, workers: int) -> None:
    running = start_server(kb_copy.root, "--workers", str(workers))
    loops = [Searcher(running.url) for _ in range(2)]
    try:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            before = client.get("/api/health").json()["index"]["generation"]
            for loop in loops:
                loop.start()
            for round_ in range(3):
                kbtool(kb_copy.root, "index", "--rebuild")
                rename_procedure(kb_copy.root, f"{MARKER}{round_}")
                kbtool(kb_copy.root, "index")  # incremental, into the same generation
                # Every worker answers from the updated index at its next search.
                for _ in range(4 * workers):
                    assert found(client, f"{MARKER}{round_}") == ["KB-0003"]
            after = client.get("/api/health").json()["index"]["generation"]
            assert after != before
    finally:
        for loop in loops:
            loop.stop.set()
        for loop in loops:
            loop.join(timeout=60)
        code, output = running.stop()
    answers = sum(loop.answers for loop in loops)
    failures = [f for loop in loops for f in loop.failures]
    assert answers > 20, answers
    assert failures == [], failures[:5]
    assert code == 0 and "Traceback" not in output, output


def test_missing_index_is_503_until_kbtool_index(kb_copy: Kb) -> None:
    import shutil

    shutil.rmtree(kb_copy.root / ".kbtool")
    running = start_server(kb_copy.root)
    try:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            health = client.get("/api/health")
            assert health.status_code == 503
            assert health.json()["status"] == "unavailable"
            search = client.get("/api/search", params={"q": "outlook"})
            assert search.status_code == 503
            assert "kbtool index" in search.json()["message"]
            assert client.get("/").status_code == 200  # the site is still served
            index(kb_copy.root)
            time.sleep(2.1)  # a failed open is retried after two seconds
            assert found(client, "outlook")[0] == "KB-0001"
    finally:
        code, output = running.stop()
    assert code == 0 and "Traceback" not in output, output


def test_a_damaged_index_keeps_the_last_good_searcher(kb_copy: Kb) -> None:
    import json

    running = start_server(kb_copy.root)
    try:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            assert found(client, "outlook")[0] == "KB-0001"
            current = kb_copy.root / ".kbtool" / "index" / "CURRENT"
            good = current.read_text("utf-8")
            broken = {**json.loads(good), "generation": "g-does-not-exist"}
            current.write_text(json.dumps(broken), "utf-8")
            for _ in range(5):
                assert found(client, "outlook")[0] == "KB-0001"
            current.write_text(good, "utf-8")
            assert found(client, "outlook")[0] == "KB-0001"
    finally:
        code, output = running.stop()
    assert code == 0 and "Traceback" not in output, output
    assert "cannot be opened yet" in output


def test_watch_updates_the_index_when_procedures_change(kb_copy: Kb) -> None:
    kbtool(kb_copy.root, "index")  # the copy's index names the original's folder: rebuilt
    running = start_server(kb_copy.root, "--watch")
    try:
        with httpx.Client(base_url=running.url, timeout=30) as client:
            assert found(client, MARKER) == []
            rename_procedure(kb_copy.root, MARKER)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and found(client, MARKER) != ["KB-0003"]:
                time.sleep(0.5)
            assert found(client, MARKER) == ["KB-0003"]
    finally:
        code, output = running.stop()
    assert code == 0 and "Traceback" not in output, output
    assert "index updated: 0 added, 1 changed, 0 removed" in output


def test_without_watch_the_server_never_writes_the_index(kb_copy: Kb) -> None:
    running = start_server(kb_copy.root)
    try:
        rename_procedure(kb_copy.root, MARKER)
        with httpx.Client(base_url=running.url, timeout=30) as client:
            time.sleep(2)
            assert found(client, MARKER) == []  # searched in the index as it was built
    finally:
        code, output = running.stop()
    assert code == 0, output
