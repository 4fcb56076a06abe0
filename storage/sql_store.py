"""`SqlStore`: the core's `Store` port on SQLite or PostgreSQL.

Writes arrive in batches from the engine's write-behind batcher, so each table
gets one executemany statement per batch and the batch commits once; one commit
per row would cap SQLite near a thousand rows a second.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import Select

from bot.records import (
    CaseRecord,
    DailyStatsRecord,
    GroupRecord,
    LedgerEntry,
    MemberRecord,
    MembershipRecord,
    Snapshot,
    WarningRecord,
    WriteBatch,
    WriteResult,
)
from storage.database import create_engine
from storage.migrate import run_upgrade
from storage.models import (
    Base,
    Community,
    DailyStats,
    Group,
    Member,
    Membership,
    MemberWarning,
    ModCase,
    PointsEntry,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# The ledger reason the engine gives points earned by chatting (capped per day).
MESSAGE_REASON = "message"

R = TypeVar("R", bound="DataclassInstance")


@dataclass(frozen=True, slots=True)
class _Mapping(Generic[R]):
    """How one record type maps to its table: one column per field, same name."""

    table: Table
    record: type[R]
    # The primary key, or for the ledger the idempotency key.
    key: tuple[str, ...]
    names: tuple[str, ...]

    def select(self) -> Select[Any]:
        return select(*(self.table.c[name] for name in self.names))

    def rows(self, records: Iterable[R]) -> list[dict[str, Any]]:
        names = self.names
        values = attrgetter(*names)
        return [dict(zip(names, values(record), strict=True)) for record in records]

    def identity(self) -> Callable[[R], Hashable]:
        return attrgetter(*self.key)


def _mapping(model: type[Base], record: type[R], key: tuple[str, ...]) -> _Mapping[R]:
    names = tuple(f.name for f in fields(record))
    return _Mapping(Base.metadata.tables[model.__tablename__], record, key, names)


_COMMUNITIES = Base.metadata.tables[Community.__tablename__]
_MEMBERS = _mapping(Member, MemberRecord, ("community", "key"))
_GROUPS = _mapping(Group, GroupRecord, ("community", "chat_key"))
_MEMBERSHIPS = _mapping(Membership, MembershipRecord, ("community", "member_key", "group_key"))
_LEDGER = _mapping(PointsEntry, LedgerEntry, ("community", "key"))
_CASES = _mapping(ModCase, CaseRecord, ("community", "id"))
_WARNINGS = _mapping(MemberWarning, WarningRecord, ("community", "id"))
_STATS = _mapping(DailyStats, DailyStatsRecord, ("community", "group_key", "day"))


def _insert(dialect: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    """The dialect's INSERT, which alone knows ON CONFLICT."""
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"SqlStore supports SQLite and PostgreSQL, not {dialect}")


def _last_wins(mapping: _Mapping[R], records: Sequence[R]) -> list[R]:
    """One record per key: the latest, which is the engine's current state;
    writing the earlier ones would only have them overwritten."""
    identity = mapping.identity()
    return list({identity(record): record for record in records}.values())


class SqlStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name
        # An in-memory SQLite database is one shared connection; two coroutines
        # interleaving transactions on it would commit or roll back each other.
        self._gate: contextlib.AbstractAsyncContextManager[Any] = (
            asyncio.Lock()
            if isinstance(engine.sync_engine.pool, StaticPool)
            else contextlib.nullcontext()
        )

    @classmethod
    async def open(cls, url: str | URL) -> Self:
        """Connect and bring the schema up to date, on the engine the store keeps
        (so an in-memory database is migrated in place)."""
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(run_upgrade)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def close(self) -> None:
        await self._engine.dispose()

    @contextlib.asynccontextmanager
    async def _reading(self) -> AsyncIterator[AsyncConnection]:
        async with self._gate, self._engine.connect() as connection:
            yield connection

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        async with self._gate, self._engine.begin() as connection:
            yield connection

    async def ensure_community(self, slug: str, name: str, timezone: str) -> None:
        statement = _insert(self._dialect, _COMMUNITIES).values(
            slug=slug, name=name, timezone=timezone, created_at=datetime.now(UTC)
        )
        statement = statement.on_conflict_do_update(
            index_elements=["slug"],
            set_={"name": statement.excluded.name, "timezone": statement.excluded.timezone},
        )
        async with self._writing() as connection:
            await connection.execute(statement)

    async def load(self, community: str, day_start: datetime) -> Snapshot:
        ledger = _LEDGER.table.c
        per_member = select(ledger.member_key, func.sum(ledger.delta)).where(
            ledger.community == community
        )
        async with self._reading() as connection:
            members = await self._records(connection, _MEMBERS, community)
            groups = await self._records(connection, _GROUPS, community)
            warnings = await self._records(
                connection, _WARNINGS, community, _WARNINGS.table.c.active
            )
            # Yesterday too: day_start is in UTC, and a zone east of UTC starts its
            # day on the previous UTC date.
            stats = await self._records(
                connection,
                _STATS,
                community,
                _STATS.table.c.day >= day_start.astimezone(UTC).date() - timedelta(days=1),
            )
            balances = await connection.execute(per_member.group_by(ledger.member_key))
            today = await connection.execute(
                per_member.where(ledger.reason == MESSAGE_REASON, ledger.at >= day_start).group_by(
                    ledger.member_key
                )
            )
            last_case_id = await self._max_id(connection, _CASES.table, community)
            last_warning_id = await self._max_id(connection, _WARNINGS.table, community)
        return Snapshot(
            members=members,
            groups=groups,
            balances={key: int(total) for key, total in balances},
            message_points_today={key: int(total) for key, total in today},
            warnings=warnings,
            stats=stats,
            last_case_id=last_case_id,
            last_warning_id=last_warning_id,
        )

    @staticmethod
    async def _records(
        connection: AsyncConnection, mapping: _Mapping[R], community: str, *where: Any
    ) -> list[R]:
        result = await connection.execute(
            mapping.select().where(mapping.table.c.community == community, *where)
        )
        return [mapping.record(*row) for row in result]

    @staticmethod
    async def _max_id(connection: AsyncConnection, table: Table, community: str) -> int:
        result = await connection.execute(
            select(func.coalesce(func.max(table.c.id), 0)).where(table.c.community == community)
        )
        return int(result.scalar_one())

    async def write(self, batch: WriteBatch) -> WriteResult:
        if not len(batch):
            return WriteResult()
        async with self._writing() as connection:
            await self._upsert(connection, _GROUPS, batch.groups)
            await self._upsert(connection, _MEMBERS, batch.members)
            await self._upsert(connection, _MEMBERSHIPS, batch.memberships)
            duplicates = await self._append_ledger(connection, batch.ledger)
            await self._insert_new(connection, _CASES, batch.cases)
            await self._upsert(connection, _WARNINGS, batch.warnings)
            await self._upsert(connection, _STATS, batch.stats)
        return WriteResult(duplicate_keys=duplicates)

    async def _upsert(
        self, connection: AsyncConnection, mapping: _Mapping[R], records: Sequence[R]
    ) -> None:
        if not records:
            return
        statement = _insert(self._dialect, mapping.table)
        statement = statement.on_conflict_do_update(
            index_elements=mapping.key,
            set_={
                name: statement.excluded[name] for name in mapping.names if name not in mapping.key
            },
        )
        await connection.execute(statement, mapping.rows(_last_wins(mapping, records)))

    async def _insert_new(
        self, connection: AsyncConnection, mapping: _Mapping[R], records: Sequence[R]
    ) -> None:
        """Insert the records whose key is new: an audit row, once written, stays."""
        if not records:
            return
        statement = _insert(self._dialect, mapping.table).on_conflict_do_nothing(
            index_elements=mapping.key
        )
        await connection.execute(statement, mapping.rows(records))

    async def _append_ledger(
        self, connection: AsyncConnection, entries: Sequence[LedgerEntry]
    ) -> frozenset[str]:
        """Insert the entries whose key is new; return the keys that were not."""
        if not entries:
            return frozenset()
        fresh: dict[tuple[str, str], LedgerEntry] = {}
        duplicates: set[str] = set()
        for entry in entries:
            identity = (entry.community, entry.key)
            if identity in fresh:
                duplicates.add(entry.key)
            else:
                fresh[identity] = entry
        table = _LEDGER.table
        statement = (
            _insert(self._dialect, table)
            .on_conflict_do_nothing(index_elements=_LEDGER.key)
            .returning(table.c.community, table.c.key)
        )
        result = await connection.execute(statement, _LEDGER.rows(fresh.values()))
        stored = {(community, key) for community, key in result}
        duplicates.update(key for community, key in fresh if (community, key) not in stored)
        return frozenset(duplicates)

    async def memberships(self, community: str, member_key: str) -> list[MembershipRecord]:
        table = _MEMBERSHIPS.table
        async with self._reading() as connection:
            result = await connection.execute(
                _MEMBERSHIPS.select()
                .where(table.c.community == community, table.c.member_key == member_key)
                .order_by(table.c.joined_at, table.c.group_key)
            )
            return [MembershipRecord(*row) for row in result]

    async def case(self, community: str, case_id: int) -> CaseRecord | None:
        table = _CASES.table
        async with self._reading() as connection:
            result = await connection.execute(
                _CASES.select().where(table.c.community == community, table.c.id == case_id)
            )
            row = result.first()
        return None if row is None else CaseRecord(*row)

    async def ledger(self, community: str, member_key: str, limit: int = 20) -> list[LedgerEntry]:
        table = _LEDGER.table
        async with self._reading() as connection:
            result = await connection.execute(
                _LEDGER.select()
                .where(table.c.community == community, table.c.member_key == member_key)
                # Ties on `at` go to the later insert.
                .order_by(table.c.at.desc(), table.c.id.desc())
                .limit(limit)
            )
            return [LedgerEntry(*row) for row in result]

    async def daily_stats(self, community: str, since: date, until: date) -> list[DailyStatsRecord]:
        table = _STATS.table
        async with self._reading() as connection:
            result = await connection.execute(
                _STATS.select()
                .where(table.c.community == community, table.c.day.between(since, until))
                .order_by(table.c.day, table.c.group_key)
            )
            return [DailyStatsRecord(*row) for row in result]
