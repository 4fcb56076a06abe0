"""The fake Bot API with the Telegram tests' groups and members, for the
tests that run groupkeeper as a service against it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import populated_api


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with populated_api() as server:
        yield server
