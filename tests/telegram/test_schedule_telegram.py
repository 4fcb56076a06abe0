"""Scheduled polls and pins on Telegram: the schedule, `TelegramOutlet` and the
real gateway and python-telegram-bot against the fake Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Bot

from adapters.scheduler import TelegramOutlet, deliver
from adapters.telegram.gateway import TelegramGateway
from bot.compose import open_engine
from bot.config import parse_config
from bot.core.clock import FakeClock
from bot.core.events import ChatRef
from bot.features import Stores
from bot.features.schedule.feature import ScheduleFeature
from storage.schedule_store import SqlScheduleStore
from storage.sql_store import SqlStore
from tests.telegram.fake_bot_api import FakeBotApi, bad

GROUP = -1001234500001
CONFIG = """
community: {name: Solar Makers, slug: solar, language: en, timezone: Europe/Berlin}
schedule:
  - {id: notice, cron: "0 9 * * *", text: "Notice for {group}", pin: true}
  - id: vote
    cron: "0 18 * * fri"
    poll: {question: "Next topic?", options: [Storage, Grants], anonymous: false, multiple: true}
"""


class UnpinningApi(FakeBotApi):
    """The fake server, with unpinChatMessage (which the bot needs here)."""

    async def _m_unpinChatMessage(self, p: dict[str, Any]) -> bool:
        chat = self._chat(p)
        mid = int(p["message_id"])
        if chat.pinned != mid:
            raise bad("message to unpin not found")
        chat.pinned = None
        return True


@pytest.fixture
async def api() -> AsyncIterator[UnpinningApi]:
    server = UnpinningApi()
    await server.start()
    server.add_group(GROUP, "Solar Makers #1")
    yield server
    await server.stop()


async def test_pins_replace_each_other_and_polls_keep_their_options(
    api: UnpinningApi, store: SqlStore
) -> None:
    config = parse_config(CONFIG)
    clock = FakeClock(datetime(2026, 1, 5, 7, 0, tzinfo=UTC))
    engine = await open_engine(
        config,
        store,
        clock,
        stores=Stores(schedule=SqlScheduleStore(store.engine)),
        background_flush=False,
    )
    engine.kit.directory.group(ChatRef("telegram", str(GROUP)), clock.now(), "Solar Makers #1")
    schedule = engine.feature(ScheduleFeature).schedule
    assert schedule is not None
    async with Bot(api.token, base_url=api.base_url) as bot:
        outlet = TelegramOutlet(TelegramGateway(bot, lambda: config, clock))
        # Daily at 09:00 Berlin (08:00 UTC) for four days; the fifth day's
        # notice is nine hours late at the Friday poll, past its hour of grace.
        days = ("2026-01-05 08:00", "2026-01-06 08:00", "2026-01-07 08:00", "2026-01-08 08:00")
        for when in (*days, "2026-01-09 17:00"):
            clock.set(datetime.fromisoformat(when).replace(tzinfo=UTC))
            await deliver(schedule, await schedule.due(clock.now()), {"telegram": outlet})
    await engine.stop()
    runs = await SqlScheduleStore(store.engine).post_runs("solar", "notice")
    assert [r.status for r in runs] == ["pinned"] * 4 + ["missed"]
    sent = api.called("sendMessage")
    assert [c["text"] for c in sent] == ["Notice for Solar Makers #1"] * 4
    pins = [int(c["message_id"]) for c in api.called("pinChatMessage")]
    unpins = [int(c["message_id"]) for c in api.called("unpinChatMessage")]
    assert len(pins) == 4 and unpins == pins[:3]
    assert api.chats[GROUP].pinned == pins[-1]
    polls = api.called("sendPoll")
    assert len(polls) == 1 and polls[0]["question"] == "Next topic?"
    assert str(polls[0]["is_anonymous"]).lower() == "false"
    assert str(polls[0]["allows_multiple_answers"]).lower() == "true"
    assert not api.refused("sendMessage") and not api.refused("unpinChatMessage")
