"""Fixtures for the Telegram tests: the fake Bot API server, a small world in
it (a supergroup, the log chat, owners, moderators, members), and the real
python-telegram-bot Application built by `build_application` and pointed at
the fake server through the test config's `${GK_TG_BASE_URL}`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import Bot, Sleeps, populate, start_bot


def pytest_configure(config: pytest.Config) -> None:
    # PTB 22 itself warns when it builds a RetryAfter; the gateway handles
    # both the int and the timedelta form.
    config.addinivalue_line(
        "filterwarnings", "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
    )


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def world(api: FakeBotApi) -> FakeBotApi:
    return populate(api)


@pytest.fixture
def tg_env(monkeypatch: pytest.MonkeyPatch, api: FakeBotApi) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", api.token)
    monkeypatch.setenv("GK_TG_BASE_URL", api.base_url)
    for name in ("GK_TG_MODE", "GK_TG_WEBHOOK_URL", "GK_TG_PORT", "GK_TG_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tg_db(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'telegram.db'}"


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def bot(world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps) -> AsyncIterator[Bot]:
    async with start_bot(world, tg_db, sleeps) as running_bot:
        yield running_bot
