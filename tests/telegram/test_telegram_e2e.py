"""End to end: the real python-telegram-bot Application, built by
`build_application`, polling (or behind a webhook) against the fake Bot API
server; assertions read the server's call log and its world."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import aiohttp
import pytest

from adapters.app import build_app
from adapters.telegram.limiter import Limits
from adapters.telegram.runner import serve
from adapters.telegram.translate import UPDATE_KINDS
from bot.core.actions import SendDirect, SendMessage
from bot.core.events import ChatRef, UserRef
from bot.features.economy.feature import EconomyFeature
from bot.features.points.feature import PointsFeature
from storage.sql_store import SqlStore
from tests.telegram.fake_bot_api import BOT_ID, FakeBotApi, PostRefused, ServerLimits
from tests.telegram.harness import (
    ADMIN,
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
    start_bot,
)

GROUP_REF = ChatRef("telegram", str(GROUP))


def replied_to(api: FakeBotApi, chat_id: int) -> list[int]:
    return [
        json.loads(p["reply_parameters"])["message_id"]
        for p in api.called("sendMessage", chat_id=chat_id)
        if "reply_parameters" in p
    ]


async def test_blocked_word_deletes_the_message_and_warns_the_member(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "加微信 看看我的副业")
    await bot.settle()
    assert api.called("deleteMessage", chat_id=GROUP, message_id=msg["message_id"])
    assert msg["message_id"] not in api.chats[GROUP].messages
    [warning] = api.sent(GROUP)
    assert "@ann" in warning and "removed" in warning and "Warning 1 of 5" in warning
    assert any("Case #1" in text for text in api.sent(LOG_CHAT))


async def test_a_hidden_link_is_checked_like_visible_text(bot: Bot) -> None:
    api = bot.api
    link = {"type": "text_link", "offset": 0, "length": 5, "url": "https://t.me/joinchat/AAAA"}
    msg = api.post(GROUP, ANN, "click here for a prize", entities=[link])
    await bot.settle()
    assert api.called("deleteMessage", chat_id=GROUP, message_id=msg["message_id"])


async def test_an_edited_message_is_checked_again(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "hello everyone, nice to meet you")
    await bot.settle()
    assert not api.called("deleteMessage")
    api.edit(GROUP, msg["message_id"], "加微信 for a discount")
    await bot.settle()
    assert api.called("deleteMessage", chat_id=GROUP, message_id=msg["message_id"])


async def test_flood_mutes_the_member_until_ten_minutes_after_the_last_message(bot: Bot) -> None:
    api = bot.api
    date = int(time.time())
    for n in range(6):
        api.post(GROUP, ANN, f"message number {n}", date=date)
    await bot.settle()
    [mute] = api.called("restrictChatMember", chat_id=GROUP, user_id=ANN)
    assert int(mute["until_date"]) == date + 600
    assert not any(json.loads(mute["permissions"]).values())
    assert api.member(GROUP, ANN).status == "restricted"  # type: ignore[union-attr]
    with pytest.raises(PostRefused):
        api.post(GROUP, ANN, "let me speak")
    assert any("muted for 10m" in text for text in api.sent(GROUP))


async def test_a_join_is_welcomed_by_the_group_name(bot: Bot) -> None:
    api = bot.api
    api.add_user(3001, "Nina", "nina")
    api.member_joins(GROUP, 3001, invite_link="https://t.me/+abc")
    await bot.settle()
    [welcome] = api.sent(GROUP)
    assert "Test Group" in welcome and "@nina" in welcome
    assert bot.app.engine.kit.directory.groups[GROUP_REF.key].member_count == 1


async def test_a_join_request_is_approved_and_the_newcomer_welcomed(bot: Bot) -> None:
    api = bot.api
    api.add_user(3002, "Omar", "omar")
    api.request_join(GROUP, 3002, invite_link="https://t.me/+req")
    await bot.settle()
    assert api.called("approveChatJoinRequest", chat_id=GROUP, user_id=3002)
    assert api.member(GROUP, 3002).status == "member"  # type: ignore[union-attr]
    [welcome] = api.sent(GROUP)
    assert "@omar" in welcome


async def test_declining_a_request_twice_reports_the_second_failure(bot: Bot) -> None:
    from bot.core.actions import DeclineJoin

    api = bot.api
    api.add_user(3003, "Pia")
    api.chats[GROUP].join_requests[3003] = {}
    pia = UserRef("telegram", "3003", "Pia")
    await bot.runner.gateway.execute([DeclineJoin(GROUP_REF, pia), DeclineJoin(GROUP_REF, pia)])
    assert len(api.called("declineChatJoinRequest", chat_id=GROUP, user_id=3003)) == 1
    [report] = api.sent(LOG_CHAT)
    # PTB turns "Bad Request: HIDE_REQUESTER_MISSING" into this.
    assert "decline a join request" in report and "Hide_requester_missing" in report


async def test_checkin_in_english_and_in_chinese(bot: Bot) -> None:
    api = bot.api
    api.post(GROUP, ANN, "/checkin")
    api.post(GROUP, ZHU, "/lang zh")
    await bot.settle()
    api.post(GROUP, ZHU, "签到")
    await bot.settle()
    english, _language, chinese = api.sent(GROUP)
    assert "@ann checked in: +10 points" in english
    assert "签到成功" in chinese and "+10" in chinese
    assert bot.app.engine.feature(PointsFeature).points.balance(f"telegram:{ZHU}") == 10


async def test_a_command_for_another_bot_is_ignored(bot: Bot) -> None:
    api = bot.api
    api.post(GROUP, BOB, "/checkin@other_bot")
    await bot.settle()
    assert api.sent(GROUP) == []
    mine = api.post(GROUP, BOB, "/checkin@gk_test_bot")
    await bot.settle()
    [reply] = api.sent(GROUP)
    assert "+10 points" in reply
    assert replied_to(api, GROUP) == [mine["message_id"]]


async def test_a_moderator_bans_by_replying(bot: Bot) -> None:
    api = bot.api
    spam = api.post(GROUP, BOB, "buy my course")
    api.post(GROUP, MOD, "/ban spamming", reply_to=spam["message_id"])
    await bot.settle()
    [ban] = api.called("banChatMember", chat_id=GROUP, user_id=BOB)
    assert "until_date" not in ban
    assert api.member(GROUP, BOB).status == "kicked"  # type: ignore[union-attr]
    assert any("Bob is banned (spamming)" in text for text in api.sent(GROUP))


async def test_a_moderator_bans_a_member_without_username_by_mentioning_them(bot: Bot) -> None:
    api = bot.api
    api.post(GROUP, BOB, "buy my course")
    bob = api.users[BOB]
    mention = {"type": "text_mention", "offset": 5, "length": 3, "user": bob}
    api.post(GROUP, MOD, "/ban Bob 2h spam", entities=[mention])
    await bot.settle()
    [ban] = api.called("banChatMember", chat_id=GROUP, user_id=BOB)
    assert "until_date" in ban
    assert any("Bob is banned for 2h (spam)" in text for text in api.sent(GROUP))


async def test_a_telegram_admin_bans_for_a_day_by_replying(bot: Bot) -> None:
    api = bot.api
    spam = api.post(GROUP, ZHU, "buy my course")
    date = int(time.time())
    api.post(GROUP, ADMIN, "/ban 1d", reply_to=spam["message_id"], date=date)
    await bot.settle()
    [ban] = api.called("banChatMember", chat_id=GROUP, user_id=ZHU)
    assert int(ban["until_date"]) == date + 86400


async def test_a_member_cannot_ban(bot: Bot) -> None:
    api = bot.api
    target = api.post(GROUP, BOB, "hello there")
    api.post(GROUP, ANN, "/ban", reply_to=target["message_id"])
    await bot.settle()
    assert not api.called("banChatMember")
    assert api.sent(GROUP) == ["Only moderators can use /ban."]


async def test_a_promotion_refreshes_the_admin_list(bot: Bot) -> None:
    api = bot.api
    target = api.post(GROUP, BOB, "hello there")
    api.post(GROUP, ANN, "/ban", reply_to=target["message_id"])
    await bot.settle()
    assert not api.called("banChatMember")
    api.promote(GROUP, ANN, by=OWNER)
    await bot.settle()
    api.post(GROUP, ANN, "/ban", reply_to=target["message_id"])
    await bot.settle()
    assert api.called("banChatMember", chat_id=GROUP, user_id=BOB)
    assert len(api.called("getChatAdministrators", chat_id=GROUP)) == 2


async def test_an_anonymous_admin_is_never_punished_and_can_moderate(bot: Bot) -> None:
    api = bot.api
    chat = api.chats[GROUP]
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}  # fmt: skip
    target = api.post(GROUP, BOB, "spam spam spam")

    def as_group(text: str, **extra: object) -> dict[str, object]:
        msg = {"message_id": chat.new_message_id(), "date": int(time.time()), "chat": chat.as_json(),
               "from": anonymous, "sender_chat": chat.as_json(), "text": text, **extra}  # fmt: skip
        chat.messages[msg["message_id"]] = msg  # type: ignore[index]
        api.inject("message", msg)
        return msg

    as_group("加微信 official announcement")
    as_group("/mute 5m", reply_to_message=target)
    await bot.settle()
    assert not api.called("deleteMessage")
    assert api.called("restrictChatMember", chat_id=GROUP, user_id=BOB)


async def test_the_bot_asks_for_the_admin_rights_it_lacks(bot: Bot) -> None:
    api = bot.api
    api.add_group(-1002222, "Second Group", owner=OWNER, bot_status="left")
    missing = {"can_restrict_members": False, "can_pin_messages": False}
    api.bot_status(-1002222, "administrator", by=OWNER, rights=missing)
    await bot.settle()
    [notice] = api.sent(OWNER)
    assert "Second Group" in notice and "Ban users" in notice and "Pin messages" in notice
    assert "Delete messages" not in notice
    assert notice in api.sent(LOG_CHAT)
    assert api.called("getChatMemberCount", chat_id=-1002222)
    group = bot.app.engine.kit.directory.groups["telegram:-1002222"]
    assert group.title == "Second Group" and group.member_count == 2


async def test_the_log_chat_hears_when_the_bot_is_ready_and_when_it_is_removed(bot: Bot) -> None:
    api = bot.api
    api.add_group(-1004444, "Fourth Group", owner=OWNER, bot_status="left")
    api.bot_status(-1004444, "administrator", by=OWNER)
    await bot.settle()
    api.bot_status(-1004444, "kicked", by=OWNER)
    await bot.settle()
    assert api.sent(LOG_CHAT) == [
        "✅ I am an administrator in Fourth Group with every right I need.",
        "ℹ️ I was removed from Fourth Group.",
    ]
    assert api.sent(OWNER) == []


async def test_a_reloaded_log_chat_language_and_owner_list_reach_the_bot_status_notices(
    bot: Bot,
) -> None:
    api = bot.api
    moved = -1009002
    api.add_group(moved, "New mod log", type="group", owner=OWNER, bot_status="member")
    api.chats[MOD].started = True
    engine = bot.app.engine
    config = engine.config
    community = config.community.model_copy(
        update={"log_chat": f"telegram:{moved}", "language": "zh", "owners": [f"telegram:{MOD}"]}
    )
    engine.reload(config.model_copy(update={"community": community}))
    api.add_group(-1005555, "Fifth Group", owner=OWNER, bot_status="left")

    api.bot_status(-1005555, "member", by=OWNER)
    await bot.settle()

    [notice] = api.sent(moved)
    assert notice.startswith("⚠️ 我以普通成员身份被加入了 Fifth Group。") and "封禁用户" in notice
    assert api.sent(MOD) == [notice]
    assert api.sent(LOG_CHAT) == [] and api.sent(OWNER) == []


async def test_an_owner_who_never_started_the_bot_is_told_in_the_group(bot: Bot) -> None:
    api = bot.api
    api.chats[OWNER].started = False
    api.add_group(-1003333, "Third Group", owner=OWNER, bot_status="left")
    api.bot_status(-1003333, "member", by=OWNER)
    await bot.settle()
    [notice] = api.sent(-1003333)
    assert notice.startswith("@olga, ") and "regular member" in notice
    assert "Ban users" in notice


async def test_a_refused_action_is_reported_and_the_bot_goes_on(bot: Bot) -> None:
    api = bot.api
    api.chats[GROUP].members[BOT_ID].rights["can_delete_messages"] = False
    api.post(GROUP, ANN, "加微信 now")
    await bot.settle()
    assert api.refused("deleteMessage")
    assert any(
        "could not delete a message in Test Group (case #1)" in text
        and "Message can't be deleted" in text
        for text in api.sent(LOG_CHAT)
    )
    assert bot.runner.gateway.failures[0][:3] == ("delete", str(GROUP), 1)
    api.post(GROUP, BOB, "/checkin")
    await bot.settle()
    assert any("Bob checked in" in text for text in api.sent(GROUP))


async def test_a_direct_message_falls_back_to_a_mention(bot: Bot) -> None:
    api = bot.api
    bob = UserRef("telegram", str(BOB), "Bob")
    olga = UserRef("telegram", str(OWNER), "Olga", "olga")
    await bot.runner.gateway.execute(
        [SendDirect(bob, "your report was received", GROUP_REF), SendDirect(olga, "hello")]
    )
    assert api.refused("sendMessage")[0].error == (
        "Forbidden: bot can't initiate conversation with a user"
    )
    [fallback] = api.called("sendMessage", chat_id=GROUP)
    assert fallback["text"] == "Bob, I could not message you privately: your report was received"
    [entity] = json.loads(fallback["entities"])
    assert entity["type"] == "text_mention" and entity["user"]["id"] == BOB
    assert entity["length"] == 3
    assert api.sent(OWNER) == ["hello"]


async def test_a_button_press_is_answered(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "press it")
    query = api.press(GROUP, ANN, msg["message_id"], "ok")
    await bot.settle()
    assert api.called("answerCallbackQuery", callback_query_id=query)


async def test_startup_asks_for_every_update_kind_and_registers_command_menus(bot: Bot) -> None:
    api = bot.api
    assert api.allowed_updates == frozenset(UPDATE_KINDS)
    assert {"chat_member", "message_reaction", "chat_join_request"} <= set(UPDATE_KINDS)
    scopes = {"all_private_chats", "all_group_chats", "all_chat_administrators"}
    assert set(api.commands) == {(s, lang) for s in scopes for lang in ("", "en", "zh")}
    members = {c["command"] for c in api.commands[("all_group_chats", "en")]}
    admins = {c["command"] for c in api.commands[("all_chat_administrators", "en")]}
    assert "checkin" in members and "ban" not in members
    moderators = {c.name for c in bot.app.engine.commands().values() if c.staff and c.menu}
    assert {"warn", "mute", "ban", "spam", "lockdown", "why", "reload"} <= moderators <= admins
    zh = {c["command"]: c["description"] for c in api.commands[("all_group_chats", "zh")]}
    assert zh["checkin"] == "每日签到领积分"


async def test_every_command_in_the_menus_exists_in_the_core(bot: Bot) -> None:
    known = set(bot.app.engine.commands())
    listed = {c["command"] for menu in bot.api.commands.values() for c in menu}
    assert listed and listed <= known


async def test_a_restart_resumes_after_the_last_update_handled(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps
) -> None:
    api = world
    date = int(time.time())
    async with start_bot(api, tg_db, sleeps) as first:
        posts = [api.post(GROUP, ANN, "/checkin", date=date)]
        await first.settle()
    # While the bot is down, members go on talking.
    posts.append(api.post(GROUP, BOB, "/checkin", date=date))
    posts.append(api.post(GROUP, ANN, "/checkin", date=date))
    async with start_bot(api, tg_db, sleeps) as second:
        await second.settle()
        assert second.runner.handled == 2
    assert set(api.deliveries.values()) == {1}
    assert replied_to(api, GROUP) == [p["message_id"] for p in posts]
    ann_first, bob, ann_again = api.sent(GROUP)
    assert "+10 points" in ann_first and "+10 points" in bob
    assert "already checked in" in ann_again
    await assert_checkins(tg_db, ANN, 1)


async def test_updates_fetched_before_a_crash_come_again_but_are_handled_once(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps
) -> None:
    api = world
    date = int(time.time())
    async with start_bot(api, tg_db, sleeps) as first:
        update = api.post(GROUP, ANN, "/checkin", date=date)
        blocked = api.post(GROUP, BOB, "加微信 私聊我 代开发票", date=date)
        await first.settle()
    # The confirming getUpdates never reached Telegram: both are pending again.
    api.crash_before_confirming(1)
    async with start_bot(api, tg_db, sleeps) as second:
        await second.settle()
        # The bot's first poll confirms what it stored with the updates'
        # effects (offset: the stored update_id + 1): nothing comes twice.
        assert api.offsets[-1] == 3
        assert api.deliveries[1] == api.deliveries[2] == 1
        assert second.runner.skipped == 0 and second.runner.handled == 0
    assert update["message_id"] == 1
    # One answer each: one check-in, one removal and warning, not two.
    assert len([t for t in api.sent(GROUP) if "+10 points" in t]) == 1
    assert len(api.called("deleteMessage", message_id=blocked["message_id"])) == 1
    await assert_checkins(tg_db, ANN, 1)


async def assert_checkins(db_url: str, user_id: int, expected: int) -> None:
    store = await SqlStore.open(db_url)
    try:
        entries = await store.ledger("tg-test", f"telegram:{user_id}")
    finally:
        await store.close()
    assert [e.reason for e in entries].count("checkin") == expected
    assert sum(e.delta for e in entries if e.reason == "checkin") == 10 * expected


async def test_a_429_storm_delays_but_loses_nothing(bot: Bot) -> None:
    api, sleeps = bot.api, bot.runner.options.sleep
    assert isinstance(sleeps, Sleeps)
    api.flood("sendMessage", times=4, retry_after=2)
    api.post(GROUP, ANN, "加微信 one")
    api.post(GROUP, BOB, "加微信 two")
    await bot.settle()
    assert len(api.refused("sendMessage")) == 4
    assert sleeps.asked.count(2.0) == 4
    assert len(api.called("deleteMessage")) == 2
    group, log = api.sent(GROUP), api.sent(LOG_CHAT)
    assert len(group) == 2 and len(set(group)) == 2
    assert len(log) == 4 and len(set(log)) == 4


@pytest.mark.parametrize("client_limit", [4, 1000], ids=["limited", "unlimited"])
async def test_the_limiter_keeps_a_broadcast_clear_of_429s(
    tg_db: str, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch, client_limit: int
) -> None:
    api = FakeBotApi(limits=ServerLimits(group=4, group_period=0.5))
    await api.start()
    try:
        api.add_group(GROUP, "Test Group")
        limits = Limits(group=client_limit, group_period=0.5)
        monkeypatch.setenv("GK_TG_BASE_URL", api.base_url)
        monkeypatch.setenv("TELEGRAM_TOKEN", api.token)
        async with start_bot(api, tg_db, sleeps, limits=limits) as bot:
            bot.runner.gateway.submit([SendMessage(GROUP_REF, f"news {n}") for n in range(10)])
            await bot.settle()
        assert api.sent(GROUP) == [f"news {n}" for n in range(10)]
        if client_limit == 4:
            assert api.refused("sendMessage") == []
        else:
            # Without the limiter the same broadcast runs into 429s, which
            # are waited out: nothing is lost either way.
            assert api.refused("sendMessage")
    finally:
        await api.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_webhook_mode_checks_the_secret_token(
    world: FakeBotApi, tg_db: str, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = world
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg-hook"
    monkeypatch.setenv("TELEGRAM_TOKEN", api.token)
    monkeypatch.setenv("GK_TG_BASE_URL", api.base_url)
    monkeypatch.setenv("GK_TG_MODE", "webhook")
    monkeypatch.setenv("GK_TG_WEBHOOK_URL", url)
    monkeypatch.setenv("GK_TG_PORT", str(port))
    monkeypatch.setenv("GK_TG_SECRET", "s3cret-token")
    async with start_bot(api, tg_db, sleeps) as bot:
        assert api.webhook == {"url": url, "secret_token": "s3cret-token"}
        api.post(GROUP, ANN, "/checkin")
        await bot.settle()
        assert any("+10 points" in text for text in api.sent(GROUP))
        forged = {"update_id": 999, "message": api.chats[GROUP].messages[1]}
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
                async with session.post(url, json=forged, headers=headers) as response:
                    assert response.status == 403
        assert bot.runner.handled == 1
    assert not api.offsets


async def test_serve_runs_until_cancelled_and_stops_cleanly(
    world: FakeBotApi, tg_env: None, tg_db: str, sleeps: Sleeps
) -> None:
    api = world
    app = await build_app(CONFIG, tg_db, background_flush=False)
    try:
        task = asyncio.create_task(serve(app, **fast_options(sleeps)))
        await api.wait_for(lambda: api.allowed_updates is not None, what="the first poll")
        msg = api.post(GROUP, ANN, "/checkin")
        await api.wait_for(lambda: api.sent(GROUP), what="the reply")
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await app.close()
    # Stopping confirmed the update it handled: a restart will not see it.
    assert api.pending == []
    assert replied_to(api, GROUP) == [msg["message_id"]]


async def test_a_join_through_a_personal_invite_link_is_credited_to_its_owner(bot: Bot) -> None:
    api = bot.api
    api.post(GROUP, ANN, "/invite")
    await bot.settle()
    assert api.called("createChatInviteLink", chat_id=GROUP)
    eco = bot.app.engine.feature(EconomyFeature).economy
    assert eco is not None
    ann_key = f"telegram:{ANN}"
    link = eco.referrals.link_of(ann_key)
    assert link is not None and link.startswith("https://t.me/+")
    api.add_user(3005, "Pia", "pia")
    api.member_joins(GROUP, 3005, invite_link=link)
    await bot.settle()
    referral = eco.referrals.referrals["telegram:3005"]
    assert referral.inviter_key == ann_key and referral.status == "pending"
