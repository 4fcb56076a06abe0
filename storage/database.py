"""Async engines for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from storage.url_options import ASYNCPG, checked_url, postgres_connect

# A plain dialect name gets the async driver; an explicit driver is kept.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # With WAL, NORMAL only risks the last commits on power loss, never corruption.
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    # Checkpoint every 16 MB of WAL rather than 4 MB. A write-behind batch of
    # ledger entries dirties hundreds of index pages, so the default ran a
    # checkpoint (two fsyncs, on the engine's awaited flush) every few batches;
    # this was worth 10% or more of bench/engine.py's message rate. The cost:
    # up to 16 MB of commits to lose on power loss (not on a crash), which the
    # batcher's replayable, idempotent writes already accept for a batch.
    "PRAGMA wal_autocheckpoint=4000",
    # A page cache of up to 64 MiB per connection (the default is 2 MiB): the
    # ledger's and members' indexes of a community of 50,000 stay in memory
    # instead of being read back from the file on every batch; SQLite's time
    # per message in bench/engine.py fell by a fifth. Allocated as pages are
    # used, so a small community pays nothing for it.
    "PRAGMA cache_size=-65536",
)


def async_url(url: str | URL) -> URL:
    """The URL with the async driver for its dialect."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def is_memory_sqlite(url: str | URL) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def create_engine(url: str | URL) -> AsyncEngine:
    """An engine for the URL, its options checked (UrlOptionError) and, on
    PostgreSQL, turned into asyncpg's arguments (storage/url_options.py)."""
    parsed = async_url(checked_url(url))
    if parsed.drivername in ASYNCPG:
        bare, connect_args = postgres_connect(parsed)
        return create_async_engine(bare, pool_pre_ping=True, connect_args=connect_args)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(parsed, pool_pre_ping=True)
    kwargs: dict[str, Any] = {}
    if is_memory_sqlite(parsed):
        # Every connection to ":memory:" would be a new, empty database.
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = create_async_engine(parsed, **kwargs)
    _take_over_sqlite_transactions(engine)
    return engine


def _take_over_sqlite_transactions(engine: AsyncEngine) -> None:
    """Let SQLAlchemy emit BEGIN itself.

    Python's sqlite3 (before 3.12's `autocommit`) opens a transaction only before
    DML, so DDL and SELECTs would run outside it: migrations would not be atomic
    and reads not repeatable. The recipe is SQLAlchemy's documented one.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in _SQLITE_PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")
