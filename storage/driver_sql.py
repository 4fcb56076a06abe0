"""Batch statements in the driver's own SQL, their parameters bound as the
models' types would bind them.

The engine awaits each flush of its write-behind batcher, so the write path is
on the message path, and there SQLAlchemy Core's per-row work (parameter
compilation, the models' type processors, insertmanyvalues with RETURNING)
cost about as much as SQLite's own. So the batch speaks the driver's SQL: one
statement text per table, built once per dialect and run with
`exec_driver_sql` (inside SQLAlchemy's transaction, with its events and error
wrapping), its parameters made by precomputed converters that store exactly
what the models' types would (`DriverSql` tells how the two dialects take
them). Reads stay on Core and the models' types; the tests check that both
paths store the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, Generic

from sqlalchemy import Boolean, Date, Table
from sqlalchemy.engine import CursorResult, Dialect
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeEngine

from storage.core_tables import R, RecordTable
from storage.models.base import UtcDateTime

Row = tuple[Any, ...]
Convert = Callable[[Any], Any]

# Entries per converter memo; cleared when full. A batch holds a few hundred
# distinct instants, so this keeps them and the long-lived ones (joined_at).
_MEMO_SIZE = 1 << 14

_UTC_DATETIME = UtcDateTime()

_TWO_DIGITS = tuple(f"{number:02d}" for number in range(100))


def _remembered(convert: Convert) -> Convert:
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


def converters_for(dialect: Dialect) -> dict[type[TypeEngine[Any]], Convert | None]:
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


def _row_function(names: Sequence[str], converters: dict[str, Convert]) -> Callable[..., list[Row]]:
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
    function: Callable[..., list[Row]] = eval(
        f"lambda records: [({values},) for r in records]", namespace
    )
    return function


class DriverSql:
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
class BatchStatement(Generic[R]):
    """One table's batch statement in driver SQL, and its parameters."""

    sql: str
    rows: Callable[[Iterable[R]], list[Row]]
    # Send one array per column (PostgreSQL) rather than one tuple per row.
    arrays: bool
    # Of an upsert sent as arrays: a row's key. PostgreSQL refuses to update a
    # row twice in one statement, so only the latest row of each key is sent.
    key: Callable[[Row], Any] | None

    def bind(self, records: Iterable[R]) -> list[Row]:
        try:
            return self.rows(records)
        except Exception as error:
            # What Core raises when a type refuses a value (a naive datetime).
            cause = f"({type(error).__module__}.{type(error).__name__}) {error}"
            raise StatementError(cause, self.sql, None, error) from error

    async def execute(
        self, connection: AsyncConnection, rows: list[Row]
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


def batch_statement(
    sql: DriverSql,
    converters: dict[type[TypeEngine[Any]], Convert | None],
    mapping: RecordTable[R],
    on_conflict: str,
    returning: tuple[str, ...] = (),
) -> BatchStatement[R]:
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
    convert: dict[str, Convert] = {}
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
    return BatchStatement(statement, _row_function(names, convert), sql.arrays, key)
