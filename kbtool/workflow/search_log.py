"""The log of searches that found nothing: written by `kbtool search`, read by `kbtool report`.

One JSON object per line in `.kbtool/search-misses.jsonl`:
`{"time": "2026-11-23T10:15:00+00:00", "query": "...", "filters": {"service": "Email"}}`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from kbtool.core.fileio import utf8_safe
from kbtool.model.config import Config

FILENAME = "search-misses.jsonl"
MAX_QUERY_CHARS = 500  # a pasted novel is cut, not stored whole


def log_path(config: Config) -> Path:
    return config.state_dir / FILENAME


def log_miss(config: Config, query: str, filters: dict[str, Any] | None = None) -> None:
    """Append a search that found nothing (does nothing when `search.log_misses` is off).

    Best effort: a log that cannot be written (a read-only checkout, a full disk) never fails
    the search; bytes of the query that were not UTF-8 are logged as U+FFFD.
    """
    if not config.search.log_misses:
        return
    record = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "query": utf8_safe(query[:MAX_QUERY_CHARS]),
        "filters": {k: utf8_safe(str(v)) for k, v in (filters or {}).items() if v},
    }
    path = log_path(config)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One short write in append mode: concurrent agents never interleave within a line.
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError:
        pass


def read_misses(config: Config) -> list[dict[str, Any]]:
    """Every logged miss, oldest first; unreadable lines are skipped."""
    path = log_path(config)
    if not path.is_file():
        return []
    records: list[dict[str, Any]] = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError):  # damaged or hand-edited lines
                continue
            if isinstance(record, dict) and isinstance(record.get("query"), str):
                records.append(record)
    return records
