"""`SqlStore`: the core's `Store` port on SQLite or PostgreSQL.

Reads go through SQLAlchemy Core and the models' types; the write-behind
batches go through `storage.batch_writes`, in the driver's own SQL.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Self

from sqlalchemy import Table, delete, func, select
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.records import (
    CaseRecord,
    DailyStatsRecord,
    LedgerEntry,
    MembershipRecord,
    OutboxRecord,
    Snapshot,
    WriteBatch,
    WriteResult,
)
from storage.batch_writes import BatchWrites
from storage.chat_move import sweep_moves
from storage.core_tables import (
    CASES,
    COMMUNITIES,
    CURSORS,
    GROUPS,
    LEDGER,
    MEMBERSHIPS,
    OUTBOX,
    STATS,
    WARNINGS,
    R,
    RecordTable,
)
from storage.database import create_engine, is_memory_sqlite
from storage.engine_store import EngineStore, dialect_insert
from storage.migrate import check_head, run_upgrade
from storage.models import Base
from storage.snapshot_read import read_balances, read_members, read_totals

# The ledger reason the engine gives points earned by chatting (capped per day).
MESSAGE_REASON = "message"


class SqlStore(EngineStore):
    def __init__(self, engine: AsyncEngine, *, read_only: bool = False) -> None:
        super().__init__(engine)
        # A command that only reads (points export, pool status, report)
        # writes nothing, not even a repair: its role may be SELECT-only.
        self._read_only = read_only
        self._writes = BatchWrites.build(engine.dialect)
        # SQLite takes one writer at a time, and a transaction that read
        # before writing fails at once ("database is locked", busy_timeout
        # does not wait for it) when another commit came in between: a batch
        # beside the outbox's marks. Writes of this process take turns.
        self._one_writer = asyncio.Lock() if self._dialect == "sqlite" else None

    @classmethod
    async def open(cls, url: str | URL, *, migrate: bool = True, read_only: bool = False) -> Self:
        """Connect and bring the schema up to date, on the engine the store keeps
        (so an in-memory database is migrated in place). Without `migrate`
        (a throwaway in-memory database, which has no history to migrate),
        the schema is built from the models, which a test holds equal to the
        migrations' head, and Alembic is not loaded. `read_only`: the schema
        must already be at head (SchemaBehind otherwise), and `load` repairs
        nothing."""
        _folder_of(url)
        engine = create_engine(url)
        if read_only:
            step: Callable[[Connection], None] = check_head
        else:
            step = run_upgrade if migrate else Base.metadata.create_all
        try:
            async with engine.begin() as connection:
                await connection.run_sync(step)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine, read_only=read_only)

    @staticmethod
    async def probe(url: str | URL) -> None:
        """Connect once and ask nothing of the schema: `run` says at start
        that it cannot use the database (raising what the driver raised)
        rather than standing by for it, or retrying, unseen."""
        _folder_of(url)
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                await connection.scalar(select(1))
        finally:
            await engine.dispose()

    async def close(self) -> None:
        await self._engine.dispose()

    async def ensure_community(self, slug: str, name: str, timezone: str) -> None:
        statement = dialect_insert(self._dialect, COMMUNITIES).values(
            slug=slug, name=name, timezone=timezone, created_at=datetime.now(UTC)
        )
        statement = statement.on_conflict_do_update(
            index_elements=["slug"],
            set_={"name": statement.excluded.name, "timezone": statement.excluded.timezone},
        )
        async with self._writing() as connection:
            await connection.execute(statement)

    async def has_community(self, slug: str) -> bool:
        async with self._reading() as connection:
            found = await connection.scalar(
                select(COMMUNITIES.c.slug).where(COMMUNITIES.c.slug == slug)
            )
        return found is not None

    async def load(self, community: str, day_start: datetime) -> Snapshot:
        # A row written under a moved chat's old key after the move (by a
        # record the running bot held) joins the group's past first; a
        # command that only reads leaves that to the next start of the bot.
        if not self._read_only:
            async with self._writing() as connection:
                await sweep_moves(connection, community)
        ledger = LEDGER.table.c
        async with self._reading() as connection:
            members = await read_members(connection, community)
            groups = await self._records(connection, GROUPS, community)
            warnings = await self._records(connection, WARNINGS, community, WARNINGS.table.c.active)
            # Yesterday too: day_start is in UTC, and a zone east of UTC starts its
            # day on the previous UTC date.
            stats = await self._records(
                connection,
                STATS,
                community,
                STATS.table.c.day >= day_start.astimezone(UTC).date() - timedelta(days=1),
            )
            balances, lifetime = await read_totals(connection, community, members)
            today = await read_balances(
                connection,
                community,
                members,
                ledger.reason == MESSAGE_REASON,
                ledger.at >= day_start,
            )
            last_case_id = await self._max_id(connection, CASES.table, community)
            last_warning_id = await self._max_id(connection, WARNINGS.table, community)
        return Snapshot(
            members=list(members.values()),
            groups=groups,
            balances=balances,
            lifetime=lifetime,
            message_points_today=today,
            warnings=warnings,
            stats=stats,
            last_case_id=last_case_id,
            last_warning_id=last_warning_id,
            member_index=members,
        )

    @staticmethod
    async def _records(
        connection: AsyncConnection, mapping: RecordTable[R], community: str, *where: Any
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
        try:
            if self._one_writer is None:
                return await self._writes.write(batch, self._writing)
            async with self._one_writer:
                return await self._writes.write(batch, self._writing)
        except (OperationalError, InterfaceError) as exc:
            # A lock, a lost connection, a full disk: the database, not the
            # rows. The batcher sets aside rows the store refuses, so it must
            # be able to tell (the Store port's contract: ConnectionError).
            raise ConnectionError(f"the database refused the write: {exc.orig or exc}") from exc

    async def cursor(self, community: str, platform: str) -> int | None:
        table = CURSORS.table
        async with self._reading() as connection:
            position = await connection.scalar(
                select(table.c.position).where(
                    table.c.community == community, table.c.platform == platform
                )
            )
        return None if position is None else int(position)

    async def unsent(self, community: str, platform: str) -> list[OutboxRecord]:
        table = OUTBOX.table
        async with self._writing() as connection:
            # Marks of actions sent have done their work once read here.
            await connection.execute(
                delete(table).where(
                    table.c.community == community, table.c.platform == platform, table.c.sent
                )
            )
            rows = await self._records(
                connection, OUTBOX, community, table.c.platform == platform, ~table.c.sent
            )
        return sorted(rows, key=lambda r: (r.at, r.key))

    async def memberships(self, community: str, member_key: str) -> list[MembershipRecord]:
        table = MEMBERSHIPS.table
        async with self._reading() as connection:
            result = await connection.execute(
                MEMBERSHIPS.select()
                .where(table.c.community == community, table.c.member_key == member_key)
                .order_by(table.c.joined_at, table.c.group_key)
            )
            return [MembershipRecord(*row) for row in result]

    async def case(self, community: str, case_id: int) -> CaseRecord | None:
        table = CASES.table
        async with self._reading() as connection:
            result = await connection.execute(
                CASES.select().where(table.c.community == community, table.c.id == case_id)
            )
            row = result.first()
        return None if row is None else CaseRecord(*row)

    async def cases_of(self, community: str, member_key: str, limit: int = 20) -> list[CaseRecord]:
        table = CASES.table
        async with self._reading() as connection:
            result = await connection.execute(
                CASES.select()
                .where(table.c.community == community, table.c.member_key == member_key)
                .order_by(table.c.id.desc())
                .limit(limit)
            )
            return [CaseRecord(*row) for row in result]

    async def ledger(self, community: str, member_key: str, limit: int = 20) -> list[LedgerEntry]:
        table = LEDGER.table
        async with self._reading() as connection:
            result = await connection.execute(
                LEDGER.select()
                .where(table.c.community == community, table.c.member_key == member_key)
                # Ties on `at` go to the later insert.
                .order_by(table.c.at.desc(), table.c.id.desc())
                .limit(limit)
            )
            return [LedgerEntry(*row) for row in result]

    async def daily_stats(self, community: str, since: date, until: date) -> list[DailyStatsRecord]:
        table = STATS.table
        async with self._reading() as connection:
            result = await connection.execute(
                STATS.select()
                .where(table.c.community == community, table.c.day.between(since, until))
                .order_by(table.c.day, table.c.group_key)
            )
            return [DailyStatsRecord(*row) for row in result]


def _folder_of(url: str | URL) -> None:
    """A SQLite file whose folder is missing fails here, before aiosqlite's
    thread starts: its connection, refused, would answer after the loop of
    a short command had closed and print a thread's traceback."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not is_memory_sqlite(parsed):
        folder = Path(parsed.database or "").parent
        if not folder.is_dir():
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(folder))
