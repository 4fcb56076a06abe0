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


async def test_the_bots_own_replies_in_the_run_go_too(bot: Bot) -> None:
    api = bot.api
    kept = api.post(GROUP, BOB, "before")["message_id"]
    checkin = api.post(GROUP, ANN, "/checkin")["message_id"]
    await bot.settle()
    [reply] = [mid for mid in api.chats[GROUP].messages if mid > checkin]
    after = api.post(GROUP, BOB, "nice")["message_id"]
    command = api.post(GROUP, MOD, "/purge 2")["message_id"]
    await bot.settle()

    assert deleted(api) == [[checkin, reply, after, command]]
    assert kept in api.chats[GROUP].messages
    assert api.sent(GROUP)[-1] == "🧹 Deleted 2 message(s)."


async def test_the_log_chat_is_not_purged(bot: Bot) -> None:
    api = bot.api
    api.post(LOG_CHAT, OWNER, "note to the other moderators")
    api.post(LOG_CHAT, OWNER, "/purge 5")
    await bot.settle()

    assert api.sent(LOG_CHAT)[-1] == t("en", "purge.log_chat")
    assert not api.called("deleteMessages") and not api.called("deleteMessage")
