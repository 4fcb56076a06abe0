"""`/metrics`: what an operator graphs and alerts on, in Prometheus' format.

Two kinds of figure. What happens inside the engine and the store is
counted as it happens, by wrapping three calls of a running community's App
(`observe`): the engine's `handle` (events by kind, handling time), the
store's `write` (batch size, flush time) and the daily counters' `add` (spam
removed, reports, alerts), so the core stays free of any metrics library.
What the gateways hold (actions done and failed, 429s, retry waits, queue
depth per lane) is read when Prometheus scrapes, from plain counters on the
gateways.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from adapters.app import App
from adapters.ops import context
from bot.core.actions import Action
from bot.core.events import Event
from bot.core.records import WriteBatch, WriteResult

if TYPE_CHECKING:
    from adapters.ops.fleet import Served

log = logging.getLogger(__name__)

_ENGINE_BUCKETS = (0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
_ROW_BUCKETS = (1, 5, 10, 25, 50, 100, 250, 500, 1000)
_FLUSH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# The daily counters that are also worth a time series.
_COUNTED = {"spam_removed": "spam", "reports": "report", "alerts": "alert"}


class Metrics:
    """One registry per process: every community it serves, by label."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.events = Counter(
            "groupkeeper_events", "Events handled by the engine", ["community", "kind"], registry=r
        )
        self.handling = Histogram(
            "groupkeeper_engine_seconds",
            "Time the engine took to handle one event",
            ["community"],
            buckets=_ENGINE_BUCKETS,
            registry=r,
        )
        self.batch_rows = Histogram(
            "groupkeeper_write_batch_rows",
            "Rows in one write-behind batch",
            ["community"],
            buckets=_ROW_BUCKETS,
            registry=r,
        )
        self.flush = Histogram(
            "groupkeeper_write_flush_seconds",
            "Time one write-behind batch took to store",
            ["community"],
            buckets=_FLUSH_BUCKETS,
            registry=r,
        )
        self.verdicts = Counter(
            "groupkeeper_risk",
            "Spam removed, reports filed and alerts raised",
            ["community", "kind"],
            registry=r,
        )
        self.last_event: dict[str, float] = {}

    def attach(self, fleet: Callable[[], Iterable[Served]]) -> None:
        self.registry.register(_Gateways(fleet, self.last_event))

    def observe(self, app: App) -> None:
        """Count what the app's engine, store and counters do from now on."""
        slug = app.config.community.slug
        engine, store, stats = app.engine, app.store, app.engine.kit.stats
        handle, write, add = engine.handle, store.write, stats.add
        events, timing = self.events, self.handling.labels(slug)
        rows, flush = self.batch_rows.labels(slug), self.flush.labels(slug)
        last = self.last_event

        async def handled(event: Event) -> list[Action]:
            kind = type(event).__name__
            events.labels(slug, kind).inc()
            if kind != "TimerFired":
                last[slug] = time.time()
            started = time.perf_counter()
            with context.handling(event):
                # One line per event at DEBUG: JSON logs tie it to its ids.
                log.debug("handling %s", kind)
                try:
                    return await handle(event)
                finally:
                    timing.observe(time.perf_counter() - started)

        async def written(batch: WriteBatch) -> WriteResult:
            started = time.perf_counter()
            try:
                return await write(batch)
            finally:
                flush.observe(time.perf_counter() - started)
                rows.observe(len(batch))

        def added(group_key: str, day: Any, field: str, n: int = 1) -> None:
            add(group_key, day, field, n)
            kind = _COUNTED.get(field)
            if kind is not None:
                self.verdicts.labels(slug, kind).inc(n)

        # Instance attributes shadow the methods for this one App; the
        # classes, and every other App, are untouched.
        engine.handle = handled  # type: ignore[method-assign]
        store.write = written  # type: ignore[method-assign]
        stats.add = added  # type: ignore[method-assign]


class _Gateways(Collector):
    """Read at scrape time from the gateways of the communities served."""

    def __init__(self, fleet: Callable[[], Iterable[Served]], last: dict[str, float]) -> None:
        self._fleet = fleet
        self._last = last

    def collect(self) -> Iterator[Metric]:
        actions = CounterMetricFamily(
            "groupkeeper_actions", "Actions carried out", labels=["community", "platform", "kind"]
        )
        failed = CounterMetricFamily(
            "groupkeeper_action_failures",
            "Actions the platform refused or that failed",
            labels=["community", "platform", "kind"],
        )
        errors = CounterMetricFamily(
            "groupkeeper_api_errors", "Platform API errors", labels=["community", "platform"]
        )
        limited = CounterMetricFamily(
            "groupkeeper_rate_limited", "429 answers met", labels=["community", "platform"]
        )
        waited = CounterMetricFamily(
            "groupkeeper_retry_wait_seconds",
            "Seconds spent waiting out 429s and network retries",
            labels=["community", "platform"],
        )
        depth = GaugeMetricFamily(
            "groupkeeper_queue_depth",
            "Actions waiting to be carried out, by lane",
            labels=["community", "platform", "lane"],
        )
        owner = GaugeMetricFamily(
            "groupkeeper_owner", "1 where this process serves the community", labels=["community"]
        )
        age = GaugeMetricFamily(
            "groupkeeper_last_event_age_seconds",
            "Seconds since the last platform event was handled",
            labels=["community"],
        )
        now = time.time()
        for served in self._fleet():
            slug = served.slug
            owner.add_metric([slug], 1.0 if served.role == "owner" else 0.0)
            if slug in self._last:
                age.add_metric([slug], now - self._last[slug])
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
        yield from (actions, failed, errors, limited, waited, depth, owner, age)
