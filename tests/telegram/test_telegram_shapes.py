"""Update shapes the real Bot API sends that the other tests' traffic never
does: edited captions, links hidden behind text or buttons, forum topics,
joins seen twice, update kinds the bot never asked for, unknown fields,
very long texts, a group upgraded to a supergroup, server errors. The real
python-telegram-bot Application polls the fake Bot API; assertions read the
server's call log and its world."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest

from bot.core.actions import DeleteMessage, SendDirect, SendMessage
from bot.core.events import ChatRef, UserRef
from tests.telegram.fake_bot_api import BOT_ID, FakeBotApi
from tests.telegram.harness import ANN, BOB, GROUP, LOG_CHAT, OWNER, Bot, Sleeps, start_bot

PHOTO = {"photo": [{"file_id": "AgAD1", "file_unique_id": "u1", "width": 90, "height": 90}]}
HIDDEN = "https://t.me/joinchat/AAAAAE"


def deleted(bot: Bot, chat_id: int, message_id: int) -> bool:
    api = bot.api
    return bool(api.called("deleteMessage", chat_id=chat_id, message_id=message_id)) or any(
        message_id in json.loads(p["message_ids"])
        for p in api.called("deleteMessages", chat_id=chat_id)
    )


def landed(api: FakeBotApi, chat_id: int) -> list[dict[str, Any]]:
    """The bot's messages as the chat holds them (with the topic they
    landed in), oldest first."""
    return [m for m in api.chats[chat_id].messages.values() if m["from"]["id"] == BOT_ID]


def link(offset: int, length: int, url: str = HIDDEN) -> dict[str, Any]:
    return {"type": "text_link", "offset": offset, "length": length, "url": url}


# -- spam in places the text is not ------------------------------------------


async def test_a_caption_edited_into_spam_is_removed(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, media=PHOTO, caption="the view from our office")
    await bot.settle()
    assert not api.called("deleteMessage")
    edited = dict(msg, caption="casino bonus, ask me", edit_date=int(time.time()))
    api.inject("edited_message", edited)
    await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])


async def test_a_link_hidden_in_a_command_shaped_message_is_checked(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "/hello nice to meet you all", entities=[link(7, 4)])
    await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])


async def test_a_link_hidden_in_our_own_command_is_checked(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "/report look at this", entities=[link(13, 7)])
    await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])


async def test_a_url_button_under_an_inline_bot_message_is_checked(bot: Bot) -> None:
    api = bot.api
    keyboard = {"inline_keyboard": [[{"text": "Claim your prize", "url": HIDDEN}]]}
    via = {"id": 777000123, "is_bot": True, "first_name": "Promo", "username": "promo_bot"}
    msg = api.post(GROUP, ANN, "Today only!", extra={"via_bot": via, "reply_markup": keyboard})
    await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])


async def test_a_poll_is_read_by_the_rules(bot: Bot) -> None:
    api = bot.api
    poll = {
        "id": "p1",
        "question": "Best way to earn?",
        "options": [{"text": "casino", "voter_count": 0}, {"text": "work", "voter_count": 0}],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    }
    msg = api.post(GROUP, ANN, media={"poll": poll})
    await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])


async def test_a_very_long_text_is_read_to_its_end(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "lorem ipsum " * 5000 + "casino")
    await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])


async def test_fields_the_bot_does_not_know_change_nothing(bot: Bot) -> None:
    api = bot.api
    future = {"paid_star_count": 5, "some_field_of_2030": {"nested": [1, {"x": None}]}}
    msg = api.post(GROUP, ANN, "casino night", extra=future)
    await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])


# -- channels speaking in the group -------------------------------------------

OWN_CHANNEL = {"id": -1007770002, "type": "channel", "title": "Cheap Followers"}
LINKED = {"id": -1007770003, "type": "channel", "title": "Test Founders News"}


async def test_spam_sent_as_a_members_own_channel_is_removed_and_the_channel_banned(
    bot: Bot,
) -> None:
    api = bot.api
    first = api.post_as_channel(GROUP, OWN_CHANNEL, "casino bonus tonight")
    await bot.settle()
    assert deleted(bot, GROUP, first["message_id"])
    # The warning ladder ends in a ban (at five): a channel's is banChatSenderChat.
    for n in range(4):
        api.post_as_channel(GROUP, OWN_CHANNEL, f"casino bonus, round {n}")
        await bot.settle()
    assert api.called("banChatSenderChat", chat_id=GROUP, sender_chat_id=OWN_CHANNEL["id"])
    assert OWN_CHANNEL["id"] in api.chats[GROUP].banned_senders
    assert not api.called("restrictChatMember") and not api.called("banChatMember")


async def test_the_groups_linked_channel_and_its_forwards_are_never_punished(bot: Bot) -> None:
    api = bot.api
    api.chats[GROUP].linked = LINKED["id"]
    forward = api.post_as_channel(GROUP, LINKED, "casino night recap", is_automatic_forward=True)
    comment = api.post_as_channel(GROUP, LINKED, "casino night: see the recap above")
    await bot.settle()
    assert not deleted(bot, GROUP, forward["message_id"])
    assert not deleted(bot, GROUP, comment["message_id"])


# -- forum topics --------------------------------------------------------------


async def test_a_warning_in_a_forum_topic_stays_in_that_topic(bot: Bot) -> None:
    api = bot.api
    topic = api.open_topic(GROUP, "Introductions", OWNER)
    msg = api.post_in_topic(GROUP, topic, ANN, "加微信 for a free course")
    await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])
    # The reply's target is gone: without the topic it would land in General.
    [warning] = landed(api, GROUP)
    assert warning["message_thread_id"] == topic


async def test_a_command_in_a_forum_topic_is_answered_in_that_topic(bot: Bot) -> None:
    api = bot.api
    topic = api.open_topic(GROUP, "Daily", OWNER)
    api.post_in_topic(GROUP, topic, BOB, "/checkin")
    await bot.settle()
    [answer] = landed(api, GROUP)
    assert "Bob checked in" in answer["text"]
    assert answer["message_thread_id"] == topic


async def test_a_message_in_the_general_topic_is_answered_without_a_topic(bot: Bot) -> None:
    api = bot.api
    api.open_topic(GROUP, "Daily", OWNER)
    api.post(GROUP, BOB, "/checkin")
    await bot.settle()
    [answer] = landed(api, GROUP)
    assert "message_thread_id" not in answer


async def test_a_message_for_a_topic_deleted_meanwhile_goes_to_general(bot: Bot) -> None:
    api = bot.api
    topic = api.open_topic(GROUP, "Old news", OWNER)
    await bot.settle()
    del api.chats[GROUP].topics[topic]  # type: ignore[union-attr]
    chat = ChatRef("telegram", str(GROUP), thread=str(topic))
    await bot.runner.gateway.execute([SendMessage(chat, "still here")])
    [message] = landed(api, GROUP)
    assert message["text"] == "still here" and "message_thread_id" not in message
    assert not bot.runner.gateway.failures


# -- joins ---------------------------------------------------------------------


async def test_a_join_seen_twice_is_welcomed_and_counted_once(bot: Bot) -> None:
    api = bot.api
    api.add_user(3001, "Nina", "nina")
    api.member_joins(GROUP, 3001)
    # Telegram also posts the service message for the same join.
    chat = api.chats[GROUP]
    api.inject(
        "message",
        {
            "message_id": chat.new_message_id(),
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": api.users[3001],
            "new_chat_members": [api.users[3001]],
            "new_chat_member": api.users[3001],
            "new_chat_participant": api.users[3001],
        },
    )
    await bot.settle()
    welcomes = [text for text in api.sent(GROUP) if "nina" in text]
    assert len(welcomes) == 1
    group = bot.app.engine.kit.directory.groups[f"telegram:{GROUP}"]
    assert group.member_count == 1


# -- updates the bot never asked for ------------------------------------------


async def test_update_kinds_the_bot_never_asked_for_are_skipped_and_named_once(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    api = bot.api
    api.sends_every_kind = True
    channel = {"id": -1007770001, "type": "channel", "title": "News"}
    post = {"message_id": 1, "date": int(time.time()), "chat": channel, "text": "casino"}
    with caplog.at_level(logging.INFO, logger="adapters.telegram.translate"):
        api.inject("channel_post", post)
        api.inject("edited_channel_post", dict(post, edit_date=int(time.time())))
        api.inject("business_message", dict(post, chat=api.chats[GROUP].as_json()))
        api.inject("update_kind_of_2030", {"anything": [1, 2, 3]})
        api.inject("update_kind_of_2030", {"anything": [4]})
        api.inject("message_reaction_count", {"chat": channel, "message_id": 1})
        msg = api.post(GROUP, ANN, "casino tonight")
        await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])
    assert not api.called("deleteMessage", chat_id=channel["id"])
    named = [r.getMessage() for r in caplog.records if "update_kind_of_2030" in r.getMessage()]
    assert len(named) == 1


async def test_a_message_with_no_sender_at_all_is_skipped(bot: Bot) -> None:
    api = bot.api
    chat = api.chats[GROUP]
    body = {"message_id": chat.new_message_id(), "date": int(time.time()), "chat": chat.as_json()}
    api.inject("message", body | {"text": "casino"})
    msg = api.post(GROUP, ANN, "casino again")
    await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])
    assert not deleted(bot, GROUP, body["message_id"])


# -- a group upgraded to a supergroup -----------------------------------------

BASIC = -5001
UPGRADED = -1005001


async def test_a_group_upgraded_to_a_supergroup_keeps_its_place_and_data(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps
) -> None:
    api = world
    api.add_group(BASIC, "Basic Group", type="group", owner=OWNER, members=[ANN, BOB])
    async with start_bot(api, tg_db, sleeps) as bot:
        api.post(BASIC, BOB, "/checkin")
        await bot.settle()
        directory = bot.app.engine.kit.directory
        before = directory.groups[f"telegram:{BASIC}"]
        serial, count = before.serial, before.member_count
        api.migrate(BASIC, UPGRADED, OWNER)
        await bot.settle()
        assert f"telegram:{BASIC}" not in directory.groups
        moved = directory.groups[f"telegram:{UPGRADED}"]
        assert (moved.serial, moved.member_count, moved.title) == (serial, count, "Basic Group")
        [notice] = [text for text in api.sent(LOG_CHAT) if "new chat id" in text]
        assert f"telegram:{BASIC} is telegram:{UPGRADED}" in notice
    # After a restart the group is still where it went, under its serial.
    async with start_bot(api, tg_db, sleeps) as bot:
        spam = api.post(UPGRADED, ANN, "casino tonight")
        api.post(UPGRADED, ANN, "/checkin")
        await bot.settle()
        assert deleted(bot, UPGRADED, spam["message_id"])
        assert any("checked in" in text for text in api.sent(UPGRADED))
        groups = bot.app.engine.kit.directory.groups
        assert f"telegram:{BASIC}" not in groups
        assert groups[f"telegram:{UPGRADED}"].serial == serial
        assert len({g.serial for g in groups.values()}) == len(groups)


async def test_a_message_for_an_upgraded_group_goes_where_the_group_went(bot: Bot) -> None:
    api = bot.api
    api.add_group(BASIC, "Basic Group", type="group", owner=OWNER, members=[ANN])
    api.post(BASIC, ANN, "hello there, everyone")
    await bot.settle()
    # Upgraded while the bot was away: only the refusal names the new chat.
    api.chats[BASIC].migrated_to = UPGRADED
    api.add_group(UPGRADED, "Basic Group", owner=OWNER, members=[ANN])
    old_chat = ChatRef("telegram", str(BASIC))
    await bot.runner.gateway.execute([SendMessage(old_chat, "hello", reply_to=1)])
    await bot.settle()
    assert api.sent(UPGRADED) == ["hello"]
    # Message ids count per chat: a message of the old chat is not deleted
    # by its number in the new one.
    victim = api.post(UPGRADED, ANN, "a message that must stay")
    await bot.runner.gateway.execute([DeleteMessage(old_chat, (victim["message_id"],))])
    assert victim["message_id"] in api.chats[UPGRADED].messages
    assert not bot.runner.gateway.failures
    directory = bot.app.engine.kit.directory
    assert f"telegram:{UPGRADED}" in directory.groups
    assert f"telegram:{BASIC}" not in directory.groups
    [notice] = [text for text in api.sent(LOG_CHAT) if "new chat id" in text]
    assert f"telegram:{UPGRADED}" in notice


# -- server errors -------------------------------------------------------------


async def test_a_server_error_on_a_delete_is_retried(bot: Bot) -> None:
    api = bot.api
    api.break_down("deleteMessage", 2, status=502)
    msg = api.post(GROUP, ANN, "casino")
    await bot.settle()
    assert msg["message_id"] not in api.chats[GROUP].messages
    assert [c.ok for c in api.calls if c.method == "deleteMessage"] == [False, False, True]


async def test_a_server_error_on_polling_is_waited_out(bot: Bot) -> None:
    api = bot.api
    api.break_down("getUpdates", 2, status=500)
    msg = api.post(GROUP, ANN, "casino")
    await bot.settle()
    assert deleted(bot, GROUP, msg["message_id"])


async def test_a_member_who_blocked_the_bot_is_reported_and_the_bot_goes_on(bot: Bot) -> None:
    api = bot.api
    api.chats[OWNER].blocked = True
    olga = UserRef("telegram", str(OWNER), "Olga", "olga")
    await bot.runner.gateway.execute([SendDirect(olga, "hello")])
    assert api.refused("sendMessage")[0].error == "Forbidden: bot was blocked by the user"
    api.post(GROUP, BOB, "/checkin")
    await bot.settle()
    assert any("Bob checked in" in text for text in api.sent(GROUP))
    assert BOT_ID in api.chats[GROUP].members


async def test_spam_edited_before_the_bot_read_it_is_warned_once(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "casino tonight")
    api.edit(GROUP, msg["message_id"], "casino tonight, bring friends")
    await bot.settle()
    warnings = [text for text in api.sent(GROUP) if "removed" in text]
    assert len(warnings) == 1 and "Warning 1 of 5" in warnings[0]
    assert not [t for t in api.sent(LOG_CHAT) if "could not delete" in t]


async def test_spam_another_bot_deleted_first_is_not_reported_as_a_failure(bot: Bot) -> None:
    api = bot.api
    chat = ChatRef("telegram", str(GROUP))
    await bot.runner.gateway.execute([DeleteMessage(chat, (4242,), case_id=3)])
    assert api.refused("deleteMessage")[0].error == "Bad Request: message to delete not found"
    assert api.sent(LOG_CHAT) == []
    # A refusal that leaves the message there is still the moderators' to hear.
    api.chats[GROUP].members[BOT_ID].rights["can_delete_messages"] = False
    kept = api.post(GROUP, ANN, "casino tonight")
    await bot.settle()
    assert kept["message_id"] in api.chats[GROUP].messages
    assert any("could not delete" in text for text in api.sent(LOG_CHAT))


async def test_a_chat_telegram_does_not_know_is_reported_and_the_bot_goes_on(bot: Bot) -> None:
    api = bot.api
    gone = ChatRef("telegram", "-1009999999", title="Deleted Group")
    await bot.runner.gateway.execute(
        [SendMessage(gone, "hello"), SendMessage(ChatRef("telegram", str(GROUP)), "still here")]
    )
    assert api.refused("sendMessage")[0].error == "Bad Request: chat not found"
    assert any("Chat not found" in text for text in api.sent(LOG_CHAT))
    assert api.sent(GROUP) == ["still here"]
