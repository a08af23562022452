"""The writer thread: off the caller's path, nothing lost on a clean shutdown, and through a
locked SQLite file or a PostgreSQL server that goes away and comes back."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg

from kbtool.events import Event, EventStore, EventWriter, open_store
from kbtool.model.config import load_config
from tests.events.postgres import PostgresServer


def views(n: int) -> list[Event]:
    return [Event("page_view", "site", procedure=f"KB-{i:04d}") for i in range(n)]


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_close_writes_everything_queued(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    writer = EventWriter(lambda: open_store(config))
    writer.start()
    for event in views(2000):
        assert writer.record(event)
    writer.close()
    store = open_store(config)
    assert store.count("page_view") == 2000
    store.close()
    assert writer.status().written == 2000


def test_a_locked_database_delays_nothing_and_loses_nothing(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    open_store(config).close()
    blocker = sqlite3.connect(tmp_path / ".kbtool" / "events.sqlite3", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
    writer = EventWriter(lambda: open_store(config))
    writer.start()
    started = time.monotonic()
    for event in views(100):
        writer.record(event)
    assert time.monotonic() - started < 0.5  # recording only queues
    wait_for(lambda: writer.status().problem is not None)
    status = writer.status()
    assert not status.recording and "locked" in (status.problem or "")
    assert status.pending == 100
    blocker.execute("ROLLBACK")
    blocker.close()
    wait_for(lambda: writer.status().written == 100)
    assert writer.status().recording
    writer.close()


def test_postgresql_going_away_and_back_loses_nothing(postgres: PostgresServer) -> None:
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres.url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    url = postgres.url.rsplit("/", 1)[0] + "/" + name
    store_url = url.replace("postgresql://", "postgresql+psycopg://")

    def opened() -> EventStore:
        store = EventStore(store_url)
        store.migrate()
        return store

    writer = EventWriter(opened)
    writer.start()
    for event in views(10):
        writer.record(event)
    wait_for(lambda: writer.status().written == 10)
    postgres.stop()
    try:
        for event in views(25):
            writer.record(event)
        wait_for(lambda: writer.status().problem is not None)
        assert "PostgreSQL 127.0.0.1" in (writer.status().problem or "")
    finally:
        postgres.start()
    wait_for(lambda: writer.status().written == 35, seconds=30)
    assert writer.status().recording
    writer.close()
    check = opened()
    assert check.count("page_view") == 35
    check.close()


class _CountingStore(EventStore):
    """The real SQLite store, counting its transactions."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.batches: list[int] = []

    def add(self, events: Sequence[Event]) -> None:
        self.batches.append(len(events))
        super().add(events)


def test_events_trickling_in_are_written_a_batch_at_a_time(tmp_path: Path) -> None:
    """A server records an event per search: the writer is not woken for each one, but
    writes what came meanwhile in one transaction, soon after."""
    config = load_config(cwd=tmp_path)
    open_store(config).close()
    stores: list[_CountingStore] = []

    def opened() -> EventStore:
        store = _CountingStore(f"sqlite:///{tmp_path / '.kbtool' / 'events.sqlite3'}")
        store.migrate()
        stores.append(store)
        return store

    writer = EventWriter(opened)
    writer.start()
    wait_for(lambda: bool(stores))
    for event in views(200):  # one every millisecond, as 8 busy clients' searches come
        writer.record(event)
        time.sleep(0.001)
    wait_for(lambda: writer.status().written == 200, seconds=5)
    batches = stores[0].batches
    assert sum(batches) == 200
    assert len(batches) < 50, batches  # one insert per event would be 200
    writer.close()
