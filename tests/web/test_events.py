"""Events through the real server: `POST /api/events` and the API's searches, stored by the
writer thread and all there after a clean shutdown; bad events refused with JSON errors; a
database that cannot be written never fails a search; two workers and a CLI writing at once."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest

from kbtool.events import Event, open_store
from kbtool.model.config import load_config
from tests.events.postgres import PostgresServer
from tests.web.conftest import Kb, Server, start_server

SEARCH_ID = "a1b2c3d4e5f6"


def stored(root: Path) -> list[Event]:
    store = open_store(load_config(cwd=root))
    try:
        return store.events()
    finally:
        store.close()


def stop_cleanly(server: Server) -> None:
    code, output = server.stop()
    assert code == 0, output
    assert "Traceback" not in output, output


def post(client: httpx.Client, event: dict[str, object]) -> httpx.Response:
    return client.post("/api/events", json=event)


def test_site_events_and_api_searches_are_stored(kb_copy: Kb) -> None:
    server = start_server(kb_copy.root)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            info = client.get("/api/events").json()
            assert info["enabled"] and "problem_report" in info["types"]
            assert info["categories"] == ["wrong step", "out of date", "unclear", "missing case"]
            sent = [
                {
                    "type": "search",
                    "query": "pasword",
                    "results": 1,
                    "search_id": SEARCH_ID,
                    "corrected": "password",
                },
                {
                    "type": "result_opened",
                    "procedure": "kb-0008",
                    "rank": 1,
                    "search_id": SEARCH_ID,
                    "query": "pasword",
                },
                {"type": "page_view", "procedure": "KB-0008"},
                {"type": "solved", "procedure": "KB-0008", "solved": False},
                {
                    "type": "problem_report",
                    "procedure": "KB-0008",
                    "category": "out of date",
                    "text": "Step 2 names the old portal; I am jane@example.com",
                },
            ]
            for event in sent:
                answer = post(client, event)
                assert answer.status_code == 202, answer.text
                assert answer.json()["accepted"] is True
            assert client.get("/api/search", params={"q": "password reset"}).status_code == 200
            assert client.get("/api/search", params={"q": "zzqqxx"}).status_code == 200
            typing = {"q": "passw", "record": "false"}
            assert client.get("/api/search", params=typing).status_code == 200
    finally:
        stop_cleanly(server)
    events = stored(kb_copy.root)
    assert [(e.kind, e.channel) for e in events] == [
        ("search", "site"),
        ("result_opened", "site"),
        ("page_view", "site"),
        ("solved", "site"),
        ("problem_report", "site"),
        ("search", "api"),
        ("search", "api"),
    ]
    assert events[1].procedure == "KB-0008"  # the id as the knowledge base spells it
    assert events[4].text == "Step 2 names the old portal; I am [email]"
    assert [e.query for e in events[5:]] == ["password reset", "zzqqxx"]
    assert events[5].results and events[6].results == 0


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"type": "vote", "procedure": "KB-0001"}, 400, "type must be one of"),
        ({"type": "page_view", "procedure": "KB-9999"}, 400, "unknown procedure 'KB-9999'"),
        ({"type": "page_view", "procedure": "../../etc/passwd"}, 400, "unknown procedure"),
        ({"type": "page_view", "procedure": "KB-0001", "time": 0}, 400, "unknown field 'time'"),
        (
            {
                "type": "problem_report",
                "procedure": "KB-0001",
                "category": "unclear",
                "text": "x" * 5000,
            },
            400,
            "text is too long",
        ),
        (
            {
                "type": "problem_report",
                "procedure": "KB-0001",
                "category": "unclear",
                "text": "x" * 20_000,
            },
            413,
            "larger than 8192 bytes",
        ),
    ],
)
def test_bad_events_are_refused_in_json(
    server: Server, body: dict[str, object], status: int, message: str
) -> None:
    answer = httpx.post(server.url + "/api/events", json=body, timeout=30)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    assert message in answer.json()["message"]


def test_an_event_that_is_not_json_is_refused(server: Server) -> None:
    answer = httpx.post(
        server.url + "/api/events",
        content=b"type=search",
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 400 and "not valid JSON" in answer.json()["message"]
    answer = httpx.post(server.url + "/api/events", json=[1, 2], timeout=30)
    assert answer.status_code == 400
    report = b'{"type": "problem_report", "procedure": "KB-0001", "category": "unclear", '
    for content in (report + b'"text": "\\ud800"}', report + b'"text": ' + b"9" * 5000 + b"}"):
        answer = httpx.post(
            server.url + "/api/events",
            content=content,
            headers={"content-type": "application/json"},
            timeout=30,
        )
        assert answer.status_code == 400 and "not valid JSON" in answer.json()["message"]


def test_a_corrupt_database_is_reported_and_searches_still_answer(kb_copy: Kb) -> None:
    state = kb_copy.root / ".kbtool"
    state.mkdir(exist_ok=True)
    (state / "events.sqlite3").write_bytes(b"definitely not sqlite" * 500)
    server = start_server(kb_copy.root)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            deadline = time.monotonic() + 20  # the writer thread opens the store
            while True:
                health = client.get("/api/health")
                assert health.status_code == 200
                events = health.json()["events"]
                if events["problem"] or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert events["enabled"] and not events["recording"]
            assert "events.sqlite3" in events["problem"]
            assert "not a database" in events["problem"]
            search = client.get("/api/search", params={"q": "password"})
            assert search.status_code == 200 and search.json()["results"]
            answer = post(client, {"type": "page_view", "procedure": "KB-0001"})
            assert answer.status_code == 202 and answer.json()["recording"] is False
    finally:
        stop_cleanly(server)


def _disk_full_at(limit: int) -> Callable[[], None]:
    def limit_file_sizes() -> None:
        # What a full disk does to a writer: writes past `limit` bytes in any file fail
        # (EFBIG, as ENOSPC would), the signal the kernel would send ignored, for the server
        # and the workers it starts. Reading the index and the site is unaffected.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_file_sizes


def test_a_full_disk_stops_recording_not_searching(kb_copy: Kb) -> None:
    """The disk fills up while agents work: events stop being recorded, /api/health says so,
    and every search and event request still gets its answer."""
    server = start_server(kb_copy.root, preexec=_disk_full_at(96 * 1024))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            answers = []
            deadline = time.monotonic() + 60
            events = client.get("/api/health").json()["events"]
            text = "the caller says step 3 does not match what they see " * 8
            while not events["problem"] and time.monotonic() < deadline:
                for _ in range(20):
                    report = {"type": "problem_report", "procedure": "KB-0001"}
                    answer = post(client, {**report, "category": "unclear", "text": text})
                    answers.append(answer.status_code)
                time.sleep(0.2)
                events = client.get("/api/health").json()["events"]
            assert set(answers) == {202}
            assert events["enabled"] and not events["recording"]
            assert "full" in events["problem"] or "disk" in events["problem"], events
            search = client.get("/api/search", params={"q": "password"})
            assert search.status_code == 200 and search.json()["results"]
            assert post(client, {"type": "page_view", "procedure": "KB-0001"}).status_code == 202
    finally:
        code, output = server.stop()
    assert "Traceback" not in output, output
    assert code == 0, output


def test_events_switched_off(kb_copy: Kb) -> None:
    (kb_copy.root / "kbtool.toml").write_text("[events]\nenabled = false\n", encoding="utf-8")
    server = start_server(kb_copy.root)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/api/health").json()["events"]["enabled"] is False
            answer = post(client, {"type": "page_view", "procedure": "KB-0001"})
            assert answer.status_code == 503 and "switched off" in answer.json()["message"]
            assert client.get("/api/search", params={"q": "password"}).status_code == 200
    finally:
        stop_cleanly(server)
    assert not (kb_copy.root / ".kbtool" / "events.sqlite3").exists()


def _cli_searches(root: Path, count: int) -> None:
    for number in range(count):
        done = subprocess.run(
            [sys.executable, "-m", "kbtool", "search", f"printer cli{number}"],
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert done.returncode in (0, 1), done.stderr


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_workers_and_a_cli_writing_at_once_lose_nothing(
    kb_copy: Kb, database: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database == "postgresql":
        postgres: PostgresServer = request.getfixturevalue("postgres")
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(postgres.url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        # The server, the CLI and this test's reading all take it from the environment.
        monkeypatch.setenv("KBTOOL_EVENTS_URL", postgres.url.rsplit("/", 1)[0] + "/" + name)
    server = start_server(kb_copy.root, "--workers", "2")
    per_thread, threads_count, cli_count = 60, 4, 5
    failures: list[str] = []

    def send(thread: int) -> None:
        # A connection per request: the kernel spreads them over the two workers.
        for number in range(per_thread):
            event = {"type": "page_view", "procedure": f"KB-000{1 + (number + thread) % 5}"}
            answer = httpx.post(server.url + "/api/events", json=event, timeout=30)
            if answer.status_code != 202:
                failures.append(answer.text)

    try:
        threads = [threading.Thread(target=send, args=(n,)) for n in range(threads_count)]
        for thread in threads:
            thread.start()
        _cli_searches(kb_copy.root, cli_count)
        for thread in threads:
            thread.join()
    finally:
        stop_cleanly(server)
    assert not failures
    counts = Counter((e.kind, e.channel) for e in stored(kb_copy.root))
    assert counts == {
        ("page_view", "site"): per_thread * threads_count,
        ("search", "cli"): cli_count,
    }
