"""SqlStore against the Store contract, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, StatementError

from bot.core.records import (
    CaseRecord,
    DailyStatsRecord,
    GroupRecord,
    LedgerEntry,
    MemberRecord,
    MembershipRecord,
    WarningRecord,
    WriteBatch,
    WriteResult,
)
from storage.sql_store import MESSAGE_REASON, SqlStore

COMMUNITY = "green-energy"
SHANGHAI = timezone(timedelta(hours=8))
# 09:30 in Shanghai; the microseconds check that nothing is truncated.
T0 = datetime(2026, 3, 14, 9, 30, 15, 123456, tzinfo=SHANGHAI)
DAY_START = datetime(2026, 3, 14, tzinfo=SHANGHAI)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    """A migrated store with the community COMMUNITY in it."""
    sql_store = await SqlStore.open(database_url)
    await sql_store.ensure_community(COMMUNITY, "Green Energy Founders", "Asia/Shanghai")
    try:
        yield sql_store
    finally:
        await sql_store.close()


def member(key: str = "telegram:1001", **changes: Any) -> MemberRecord:
    fields: dict[str, Any] = {
        "community": COMMUNITY,
        "key": key,
        "platform": "telegram",
        "user_id": key.split(":")[1],
        "name": "Li Wei",
        "username": "liwei",
        "role": "moderator",
        "language": "zh-CN",
        "joined_at": T0 - timedelta(days=30),
        "last_seen": T0,
        "message_count": 42,
        "streak": 7,
        "last_checkin": date(2026, 3, 14),
        "last_points_at": T0 - timedelta(minutes=5),
    }
    fields.update(changes)
    return MemberRecord(**fields)


def entry(
    key: str, delta: int = 1, reason: str = MESSAGE_REASON, at: datetime = T0, **changes: Any
) -> LedgerEntry:
    fields: dict[str, Any] = {
        "community": COMMUNITY,
        "member_key": "telegram:1001",
        "delta": delta,
        "reason": reason,
        "key": key,
        "at": at,
        "group_key": "telegram:-1001",
    }
    fields.update(changes)
    return LedgerEntry(**fields)


def case(case_id: int, **changes: Any) -> CaseRecord:
    fields: dict[str, Any] = {
        "community": COMMUNITY,
        "id": case_id,
        "at": T0,
        "action": "mute",
        "member_key": "telegram:1001",
        "group_key": "telegram:-1001",
        "moderator_key": "telegram:1002",
        "rule": "no-ads",
        "reason": "加微信",
        "details": "blocklist hit: 加微信",
        "duration": "10m",
        "message_text": "加微信 abc123 领取资料",
    }
    fields.update(changes)
    return CaseRecord(**fields)


def stats(day: date, group_key: str = "telegram:-1001", messages: int = 10) -> DailyStatsRecord:
    return DailyStatsRecord(COMMUNITY, group_key, day, messages, 5, 3, 1, 4, 120, 2, 1)


def assert_utc(value: datetime | None) -> None:
    assert value is not None
    assert value.tzinfo is UTC


@contextmanager
def statements(store: SqlStore) -> Iterator[list[str]]:
    """The SQL statements the store sends while the block runs."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", record)


async def test_every_record_type_round_trips(store: SqlStore) -> None:
    group = GroupRecord(
        COMMUNITY, "telegram:-1001", "telegram", "-1001", "Founders #2", 2, 500, "full", 500, T0
    )
    membership = MembershipRecord(
        COMMUNITY, "telegram:1001", "telegram:-1001", T0, T0 + timedelta(days=1), "inv-7"
    )
    warning = WarningRecord(COMMUNITY, 1, "telegram:1001", T0, T0 + timedelta(days=30), 1, "no-ads")
    batch = WriteBatch(
        members=[member()],
        groups=[group],
        memberships=[membership],
        ledger=[entry("msg:telegram:-1001:1", delta=3)],
        cases=[case(1)],
        warnings=[warning],
        stats=[stats(date(2026, 3, 14))],
    )

    assert await store.write(batch) == WriteResult()

    snapshot = await store.load(COMMUNITY, DAY_START)
    assert snapshot.members == [member()]
    assert snapshot.groups == [group]
    assert snapshot.warnings == [warning]
    assert snapshot.stats == [stats(date(2026, 3, 14))]
    assert snapshot.balances == {"telegram:1001": 3}
    assert (snapshot.last_case_id, snapshot.last_warning_id) == (1, 1)
    assert await store.memberships(COMMUNITY, "telegram:1001") == [membership]
    assert await store.ledger(COMMUNITY, "telegram:1001") == [entry("msg:telegram:-1001:1", 3)]
    assert await store.case(COMMUNITY, 1) == case(1)
    assert await store.daily_stats(COMMUNITY, date(2026, 3, 14), date(2026, 3, 14)) == [
        stats(date(2026, 3, 14))
    ]


async def test_datetimes_come_back_aware_utc(store: SqlStore) -> None:
    await store.write(WriteBatch(members=[member()], ledger=[entry("k")], cases=[case(1)]))

    (loaded,) = (await store.load(COMMUNITY, DAY_START)).members
    for value in (loaded.joined_at, loaded.last_seen, loaded.last_points_at):
        assert_utc(value)
    assert loaded.last_seen == T0
    assert loaded.last_seen is not None and loaded.last_seen.hour == 1  # 09:30 +08:00
    (stored,) = await store.ledger(COMMUNITY, "telegram:1001")
    assert_utc(stored.at)
    stored_case = await store.case(COMMUNITY, 1)
    assert stored_case is not None
    assert_utc(stored_case.at)


async def test_naive_datetimes_are_refused(store: SqlStore) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        await store.write(WriteBatch(ledger=[entry("k", at=datetime(2026, 3, 14, 9, 30))]))


async def test_a_ledger_key_is_applied_once_across_batches(store: SqlStore) -> None:
    first = await store.write(WriteBatch(ledger=[entry("checkin:1001:2026-03-14", 10, "checkin")]))
    replay = await store.write(
        WriteBatch(
            ledger=[
                entry("checkin:1001:2026-03-14", 10, "checkin"),
                entry("checkin:1001:2026-03-15", 10, "checkin"),
            ]
        )
    )

    assert first.duplicate_keys == frozenset()
    assert replay.duplicate_keys == {"checkin:1001:2026-03-14"}
    assert (await store.load(COMMUNITY, DAY_START)).balances == {"telegram:1001": 20}
    assert len(await store.ledger(COMMUNITY, "telegram:1001")) == 2


async def test_a_ledger_key_repeated_in_one_batch_is_applied_once(store: SqlStore) -> None:
    result = await store.write(
        WriteBatch(ledger=[entry("k1", 5), entry("k2", 1), entry("k1", 50, at=T0 + timedelta(1))])
    )

    assert result.duplicate_keys == {"k1"}
    assert (await store.load(COMMUNITY, DAY_START)).balances == {"telegram:1001": 6}
    stored = await store.ledger(COMMUNITY, "telegram:1001")
    assert sorted((e.key, e.delta) for e in stored) == [("k1", 5), ("k2", 1)]


async def test_the_same_key_in_another_community_is_not_a_duplicate(store: SqlStore) -> None:
    await store.ensure_community("solar", "Solar Club", "Europe/Berlin")

    result = await store.write(WriteBatch(ledger=[entry("k1"), entry("k1", community="solar")]))

    assert result.duplicate_keys == frozenset()
    assert (await store.load("solar", DAY_START)).balances == {"telegram:1001": 1}


async def test_balances_sum_the_ledger_and_today_counts_only_message_points(
    store: SqlStore,
) -> None:
    yesterday = DAY_START - timedelta(minutes=1)
    await store.write(
        WriteBatch(
            ledger=[
                entry("m1", 1, at=yesterday),
                entry("m2", 1, at=DAY_START),
                entry("m3", 1, at=T0),
                entry("c1", 10, "checkin", at=T0),
                entry("s1", -4, "redeem", at=T0),
                entry("m4", 1, at=T0, member_key="telegram:1002"),
                entry("g1", 7, "gift", at=yesterday, member_key="telegram:1003"),
            ]
        )
    )

    snapshot = await store.load(COMMUNITY, DAY_START.astimezone(UTC))

    assert snapshot.balances == {"telegram:1001": 9, "telegram:1002": 1, "telegram:1003": 7}
    assert snapshot.message_points_today == {"telegram:1001": 2, "telegram:1002": 1}


async def test_an_empty_community_loads_empty(store: SqlStore) -> None:
    snapshot = await store.load(COMMUNITY, DAY_START)

    assert (snapshot.members, snapshot.groups, snapshot.warnings, snapshot.stats) == (
        [],
        [],
        [],
        [],
    )
    assert snapshot.balances == snapshot.message_points_today == {}
    assert (snapshot.last_case_id, snapshot.last_warning_id) == (0, 0)


async def test_a_member_upsert_updates_its_fields(store: SqlStore) -> None:
    await store.write(WriteBatch(members=[member(), member("telegram:1002")]))

    changed = member(name="Wei Li", username=None, role="member", streak=8, message_count=43)
    await store.write(WriteBatch(members=[changed]))

    members = {m.key: m for m in (await store.load(COMMUNITY, DAY_START)).members}
    assert members == {"telegram:1001": changed, "telegram:1002": member("telegram:1002")}


async def test_the_last_write_of_a_row_in_a_batch_wins(store: SqlStore) -> None:
    warning = WarningRecord(COMMUNITY, 1, "telegram:1001", T0, T0 + timedelta(days=30), 1)
    lifted = WarningRecord(
        COMMUNITY, 1, "telegram:1001", T0, T0 + timedelta(days=30), 1, None, False
    )
    await store.write(
        WriteBatch(
            members=[member(streak=1), member(streak=2)],
            warnings=[warning, lifted],
            stats=[stats(date(2026, 3, 14), messages=1), stats(date(2026, 3, 14), messages=2)],
        )
    )

    snapshot = await store.load(COMMUNITY, DAY_START)
    assert [m.streak for m in snapshot.members] == [2]
    assert snapshot.warnings == []
    assert snapshot.last_warning_id == 1
    assert [s.messages for s in snapshot.stats] == [2]


async def test_cases_are_found_by_community_and_id_and_never_overwritten(store: SqlStore) -> None:
    await store.ensure_community("solar", "Solar Club", "Europe/Berlin")
    await store.write(WriteBatch(cases=[case(1), case(2, action="ban", duration=None)]))
    await store.write(WriteBatch(cases=[case(1, action="kick")]))

    assert await store.case(COMMUNITY, 1) == case(1)
    assert await store.case(COMMUNITY, 2) == case(2, action="ban", duration=None)
    assert await store.case(COMMUNITY, 3) is None
    assert await store.case("solar", 1) is None
    assert (await store.load(COMMUNITY, DAY_START)).last_case_id == 2


async def test_daily_stats_returns_the_inclusive_range_in_day_order(store: SqlStore) -> None:
    days = [date(2026, 3, d) for d in range(10, 16)]
    await store.write(
        WriteBatch(stats=[stats(d, g) for d in reversed(days) for g in ("tg:b", "tg:a")])
    )

    found = await store.daily_stats(COMMUNITY, date(2026, 3, 11), date(2026, 3, 13))

    assert [(s.day.day, s.group_key) for s in found] == [
        (11, "tg:a"), (11, "tg:b"), (12, "tg:a"), (12, "tg:b"), (13, "tg:a"), (13, "tg:b"),
    ]  # fmt: skip


async def test_load_keeps_only_the_latest_days_of_stats(store: SqlStore) -> None:
    await store.write(WriteBatch(stats=[stats(date(2026, 3, d)) for d in (11, 12, 13, 14)]))

    # Shanghai's 14 March starts on 13 March in UTC, so the window opens on the 12th.
    snapshot = await store.load(COMMUNITY, DAY_START)

    assert sorted(s.day.day for s in snapshot.stats) == [12, 13, 14]


async def test_the_ledger_lists_the_newest_first_up_to_the_limit(store: SqlStore) -> None:
    await store.write(
        WriteBatch(
            ledger=[entry(f"k{i}", i, at=T0 + timedelta(minutes=i)) for i in range(30)]
            + [entry("other", member_key="telegram:1002", at=T0 + timedelta(days=1))]
        )
    )

    latest = await store.ledger(COMMUNITY, "telegram:1001", limit=5)

    assert [e.key for e in latest] == ["k29", "k28", "k27", "k26", "k25"]
    assert len(await store.ledger(COMMUNITY, "telegram:1001")) == 20


async def test_memberships_are_listed_per_member(store: SqlStore) -> None:
    first = MembershipRecord(COMMUNITY, "telegram:1001", "telegram:-1001", T0, T0 + timedelta(1))
    second = MembershipRecord(COMMUNITY, "telegram:1001", "telegram:-1002", T0 + timedelta(1))
    other = MembershipRecord(COMMUNITY, "telegram:1002", "telegram:-1001", T0)
    await store.write(WriteBatch(memberships=[second, other, first]))

    assert await store.memberships(COMMUNITY, "telegram:1001") == [first, second]


async def test_an_empty_batch_sends_nothing(store: SqlStore) -> None:
    with statements(store) as sent:
        result = await store.write(WriteBatch())

    assert result == WriteResult()
    assert sent == []


async def test_each_table_gets_one_statement_per_batch(store: SqlStore) -> None:
    batch = WriteBatch(
        members=[member(f"telegram:{i}") for i in range(200)],
        ledger=[entry(f"k{i}") for i in range(200)],
        stats=[stats(date(2026, 3, 14), f"telegram:-{i}") for i in range(200)],
    )

    with statements(store) as sent:
        await store.write(batch)

    inserts = [s.split()[2] for s in sent if s.startswith("INSERT")]
    assert inserts == ["members", "points_ledger", "daily_stats"]


async def test_a_batch_is_one_transaction(store: SqlStore) -> None:
    # Stats are written last: their failure must undo the members and the ledger.
    stray = DailyStatsRecord("no-such-community", "telegram:-1001", date(2026, 3, 14))

    with pytest.raises(IntegrityError):
        await store.write(WriteBatch(members=[member()], ledger=[entry("k1")], stats=[stray]))

    snapshot = await store.load(COMMUNITY, DAY_START)
    assert snapshot.members == []
    assert snapshot.balances == {}


async def test_ten_thousand_ledger_entries_in_one_batch(store: SqlStore) -> None:
    entries = [
        entry(f"msg:{i}", 1 + i % 3, member_key=f"telegram:{i % 100}") for i in range(10_000)
    ]

    result = await store.write(WriteBatch(ledger=entries))
    replay = await store.write(WriteBatch(ledger=entries[:10]))

    assert result.duplicate_keys == frozenset()
    assert replay.duplicate_keys == {e.key for e in entries[:10]}
    balances = (await store.load(COMMUNITY, DAY_START)).balances
    assert len(balances) == 100
    assert sum(balances.values()) == sum(e.delta for e in entries)


async def test_ensure_community_updates_name_and_time_zone(store: SqlStore) -> None:
    await store.ensure_community(COMMUNITY, "Green Energy", "Europe/Berlin")

    async with store.engine.connect() as connection:
        result = await connection.execute(
            text("SELECT name, timezone FROM communities WHERE slug = :slug"), {"slug": COMMUNITY}
        )
        assert result.all() == [("Green Energy", "Europe/Berlin")]


async def test_an_in_memory_store_is_migrated_in_place_and_shared() -> None:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    try:
        await store.ensure_community(COMMUNITY, "Green Energy Founders", "Asia/Shanghai")

        # Concurrent writers and readers share the one connection without
        # stepping into each other's transactions.
        await asyncio.gather(
            *(store.write(WriteBatch(ledger=[entry(f"k{i}")])) for i in range(20)),
            *(store.ledger(COMMUNITY, "telegram:1001") for _ in range(20)),
        )

        assert (await store.load(COMMUNITY, DAY_START)).balances == {"telegram:1001": 20}
    finally:
        await store.close()
