"""The events store: one table of events in SQLite (the default) or PostgreSQL, behind one class.

SQLite lives in the knowledge base's state folder (`.kbtool/events.sqlite3`, or the user's cache
when `.kbtool/` cannot be written, as for the search index), in WAL mode so that a reader (a
report) never blocks the writers and the writers (several server workers, a CLI) take turns.
`[events] url = "postgresql://..."` (or the environment variable `KBTOOL_EVENTS_URL`, which
keeps a password out of the repository) points every server at one PostgreSQL database instead:
the same schema through the same SQLAlchemy Core statements.

The schema is versioned (`kbtool_events_schema`) and migrated when a store is opened; a store
written by a newer kbtool is refused rather than guessed at. Every database failure (locked,
corrupt, full disk, server gone) comes out as `EventStoreError`, one line saying what and where.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kbtool.core.errors import KbtoolError
from kbtool.events.model import PROBLEM_REPORT, RESULT_OPENED, SEARCH, SOLVED, Event
from kbtool.events.rows import COLUMNS, SCHEMA_VERSION, store_url
from kbtool.events.rows import ms as _ms
from kbtool.events.rows import row as _row
from kbtool.model.config import Config

#: How long a writer waits for another's lock on SQLite before giving up on this batch.
SQLITE_BUSY_MS = 3000

metadata = sa.MetaData()
schema_table = sa.Table(
    "kbtool_events_schema",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
)
events_table = sa.Table(
    "kbtool_events",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    # Milliseconds since the epoch, UTC, and the UTC day: portable to group and compare.
    sa.Column("time_ms", sa.BigInteger, nullable=False),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("search_id", sa.String(64)),
    sa.Column("query", sa.Text),
    sa.Column("filters", sa.Text),  # JSON object, only when there are filters
    sa.Column("results", sa.Integer),
    sa.Column("corrected", sa.Text),
    sa.Column("procedure", sa.String(200)),
    sa.Column("rank", sa.Integer),
    sa.Column("solved", sa.Boolean),
    sa.Column("category", sa.String(20)),
    sa.Column("text", sa.Text),
    sa.Index("ix_kbtool_events_time", "time_ms"),
    sa.Index("ix_kbtool_events_kind_time", "kind", "time_ms"),
    sa.Index("ix_kbtool_events_search", "search_id"),
)
_COLUMNS = [c.name for c in events_table.columns if c.name != "id"]
assert tuple(_COLUMNS) == COLUMNS, "kbtool.events.rows.COLUMNS must be the table's columns"


class EventStoreError(KbtoolError):
    """The events database cannot be opened, read or written; the message says why."""


def store_exists(config: Config) -> bool:
    """Whether `config` has an events store to read (PostgreSQL is taken to exist), so that
    readers such as a site build do not create an empty database where none is kept."""
    url = store_url(config)
    if not url.startswith("sqlite:///"):
        return True
    return Path(url.removeprefix("sqlite:///")).is_file()


def describe(url: str) -> str:
    """The database for a message: a file's path, or PostgreSQL's host and name, no password."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return "the configured events database"
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database)
    return f"PostgreSQL {parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database}"


def open_store(config: Config) -> EventStore:
    """The store of `config`'s events, migrated to this kbtool's schema."""
    from kbtool.events.legacy import import_search_log

    store = EventStore(store_url(config))
    try:
        store.migrate()
        import_search_log(config, store)
    except EventStoreError:
        store.close()
        raise
    return store


class EventStore:
    """One events database. Thread-safe (SQLAlchemy's pool); one per process is enough."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = describe(url)
        self.engine = _engine(url)

    def close(self) -> None:
        self.engine.dispose()

    def migrate(self) -> None:
        """Create the tables, or bring them to `SCHEMA_VERSION`; refuse a newer schema.

        Two processes starting together both try; the loser's "already exists" is a second
        look, not an error.
        """
        for attempt in range(3):
            try:
                with self._failures("prepare"), self.engine.begin() as connection:
                    if connection.dialect.name == "postgresql":
                        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7312012)"))
                    self._migrate(connection)
                return
            except EventStoreError:
                if attempt == 2:
                    raise

    def _migrate(self, connection: sa.Connection) -> None:
        version = None
        if sa.inspect(connection).has_table(schema_table.name):
            version = connection.execute(sa.select(schema_table.c.version)).scalar()
        if version is not None and version > SCHEMA_VERSION:
            raise EventStoreError(
                f"{self.where} was written by a newer kbtool (schema {version}, this one"
                f" knows {SCHEMA_VERSION}): upgrade kbtool"
            )
        if version == SCHEMA_VERSION:
            return
        # Version 1 is the first: everything is created. Later versions add steps here,
        # each taking the schema from one version to the next.
        metadata.create_all(connection, checkfirst=True)
        if version is None:
            connection.execute(sa.insert(schema_table).values(id=1, version=SCHEMA_VERSION))
        else:
            connection.execute(sa.update(schema_table).values(version=SCHEMA_VERSION))

    def add(self, events: Sequence[Event]) -> None:
        """Store `events` (redacted here: nothing reaches the database unredacted)."""
        if not events:
            return
        rows = [_row(event.redacted()) for event in events]
        with self._failures("write to"), self.engine.begin() as connection:
            connection.execute(sa.insert(events_table), rows)

    def purge(self, keep_days: int, now: dt.datetime | None = None) -> int:
        """Delete the events older than `keep_days`; how many were deleted."""
        cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=keep_days)
        with self._failures("clean up"), self.engine.begin() as connection:
            result = connection.execute(
                sa.delete(events_table).where(events_table.c.time_ms < _ms(cutoff))
            )
        return int(result.rowcount or 0)

    def count(self, kind: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(events_table)
        if kind is not None:
            query = query.where(events_table.c.kind == kind)
        with self._failures("read"), self.engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def events(
        self,
        kinds: Sequence[str] | None = None,
        since: dt.datetime | None = None,
        *,
        zero_results: bool = False,
        negative: bool = False,
    ) -> list[Event]:
        """The stored events (of `kinds`, since `since`), oldest first. `zero_results`: only
        searches that found nothing; `negative`: no "Did this solve it? Yes"."""
        t = events_table
        query = sa.select(*(t.c[name] for name in _COLUMNS))
        if kinds is not None:
            query = query.where(t.c.kind.in_(list(kinds)))
        if since is not None:
            query = query.where(t.c.time_ms >= _ms(since))
        if zero_results:
            query = query.where(sa.or_(t.c.results == 0, t.c.results.is_(None)))
        if negative:
            query = query.where(sa.or_(t.c.solved.is_(None), t.c.solved.is_(False)))
        query = query.order_by(events_table.c.time_ms, events_table.c.id)
        with self._failures("read"), self.engine.connect() as connection:
            # Plain tuples, all at once: a report reads every event (100,000 in about 0.3 s).
            rows = connection.execute(query).all()
        return [_event(row) for row in rows]

    # -- figures for the reports, counted by the database (a report reads 100,000 events) -----

    def searches_per_day(self, since: dt.datetime | None) -> list[tuple[str, str, int, int]]:
        """(day, channel, searches, of which found nothing), by day and channel."""
        t = events_table
        zero = sa.func.sum(sa.case((sa.or_(t.c.results == 0, t.c.results.is_(None)), 1), else_=0))
        query = (
            sa.select(t.c.day, t.c.channel, sa.func.count(), zero)
            .where(t.c.kind == SEARCH, *self._since(since))
            .group_by(t.c.day, t.c.channel)
            .order_by(t.c.day, t.c.channel)
        )
        return [(d, c, int(n), int(z or 0)) for d, c, n, z in self._rows(query)]

    def search_quality(self, since: dt.datetime | None) -> tuple[int, int, float]:
        """Of the site's searches with results: how many, how many had a result opened, and
        the sum of 1/(the best rank opened) over those (for the mean reciprocal rank)."""
        t = events_table
        # The best rank per search, grouped once and joined (a correlated subquery per search
        # was planned as a scan of every opened result per search: minutes at 100,000).
        opened = t.alias("opened")
        best = (
            sa.select(opened.c.search_id, sa.func.min(opened.c.rank).label("best"))
            .where(opened.c.kind == RESULT_OPENED, opened.c.search_id.is_not(None))
            .group_by(opened.c.search_id)
            .subquery()
        )
        query = (
            sa.select(
                sa.func.count(),
                sa.func.count(best.c.best),
                sa.func.sum(sa.literal(1.0) / best.c.best),
            )
            .select_from(t.outerjoin(best, best.c.search_id == t.c.search_id))
            .where(
                t.c.kind == SEARCH,
                t.c.channel == "site",
                t.c.results > 0,
                t.c.search_id.is_not(None),
                *self._since(since),
            )
        )
        [(searches, with_open, reciprocal)] = self._rows(query)
        return int(searches), int(with_open), float(reciprocal or 0.0)

    def counts_by_procedure(
        self, kinds: Sequence[str], since: dt.datetime | None
    ) -> dict[str, int]:
        """How many events of `kinds` each procedure has."""
        t = events_table
        query = (
            sa.select(t.c.procedure, sa.func.count())
            .where(t.c.kind.in_(list(kinds)), t.c.procedure.is_not(None), *self._since(since))
            .group_by(t.c.procedure)
        )
        return {str(p): int(n) for p, n in self._rows(query)}

    def solved_counts(self, since: dt.datetime | None) -> list[tuple[str, bool, int]]:
        """(procedure, the answer, how many) of "Did this solve it?"."""
        t = events_table
        query = (
            sa.select(t.c.procedure, t.c.solved, sa.func.count())
            .where(t.c.kind == SOLVED, t.c.solved.is_not(None), t.c.procedure.is_not(None))
            .where(*self._since(since))
            .group_by(t.c.procedure, t.c.solved)
        )
        return [(str(p), bool(a), int(n)) for p, a, n in self._rows(query)]

    def first_time(self) -> dt.datetime | None:
        with self._failures("read"), self.engine.connect() as connection:
            first = connection.execute(sa.select(sa.func.min(events_table.c.time_ms))).scalar()
        return None if first is None else dt.datetime.fromtimestamp(first / 1000, dt.UTC)

    def zero_result_searches(self, since: dt.datetime | None) -> list[Event]:
        """The searches that found nothing (the knowledge-gap list's raw material)."""
        return self.events([SEARCH], since, zero_results=True)

    def feedback(self, since: dt.datetime | None) -> list[Event]:
        """Problem reports and "did not solve it" answers."""
        return self.events([PROBLEM_REPORT, SOLVED], since, negative=True)

    @staticmethod
    def _since(since: dt.datetime | None) -> list[Any]:
        return [] if since is None else [events_table.c.time_ms >= _ms(since)]

    def _rows(self, query: Any) -> list[Any]:
        with self._failures("read"), self.engine.connect() as connection:
            return list(connection.execute(query).all())

    def _failures(self, action: str) -> _Failures:
        return _Failures(self.where, action)


class _Failures:
    """A context that turns the database's errors into one `EventStoreError`."""

    def __init__(self, where: str, action: str) -> None:
        self.where = where
        self.action = action

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if isinstance(error, sa.exc.SQLAlchemyError | OSError):
            raise EventStoreError(
                f"cannot {self.action} the events database {self.where}: {reason(error)}"
            ) from None


def reason(error: BaseException) -> str:
    """The database's own one-line reason, without SQLAlchemy's statement and links."""
    original = getattr(error, "orig", None) or error
    text = " ".join(str(original).split())
    return text[:300] or type(original).__name__


def _engine(url: str) -> Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise EventStoreError("[events] url is not a database URL") from None
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EventStoreError(
                f"cannot create the folder of the events database {path}: {exc.strerror}"
            ) from None
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: Any, record: Any) -> None:
            cursor = connection.cursor()
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
            finally:
                cursor.close()

        return engine
    try:
        return sa.create_engine(
            url, pool_pre_ping=True, pool_size=2, connect_args={"connect_timeout": 5}
        )
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise EventStoreError(f"[events] url cannot be used: {reason(exc)}") from None


def _event(row: tuple[Any, ...]) -> Event:
    # In the order of _COLUMNS.
    (time_ms, _day, kind, channel, search_id, query, filters_json, results, corrected,
     procedure, rank, solved, category, text) = row  # fmt: skip
    filters: dict[str, str] = {}
    if filters_json:
        try:
            loaded = json.loads(filters_json)
        except json.JSONDecodeError:
            loaded = None
        if isinstance(loaded, dict):
            filters = {str(k): str(v) for k, v in loaded.items()}
    return Event(
        kind,
        channel,
        dt.datetime.fromtimestamp(time_ms / 1000, dt.UTC),
        query,
        filters,
        results,
        corrected,
        search_id,
        procedure,
        rank,
        None if solved is None else bool(solved),
        category,
        text,
    )
