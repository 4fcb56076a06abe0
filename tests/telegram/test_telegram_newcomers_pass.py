"""A new owner's pass over Telegram: what members and moderators do that the
other tests do not (private chats, names without a username, long and odd
texts), each checked on the fake Bot API's call log."""

from __future__ import annotations

from tests.telegram.harness import ANN, BOB, GROUP, LOG_CHAT, MOD, OWNER, ZHU, Bot


async def test_a_sanction_sent_privately_is_refused_not_done_in_the_private_chat(
    bot: Bot,
) -> None:
    api = bot.api
    api.post(GROUP, ANN, "hello")
    await bot.settle()
    api.post(OWNER, OWNER, "/mute @ann 10m")
    api.post(OWNER, OWNER, "/ban@gk_test_bot @ann")
    await bot.settle()
    assert not api.called("restrictChatMember") and not api.called("banChatMember")
    assert api.sent(OWNER) == [
        "/mute works in a group: send it there, as a reply to the member's message or naming @name.",
        "/ban works in a group: send it there, as a reply to the member's message or naming @name.",
    ]


async def test_a_private_warning_reads_in_one_language(bot: Bot) -> None:
    api = bot.api
    api.post(GROUP, ZHU, "/lang zh")
    await bot.settle()
    api.post(OWNER, OWNER, "/warn @zhu spam")
    await bot.settle()
    [reply] = api.sent(OWNER)
    assert reply == "⚠️ @zhu has been warned by a moderator (spam). Warning 1 of 5."
    assert any("Case #1" in text for text in api.sent(LOG_CHAT))


async def test_a_member_without_username_is_named_by_first_name(bot: Bot) -> None:
    api = bot.api
    api.post(GROUP, BOB, "/checkin")
    await bot.settle()
    [reply] = api.sent(GROUP)
    assert reply.startswith("✅ Bob checked in") and "@None" not in reply


async def test_a_long_odd_text_is_taken_and_answered_within_telegram_limits(bot: Bot) -> None:
    api = bot.api
    odd = "🙂‍↔️👩🏽‍💻 \u202ereversed\u202c ｆｕｌｌ 𝐛𝐨𝐥𝐝 " * 150
    api.post(GROUP, ANN, "/feedback " + odd[:4000])
    await bot.settle()
    [thanks] = api.sent(GROUP)
    assert "#1" in thanks and "first 2000 characters" in thanks
    logged = api.called("sendMessage", chat_id=LOG_CHAT)
    assert logged and all(len(p["text"]) <= 4096 for p in logged)
    # Feedback keeps its first 2,000 characters, odd ones included.
    assert "".join(p["text"] for p in logged).count("𝐛𝐨𝐥𝐝") == odd[:2000].count("𝐛𝐨𝐥𝐝")
    assert not api.refused("sendMessage")


async def test_a_moderator_command_in_a_group_works_with_the_bot_suffix(bot: Bot) -> None:
    api = bot.api
    api.post(GROUP, ANN, "hello")
    api.post(GROUP, MOD, "/warnings@gk_test_bot @ann")
    await bot.settle()
    assert api.sent(GROUP) == ["@ann has no active warnings."]


async def test_an_edit_into_a_command_issues_nothing(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "good morning all")
    await bot.settle()
    api.edit(GROUP, msg["message_id"], "/checkin")
    target = api.post(GROUP, BOB, "hello")
    mod = api.post(GROUP, MOD, "thanks")
    await bot.settle()
    api.edit(GROUP, mod["message_id"], "/ban")
    await bot.settle()
    assert api.sent(GROUP) == [] and not api.called("banChatMember")
    assert target["message_id"] in api.chats[GROUP].messages
