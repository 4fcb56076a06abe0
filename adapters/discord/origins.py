"""What names a Discord event in the outbox: the ids Discord gives it, so the
same event handled twice holds its actions once (`adapters.outbox`).

Discord names messages and interactions with snowflakes; a join is the
member with their join time (a member who leaves and comes back joins
anew); a reaction is the message, the member and the emoji. A leave carries
no time of its own, so the time it arrived stands in.
"""

from __future__ import annotations

from datetime import datetime

import discord

from bot.core.events import ChatRef

_PREFIX = "discord"


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def message(msg: discord.Message) -> str:
    """A post, or a command typed as one."""
    return f"{_PREFIX}:m:{msg.id}"


def edit(msg: discord.Message) -> str:
    """Each edit of a message is an event of its own."""
    edited = msg.edited_at
    return f"{_PREFIX}:e:{msg.id}:{_ms(edited) if edited is not None else 0}"


def interaction(done: discord.Interaction) -> str:
    """A slash command, a button, a select or a message's menu."""
    return f"{_PREFIX}:i:{done.id}"


def join(member: discord.Member, at: datetime) -> str:
    return f"{_PREFIX}:j:{member.guild.id}:{member.id}:{_ms(at)}"


def leave(event: discord.RawMemberRemoveEvent, at: datetime) -> str:
    return f"{_PREFIX}:l:{event.guild_id}:{event.user.id}:{_ms(at)}"


def reaction(event: discord.RawReactionActionEvent) -> str:
    return f"{_PREFIX}:r:{event.message_id}:{event.user_id}:{event.emoji}"


def found(chat: ChatRef, at: datetime) -> str:
    """A channel this process shows the core for the first time: not an
    event of Discord's, so the moment names it."""
    return f"{_PREFIX}:f:{chat.chat_id}:{_ms(at)}"
