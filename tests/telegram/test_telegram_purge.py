"""`/purge` on Telegram, end to end: python-telegram-bot polls the fake Bot
API, a moderator types `/purge`, and the fake receives `deleteMessages`
with exactly the ids meant, at most 100 to a call."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.core.actions import DeleteMessage
from bot.core.events import ChatRef
from bot.core.i18n import t
from tests.telegram.fake_bot_api import FakeBotApi, bad
from tests.telegram.harness import ANN, BOB, GROUP, LOG_CHAT, MOD, OWNER, Bot

GROUP_REF = ChatRef("telegram", str(GROUP))


def deleted(api: FakeBotApi) -> list[list[int]]:
    return [json.loads(p["message_ids"]) for p in api.called("deleteMessages", chat_id=GROUP)]


async def test_purge_n_deletes_the_last_n_and_the_command_in_one_call(bot: Bot) -> None:
    api = bot.api
    kept = api.post(GROUP, ANN, "good morning everyone")["message_id"]
    gone = [
        api.post(GROUP, who, f"chatter {n}")["message_id"] for n, who in enumerate((ANN, BOB, ANN))
    ]
    command = api.post(GROUP, MOD, "/purge 3")["message_id"]
    await bot.settle()

    assert deleted(api) == [[*gone, command]]
    assert kept in api.chats[GROUP].messages
    assert not {*gone, command} & set(api.chats[GROUP].messages)
    assert api.sent(GROUP)[-1] == "🧹 Deleted 3 message(s)."
    assert any("@max_mod purged 3 message(s) in Test Group" in t for t in api.sent(LOG_CHAT))


async def test_purge_as_a_reply_deletes_from_that_message_on(bot: Bot) -> None:
    api = bot.api
    kept = api.post(GROUP, BOB, "before the argument")["message_id"]
    start = api.post(GROUP, ANN, "you are wrong")["message_id"]
    rest = [api.post(GROUP, BOB, f"no, you {n}")["message_id"] for n in range(2)]
    command = api.post(GROUP, MOD, "/purge", reply_to=start)["message_id"]
    await bot.settle()

    assert deleted(api) == [[start, *rest, command]]
    assert kept in api.chats[GROUP].messages


async def test_purge_of_one_member_and_the_confirmation_is_purged_next(bot: Bot) -> None:
    api = bot.api
    anns = [api.post(GROUP, ANN, f"ann {n}")["message_id"] for n in range(3)]
    bobs = [api.post(GROUP, BOB, f"bob {n}")["message_id"] for n in range(2)]
    first = api.post(GROUP, MOD, "/purge 10 @ann")["message_id"]
    await bot.settle()
    [confirmation] = [
        mid for mid, m in api.chats[GROUP].messages.items() if "Deleted 3" in m.get("text", "")
    ]

    second = api.post(GROUP, MOD, "/purge 1")["message_id"]
    await bot.settle()

    assert deleted(api) == [[*anns, first], [confirmation, second]]
    assert set(bobs) <= set(api.chats[GROUP].messages)


async def test_messages_older_than_48_hours_are_left_and_said_so(bot: Bot) -> None:
    api = bot.api
    three_days_ago = int(time.time()) - 3 * 24 * 3600
    old = [api.post(GROUP, ANN, f"old {n}", date=three_days_ago)["message_id"] for n in range(2)]
    new = api.post(GROUP, BOB, "new")["message_id"]
    command = api.post(GROUP, MOD, "/purge 5")["message_id"]
    await bot.settle()

    assert deleted(api) == [[new, command]]
    assert set(old) <= set(api.chats[GROUP].messages)
    assert "2 older than 48 hours stay" in api.sent(GROUP)[-1]


async def test_a_refused_call_does_not_stop_the_next_and_is_reported_once(bot: Bot) -> None:
    api = bot.api
    # Spread over the last minutes, so the flood rule lets them be.
    start = int(time.time()) - 3 * 150
    ids = [
        api.post(GROUP, ANN, f"note number {n}", date=start + 3 * n)["message_id"]
        for n in range(150)
    ]
    real = api._m_deleteMessages
    calls = 0

    async def first_refused(p: dict[str, Any]) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise bad("message can't be deleted")
        return await real(p)

    api._m_deleteMessages = first_refused  # type: ignore[method-assign]
    command = api.post(GROUP, MOD, "/purge 150")["message_id"]
    await bot.settle()

    [refused] = api.refused("deleteMessages")
    assert json.loads(refused.params["message_ids"]) == ids[:100]
    assert deleted(api) == [[*ids[100:], command]]
    assert not set(ids[100:]) & set(api.chats[GROUP].messages)
    failures = [f for f in bot.runner.gateway.failures if f[0] == "delete"]
    assert len(failures) == 1 and "can't be deleted" in failures[0][3]


async def test_bad_counts_are_explained_and_nothing_is_deleted(bot: Bot) -> None:
    api = bot.api
    api.post(GROUP, ANN, "hello")
    for typed in ("/purge", "/purge abc", "/purge 0", "/purge 501"):
        api.post(GROUP, MOD, typed)
    api.post(GROUP, ANN, "/purge 3")
    await bot.settle()

    said = api.sent(GROUP)
    assert sum("Usage: /purge N (1 to 500)" in t for t in said) == 4
    assert any("Only moderators can use /purge." in t for t in said)
    assert deleted(api) == [] and not api.called("deleteMessage")


async def test_deleting_a_message_already_gone_is_no_failure(bot: Bot) -> None:
    api = bot.api
    mid = api.post(GROUP, ANN, "deleted by its author")["message_id"]
    await bot.settle()
    del api.chats[GROUP].messages[mid]

    await bot.runner.gateway.execute([DeleteMessage(GROUP_REF, (mid,), "purge", 7)])

    assert [c.error for c in api.refused("deleteMessage")] != []
    assert bot.runner.gateway.failures == []
    assert not any("could not delete" in t for t in api.sent(LOG_CHAT))


async def test_the_bots_own_replies_count_as_messages(bot: Bot) -> None:
    """sendMessage's message_id joins the history: `/purge 2` takes the
    newest two messages the chat shows, the bot's reply one of them."""
    api = bot.api
    checkin = api.post(GROUP, ANN, "/checkin")["message_id"]
    await bot.settle()
    [reply] = [mid for mid in api.chats[GROUP].messages if mid > checkin]
    after = api.post(GROUP, BOB, "nice")["message_id"]
    command = api.post(GROUP, MOD, "/purge 2")["message_id"]
    await bot.settle()

    assert deleted(api) == [[reply, after, command]]
    assert checkin in api.chats[GROUP].messages
    assert api.sent(GROUP)[-1] == "🧹 Deleted 2 message(s)."


async def test_ids_no_bot_was_shown_in_the_run_go_too(bot: Bot) -> None:
    """Outside forums the ids between the messages taken are messages of
    the chat too (a service message no bot is shown): they go with them."""
    api = bot.api
    kept = api.post(GROUP, BOB, "before")["message_id"]
    first = api.post(GROUP, ANN, "one")["message_id"]
    chat = api.chats[GROUP]
    unseen = chat.new_message_id()
    chat.messages[unseen] = {"message_id": unseen, "chat": chat.as_json(), "date": 0}
    second = api.post(GROUP, BOB, "two")["message_id"]
    command = api.post(GROUP, MOD, "/purge 2")["message_id"]
    await bot.settle()

    assert deleted(api) == [[first, unseen, second, command]]
    assert kept in api.chats[GROUP].messages


async def test_the_log_chat_is_not_purged(bot: Bot) -> None:
    api = bot.api
    api.post(LOG_CHAT, OWNER, "note to the other moderators")
    api.post(LOG_CHAT, OWNER, "/purge 5")
    await bot.settle()

    assert api.sent(LOG_CHAT)[-1] == t("en", "purge.log_chat")
    assert not api.called("deleteMessages") and not api.called("deleteMessage")


def topic_of(api: FakeBotApi, mid: int) -> int | None:
    message = api.chats[GROUP].messages[mid]
    return message.get("message_thread_id") if message.get("is_topic_message") else None


async def test_a_purge_in_a_forum_topic_stays_in_that_topic(bot: Bot) -> None:
    """Ids count per chat, not per topic: a purge in one topic deletes the
    messages the bot saw there and its own replies there, never another
    topic's, though their ids lie in between."""
    api = bot.api
    rules = api.open_topic(GROUP, "Rules talk", by=OWNER)
    market = api.open_topic(GROUP, "Market", by=OWNER)
    a1 = api.post_in_topic(GROUP, rules, ANN, "rules are fine")["message_id"]
    b1 = api.post_in_topic(GROUP, market, BOB, "selling a bike")["message_id"]
    checkin = api.post_in_topic(GROUP, rules, ANN, "/checkin")["message_id"]
    await bot.settle()
    replies = [mid for mid in api.chats[GROUP].messages if mid > checkin]
    assert replies and all(topic_of(api, mid) == rules for mid in replies)
    b2 = api.post_in_topic(GROUP, market, BOB, "still selling")["message_id"]
    a2 = api.post_in_topic(GROUP, rules, ANN, "agreed")["message_id"]
    general = api.post(GROUP, BOB, "in General")["message_id"]
    command = api.post_in_topic(GROUP, rules, MOD, "/purge 20")["message_id"]
    await bot.settle()

    assert deleted(api) == [[a1, checkin, *replies, a2, command]]
    assert {b1, b2, general, rules, market} <= set(api.chats[GROUP].messages)
    [confirmation] = [
        mid for mid, m in api.chats[GROUP].messages.items() if "Deleted" in m.get("text", "")
    ]
    assert topic_of(api, confirmation) == rules

    # The other topic's purge takes its own and leaves the first's confirmation.
    second = api.post_in_topic(GROUP, market, MOD, "/purge 20")["message_id"]
    await bot.settle()
    assert deleted(api)[1] == [b1, b2, second]
    assert {confirmation, general} <= set(api.chats[GROUP].messages)


async def test_a_purge_in_a_forums_general_topic_leaves_the_topics(bot: Bot) -> None:
    api = bot.api
    topic = api.open_topic(GROUP, "Market", by=OWNER)
    g1 = api.post(GROUP, ANN, "hello in General")["message_id"]
    t1 = api.post_in_topic(GROUP, topic, BOB, "selling a bike")["message_id"]
    g2 = api.post(GROUP, ANN, "anyone?")["message_id"]
    command = api.post(GROUP, MOD, "/purge 5")["message_id"]
    await bot.settle()

    assert deleted(api) == [[g1, g2, command]]
    assert t1 in api.chats[GROUP].messages
