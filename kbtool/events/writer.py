"""Writing events off the request path: a bounded queue and one writer thread per process.

`EventWriter.record` only appends the event to a queue, so a slow, locked or unreachable
database never delays a search. The writer thread opens the store (migrating it), and every
`POLL_SECONDS` writes what was queued meanwhile, in one transaction: it is not woken for each
event, since waking it made every search hand the interpreter over to it and back, and one
insert of a dozen rows costs what one of a single row does. When the database fails, the
writer keeps the batch and tries again with a growing pause, so that a PostgreSQL that went
away and came back, or a lock that was released, loses nothing. What cannot be held (more
than `MAX_PENDING` events waiting) is dropped and counted, never allowed to fill the server's
memory. `close` writes everything still queued before returning (a clean shutdown loses
nothing), within a deadline.

`status()` says whether events are being recorded, and if not why: `/api/health` shows it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from kbtool.events.model import Event
from kbtool.events.store import EventStore, EventStoreError

log = logging.getLogger("kbtool.web")

MAX_PENDING = 20_000
BATCH = 500
#: How often the writer looks for queued events (seconds): how late an event may be written.
POLL_SECONDS = 0.05
#: Pauses between attempts while the database fails (seconds), the last one repeated.
RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0, 5.0)
#: How often the writer deletes events older than `keep_days`.
PURGE_EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class WriterStatus:
    recording: bool
    problem: str | None
    pending: int
    written: int
    dropped: int


class EventWriter:
    """Queues events and writes them to the store `open_store()` gives, in its own thread."""

    def __init__(
        self, open_store: Callable[[], EventStore], *, keep_days: int | None = None
    ) -> None:
        self._open_store = open_store
        self._keep_days = keep_days
        # Appended to by the request threads, taken from by the writer: deque's append and
        # popleft are atomic, so neither takes a lock nor wakes the other.
        self._queue: deque[Event] = deque()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._problem: str | None = None
        self._written = 0
        self._dropped = 0
        self._held: list[Event] = []  # taken from the queue, not yet written
        self._store: EventStore | None = None
        self._thread = threading.Thread(target=self._run, name="kbtool-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def record(self, event: Event) -> bool:
        """Queue `event`; False when the queue is full (the event is dropped and counted)."""
        if len(self._queue) >= MAX_PENDING:
            with self._lock:
                self._dropped += 1
            return False
        self._queue.append(event)
        return True

    def status(self) -> WriterStatus:
        with self._lock:
            return WriterStatus(
                recording=self._problem is None and self._thread.is_alive(),
                problem=self._problem,
                pending=len(self._queue) + len(self._held),
                written=self._written,
                dropped=self._dropped,
            )

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued (for at most `timeout` seconds), then stop."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("events: %d not written at shutdown", self.status().pending)
        if self._store is not None:
            self._store.close()

    def _run(self) -> None:
        failures = 0
        last_purge = 0.0
        first = True  # open the store at once: a broken one shows in the status from the start
        while True:
            if not self._held and not first:
                self._take(wait=not self._stop.is_set())
            first = False
            if not self._held and self._stop.is_set() and not self._queue:
                return
            try:
                store = self._ready_store()
                if self._keep_days and time.monotonic() - last_purge > PURGE_EVERY_SECONDS:
                    store.purge(self._keep_days)
                    last_purge = time.monotonic()
                if self._held:
                    store.add(self._held)
                    with self._lock:
                        self._written += len(self._held)
                        self._held = []
                        if self._problem is not None:
                            log.warning("events: recording again")
                        self._problem = None
                failures = 0
            except Exception as exc:  # noqa: BLE001 - the writer must outlive any failure
                message = exc.message if isinstance(exc, EventStoreError) else repr(exc)
                if not isinstance(exc, EventStoreError):
                    log.error("events: unexpected failure", exc_info=exc)
                with self._lock:
                    if self._problem != message:
                        log.warning("events are not being recorded: %s", message)
                    self._problem = message
                if self._stop.is_set() and failures >= 2:
                    log.warning("events: %d not written at shutdown", len(self._held))
                    return
                pause = RETRY_PAUSES[min(failures, len(RETRY_PAUSES) - 1)]
                failures += 1
                # Meanwhile keep taking from the queue (up to the limit): the queue stays free.
                deadline = time.monotonic() + pause
                while time.monotonic() < deadline and not self._stop.is_set():
                    self._take(wait=True, timeout=min(0.1, pause))

    def _ready_store(self) -> EventStore:
        if self._store is None:
            self._store = self._open_store()
        return self._store

    def _take(self, *, wait: bool, timeout: float = POLL_SECONDS) -> None:
        """Move up to `BATCH` queued events to those being written (with `wait`, first
        sleeping up to `timeout` or until `close`); beyond `MAX_PENDING` held, the oldest
        are dropped."""
        if wait:
            self._stop.wait(timeout)
        taken: list[Event] = []
        try:
            while len(taken) < BATCH:
                taken.append(self._queue.popleft())
        except IndexError:
            pass
        with self._lock:
            self._held.extend(taken)
            overflow = len(self._held) - MAX_PENDING
            if overflow > 0:  # the database has been failing for long: keep the newest
                del self._held[:overflow]
                self._dropped += overflow
