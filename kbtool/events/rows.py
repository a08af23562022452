"""What an event is as a database row, and where the database is: plain Python, no SQLAlchemy.

`store` builds its table on these names; `sqlite_append` writes the same rows with the
standard library alone, so that a command-line search records its event without importing
SQLAlchemy (a third of a second, longer than the search).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from kbtool.events.model import Event
from kbtool.model.config import Config

SQLITE_FILENAME = "events.sqlite3"
URL_VARIABLE = "KBTOOL_EVENTS_URL"
SCHEMA_VERSION = 1
#: The columns of an event row, in the table's order (the id aside).
COLUMNS = (
    "time_ms",
    "day",
    "kind",
    "channel",
    "search_id",
    "query",
    "filters",
    "results",
    "corrected",
    "procedure",
    "rank",
    "solved",
    "category",
    "text",
)


def store_url(config: Config) -> str:
    """The database of `config`'s events: the environment's, the configured, else SQLite."""
    url = os.environ.get(URL_VARIABLE) or config.events.url
    if url:
        return _driver_url(url)
    return f"sqlite:///{config.state_dir / SQLITE_FILENAME}"


def _driver_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def row(event: Event) -> dict[str, Any]:
    """`event` as the values of its row (the caller redacts first)."""
    moment = event.time.astimezone(dt.UTC)
    return {
        "time_ms": ms(moment),
        "day": moment.date().isoformat(),
        "kind": event.kind,
        "channel": event.channel,
        "search_id": event.search_id,
        "query": event.query,
        "filters": json.dumps(dict(event.filters), ensure_ascii=False) if event.filters else None,
        "results": event.results,
        "corrected": event.corrected,
        "procedure": event.procedure,
        "rank": event.rank,
        "solved": event.solved,
        "category": event.category,
        "text": event.text,
    }
