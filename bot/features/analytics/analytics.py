"""Analytics in the running bot: members' activity days stored in batches on
the engine's tick (never per message), the economy's daily counters, and the
period's inputs for `/stats` with today's counters still in memory.

The message path only appends a member's first activity of the day to a list
(`bot.core.stats.Stats`); this service writes the list through its own store every
tick (a minute) and on shutdown. A crash loses at most that minute of
activity days, as it loses the soft counters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime

from bot.core.actions import Action, CreateInvite
from bot.core.ports import Store
from bot.core.records import ActivityRecord, LedgerEntry
from bot.core.stats import Stats
from bot.features.analytics.metrics import AnalyticsInputs, Chart
from bot.features.analytics.store import AnalyticsStore, ChartRenderer
from bot.features.economy.records import EconomySnapshot, GatheringRecord, RsvpRecord
from bot.features.economy.store import EconomyRow, EconomyStore
from bot.features.points.points import Points

log = logging.getLogger(__name__)

# Economy counters a group cannot claim (a redemption in a private chat).
UNGROUPED = ""


class Analytics:
    def __init__(
        self,
        community: str,
        timezone: str,
        stats: Stats,
        store: AnalyticsStore,
        points: Points,
        charts: ChartRenderer | None = None,
    ) -> None:
        self.community = community
        # The week's and month's boards, for /stats me.
        self.points = points
        self.timezone = timezone
        self.stats = stats
        self.store = store
        self.charts = charts

    async def start(self, today: date) -> None:
        """Remember who was active today already (a restart), so they are not
        counted twice."""
        yesterday = date.fromordinal(today.toordinal() - 1)
        self.stats.remember(await self.store.activity(self.community, yesterday, today))

    async def flush(self) -> None:
        rows, self.stats.activity = self.stats.activity, []
        if not rows:
            return
        try:
            await self.store.record_activity(rows)
        except BaseException:
            self.stats.activity = rows + self.stats.activity
            raise

    async def tick(self, now: datetime) -> list[Action]:
        try:
            await self.flush()
        except Exception:
            # Kept for the next tick.
            log.exception("storing activity days failed")
        return []

    def observe(self, actions: Sequence[Action], day: date) -> None:
        """Counters read off the actions an event produced."""
        for a in actions:
            if type(a) is CreateInvite and a.for_user is not None and not a.chat.private:
                self.stats.add(a.chat.key, day, "invites_issued")

    async def inputs(self, since: date, until: date) -> AnalyticsInputs:
        """The period's inputs, with the counters still in memory."""
        await self.flush()
        inputs = await self.store.inputs(self.community, self.timezone, since, until)
        live = {(r.group_key, r.day): r for r in self.stats.current() if since <= r.day <= until}
        inputs.stats = [r for r in inputs.stats if (r.group_key, r.day) not in live]
        inputs.stats += live.values()
        return inputs

    async def render(self, chart: Chart) -> bytes | None:
        if self.charts is None:
            return None
        try:
            return await self.charts.render(chart)
        except Exception:
            log.exception("drawing the chart %r failed", chart.title)
            return None


class MemoryAnalyticsStore:
    """The analytics store of an engine without a database behind it (unit
    tests): activity in a set, daily counters from the main store."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.rows: set[ActivityRecord] = set()

    async def record_activity(self, rows: Sequence[ActivityRecord]) -> None:
        self.rows.update(rows)

    async def activity(self, community: str, since: date, until: date) -> list[ActivityRecord]:
        return sorted(
            (r for r in self.rows if r.community == community and since <= r.day <= until),
            key=lambda r: (r.day, r.group_key, r.member_key),
        )

    async def inputs(self, community: str, tz: str, since: date, until: date) -> AnalyticsInputs:
        start = date.fromordinal(since.toordinal() - 29)
        return AnalyticsInputs(
            since,
            until,
            stats=await self._store.daily_stats(community, since, until),
            activity=await self.activity(community, start, until),
        )


class CountingEconomyStore:
    """The economy store, counting what passes through it into the daily
    stats: RSVPs, attendance, points spent in the shop and points the economy
    issues (events, referrals). Only entries the store applied count, so a
    replay counts nothing twice."""

    def __init__(
        self, inner: EconomyStore, stats: Stats, local_date: Callable[[datetime], date]
    ) -> None:
        self._inner = inner
        self._stats = stats
        self._local_date = local_date
        # Event id -> the group it was created in.
        self._event_groups: dict[int, str] = {}

    async def load_economy(
        self, community: str, week_start: datetime, month_start: datetime, day_start: datetime
    ) -> EconomySnapshot:
        snapshot = await self._inner.load_economy(community, week_start, month_start, day_start)
        for g in snapshot.gatherings:
            self._event_groups[g.id] = g.group_key or UNGROUPED
        return snapshot

    async def save(
        self, rows: Sequence[EconomyRow], ledger: Sequence[LedgerEntry] = ()
    ) -> frozenset[str]:
        stored = await self._inner.save(rows, ledger)
        add = self._stats.add
        for row in rows:
            if isinstance(row, GatheringRecord):
                self._event_groups[row.id] = row.group_key or UNGROUPED
            elif isinstance(row, RsvpRecord):
                group = self._event_groups.get(row.event_id, UNGROUPED)
                add(group, self._local_date(row.at), "rsvps")
        for e in ledger:
            if e.key in stored:
                continue
            day, group = self._local_date(e.at), e.group_key or UNGROUPED
            if e.reason in ("redeem", "refund"):
                # A redemption spends (a negative delta), its refund gives back.
                add(group, day, "points_spent", -e.delta)
            elif e.reason == "event":
                add(group, day, "attended")
                add(group, day, "points_issued", e.delta)
            elif e.delta > 0:
                add(group, day, "points_issued", e.delta)
        return stored

    async def balances(self, community: str) -> dict[str, int]:
        return await self._inner.balances(community)
