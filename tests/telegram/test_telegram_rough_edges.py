"""Rough edges a new owner met, on Telegram (PTB against the fake Bot API):
what a member hears when they write to the bot privately as to a person."""

from __future__ import annotations

from bot.core.i18n import t
from tests.telegram.harness import ADMIN, ANN, BOB, GROUP, LOG_CHAT, ZHU, Bot


async def test_a_plain_private_message_gets_one_hint_in_the_members_language(bot: Bot) -> None:
    api = bot.api
    # A member who writes to the bot has started the private chat.
    api.chats[ANN].started = api.chats[ZHU].started = True
    api.post(ANN, ANN, "hello, is anyone there?")
    api.post(ANN, ANN, "hello??")
    api.post(ZHU, ZHU, "你好，在吗")
    await bot.settle()
    en = t("en", "private_hint", name="Ann", community="Test Founders")
    zh = t("zh", "private_hint", name="朱", community="Test Founders")
    # One hint for the chatty member, not one per message; 朱's Telegram
    # speaks Chinese, so the hint does too.
    assert api.sent(ANN) == [en]
    assert api.sent(ZHU) == [zh]
    assert "/help" in en and "/help" in zh


async def test_a_private_command_is_answered_without_the_hint(bot: Bot) -> None:
    api = bot.api
    api.chats[ANN].started = True
    api.post(ANN, ANN, "/help")
    await bot.settle()
    [answer] = api.sent(ANN)
    assert answer.startswith("Commands:")


async def test_a_group_admin_not_in_the_config_moderates_privately(bot: Bot) -> None:
    # ADMIN administers GROUP on Telegram but is no moderator in the config:
    # in a private chat the bot asks Telegram, as it does in the group.
    api = bot.api
    api.post(GROUP, ANN, "hello")
    await bot.settle()
    api.chats[ADMIN].started = api.chats[BOB].started = True
    api.post(ADMIN, ADMIN, "/warn @ann spam")
    api.post(BOB, BOB, "/warn @ann spam")
    await bot.settle()
    [warned] = api.sent(ADMIN)
    assert warned.startswith("⚠️ @ann has been warned by a moderator (spam)")
    assert api.sent(BOB) == ["Only moderators can use /warn."]
    assert any("Case #1" in text for text in api.sent(LOG_CHAT))
    # A member's own command privately costs no question to Telegram.
    asked = len(api.called("getChatAdministrators"))
    api.post(BOB, BOB, "/me")
    await bot.settle()
    assert len(api.called("getChatAdministrators")) == asked
