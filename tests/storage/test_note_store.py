"""SqlNoteStore on SQLite and PostgreSQL: a claim is taken once, notes
round-trip as JSON, the seasons' ledger read leaves spending out; and
migration 0010_21a marks the ledger's spending that came before it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.core.records import LedgerEntry
from bot.features.notes.store import Note
from storage.economy_store import SqlEconomyStore
from storage.migrate import upgrade_async
from storage.note_store import SqlNoteStore
from storage.sql_store import SqlStore

COMMUNITY = "green-energy"
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    s = await SqlStore.open(database_url)
    await s.ensure_community(COMMUNITY, "Green", "Asia/Shanghai")
    yield s
    await s.close()


async def test_a_claim_is_taken_once_and_notes_round_trip(store: SqlStore) -> None:
    notes = SqlNoteStore(store.engine)
    board = {"board": [["telegram:1", 12]], "honours": {"telegram:1": {"title": "星"}}}
    assert await notes.claim(Note(COMMUNITY, "season", "week:2026-W02", board, T0))
    assert not await notes.claim(Note(COMMUNITY, "season", "week:2026-W02", {"x": 1}, T0))
    await notes.put(Note(COMMUNITY, "season", "week:2026-W03", {"board": []}, T0))
    await notes.put(Note(COMMUNITY, "poll", "000001", {"status": "open"}, T0))

    found = await notes.notes(COMMUNITY, "season")
    assert [(n.key, n.data) for n in found] == [
        ("week:2026-W02", board),
        ("week:2026-W03", {"board": []}),
    ]
    assert found[0].at == T0
    assert await notes.notes("other", "season") == []


async def test_the_season_read_sums_by_reason_without_spending(store: SqlStore) -> None:
    economy = SqlEconomyStore(store.engine)
    member = "telegram:1"
    entries = [
        LedgerEntry(COMMUNITY, member, 10, "checkin", "c1", T0),
        LedgerEntry(COMMUNITY, member, 3, "message", "m1", T0 + timedelta(hours=1)),
        LedgerEntry(COMMUNITY, member, 2, "message", "m2", T0 + timedelta(hours=2)),
        LedgerEntry(COMMUNITY, member, -40, "redeem", "r1", T0, spent=True),
        # The next season's.
        LedgerEntry(COMMUNITY, member, 5, "message", "m3", T0 + timedelta(days=7)),
    ]
    await economy.save([], entries)

    earned = await SqlNoteStore(store.engine).earned(COMMUNITY, T0, T0 + timedelta(days=7))

    assert earned == {(member, "checkin"): 10, (member, "message"): 5}
    snapshot = await store.load(COMMUNITY, T0)
    assert snapshot.balances == {member: -20}
    assert snapshot.lifetime == {member: 20}


async def test_the_migration_marks_earlier_spending(database_url: str) -> None:
    await upgrade_async(database_url, "0009")
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as c:
            await c.execute(
                text("INSERT INTO communities (slug, name, timezone, created_at)"
                     " VALUES (:s, 'Green', 'UTC', :t)"),
                {"s": COMMUNITY, "t": T0},
            )  # fmt: skip
            for key, delta, reason in (("a", 100, "checkin"), ("b", -40, "redeem"),
                                       ("b2", -30, "redeem"), ("c", 30, "refund"),
                                       ("d", -5, "give")):  # fmt: skip
                await c.execute(
                    text("INSERT INTO points_ledger (community, member_key, delta, reason,"
                         " key, at) VALUES (:c, 'telegram:1', :d, :r, :k, :t)"),
                    {"c": COMMUNITY, "d": delta, "r": reason, "k": key, "t": T0},
                )  # fmt: skip
    finally:
        await engine.dispose()

    await upgrade_async(database_url)

    s = await SqlStore.open(database_url)
    try:
        snapshot = await s.load(COMMUNITY, T0)
    finally:
        await s.close()
    assert snapshot.balances == {"telegram:1": 55}
    # Redemptions and refunds never count towards levels; a moderator's take does.
    assert snapshot.lifetime == {"telegram:1": 95}
