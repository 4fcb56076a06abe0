"""Shared set-ups of the core's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.exc import OperationalError

from bot.compose import open_engine
from bot.config import Config
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import ChatRef, MessagePosted, UserRef
from storage.sql_store import SqlStore
from tests.conftest import START

G1 = ChatRef("console", "g1")


@pytest.fixture
async def checked_in(example_config: Config) -> AsyncIterator[tuple[SqlStore, Engine]]:
    """The example community on an in-memory SQLite, three members of g1
    checked in, nothing flushed yet."""
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    engine = await open_engine(example_config, store, FakeClock(START), background_flush=False)
    for n in range(1, 4):
        await engine.handle(
            MessagePosted(G1, UserRef("console", f"u{n}", f"m{n}"), n, "签到", START)
        )
    yield store, engine
    await store.close()


async def locked(*args: object) -> None:
    """A batch write SQLite refuses as a whole: "database is locked"."""
    raise OperationalError("INSERT ...", {}, Exception("database is locked"))
