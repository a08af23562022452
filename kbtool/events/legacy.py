"""The search-miss log of earlier kbtool versions, imported into the events store once.

`kbtool search` used to append each search that found nothing to `.kbtool/search-misses.jsonl`
(`{"time": ..., "query": ..., "filters": {...}}` a line). The first time a store is opened in a
state folder that has one, its lines become `search` events (channel `cli`, no results) and the
file is renamed `search-misses.jsonl.imported`, so it is never read twice. The file is first
moved aside under a name of this process's own: of two processes starting together, only the
one whose rename succeeded imports it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import Any

from kbtool.core import jsontext
from kbtool.events.model import FILTERS, SEARCH, Event
from kbtool.model.config import Config

FILENAME = "search-misses.jsonl"
IMPORTED_SUFFIX = ".imported"


def log_path(config: Config) -> Path:
    return config.state_dir / FILENAME


def import_search_log(config: Config, store: Any) -> int:
    """Import the state folder's search-miss log into `store`, once; how many were imported."""
    path = log_path(config)
    if not path.is_file():
        return 0
    claimed = path.with_name(f"{FILENAME}.importing-{os.getpid()}")
    try:
        os.replace(path, claimed)
    except OSError:
        return 0  # another process took it, or the folder is read-only: nothing to do here
    try:
        events = list(_read(claimed))
        store.add(events)
    except BaseException:
        os.replace(claimed, path)  # not imported: try again next time
        raise
    with contextlib.suppress(OSError):  # imported: only its new name is not given
        os.replace(claimed, path.with_name(FILENAME + IMPORTED_SUFFIX))
    return len(events)


def _read(path: Path) -> list[Event]:
    events: list[Event] = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                record = jsontext.loads(line)
            except jsontext.BadJson:  # damaged or hand-edited lines
                continue
            if not isinstance(record, dict) or not isinstance(record.get("query"), str):
                continue
            try:
                time = dt.datetime.fromisoformat(str(record.get("time")))
            except ValueError:
                continue
            if time.tzinfo is None:
                time = time.replace(tzinfo=dt.UTC)
            filters = record.get("filters")
            events.append(
                Event(
                    SEARCH,
                    "cli",
                    time=time,
                    query=record["query"],
                    results=0,
                    filters={k: str(v) for k, v in (filters or {}).items() if k in FILTERS and v}
                    if isinstance(filters, dict)
                    else {},
                )
            )
    return events
