"""The message context menus (right-click a message -> Apps): "Report
message" for everyone, "Mark as spam" and "Not spam" for moderators.

Slash commands cannot reply to a message, so without these `/report`, `/spam`
and `/ham` work on Discord only typed as a reply (`!report`). A click issues
the same core command with the message as the one replied to.

As with the slash commands, the core decides who may do what. The
moderators' entries are hidden from members without Manage Messages only to
keep members' menus short; a server may show them to others (Server Settings
-> Integrations), and the core refuses those who are not moderators, while
moderators named in the YAML without the permission keep `!spam` as a reply.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import discord
from discord import app_commands

from adapters.discord.community import DiscordCommunity
from adapters.discord.localization import menu_name

MODERATORS = discord.Permissions(manage_messages=True)

# The core's command behind each entry, and who sees it by default (None:
# everyone).
MENUS: tuple[tuple[str, discord.Permissions | None], ...] = (
    ("report", None),
    ("spam", MODERATORS),
    ("ham", MODERATORS),
)

Callback = Callable[[discord.Interaction, discord.Message], Coroutine[Any, Any, None]]


def message_menus(community: DiscordCommunity) -> list[app_commands.ContextMenu]:
    """The entries, for the bot's command tree (synced with the slash commands)."""
    menus = []
    for name, permissions in MENUS:
        menu = app_commands.ContextMenu(name=menu_name(name), callback=_issue(community, name))
        # A message's menu makes sense in a server only.
        app_commands.guild_only(menu)
        menu.default_permissions = permissions
        menus.append(menu)
    return menus


def _issue(community: DiscordCommunity, name: str) -> Callback:
    async def issue(interaction: discord.Interaction, message: discord.Message) -> None:
        await community.message_command(interaction, message, name)

    return issue
