"""translate on recorded gateway payloads (see payloads/record.py), parsed by
discord.py's own parsers: what the core receives for each kind of update."""

from __future__ import annotations

import json
from copy import deepcopy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.console.session import ConsoleSession
from adapters.discord import translate
from adapters.discord.gateway import _chunks
from adapters.discord.payloads import OfflineParser
from adapters.discord.translate import InviteUse, used_invite
from bot.core.events import CommandIssued, MessagePosted, ReplyRef, UserRef

PAYLOADS = Path(__file__).with_name("payloads")
AT = datetime(2026, 1, 1, tzinfo=UTC)


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages() -> list[dict[str, Any]]:
    return list(load("message_create"))


@pytest.fixture
def parser() -> OfflineParser:
    return OfflineParser(load("guild_create"), load("bot_user"))


@pytest.fixture
async def core_commands(console: ConsoleSession) -> frozenset[str]:
    """Every command name (and alias) a running engine answers."""
    return frozenset(console.engine.commands())


def event_of(
    parser: OfflineParser, payload: dict[str, Any], commands: frozenset[str]
) -> MessagePosted | CommandIssued:
    message = parser.message(payload)
    return translate.message_event(message, prefix="!", commands=commands)


# index in message_create.json -> what the core must see
CASES = [
    (0, {"text": "hello everyone, glad to be here", "media": None, "forwarded": False}),
    (3, {"text": "", "media": "photo"}),
    (4, {"text": "", "media": "sticker"}),
    # A forward has no content of its own: the rules see the forwarded text.
    (5, {"text": "hello everyone, glad to be here", "forwarded": True}),
    (6, {"text": "release 1.2 is out", "on_behalf_of_chat": True}),
]


@pytest.mark.parametrize(("index", "expected"), CASES)
def test_messages(
    parser: OfflineParser,
    messages: list[dict[str, Any]],
    core_commands: frozenset[str],
    index: int,
    expected: dict[str, Any],
) -> None:
    event = event_of(parser, messages[index], core_commands)
    assert isinstance(event, MessagePosted)
    assert event.chat.platform == "discord" and not event.chat.private
    assert event.chat.chat_id == messages[index]["channel_id"]
    assert event.message_id == int(messages[index]["id"])
    assert event.at == AT
    for field, value in expected.items():
        assert getattr(event, field) == value, field


def test_a_reply_carries_the_replied_members_ref(
    parser: OfflineParser, messages: list[dict[str, Any]], core_commands: frozenset[str]
) -> None:
    event = event_of(parser, messages[2], core_commands)
    assert isinstance(event, MessagePosted)
    assert event.reply_to == ReplyRef(
        int(messages[0]["id"]),
        UserRef("discord", messages[0]["author"]["id"], "Alice", "alice"),
        "hello everyone, glad to be here",
    )
    # Discord's moderators (Manage Messages) are the core's admins.
    assert event.sender.is_admin and event.sender.username == "mia"


def test_a_prefix_command_names_the_mentioned_member_by_key(
    parser: OfflineParser, messages: list[dict[str, Any]], core_commands: frozenset[str]
) -> None:
    event = event_of(parser, messages[1], core_commands)
    alice = messages[0]["author"]["id"]
    assert isinstance(event, CommandIssued)
    assert (event.name, event.args) == ("ban", (f"discord:{alice}", "1d", "spam"))


@pytest.mark.parametrize(
    ("content", "kind", "text"),
    [
        ("!wow that is great", MessagePosted, "!wow that is great"),
        ("!!!", MessagePosted, "!!!"),
        ("!qiandao", CommandIssued, "!qiandao"),
        ("/mute <@42> 10m", MessagePosted, "/mute discord:42 10m"),
    ],
)
def test_prefix_words_the_core_does_not_know_are_chat(
    parser: OfflineParser,
    messages: list[dict[str, Any]],
    core_commands: frozenset[str],
    content: str,
    kind: type[object],
    text: str,
) -> None:
    payload = deepcopy(messages[0])
    payload["content"] = content
    event = event_of(parser, payload, core_commands)
    assert type(event) is kind
    assert event.text == text


def test_an_edit_is_posted_again_marked_edited(parser: OfflineParser) -> None:
    update = parser.edit(load("message_update")[0])
    event = translate.message_event(update.message, prefix="!", commands=(), edited=True)
    assert isinstance(event, MessagePosted)
    assert event.edited and event.text == "hello everyone, glad to be here (edited)"


def test_a_raw_reaction(parser: OfflineParser) -> None:
    payload = load("message_reaction_add")[0]
    event = translate.reaction_added(parser.reaction(payload), None, AT)
    assert event is not None
    assert (event.emoji, event.message_id) == ("👍", int(payload["message_id"]))
    assert event.member.username == "alice"


def test_a_button_click_is_the_command_in_its_custom_id(parser: OfflineParser) -> None:
    interaction = parser.interaction(load("interaction_create")[0])
    event = translate.component_command(interaction, AT)
    assert event is not None
    assert (event.name, event.args, event.sender.username) == ("resolve", ("42",), "mia")


def test_a_slash_target_becomes_the_replied_member() -> None:
    chat = translate.ChatRef("discord", "1")
    bob = UserRef("discord", "7", "Bob", "bob")
    event = translate.command_issued(
        chat=chat,
        sender=UserRef("discord", "2"),
        message_id=9,
        name="ban",
        args=["1d", None, "spam"],  # type: ignore[list-item]
        at=AT,
        target=bob,
    )
    assert event.reply_to == ReplyRef(0, bob)
    assert event.args == ("1d", "spam")


def use(uses: int, max_uses: int = 0) -> InviteUse:
    return InviteUse(uses, max_uses, 1)


@pytest.mark.parametrize(
    ("before", "after", "used"),
    [
        ({"a": use(1), "b": use(4)}, {"a": use(1).uses, "b": 5}, "b"),
        ({"a": use(1)}, {"a": 1, "new": 1}, "new"),
        # A single-use invite is deleted by Discord on its use.
        ({"a": use(1), "once": use(0, 1)}, {"a": 1}, "once"),
        # Two invites used at once (two joins racing): no guess.
        ({"a": use(1), "b": use(1)}, {"a": 2, "b": 2}, None),
        ({"a": use(1)}, {"a": 1}, None),
        # An unlimited invite that vanished was revoked, not used.
        ({"a": use(3)}, {}, None),
    ],
)
def test_used_invite(before: dict[str, InviteUse], after: dict[str, int], used: str | None) -> None:
    assert used_invite(before, after) == used


def test_long_texts_are_split_at_line_breaks() -> None:
    lines = [f"{n:04d} " + "x" * 95 for n in range(50)]
    chunks = _chunks("\n".join(lines))
    assert all(len(c) <= 2000 for c in chunks)
    assert "\n".join(chunks).splitlines() == lines


def test_text_that_cannot_be_stored_is_cleaned_at_the_boundary(
    parser: OfflineParser, messages: list[dict[str, Any]], core_commands: frozenset[str]
) -> None:
    """A lone surrogate (which a JSON string can escape) reaches no database."""
    payload = deepcopy(messages[0])
    payload["author"]["global_name"] = "Alice \ud800"
    payload["author"]["username"] = "alice\udc00"
    payload["content"] = "hello \udfff"

    event = event_of(parser, payload, core_commands)

    for text in (event.text, event.sender.name, event.sender.username or ""):
        text.encode("utf-8")


MODS = "1456074443980800006"  # guild_create.json's role with Manage Messages
ADMINS = {"id": "1456074443980800099", "name": "Admins", "permissions": "8", "position": 3}


@pytest.mark.parametrize(
    ("change", "name", "admin", "joined"),
    [
        ({}, "Alice", False, "2026-01-01"),
        ({"member": {"nick": "Ally"}}, "Ally", False, "2026-01-01"),
        ({"member": {"nick": "Ally", "roles": [MODS]}}, "Ally", True, "2026-01-01"),
        ({"member": {"roles": [MODS]}}, "Alice", True, "2026-01-01"),
        ({"member": {"roles": [ADMINS["id"]]}}, "Alice", True, "2026-01-01"),
        ({"member": {"joined_at": "2026-03-01T00:00:00+00:00"}}, "Alice", False, "2026-03-01"),
        ({}, "Alice", False, "2026-01-01"),
    ],
)
def test_the_senders_ref_follows_each_message(
    parser: OfflineParser,
    messages: list[dict[str, Any]],
    core_commands: frozenset[str],
    change: dict[str, dict[str, Any]],
    name: str,
    admin: bool,
    joined: str,
) -> None:
    """One ref is kept per person and state: a member renamed, promoted or
    back after leaving is seen as they are now, message after message, in
    the order the table runs (the last row is the first again). A new name
    comes with the member's nick: discord.py keeps the user part (the global
    name) from its cache until Discord sends a user update."""
    parser.guild._add_role(discord.Role(guild=parser.guild, state=parser.state, data=ADMINS))  # type: ignore[arg-type]
    payload = deepcopy(messages[0])
    for part, fields in change.items():
        payload[part] |= fields

    sender = event_of(parser, payload, core_commands).sender

    assert sender == UserRef("discord", payload["author"]["id"], name, "alice", is_admin=admin)
    assert sender.is_admin is admin
    assert sender.joined_at == datetime.fromisoformat(joined).replace(tzinfo=UTC)
