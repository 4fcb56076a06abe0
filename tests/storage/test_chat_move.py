"""A group's past follows its chat to a new id (`storage.chat_move`), on
SQLite and on a real PostgreSQL: every table that files rows under a chat
key, rows under both keys merged, in one transaction, and a replay or a
second move changing nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select

from bot.core.records import (
    CaseRecord,
    ChatMoveRecord,
    DailyStatsRecord,
    GroupRecord,
    LedgerEntry,
    MemberRecord,
    MembershipRecord,
    WriteBatch,
)
from storage import batch_writes, chat_move
from storage.chat_move import LISTS, MOVED, STAYS
from storage.models import Base
from storage.sql_store import SqlStore

C, OTHER = "green", "other"
OLD, NEW = "telegram:-5001", "telegram:-1005001"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2)
# Every column name the schema uses for a chat key.
CHAT_COLUMNS = {"group_key", "chat_key", "request_key", "joined_key", "groups"}


def test_every_chat_key_column_is_moved_or_stays_for_a_reason() -> None:
    found = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.name in CHAT_COLUMNS
    }
    planned = {(m.table, m.column) for m in MOVED} | set(STAYS) | set(LISTS)
    assert found == planned


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    sql_store = await SqlStore.open(database_url)
    for slug in (C, OTHER):
        await sql_store.ensure_community(slug, slug, "UTC")
    try:
        yield sql_store
    finally:
        await sql_store.close()


def member(key: str, community: str = C) -> MemberRecord:
    return MemberRecord(community, key, "telegram", key.partition(":")[2], name=key)


def stats(
    group: str, day: date, messages: int, active: int, community: str = C
) -> DailyStatsRecord:
    return DailyStatsRecord(
        community, group, day, messages=messages, active_members=active, joins=1, checkins=2
    )


async def seed(store: SqlStore) -> None:
    """The old chat's history, a little of the new chat's (it was read
    before the move), and another community's rows under the same chat."""
    await store.write(
        WriteBatch(
            members=[member("telegram:1"), member("telegram:2"), member("telegram:1", OTHER)],
            groups=[GroupRecord(C, OLD, "telegram", "-5001", "Basic", created_at=T0)],
            memberships=[
                MembershipRecord(C, "telegram:1", OLD, T0 - timedelta(days=9), None, "inv-1"),
                MembershipRecord(C, "telegram:1", NEW, T0, None, None),
                MembershipRecord(C, "telegram:2", OLD, T0, T0 + timedelta(hours=1)),
            ],
            ledger=[
                LedgerEntry(C, "telegram:1", 10, "checkin", "checkin:1:d1", T0, OLD),
                LedgerEntry(C, "telegram:2", 1, "message", f"msg:{OLD}:7", T0, OLD),
                LedgerEntry(OTHER, "telegram:1", 5, "checkin", "checkin:1:d1", T0, OLD),
            ],
            cases=[
                CaseRecord(C, 1, T0, "warn", "telegram:2", OLD, reason="spam"),
                CaseRecord(OTHER, 1, T0, "warn", "telegram:1", OLD),
            ],
            stats=[
                stats(OLD, DAY1, 40, 3),
                stats(OLD, DAY2, 10, 2),
                stats(NEW, DAY2, 5, 1),
                stats(OLD, DAY2, 99, 9, OTHER),
            ],
        )
    )
    tables = Base.metadata.tables
    async with store.engine.begin() as conn:
        activity = [("telegram:1", OLD), ("telegram:2", OLD), ("telegram:1", NEW)]
        await conn.execute(
            insert(tables["member_activity"]),
            [{"community": C, "group_key": g, "member_key": m, "day": DAY2} for m, g in activity],
        )
        await conn.execute(
            insert(tables["scheduled_posts"]),
            [
                {"community": C, "id": "p1", "source": "chat", "fired": 1, "paused": False,
                 "groups": f"{OLD},telegram:-77"},
                {"community": C, "id": "p2", "source": "chat", "fired": 0, "paused": False,
                 "groups": f"{OLD}0"},
            ],
        )  # fmt: skip
        await conn.execute(
            insert(tables["post_runs"]),
            [
                {"community": C, "post_id": "p1", "group_key": OLD, "fire_time": T0,
                 "status": "sent", "message_id": 3, "at": T0},
                {"community": C, "post_id": "p1", "group_key": OLD, "status": "sent",
                 "fire_time": T0 - timedelta(days=1), "message_id": 2, "at": T0},
                {"community": C, "post_id": "p1", "group_key": NEW, "fire_time": T0,
                 "status": "missed", "message_id": None, "at": T0},
            ],
        )  # fmt: skip
        await conn.execute(
            insert(tables["flags"]),
            [{"community": C, "id": 1, "group_key": OLD, "message_id": 7, "member_key": "x",
              "text": "t", "at": T0, "source": "report", "status": "open", "reasons": ""}],
        )  # fmt: skip
        await conn.execute(
            insert(tables["lockdowns"]),
            [{"community": C, "id": 1, "group_key": OLD, "started_at": T0, "slow_mode": 30,
              "muted": ""}],
        )  # fmt: skip


async def rows(store: SqlStore, table: str, *columns: str, community: str = C) -> list[Any]:
    t = Base.metadata.tables[table]
    async with store.engine.connect() as conn:
        result = await conn.execute(
            select(*(t.c[c] for c in columns))
            .where(t.c.community == community)
            .order_by(*(t.c[c] for c in columns))
        )
        return [tuple(r) for r in result]


async def everything(store: SqlStore) -> dict[str, list[Any]]:
    return {
        "stats": await rows(store, "daily_stats", "group_key", "day", "messages",
                            "active_members", "joins", "checkins"),
        "activity": await rows(store, "member_activity", "group_key", "member_key", "day"),
        "memberships": await rows(store, "memberships", "group_key", "member_key", "joined_at",
                                  "left_at", "invite"),
        "ledger": await rows(store, "points_ledger", "group_key", "key", "delta"),
        "cases": await rows(store, "mod_cases", "group_key", "id"),
        "runs": await rows(store, "post_runs", "group_key", "fire_time", "status"),
        "posts": await rows(store, "scheduled_posts", "id", "groups"),
        "flags": await rows(store, "flags", "group_key", "message_id"),
        "lockdowns": await rows(store, "lockdowns", "group_key", "id"),
        "groups": await rows(store, "groups", "chat_key", "state"),
        "other": await rows(store, "daily_stats", "group_key", "messages", community=OTHER)
        + await rows(store, "points_ledger", "group_key", "key", community=OTHER)
        + await rows(store, "mod_cases", "group_key", "id", community=OTHER),
    }  # fmt: skip


MOVE = ChatMoveRecord(C, OLD, NEW, T0)


async def test_a_moved_chat_takes_its_past_along_merged_where_both_have_rows(
    store: SqlStore,
) -> None:
    await seed(store)
    before = await everything(store)
    await store.write(WriteBatch(moves=[MOVE]))
    after = await everything(store)
    assert after["stats"] == [
        (NEW, DAY1, 40, 3, 1, 2),
        # Summed; members 1 and 2 were active, 1 in both chats: 2, not 3.
        (NEW, DAY2, 15, 2, 2, 4),
    ]
    assert after["activity"] == [(NEW, "telegram:1", DAY2), (NEW, "telegram:2", DAY2)]
    assert [r[:2] for r in after["memberships"]] == [(NEW, "telegram:1"), (NEW, "telegram:2")]
    # Member 1 in both: joined when they first came, by their invite.
    first = after["memberships"][0]
    assert first[2] == T0 - timedelta(days=9) and first[3:] == (None, "inv-1")
    assert after["memberships"][1][3] == T0 + timedelta(hours=1)
    assert {r[0] for r in after["ledger"]} == {NEW}
    assert f"msg:{OLD}:7" in {r[1] for r in after["ledger"]}
    assert after["cases"] == [(NEW, 1)]
    assert after["lockdowns"] == [(NEW, 1)]
    # The new chat's run of the same fire time stays; the older run comes along.
    assert after["runs"] == [(NEW, T0 - timedelta(days=1), "sent"), (NEW, T0, "missed")]
    assert after["posts"] == [("p1", f"{NEW},telegram:-77"), ("p2", f"{OLD}0")]
    # What stays: a flag names a message of the old chat; the old record.
    assert after["flags"] == before["flags"] == [(OLD, 7)]
    assert after["groups"] == before["groups"]
    assert after["other"] == before["other"]
    # Nothing anywhere is filed under the old key any more.
    for name, moved in after.items():
        if name not in {"flags", "groups", "other", "posts"}:
            assert OLD not in {r[0] for r in moved}, name

    # The same move again (a replayed update, a second report) changes nothing.
    await store.write(WriteBatch(moves=[MOVE]))
    assert await everything(store) == after


async def test_a_move_cut_short_leaves_every_row_where_it_was(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(store)
    before = await everything(store)
    real = chat_move.move_chat

    async def crash(*args: Any) -> None:
        await real(*args)
        raise OSError("the process died here")

    monkeypatch.setattr(batch_writes, "move_chat", crash)
    with pytest.raises(OSError):
        await store.write(WriteBatch(moves=[MOVE], stats=[stats(NEW, DAY2, 6, 2)]))
    assert await everything(store) == before
    monkeypatch.setattr(batch_writes, "move_chat", real)
    # The replay (the update handled again) moves everything exactly once;
    # the batch's stats, which the running bot merged in memory, win.
    await store.write(WriteBatch(moves=[MOVE], stats=[stats(NEW, DAY2, 16, 2)]))
    moved = await everything(store)
    assert moved["stats"] == [(NEW, DAY1, 40, 3, 1, 2), (NEW, DAY2, 16, 2, 1, 2)]
    assert {r[0] for r in moved["ledger"]} == {NEW}
    assert len(moved["ledger"]) == len(before["ledger"])


async def test_a_row_written_under_the_old_key_after_the_move_is_swept_at_start(
    store: SqlStore,
) -> None:
    await seed(store)
    await store.write(WriteBatch(moves=[MOVE]))
    # A record the running bot still held is written back under the old key.
    late = LedgerEntry(C, "telegram:1", 3, "event", "late:1", T0 + timedelta(hours=2), OLD)
    await store.write(WriteBatch(ledger=[late], stats=[stats(OLD, DAY2, 1, 1)]))
    snapshot = await store.load(C, datetime(2026, 3, 2, tzinfo=UTC))
    after = await everything(store)
    assert {r[0] for r in after["ledger"]} == {NEW}
    assert after["stats"][-1][:3] == (NEW, DAY2, 16)
    assert {(s.group_key, s.day): s.messages for s in snapshot.stats}[(NEW, DAY2)] == 16
    # With nothing left to move, a start only reads (a read-only role could load).
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(store.engine.sync_engine, "before_cursor_execute", seen)
    try:
        await store.load(C, datetime(2026, 3, 2, tzinfo=UTC))
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", seen)
    assert "SELECT" in statements
    assert not {"UPDATE", "INSERT", "DELETE"} & set(statements), statements
