"""Discord objects -> the core's events. Pure: no I/O, no client, no clock.

discord.py has already parsed the gateway payload into its models (real
`discord.Message`, `discord.Member`, raw event objects); these functions only
read them. Tests feed them recorded payloads through discord.py's own parsers
(`adapters.discord.payloads`), so a change in either side shows up there.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import discord

from adapters.storable import storable
from bot.core.buttons import pressed
from bot.core.commands import parse_command
from bot.core.events import (
    ChatRef,
    CommandIssued,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionAdded,
    ReplyRef,
    UserRef,
)

PLATFORM = "discord"

_MENTION = re.compile(r"<@!?(\d+)>")


def chat_ref(channel: Any) -> ChatRef:
    """A channel as the core's chat: a guild text channel or thread is a group,
    a DM is private. Threads keep their own id so deletes and replies land in
    the thread the message is in."""
    return _chat(channel.id, isinstance(channel, discord.DMChannel | discord.GroupChannel))


@lru_cache(maxsize=4096)
def _chat(channel_id: int, private: bool) -> ChatRef:
    # Refs are immutable and a frozen dataclass costs most of a microsecond
    # to build: one per channel instead of one per message.
    return ChatRef(PLATFORM, str(channel_id), private=private)


# Either right makes a moderator; an administrator (and the owner) has every
# bit set in `guild_permissions`.
_MODERATOR = discord.Permissions(administrator=True, manage_messages=True).value


def is_moderator(user: discord.abc.User) -> bool:
    """Discord's own moderators: whoever may manage messages (or administers)."""
    if not isinstance(user, discord.Member):
        return False
    return bool(user.guild_permissions.value & _MODERATOR)


def user_ref(user: discord.abc.User, *, locale: str | None = None) -> UserRef:
    member = isinstance(user, discord.Member)
    return _user(
        user.id,
        user.display_name,
        user.name,
        user.bot,
        member and is_moderator(user),
        locale,
        # Tenure from the server itself: a member the bot first sees long
        # after they joined is no newcomer.
        user.joined_at if member else None,  # type: ignore[attr-defined]
    )


@lru_cache(maxsize=8192)
def _user(
    user_id: int,
    name: str,
    username: str,
    is_bot: bool,
    is_admin: bool,
    language: str | None,
    joined_at: datetime | None,
) -> UserRef:
    # Every field is a key: a member renamed, promoted or rejoined gets a
    # new ref. The people who write are a few thousand at most, and a ref
    # is immutable: one per person instead of one per message (the text
    # checks and the frozen dataclass cost more than the lookup).
    return UserRef(
        PLATFORM,
        str(user_id),
        name=storable(name),
        username=storable(username),
        is_bot=is_bot,
        is_admin=is_admin,
        language=language,
        joined_at=joined_at,
    )


def media_kind(message: discord.Message) -> str | None:
    """The kind of media a message carries, in the core's Telegram-shaped words."""
    if message.stickers:
        return "sticker"
    for attachment in message.attachments:
        kind = (attachment.content_type or "").partition("/")[0]
        return {"image": "photo", "video": "video", "audio": "audio"}.get(kind, "document")
    if message.poll is not None:
        return "poll"
    return None


def picture(message: discord.Message) -> str | None:
    """The first image attachment as `size:url` (the gateway downloads it
    from the CDN and keeps to the size cap before it does); None without."""
    for attachment in message.attachments:
        if (attachment.content_type or "").startswith("image/"):
            return f"{attachment.size}:{attachment.url}"
    return None


def _forwarded_text(message: discord.Message) -> str | None:
    """A forward has no content of its own; its snapshot has the text that the
    rules must see, or forwarding would be a way around them."""
    snapshots = message.message_snapshots
    if not snapshots:
        return None
    return storable("\n".join(s.content for s in snapshots if s.content))


def _poll_text(poll: discord.Poll) -> list[str]:
    """A member's poll says what its question and answers say."""
    return [storable(line) for line in (poll.question, *(a.text for a in poll.answers)) if line]


def is_post(message: discord.Message) -> bool:
    """Whether a member wrote this. Discord's notices ("joined the server.",
    a pin, a boost, a new thread) come as messages authored by the member they
    are about; read as posts they would count, earn points and trip the flood
    rule for something the member never typed."""
    return not message.is_system()


def reply_ref(message: discord.Message) -> ReplyRef | None:
    ref = message.reference
    if ref is None or ref.message_id is None or message.message_snapshots:
        return None
    resolved = ref.resolved
    if isinstance(resolved, discord.Message):
        return ReplyRef(resolved.id, user_ref(resolved.author), storable(resolved.content))
    return ReplyRef(ref.message_id)


def command_text(text: str) -> str:
    """Mentions in a typed command become member keys (`discord:123`), the way
    the core names a member it should act on."""
    return _MENTION.sub(lambda m: f"{PLATFORM}:{m.group(1)}", text)


def message_event(
    message: discord.Message,
    *,
    prefix: str,
    commands: Collection[str],
    edited: bool = False,
) -> MessagePosted | CommandIssued:
    """A message as the core sees it.

    `prefix` commands the core knows (`!shop` once /shop exists in the core)
    become `CommandIssued` even without a Discord definition, so a command
    added to the core works on Discord at once; other `!words` are chat.
    Slash-typed text (`/checkin` sent as plain text) is left to the engine,
    which parses it the same way on every platform.
    """
    forwarded = _forwarded_text(message)
    content = storable(message.content)
    text = content if forwarded is None else (content or forwarded)
    at = (message.edited_at if edited else None) or message.created_at
    chat = chat_ref(message.channel)
    sender = user_ref(message.author)
    reply = reply_ref(message)
    if not edited and text.startswith(prefix) and not text.startswith("/"):
        parsed = parse_command(command_text(text), prefix)
        if parsed is not None and parsed[0] in commands:
            name, args = parsed
            return CommandIssued(chat, sender, message.id, name, args, at, reply, text)
    if text.startswith("/"):
        text = command_text(text)
    if message.poll is not None:
        text = "\n".join(filter(None, (text, *_poll_text(message.poll))))
    return MessagePosted(
        chat=chat,
        sender=sender,
        message_id=message.id,
        text=text,
        at=at,
        reply_to=reply,
        media=media_kind(message),
        forwarded=forwarded is not None,
        edited=edited,
        on_behalf_of_chat=message.webhook_id is not None,
        image=picture(message),
    )


def command_issued(
    *,
    chat: ChatRef,
    sender: UserRef,
    message_id: int,
    name: str,
    args: Sequence[str],
    at: datetime,
    target: UserRef | None = None,
    reply: ReplyRef | None = None,
    text: str = "",
    in_chat: bool = True,
) -> CommandIssued:
    """A Discord command (prefix or slash) as the core's command.

    The core finds the member a moderator's command is about in `reply_to`
    (the replied-to message's sender), else in an `@name` argument it must
    already know. A member picked in a slash option or mentioned in a prefix
    command is handed over the first way, so the core can act on members it
    has not seen speak yet; without a replied-to message, the id is 0.
    A slash command is no message of the channel (`in_chat=False`): its id
    is the interaction's.
    """
    if target is not None and (reply is None or reply.sender != target):
        reply = ReplyRef(0, target)
    words = tuple(a for a in args if a)
    return CommandIssued(chat, sender, message_id, name, words, at, reply, text, in_chat=in_chat)


def member_joined(
    member: discord.Member, chat: ChatRef, at: datetime, invite: str | None
) -> MemberJoined:
    return MemberJoined(chat, user_ref(member), at, invite=invite)


def member_left(user: discord.abc.User, chat: ChatRef, at: datetime) -> MemberLeft:
    return MemberLeft(chat, user_ref(user), at)


def reaction_added(
    event: discord.RawReactionActionEvent, user: discord.abc.User | None, at: datetime
) -> ReactionAdded | None:
    """Raw reactions, so reactions on messages older than the cache still count.
    The payload has no timestamp: the caller passes the time it arrived."""
    who = event.member or user
    if who is None or who.bot:
        return None
    chat = ChatRef(PLATFORM, str(event.channel_id), private=event.guild_id is None)
    return ReactionAdded(chat, user_ref(who), event.message_id, str(event.emoji), at)


def component_command(interaction: discord.Interaction, at: datetime) -> CommandIssued | None:
    """A button or select the bot posted (captcha, review queue) as a command:
    `gk:resolve:42` clicked by a moderator is `/resolve 42` from them; a
    select's chosen values follow the fixed arguments."""
    if interaction.type is not discord.InteractionType.component or interaction.data is None:
        return None
    custom_id = str(interaction.data.get("custom_id", ""))
    command = pressed(custom_id)
    if command is None or interaction.channel is None:
        return None
    name, fixed = command
    values: Any = interaction.data.get("values") or []
    args = [*fixed, *(str(v) for v in values)]
    message_id = interaction.message.id if interaction.message is not None else interaction.id
    return CommandIssued(
        chat_ref(interaction.channel),
        user_ref(interaction.user, locale=str(interaction.locale)),
        message_id,
        name,
        tuple(args),
        at,
        text=custom_id,
        press=str(interaction.id),
    )


def message_command(
    interaction: discord.Interaction, message: discord.Message, name: str, at: datetime
) -> CommandIssued | None:
    """A message's context menu (right-click -> Apps -> Report message) as
    the command given in reply to it: the core finds the message, its author
    and its text in `reply_to`, as it does for `!report` typed as a reply.
    The interaction's id stands in for the command's message, so the core's
    answer to it reaches the clicker alone."""
    if interaction.channel is None:
        return None
    return CommandIssued(
        chat_ref(interaction.channel),
        user_ref(interaction.user, locale=str(interaction.locale)),
        interaction.id,
        name,
        (),
        at,
        ReplyRef(message.id, user_ref(message.author), storable(message.content)),
        "/" + name,
        in_chat=False,
    )


@dataclass(frozen=True, slots=True)
class InviteUse:
    """What the bot last saw of an invite."""

    uses: int
    max_uses: int
    channel_id: int


def used_invite(before: Mapping[str, InviteUse], after: Mapping[str, int]) -> str | None:
    """Which invite a member just joined through, found by diffing use counts
    (Discord does not say). An invite whose count went up is it; failing that,
    a limited invite that vanished on its last use. None when it is ambiguous:
    a wrong attribution is worse than none."""
    unseen = InviteUse(0, 0, 0)
    grown = [code for code, uses in after.items() if uses > before.get(code, unseen).uses]
    if len(grown) == 1:
        return grown[0]
    if grown:
        return None
    spent = [
        code
        for code, seen in before.items()
        if code not in after and seen.max_uses and seen.uses + 1 >= seen.max_uses
    ]
    return spent[0] if len(spent) == 1 else None
