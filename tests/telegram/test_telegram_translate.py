"""translate on recorded Bot API updates (tests/telegram/updates/*.json):
one table row per payload, with the exact events it must become."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Update

from adapters.telegram.translate import (
    REQUIRED_RIGHTS,
    AdminsChanged,
    BotIdentity,
    BotStatusChanged,
    ButtonPressed,
    Item,
    PollAnswered,
    admin_chat,
    forward_origin,
    translate,
)
from bot.core.events import (
    ChatMoved,
    ChatRef,
    CommandIssued,
    JoinRequested,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionAdded,
    ReplyRef,
    UserRef,
)
from tests.telegram.harness import UPDATES, load_update

ME = BotIdentity(5550001, "gk_test_bot")
AT = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
G = ChatRef("telegram", "-1001234567890")
ANN = UserRef("telegram", "2001", "Ann Lee", "ann", False, False, "en")
BOB = UserRef("telegram", "2002", "Bob")
ZHU = UserRef("telegram", "2003", "朱", "zhu", language="zh-hans")
OLGA = UserRef("telegram", "1001", "Olga", "olga")
BOT = UserRef("telegram", "5550001", "Groupkeeper", "gk_test_bot", is_bot=True)
AS_GROUP = UserRef("telegram", "-1001234567890", "Green Energy Founders #1", is_admin=True)
CHANNEL = UserRef("telegram", "-1009876543210", "Green Energy News")
HELLO = "Hello everyone, glad to be here!"


def posted(mid: int, sender: UserRef, text: str, **fields: Any) -> MessagePosted:
    return MessagePosted(G, sender, mid, text, fields.pop("at", AT), **fields)


EXPECTED: dict[str, list[Item]] = {
    "text_message": [posted(11, ANN, HELLO)],
    "caption_with_hidden_link": [
        # The photo to read (OCR) is its one size within 1600 pixels.
        posted(
            12,
            BOB,
            "Free gift, click here\nhttps://t.me/joinchat/AAAAAE",
            media="photo",
            image="AgAD1",
        )
    ],
    "reply": [posted(13, ZHU, "同意 👍", reply_to=ReplyRef(11, ANN, HELLO))],
    "forward_from_channel": [
        posted(14, BOB, "Big news today", forwarded=True, forward_origin="channel")
    ],
    "forward_hidden_user": [
        posted(15, BOB, "someone said this", forwarded=True, forward_origin="hidden_user")
    ],
    "anonymous_admin": [posted(16, AS_GROUP, "加微信 official notice", on_behalf_of_chat=True)],
    "anonymous_admin_command": [
        CommandIssued(
            G,
            AS_GROUP,
            17,
            "mute",
            ("10m", "flooding"),
            AT,
            ReplyRef(14, BOB, "Big news today"),
            "/mute 10m flooding",
        )
    ],
    "linked_channel_forward": [
        posted(18, CHANNEL, "New post on the channel", forwarded=True, on_behalf_of_chat=True)
    ],
    "edited_message": [
        posted(
            11,
            ANN,
            "加微信 edited in later",
            edited=True,
            at=datetime(2026, 1, 5, 8, 0, 30, tzinfo=UTC),
        )
    ],
    "command_for_other_bot": [posted(19, BOB, "/ban@other_bot 1d", for_another_bot=True)],
    "command_for_this_bot": [posted(20, BOB, "/checkin@gk_test_bot")],
    "command_with_text_mention": [
        CommandIssued(
            G,
            OLGA,
            40,
            "mute",
            ("10m", "flooding"),
            AT,
            None,
            "/mute 🙂Li 10m flooding",
            UserRef("telegram", "2004", "🙂Li"),
        )
    ],
    "sticker": [posted(21, ANN, "", media="sticker")],
    # A bot that is no admin gets no chat_member updates: the service
    # message is where it sees joins and leaves (added by someone else:
    # `added_by`; removed by someone else: `removed_by`).
    "service_new_members": [MemberJoined(G, BOB, AT)],
    "service_members_added": [
        MemberJoined(G, ANN, AT, added_by=OLGA),
        MemberJoined(G, ZHU, AT, added_by=OLGA),
    ],
    "service_member_left": [MemberLeft(G, BOB, AT)],
    "service_member_removed": [MemberLeft(G, BOB, AT, OLGA)],
    "forum_topic_message": [posted(23, ANN, "In the topic")],
    "private_message": [
        MessagePosted(ChatRef("telegram", "2001", private=True), ANN, 3, "/start", AT)
    ],
    "channel_post": [],
    "chat_member_joined_by_link": [MemberJoined(G, ZHU, AT, "https://t.me/+AbCdEf")],
    "chat_member_added_by_admin": [MemberJoined(G, BOB, AT, None, OLGA)],
    "chat_member_left": [MemberLeft(G, BOB, AT)],
    "chat_member_banned": [MemberLeft(G, BOB, AT, OLGA)],
    "chat_member_promoted": [
        AdminsChanged(G, UserRef("telegram", "2001", "Ann Lee", "ann", False, True, "en"), True)
    ],
    "chat_member_muted": [],
    "my_chat_member_added_as_admin": [
        BotStatusChanged(
            G,
            "Green Energy Founders #1",
            "administrator",
            "left",
            ("can_restrict_members", "can_pin_messages"),
            OLGA,
            AT,
        )
    ],
    "my_chat_member_added_as_member": [
        BotStatusChanged(G, "Green Energy Founders #1", "member", "left", REQUIRED_RIGHTS, OLGA, AT)
    ],
    "my_chat_member_removed": [
        BotStatusChanged(G, "Green Energy Founders #1", "kicked", "administrator", (), OLGA, AT)
    ],
    "my_chat_member_private_blocked": [],
    "chat_join_request": [JoinRequested(G, ZHU, AT, "https://t.me/+ReQuEsT")],
    "message_reaction": [
        ReactionAdded(G, BOB, 11, "🔥", AT),
        ReactionAdded(G, BOB, 11, "custom:5368324170671202286", AT),
    ],
    "message_reaction_anonymous": [],
    "callback_query": [
        ButtonPressed("4382bfdwdsb323b2d9", ZHU, "captcha:ok", G, 30),
    ],
    "poll_answer": [PollAnswered("5432", ANN, (0, 2))],
    # Anyone may speak as a channel of their own: a sender like a member.
    "channel_speaking": [
        posted(
            50,
            UserRef("telegram", "-1005550001111", "Cheap Followers 24/7"),
            "Followers for your channel, DM",
        )
    ],
    "migrate_to_chat": [
        ChatMoved(ChatRef("telegram", "-4012345678"), G, AT),
    ],
    "migrate_from_chat": [
        ChatMoved(ChatRef("telegram", "-4012345678"), G, AT),
    ],
    # The URL behind a button under a message sent through an inline bot.
    "via_bot_url_button": [posted(52, BOB, "Today only!\nhttps://t.me/joinchat/AAAAAE")],
}


def test_a_forum_topic_message_carries_its_topic_and_a_reply_thread_does_not() -> None:
    [event] = translate(load_update("forum_topic_message"), me=ME)
    assert event.chat.thread == "5"  # type: ignore[union-attr]
    update = load_update("reply")
    update["message"]["message_thread_id"] = 11  # a reply thread, not a topic
    [event] = translate(update, me=ME)
    assert event.chat.thread is None  # type: ignore[union-attr]


def test_the_linked_channel_speaks_for_the_group() -> None:
    update = load_update("channel_speaking")
    [event] = translate(update, me=ME, admins=frozenset({-1005550001111}))
    assert isinstance(event, MessagePosted) and event.on_behalf_of_chat
    [event] = translate(update, me=ME)
    assert isinstance(event, MessagePosted) and not event.on_behalf_of_chat


def test_an_admin_bot_reads_joins_from_chat_member_and_not_the_service_message() -> None:
    for name in ("service_new_members", "service_members_added", "service_member_left"):
        assert translate(load_update(name), me=ME, admins=frozenset({ME.id or 0, 1001})) == []
    # The bot's own arrival and removal are my_chat_member's.
    update = load_update("service_members_added")
    update["message"]["new_chat_members"].append({"id": ME.id, "is_bot": True, "first_name": "G"})
    assert len(translate(update, me=ME)) == 2


def test_every_recorded_update_has_a_row() -> None:
    assert {p.stem for p in UPDATES.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_translate(name: str) -> None:
    assert translate(load_update(name), me=ME) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_live_path_through_ptb_reads_the_same(name: str) -> None:
    """The runner translates `Update.to_dict()` from python-telegram-bot;
    replay translates the raw JSON. Both must give the same events."""
    raw = load_update(name)
    parsed = Update.de_json(raw, None)
    assert parsed is not None
    assert translate(parsed.to_dict(), me=ME) == translate(raw, me=ME)


def test_senders_listed_as_admins_are_marked() -> None:
    [event] = translate(load_update("text_message"), me=ME, admins=frozenset({2001}))
    assert isinstance(event, MessagePosted) and event.sender.is_admin
    [event] = translate(load_update("reply"), me=ME, admins=frozenset({2001}))
    assert isinstance(event, MessagePosted) and not event.sender.is_admin
    assert event.reply_to is not None and event.reply_to.sender is not None
    assert event.reply_to.sender.is_admin


def test_group_chats_carry_their_title() -> None:
    [event] = translate(load_update("text_message"), me=ME)
    assert isinstance(event, MessagePosted)
    assert event.chat.title == "Green Energy Founders #1"
    [private] = translate(load_update("private_message"), me=ME)
    assert isinstance(private, MessagePosted) and private.chat.title == ""


def test_an_edit_never_issues_a_command() -> None:
    update = load_update("anonymous_admin_command")
    update["edited_message"] = update.pop("message") | {"edit_date": 1767600060}
    [event] = translate(update, me=ME)
    assert isinstance(event, MessagePosted) and event.edited and event.on_behalf_of_chat


def test_without_a_known_username_addressed_commands_are_kept() -> None:
    [event] = translate(load_update("command_for_other_bot"))
    assert isinstance(event, MessagePosted) and event.text.startswith("/ban@other_bot")


def test_admin_chat_names_groups_only() -> None:
    assert admin_chat(load_update("text_message")) == -1001234567890
    assert admin_chat(load_update("edited_message")) == -1001234567890
    assert admin_chat(load_update("private_message")) is None
    assert admin_chat(load_update("chat_member_left")) is None


@pytest.mark.parametrize(
    ("name", "origin"),
    [
        ("forward_from_channel", "channel"),
        ("forward_hidden_user", "hidden_user"),
        ("linked_channel_forward", "channel"),
        ("text_message", None),
    ],
)
def test_forward_origin(name: str, origin: str | None) -> None:
    assert forward_origin(load_update(name)["message"]) == origin


def test_forward_origin_of_pre_7_0_updates() -> None:
    assert forward_origin({"forward_from": {"id": 1}}) == "user"
    assert forward_origin({"forward_sender_name": "X"}) == "hidden_user"
    assert forward_origin({"forward_from_chat": {"id": -1, "type": "supergroup"}}) == "chat"


def test_an_update_of_an_unread_kind_is_nothing() -> None:
    assert translate({"update_id": 1, "chosen_inline_result": {"result_id": "x"}}) == []


def test_text_that_cannot_be_stored_is_cleaned_at_the_boundary() -> None:
    """JSON may escape a lone surrogate (`\\ud800`), which no database stores
    and no platform sends back; NUL is refused by PostgreSQL text columns."""
    update = json.loads(
        json.dumps(load_update("reply"))
        .replace('"Ann"', '"Ann \\ud800"')
        .replace('"Lee"', '"L\\u0000ee"')
    )
    update["message"]["text"] = "hi \ud83d there \udc00"
    update["message"]["chat"]["title"] = "Group \udfff"

    items = translate(update, me=ME)

    assert items
    for item in items:
        for text in _strings(item):
            text.encode("utf-8")
            assert "\x00" not in text, text


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if hasattr(value, "__dataclass_fields__"):
        return [s for f in value.__dataclass_fields__ for s in _strings(getattr(value, f))]
    if isinstance(value, tuple | list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize(
    "broken",
    [
        {"update_id": 1, "message": {"message_id": 1, "date": 1767600000}},
        {
            "update_id": 2,
            "message": {"message_id": "1", "date": 1767600000, "chat": {"id": 1}, "text": "hi"},
        },
        {"update_id": 3, "callback_query": True},
        {"update_id": 4, "poll_answer": {"poll_id": "p", "option_ids": 3}},
        {
            "update_id": 5,
            "message_reaction": {
                "chat": {"id": -1},
                "user": {"id": 7},
                "date": 10**30,
                "message_id": 1,
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            },
        },
        ["not", "an", "update"],
    ],
)
def test_an_update_it_cannot_read_means_nothing_and_is_logged_once(
    broken: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert translate(broken, me=ME) == []
    assert admin_chat(broken) is None
    assert len([r for r in caplog.records if "cannot be read" in r.getMessage()]) == 1
