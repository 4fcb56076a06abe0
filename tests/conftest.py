"""Shared fixtures: a community config, a real SQLite store, a fake clock, and
a console session to drive the bot the way owners do."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console.session import ConsoleSession
from bot.config import Config, load_config, parse_config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.yaml"

# Monday 2026-01-05 09:00 in Shanghai.
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
def example_config() -> Config:
    return load_config(EXAMPLE)


@pytest.fixture
def en_config() -> Config:
    """The example community, speaking English."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("language: zh-CN", "language: en")
    return parse_config(text)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[SqlStore]:
    s = await SqlStore.open(db_url)
    yield s
    await s.close()


@pytest.fixture
def community_db(db_url: str, example_config: Config) -> str:
    """A database the example community has run on, with nothing in it yet:
    the commands that only read refuse one that never held it."""

    async def create() -> None:
        s = await SqlStore.open(db_url)
        c = example_config.community
        await s.ensure_community(c.slug, c.name, c.timezone)
        await s.close()

    asyncio.run(create())
    return db_url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


Chat = Callable[[str], Awaitable[list[str]]]


@pytest.fixture
async def console(
    example_config: Config, store: SqlStore, clock: FakeClock
) -> AsyncIterator[ConsoleSession]:
    session = ConsoleSession(example_config, store, clock)
    await session.start()
    yield session
    await session.close()


async def run_script(session: ConsoleSession, script: str) -> list[str]:
    return await session.run(script.strip("\n").splitlines())
