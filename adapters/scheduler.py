"""The schedule's driver: APScheduler wakes the bot, the core's schedule
decides what is due (and claims it, exactly once), outlets post it.

APScheduler 3's `AsyncIOScheduler` keeps one job per scheduled post, a
one-off wake-up at the post's next fire time, in its SQLAlchemy job store in
the bot's own database (a synchronous store: `sqlite:///` for a SQLite file;
no synchronous PostgreSQL driver is installed, so on PostgreSQL and on an
in-memory database the wake-ups live in memory and are rebuilt on start).
APScheduler is only the alarm clock: the run table (post, group, fire time)
is the source of truth, so a wake-up fired twice, late, or by a second
process posts nothing twice. A "tick" job fires `TimerFired("tick")` into the
engine every minute, runs anything due (the safety net for a lost wake-up)
and re-syncs the wake-ups (a /reload or /schedule change shows up there).

An outlet posts one message and tells which message id it became, which the
`Gateway` port cannot: the schedule needs it to unpin a post later.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import make_url

from adapters.app import App
from bot.core.actions import Action, SendDirect, SendMessage, SendPoll, platform_of
from bot.core.events import TimerFired
from bot.core.ports import Gateway
from bot.features.schedule.content import Sendable
from bot.features.schedule.feature import ScheduleFeature
from bot.features.schedule.schedule import Delivery, Schedule

T = TypeVar("T")
log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
# Deliveries in flight at once: the platform's rate limiter paces them, this
# only bounds the tasks and database writes waiting on it.
_CONCURRENCY = 64
_JOB_STORE = "posts"


class Outlet(Protocol):
    async def post(self, action: Sendable) -> int | None:
        """Send one post; its message id when the platform tells it."""
        ...

    async def run(self, actions: Sequence[Action]) -> None: ...


class GatewayOutlet:
    """Any gateway: posts go out, but without their ids (so no pinning)."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    async def post(self, action: Sendable) -> int | None:
        await self.gateway.execute([action])
        return None

    async def run(self, actions: Sequence[Action]) -> None:
        await self.gateway.execute(actions)


async def route(actions: Sequence[Action], outlets: Mapping[str, Outlet]) -> None:
    by_platform: dict[str, list[Action]] = {}
    for action in actions:
        by_platform.setdefault(platform_of(action), []).append(action)
    for platform, group in by_platform.items():
        outlet = outlets.get(platform)
        if outlet is None:
            log.warning("no %s outlet: %d actions dropped", platform, len(group))
            continue
        await outlet.run(group)


async def deliver(
    schedule: Schedule, deliveries: Sequence[Delivery], outlets: Mapping[str, Outlet]
) -> int:
    """Post each delivery, record it, pin it where asked. Returns how many
    were sent. Different chats go out concurrently (the platform's limiter
    paces them); one chat's posts keep their order."""
    by_chat: dict[str, list[Delivery]] = {}
    for d in deliveries:
        by_chat.setdefault(d.group_key, []).append(d)
    gate = asyncio.Semaphore(_CONCURRENCY)
    sent = 0

    async def one_chat(items: list[Delivery]) -> None:
        nonlocal sent
        async with gate:
            for d in items:
                outlet = outlets.get(platform_of(d.action))
                if outlet is None:
                    log.warning("schedule %s: no outlet for %s", d.post_id, d.group_key)
                    await schedule.failed(d)
                    continue
                try:
                    message_id = await outlet.post(d.action)
                except Exception:
                    log.exception("schedule %s: posting to %s failed", d.post_id, d.group_key)
                    await schedule.failed(d)
                    continue
                sent += 1
                follow = await schedule.delivered(d, message_id)
                if follow:
                    await outlet.run(follow)

    await asyncio.gather(*(one_chat(items) for items in by_chat.values()))
    return sent


def job_store_url(database_url: str) -> str | None:
    """The synchronous URL for APScheduler's job store, or None when there is
    no synchronous driver for the database (wake-ups then stay in memory)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.set(drivername="sqlite").render_as_string(hide_password=False)


# APScheduler stores a job's function by import path, so a stored wake-up
# finds its driver here, by community, when it fires.
_DRIVERS: dict[str, ScheduleDriver] = {}


async def fire(community: str) -> None:
    driver = _DRIVERS.get(community)
    if driver is not None:
        await driver.run_due()
        driver.sync_jobs()


class ScheduleDriver:
    def __init__(
        self,
        app: App,
        database_url: str,
        *,
        platforms: Sequence[str] = (),
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        self.app = app
        self.outlets: dict[str, Outlet] = {}
        self._expected = frozenset(platforms)
        self._tick_seconds = tick_seconds
        self._lock = asyncio.Lock()
        self._store_url = job_store_url(database_url)
        self._scheduler: Any = None
        # The ticks and posts running now: a stop lets them finish.
        self._busy: set[asyncio.Task[Any]] = set()
        self._stopping = False

    @property
    def community(self) -> str:
        return self.app.config.community.slug

    @property
    def schedule(self) -> Schedule | None:
        feature = self.app.engine.find(ScheduleFeature)
        return feature.schedule if feature is not None else None

    def attach(self, platform: str, outlet: Outlet) -> None:
        """A platform is up: posts for it can go out from now on."""
        self.outlets[platform] = outlet
        if self.ready and self._scheduler is not None:
            self._scheduler.add_job(self.tick, id=f"{self.community}:catch-up", jobstore="default")

    @property
    def ready(self) -> bool:
        return self._expected <= self.outlets.keys()

    async def start(self) -> None:
        # Imported here: the console, `replay` and `check-config` never start
        # the driver and need not load APScheduler.
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        posts: Any = (
            SQLAlchemyJobStore(url=self._store_url, tablename="apscheduler_jobs")
            if self._store_url
            else MemoryJobStore()
        )
        scheduler = AsyncIOScheduler(
            timezone=UTC, jobstores={"default": MemoryJobStore(), _JOB_STORE: posts}
        )
        scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self._tick_seconds, timezone=UTC),
            id=f"{self.community}:tick",
            coalesce=True,
            max_instances=1,
        )
        _DRIVERS[self.community] = self
        self._scheduler = scheduler
        scheduler.start()
        self.sync_jobs()
        if self.ready:
            await self.tick()

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if _DRIVERS.get(self.community) is self:
            del _DRIVERS[self.community]

    async def drain(self, within: float) -> None:
        """No new tick or post from now on; the ones running finish, for up
        to `within` seconds (a post held by flood control is then given up:
        its run stays claimed, so it is not posted twice)."""
        self._stopping = True
        if self._scheduler is not None:
            self._scheduler.pause()
        busy = set(self._busy)
        if not busy:
            return
        _, late = await asyncio.wait(busy, timeout=within)
        if late:
            log.error("Scheduled work did not finish within the drain timeout: stopped")
            for task in late:
                task.cancel()
            await asyncio.wait(late)

    async def tick(self) -> None:
        """Once a minute: the engine's periodic duties, then anything due."""
        await self._guarded(self._tick, None)

    async def _tick(self) -> None:
        engine = self.app.engine
        if self.ready:
            actions = await engine.handle(TimerFired("tick", self.app.clock.now()))
            await route(actions, self.outlets)
        await self._run_due()
        self.sync_jobs()

    async def run_due(self) -> int:
        return await self._guarded(self._run_due, 0)

    async def _run_due(self) -> int:
        schedule = self.schedule
        if schedule is None or not self.ready:
            return 0
        async with self._lock:
            deliveries = await schedule.due(self.app.clock.now())
            return await deliver(schedule, deliveries, self.outlets)

    def _draining(self) -> bool:
        return self._stopping

    async def _guarded(self, work: Callable[[], Awaitable[T]], stopped: T) -> T:
        """Run `work` as one of the busy tasks `drain` waits for; cut short
        by `drain` (or asked for after it), it ends quietly with `stopped`."""
        if self._stopping:
            return stopped
        task = asyncio.current_task()
        assert task is not None
        self._busy.add(task)
        try:
            return await work()
        except asyncio.CancelledError:
            # Read again: `drain` may have begun while the work ran.
            if not self._draining():
                raise
            return stopped
        finally:
            self._busy.discard(task)

    def sync_jobs(self) -> None:
        """One wake-up per active post at its next fire time; none for the rest."""
        scheduler, schedule = self._scheduler, self.schedule
        if scheduler is None or schedule is None:
            return
        from apscheduler.triggers.date import DateTrigger

        now = self.app.clock.now()
        prefix = f"{self.community}:post:"
        wanted: dict[str, datetime] = {}
        for post in schedule.posts:
            if not post.spec.enabled or schedule.paused(post.id):
                continue
            at = schedule.next_fire(post, now)
            if at is not None:
                wanted[prefix + post.id] = at
        for job in scheduler.get_jobs(jobstore=_JOB_STORE):
            if job.id.startswith(prefix) and job.id not in wanted:
                job.remove()
        for job_id, at in wanted.items():
            scheduler.add_job(
                fire,
                DateTrigger(run_date=at, timezone=UTC),
                args=[self.community],
                id=job_id,
                jobstore=_JOB_STORE,
                replace_existing=True,
                # Late wake-ups still run: the schedule applies each post's grace.
                misfire_grace_time=None,
                coalesce=True,
            )


class ConsoleOutlet:
    """The console's gateway, reading the message id from its output."""

    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway

    async def post(self, action: Sendable) -> int | None:
        start = len(self.gateway.outputs)
        await self.gateway.execute([action])
        for out in self.gateway.outputs[start:]:
            if out.message_id is not None and out.kind in ("message", "poll"):
                return int(out.message_id)
        return None

    async def run(self, actions: Sequence[Action]) -> None:
        await self.gateway.execute(actions)


class TelegramOutlet:
    """Posts through the Telegram gateway's limiter and retries, keeping the
    message id; unpins (which the gateway's table lacks) the same way.

    A broadcast is paced evenly at the overall rate rather than sent in the
    bursts a sliding window allows: requests reach Telegram with some jitter,
    and a burst that arrives a little late overlaps the next one in
    Telegram's window and is answered 429. Even spacing leaves room for it."""

    _MAX_TEXT = 4096

    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway
        limits = gateway.limiter.limits
        self._interval = limits.overall_period / limits.overall
        self._next_slot = 0.0

    async def _pace(self) -> None:
        now = time.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)

    async def post(self, action: Sendable) -> int | None:
        gw = self.gateway
        await self._pace()
        if isinstance(action, SendDirect) or (
            isinstance(action, SendMessage) and (len(action.text) > self._MAX_TEXT or action.pin)
        ):
            await gw.execute([action])
            return None
        cid = int(action.chat.chat_id)
        if isinstance(action, SendPoll):
            call = partial(
                gw.bot.send_poll,
                cid,
                action.question,
                list(action.options),
                is_anonymous=action.anonymous,
                allows_multiple_answers=action.multiple,
            )
        else:
            call = partial(gw.bot.send_message, cid, action.text)
        message = await gw.call(call, chat_id=cid, message=True)
        return int(message.message_id)

    async def run(self, actions: Sequence[Action]) -> None:
        await self.gateway.execute(actions)
