"""Overflow groups end to end on Telegram: the deep link `/start join-<slug>`
in private, single-use invite links (`createChatInviteLink member_limit=1`),
the spare group opened when the first one is full (with the first group's
photo, default permissions and pinned rules), the owner's `/pool add`
checked against the bot's real admin rights, and member counts reconciled
with `getChatMemberCount`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from telethon import errors
from telethon.tl import functions

from adapters.telegram.provision import Provisioner, admin_rights, bot_api_id
from bot.core.events import ChatRef, TimerFired
from tests.telegram.fake_bot_api import BOT_ID, BOT_USERNAME, FakeBotApi, Member
from tests.telegram.fake_telethon import FakeTelethon
from tests.telegram.harness import LOG_CHAT, OWNER, Bot, Sleeps, start_bot

FIRST, SPARE, UNREADY = -1002001, -1002002, -1002003
NEWCOMERS = range(3101, 3106)
PHOTO = b"\xff\xd8\xff\xe0" + b"founders' photo" * 20


def key(chat_id: int) -> str:
    return ChatRef("telegram", str(chat_id)).key


async def community_of_small_groups(bot: Bot, capacity: int) -> None:
    """Groups of `capacity` members; the owner created FIRST and SPARE and
    made the bot an administrator in each."""
    engine = bot.app.engine
    groups = engine.config.groups.model_copy(update={"capacity": capacity})
    engine.reload(engine.config.model_copy(update={"groups": groups}))
    api = bot.api
    for chat_id, title in ((FIRST, "Founders"), (SPARE, "New group")):
        api.add_group(chat_id, title, owner=OWNER, bot_status="left")
        api.bot_status(chat_id, "administrator", by=OWNER)
    await bot.settle()
    api.post(SPARE, OWNER, "/pool add")
    await bot.settle()
    for uid in NEWCOMERS:
        api.add_user(uid, f"New{uid}", f"new{uid}", started=True)


def invite_sent_to(api: FakeBotApi, uid: int) -> str:
    """The link in the bot's private message to `uid`."""
    [text] = [t for t in api.sent(uid) if "https://t.me/+" in t]
    return text[text.index("https://t.me/+") :].split()[0]


async def test_the_deep_link_hands_out_single_use_invites_and_opens_the_spare_at_capacity(
    bot: Bot,
) -> None:
    api = bot.api
    # FIRST holds its creator and the bot: two more fill it.
    await community_of_small_groups(bot, capacity=4)
    assert "now a spare" in api.sent(SPARE)[-1]
    # The owner gave the first group a photo and quieter defaults.
    api.set_photo(FIRST, PHOTO)
    api.chats[FIRST].permissions |= {"can_send_polls": False, "can_pin_messages": False}
    first, second, third = NEWCOMERS[:3]
    for uid in (first, second):
        api.post(uid, uid, "/start join-tg-test")
        await bot.settle()
        api.member_joins(FIRST, uid, invite_link=invite_sent_to(api, uid))
        await bot.settle()

    invites = api.called("createChatInviteLink", chat_id=FIRST)
    assert [int(p["member_limit"]) for p in invites] == [1, 1]
    assert all(int(p["expire_date"]) > time.time() for p in invites)
    # The join that reached capacity readied the spare, with its serial in the
    # title and the first group's photo and default permissions.
    spare = api.chats[SPARE]
    assert spare.title == "Test Founders #2"
    assert api.photo_of(SPARE) == PHOTO
    assert spare.permissions == api.chats[FIRST].permissions
    assert spare.permissions["can_send_polls"] is False
    # The rules, as /rules shows them, pinned without a notification.
    assert spare.pinned is not None
    assert api.called("pinChatMessage", chat_id=SPARE, disable_notification=True)
    rules = spare.messages[spare.pinned]["text"]
    assert rules.startswith("📜 Rules of") and "No ads or recruiting" in rules
    api.post(SPARE, OWNER, "/rules")
    await bot.settle()
    assert api.sent(SPARE)[-1] == rules
    assert bot.runner.gateway.failures == []
    groups = bot.app.engine.kit.directory.groups
    assert (groups[key(FIRST)].member_count, groups[key(SPARE)].state) == (4, "open")

    api.post(third, third, "/start join-tg-test")
    await bot.settle()
    assert [int(p["member_limit"]) for p in api.called("createChatInviteLink", chat_id=SPARE)] == [
        1
    ]
    assert "Test Founders #2" in api.sent(third)[0]
    # Someone already in a group is pointed back to it.
    api.post(first, first, "/start join-tg-test")
    await bot.settle()
    assert "You are already in Founders" in api.sent(first)[-1]
    assert len(api.called("createChatInviteLink")) == 3


async def test_pool_add_names_the_rights_the_bot_lacks_in_the_new_group(bot: Bot) -> None:
    api = bot.api
    api.add_group(UNREADY, "Half ready", owner=OWNER, bot_status="left")
    api.bot_status(UNREADY, "administrator", by=OWNER, rights={"can_invite_users": False})
    await bot.settle()
    api.post(UNREADY, OWNER, "/pool add")
    await bot.settle()
    assert api.called("getChatMember", chat_id=UNREADY, user_id=BOT_ID)
    assert "I lack Invite users via link" in api.sent(UNREADY)[-1]
    assert bot.app.engine.kit.directory.groups[key(UNREADY)].state == "open"

    # The owner grants the right (without the bot hearing of it): the next
    # /pool add reads the rights again and succeeds.
    api.chats[UNREADY].members[BOT_ID].rights = {}
    api.post(UNREADY, OWNER, "/pool add")
    await bot.settle()
    assert "now a spare" in api.sent(UNREADY)[-1]


async def test_member_counts_are_reconciled_with_telegrams_and_drift_is_reported(
    bot: Bot,
) -> None:
    api = bot.api
    await community_of_small_groups(bot, capacity=10)
    # Three people join while the bot misses it (it was down, say).
    for uid in NEWCOMERS[:3]:
        api.chats[FIRST].members[uid] = Member(api.users[uid])
    groups = bot.app.engine.kit.directory.groups
    assert groups[key(FIRST)].member_count == 2

    # The minute's tick (adapters.scheduler in production) finds a count due.
    later = bot.app.clock.now() + timedelta(minutes=1)
    bot.runner.gateway.submit(await bot.app.engine.handle(TimerFired("tick", later)))
    await bot.settle()

    assert api.called("getChatMemberCount", chat_id=FIRST)
    assert api.called("getChatMemberCount", chat_id=SPARE)
    assert groups[key(FIRST)].member_count == 5
    assert "Founders has 5 members by the platform's count, not 2 (+3)" in api.sent(LOG_CHAT)[-1]


# -- the provisioner: a user account creates the next group ------------------

ACCOUNT_CHANNEL = 1987654321
PROVISIONED = -1001987654321


def account_of(api: FakeBotApi) -> FakeTelethon:
    """The owner's own account, logged in with Telethon: what it creates
    appears in the fake Bot API, and the bot hears it was made admin there."""

    def created(channel_id: int, title: str, about: str) -> None:
        chat = api.add_group(bot_api_id(channel_id), title, owner=OWNER, bot_status="left")
        chat.description = about

    def promoted(channel_id: int) -> None:
        api.bot_status(bot_api_id(channel_id), "administrator", by=OWNER)

    return FakeTelethon(
        BOT_ID,
        BOT_USERNAME,
        next_channel_id=ACCOUNT_CHANNEL,
        on_created=created,
        on_admin=promoted,
    )


@asynccontextmanager
async def provisioning_bot(
    api: FakeBotApi, db: str, sleeps: Sleeps, account: FakeTelethon, capacity: int
) -> AsyncIterator[Bot]:
    """The bot with a provisioner and no spare groups, FIRST its only group."""
    async with start_bot(api, db, sleeps, provisioner=Provisioner(account)) as bot:
        engine = bot.app.engine
        config = engine.config
        groups = config.groups.model_copy(update={"capacity": capacity})
        telegram = config.platforms.telegram.model_copy(update={"provision": True})
        platforms = config.platforms.model_copy(update={"telegram": telegram})
        engine.reload(config.model_copy(update={"groups": groups, "platforms": platforms}))
        api.add_group(FIRST, "Founders", owner=OWNER, bot_status="left")
        api.chats[FIRST].description = "Founders of the community. Read /rules first."
        api.bot_status(FIRST, "administrator", by=OWNER)
        await bot.settle()
        for uid in NEWCOMERS:
            api.add_user(uid, f"New{uid}", f"new{uid}", started=True)
        yield bot


async def arrive(bot: Bot, uid: int, chat_id: int) -> None:
    bot.api.post(uid, uid, "/start join-tg-test")
    await bot.settle()
    bot.api.member_joins(chat_id, uid, invite_link=invite_sent_to(bot.api, uid))
    await bot.settle()


async def test_with_the_pool_empty_the_account_creates_the_next_group_and_newcomers_go_there(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps
) -> None:
    api, account = world, account_of(world)
    async with provisioning_bot(api, tg_db, sleeps, account, capacity=4) as bot:
        api.set_photo(FIRST, PHOTO)
        first, second, third = NEWCOMERS[:3]
        await arrive(bot, first, FIRST)
        assert account.requests == []
        # The join that fills FIRST (creator, bot and two newcomers) has the
        # account create the next group, with the template's description,
        # and make the bot its administrator with every right it needs.
        await arrive(bot, second, FIRST)

        assert [type(r).__name__ for r in account.requests] == [
            "CreateChannelRequest",
            "ResolveUsernameRequest",
            "InviteToChannelRequest",
            "EditAdminRequest",
        ]
        create = account.requests[0]
        assert create == functions.channels.CreateChannelRequest(
            title="Test Founders #2",
            about="Founders of the community. Read /rules first.",
            megagroup=True,
        )
        assert account.requests[3].admin_rights == admin_rights()
        # The core opened it, and the bot furnished it like a spare: the
        # template's photo and permissions, the rules pinned quietly.
        group = bot.app.engine.kit.directory.groups[key(PROVISIONED)]
        assert (group.state, group.serial, group.title) == ("open", 2, "Test Founders #2")
        new = api.chats[PROVISIONED]
        assert new.members[BOT_ID].status == "administrator"
        assert api.photo_of(PROVISIONED) == PHOTO
        assert new.permissions == api.chats[FIRST].permissions
        assert new.pinned is not None
        assert new.messages[new.pinned]["text"].startswith("📜 Rules of")
        log_chat = api.sent(LOG_CHAT)
        assert "🆕 Creating the next group on Telegram: Test Founders #2." in log_chat
        assert any("Test Founders #2" in line and "ready" in line for line in log_chat)
        assert bot.runner.gateway.failures == []

        # The very next newcomer is sent there, with a single-use invite.
        bot.api.post(third, third, "/start join-tg-test")
        await bot.settle()
        invites = api.called("createChatInviteLink", chat_id=PROVISIONED)
        assert [int(p["member_limit"]) for p in invites] == [1]
        assert "Test Founders #2" in api.sent(third)[0]
        assert len(account.requests) == 4


async def test_a_flood_wait_is_reported_to_the_log_chat_and_not_retried_on_every_join(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps
) -> None:
    api, account = world, account_of(world)
    account.errors[functions.channels.CreateChannelRequest] = errors.FloodWaitError(
        request=None, capture=3600
    )
    async with provisioning_bot(api, tg_db, sleeps, account, capacity=3) as bot:
        first, second, third = NEWCOMERS[:3]
        await arrive(bot, first, FIRST)
        assert (
            "⚠️ Telegram: could not create the next group from the template in Founders: "
            "create: A wait of 3600 seconds is required"
        ) in api.sent(LOG_CHAT)[-1]
        assert [op for op, *_ in bot.runner.gateway.failures] == ["clone"]
        # Newcomers past the cap hear there is no room; the account is not
        # asked again for each of them.
        for uid in (second, third):
            api.post(uid, uid, "/start join-tg-test")
            await bot.settle()
        assert len(account.requests) == 1
        assert api.called("createChatInviteLink", chat_id=FIRST) != []
        assert not any(c.id == PROVISIONED for c in api.chats.values())
        assert list(bot.app.engine.kit.directory.groups) == [key(FIRST)]


async def test_without_a_provisioner_the_owner_is_told_the_pool_is_empty(bot: Bot) -> None:
    api = bot.api
    engine = bot.app.engine
    groups = engine.config.groups.model_copy(update={"capacity": 3})
    engine.reload(engine.config.model_copy(update={"groups": groups}))
    api.add_group(FIRST, "Founders", owner=OWNER, bot_status="left")
    api.bot_status(FIRST, "administrator", by=OWNER)
    await bot.settle()
    api.add_user(NEWCOMERS[0], "New", "new", started=True)
    await arrive(bot, NEWCOMERS[0], FIRST)
    assert "No spare groups left on telegram" in api.sent(LOG_CHAT)[-1]
    assert not any("Creating the next group" in line for line in api.sent(LOG_CHAT))
