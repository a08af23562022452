"""The searcher a server process shares between requests, following the index on disk.

Before each search the holder stats what a new index would change (cheap: a few `stat`
calls, no read): `CURRENT` (switched by a full build), the current generation's manifest
(rewritten after an incremental update has committed), the roster and the synonyms file (read
when a searcher opens), and the date (overdue flags). When any changed, a new searcher is
opened on the new state *before* the old one is let go, so a request never sees a half-open
index; if the new one cannot be opened (a build being written, a damaged cache) the old one
keeps answering and the failure is retried a moment later. The old searcher is closed when the
last request that uses it ends. Several worker processes each hold their own searcher over one
shared index folder, which only `kbtool index` (or `kbtool serve --watch`) writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kbtool.core.errors import KbtoolError
from kbtool.model.config import Config

if TYPE_CHECKING:
    from kbtool.search import KbSearcher

log = logging.getLogger("kbtool.web")

#: After a failed open, the same index state is tried again after this many seconds.
RETRY_SECONDS = 2.0

Stamp = tuple[int, int, int] | None  # (inode, mtime_ns, size) of a file, None when missing
Signature = tuple[object, ...]


class IndexUnavailable(KbtoolError):  # noqa: N818 - reads as the state it reports
    """No searcher can be opened: no index yet, or it cannot be read."""


def _stamp(path: Path) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass
class _Open:
    searcher: KbSearcher
    signature: Signature
    opened: float
    users: int = 0
    retired: bool = False


class SearcherHolder:
    """Opens, shares, swaps and closes the searcher of one knowledge base.

    `lease()` is the one way in: `with holder.lease() as searcher: ...`. Thread-safe.
    """

    def __init__(
        self,
        config: Config,
        *,
        today: dt.date | None = None,
        opener: Callable[[Config, dt.date], KbSearcher] | None = None,
    ) -> None:
        self.config = config
        self._today = today
        self._opener = opener or _open_searcher
        self._lock = threading.Lock()
        self._open: _Open | None = None
        self._generation: tuple[Stamp, str | None] = (None, None)
        self._failed: tuple[Signature, float, str] | None = None
        self.reopened = 0  # how many times a newer index was picked up (for tests, health)

    # -- the state on disk ------------------------------------------------------------------

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def _current_generation(self) -> str | None:
        """The generation CURRENT names; read again only when CURRENT was replaced."""
        from kbtool.search import store

        root = store.index_root(self.config)
        stamp = _stamp(root / store.CURRENT)
        if stamp != self._generation[0]:
            current = store.read_current(root)
            self._generation = (stamp, current.generation if current else None)
        return self._generation[1]

    def signature(self) -> Signature:
        """What the open searcher depends on; a change means reopening."""
        from kbtool.search import store
        from kbtool.search.synonyms import synonyms_path

        root = store.index_root(self.config)
        generation = self._current_generation()
        manifest = _stamp(root / generation / store.MANIFEST) if generation else None
        return (
            generation,
            manifest,
            _stamp(self.config.roster_path),
            _stamp(synonyms_path(self.config)),
            self.today,
        )

    # -- leasing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def lease(self) -> Iterator[KbSearcher]:
        """The searcher for the index as it is now; raises `IndexUnavailable` when none."""
        entry = self._acquire()
        try:
            yield entry.searcher
        finally:
            with self._lock:
                entry.users -= 1
                if entry.retired and entry.users == 0:
                    _close(entry)

    def _acquire(self) -> _Open:
        with self._lock:
            signature = self.signature()
            entry = self._open
            if entry is None or entry.signature != signature:
                entry = self._swap(signature) or entry
            if entry is None:
                assert self._failed is not None
                raise IndexUnavailable(self._failed[2])
            entry.users += 1
            return entry

    def _swap(self, signature: Signature) -> _Open | None:
        """Open a searcher for `signature` and make it current; None when that fails."""
        failed = self._failed
        recent = failed is not None and time.monotonic() - failed[1] < RETRY_SECONDS
        if failed is not None and failed[0] == signature and recent:
            return None
        try:
            searcher = self._opener(self.config, self.today)
        except Exception as exc:  # noqa: BLE001 - any failure: keep answering with the old one
            message = exc.message if isinstance(exc, KbtoolError) else _describe(exc)
            if self._open is not None:
                log.warning("the new search index cannot be opened yet (%s)", message)
            self._failed = (signature, time.monotonic(), message)
            return None
        self._failed = None
        # The index may have moved on while it opened; what was opened is at least as new as
        # `signature`, and the next request compares again.
        entry = _Open(searcher, signature, time.monotonic())
        previous, self._open = self._open, entry
        if previous is not None:
            self.reopened += 1
            previous.retired = True
            if previous.users == 0:
                _close(previous)
        return entry

    def problem(self) -> str | None:
        """Why the last attempt to open the index failed, if it did and nothing newer opened."""
        with self._lock:
            return self._failed[2] if self._failed is not None else None

    def close(self) -> None:
        with self._lock:
            entry, self._open = self._open, None
            if entry is not None:
                entry.retired = True
                if entry.users == 0:
                    _close(entry)


def _open_searcher(config: Config, today: dt.date) -> KbSearcher:
    from kbtool.search import open_searcher

    try:
        # A server searches many times: numpy's ranking pays for its import at once.
        return open_searcher(config, today=today, refresh=False, vectorised=True)
    except KbtoolError as exc:
        raise IndexUnavailable(exc.message) from None


def _close(entry: _Open) -> None:
    try:
        entry.searcher.close()
    except Exception as exc:  # noqa: BLE001 - closing a cache must not fail a request
        log.warning("closing an old searcher failed: %s", _describe(exc))


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
