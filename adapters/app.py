"""The one place that wires the bot: config + store + clock -> a running engine.

Platform runners, the console and the command line all start from here, so
nothing else reaches for globals.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url

from adapters.charts import MatplotlibCharts
from bot.compose import open_engine
from bot.config import Config, load_config
from bot.core.actions import Action, SendMessage
from bot.core.clock import FakeClock, SystemClock
from bot.core.config_watch import ConfigWatcher
from bot.core.engine import Engine
from bot.core.ports import Clock
from bot.features import Stores
from bot.features.analytics.store import ChartRenderer
from storage.analytics_store import SqlAnalyticsStore
from storage.appeals_store import SqlAppealsStore, SqlPaymentsStore
from storage.economy_store import SqlEconomyStore
from storage.member_data_store import SqlMemberDataStore
from storage.migrate import SchemaBehind
from storage.note_store import SqlNoteStore
from storage.overflow_store import SqlOverflowStore
from storage.schedule_store import SqlScheduleStore
from storage.spam_store import SqlSpamStore
from storage.sql_store import SqlStore

DEFAULT_CONFIGS = ("config.yaml", "config.example.yaml")


def default_config_path() -> Path:
    """`$GROUPKEEPER_CONFIG`, else config.yaml, else config.example.yaml."""
    env = os.environ.get("GROUPKEEPER_CONFIG")
    if env:
        return Path(env)
    for name in DEFAULT_CONFIGS:
        if Path(name).exists():
            return Path(name)
    return Path(DEFAULT_CONFIGS[-1])


def database_url(config: Config, override: str | None) -> str:
    return override or os.environ.get("GROUPKEEPER_DB") or config.database.url


@dataclass(slots=True)
class App:
    store: SqlStore
    engine: Engine
    clock: Clock
    # Reloads the config file when it changes (bot/core/config_watch.py).
    watcher: ConfigWatcher | None = None

    @property
    def config(self) -> Config:
        """The running config: a `/reload` (or the watcher) swaps it in the
        engine, and every platform reads it from there, never a copy kept
        from the start."""
        return self.engine.config

    async def close(self) -> None:
        if self.watcher is not None:
            await self.watcher.stop()
        try:
            await self.engine.stop()
        finally:
            # Its connections go even when the database failed the last writes.
            await self.store.close()


async def open_store(
    config: Config, db_url: str | None = None, *, migrate: bool = True, read_only: bool = False
) -> SqlStore:
    """Open the database and apply pending migrations (`migrate=False`: a
    throwaway in-memory database, built from the models; `read_only`: a
    command that only reads, which neither migrates nor repairs)."""
    return await SqlStore.open(database_url(config, db_url), migrate=migrate, read_only=read_only)


class MissingCommunity(LookupError):
    """The database holds nothing of this community: reading from it would
    report zeros as if they were the community's."""

    def __init__(self, url: str, slug: str) -> None:
        super().__init__(
            f"{url} holds no community {slug!r}: is this the right database?"
            " (database.url, --db or GROUPKEEPER_DB; a relative SQLite path is read"
            " from the config file's folder)"
        )


async def open_existing(
    config: Config, db_url: str | None = None, *, read_only: bool = False
) -> SqlStore:
    """The store of a community that has run, for offline commands (which
    write nothing with `read_only`); a SQLite file that is not there is not
    created."""
    url = database_url(config, db_url)
    slug = config.community.slug
    file = make_url(url).database if url.startswith("sqlite") else None
    if file and file != ":memory:" and not await asyncio.to_thread(os.path.exists, file):
        raise MissingCommunity(url, slug)
    try:
        store = await open_store(config, db_url, read_only=read_only)
    except SchemaBehind as exc:
        if exc.current is None:
            raise MissingCommunity(url, slug) from exc
        raise
    if not await store.has_community(slug):
        await store.close()
        raise MissingCommunity(url, slug)
    return store


async def build_app(
    config_path: str | Path,
    db_url: str | None = None,
    *,
    clock: Clock | None = None,
    background_flush: bool = True,
    watch_config: bool = True,
) -> App:
    """Load and validate the config, open the store (migrating it), and start
    the engine; with `watch_config`, reload the file whenever it changes.
    Raises `bot.config.ConfigError` for a bad config."""
    config = load_config(config_path)
    store = await open_store(config, db_url)
    clock = clock or SystemClock()
    engine = await open_engine(
        config,
        store,
        clock,
        stores=sql_stores(store),
        charts=chart_renderer(),
        config_path=Path(config_path),
        background_flush=background_flush,
    )
    watcher = None
    if watch_config:

        async def report(actions: list[Action]) -> None:
            # What a reload tells the log chat leaves with the next event from
            # the log chat's platform, through that platform's gateway.
            engine.post([a for a in actions if isinstance(a, SendMessage)])

        watcher = ConfigWatcher(engine, report)
        watcher.start()
    return App(store, engine, clock, watcher)


def sql_stores(store: SqlStore) -> Stores:
    """Every feature's store, in the same database as the rest."""
    return Stores(
        economy=SqlEconomyStore(store.engine),
        spam=SqlSpamStore(store.engine),
        analytics=SqlAnalyticsStore(store.engine),
        schedule=SqlScheduleStore(store.engine),
        overflow=SqlOverflowStore(store.engine),
        notes=SqlNoteStore(store.engine),
        appeals=SqlAppealsStore(store.engine),
        payments=SqlPaymentsStore(store.engine),
        member_data=SqlMemberDataStore(store.engine),
    )


def chart_renderer() -> ChartRenderer:
    """/stats charts: matplotlib's Agg backend, imported on the first chart."""
    return MatplotlibCharts()


def console_clock(config: Config) -> FakeClock:
    """The interactive console's clock starts at the real time, then moves
    only by hand (`!clock`)."""
    return FakeClock(SystemClock().now())


SCRIPT_START = datetime(2026, 1, 5, 9, 0)


def script_clock(config: Config) -> FakeClock:
    """Scripts start on Monday 2026-01-05 09:00 in the community's time zone."""
    return FakeClock(SCRIPT_START.replace(tzinfo=config.community.tz).astimezone(UTC))
