"""`groupkeeper run`: every community of the process, each served by
whichever process owns it.

A community is a config file. For each, a task waits as a standby until it
owns the community (`adapters.ops.ownership`), then opens the App (so the
state it serves is what the database holds at that moment: the previous
owner's last batch included), runs the platforms, the schedule and the
minute tick (`adapters.runners.serve_app`) until the process is told to stop,
the lock is lost or the community is handed over, and in the last two cases
goes back to standing by. With `--config-dir` a process serves every file of
a folder; N processes started on the same folder share the communities, each
owned by one of them, about as many each (`adapters.ops.balance` decides
when a standby asks for a free lock and when an owner lets one go).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.app import App, build_app, database_url
from adapters.ops import context
from adapters.ops.balance import Balance, Pace, pause
from adapters.ops.db_failure import failure_kind
from adapters.ops.metrics import Metrics
from adapters.ops.ownership import NoLock, Ownership, Timing, ownership_for
from adapters.runners import Router, serve_app, stopped_by_signals
from bot.compose import report_outage
from bot.config import Config, load_config
from bot.core.ports import Gateway

log = logging.getLogger(__name__)

# Seconds before a process whose serving failed stands by again.
_AFTER_FAILURE = 5.0


@dataclass(frozen=True, slots=True)
class Community:
    path: Path
    # The platforms with a token, which this process serves when it owns it.
    platforms: tuple[str, ...]


@dataclass(slots=True)
class Served:
    """One community as this process stands to it (health reads it)."""

    slug: str
    platforms: tuple[str, ...]
    lock: Ownership
    role: str = "standby"  # standby | owner | stopped
    app: App | None = None
    router: Router | None = None
    # Set to hand the community over to another process (balance).
    handover: asyncio.Event = field(default_factory=asyncio.Event)
    handovers: int = 0
    # When this process last stopped serving for a lost lock (its database
    # out of reach): told to the log chat once it serves again.
    lost_at: float | None = None

    def gateways(self) -> dict[str, Gateway]:
        return self.router.gateways if self.router is not None else {}


@dataclass
class Fleet:
    """What the process serves, and its metrics."""

    metrics: Metrics = field(default_factory=Metrics)
    served: dict[str, Served] = field(default_factory=dict)
    # Communities are opened one at a time: on a new database each opening
    # migrates it, and two migrations at once on one SQLite file would fail
    # each other ("database is locked") again and again.
    opening: asyncio.Lock = field(default_factory=asyncio.Lock)
    # /healthz and /metrics, also served by a community's dashboard.
    routes: list[Any] = field(default_factory=list)
    # None where nothing else can serve these communities (in memory).
    balance: Balance | None = None
    # Set by SIGTERM/SIGINT: every community is on its way out.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.metrics.attach(lambda: list(self.served.values()))

    def owned(self) -> list[str]:
        return [slug for slug, served in self.served.items() if served.role == "owner"]

    def draining(self, slug: str) -> bool:
        """Is this community being stopped already?"""
        served = self.served.get(slug)
        if served is None or self.stopping.is_set():
            return True
        return served.handover.is_set() or served.lock.lost.is_set()

    def release(self, slug: str) -> None:
        served = self.served.get(slug)
        if served is not None and served.role == "owner":
            served.handover.set()


async def run_fleet(communities: list[Community], db_url: str | None) -> int:
    """Until SIGTERM/SIGINT (exit 0), or until no community can run (1)."""
    from adapters.ops.http import ops_routes, serve_ops

    fleet = Fleet()
    fleet.routes = ops_routes(fleet)
    configs = [load_config(c.path) for c in communities]
    stop = fleet.stopping
    roster = _roster_url(configs, db_url)
    takeover = min(c.standby.takeover.total_seconds() for c in configs)
    if roster is not None:
        fleet.balance = Balance(
            tuple(c.community.slug for c in configs),
            Pace.within(takeover, Timing.within(takeover).poll),
            fleet.owned,
            fleet.release,
            total=fleet.metrics.handled,
            draining=fleet.draining,
        )
    async with serve_ops(fleet, configs[0].metrics):
        with stopped_by_signals(stop):
            tasks = [
                asyncio.create_task(_community(fleet, c, config, db_url, stop))
                for c, config in zip(communities, configs, strict=True)
            ]
            beating, done = None, asyncio.Event()
            if fleet.balance is not None and roster is not None:
                beating = asyncio.create_task(fleet.balance.run(roster, fleet.opening, done))
            try:
                results = await asyncio.gather(*tasks)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                # The heartbeat last: a process stopping still counts as
                # one while it hands its communities over.
                done.set()
                if beating is not None:
                    await asyncio.gather(beating, return_exceptions=True)
    return 0 if stop.is_set() or any(results) else 1


def _roster_url(configs: list[Config], db_url: str | None) -> str | None:
    """The database of the balance's process table: the first community's
    by slug, the same in every process on the folder; None in memory."""
    first = min(configs, key=lambda c: c.community.slug)
    url = database_url(first, db_url)
    return None if isinstance(ownership_for(url, "-", 15), NoLock) else url


async def _community(
    fleet: Fleet, community: Community, config: Config, db_url: str | None, stop: asyncio.Event
) -> bool:
    """Serve one community whenever this process owns it; False once its
    platforms cannot run at all."""
    slug = config.community.slug
    context.community.set(slug)
    lock = ownership_for(
        database_url(config, db_url), slug, config.standby.takeover.total_seconds()
    )
    served = fleet.served[slug] = Served(slug, community.platforms, lock)
    try:
        while not stop.is_set():
            served.role = "standby"
            if not await _claim(fleet, served, config, stop):
                return True
            log.warning("community %s: this process serves it now", slug)
            served.role = "owner"
            if fleet.balance is not None:
                fleet.balance.took(slug)
            _changed(fleet)
            try:
                ran = await _own(fleet, served, community, db_url, stop)
            except Exception as exc:
                # The database went away under the App, most likely: the lock
                # goes with it, and a standby (or this process) starts afresh.
                _failed(slug, exc)
                ran = True
                # Apart from the other processes that failed with it.
                await asyncio.sleep(_AFTER_FAILURE * random.uniform(1, 2))
            finally:
                served.role, served.app, served.router = "stopped", None, None
                await lock.release()
                _changed(fleet)
            if served.handover.is_set() and not stop.is_set():
                served.handover.clear()
                served.handovers += 1
                if fleet.balance is not None:
                    fleet.balance.gave(slug)
                log.warning("community %s: handed over, standing by", slug)
            elif lock.lost.is_set() and not stop.is_set():
                log.warning("community %s: standing by again", slug)
            if not ran:
                return False
        return True
    finally:
        served.role = "stopped"


async def _own(
    fleet: Fleet, served: Served, community: Community, db_url: str | None, stop: asyncio.Event
) -> bool:
    async with fleet.opening:
        app = await build_app(community.path, db_url)
    served.app, served.router = app, Router()
    if served.lost_at is not None:
        report_outage(app.engine, time.monotonic() - served.lost_at)
        served.lost_at = None
    fleet.metrics.observe(app)
    ended = asyncio.Event()
    watch = asyncio.create_task(_watch(served, ended, stop))
    try:
        return await serve_app(
            app, db_url, community.platforms, ended, served.router, community.path, fleet.routes
        )
    finally:
        watch.cancel()
        await app.close()


def _failed(slug: str, exc: Exception) -> None:
    """Serving ended in an error: the database's in one line (it went away,
    which the lock and the write-behind have said too), a fault with its trace."""
    found = failure_kind(exc)
    if found is None:
        log.error("community %s: serving it failed", slug, exc_info=exc)
    else:
        log.error("community %s: serving it stopped: the database failed (%s)", slug, found[1])


async def _watch(served: Served, out: asyncio.Event, stop: asyncio.Event) -> None:
    """Ends the serving at a stop, a handover or a lost lock; a lost lock's
    time is kept for the log chat's account of the outage."""
    await pause(None, stop, served.lock.lost, served.handover)
    if served.lock.lost.is_set() and not stop.is_set():
        served.lost_at = served.lost_at or time.monotonic()
        if served.app is not None:
            # Told once, by the App that serves next, not by this one's
            # write-behind too, should its flush get through while it stops.
            served.app.engine.kit.writes.outage.on_back = None
    out.set()


def _changed(fleet: Fleet) -> None:
    if fleet.balance is not None:
        fleet.balance.changed()


async def _claim(fleet: Fleet, served: Served, config: Config, stop: asyncio.Event) -> bool:
    """Until this process owns the community (True) or is told to stop.

    A free lock is taken at once while the balance entitles this process to
    it; otherwise it is only looked at, and taken once it has stayed free
    for the balance's grace (its owner died, the others own their share)."""
    poll = Timing.within(config.standby.takeover.total_seconds()).poll
    balance, lock = fleet.balance, served.lock
    free_since: float | None = None
    while not stop.is_set():
        free_for = 0.0 if free_since is None else time.monotonic() - free_since
        if balance is None or balance.may_take(served.slug, free_for):
            if await lock.attempt():
                return True
            free_since = None
        elif await lock.peek():
            free_since = free_since or time.monotonic()
        else:
            free_since = None
        await pause(poll, stop)
    return False
