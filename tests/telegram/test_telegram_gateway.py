"""Every action the core emits, carried out by TelegramGateway through the real
python-telegram-bot Bot against the fake Bot API (which checks parameters
the way Telegram does and keeps the world the calls change)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from adapters.telegram.runner import file_url
from bot.core.actions import (
    BanMember,
    CloneGroup,
    CreateInvite,
    DeleteMessage,
    GrantRole,
    KickMember,
    MuteMember,
    PinMessage,
    RevokeRole,
    SendMessage,
    SendPoll,
    SetGroupProfile,
    UnbanMember,
    UnmuteMember,
)
from bot.core.events import ChatRef, UserRef
from tests.telegram.harness import ANN, BOB, GROUP, LOG_CHAT, OWNER, Bot

CHAT = ChatRef("telegram", str(GROUP))
BOB_REF = UserRef("telegram", str(BOB), "Bob")
OWNER_REF = UserRef("telegram", str(OWNER), "Olga", "olga")


def soon(seconds: int) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def test_a_reply_and_a_text_too_long_for_one_message(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "hello")
    long_text = "\n".join(f"line {n} " + "x" * 90 for n in range(60))
    await bot.runner.gateway.execute(
        [SendMessage(CHAT, "hi Ann", reply_to=msg["message_id"]), SendMessage(CHAT, long_text)]
    )
    first, *parts = api.called("sendMessage", chat_id=GROUP)
    assert json.loads(first["reply_parameters"])["message_id"] == msg["message_id"]
    assert len(parts) == 2 and all(len(p["text"]) <= 4096 for p in parts)
    assert "\n".join(p["text"] for p in parts) == long_text


async def test_delete_one_and_many(bot: Bot) -> None:
    api = bot.api
    ids = [api.post(GROUP, BOB, f"spam {n}")["message_id"] for n in range(3)]
    await bot.runner.gateway.execute(
        [DeleteMessage(CHAT, (ids[0],)), DeleteMessage(CHAT, tuple(ids[1:]))]
    )
    assert api.called("deleteMessage", chat_id=GROUP, message_id=ids[0])
    [many] = api.called("deleteMessages", chat_id=GROUP)
    assert json.loads(many["message_ids"]) == ids[1:]
    assert not set(ids) & set(api.chats[GROUP].messages)


async def test_mute_then_unmute(bot: Bot) -> None:
    api = bot.api
    until = soon(600)
    await bot.runner.gateway.execute([MuteMember(CHAT, BOB_REF, until, "10m")])
    [mute] = api.called("restrictChatMember", user_id=BOB)
    assert int(mute["until_date"]) == int(until.timestamp())
    assert api.member(GROUP, BOB).status == "restricted"  # type: ignore[union-attr]
    await bot.runner.gateway.execute([UnmuteMember(CHAT, BOB_REF)])
    unmute = api.called("restrictChatMember", user_id=BOB)[1]
    assert all(json.loads(unmute["permissions"]).values())
    assert api.member(GROUP, BOB).status == "member"  # type: ignore[union-attr]


async def test_a_mute_shorter_than_30_seconds_is_not_made_forever(bot: Bot) -> None:
    api = bot.api
    before = int(time.time())
    await bot.runner.gateway.execute([MuteMember(CHAT, BOB_REF, soon(5), "5s")])
    [mute] = api.called("restrictChatMember", user_id=BOB)
    assert int(mute["until_date"]) >= before + 30


async def test_kick_lets_the_member_come_back(bot: Bot) -> None:
    api = bot.api
    await bot.runner.gateway.execute([KickMember(CHAT, BOB_REF)])
    assert api.called("banChatMember", chat_id=GROUP, user_id=BOB)
    assert api.called("unbanChatMember", chat_id=GROUP, user_id=BOB, only_if_banned=True)
    assert api.member(GROUP, BOB).status == "left"  # type: ignore[union-attr]


async def test_ban_forever_for_a_while_and_unban(bot: Bot) -> None:
    api = bot.api
    until = soon(86400)
    ann = UserRef("telegram", str(ANN), "Ann")
    await bot.runner.gateway.execute(
        [BanMember(CHAT, BOB_REF), BanMember(CHAT, ann, until, "1d"), UnbanMember(CHAT, BOB_REF)]
    )
    forever, timed = api.called("banChatMember")
    assert "until_date" not in forever
    assert int(timed["until_date"]) == int(until.timestamp())
    assert api.called("unbanChatMember", user_id=BOB, only_if_banned=True)
    assert api.member(GROUP, BOB).status == "left"  # type: ignore[union-attr]
    assert api.member(GROUP, ANN).status == "kicked"  # type: ignore[union-attr]


async def test_pin(bot: Bot) -> None:
    api = bot.api
    msg = api.post(GROUP, ANN, "read the rules")
    await bot.runner.gateway.execute([PinMessage(CHAT, msg["message_id"])])
    assert api.called("pinChatMessage", message_id=msg["message_id"], disable_notification=True)
    assert api.chats[GROUP].pinned == msg["message_id"]


async def test_a_message_sent_with_pin_is_pinned_quietly_once_sent(bot: Bot) -> None:
    api = bot.api
    await bot.runner.gateway.execute([SendMessage(CHAT, "📜 Rules of Test", pin=True)])
    [rules] = [m for m in api.chats[GROUP].messages.values() if m.get("text") == "📜 Rules of Test"]
    assert api.called("pinChatMessage", message_id=rules["message_id"], disable_notification=True)
    assert api.chats[GROUP].pinned == rules["message_id"]
    await bot.runner.gateway.execute([SendMessage(CHAT, "an ordinary message")])
    assert len(api.called("pinChatMessage")) == 1


async def test_a_single_use_invite_is_sent_to_the_member(bot: Bot) -> None:
    api = bot.api
    expires = soon(3600)
    await bot.runner.gateway.execute(
        [CreateInvite(CHAT, member_limit=1, expires=expires, for_user=OWNER_REF)]
    )
    [link] = api.called("createChatInviteLink", chat_id=GROUP, member_limit=1)
    assert int(link["expire_date"]) == int(expires.timestamp())
    [dm] = api.sent(OWNER)
    assert dm.startswith("Your invite link to") and "https://t.me/+fake1" in dm


async def test_polls_and_a_poll_telegram_refuses(bot: Bot) -> None:
    api = bot.api
    good = SendPoll(CHAT, "Meetup day?", ("Sat", "Sun"), anonymous=False, multiple=True)
    too_many = SendPoll(CHAT, "Pick one", tuple(str(n) for n in range(13)))
    await bot.runner.gateway.execute([good, too_many])
    [poll] = api.called("sendPoll", chat_id=GROUP)
    assert [o["text"] for o in json.loads(poll["options"])] == ["Sat", "Sun"]
    assert poll["is_anonymous"] == "false" and poll["allows_multiple_answers"] == "true"
    [report] = api.sent(LOG_CHAT)
    assert "could not send a poll" in report and "12 options" in report


async def test_a_reloaded_log_chat_hears_the_next_failure(bot: Bot) -> None:
    api, engine = bot.api, bot.app.engine
    moved = -1009002
    api.add_group(moved, "New mod log", type="group", owner=OWNER, bot_status="member")
    community = engine.config.community.model_copy(update={"log_chat": f"telegram:{moved}"})
    engine.reload(engine.config.model_copy(update={"community": community}))
    too_many = SendPoll(CHAT, "Pick one", tuple(str(n) for n in range(13)))
    await bot.runner.gateway.execute([too_many])
    [report] = api.sent(moved)
    assert "could not send a poll" in report
    assert api.sent(LOG_CHAT) == []


async def test_group_profile(bot: Bot) -> None:
    api = bot.api
    await bot.runner.gateway.execute(
        [SetGroupProfile(CHAT, title="Test Group #2", description="Founders only")]
    )
    assert api.chats[GROUP].title == "Test Group #2"
    assert api.chats[GROUP].description == "Founders only"


PHOTO = b"\x89PNG\r\n\x1a\n" + b"template photo" * 10
QUIET = {"can_send_polls": False, "can_send_photos": False, "can_invite_users": False}


def clone_target(bot: Bot, chat_id: int, **rights: bool) -> ChatRef:
    """A new group beside GROUP (the template), the bot its admin."""
    bot.api.add_group(chat_id, "New group", owner=OWNER, bot_rights=rights)
    return ChatRef("telegram", str(chat_id))


async def test_the_templates_photo_and_default_permissions_are_copied(bot: Bot) -> None:
    api = bot.api
    api.set_photo(GROUP, PHOTO)
    api.chats[GROUP].permissions |= QUIET
    new = clone_target(bot, -1007001)
    await bot.runner.gateway.execute([SetGroupProfile(new, "Test Group #2", template=CHAT)])
    assert api.called("getChat", chat_id=GROUP)
    big, _small = api.chats[GROUP].photo or ("", "")
    assert api.called("getFile", file_id=big) and api.downloads == ["profile_photos/file_1.jpg"]
    assert api.photo_of(-1007001) == PHOTO
    # Copied as is: Telegram's implied permissions would grant photos again.
    assert api.chats[-1007001].permissions == api.chats[GROUP].permissions
    assert api.called("setChatPermissions", use_independent_chat_permissions=True)
    assert bot.runner.gateway.failures == []


def test_files_are_downloaded_from_beside_the_bot_api() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"


async def test_a_refused_photo_is_reported_and_the_permissions_still_copied(bot: Bot) -> None:
    api = bot.api
    api.set_photo(GROUP, PHOTO)
    api.chats[GROUP].permissions |= QUIET
    new = clone_target(bot, -1007002, can_change_info=False)
    await bot.runner.gateway.execute([SetGroupProfile(new, template=CHAT)])
    assert api.photo_of(-1007002) is None
    assert api.chats[-1007002].permissions == api.chats[GROUP].permissions
    [report] = api.sent(LOG_CHAT)
    assert "could not copy the template's group photo in -1007002" in report
    assert "Not enough rights to change chat photo" in report


async def test_a_template_without_photo_and_with_the_same_permissions_changes_nothing(
    bot: Bot,
) -> None:
    api = bot.api
    new = clone_target(bot, -1007003)
    await bot.runner.gateway.execute([SetGroupProfile(new, template=CHAT)])
    assert not api.called("getFile") and not api.called("setChatPhoto")
    # Telegram answers CHAT_NOT_MODIFIED: nothing to report.
    assert [c.error for c in api.refused("setChatPermissions")] == [
        "Bad Request: CHAT_NOT_MODIFIED"
    ]
    assert bot.runner.gateway.failures == [] and api.sent(LOG_CHAT) == []


async def test_roles_and_clones_make_no_calls_on_telegram(bot: Bot) -> None:
    api = bot.api
    before = len(api.calls)
    await bot.runner.gateway.execute(
        [
            GrantRole(CHAT, BOB_REF, "Regular"),
            RevokeRole(CHAT, BOB_REF, "Newcomer"),
            CloneGroup(CHAT, "Test Group #2", 2),
        ]
    )
    assert len(api.calls) == before
    assert bot.runner.gateway.failures == []


async def test_an_action_for_another_platform_is_forwarded_not_sent(bot: Bot) -> None:
    api = bot.api
    gateway = bot.runner.gateway
    forwarded: list[object] = []

    async def forward(action: object) -> None:
        forwarded.append(action)

    discord_log = SendMessage(ChatRef("discord", "9001"), "Case #3: muted Bob")
    mute = MuteMember(CHAT, BOB_REF, soon(600), "10m")
    gateway.forward = forward
    gateway.submit([discord_log, mute])
    await gateway.drain()
    assert forwarded == [discord_log]
    assert not api.called("sendMessage")
    assert api.called("restrictChatMember", chat_id=GROUP, user_id=BOB)
