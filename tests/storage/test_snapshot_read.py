"""The start-up snapshot's fast reads give exactly the records the models'
types would: every field, None or set, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from bot.core.records import LedgerEntry, MemberRecord, WriteBatch
from storage.core_tables import MEMBERS
from storage.snapshot_read import read_members, read_totals
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
            LedgerEntry(SLUG, "telegram:2", -3, "shop", "shop:2:b", AT, spent=True),
            LedgerEntry(SLUG, "telegram:2", 2, "reaction", "r:2:b", AT),
            LedgerEntry(SLUG, "discord:3", 5, "message", "msg:3:c", AT),
            # Only spending: a balance, no lifetime points.
            LedgerEntry(SLUG, "telegram:1", -4, "shop", "shop:1:d", AT, spent=True),
            # A key no member row has (kept, keyed by the ledger's string).
            LedgerEntry(SLUG, "telegram:9", 6, "checkin", "checkin:9:e", AT),
        ]
        await store.write(WriteBatch(members=written, ledger=ledger))
        async with store.engine.connect() as connection:
            fast = await read_members(connection, SLUG)
            result = await connection.execute(
                MEMBERS.select().where(MEMBERS.table.c.community == SLUG)
            )
            core = [MemberRecord(*row) for row in result]
            balances, lifetime = await read_totals(connection, SLUG, fast)
        assert sorted(fast.values(), key=lambda m: m.key) == sorted(core, key=lambda m: m.key)
        assert all(key == m.key for key, m in fast.items())
        assert fast["telegram:2"].joined_at == AT
        assert balances == {"telegram:2": 9, "discord:3": 5, "telegram:1": -4, "telegram:9": 6}
        assert lifetime == {"telegram:2": 12, "discord:3": 5, "telegram:9": 6}
        # The totals' keys are the member records' own strings.
        for totals in (balances, lifetime):
            for key in fast.keys() & totals.keys():
                assert next(k for k in totals if k == key) is fast[key].key
    finally:
        await store.close()


async def test_times_written_in_other_forms_read_as_utc(tmp_path: Path) -> None:
    """SQLite keeps whatever text was written: another tool's `T`, an
    offset, no fraction. Each reads as the same UTC instant the models
    would give; the common form takes the fast loop, the others its
    fallback, in the same read."""
    store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp_path / 'forms.db'}")
    try:
        await store.ensure_community(SLUG, "Green", "UTC")
        await store.write(WriteBatch(members=members()))
        forms = {
            "telegram:1": ("2026-01-05T09:02:03+08:00", "2026-01-05 01:02:03"),
            "telegram:2": ("2026-01-05T01:02:03.456789", "2026-01-05 01:02:03.456789"),
        }
        async with store.engine.begin() as connection:
            for key, (joined, seen) in forms.items():
                await connection.exec_driver_sql(
                    "UPDATE members SET joined_at = ?, last_seen = ? WHERE key = ?",
                    (joined, seen, key),
                )
        async with store.engine.connect() as connection:
            fast = await read_members(connection, SLUG)
        plain = AT.replace(microsecond=0)
        assert (fast["telegram:1"].joined_at, fast["telegram:1"].last_seen) == (plain, plain)
        assert (fast["telegram:2"].joined_at, fast["telegram:2"].last_seen) == (AT, AT)
        assert all(
            t is None or t.tzinfo is UTC
            for m in fast.values()
            for t in (m.joined_at, m.last_seen, m.last_points_at)
        )
        # Untouched members read as written.
        assert fast["discord:3"] == members()[2]
    finally:
        await store.close()


async def test_the_snapshot_hands_the_directory_its_members_by_key(database_url: str) -> None:
    store = await SqlStore.open(database_url)
    try:
        await store.ensure_community(SLUG, "Green", "UTC")
        await store.write(WriteBatch(members=members()))
        snapshot = await store.load(SLUG, AT)
        assert snapshot.member_index is not None
        assert list(snapshot.member_index.values()) == snapshot.members
        assert sorted(snapshot.member_index) == ["discord:3", "telegram:1", "telegram:2"]
    finally:
        await store.close()
