"""Issue 21's platform parts on Telegram, python-telegram-bot unmodified
against the fake Bot API: the notice's pin replaced (never two), a poll sent
natively, voted on, stopped with stopPoll and summed, and feedback answered
by a private message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.telegram.runner import build_application, running
from bot.core.i18n import t
from tests.telegram.fake_bot_api import FakeBotApi, Member
from tests.telegram.harness import (
    ANN,
    BOB,
    CONFIG,
    GROUP,
    LOG_CHAT,
    MOD,
    OWNER,
    ZHU,
    Bot,
    Sleeps,
    fast_options,
)

EXTRA = """
notice:
  text: "Be kind. Links are open from level 3."
  refresh: 7d
"""
FAY = 2009


@pytest.fixture
async def bot(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps, tmp_path: Path
) -> AsyncIterator[Bot]:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    application, app = await build_application(
        config, tg_db, background_flush=False, **fast_options(sleeps)
    )
    try:
        async with running(application) as runner:
            await world.wait_for(lambda: world.allowed_updates is not None, what="the first poll")
            yield Bot(world, runner, app, sum(world.deliveries.values()))
    finally:
        await app.close()


def notices(api: FakeBotApi, text: str) -> list[int]:
    return [mid for mid, m in api.chats[GROUP].messages.items() if m.get("text") == text]


async def test_the_notice_replaces_its_pin_and_never_holds_two(bot: Bot) -> None:
    api = bot.api
    api.post(GROUP, MOD, "/notice refresh")
    await bot.settle()
    first = notices(api, "Be kind. Links are open from level 3.")
    assert first and api.chats[GROUP].pins == [first[-1]]

    api.post(GROUP, MOD, "/notice set Be kind. English reading list in /rules.")
    await bot.settle()

    [second] = notices(api, "Be kind. English reading list in /rules.")
    assert api.chats[GROUP].pins == [second]
    unpinned = [int(p["message_id"]) for p in api.called("unpinChatMessage", chat_id=GROUP)]
    assert first[-1] in unpinned
    # A member may not touch it.
    api.post(GROUP, ANN, "/notice refresh")
    await bot.settle()
    assert api.chats[GROUP].pins == [second]


async def test_a_poll_is_native_stopped_and_summed(bot: Bot) -> None:
    api = bot.api
    api.post(GROUP, MOD, '/poll "Next topic?" Storage | Grants | Hiring for 2d')
    await bot.settle()
    [sent] = api.called("sendPoll", chat_id=GROUP)
    assert sent["question"] == "Next topic?"
    [mid] = [mid for mid, m in api.chats[GROUP].messages.items() if "poll" in m]
    api.vote(GROUP, mid, ANN, 0)
    api.vote(GROUP, mid, BOB, 1)
    api.vote(GROUP, mid, ZHU, 0)

    api.post(GROUP, MOD, "/poll close 1")
    await bot.settle()

    assert api.called("stopPoll", chat_id=GROUP, message_id=mid)
    assert api.chats[GROUP].messages[mid]["poll"]["is_closed"]
    results = [s for s in api.sent(GROUP) if s.startswith("📊 Poll #1 is closed")]
    assert len(results) == 1
    assert "Storage: 2 (67%)" in results[0] and "Grants: 1 (33%)" in results[0]
    assert "3 voter(s)" in results[0]
    assert any(s.startswith("📊 Poll #1 is closed") for s in api.sent(LOG_CHAT))


async def test_feedback_reaches_the_log_chat_and_the_answer_goes_privately(bot: Bot) -> None:
    api = bot.api
    api.add_user(FAY, "Fay", "fay", started=True)
    api.member_joins(GROUP, FAY)
    api.post(GROUP, FAY, "/feedback please add an English reading list")
    await bot.settle()
    [note] = [m for m in api.chats[LOG_CHAT].messages.values() if "reply_markup" in m]
    assert "Feedback #1" in note["text"] and "English reading list" in note["text"]

    api.chats[LOG_CHAT].members[MOD] = Member(api.users[MOD])
    api.press_button(LOG_CHAT, MOD, note["message_id"], "Reply #1")
    await bot.settle()
    assert any("/reply 1" in s for s in api.sent(LOG_CHAT))
    api.post(LOG_CHAT, OWNER, "/reply 1 Good idea: it is in the notice from Monday.")
    await bot.settle()

    dm = api.sent(FAY)
    assert dm[-1] == t(
        "en",
        "feedback.answer_dm",
        id=1,
        question="please add an English reading list",
        answer="Good idea: it is in the notice from Monday.",
    )
