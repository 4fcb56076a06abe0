"""The points economy beyond the ledger: the shop, events and referrals,
wired together over one economy store, and an in-memory store for engines
started without a database behind them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.records import LedgerEntry
from bot.features.economy.gatherings import Gatherings
from bot.features.economy.records import (
    EconomySnapshot,
    GatheringRecord,
    InviteRecord,
    RedemptionRecord,
    RsvpRecord,
)
from bot.features.economy.referrals import Referrals
from bot.features.economy.shop import Shop
from bot.features.economy.store import EconomyRow, EconomyStore
from bot.features.economy.writer import EconomyWriter
from bot.features.points.points import Points


class Economy:
    def __init__(
        self, community: str, points: Points, store: EconomyStore, snapshot: EconomySnapshot
    ) -> None:
        self.store = store
        self.points = points
        commit = EconomyWriter(points, store)
        self.shop = Shop(community, points, commit, snapshot.redemptions)
        self.gatherings = Gatherings(community, points, commit, snapshot.gatherings, snapshot.rsvps)
        self.referrals = Referrals(community, points, commit, snapshot.invites, snapshot.referrals)


def period_starts(tz: ZoneInfo, at: datetime) -> tuple[datetime, datetime, datetime]:
    """UTC starts of the local day, week (Monday) and month containing `at`."""
    local = at.astimezone(tz)
    day = datetime(local.year, local.month, local.day, tzinfo=tz)
    monday = day.date() - timedelta(days=day.weekday())
    week = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    month = datetime(local.year, local.month, 1, tzinfo=tz)
    return day.astimezone(UTC), week.astimezone(UTC), month.astimezone(UTC)


async def load_economy(
    store: EconomyStore, community: str, tz: ZoneInfo, now: datetime
) -> EconomySnapshot:
    day, week, month = period_starts(tz, now)
    return await store.load_economy(community, week, month, day)


class MemoryEconomyStore:
    """The economy store of an engine without a database (unit tests): keeps
    rows in dicts and refuses ledger keys it has seen."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, object], EconomyRow] = {}
        self.ledger: dict[str, LedgerEntry] = {}

    async def load_economy(
        self, community: str, week_start: datetime, month_start: datetime, day_start: datetime
    ) -> EconomySnapshot:
        snap = EconomySnapshot()
        for row in self.rows.values():
            row = replace(row)
            if isinstance(row, RedemptionRecord):
                snap.redemptions.append(row)
            elif isinstance(row, GatheringRecord):
                snap.gatherings.append(row)
            elif isinstance(row, RsvpRecord):
                snap.rsvps.append(row)
            elif isinstance(row, InviteRecord):
                snap.invites.append(row)
            else:
                snap.referrals.append(row)
        return snap

    async def save(
        self, rows: Sequence[EconomyRow], ledger: Sequence[LedgerEntry] = ()
    ) -> frozenset[str]:
        for row in rows:
            self.rows[(type(row).__name__, _identity(row))] = replace(row)
        stored = frozenset(e.key for e in ledger if e.key in self.ledger)
        for e in ledger:
            self.ledger.setdefault(e.key, e)
        return stored

    async def balances(self, community: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.ledger.values():
            out[e.member_key] = out.get(e.member_key, 0) + e.delta
        return out


def _identity(row: EconomyRow) -> object:
    if isinstance(row, RedemptionRecord | GatheringRecord):
        return row.id
    if isinstance(row, RsvpRecord):
        return (row.event_id, row.member_key)
    if isinstance(row, InviteRecord):
        return row.token
    return row.invitee_key
