"""The events store on a real SQLite file and a real PostgreSQL server: schema, writing,
reading, retention, the one-time import of the old search-miss log, and its failures."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from kbtool.events import Event, EventStore, EventStoreError, open_store, search_event
from kbtool.events.store import SCHEMA_VERSION, store_url
from kbtool.model.config import load_config
from tests.events.postgres import PostgresServer


def new_database(server: PostgresServer) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server.url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def store_config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A knowledge base folder whose kbtool.toml points at an empty store of each kind."""
    url = ""
    if request.param == "postgresql":
        url = new_database(request.getfixturevalue("postgres"))
    (tmp_path / "kbtool.toml").write_text(f'[events]\nurl = "{url}"\n', encoding="utf-8")
    yield tmp_path


def test_events_written_are_read_back_redacted(store_config: Path) -> None:
    config = load_config(cwd=store_config)
    store = open_store(config)
    try:
        store.add(
            [
                search_event("cli", "jane@example.com 0x8004010F", 0, filters={"service": "Email"}),
                Event(
                    "problem_report",
                    "site",
                    procedure="KB-0001",
                    category="wrong step",
                    text="call me on +44 20 7946 0958, step 5.7.23 is wrong",
                ),
            ]
        )
        read = store.events()
    finally:
        store.close()
    assert [e.kind for e in read] == ["search", "problem_report"]
    assert read[0].query == "[email] 0x8004010F"
    assert read[0].filters == {"service": "Email"}
    assert read[0].results == 0 and read[0].channel == "cli"
    assert read[1].text == "call me on [number], step 5.7.23 is wrong"
    assert read[1].category == "wrong step" and read[1].procedure == "KB-0001"


def test_schema_is_versioned_and_opening_twice_migrates_once(store_config: Path) -> None:
    config = load_config(cwd=store_config)
    for _ in range(2):
        store = open_store(config)
        store.add([search_event("api", "vpn", 3)])
        store.close()
    store = EventStore(store_url(config))
    try:
        with store.engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT version FROM kbtool_events_schema").all()
        assert rows == [(SCHEMA_VERSION,)]
        assert store.count("search") == 2
    finally:
        store.close()


def test_a_newer_schema_is_refused(store_config: Path) -> None:
    config = load_config(cwd=store_config)
    open_store(config).close()
    store = EventStore(store_url(config))
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE kbtool_events_schema SET version = 99")
    store.close()
    with pytest.raises(EventStoreError, match="newer kbtool .schema 99"):
        open_store(config)


def test_retention_deletes_only_older_events(store_config: Path) -> None:
    config = load_config(cwd=store_config)
    now = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
    store = open_store(config)
    try:
        store.add(
            [
                Event("page_view", "site", time=now - dt.timedelta(days=181), procedure="KB-1"),
                Event("page_view", "site", time=now - dt.timedelta(days=179), procedure="KB-2"),
            ]
        )
        assert store.purge(180, now=now) == 1
        assert [e.procedure for e in store.events()] == ["KB-2"]
    finally:
        store.close()


def test_the_old_search_log_is_imported_once(tmp_path: Path) -> None:
    state = tmp_path / ".kbtool"
    state.mkdir()
    lines = [
        {"time": "2026-11-20T10:00:00+00:00", "query": "vpn token", "filters": {"tag": "vpn"}},
        "not json",
        {"time": "2026-11-21T10:00:00+00:00", "query": "printer jam bob@example.org"},
    ]
    (state / "search-misses.jsonl").write_text(
        "".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines),
        encoding="utf-8",
    )
    config = load_config(cwd=tmp_path)
    for _ in range(2):
        store = open_store(config)
        read = store.events()
        store.close()
        assert [(e.query, e.results, e.channel) for e in read] == [
            ("vpn token", 0, "cli"),
            ("printer jam [email]", 0, "cli"),
        ]
    assert read[0].filters == {"tag": "vpn"}
    assert read[0].time == dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    assert not (state / "search-misses.jsonl").exists()
    assert (state / "search-misses.jsonl.imported").is_file()


def test_a_corrupt_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / ".kbtool").mkdir()
    (tmp_path / ".kbtool" / "events.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(EventStoreError) as caught:
        open_store(load_config(cwd=tmp_path))
    assert "events.sqlite3" in caught.value.message
    assert "not a database" in caught.value.message
    assert "Traceback" not in caught.value.message


def test_an_unreachable_postgresql_is_a_clear_error(tmp_path: Path) -> None:
    from tests.events.postgres import free_port

    url = f"postgresql://kbtool@127.0.0.1:{free_port()}/nothing"
    (tmp_path / "kbtool.toml").write_text(f'[events]\nurl = "{url}"\n', encoding="utf-8")
    with pytest.raises(EventStoreError) as caught:
        open_store(load_config(cwd=tmp_path))
    assert caught.value.message.startswith("cannot prepare the events database PostgreSQL")
    assert "/nothing" in caught.value.message


def test_the_store_falls_back_to_the_user_cache_when_kbtool_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file in the way of `.kbtool/` stands for a read-only checkout (root writes any folder).
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / ".kbtool").write_text("in the way", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    store = open_store(load_config(cwd=kb))
    store.add([search_event("cli", "vpn", 1)])
    store.close()
    assert store.where.startswith(str(tmp_path / "cache" / "kbtool"))
    assert store.where.endswith("events.sqlite3")
