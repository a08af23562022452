"""The knowledge loop's events: what agents searched, opened and said about procedures.

`model` says what an event is and reads one a client sent; `redact` keeps callers' personal
data out; `store` is the one module that talks to the database (SQLite or PostgreSQL);
`writer` writes off the request path; `record` is the CLI's one-shot way in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtool.events.model import (
    CATEGORIES,
    CHANNELS,
    KINDS,
    Event,
    EventError,
    read_event,
    search_event,
)
from kbtool.model.config import Config

if TYPE_CHECKING:
    from kbtool.events.store import EventStore, EventStoreError, open_store
    from kbtool.events.writer import EventWriter, WriterStatus

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


def __getattr__(name: str) -> Any:
    """The store and the writer, imported when first asked for: they bring SQLAlchemy, which
    a command-line search (`record`) and a site build (the model) do without."""
    if name in ("EventStore", "EventStoreError", "open_store"):
        from kbtool.events import store

        return getattr(store, name)
    if name in ("EventWriter", "WriterStatus"):
        from kbtool.events import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def record(config: Config, events: list[Event]) -> str | None:
    """Store `events` now (the CLI: one short process); the problem as a message, or None.

    Best effort, like the search log was: a store that cannot be written never fails the
    command that recorded. Does nothing when `[events] enabled` is off. An existing SQLite
    store is written with the standard library alone (`sqlite_append`); the first event, a
    migration, PostgreSQL and every problem go through the store.
    """
    if not config.events.enabled or not events:
        return None
    from kbtool.events.rows import store_url

    url = store_url(config)
    if url.startswith("sqlite:///"):
        from kbtool.events.sqlite_append import append

        if append(Path(url.removeprefix("sqlite:///")), events):
            return None
    from kbtool.events.store import EventStoreError, open_store

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
