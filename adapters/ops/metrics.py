"""`/metrics`: what an operator graphs and alerts on, in Prometheus' format.

Everything is kept as plain numbers and turned into Prometheus' families
only when it is scraped: a prometheus_client Counter or Histogram takes a
lock on every update, which on the message path cost more than the rest of
the bookkeeping together (bench/observe.py). Two sources:

- What happens inside the engine and the store is counted as it happens, by
  wrapping three calls of a running community's App (`observe`): the
  engine's `handle` (events by kind, handling time), the store's `write`
  (batch size, flush time) and the daily counters' `add` (spam removed,
  reports, alerts). The core stays free of any metrics library.
- What the gateways hold (actions done and failed, API errors, 429s, retry
  waits, queue depth per lane) is read from plain counters on them.
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from adapters.app import App
from adapters.ops import context
from bot.core.actions import Action
from bot.core.events import ChatRef, Event, UserRef
from bot.core.records import WriteBatch, WriteResult

if TYPE_CHECKING:
    from adapters.ops.fleet import Served

log = logging.getLogger(__name__)

_ENGINE_BUCKETS = (0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
_ROW_BUCKETS = (1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0)
_FLUSH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# The daily counters that are also worth a time series.
_COUNTED = {"spam_removed": "spam", "reports": "report", "alerts": "alert"}


class Histogram:
    """Counts per bucket and a sum; Prometheus' cumulative form on demand."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(bounds)
        self.counts = [0] * (len(self.bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    def cumulative(self) -> list[tuple[str, float]]:
        out, running = [], 0
        for bound, n in zip((*map(str, self.bounds), "+Inf"), self.counts, strict=True):
            running += n
            out.append((bound, float(running)))
        return out


class Figures:
    """One community's figures in this process (kept across takeovers)."""

    def __init__(self) -> None:
        self.events: Counter[str] = Counter()
        self.engine = Histogram(_ENGINE_BUCKETS)
        self.rows = Histogram(_ROW_BUCKETS)
        self.flush = Histogram(_FLUSH_BUCKETS)
        self.risk: Counter[str] = Counter()
        self.last_event: float | None = None


class Metrics:
    """One registry per process: every community it serves, by label."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.figures: dict[str, Figures] = {}

    def attach(self, fleet: Callable[[], Iterable[Served]]) -> None:
        self.registry.register(_Collector(fleet, self.figures))

    def last_event(self, slug: str) -> float | None:
        figures = self.figures.get(slug)
        return None if figures is None else figures.last_event

    def handled(self, slug: str) -> int:
        """Events from members and platforms handled here so far (the
        minute ticks left out): the balance's measure of how busy it is."""
        figures = self.figures.get(slug)
        if figures is None:
            return 0
        return sum(n for kind, n in figures.events.items() if kind != "TimerFired")

    def observe(self, app: App) -> None:
        """Count what the app's engine, store and counters do from now on."""
        slug = app.config.community.slug
        figures = self.figures.setdefault(slug, Figures())
        engine, store, stats = app.engine, app.store, app.engine.kit.stats
        handle, write, add = engine.handle, store.write, stats.add
        events, timing, clock = figures.events, figures.engine, time.perf_counter
        chat, member = context.chat, context.member

        async def handled(event: Event) -> list[Action]:
            kind = type(event).__name__
            events[kind] += 1
            if kind != "TimerFired":
                figures.last_event = time.time()
            # The chat and member, for log lines written while it is handled.
            where = getattr(event, "chat", None)
            who = getattr(event, "sender", None) or getattr(event, "member", None)
            chat_token = chat.set(where.key if isinstance(where, ChatRef) else None)
            member_token = member.set(who.key if isinstance(who, UserRef) else None)
            # One line per event at DEBUG: JSON logs tie it to its ids.
            log.debug("handling %s", kind)
            started = clock()
            try:
                return await handle(event)
            finally:
                timing.observe(clock() - started)
                member.reset(member_token)
                chat.reset(chat_token)

        async def written(batch: WriteBatch) -> WriteResult:
            started = clock()
            try:
                return await write(batch)
            finally:
                figures.flush.observe(clock() - started)
                figures.rows.observe(len(batch))

        def added(group_key: str, day: Any, field: str, n: int = 1) -> None:
            add(group_key, day, field, n)
            kind = _COUNTED.get(field)
            if kind is not None:
                figures.risk[kind] += n

        # Instance attributes shadow the methods for this one App; the
        # classes, and every other App, are untouched.
        engine.handle = handled  # type: ignore[method-assign]
        store.write = written  # type: ignore[method-assign]
        stats.add = added  # type: ignore[method-assign]


def _histogram(name: str, doc: str) -> HistogramMetricFamily:
    return HistogramMetricFamily(name, doc, labels=["community"])


class _Collector(Collector):
    """Builds every family at scrape time from the figures and gateways."""

    def __init__(self, fleet: Callable[[], Iterable[Served]], figures: dict[str, Figures]) -> None:
        self._fleet = fleet
        self._figures = figures

    def collect(self) -> Iterator[Metric]:
        yield from self._engine()
        yield from self._gateways()

    def _engine(self) -> Iterator[Metric]:
        events = CounterMetricFamily(
            "groupkeeper_events", "Events handled by the engine", labels=["community", "kind"]
        )
        risk = CounterMetricFamily(
            "groupkeeper_risk",
            "Spam removed, reports filed and alerts raised",
            labels=["community", "kind"],
        )
        engine = _histogram("groupkeeper_engine_seconds", "Time the engine took for one event")
        rows = _histogram("groupkeeper_write_batch_rows", "Rows in one write-behind batch")
        flush = _histogram("groupkeeper_write_flush_seconds", "Time one batch took to store")
        age = GaugeMetricFamily(
            "groupkeeper_last_event_age_seconds",
            "Seconds since the last platform event was handled",
            labels=["community"],
        )
        now = time.time()
        for slug, f in list(self._figures.items()):
            for kind, n in f.events.items():
                events.add_metric([slug, kind], n)
            for kind, n in f.risk.items():
                risk.add_metric([slug, kind], n)
            for family, histogram in ((engine, f.engine), (rows, f.rows), (flush, f.flush)):
                family.add_metric([slug], histogram.cumulative(), histogram.total)
            if f.last_event is not None:
                age.add_metric([slug], now - f.last_event)
        yield from (events, risk, engine, rows, flush, age)

    def _gateways(self) -> Iterator[Metric]:
        platform = ["community", "platform"]
        actions = CounterMetricFamily(
            "groupkeeper_actions", "Actions carried out", labels=[*platform, "kind"]
        )
        failed = CounterMetricFamily(
            "groupkeeper_action_failures",
            "Actions the platform refused or that failed",
            labels=[*platform, "kind"],
        )
        errors = CounterMetricFamily(
            "groupkeeper_api_errors", "Platform API errors", labels=platform
        )
        limited = CounterMetricFamily("groupkeeper_rate_limited", "429 answers", labels=platform)
        waited = CounterMetricFamily(
            "groupkeeper_retry_wait_seconds",
            "Seconds spent waiting out 429s and network retries",
            labels=platform,
        )
        depth = GaugeMetricFamily(
            "groupkeeper_queue_depth",
            "Actions waiting to be carried out, by lane",
            labels=[*platform, "lane"],
        )
        owner = GaugeMetricFamily(
            "groupkeeper_owner", "1 where this process serves the community", labels=["community"]
        )
        handed = CounterMetricFamily(
            "groupkeeper_handovers",
            "Times this process handed the community over to balance the processes",
            labels=["community"],
        )
        for served in self._fleet():
            slug = served.slug
            owner.add_metric([slug], 1.0 if served.role == "owner" else 0.0)
            handed.add_metric([slug], served.handovers)
            for name, gateway in served.gateways().items():
                for kind, n in getattr(gateway, "carried", {}).items():
                    actions.add_metric([slug, name, kind], n)
                for kind, n in getattr(gateway, "failed", {}).items():
                    failed.add_metric([slug, name, kind], n)
                errors.add_metric([slug, name], len(getattr(gateway, "failures", ())))
                limited.add_metric([slug, name], getattr(gateway, "rate_limited", 0))
                waited.add_metric([slug, name], getattr(gateway, "retry_waited", 0.0))
                queued = getattr(gateway, "queued", None)
                for lane, n in (queued() if queued is not None else {}).items():
                    depth.add_metric([slug, name, lane], n)
        yield from (actions, failed, errors, limited, waited, depth, owner, handed)
