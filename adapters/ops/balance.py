"""Sharing the communities of a folder evenly between the processes that
serve it (`groupkeeper run --config-dir`).

Every process writes a heartbeat row (`storage.fleet_store`) naming the
communities it owns, and reads its fleet's live rows (the processes started
on the same set of communities). From them:

- its share is ceil(communities / live processes);
- it may take a free community while it owns less than its share
  (`entitled`); one it is not entitled to it takes only once the community
  has stayed free for a while (`Balance.grace`), which is what happens when
  an owner died and the survivors already own their share;
- it hands one community over when it owns more than its share and at
  least two more than the live process owning fewest (`surplus`), one at a
  time, with a cool-down between two hand-overs, and it does not take that
  community back within `takeover`, unless nobody else did;
- the one it hands over is the least busy lately (`Balance.choose`).

A hand-over is a graceful stop of that one community (`adapters.ops.fleet`):
the platforms stop fetching and carry out what is queued, the batch and the
outbox are stored with the update cursor, and only then is the lock
released. Who serves is still decided by the lock alone: the balance only
chooses when to let go and when to ask, so a stale or missing heartbeat can
cost balance, never a community served twice. Without a reachable table
every process behaves as before balancing: it takes whatever is free.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from adapters.ops.recent import RecentLoad
from storage.fleet_store import Beat, SqlRoster

log = logging.getLogger(__name__)

# A hand-over only when the giver owns at least this many more than the
# process owning fewest: a difference of one would pass a community back
# and forth.
HYSTERESIS = 2


def share(communities: int, processes: int) -> int:
    return math.ceil(communities / max(1, processes))


def surplus(mine: int, others: Sequence[int], communities: int) -> bool:
    """Should a process owning `mine` hand one community over?"""
    if not others:
        return False
    fair = share(communities, len(others) + 1)
    return mine > fair and mine - min(others) >= HYSTERESIS


def fleet_key(slugs: Iterable[str]) -> str:
    return hashlib.blake2b("\n".join(sorted(slugs)).encode(), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Pace:
    """What `standby.takeover` (seconds) comes to for the balance."""

    beat: float  # seconds between two heartbeats
    ttl: float  # a row not written again for this long is a dead process
    grace: float  # free this long, a community is taken by anyone
    cooldown: float  # between two hand-overs of one process

    @classmethod
    def within(cls, takeover: float, poll: float) -> Pace:
        # A taker asks every `poll`: a released community waits at most
        # that for it, so a few polls of grace leave it the first ask.
        return cls(beat=poll, ttl=max(4 * poll, 3.0), grace=3 * poll, cooldown=max(6 * poll, 3.0))


@dataclass
class Balance:
    """This process's view of its fleet, and its decisions."""

    slugs: tuple[str, ...]
    pace: Pace
    # The slugs this process owns now (the fleet keeps it current).
    owned: Callable[[], list[str]]
    # Hands a community over (the fleet stops serving it, gracefully).
    release: Callable[[str], None]
    # Events handled here so far, by slug (the metrics' running totals).
    total: Callable[[str], int] = lambda _slug: 0
    # Being stopped already (handed over, lock lost, the process stopping).
    draining: Callable[[str], bool] = lambda _slug: False
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    live: list[Beat] | None = None  # None: the table was not read (yet)
    _last_give: float = -math.inf
    # The community being handed over: no other moves until it has gone
    # (a drain may outlast the cool-down: 429s hold a queue back).
    _moving: str | None = None
    _given: dict[str, float] = field(default_factory=dict)
    _taken: dict[str, float] = field(default_factory=dict)
    recent: RecentLoad = field(init=False)
    _started: datetime = field(default_factory=lambda: datetime.now(UTC))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.recent = RecentLoad(self.total)

    @property
    def processes(self) -> int | None:
        return None if self.live is None else len(self.live)

    def fair(self) -> int | None:
        n = self.processes
        return None if n is None else share(len(self.slugs), n)

    def entitled(self) -> bool:
        """May this process take a free community now?"""
        fair = self.fair()
        return fair is None or len(self.owned()) < fair

    def may_take(self, slug: str, free_for: float) -> bool:
        alone = self.processes == 1
        if not alone and time.monotonic() - self._given.get(slug, -math.inf) < self.hold:
            # Just handed over: the taker's, unless it stays free very long.
            return free_for >= self.hold
        return self.entitled() or free_for >= self.pace.grace

    @property
    def hold(self) -> float:
        """How long a community handed over is left to its taker."""
        return self.pace.cooldown * 3

    def changed(self) -> None:
        """Ownership changed here: tell the others now, not at the next beat."""
        self._changed.set()

    def took(self, slug: str, now: float | None = None) -> None:
        """This process serves `slug` now: its load is measured from here."""
        now = time.monotonic() if now is None else now
        self._taken[slug] = now
        self.recent.took(slug, now)

    def gave(self, slug: str) -> None:
        self._given[slug] = self._last_give = time.monotonic()
        self._moving = None
        self.changed()

    def report(self) -> dict[str, object]:
        """For /healthz."""
        now = time.monotonic()
        return {
            "id": self.id,
            "processes": self.processes,
            "share": self.fair(),
            "owned": sorted(self.owned()),
            # What the choice of a hand-over reads: events per minute lately.
            "load": {s: round(self.recent.per_minute(s, now), 1) for s in sorted(self.owned())},
        }

    def _beat(self, now: datetime) -> Beat:
        return Beat(
            self.id,
            fleet_key(self.slugs),
            socket.gethostname(),
            os.getpid(),
            tuple(sorted(self.owned())),
            self._started,
            now + timedelta(seconds=self.pace.ttl),
        )

    def _decide(self) -> str | None:
        """The community to hand over now, if any."""
        mine = self.owned()
        if self._moving not in mine:
            self._moving = None
        if self._moving is not None or self.live is None:
            return None
        if time.monotonic() - self._last_give < self.pace.cooldown:
            return None
        others = [len(b.owned) for b in self.live if b.id != self.id]
        if not surplus(len(mine), others, len(self.slugs)):
            return None
        return self.choose(mine, time.monotonic())

    def choose(self, mine: Sequence[str], now: float) -> str | None:
        """Of the communities this process owns, the one to hand over.

        A hand-over is not free for the community that moves: for a moment
        nobody serves it (its queue is drained, the lock released, the
        taker opens the App from the database and starts fetching), so
        what members send meanwhile waits, and the taker starts cold. The
        fewer events a community has had lately, the fewer members notice
        and the less there is to warm up; the busy ones stay where they
        run. So: the fewest events per minute over the last few minutes
        (`adapters.ops.recent`), among equals the last by name, so that the
        choice does not change from one beat to the next.

        Never one that is being stopped already (it is going anyway, and a
        second stop on top of a drain would count a hand-over that is not
        one), nor one this process took within the cool-down: it is still
        opening or has only just started, and handing it on at once would
        pass it along the fleet instead of settling it, on a load measured
        over too short a while to mean anything."""
        movable = [
            slug
            for slug in mine
            if not self.draining(slug)
            and now - self._taken.get(slug, -math.inf) >= self.pace.cooldown
        ]
        load = self.recent.per_minute
        return min(sorted(movable, reverse=True), key=lambda s: load(s, now), default=None)

    async def run(self, url: str, opening: asyncio.Lock, done: asyncio.Event) -> None:
        """Beat and balance until `done`; the row goes with a clean stop.

        An event rather than a cancel: `wait_for` (3.11) returns, swallowing
        the cancel, when what it waits for is set at the same moment, which
        a community handed back at the stop does."""
        roster: SqlRoster | None = None
        warned = False
        try:
            while not done.is_set():
                self._changed.clear()
                try:
                    if roster is None:
                        async with opening:
                            roster = await SqlRoster.open(url)
                    now = await roster.now()
                    await roster.beat(self._beat(now))
                    self.live = await roster.live(fleet_key(self.slugs), now)
                    warned = False
                except Exception as exc:
                    if not warned:
                        log.warning("balance: cannot reach the process table (%s)", exc)
                        warned = True
                    self.live = None
                    if roster is not None:
                        await roster.close()
                        roster = None
                self.recent.sample(self.owned(), time.monotonic())
                slug = self._decide()
                if slug is not None:
                    self._last_give, self._moving = time.monotonic(), slug
                    log.warning(
                        "community %s: handing it over to balance (this process owns %d,"
                        " %d processes share %d communities; the least busy it may hand"
                        " over, %.1f events a minute lately)",
                        slug,
                        len(self.owned()),
                        self.processes,
                        len(self.slugs),
                        self.recent.per_minute(slug, time.monotonic()),
                    )
                    self.release(slug)
                await pause(self.pace.beat, self._changed, done)
        finally:
            if roster is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(roster.leave(self.id), 2.0)
                await roster.close()


async def pause(within: float | None, *events: asyncio.Event) -> None:
    """Until one of `events` is set, `within` seconds at most; a cancel is
    never swallowed (as `wait_for` may)."""
    waits = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
