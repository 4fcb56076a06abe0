"""The core store's batched write path.

Writes arrive in batches from the engine's write-behind batcher, so each table
gets one statement per batch (in driver SQL, see `storage.driver_sql`) and the
batch commits once; one commit per row would cap SQLite near a thousand rows a
second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.records import (
    CaseRecord,
    CursorRecord,
    DailyStatsRecord,
    GroupRecord,
    LedgerEntry,
    MemberRecord,
    MembershipRecord,
    OutboxRecord,
    WarningRecord,
    WriteBatch,
    WriteResult,
)
from storage.chat_move import move_chat
from storage.core_tables import (
    CASES,
    CURSORS,
    GROUPS,
    LEDGER,
    MEMBERS,
    MEMBERSHIPS,
    OUTBOX,
    STATS,
    WARNINGS,
)
from storage.driver_sql import BatchStatement, DriverSql, Row, batch_statement, converters_for

# Ledger keys per `key IN (...)` lookup on SQLite: under 999, the variable
# limit of SQLite builds before 3.32 (newer ones allow 32766).
_KEY_CHUNK = 900


@dataclass(frozen=True, slots=True)
class BatchWrites:
    """Every batch statement of the core store, built for its dialect."""

    sql: DriverSql
    groups: BatchStatement[GroupRecord]
    members: BatchStatement[MemberRecord]
    memberships: BatchStatement[MembershipRecord]
    ledger: BatchStatement[LedgerEntry]
    cases: BatchStatement[CaseRecord]
    warnings: BatchStatement[WarningRecord]
    stats: BatchStatement[DailyStatsRecord]
    cursors: BatchStatement[CursorRecord]
    outbox: BatchStatement[OutboxRecord]
    sent: BatchStatement[OutboxRecord]

    @classmethod
    def build(cls, dialect: Dialect) -> BatchWrites:
        sql, convert = DriverSql(dialect), converters_for(dialect)
        if sql.arrays:
            # One statement per batch, RETURNING the keys it inserted: the
            # unique index itself tells which are new, also against a
            # concurrent writer. A lookup first (`key = ANY($2)`) is at the
            # planner's mercy: on a young, unanalysed ledger it chose a
            # sequential scan, 75 ms a batch.
            ledger = batch_statement(sql, convert, LEDGER, "nothing", returning=LEDGER.key)
        else:
            # executemany returns no rows: `_append_ledger` inserts with a
            # plain INSERT and, only when a key is stored already, looks the
            # stored keys up and inserts the others.
            ledger = batch_statement(sql, convert, LEDGER, "")
        return cls(
            sql=sql,
            groups=batch_statement(sql, convert, GROUPS, "update"),
            members=batch_statement(sql, convert, MEMBERS, "update"),
            memberships=batch_statement(sql, convert, MEMBERSHIPS, "update"),
            ledger=ledger,
            # An audit row, once written, stays.
            cases=batch_statement(sql, convert, CASES, "nothing"),
            warnings=batch_statement(sql, convert, WARNINGS, "update"),
            stats=batch_statement(sql, convert, STATS, "update"),
            cursors=batch_statement(sql, convert, CURSORS, "update"),
            # An action stored again (its event handled again after a crash
            # cut the event short) keeps its stored row and mark; a row marked
            # sent replaces the unsent one (and drops its payload).
            outbox=batch_statement(sql, convert, OUTBOX, "nothing"),
            sent=batch_statement(sql, convert, OUTBOX, "update"),
        )

    async def write(
        self,
        batch: WriteBatch,
        writing: Callable[[], AbstractAsyncContextManager[AsyncConnection]],
    ) -> WriteResult:
        """Apply the batch in one transaction opened by `writing`."""
        if not len(batch):
            return WriteResult()
        entries, duplicates = _first_of_each_key(batch.ledger)
        # Parameters are bound before the transaction opens: a refused value
        # fails the batch before any SQL is sent, and the transaction (on SQLite
        # the write lock) lasts only as long as the statements.
        # Of several records of one key, the latest is the one that stays.
        groups = self.groups.bind(batch.groups)
        members = self.members.bind(batch.members)
        memberships = self.memberships.bind(batch.memberships)
        ledger = self.ledger.bind(entries)
        cases = self.cases.bind(batch.cases)
        warnings = self.warnings.bind(batch.warnings)
        stats = self.stats.bind(batch.stats)
        cursors = self.cursors.bind(batch.cursors)
        outbox = self.outbox.bind([o for o in batch.outbox if not o.sent])
        sent = self.sent.bind([o for o in batch.outbox if o.sent])
        async with writing() as connection:
            await self.groups.execute(connection, groups)
            await self.members.execute(connection, members)
            await self.memberships.execute(connection, memberships)
            duplicates |= await self._append_ledger(connection, entries, ledger)
            await self.cases.execute(connection, cases)
            await self.warnings.execute(connection, warnings)
            # After the rows queued before the move, which it moves too;
            # before the daily stats, which the engine has already moved in
            # memory and writes whole (a merged row, not an increment).
            for move in batch.moves:
                await move_chat(connection, move.community, move.old_key, move.new_key, move.at)
            await self.stats.execute(connection, stats)
            await self.cursors.execute(connection, cursors)
            await self.outbox.execute(connection, outbox)
            await self.sent.execute(connection, sent)
        return WriteResult(duplicate_keys=frozenset(duplicates))

    async def _append_ledger(
        self, connection: AsyncConnection, entries: Sequence[LedgerEntry], rows: list[Row]
    ) -> set[str]:
        """Insert the entries (one per key, bound as `rows`) whose key is new;
        return the keys that were stored already."""
        if not rows:
            return set()
        if self.sql.arrays:
            result = await self.ledger.execute(connection, rows)
            assert result is not None
            inserted = {tuple(row) for row in result}
            return {e.key for e in entries if (e.community, e.key) not in inserted}
        # Optimistic first: a stored key is rare (an update handled again after
        # a crash), and looking every key up first cost as much as inserting it
        # (about 5 µs a row of SQLite's time). The unique index refuses a
        # stored key; the savepoint undoes the partial insert, and the lookup
        # below sorts the batch out.
        try:
            async with connection.begin_nested():
                await self.ledger.execute(connection, rows)
            return set()
        except IntegrityError:
            pass
        stored = await self._stored_ledger_keys(connection, entries)
        if stored:
            rows = [
                row
                for row, entry in zip(rows, entries, strict=True)
                if (entry.community, entry.key) not in stored
            ]
        # A concurrent writer cannot slip a key in after the lookup unnoticed:
        # either this transaction holds SQLite's write lock already, or it
        # cannot take it over its stale snapshot (SQLITE_BUSY). The batch fails,
        # the batcher requeues it, and the retry reports the key as a duplicate.
        await self.ledger.execute(connection, rows)
        return {key for _, key in stored}

    async def _stored_ledger_keys(
        self, connection: AsyncConnection, entries: Sequence[LedgerEntry]
    ) -> set[tuple[str, str]]:
        """The (community, key) of the entries that are stored already."""
        sql, c = self.sql, LEDGER.table.c
        select_keys = (
            f"SELECT {sql.quote(c.key.name)} FROM {sql.quote(LEDGER.table.name)}"
            f" WHERE {sql.quote(c.community.name)} = {sql.placeholder(1)}"
            f" AND {sql.quote(c.key.name)} IN "
        )
        by_community: dict[str, list[str]] = {}
        for entry in entries:
            by_community.setdefault(entry.community, []).append(entry.key)
        stored: set[tuple[str, str]] = set()
        for community, keys in by_community.items():
            for start in range(0, len(keys), _KEY_CHUNK):
                chunk = keys[start : start + _KEY_CHUNK]
                result = await connection.exec_driver_sql(
                    f"{select_keys}({sql.placeholders(len(chunk), 2)})", (community, *chunk)
                )
                stored.update((community, key) for key in result.scalars())
        return stored


def _first_of_each_key(entries: Sequence[LedgerEntry]) -> tuple[list[LedgerEntry], set[str]]:
    """The entries to try, one per (community, key), and the keys repeated in
    the batch: only the first occurrence of a key can be applied."""
    fresh: dict[tuple[str, str], LedgerEntry] = {}
    repeated: set[str] = set()
    for entry in entries:
        identity = (entry.community, entry.key)
        if identity in fresh:
            repeated.add(entry.key)
        else:
            fresh[identity] = entry
    return list(fresh.values()), repeated
