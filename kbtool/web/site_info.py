"""The built site folder as the server sees it: there or not, its `site.json`, its search index.

Read again when the files change (checked at most once a second), so a `mkdocs build` while
the server runs is picked up without a restart.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbtool.site.published import SITE_JSON, PublishedSite, read_published

#: Material's search index, which its page script fetches before the first search.
SEARCH_INDEX = "search/search_index.json"
#: Bytes read from the start of the search index to find its `config` object.
_CONFIG_PREFIX = 64 * 1024
CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class SiteState:
    present: bool
    published: PublishedSite
    built: str | None
    search_config: dict[str, Any] | None  # Material's `config` of its search index


class SiteFolder:
    """One site folder; `state()` is cheap and always current to within a second."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._checked = 0.0
        self._stamps: tuple[object, ...] = ()
        self._state = SiteState(False, PublishedSite(), None, None)

    def state(self) -> SiteState:
        now = time.monotonic()
        if now - self._checked < CHECK_SECONDS:
            return self._state
        with self._lock:
            self._checked = now
            stamps = tuple(_stamp(self.root / name) for name in ("", SITE_JSON, SEARCH_INDEX))
            if stamps != self._stamps:
                self._stamps = stamps
                self._state = self._read()
        return self._state

    def _read(self) -> SiteState:
        if not self.root.is_dir():
            return SiteState(False, PublishedSite(), None, None)
        published = read_published(self.root)
        built = published.built
        if built is None:
            index = _stamp(self.root / "index.html")
            if index is not None:
                built = dt.datetime.fromtimestamp(index[1] / 1e9, dt.UTC).isoformat(
                    timespec="seconds"
                )
        return SiteState(True, published, built, _search_config(self.root / SEARCH_INDEX))


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _search_config(path: Path) -> dict[str, Any] | None:
    """The `config` object at the start of Material's search index, without reading the rest
    (22 MB at 5,000 procedures); the whole file only when `config` is not where expected."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_CONFIG_PREFIX).decode("utf-8", errors="ignore")
    except OSError:
        return None
    marker = head.find('"config"')
    if marker != -1:
        colon = head.find(":", marker)
        try:
            value, _end = json.JSONDecoder().raw_decode(head, colon + 1 + _spaces(head, colon + 1))
        except ValueError:
            value = None
        if isinstance(value, dict):
            return value
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    config = data.get("config") if isinstance(data, dict) else None
    return config if isinstance(config, dict) else None


def _spaces(text: str, start: int) -> int:
    return len(text[start:]) - len(text[start:].lstrip())
