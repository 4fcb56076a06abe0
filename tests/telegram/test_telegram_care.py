"""Appeals, members' own data and the entry fee on Telegram, end to end: the
real python-telegram-bot against the fake Bot API, extended with Stars
payments and documents (tests/telegram/fake_payments.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.features.fee.feature import FeeFeature
from tests.telegram.fake_bot_api import FakeBotApi, Member
from tests.telegram.fake_payments import FakePaymentsApi
from tests.telegram.harness import ANN, GROUP, LOG_CHAT, MOD, OWNER, Bot

FIRST = -1002001
NEWCOMERS = (3101, 3102)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakePaymentsApi()
    await server.start()
    yield server
    await server.stop()


def payments(bot: Bot) -> FakePaymentsApi:
    assert isinstance(bot.api, FakePaymentsApi)
    return bot.api


def moderator_in_log_chat(api: FakeBotApi) -> None:
    api.chats[LOG_CHAT].members[MOD] = Member(api.users[MOD])


def last_with_button(api: FakeBotApi, chat_id: int, label: str) -> int:
    """The latest message in the chat with a button labelled so."""
    for mid in sorted(api.chats[chat_id].messages, reverse=True):
        if any(b["text"] == label for row in api.keyboard(chat_id, mid) for b in row):
            return mid
    raise AssertionError(f"no {label!r} button in {chat_id}")


async def test_a_banned_member_appeals_privately_and_a_moderator_accepts(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "join my channel, great deals inside")
    await bot.settle()
    api.post(GROUP, MOD, "/ban 1d spam links", reply_to=msg["message_id"])
    await bot.settle()
    assert api.member(GROUP, ANN).status == "kicked"

    # A member who writes to the bot has started the private chat.
    api.chats[ANN].started = True
    api.post(ANN, ANN, "/appeal It was the link to our own meetup group, not an advert.")
    await bot.settle()
    assert "reached the moderators" in api.sent(ANN)[-1]
    review = [t for t in api.sent(LOG_CHAT) if "Appeal #1" in t]
    assert review and "Case: banned in Test Group" in review[0]
    assert "join my channel" in review[0] or "It was the link" in review[0]

    mid = last_with_button(api, LOG_CHAT, "Accept #1")
    api.press_button(LOG_CHAT, MOD, mid, "Accept #1")
    await bot.settle()

    assert api.called("unbanChatMember", chat_id=GROUP, user_id=ANN)
    assert api.member(GROUP, ANN).status == "left"
    assert "was accepted" in api.sent(ANN)[-1]
    assert any("appeal #1 accepted" in t for t in api.sent(LOG_CHAT))


async def test_a_rejected_appeal_sends_the_reason_back(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "you are all clueless")
    await bot.settle()
    api.post(GROUP, MOD, "/mute 2h insults", reply_to=msg["message_id"])
    await bot.settle()
    api.chats[ANN].started = True
    api.post(ANN, ANN, "/appeal I was joking with a friend, it was not meant for anyone")
    await bot.settle()
    moderator_in_log_chat(api)

    api.post(LOG_CHAT, MOD, "/appeals 1 reject Insults are not welcome, joking or not.")
    await bot.settle()

    assert api.sent(ANN)[-1].endswith(
        "The moderators' reason: Insults are not welcome, joking or not."
    )
    assert not api.called("restrictChatMember", chat_id=GROUP, user_id=ANN)[1:]


async def test_mydata_arrives_as_a_json_document(bot: Bot) -> None:
    api = payments(bot)
    api.post(GROUP, ANN, "hello everyone")
    await bot.settle()
    api.chats[ANN].started = True
    api.post(ANN, ANN, "/mydata")
    await bot.settle()

    [(name, body, caption)] = api.files.sent[ANN]
    assert name.startswith("mydata-tg-test-") and name.endswith(".json")
    doc = json.loads(body)
    assert doc["member"] == f"telegram:{ANN}" and doc["profile"]["name"] == "Ann"
    assert caption and "points ledger" in caption
    # In the group it is refused: nothing personal goes there.
    api.post(GROUP, ANN, "/mydata")
    await bot.settle()
    assert "private chat" in api.sent(GROUP)[-1]
    assert len(api.files.sent[ANN]) == 1


async def small_paid_community(bot: Bot) -> FakePaymentsApi:
    """One group with one place left, and a fee of 50 Stars."""
    api = payments(bot)
    engine = bot.app.engine
    config = engine.config
    groups = config.groups.model_copy(update={"capacity": 3})
    entry = type(config.entry).model_validate({**config.entry.model_dump(), "fee": {"stars": 50}})
    engine.reload(config.model_copy(update={"groups": groups, "entry": entry}))
    api.add_group(FIRST, "Founders", owner=OWNER, bot_status="left")
    api.bot_status(FIRST, "administrator", by=OWNER)
    await bot.settle()
    for uid in NEWCOMERS:
        api.add_user(uid, f"New{uid}", f"new{uid}", started=True)
    return api


async def test_the_invite_comes_only_after_the_stars_payment(bot: Bot) -> None:
    api = await small_paid_community(bot)
    first = NEWCOMERS[0]
    api.post(first, first, "/start join-tg-test")
    await bot.settle()
    [invoice] = api.invoices_to(first)
    assert (invoice.stars, invoice.payload) == (50, "entry")
    [call] = api.called("sendInvoice", chat_id=first)
    assert call["currency"] == "XTR" and not api.called("createChatInviteLink")

    query = api.checkout(first, invoice)
    await bot.settle()
    assert api.checkouts[query].ok is True
    charge = api.complete(query)
    await bot.settle()

    [invite] = api.called("createChatInviteLink", chat_id=FIRST)
    assert int(invite["member_limit"]) == 1
    assert any("https://t.me/+" in t for t in api.sent(first))
    # A payment update delivered twice opens one place, once.
    api.redeliver_payment(charge)
    await bot.settle()
    assert len(api.called("createChatInviteLink", chat_id=FIRST)) == 1
    fee = bot.app.engine.feature(FeeFeature).fee
    [row] = await fee.store.payments("tg-test", fee.kit.clock.now().replace(year=2000))
    assert (row.charge, row.stars, row.status) == (charge, 50, "paid")


async def test_a_payment_with_no_place_left_is_refunded_and_a_late_checkout_refused(
    bot: Bot,
) -> None:
    api = await small_paid_community(bot)
    second = NEWCOMERS[1]
    for uid in NEWCOMERS:
        api.post(uid, uid, "/start join-tg-test")
        await bot.settle()
    queries = [api.checkout(uid, api.invoices_to(uid)[-1]) for uid in NEWCOMERS]
    await bot.settle()
    assert [api.checkouts[q].ok for q in queries] == [True, True]

    api.complete(queries[0])
    await bot.settle()
    late = api.complete(queries[1])
    await bot.settle()

    [refund] = api.called("refundStarPayment")
    assert int(refund["user_id"]) == second and refund["telegram_payment_charge_id"] == late
    assert api.charges[late].refunded
    assert any("refunded in full" in t for t in api.sent(second))
    assert len(api.called("createChatInviteLink", chat_id=FIRST)) == 1
    # A third try is refused at the checkout: nothing is charged.
    query = api.checkout(second, api.invoices_to(second)[-1])
    await bot.settle()
    assert api.checkouts[query].ok is False and "full" in (api.checkouts[query].error or "")
