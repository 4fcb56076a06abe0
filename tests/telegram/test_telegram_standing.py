"""Owners hear what the bot lacks in a group, once, and again when it
changes: when Telegram says so (my_chat_member), and when it does not (the
bot was made a plain member before it ran, a right was taken away while it
was down, a demotion whose update never came and shows as a refused
delete). python-telegram-bot unmodified on the fake Bot API; a restart is
a second bot on the same database."""

from __future__ import annotations

import pytest

from adapters.telegram.standing import about_rights
from tests.telegram.fake_bot_api import BOT_ID, FakeBotApi
from tests.telegram.harness import (
    ANN,
    GROUP,
    LOG_CHAT,
    OWNER,
    ZHU,
    Bot,
    Sleeps,
    start_bot,
)

QUIET = -1007770001  # a group where the bot is a plain member


def notices(api: FakeBotApi, chat_id: int, group: str) -> list[str]:
    return [text for text in api.sent(chat_id) if group in text]


def reads(api: FakeBotApi, chat_id: int) -> int:
    return len(api.called("getChatMember", chat_id=chat_id, user_id=BOT_ID))


async def test_a_bot_made_a_plain_member_before_it_ran_tells_the_owners_once(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps
) -> None:
    api = world
    api.add_group(QUIET, "Quiet Group", owner=OWNER, members=[ZHU], bot_status="member")
    async with start_bot(api, tg_db, sleeps) as bot:
        api.post(QUIET, ZHU, "hello everyone")
        await bot.settle()
        [notice] = notices(api, LOG_CHAT, "Quiet Group")
        assert notice == (
            "⚠️ I was added to Quiet Group as a regular member. Please make me an "
            "administrator with these rights: Delete messages, Ban users, Invite users "
            "via link, Pin messages, Change group info."
        )
        assert api.sent(OWNER) == [notice]
    # Restarted, it reads its standing there again and says nothing new.
    async with start_bot(api, tg_db, sleeps) as bot:
        await bot.settle()
        assert reads(api, QUIET) == 2
    assert len(notices(api, LOG_CHAT, "Quiet Group")) == 1
    assert len(api.sent(OWNER)) == 1


async def test_a_right_taken_away_while_the_bot_was_down_is_told_at_start(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps
) -> None:
    api = world
    async with start_bot(api, tg_db, sleeps) as bot:
        api.post(GROUP, ANN, "good morning")
        await bot.settle()
        assert reads(api, GROUP) == 1
    # All in order and never told otherwise: nothing said.
    assert notices(api, LOG_CHAT, "Test Group") == []
    api.chats[GROUP].members[BOT_ID].rights["can_pin_messages"] = False
    async with start_bot(api, tg_db, sleeps) as bot:
        await bot.settle()
    [notice] = notices(api, LOG_CHAT, "Test Group")
    assert notice == (
        "⚠️ I am an administrator in Test Group but lack these rights: Pin messages. "
        "Please grant them."
    )
    assert api.sent(OWNER) == [notice]


async def test_a_demotion_is_told_in_each_owners_language_and_once(bot: Bot) -> None:
    api = bot.api
    api.users[OWNER]["language_code"] = "zh-hans"
    api.post(GROUP, ANN, "good morning")
    await bot.settle()
    api.bot_status(GROUP, "administrator", by=OWNER, rights={"can_delete_messages": False})
    await bot.settle()
    [log_notice] = notices(api, LOG_CHAT, "Test Group")
    assert "lack these rights: Delete messages." in log_notice
    assert api.sent(OWNER) == ["⚠️ 我是 Test Group 的管理员，但缺少这些权限：删除消息。请为我开启。"]
    # Another right the bot does not use is toggled: the same standing.
    api.bot_status(
        GROUP,
        "administrator",
        by=OWNER,
        rights={"can_delete_messages": False, "can_manage_video_chats": False},
    )
    await bot.settle()
    assert len(notices(api, LOG_CHAT, "Test Group")) == 1
    assert len(api.sent(OWNER)) == 1
    api.bot_status(GROUP, "administrator", by=OWNER)
    await bot.settle()
    assert notices(api, LOG_CHAT, "Test Group")[1:] == [
        "✅ I am an administrator in Test Group with every right I need."
    ]


async def test_a_refused_delete_makes_the_bot_read_its_rights_and_tell_the_owners(
    bot: Bot,
) -> None:
    """Demoted without the my_chat_member update reaching the bot."""
    api = bot.api
    api.post(GROUP, ANN, "good morning")
    await bot.settle()
    assert reads(api, GROUP) == 1
    api.chats[GROUP].members[BOT_ID].rights["can_delete_messages"] = False
    api.post(GROUP, ANN, "casino tonight")
    api.post(GROUP, ANN, "casino again")
    await bot.settle()
    assert len(api.refused("deleteMessage")) == 2
    # Two refusals, one read.
    assert reads(api, GROUP) == 2
    told = [text for text in api.sent(OWNER) if "lack these rights" in text]
    assert told == [
        "⚠️ I am an administrator in Test Group but lack these rights: Delete messages. "
        "Please grant them."
    ]
    assert told[0] in api.sent(LOG_CHAT)


async def test_the_log_chat_needs_no_rights_and_is_never_named(bot: Bot) -> None:
    api = bot.api
    api.post(LOG_CHAT, OWNER, "/stats")
    api.bot_status(LOG_CHAT, "member", by=OWNER)
    await bot.settle()
    assert [text for text in api.sent(LOG_CHAT) if "Mod log" in text] == []
    assert reads(api, LOG_CHAT) == 0


@pytest.mark.parametrize(
    ("error", "about"),
    [
        ("Not enough rights to restrict/unrestrict chat member", True),
        ("Message can't be deleted", True),
        ("CHAT_ADMIN_REQUIRED", True),
        ("Need administrator rights in the channel chat", True),
        ("Have no rights to send a message", True),
        ("Forbidden: bot was kicked from the supergroup chat", True),
        ("Forbidden: bot is not a member of the supergroup chat", True),
        # About the target or the message, not the bot's own standing.
        ("User is an administrator of the chat", False),
        ("Message to delete not found", False),
        ("Forbidden: bot was blocked by the user", False),
        ("Chat not found", False),
    ],
)
def test_which_refusals_speak_of_the_bots_rights(error: str, about: bool) -> None:
    assert about_rights(error) is about
