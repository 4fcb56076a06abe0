"""One community's engine, assembled: the store's snapshot loaded into the
kit, the features built on it, and the engine that routes between them.
Platform adapters, the console, the tests and the benchmarks all start the
core through `open_engine`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.config import Config
from bot.core.actions import SendMessage
from bot.core.batcher import WriteBehind
from bot.core.calendar import Calendar
from bot.core.collector import collector_paused, settled
from bot.core.config_watch import compile_rules
from bot.core.directory import Directory
from bot.core.engine import Engine
from bot.core.explanations import Explanations
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.ports import Clock, Store
from bot.core.stats import Stats
from bot.features import Stores, build
from bot.features.analytics.store import ChartRenderer
from rules.evaluate import RuleSet


async def open_engine(
    config: Config,
    store: Store,
    clock: Clock,
    *,
    stores: Stores | None = None,
    charts: ChartRenderer | None = None,
    config_path: Path | None = None,
    max_batch: int = 2000,
    flush_interval: float = 0.1,
    background_flush: bool = True,
) -> Engine:
    """Load the community into memory and start every feature; with
    `background_flush`, pending writes are flushed every `flush_interval`
    seconds (else by the caller, or once `max_batch` are pending). The
    cyclic collector rests while the snapshot loads (`bot.core.collector`).

    2,000 rows a batch rather than 500: a batch's commit writes every index
    page it touched once, and the ledger's keys touch pages all over its
    index, so SQLite's own time per message fell by a third (bench/engine.py,
    realistic mix); a batch still commits within the 0.1 s interval when
    traffic is lighter than that."""
    community = config.community
    await store.ensure_community(community.slug, community.name, community.timezone)
    with collector_paused():
        calendar = Calendar(community.tz)
        snapshot = await store.load(community.slug, calendar.day_start(clock.now()))
        stats = Stats(community.slug, snapshot)
        writes = WriteBehind(
            store, max_batch=max_batch, interval=flush_interval, collect=stats.collect
        )
        kit = Kit(
            config=config,
            # Compiled once the features are built, with their word lists.
            rules=RuleSet(()),
            clock=clock,
            store=store,
            writes=writes,
            directory=Directory(config, snapshot, writes),
            stats=stats,
            calendar=calendar,
            explanations=Explanations(),
        )
        base = config_path.parent if config_path is not None else None
        features = await build(kit, snapshot, stores or Stores(), charts=charts, base=base)
        engine = Engine(kit, features, config_path=config_path)
        kit.rules = compile_rules(config, engine.word_lists)
    settled()
    writes.on_unstorable = _report_unstorable(engine)
    writes.outage.on_back = lambda lasted: report_outage(engine, lasted)
    if background_flush:
        writes.start()
    return engine


def _report_unstorable(engine: Engine) -> Callable[[str, BaseException], None]:
    """The batcher runs outside any event: what it set aside reaches the
    moderators as a message the engine sends with the next event."""

    def report(what: str, error: BaseException) -> None:
        kit = engine.kit
        chat = kit.log_chat
        if chat is None:
            return
        text = t(
            kit.config.community.locale, "log.unstorable", what=what, error=type(error).__name__
        )
        engine.post([SendMessage(chat, text, kind="alert")])

    return report


def report_outage(engine: Engine, lasted: float) -> None:
    """The database was out of reach for `lasted` seconds and answers again:
    the moderators hear it with the next event (during the outage nothing
    could leave: replies wait for the rows that record them)."""
    kit = engine.kit
    if kit.log_chat is None:
        return
    text = t(kit.config.community.locale, "outage.back", seconds=round(lasted))
    engine.post([SendMessage(kit.log_chat, text, kind="alert")])
