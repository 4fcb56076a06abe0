"""The core's commands as Discord slash commands: every one of them, named
and described from the catalogue (`/checkin`, `/签到` in Chinese clients).

Most are derived from the core's command table: one free-text `args` option
takes what would follow the command typed (`/schedule args:list`), so a
command added to the core is a slash command without a change here. Their
prefix form (`!schedule list`, `!why` as a reply) needs nothing either: the
core's names and aliases reach it as typed text (`DiscordCommunity`).

Where a typed form helps, a hybrid command is defined by hand: Discord's
member picker for the moderators' commands, a language choice; it is also
a prefix command, with the zh-CN name as an alias (`!签到`).

Every handler only gathers its arguments and issues the core's command; the
core decides, including who may use moderators' commands. That is why the
moderators' slash commands are not hidden from members with Discord's
default permissions: owners and moderators named in the YAML may lack them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Coroutine, Mapping
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord import translate
from adapters.discord.community import DiscordCommunity
from adapters.discord.localization import (
    chinese_names,
    command_description,
    command_name,
    options,
)
from bot.core.commands import Command

log = logging.getLogger(__name__)

Context = commands.Context[Any]

LANGUAGES = [
    app_commands.Choice(name="English", value="en"),
    app_commands.Choice(name="中文", value="zh"),
]


Callback = Callable[..., Coroutine[Any, Any, None]]


def command(name: str) -> Callable[[Callback], commands.HybridCommand[Any, ..., None]]:
    """A typed hybrid command with its catalogue name and description, and
    the Chinese name as a prefix alias. The core's own aliases (`!qiandao`)
    reach it as typed text."""
    return commands.hybrid_command(
        name=command_name(name),
        description=command_description(name),
        aliases=chinese_names(name),
    )


def free_text_commands(
    community: DiscordCommunity, table: Mapping[str, Command], typed: Collection[str]
) -> list[app_commands.Command[Any, ..., None]]:
    """A slash command for each command of the core without a typed one."""
    return [
        _free_text(community, c.name) for c in dict.fromkeys(table.values()) if c.name not in typed
    ]


def _free_text(community: DiscordCommunity, name: str) -> app_commands.Command[Any, ..., None]:
    @options("args")
    async def issue(
        interaction: discord.Interaction[commands.Bot], args: str | None = None
    ) -> None:
        ctx = await commands.Context.from_interaction(interaction)
        # A member picked from Discord's mention list arrives as <@id>.
        words = translate.command_text(args or "").split()
        await community.command(ctx, name, args=words)

    return app_commands.Command(
        name=command_name(name), description=command_description(name), callback=issue
    )


class CommunityCommands(commands.Cog, name="groupkeeper"):
    def __init__(self, community: DiscordCommunity) -> None:
        self.community = community

    async def cog_command_error(self, ctx: Context, error: Exception) -> None:
        # Parameters are all optional and the reason takes the rest, so words
        # that fit no parameter reach the core, which answers with its usage;
        # what lands here is a bug, not a member's typo.
        log.error("command %s failed", ctx.command, exc_info=error)

    # -- members --------------------------------------------------------------

    @command("checkin")
    async def checkin(self, ctx: Context) -> None:
        await self.community.command(ctx, "checkin")

    @command("me")
    async def me(self, ctx: Context) -> None:
        await self.community.command(ctx, "me")

    @command("top")
    async def top(self, ctx: Context) -> None:
        await self.community.command(ctx, "top")

    @command("rules")
    async def rules(self, ctx: Context) -> None:
        await self.community.command(ctx, "rules")

    @command("help")
    async def help(self, ctx: Context) -> None:
        await self.community.command(ctx, "help")

    @command("join")
    async def join(self, ctx: Context) -> None:
        await self.community.command(ctx, "join")

    @command("groups")
    async def groups(self, ctx: Context) -> None:
        await self.community.command(ctx, "groups")

    @command("lang")
    @options("language")
    @app_commands.choices(language=LANGUAGES)
    async def lang(self, ctx: Context, language: str | None = None) -> None:
        await self.community.command(ctx, "lang", args=[language])

    # -- moderators -----------------------------------------------------------

    @command("warn")
    @options("member", "reason")
    async def warn(
        self, ctx: Context, member: discord.Member | None = None, *, reason: str = ""
    ) -> None:
        await self.community.command(ctx, "warn", target=member, args=reason.split())

    @command("unwarn")
    @options("member")
    async def unwarn(self, ctx: Context, member: discord.Member | None = None) -> None:
        await self.community.command(ctx, "unwarn", target=member)

    @command("mute")
    @options("member", "duration", "reason")
    async def mute(
        self,
        ctx: Context,
        member: discord.Member | None = None,
        duration: str | None = None,
        *,
        reason: str = "",
    ) -> None:
        await self.community.command(ctx, "mute", target=member, args=[duration, *reason.split()])

    @command("unmute")
    @options("member")
    async def unmute(self, ctx: Context, member: discord.Member | None = None) -> None:
        await self.community.command(ctx, "unmute", target=member)

    @command("kick")
    @options("member", "reason")
    async def kick(
        self, ctx: Context, member: discord.Member | None = None, *, reason: str = ""
    ) -> None:
        await self.community.command(ctx, "kick", target=member, args=reason.split())

    @command("ban")
    @options("member", "duration", "reason")
    async def ban(
        self,
        ctx: Context,
        member: discord.Member | None = None,
        duration: str | None = None,
        *,
        reason: str = "",
    ) -> None:
        await self.community.command(ctx, "ban", target=member, args=[duration, *reason.split()])

    @command("unban")
    @options("user")
    async def unban(self, ctx: Context, user: discord.User | None = None) -> None:
        await self.community.command(ctx, "unban", target=user)
