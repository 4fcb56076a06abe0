"""The start-up snapshot's two big reads, members and balances, fast and
small: a community of a million members loads in seconds and in well under a
gigabyte.

On SQLite the rows are streamed in the driver's own form (dates and times as
the text SQLite keeps, parsed here with `datetime.fromisoformat`, in C)
instead of through SQLAlchemy's per-value type processors, which cost more
than the rest of the load together; other dialects' drivers return typed
values already and keep the Core read. Either way the strings every member
repeats (community, platform, role, language) are shared rather than held a
million times over, and a balance's member key is the member record's own
string.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from sys import intern
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.records import MemberRecord
from storage.core_tables import LEDGER, MEMBERS

_PARTITION = 20_000
# MemberRecord's fields, in order, as the members table names them; the
# SQLite loop below unpacks them by position.
_FIELDS = MEMBERS.names
assert _FIELDS == (
    "community", "key", "platform", "user_id", "name", "username", "role", "language",
    "joined_at", "last_seen", "message_count", "streak", "last_checkin", "last_points_at",
), _FIELDS  # fmt: skip
_SHARED = frozenset({"community", "platform", "role", "language"})


def _utc(value: str | None) -> datetime | None:
    """What `UtcDateTime` reads back: the stored UTC wall time, tagged UTC."""
    if value is None:
        return None
    try:
        # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, without an offset.
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:
        read = datetime.fromisoformat(value)
        return read.replace(tzinfo=UTC) if read.tzinfo is None else read.astimezone(UTC)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _shared(value: str | None) -> str | None:
    return None if value is None else intern(value)


async def read_members(connection: AsyncConnection, community: str) -> list[MemberRecord]:
    members: list[MemberRecord] = []
    add = members.append
    if connection.dialect.name != "sqlite":
        result = await connection.execute(
            MEMBERS.select().where(MEMBERS.table.c.community == community)
        )
        for row in result:
            values: list[Any] = [
                _shared(v) if name in _SHARED else v for name, v in zip(_FIELDS, row, strict=True)
            ]
            add(MemberRecord(*values))
        return members
    columns = ", ".join(_FIELDS)
    statement = text(f"SELECT {columns} FROM {MEMBERS.table.name} WHERE community = :community")
    streamed = await connection.stream(statement, {"community": community})
    utc, day = _utc, _day
    async for partition in streamed.partitions(_PARTITION):
        for (
            slug, key, platform, user_id, name, username, role, language,
            joined, seen, count, streak, checkin, points_at,
        ) in partition:  # fmt: skip
            add(
                MemberRecord(
                    intern(slug), key, intern(platform), user_id, name, username, intern(role),
                    None if language is None else intern(language),
                    utc(joined), utc(seen), count, streak, day(checkin), utc(points_at),
                )
            )  # fmt: skip
    return members


async def read_balances(
    connection: AsyncConnection, community: str, keys: dict[str, str], *where: Any
) -> dict[str, int]:
    """Each member's balance (the ledger's sum), keyed by the member record's
    own key string where there is one (`keys`: key -> that string)."""
    ledger = LEDGER.table.c
    statement = (
        select(ledger.member_key, func.sum(ledger.delta))
        .where(ledger.community == community, *where)
        .group_by(ledger.member_key)
    )
    streamed = await connection.stream(statement)
    balances: dict[str, int] = {}
    async for partition in streamed.partitions(_PARTITION):
        for key, total in partition:
            balances[keys.get(key, key)] = int(total)
    return balances
