"""`SqlStore`: the core's `Store` port on SQLite or PostgreSQL.

Writes arrive in batches from the engine's write-behind batcher, so each table
gets one statement per batch and the batch commits once; one commit per row
would cap SQLite near a thousand rows a second.

The engine awaits each flush, so the write path is on the message path, and
there SQLAlchemy Core's per-row work (parameter compilation, the models' type
processors, insertmanyvalues with RETURNING) cost about as much as SQLite's
own. So `write` speaks the driver's SQL: one statement text per table, built
once per dialect and run with `exec_driver_sql` (inside SQLAlchemy's
transaction, with its events and error wrapping), its parameters made by
precomputed converters that store exactly what the models' types would
(`_DriverSql` tells how the two dialects take them). Reads stay on Core and
the models' types; the tests check that both paths store the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from sqlalchemy import Boolean, Date, Table, func, select
from sqlalchemy.engine import URL, CursorResult, Dialect
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Select
from sqlalchemy.types import TypeEngine

from bot.core.records import (
    CaseRecord,
    CursorRecord,
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
from storage.engine_store import EngineStore, dialect_insert
from storage.migrate import run_upgrade
from storage.models.base import Base, UtcDateTime
from storage.models.core import (
    Community,
    DailyStats,
    Group,
    Member,
    Membership,
    MemberWarning,
    ModCase,
    PlatformCursor,
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
_CURSORS = _mapping(PlatformCursor, CursorRecord, ("community", "platform"))


# --- Batch writes in driver SQL -------------------------------------------

_Row = tuple[Any, ...]
_Convert = Callable[[Any], Any]

# Ledger keys per `key IN (...)` lookup on SQLite: under 999, the variable
# limit of SQLite builds before 3.32 (newer ones allow 32766).
_KEY_CHUNK = 900

# Entries per converter memo; cleared when full. A batch holds a few hundred
# distinct instants, so this keeps them and the long-lived ones (joined_at).
_MEMO_SIZE = 1 << 14

_UTC_DATETIME = UtcDateTime()

_TWO_DIGITS = tuple(f"{number:02d}" for number in range(100))


def _remembered(convert: _Convert) -> _Convert:
    """`convert`, memoized by value, None passed through. Only for values
    whose equal ones convert alike: UTC datetimes, dates.

    A batch repeats the same values: an event's time is its member's last_seen
    and last_points_at and its ledger entry's at, and days repeat across rows.
    Formatting a datetime costs about a microsecond, a lookup a tenth of that.
    """
    memo: dict[Any, Any] = {}

    def bind(value: Any) -> Any:
        if value is None:
            return None
        bound = memo.get(value)
        if bound is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            bound = memo[value] = convert(value)
        return bound

    return bind


def _models_utc(value: datetime, dialect: Dialect) -> datetime:
    """UtcDateTime's own normalisation: naive values are refused with its error."""
    normalised = _UTC_DATETIME.process_bind_param(value, dialect)
    assert normalised is not None
    return normalised


def _sqlite_utc_text(value: datetime) -> str:
    """UtcDateTime then SQLite's DATETIME: the UTC wall time as text,
    "YYYY-MM-DD HH:MM:SS.ffffff", always six digits of microseconds. Formatted
    by hand: half the time of isoformat on an aware value."""
    d = _TWO_DIGITS
    return "%04d-%s-%s %s:%s:%s.%06d" % (  # noqa: UP031 (faster than format)
        value.year,
        d[value.month],
        d[value.day],
        d[value.hour],
        d[value.minute],
        d[value.second],
        value.microsecond,
    )


def _converters(dialect: Dialect) -> dict[type[TypeEngine[Any]], _Convert | None]:
    """Per column type, what turns a record's value into the parameter the
    type's own bind processing gives on this dialect; None: the value as is.

    One converter (and memo) per type serves every table of the store, so an
    instant formatted for a member is found again for its ledger entry.
    """
    if dialect.name == "sqlite":
        utc_text = _remembered(_sqlite_utc_text)

        def sqlite_datetime(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is not UTC:
                # Normalised before the memo: values of one zone compare by wall
                # time alone, so the two instants of a DST fold are equal keys.
                value = _models_utc(value, dialect)
            text: str = utc_text(value)
            return text

        return {
            UtcDateTime: sqlite_datetime,
            # SQLite's DATE: "YYYY-MM-DD", which date.isoformat gives too.
            Date: _remembered(date.isoformat),
            # SQLite's Boolean stores int(value); sqlite3 binds a bool as that integer.
            Boolean: None,
        }
    if dialect.name == "postgresql":

        def utc(value: datetime | None) -> datetime | None:
            # The driver takes datetime objects: UtcDateTime's UTC value as is.
            if value is None or value.tzinfo is UTC:
                return value
            return _models_utc(value, dialect)

        return {UtcDateTime: utc, Date: None, Boolean: None}
    raise NotImplementedError(f"SqlStore supports SQLite and PostgreSQL, not {dialect.name}")


def _row_function(
    names: Sequence[str], converters: dict[str, _Convert]
) -> Callable[..., list[_Row]]:
    """`records -> [parameter tuple, ...]`, the columns in `names` order.

    Generated once per table and dialect, as dataclasses generates __init__: a
    comprehension reading each attribute directly is about three times faster
    than a generic loop over columns, and it runs for every row written. The
    source holds only field names (identifiers) and the converters' names.
    """
    assert all(name.isidentifier() for name in names)
    values = ", ".join(
        f"_{name}(r.{name})" if name in converters else f"r.{name}" for name in names
    )
    namespace = {f"_{name}": convert for name, convert in converters.items()}
    function: Callable[..., list[_Row]] = eval(
        f"lambda records: [({values},) for r in records]", namespace
    )
    return function


class _DriverSql:
    """Statement text in one dialect's quoting, placeholders and parameter shape.

    SQLite gets `VALUES (?, ...)` run by executemany, one tuple per row: the
    loop over rows is sqlite3's, in C, on an in-process database.
    PostgreSQL gets `SELECT * FROM unnest($1::type[], ...)`, one array per
    column: one statement and one round trip per batch, and one prepared text
    for every batch size. asyncpg's executemany runs the statement once per
    row on the server; an upsert took 1.6 times as long per row that way.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.quote = dialect.identifier_preparer.quote
        self.arrays = dialect.name == "postgresql"
        self._paramstyle = dialect.paramstyle
        if self._paramstyle not in ("qmark", "numeric_dollar", "format", "pyformat"):
            raise NotImplementedError(f"paramstyle {self._paramstyle} ({dialect.driver})")

    def columns(self, names: Iterable[str]) -> str:
        return ", ".join(self.quote(name) for name in names)

    def placeholder(self, number: int) -> str:
        """The placeholder of the `number`th parameter, counted from 1."""
        if self._paramstyle == "qmark":
            return "?"
        if self._paramstyle == "numeric_dollar":  # asyncpg
            return f"${number}"
        return "%s"  # format, pyformat (psycopg)

    def placeholders(self, count: int, first: int = 1) -> str:
        if self._paramstyle == "qmark":  # the ledger key lookup: hundreds at a time
            return ", ".join("?" * count)
        return ", ".join(self.placeholder(number) for number in range(first, first + count))

    def rows_source(self, table: Table, names: Sequence[str]) -> str:
        """What an INSERT of the columns `names` takes its rows from."""
        if not self.arrays:
            return f"VALUES ({self.placeholders(len(names))})"
        arrays = (
            f"{self.placeholder(number)}::{table.c[name].type.compile(dialect=self.dialect)}[]"
            for number, name in enumerate(names, start=1)
        )
        return f"SELECT * FROM unnest({', '.join(arrays)})"


@dataclass(frozen=True, slots=True)
class _Write(Generic[R]):
    """One table's batch statement in driver SQL, and its parameters."""

    sql: str
    rows: Callable[[Iterable[R]], list[_Row]]
    # Send one array per column (PostgreSQL) rather than one tuple per row.
    arrays: bool
    # Of an upsert sent as arrays: a row's key. PostgreSQL refuses to update a
    # row twice in one statement, so only the latest row of each key is sent.
    key: Callable[[_Row], Any] | None

    def bind(self, records: Iterable[R]) -> list[_Row]:
        try:
            return self.rows(records)
        except Exception as error:
            # What Core raises when a type refuses a value (a naive datetime).
            cause = f"({type(error).__module__}.{type(error).__name__}) {error}"
            raise StatementError(cause, self.sql, None, error) from error

    async def execute(
        self, connection: AsyncConnection, rows: list[_Row]
    ) -> CursorResult[Any] | None:
        if not rows:
            return None
        if not self.arrays:
            # executemany applies the rows in order: the latest of a key stays.
            return await connection.exec_driver_sql(self.sql, rows)
        if self.key is not None:
            rows = list({self.key(row): row for row in rows}.values())
        # Lists: asyncpg takes any sequence for an array, psycopg only lists.
        columns = tuple(list(column) for column in zip(*rows, strict=True))
        return await connection.exec_driver_sql(self.sql, columns)


def _write(
    sql: _DriverSql,
    converters: dict[type[TypeEngine[Any]], _Convert | None],
    mapping: _Mapping[R],
    on_conflict: str,
    returning: tuple[str, ...] = (),
) -> _Write[R]:
    """`INSERT INTO table (every field of the record) <rows> <on_conflict>`,
    where `on_conflict` is "update" (the latest record wins), "nothing" (the
    stored row stays) or "" (a conflict is an error)."""
    dialect, table, names = sql.dialect, mapping.table, mapping.names
    statement = (
        f"INSERT INTO {sql.quote(table.name)} ({sql.columns(names)})"
        f" {sql.rows_source(table, names)}"
    )
    if on_conflict:
        statement += f" ON CONFLICT ({sql.columns(mapping.key)})"
        if on_conflict == "update":
            assigned = (sql.quote(name) for name in names if name not in mapping.key)
            statement += " DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in assigned)
        else:
            statement += " DO NOTHING"
    if returning:
        statement += f" RETURNING {sql.columns(returning)}"
    convert: dict[str, _Convert] = {}
    for name in names:
        column_type = table.c[name].type
        if column_type.dialect_impl(dialect).bind_processor(dialect) is None:
            continue  # the driver takes the value as it is
        # Core would process this column's values: a converter must stand in.
        if type(column_type) not in converters:
            raise NotImplementedError(
                f"no driver converter for {table.name}.{name}: {column_type!r}"
            )
        converter = converters[type(column_type)]
        if converter is not None:
            convert[name] = converter
    key = None
    if sql.arrays and on_conflict == "update":
        key = itemgetter(*(names.index(name) for name in mapping.key))
    return _Write(statement, _row_function(names, convert), sql.arrays, key)


@dataclass(frozen=True, slots=True)
class _Writes:
    """Every batch statement of one store, built for its dialect."""

    sql: _DriverSql
    groups: _Write[GroupRecord]
    members: _Write[MemberRecord]
    memberships: _Write[MembershipRecord]
    ledger: _Write[LedgerEntry]
    cases: _Write[CaseRecord]
    warnings: _Write[WarningRecord]
    stats: _Write[DailyStatsRecord]
    cursors: _Write[CursorRecord]

    @classmethod
    def build(cls, dialect: Dialect) -> _Writes:
        sql, converters = _DriverSql(dialect), _converters(dialect)
        if sql.arrays:
            # One statement per batch, RETURNING the keys it inserted: the
            # unique index itself tells which are new, also against a
            # concurrent writer. A lookup first (`key = ANY($2)`) is at the
            # planner's mercy: on a young, unanalysed ledger it chose a
            # sequential scan, 75 ms a batch.
            ledger = _write(sql, converters, _LEDGER, "nothing", returning=_LEDGER.key)
        else:
            # executemany returns no rows: `append_ledger` first looks up the
            # stored keys, then inserts the others with a plain INSERT.
            ledger = _write(sql, converters, _LEDGER, "")
        return cls(
            sql=sql,
            groups=_write(sql, converters, _GROUPS, "update"),
            members=_write(sql, converters, _MEMBERS, "update"),
            memberships=_write(sql, converters, _MEMBERSHIPS, "update"),
            ledger=ledger,
            # An audit row, once written, stays.
            cases=_write(sql, converters, _CASES, "nothing"),
            warnings=_write(sql, converters, _WARNINGS, "update"),
            stats=_write(sql, converters, _STATS, "update"),
            cursors=_write(sql, converters, _CURSORS, "update"),
        )

    async def append_ledger(
        self, connection: AsyncConnection, entries: Sequence[LedgerEntry], rows: list[_Row]
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
        sql, c = self.sql, _LEDGER.table.c
        select_keys = (
            f"SELECT {sql.quote(c.key.name)} FROM {sql.quote(_LEDGER.table.name)}"
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


class SqlStore(EngineStore):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self._writes = _Writes.build(engine.dialect)

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

    async def close(self) -> None:
        await self._engine.dispose()

    async def ensure_community(self, slug: str, name: str, timezone: str) -> None:
        statement = dialect_insert(self._dialect, _COMMUNITIES).values(
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
        w = self._writes
        entries, duplicates = _first_of_each_key(batch.ledger)
        # Parameters are bound before the transaction opens: a refused value
        # fails the batch before any SQL is sent, and the transaction (on SQLite
        # the write lock) lasts only as long as the statements.
        # Of several records of one key, the latest is the one that stays.
        groups = w.groups.bind(batch.groups)
        members = w.members.bind(batch.members)
        memberships = w.memberships.bind(batch.memberships)
        ledger = w.ledger.bind(entries)
        cases = w.cases.bind(batch.cases)
        warnings = w.warnings.bind(batch.warnings)
        stats = w.stats.bind(batch.stats)
        cursors = w.cursors.bind(batch.cursors)
        async with self._writing() as connection:
            await w.groups.execute(connection, groups)
            await w.members.execute(connection, members)
            await w.memberships.execute(connection, memberships)
            duplicates |= await w.append_ledger(connection, entries, ledger)
            await w.cases.execute(connection, cases)
            await w.warnings.execute(connection, warnings)
            await w.stats.execute(connection, stats)
            await w.cursors.execute(connection, cursors)
        return WriteResult(duplicate_keys=frozenset(duplicates))

    async def cursor(self, community: str, platform: str) -> int | None:
        table = _CURSORS.table
        async with self._reading() as connection:
            position = await connection.scalar(
                select(table.c.position).where(
                    table.c.community == community, table.c.platform == platform
                )
            )
        return None if position is None else int(position)

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
