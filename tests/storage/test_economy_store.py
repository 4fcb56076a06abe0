"""SqlEconomyStore on SQLite and PostgreSQL: every record round-trips, rows
upsert by their keys, ledger keys are applied once, and the snapshot's
period sums count what they should."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.records import LedgerEntry
from bot.features.economy.records import (
    GatheringRecord,
    InviteRecord,
    RedemptionRecord,
    ReferralRecord,
    RsvpRecord,
)
from storage.economy_store import SqlEconomyStore
from storage.sql_store import SqlStore

COMMUNITY = "green-energy"
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
async def economy(database_url: str) -> AsyncIterator[SqlEconomyStore]:
    store = await SqlStore.open(database_url)
    await store.ensure_community(COMMUNITY, "Green Energy Founders", "Asia/Shanghai")
    yield SqlEconomyStore(store.engine)
    await store.close()


def entry(
    key: str, delta: int, at: datetime, member: str = "console:ann", reason: str = "x"
) -> LedgerEntry:
    return LedgerEntry(COMMUNITY, member, delta, reason, key, at)


async def test_every_economy_record_round_trips_and_upserts(economy: SqlEconomyStore) -> None:
    redemption = RedemptionRecord(COMMUNITY, 1, "ebook", "console:ann", 200, T0)
    gathering = GatheringRecord(
        COMMUNITY, 1, "AMA", T0 + timedelta(days=1), 30, "ABCDEF", "console:mia", 20, "console:g1"
    )
    rsvp = RsvpRecord(COMMUNITY, 1, "console:ann", T0)
    invite = InviteRecord(COMMUNITY, "+abc", "console:ann", "https://t.me/+abc", T0)
    referral = ReferralRecord(COMMUNITY, "console:ben", "console:ann", T0, "console:g1", 0)
    assert await economy.save([redemption, gathering, rsvp, invite, referral]) == frozenset()
    redemption.status, redemption.resolved_at, redemption.resolved_by = (
        "fulfilled",
        T0,
        "console:mia",
    )
    gathering.reminded = True
    referral.status = "qualified"
    await economy.save([redemption, gathering, referral])
    snap = await economy.load_economy(COMMUNITY, T0, T0, T0)
    assert snap.redemptions == [redemption]
    assert snap.gatherings == [gathering]
    assert snap.rsvps == [rsvp]
    assert snap.invites == [invite]
    assert snap.referrals == [referral]
    assert snap.gatherings[0].starts_at.tzinfo is not None


async def test_ledger_keys_are_applied_once(economy: SqlEconomyStore) -> None:
    assert await economy.save([], [entry("redeem:1", -200, T0)]) == frozenset()
    stored = await economy.save([], [entry("redeem:1", -200, T0), entry("refund:1", 200, T0)])
    assert stored == frozenset({"redeem:1"})
    assert await economy.balances(COMMUNITY) == {"console:ann": 0}


async def test_a_failed_save_writes_neither_the_row_nor_its_entries(
    economy: SqlEconomyStore,
) -> None:
    good = RedemptionRecord(COMMUNITY, 1, "ebook", "console:ann", 200, T0)
    bad = RedemptionRecord(COMMUNITY, 2, "ebook", "console:ann", 200, datetime(2026, 1, 5))
    with pytest.raises(Exception):  # noqa: B017 (the driver's error type varies)
        await economy.save([good, bad], [entry("redeem:1", -200, T0)])
    snap = await economy.load_economy(COMMUNITY, T0, T0, T0)
    assert snap.redemptions == []
    assert await economy.balances(COMMUNITY) == {}


async def test_snapshot_sums_the_week_the_month_and_todays_reactions(
    economy: SqlEconomyStore,
) -> None:
    month, week, day = T0 - timedelta(days=20), T0 - timedelta(days=3), T0
    await economy.save(
        [],
        [
            entry("a", 5, month + timedelta(hours=1)),
            entry("b", 7, week + timedelta(hours=1)),
            entry("c", 1, day + timedelta(minutes=1), reason="reaction"),
            entry("d", 1, day - timedelta(minutes=1), reason="reaction"),
            entry("e", 100, month - timedelta(days=1)),
        ],
    )
    snap = await economy.load_economy(COMMUNITY, week, month, day)
    assert snap.month == {"console:ann": 5 + 7 + 1 + 1}
    assert snap.week == {"console:ann": 7 + 1 + 1}
    assert snap.reactions_today == {"console:ann": 1}
