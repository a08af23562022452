"""The knowledge loop's events: what agents searched, opened and said about procedures.

`model` says what an event is and reads one a client sent; `redact` keeps callers' personal
data out; `store` is the one module that talks to the database (SQLite or PostgreSQL);
`writer` writes off the request path; `record` is the CLI's one-shot way in.
"""

from __future__ import annotations

from kbtool.events.model import (
    CATEGORIES,
    CHANNELS,
    KINDS,
    Event,
    EventError,
    read_event,
    search_event,
)
from kbtool.events.store import EventStore, EventStoreError, open_store
from kbtool.events.writer import EventWriter, WriterStatus
from kbtool.model.config import Config

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "KINDS",
    "Event",
    "EventError",
    "EventStore",
    "EventStoreError",
    "EventWriter",
    "WriterStatus",
    "open_store",
    "read_event",
    "record",
    "search_event",
]


def record(config: Config, events: list[Event]) -> str | None:
    """Store `events` now (the CLI: one short process); the problem as a message, or None.

    Best effort, like the search log was: a store that cannot be written never fails the
    command that recorded. Does nothing when `[events] enabled` is off.
    """
    if not config.events.enabled or not events:
        return None
    try:
        store = open_store(config)
    except EventStoreError as exc:
        return exc.message
    try:
        store.add(events)
    except EventStoreError as exc:
        return exc.message
    finally:
        store.close()
    return None
