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
from collections.abc import AsyncIterator
from typing import Any

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
