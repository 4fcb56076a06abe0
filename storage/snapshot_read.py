"""The start-up snapshot's two big reads, members and points totals, fast and
small: a community of a million members loads in seconds and in well under a
gigabyte.

On SQLite the rows come straight from the driver (aiosqlite's cursor, in the
transaction SQLAlchemy began): no SQLAlchemy row object and no per-value type
processor per row, which together cost more than SQLite's own work. Dates
and times arrive as the text SQLite keeps and are parsed here with
`datetime.fromisoformat`, in C. Other dialects' drivers return typed values
already and keep the Core read. Either way:

- the members come back keyed by key, the dict the directory adopts, so the
  million keys are hashed and inserted once;
- the strings every member repeats (community, platform, role, language)
  are shared rather than held a million times over;
- the balance and the lifetime points come from one scan of the ledger (one
  GROUP BY with two sums), and their keys are the member records' own
  strings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, date, datetime
from sys import intern
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.records import MemberRecord
from storage.core_tables import LEDGER, MEMBERS

_PARTITION = 20_000
# MemberRecord's fields, in order, as the members table names them; the
# loops below unpack them by position.
_FIELDS = MEMBERS.names
assert _FIELDS == (
    "community", "key", "platform", "user_id", "name", "username", "role", "language",
    "joined_at", "last_seen", "message_count", "streak", "last_checkin", "last_points_at",
), _FIELDS  # fmt: skip
_LEDGER = LEDGER.table
# Lifetime points leave out spending: the same test as `spent IS false`
# in the Core query the other dialects run. A member with only spending has
# no lifetime entry (the sum of no rows is NULL), as before.
# SQLite appends the UTC offset to the times it keeps (UTC wall times
# without one), so each parses with one C call; NULL stays NULL. The
# community is the one asked for, not read a million times over.
_SUFFIX = "+00:00"
_TIMES = frozenset({"joined_at", "last_seen", "last_points_at"})
_SQLITE_MEMBERS = "SELECT {} FROM {} WHERE community = ?".format(
    ", ".join(f"{n} || '{_SUFFIX}'" if n in _TIMES else n for n in _FIELDS[1:]),
    MEMBERS.table.name,
)
_SQLITE_TOTALS = (
    "SELECT member_key, SUM(delta), SUM(CASE WHEN spent IS 0 THEN delta END) "
    f"FROM {_LEDGER.name} WHERE community = ? GROUP BY member_key"
)


def _utc(value: str | None) -> datetime | None:
    """What `UtcDateTime` reads back, from a time SQLite returned with
    `_SUFFIX` appended: the stored UTC wall time, tagged UTC. The loop
    parses the common form itself; this takes any other too (one with an
    offset of its own, or a `T`, written by another tool)."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        read = datetime.fromisoformat(value.removesuffix(_SUFFIX))
        return read.replace(tzinfo=UTC) if read.tzinfo is None else read.astimezone(UTC)


def _member(slug: str, row: Sequence[Any]) -> MemberRecord:
    """A member from SQLite's row, in whatever form its times were written."""
    (
        key, platform, user_id, name, username, role, language,
        joined, seen, count, streak, checkin, points_at,
    ) = row  # fmt: skip
    return MemberRecord(
        slug, key, intern(platform), user_id, name, username, intern(role),
        None if language is None else intern(language), _utc(joined), _utc(seen),
        count, streak, None if checkin is None else date.fromisoformat(checkin), _utc(points_at),
    )  # fmt: skip


async def _driver_rows(
    connection: AsyncConnection, sql: str, parameters: tuple[Any, ...]
) -> AsyncIterator[Sequence[tuple[Any, ...]]]:
    """The rows of a query on SQLite's driver connection, a partition at a
    time, inside the connection's transaction (begun here if it is not yet,
    so every read of the snapshot sees one state of the database)."""
    if not connection.in_transaction():
        await connection.begin()
    raw = await connection.get_raw_connection()
    cursor = await raw.driver_connection.execute(sql, parameters)  # type: ignore[union-attr]
    try:
        while rows := await cursor.fetchmany(_PARTITION):
            yield rows
    finally:
        await cursor.close()


async def read_members(connection: AsyncConnection, community: str) -> dict[str, MemberRecord]:
    """The community's members, by key."""
    members: dict[str, MemberRecord] = {}
    if connection.dialect.name != "sqlite":
        result = await connection.execute(
            MEMBERS.select().where(MEMBERS.table.c.community == community)
        )
        for (
            slug, key, platform, user_id, name, username, role, language, *rest
        ) in result:  # fmt: skip
            members[key] = MemberRecord(
                intern(slug), key, intern(platform), user_id, name, username, intern(role),
                None if language is None else intern(language), *rest,
            )  # fmt: skip
        return members
    slug = intern(community)
    # The common row inline: three times and a day parsed in C, no Python
    # call per value; a row in another form takes `_member`.
    at, day = datetime.fromisoformat, date.fromisoformat
    async for partition in _driver_rows(connection, _SQLITE_MEMBERS, (community,)):
        for row in partition:
            (
                key, platform, user_id, name, username, role, language,
                joined, seen, count, streak, checkin, points_at,
            ) = row  # fmt: skip
            try:
                members[key] = MemberRecord(
                    slug, key, intern(platform), user_id, name, username, intern(role),
                    None if language is None else intern(language),
                    None if joined is None else at(joined),
                    None if seen is None else at(seen),
                    count, streak,
                    None if checkin is None else day(checkin),
                    None if points_at is None else at(points_at),
                )  # fmt: skip
            except ValueError:
                members[key] = _member(slug, row)
    return members


async def read_totals(
    connection: AsyncConnection, community: str, members: Mapping[str, MemberRecord]
) -> tuple[dict[str, int], dict[str, int]]:
    """Each member's balance (the ledger's sum) and lifetime points (its sum
    without spending), from one scan of the ledger, keyed by the member
    record's own key string where there is one."""
    balances: dict[str, int] = {}
    lifetime: dict[str, int] = {}
    find = members.get
    if connection.dialect.name == "sqlite":
        # SQLite's sums of integers are ints already.
        async for partition in _driver_rows(connection, _SQLITE_TOTALS, (community,)):
            for key, total, earned in partition:
                member = find(key)
                if member is not None:
                    key = member.key
                balances[key] = total
                if earned is not None:
                    lifetime[key] = earned
        return balances, lifetime
    ledger = _LEDGER.c
    statement = (
        select(
            ledger.member_key,
            func.sum(ledger.delta),
            func.sum(case((ledger.spent.is_(False), ledger.delta))),
        )
        .where(ledger.community == community)
        .group_by(ledger.member_key)
    )
    streamed = await connection.stream(statement)
    async for partition in streamed.partitions(_PARTITION):
        for key, total, earned in partition:
            member = find(key)
            if member is not None:
                key = member.key
            # PostgreSQL sums integers as numeric.
            balances[key] = int(total)
            if earned is not None:
                lifetime[key] = int(earned)
    return balances, lifetime


async def read_balances(
    connection: AsyncConnection, community: str, members: Mapping[str, MemberRecord], *where: Any
) -> dict[str, int]:
    """Each member's sum of the ledger's rows that meet `where` (today's
    message points), keyed as `read_totals` keys them."""
    ledger = _LEDGER.c
    statement = (
        select(ledger.member_key, func.sum(ledger.delta))
        .where(ledger.community == community, *where)
        .group_by(ledger.member_key)
    )
    streamed = await connection.stream(statement)
    balances: dict[str, int] = {}
    find = members.get
    async for partition in streamed.partitions(_PARTITION):
        for key, total in partition:
            member = find(key)
            balances[key if member is None else member.key] = int(total)
    return balances
