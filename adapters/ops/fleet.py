"""`groupkeeper run`: every community of the process, each served by
whichever process owns it.

A community is a config file. For each, a task waits as a standby until it
owns the community (`adapters.ops.ownership`), then opens the App (so the
state it serves is what the database holds at that moment: the previous
owner's last batch included), runs the platforms, the schedule and the
minute tick (`adapters.runners.serve_app`) until the process is told to stop
or the lock is lost, and in the second case goes back to standing by. With
`--config-dir` a process serves every file of a folder; N processes started
on the same folder share the communities, each owned by one of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.app import App, build_app, database_url
from adapters.ops import context
from adapters.ops.metrics import Metrics
from adapters.ops.ownership import Ownership, ownership_for
from adapters.runners import Router, serve_app, stopped_by_signals
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

    def __post_init__(self) -> None:
        self.metrics.attach(lambda: list(self.served.values()))


async def run_fleet(communities: list[Community], db_url: str | None) -> int:
    """Until SIGTERM/SIGINT (exit 0), or until no community can run (1)."""
    from adapters.ops.http import ops_routes, serve_ops

    fleet = Fleet()
    fleet.routes = ops_routes(fleet)
    configs = [load_config(c.path) for c in communities]
    stop = asyncio.Event()
    async with serve_ops(fleet, configs[0].metrics):
        with stopped_by_signals(stop):
            tasks = [
                asyncio.create_task(_community(fleet, c, config, db_url, stop))
                for c, config in zip(communities, configs, strict=True)
            ]
            try:
                results = await asyncio.gather(*tasks)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
    return 0 if stop.is_set() or any(results) else 1


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
            if not await _first(lock.acquire(), stop):
                return True
            log.warning("community %s: this process serves it now", slug)
            served.role = "owner"
            try:
                ran = await _own(fleet, served, community, db_url, stop)
            except Exception:
                # The database went away under the App, most likely: the lock
                # goes with it, and a standby (or this process) starts afresh.
                log.exception("community %s: serving it failed", slug)
                ran = True
                # Apart from the other processes that failed with it.
                await asyncio.sleep(_AFTER_FAILURE * random.uniform(1, 2))
            finally:
                served.role, served.app, served.router = "stopped", None, None
                await lock.release()
            if not ran:
                return False
            if lock.lost.is_set() and not stop.is_set():
                log.warning("community %s: standing by again", slug)
        return True
    finally:
        served.role = "stopped"


async def _own(
    fleet: Fleet, served: Served, community: Community, db_url: str | None, stop: asyncio.Event
) -> bool:
    async with fleet.opening:
        app = await build_app(community.path, db_url)
    served.app, served.router = app, Router()
    fleet.metrics.observe(app)
    ended = asyncio.Event()
    watch = asyncio.create_task(_either(stop, served.lock.lost, ended))
    try:
        return await serve_app(
            app, db_url, community.platforms, ended, served.router, community.path, fleet.routes
        )
    finally:
        watch.cancel()
        await app.close()


async def _either(a: asyncio.Event, b: asyncio.Event, out: asyncio.Event) -> None:
    await _first(a.wait(), b)
    out.set()


async def _first(work: Coroutine[Any, Any, object], stop: asyncio.Event) -> bool:
    """Run `work` unless `stop` is set first; True if it finished."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in (task, stopped):
            if not t.done():
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await t
    if task.done() and not task.cancelled():
        task.result()
        return True
    return False
