"""What every repository over the bot's database shares: the engine, and one
gate per engine for in-memory SQLite.

An in-memory SQLite database is one shared connection (StaticPool): two
coroutines interleaving transactions on it would commit or roll back each
other's work, so every store on that engine takes turns through the same lock.
File databases and PostgreSQL hand each transaction its own connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import StaticPool

_GATES: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


def gate_for(engine: AsyncEngine) -> contextlib.AbstractAsyncContextManager[Any]:
    """The lock every store on a shared-connection engine uses; none otherwise."""
    sync = engine.sync_engine
    if not isinstance(sync.pool, StaticPool):
        return contextlib.nullcontext()
    gate = _GATES.get(sync)
    if gate is None:
        gate = _GATES[sync] = asyncio.Lock()
    return gate


def dialect_insert(dialect: str, table: Table) -> sqlite.Insert | postgresql.Insert:
    """The dialect's INSERT, which alone knows ON CONFLICT."""
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"groupkeeper supports SQLite and PostgreSQL, not {dialect}")


async def upsert(
    connection: AsyncConnection, table: Table, key: Sequence[str], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert the rows, or update every other column of the row with their key."""
    if not rows:
        return
    insert = dialect_insert(connection.dialect.name, table)
    await connection.execute(
        insert.on_conflict_do_update(
            index_elements=list(key),
            set_={name: insert.excluded[name] for name in rows[0] if name not in key},
        ),
        list(rows),
    )


class EngineStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name
        self._gate = gate_for(engine)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @contextlib.asynccontextmanager
    async def _reading(self) -> AsyncIterator[AsyncConnection]:
        async with self._gate, self._engine.connect() as connection:
            yield connection

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        async with self._gate, self._engine.begin() as connection:
            yield connection
