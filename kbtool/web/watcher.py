"""`kbtool serve --watch`: update the index when procedures change, at most every few seconds.

One thread in the server's main process (never in each worker, so one writer): every
`poll_seconds` it compares the procedures' stat digest (names, sizes, times: no file is read)
with the last one, and when they differ, and at least `min_interval` seconds have passed since
the last update, runs the same incremental `build_index` as `kbtool index`. The workers see the
new index at their next search (`searchers`). A failed update (another `kbtool index` holding
the lock, a disk error) is logged and tried again at the next change or poll.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kbtool.core.errors import KbtoolError
from kbtool.model.config import Config

log = logging.getLogger("kbtool.web")

POLL_SECONDS = 1.0
MIN_INTERVAL = 5.0


class IndexWatcher:
    def __init__(
        self,
        config: Config,
        *,
        poll_seconds: float = POLL_SECONDS,
        min_interval: float = MIN_INTERVAL,
        on_update: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.poll_seconds = poll_seconds
        self.min_interval = min_interval
        self.on_update = on_update or (lambda message: log.info("%s", message))
        self.updates = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kbtool-index-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _digest(self) -> str | None:
        from kbtool.model.file_scan import files_digest

        try:
            return files_digest(self.config)
        except (KbtoolError, OSError) as exc:
            log.warning("cannot read the procedures folder: %s", exc)
            return None

    def _run(self) -> None:
        last_digest = self._digest()
        last_update = 0.0
        pending = self._stale()
        while not self._stop.wait(self.poll_seconds):
            digest = self._digest()
            if digest is not None and digest != last_digest:
                pending = True
                last_digest = digest
            if not pending or time.monotonic() - last_update < self.min_interval:
                continue
            last_update = time.monotonic()
            pending = not self._update()

    def _stale(self) -> bool:
        from kbtool.search.indexer import stale_reason

        try:
            return stale_reason(self.config) is not None
        except (KbtoolError, OSError):
            return True

    def _update(self) -> bool:
        """Bring the index up to date; True when done (or nothing to do)."""
        from kbtool.search import build_index

        try:
            stats = build_index(self.config, wait=0.0)
        except (KbtoolError, OSError) as exc:
            log.warning("index not updated (will retry): %s", exc)
            return False
        if stats.rebuilt:
            self.updates += 1
            self.on_update(f"index rebuilt ({stats.reason}): {stats.total} procedures")
        elif stats.changed:
            self.updates += 1
            self.on_update(
                f"index updated: {stats.added} added, {stats.updated} changed,"
                f" {stats.removed} removed ({stats.total} procedures)"
            )
        return True
