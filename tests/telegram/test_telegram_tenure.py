"""On Telegram, a member posting in a group the bot was just added to was
there before it: the spam guard's newcomer checks spare them, while a member
the bot sees join still meets them. The real python-telegram-bot Application
polls the fake Bot API."""

from __future__ import annotations

from tests.telegram.fake_bot_api import Member
from tests.telegram.harness import OWNER, ZHU, Bot

ADOPTED = -1007777
VETERAN = 3030
NEWCOMER = 3031
# Fifteen emoji: more than a newcomer's `max_emoji`, nothing for a member.
CHEER = "新版本发布啦 " + "🎉" * 15


def removed(bot: Bot, chat_id: int, message_id: int) -> bool:
    api = bot.api
    return bool(api.called("deleteMessage", chat_id=chat_id, message_id=message_id)) or bool(
        api.called("restrictChatMember", chat_id=chat_id)
    )


async def test_members_of_a_group_the_bot_joins_are_not_newcomers(bot: Bot) -> None:
    api = bot.api
    api.add_user(VETERAN, "Vera")
    api.add_user(NEWCOMER, "Nico")
    api.add_group(ADOPTED, "Old Group", owner=OWNER, members=[ZHU, VETERAN], bot_status="left")
    api.bot_status(ADOPTED, "administrator", by=OWNER)
    await bot.settle()

    cheer = api.post(ADOPTED, VETERAN, CHEER)
    await bot.settle()
    assert not removed(bot, ADOPTED, cheer["message_id"])

    api.chats[ADOPTED].members[NEWCOMER] = Member(api.users[NEWCOMER], "left")
    api.member_joins(ADOPTED, NEWCOMER)
    await bot.settle()
    again = api.post(ADOPTED, NEWCOMER, CHEER)
    await bot.settle()
    assert api.called("deleteMessage", chat_id=ADOPTED, message_id=again["message_id"])
