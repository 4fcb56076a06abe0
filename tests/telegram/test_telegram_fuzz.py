"""Generated Bot API updates of every kind the bot subscribes to, through
translate and the engine: well-formed ones (any text, any ids, any
membership change) and broken ones (a field gone or of another type).
Nothing raises: translate drops what it cannot read, the engine handles
whatever translate gives it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.telegram.translate import UPDATE_KINDS, BotIdentity, admin_chat, translate
from bot.compose import open_engine
from bot.config import Config
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import Event
from storage.sql_store import SqlStore
from tests.conftest import START
from tests.telegram.update_shapes import BOT_ID, BOT_USERNAME, broken, updates

ME = BotIdentity(BOT_ID, BOT_USERNAME)
EVENTS = Event.__args__  # type: ignore[attr-defined]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


class Running:
    """One engine for all the examples of a test, on a loop of its own:
    opening one per example would be most of the test's time."""

    def __init__(self, config: Config) -> None:
        self.loop = asyncio.new_event_loop()
        self.store = self.loop.run_until_complete(SqlStore.open("sqlite+aiosqlite:///:memory:"))
        self.engine: Engine = self.loop.run_until_complete(
            open_engine(config, self.store, FakeClock(START), background_flush=False)
        )

    def feed(self, batch: list[dict[str, Any]]) -> None:
        self.loop.run_until_complete(self._feed(batch))

    async def _feed(self, batch: list[dict[str, Any]]) -> None:
        for update in batch:
            admins = frozenset() if admin_chat(update) is None else frozenset({1})
            for item in translate(update, me=ME, admins=admins):
                if isinstance(item, EVENTS):
                    await self.engine.handle(item)
        await self.engine.writes.flush()

    def close(self) -> None:
        self.loop.run_until_complete(self.engine.stop())
        self.loop.run_until_complete(self.store.close())
        self.loop.close()


@pytest.fixture
def running(example_config: Config) -> Iterator[Running]:
    run = Running(example_config)
    yield run
    run.close()


@FUZZ
@given(st.lists(updates(UPDATE_KINDS), min_size=1, max_size=12))
def test_well_formed_updates_never_raise(running: Running, batch: list[dict[str, Any]]) -> None:
    running.feed(batch)


@FUZZ
@given(st.lists(broken(UPDATE_KINDS), min_size=1, max_size=12))
def test_broken_updates_never_raise(running: Running, batch: list[dict[str, Any]]) -> None:
    running.feed(batch)
