"""SqlSpamStore's risk follow-up on SQLite and PostgreSQL: alerts upsert with
their acknowledgement and reminders, only recent unacknowledged ones come
back as open, a day's summary is claimed once, and lockdowns round-trip
until lifted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.features.risk.records import LockdownRecord, RiskAlertRecord
from storage.spam_store import SqlSpamStore
from storage.sql_store import SqlStore

COMMUNITY = "green-energy"
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
async def spam(database_url: str) -> AsyncIterator[SqlSpamStore]:
    store = await SqlStore.open(database_url)
    await store.ensure_community(COMMUNITY, "Green Energy Founders", "Asia/Shanghai")
    yield SqlSpamStore(store.engine)
    await store.close()


def alert(n: int, at: datetime) -> RiskAlertRecord:
    return RiskAlertRecord(COMMUNITY, n, at, "keyword", "medium", "console:g1", f"s{n}", "#1")


async def test_alerts_upsert_and_only_recent_unacknowledged_ones_are_open(
    spam: SqlSpamStore,
) -> None:
    old, acked, reminded = (
        alert(1, T0),
        alert(2, T0 + timedelta(days=3)),
        alert(3, T0 + timedelta(days=3)),
    )
    for a in (old, acked, reminded):
        await spam.save_alert(a)
    acked.acked_at, acked.acked_by = T0 + timedelta(days=3, hours=1), "console:mia"
    reminded.reminders, reminded.reminded_at = 1, T0 + timedelta(days=3, minutes=30)
    await spam.save_alert(acked)
    await spam.save_alert(reminded)
    snap = await spam.load_spam(COMMUNITY)
    # #1 is two days older than the newest alert: no longer reminded of.
    assert snap.open_alerts == [reminded] and snap.last_alert_id == 3
    since = await spam.alerts_since(COMMUNITY, T0 + timedelta(days=1))
    assert since == [acked, reminded]


async def test_a_days_summary_is_claimed_once(spam: SqlSpamStore) -> None:
    day = T0.date()
    assert await spam.claim_summary(COMMUNITY, day, T0)
    assert not await spam.claim_summary(COMMUNITY, day, T0 + timedelta(minutes=1))
    assert await spam.claim_summary(COMMUNITY, day + timedelta(days=1), T0 + timedelta(days=1))


async def test_lockdowns_round_trip_until_lifted(spam: SqlSpamStore) -> None:
    first = LockdownRecord(COMMUNITY, 1, "console:g1", T0, None, 4, 30, "console:r1\nconsole:r2")
    second = LockdownRecord(
        COMMUNITY, 2, "console:g2", T0, "console:mia", None, 60, lift_at=T0 + timedelta(hours=1)
    )
    await spam.save_lockdown(first)
    await spam.save_lockdown(second)
    snap = await spam.load_spam(COMMUNITY)
    assert snap.lockdowns == [first, second] and snap.last_lockdown_id == 2
    lifted = replace(first, lifted_at=T0 + timedelta(minutes=5), lifted_by="console:mia")
    await spam.save_lockdown(lifted)
    snap = await spam.load_spam(COMMUNITY)
    assert snap.lockdowns == [second] and snap.last_lockdown_id == 2
