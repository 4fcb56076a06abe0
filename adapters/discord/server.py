"""How one Discord server holds the community's groups.

The server's main channel is its first group; a group cloned from it is a
category (the gateway's `CloneGroup`) whose members hold a role named like
the category, its cohort role. Everyone in the server can be told apart so:
a cohort role's holders are in its group, everyone else in the main one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import discord

from bot.core.events import ChatRef


def main_channel(guild: discord.Guild) -> discord.TextChannel | None:
    """The server's main channel, where joins and leaves are counted and
    newcomers welcomed when the invite does not say: its system channel,
    else its first text channel the bot may write in."""
    me = guild.me
    candidates = [guild.system_channel] if guild.system_channel else []
    candidates += sorted(guild.text_channels, key=lambda c: (c.position, c.id))
    for channel in candidates:
        if channel is not None and me is not None:
            perms = channel.permissions_for(me)
            if perms.view_channel and perms.send_messages:
                return channel
    return None


def cohort_role(channel: Any) -> discord.Role | None:
    """The role that lets a cloned group's members see its category."""
    category = getattr(channel, "category", None)
    if category is None:
        return None
    role: discord.Role | None = discord.utils.get(category.guild.roles, name=category.name)
    return role


def member_counts(guild: discord.Guild, chats: Iterable[ChatRef]) -> dict[str, int]:
    """The members (bots aside) of each of these groups in the server, by
    chat key: a cloned group's hold its cohort role; the main channel's
    group has everyone else. Any other channel (a spare, a side channel)
    shares the server's members with no way to tell its own: no count."""
    main = main_channel(guild)
    cohorts: dict[str, discord.Role] = {}
    wide: str | None = None
    for chat in chats:
        channel = guild.get_channel(int(chat.chat_id))
        if channel is None:
            continue
        role = cohort_role(channel)
        if role is not None:
            cohorts[chat.key] = role
        elif main is not None and channel.id == main.id:
            wide = chat.key
    counts = {key: sum(1 for m in role.members if not m.bot) for key, role in cohorts.items()}
    if wide is not None:
        placed = {m.id for role in cohorts.values() for m in role.members}
        counts[wide] = sum(1 for m in guild.members if not m.bot and m.id not in placed)
    return counts
