"""The start-up snapshot's fast reads give exactly the records the models'
types would: every field, None or set, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from bot.core.records import LedgerEntry, MemberRecord, WriteBatch
from storage.core_tables import MEMBERS
from storage.snapshot_read import read_balances, read_members
from storage.sql_store import SqlStore

SLUG = "green"
AT = datetime(2026, 1, 5, 1, 2, 3, 456789, tzinfo=UTC)


def members() -> list[MemberRecord]:
    east = timezone(timedelta(hours=8))
    return [
        MemberRecord(SLUG, "telegram:1", "telegram", "1"),
        MemberRecord(
            SLUG, "telegram:2", "telegram", "2", "Ann 安", "ann", "moderator", "zh",
            joined_at=AT.astimezone(east), last_seen=AT, message_count=12, streak=3,
            last_checkin=date(2026, 1, 4), last_points_at=AT.replace(microsecond=0),
        ),
        MemberRecord(SLUG, "discord:3", "discord", "3", "Bo", None, "member", "en", joined_at=AT),
    ]  # fmt: skip


async def test_members_and_balances_read_as_the_models_read_them(database_url: str) -> None:
    store = await SqlStore.open(database_url)
    try:
        await store.ensure_community(SLUG, "Green", "UTC")
        written = members()
        ledger = [
            LedgerEntry(SLUG, "telegram:2", 10, "checkin", "checkin:2:a", AT),
            LedgerEntry(SLUG, "telegram:2", -3, "shop", "shop:2:b", AT),
            LedgerEntry(SLUG, "discord:3", 5, "message", "msg:3:c", AT),
        ]
        await store.write(WriteBatch(members=written, ledger=ledger))
        async with store.engine.connect() as connection:
            fast = await read_members(connection, SLUG)
            result = await connection.execute(
                MEMBERS.select().where(MEMBERS.table.c.community == SLUG)
            )
            core = [MemberRecord(*row) for row in result]
            keys = {m.key: m.key for m in fast}
            balances = await read_balances(connection, SLUG, keys)
        assert sorted(fast, key=lambda m: m.key) == sorted(core, key=lambda m: m.key)
        assert {m.key: m for m in fast}["telegram:2"].joined_at == AT
        assert balances == {"telegram:2": 7, "discord:3": 5}
        # The balance's key is the member record's own string.
        shared = {m.key: m.key for m in fast}
        assert all(next(k for k in balances if k == key) is shared[key] for key in balances)
    finally:
        await store.close()
