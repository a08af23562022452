"""The events the reports read, from the knowledge base's events store.

Reports never fail because of the store: when it cannot be read (a corrupt file, a database
that is down) they say so in one line, and their other figures stand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from kbtool.events import Event, EventStore, EventStoreError, open_store
from kbtool.model.config import Config

T = TypeVar("T")


@dataclass(frozen=True)
class LoadedEvents:
    events: list[Event] = field(default_factory=list)
    #: Why no events could be read (the store's error), or that recording is off.
    problem: str | None = None


def load_events(
    config: Config, kinds: Sequence[str] | None = None, since: dt.date | None = None
) -> LoadedEvents:
    """The stored events of `kinds` since `since` (a UTC day), oldest first."""
    start = dt.datetime.combine(since, dt.time(), dt.UTC) if since is not None else None
    try:
        store = open_store(config)
    except EventStoreError as exc:
        return LoadedEvents(problem=exc.message)
    try:
        events = store.events(kinds, start)
    except EventStoreError as exc:
        return LoadedEvents(problem=exc.message)
    finally:
        store.close()
    off = None if config.events.enabled else "events are not recorded ([events] enabled = false)"
    return LoadedEvents(events, off)


def day_start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), dt.UTC) if day is not None else None


def reading(config: Config, work: Callable[[EventStore], T]) -> tuple[T | None, str | None]:
    """`work(store)` on `config`'s events store; (its result, None) or (None, the problem)."""
    try:
        store = open_store(config)
    except EventStoreError as exc:
        return None, exc.message
    try:
        return work(store), None
    except EventStoreError as exc:
        return None, exc.message
    finally:
        store.close()
