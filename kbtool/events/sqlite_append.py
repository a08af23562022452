"""Append events to an existing SQLite store with the standard library's `sqlite3` alone.

The command line's way in (`kbtool.events.record`): a search answers in a tenth of a second,
and importing SQLAlchemy to record it took three times that. Only the common case is done
here: the store exists and is of this kbtool's schema. Anything else (no file yet, another
schema version, a locked or damaged database) answers False, and the caller goes the whole
way through `store.open_store`, which creates, migrates and reports problems.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from kbtool.events.model import Event
from kbtool.events.rows import COLUMNS, SCHEMA_VERSION, row

#: As the store's own connections wait for another writer's lock.
BUSY_SECONDS = 3.0

_INSERT = (
    f"INSERT INTO kbtool_events ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join(':' + name for name in COLUMNS)})"
)


def append(path: Path, events: Sequence[Event]) -> bool:
    """Add `events` (redacted here) to the store at `path`; False when that cannot be done
    this way, having written nothing."""
    if not path.is_file():
        return False
    try:
        connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=BUSY_SECONDS)
    except sqlite3.Error:
        return False
    try:
        found = connection.execute("SELECT version FROM kbtool_events_schema WHERE id = 1")
        version = found.fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            return False
        connection.execute("PRAGMA synchronous=NORMAL")
        with connection:  # one transaction: all of the events or none
            connection.executemany(_INSERT, [row(event.redacted()) for event in events])
        return True
    except sqlite3.Error:
        return False
    finally:
        connection.close()
