"""The batch writes in driver SQL store exactly what SQLAlchemy Core and the
models' types store, and read back through the ordinary read paths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Date, Table, Text, cast, func, select
from sqlalchemy.engine import Dialect

from bot.core.records import (
    CaseRecord,
    CursorRecord,
    DailyStatsRecord,
    GroupRecord,
    LedgerEntry,
    MemberRecord,
    MembershipRecord,
    WarningRecord,
    WriteBatch,
)
from storage import batch_writes, driver_sql
from storage.database import create_engine
from storage.models.base import Base, UtcDateTime
from storage.sql_store import SqlStore

FAST, CORE = "fast", "core"
SHANGHAI = timezone(timedelta(hours=8))
NEW_YORK = ZoneInfo("America/New_York")
# A value per case the representation must get right: another zone, whole
# seconds (no microseconds to print), a zone with daylight saving, a far year.
T0 = datetime(2026, 3, 14, 9, 30, 15, 123456, tzinfo=SHANGHAI)
WHOLE = datetime(2026, 3, 14, 0, 0, tzinfo=UTC)
DST = datetime(2026, 7, 1, 9, 30, 0, 1, tzinfo=NEW_YORK)
EARLY = datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
# 01:30 happens twice in New York that night; `fold` tells which.
FIRST_0130 = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
SECOND_0130 = FIRST_0130.replace(fold=1)

# The drivers' dialects, as the store gets them from its engine (which connects
# only when used).
SQLITE = create_engine("sqlite://").dialect
DIALECTS = [SQLITE, create_engine("postgresql://groupkeeper@localhost/groupkeeper").dialect]


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    sql_store = await SqlStore.open(database_url)
    for slug in (FAST, CORE):
        await sql_store.ensure_community(slug, slug, "Asia/Shanghai")
    try:
        yield sql_store
    finally:
        await sql_store.close()


def every_record_type(community: str) -> WriteBatch:
    """One batch with every record type, optional fields both set and not."""
    return WriteBatch(
        groups=[
            GroupRecord(community, "tg:-1", "telegram", "-1", "Founders", 2, 500, "full", 9, T0),
            GroupRecord(community, "tg:-2", "telegram", "-2"),
        ],
        members=[
            MemberRecord(
                community,
                "tg:1",
                "telegram",
                "1",
                name="Li Wei",
                username="liwei",
                role="moderator",
                language="zh-CN",
                joined_at=WHOLE,
                last_seen=T0,
                message_count=42,
                streak=7,
                last_checkin=date(2026, 3, 14),
                last_points_at=DST,
            ),
            MemberRecord(community, "tg:2", "telegram", "2", last_seen=EARLY),
        ],
        memberships=[
            MembershipRecord(community, "tg:1", "tg:-1", T0, DST, "inv-7"),
            MembershipRecord(community, "tg:2", "tg:-1", WHOLE),
        ],
        ledger=[
            LedgerEntry(community, "tg:1", 3, "message", "msg:1", T0, "tg:-1"),
            LedgerEntry(community, "tg:1", -5, "redeem", "redeem:1", DST),
        ],
        cases=[
            CaseRecord(community, 1, T0, "mute", "tg:1", "tg:-1", "tg:9", "no-ads", "加微信"),
            CaseRecord(community, 2, WHOLE, "ban", "tg:2"),
        ],
        warnings=[
            WarningRecord(community, 1, "tg:1", T0, T0 + timedelta(days=30), 1, "no-ads"),
            WarningRecord(community, 2, "tg:2", WHOLE, DST, 2, None, False),
        ],
        stats=[
            DailyStatsRecord(community, "tg:-1", date(2026, 3, 14), 10, 5, 3, 1, 4, 120, 2, 1),
            DailyStatsRecord(community, "tg:-1", date(999, 1, 1)),
        ],
        cursors=[
            CursorRecord(community, "telegram", 2**53 + 1),
            CursorRecord(community, "discord", 0),
        ],
    )


_TABLES = {
    "groups": "groups",
    "members": "members",
    "memberships": "memberships",
    "ledger": "points_ledger",
    "cases": "mod_cases",
    "warnings": "warnings",
    "stats": "daily_stats",
    "cursors": "platform_cursors",
}


async def write_through_core(store: SqlStore, batch: WriteBatch) -> None:
    """The batch as Core inserts it, through the models' types."""
    async with store.engine.begin() as connection:
        for field, table_name in _TABLES.items():
            records: list[Any] = getattr(batch, field)
            table = Base.metadata.tables[table_name]
            await connection.execute(table.insert(), [asdict(record) for record in records])


async def stored(store: SqlStore, table: Table, community: str) -> list[tuple[Any, ...]]:
    """The table's rows of the community as the database holds them: every
    column as text and, on SQLite, with its storage class."""
    columns = [c for c in table.c if c.name != "community" and c.autoincrement is not True]
    raw: list[Any] = [cast(c, Text) for c in columns]
    if store.engine.dialect.name == "sqlite":
        raw += [func.typeof(c) for c in columns]
    query = select(*raw).where(table.c.community == community).order_by(*columns)
    async with store.engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(query)]


async def test_the_fast_path_stores_what_core_stores(store: SqlStore) -> None:
    await store.write(every_record_type(FAST))
    await write_through_core(store, every_record_type(CORE))

    for table_name in _TABLES.values():
        table = Base.metadata.tables[table_name]
        fast, core = await stored(store, table, FAST), await stored(store, table, CORE)
        assert fast == core, table_name
        assert len(fast) == 2, table_name


async def test_what_the_fast_path_writes_reads_back_equal(store: SqlStore) -> None:
    batch = every_record_type(FAST)
    await store.write(batch)

    snapshot = await store.load(FAST, WHOLE)
    assert sorted(snapshot.members, key=lambda m: m.key) == batch.members
    assert sorted(snapshot.groups, key=lambda g: g.chat_key) == batch.groups
    assert [w for w in batch.warnings if w.active] == snapshot.warnings
    assert await store.memberships(FAST, "tg:1") == batch.memberships[:1]
    assert await store.case(FAST, 1) == batch.cases[0]
    assert sorted(await store.ledger(FAST, "tg:1"), key=lambda e: e.key) == sorted(
        batch.ledger, key=lambda e: e.key
    )
    assert await store.daily_stats(FAST, date(1, 1, 1), date(9999, 1, 1)) == sorted(
        batch.stats, key=lambda s: s.day
    )
    for value in (snapshot.members[0].joined_at, snapshot.members[0].last_points_at):
        assert value is not None and value.tzinfo is UTC


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_converters_give_what_the_models_types_bind(dialect: Dialect) -> None:
    converters = driver_sql.converters_for(dialect)
    core = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert core is not None
    fast = converters[UtcDateTime] or (lambda value: value)
    for value in (T0, WHOLE, DST, EARLY, T0.astimezone(UTC), FIRST_0130, SECOND_0130, None):
        assert fast(value) == core(value)
        assert fast(value) == fast(value)  # remembered: the same again
    day = date(2026, 3, 14)
    core_day = Date().dialect_impl(dialect).bind_processor(dialect)
    fast_day = converters[Date] or (lambda value: value)
    assert fast_day(day) == (core_day(day) if core_day else day)


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_naive_datetimes_are_refused_even_when_an_equal_aware_one_is_known(
    dialect: Dialect,
) -> None:
    convert = driver_sql.converters_for(dialect)[UtcDateTime]
    assert convert is not None
    convert(WHOLE)

    with pytest.raises(ValueError, match="naive datetime"):
        convert(WHOLE.replace(tzinfo=None))


def test_one_instant_in_any_zone_is_one_text_on_sqlite() -> None:
    convert = driver_sql.converters_for(SQLITE)[UtcDateTime]
    assert convert is not None

    assert convert(T0) == convert(T0.astimezone(UTC)) == "2026-03-14 01:30:15.123456"
    assert convert(WHOLE) == "2026-03-14 00:00:00.000000"
    assert convert(EARLY) == "0999-12-31 23:59:59.999999"
    # Equal as values of one zone, an hour apart as instants.
    assert FIRST_0130 == SECOND_0130
    assert convert(FIRST_0130) == "2026-11-01 05:30:00.000000"
    assert convert(SECOND_0130) == "2026-11-01 06:30:00.000000"


async def test_stored_keys_are_found_across_lookup_chunks(store: SqlStore) -> None:
    def entry(i: int, community: str = FAST) -> LedgerEntry:
        return LedgerEntry(community, f"tg:{i % 7}", 1, "message", f"msg:{i}", T0)

    count = 2 * batch_writes._KEY_CHUNK + 10
    await store.write(WriteBatch(ledger=[entry(i) for i in range(count)]))

    old = [entry(i) for i in range(0, count, 3)]
    new = [entry(i) for i in range(count, count + 50)]
    # The same keys in another community are new there.
    elsewhere = [replace(e, community=CORE) for e in old[:5]]
    result = await store.write(WriteBatch(ledger=[*new, *old, *elsewhere, new[0]]))

    # new[0] is repeated in the batch: its second occurrence is not applied.
    assert result.duplicate_keys == {e.key for e in old} | {new[0].key}
    balances = (await store.load(FAST, WHOLE)).balances
    assert sum(balances.values()) == count + len(new)
    assert sum((await store.load(CORE, WHOLE)).balances.values()) == 5


async def test_a_key_repeated_in_a_batch_keeps_the_latest_row_and_the_first_case(
    store: SqlStore,
) -> None:
    first, latest = every_record_type(FAST), every_record_type(FAST)
    latest.groups = [replace(g, title="renamed") for g in latest.groups]
    latest.memberships = [replace(m, left_at=WHOLE) for m in latest.memberships]
    latest.members = [replace(m, streak=99) for m in latest.members]
    latest.cases = [replace(c, action="kick") for c in latest.cases]

    await store.write(
        WriteBatch(
            groups=first.groups + latest.groups,
            memberships=first.memberships + latest.memberships,
            members=first.members + latest.members,
            cases=first.cases + latest.cases,
        )
    )

    snapshot = await store.load(FAST, WHOLE)
    assert {g.title for g in snapshot.groups} == {"renamed"}
    assert {m.streak for m in snapshot.members} == {99}
    assert [m.left_at for m in await store.memberships(FAST, "tg:2")] == [WHOLE]
    # A case is written once: the first of its id stays.
    assert await store.case(FAST, 1) == first.cases[0]


async def test_the_cursor_is_written_with_its_batch_and_the_latest_wins(store: SqlStore) -> None:
    assert await store.cursor(FAST, "telegram") is None
    await store.write(WriteBatch(cursors=[CursorRecord(FAST, "telegram", 41)]))
    await store.write(WriteBatch(cursors=[CursorRecord(FAST, "telegram", 2**53 + 1)]))
    assert await store.cursor(FAST, "telegram") == 2**53 + 1
    assert await store.cursor(CORE, "telegram") is None
