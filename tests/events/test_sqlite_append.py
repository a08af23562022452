"""The command line's way of recording: rows the standard library writes into an existing
SQLite store are the store's own rows (the command-line search that uses it:
tests/search/test_whoosh_import.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kbtool.events import open_store, record, search_event
from kbtool.events.rows import COLUMNS, store_url
from kbtool.events.sqlite_append import append
from kbtool.model.config import load_config


def _path(kb: Path) -> Path:
    return Path(store_url(load_config(cwd=kb)).removeprefix("sqlite:///"))


def test_appended_events_read_back_as_the_stores_own(tmp_path: Path) -> None:
    (tmp_path / "kbtool.toml").write_text("[events]\n", encoding="utf-8")
    config = load_config(cwd=tmp_path)
    path = _path(tmp_path)
    first = search_event("cli", "outlook crashes for jane@example.com", 3, filters={"tag": "x"})
    assert not append(path, [first])  # no store yet: the caller must create it
    assert record(config, [first]) is None  # ... which record does, through the store
    second = search_event("cli", "error 0x8004010F on 5551234567890", 0, corrected="fixed")
    assert append(path, [second])  # the store exists now: the standard library writes
    store = open_store(config)
    try:
        events = store.events()
    finally:
        store.close()
    assert [e.query for e in events] == [
        "outlook crashes for [email]",
        "error 0x8004010F on [number]",  # redacted on this path too; the code stays
    ]
    assert events[0].filters == {"tag": "x"} and events[1].corrected == "fixed"
    assert (events[1].results, events[1].channel) == (0, "cli")


def test_another_schema_version_is_left_to_the_store(tmp_path: Path) -> None:
    (tmp_path / "kbtool.toml").write_text("[events]\n", encoding="utf-8")
    config = load_config(cwd=tmp_path)
    assert record(config, [search_event("cli", "vpn", 1)]) is None
    path = _path(tmp_path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE kbtool_events_schema SET version = 99")
    assert not append(path, [search_event("cli", "vpn again", 1)])
    with sqlite3.connect(path) as connection:
        columns = [r[1] for r in connection.execute("PRAGMA table_info(kbtool_events)")]
        (count,) = connection.execute("SELECT count(*) FROM kbtool_events").fetchone()
    assert tuple(columns[1:]) == COLUMNS and count == 1  # nothing written that way
