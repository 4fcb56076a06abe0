"""The discord.py client, fully wired, and the factory that builds it without
connecting.

    bot, app = await build_client("config.yaml", "sqlite+aiosqlite:///gk.db")
    async with simcord.run(bot) as env:   # or: await bot.start(token)
        ...
    await app.close()

`build_client` loads and checks the config, opens (and migrates) the store,
starts the engine, and returns the bot with its commands and event handlers
in place. Nothing touches the network until the bot logs in, so any harness
that drives discord.py (simcord in the tests) drives the real bot. The bot
does not own the `App`: whoever built it closes it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from adapters.app import App, build_app
from adapters.discord.commands import CommunityCommands, free_text_commands
from adapters.discord.community import DiscordCommunity
from adapters.discord.localization import CatalogueTranslator
from adapters.discord.menus import message_menus
from adapters.gateway import Forward
from bot.config.platforms import DiscordConfig
from bot.core.ports import Clock

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Members (privileged) to see joins, leaves and roles; message content
    (privileged) for the rules and prefix commands. Both must be switched on
    in the developer portal, or Discord refuses the connection."""
    wanted = discord.Intents.default()
    wanted.members = True
    wanted.message_content = True
    return wanted


def _live_prefix(bot: commands.Bot, _message: discord.Message) -> str:
    # Read on every message, so a reloaded config's prefix applies at once.
    assert isinstance(bot, GroupkeeperBot)
    return bot.app.engine.config.platforms.discord.prefix


class GroupkeeperBot(commands.Bot):
    def __init__(self, app: App, *, forward: Forward | None = None, **options: Any) -> None:
        super().__init__(
            command_prefix=_live_prefix,
            intents=intents(),
            help_command=None,
            case_insensitive=True,
            allowed_mentions=discord.AllowedMentions(
                everyone=False, roles=False, users=True, replied_user=False
            ),
            **options,
        )
        self.app = app
        self.community = DiscordCommunity(self, app, forward=forward)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogueTranslator())
        typed = CommunityCommands(self.community)
        await self.add_cog(typed)
        defined = {c.name for c in typed.get_commands()}
        for command in free_text_commands(self.community, self.app.engine.commands(), defined):
            self.tree.add_command(command)
        for menu in message_menus(self.community):
            self.tree.add_command(menu)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """With `guild_id` configured, commands go to that server only, where
        Discord shows changes at once; otherwise they are global. Discord
        refusing them costs the slash commands only: the bot still answers
        `!` commands, and the next start registers them again."""
        guild_id = self.app.config.platforms.discord.guild_id
        try:
            if guild_id is None:
                await self.tree.sync()
                return
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:
            log.error(
                "Discord: the slash commands could not be registered (%s %s): the bot runs"
                " with ! commands until the next start registers them",
                exc.status,
                exc.text or type(exc).__name__,
            )

    async def on_ready(self) -> None:
        # Once the cache holds the servers: what was stored and never sent
        # before the restart goes out now (a reconnect sends nothing again).
        await self.community.delivery.start()

    async def close(self) -> None:
        """What the events handled so far did is stored and sent (within
        `platforms.shutdown_grace`) before the connection closes."""
        if not self.is_closed():
            grace = self.app.engine.config.platforms.shutdown_grace.total_seconds()
            await self.community.delivery.stop(grace)
        await super().close()

    async def on_message(self, message: discord.Message) -> None:
        await self.community.on_message(message)

    async def on_raw_message_edit(self, update: discord.RawMessageUpdateEvent) -> None:
        await self.community.on_edit(update)

    async def on_member_join(self, member: discord.Member) -> None:
        await self.community.on_join(member)

    async def on_raw_member_remove(self, event: discord.RawMemberRemoveEvent) -> None:
        await self.community.on_leave(event)

    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        await self.community.on_reaction(event)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.community.on_interaction(interaction)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.community.on_guild(guild)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.community.on_guild(guild)

    async def on_invite_create(self, invite: discord.Invite) -> None:
        self.community.invites.created(invite)


class ShardedGroupkeeperBot(GroupkeeperBot, commands.AutoShardedBot):
    """The same bot on discord.py's AutoShardedClient (`sharded: true`), for
    servers large enough that Discord requires shards."""


def point_at(config: DiscordConfig) -> None:
    """Send discord.py to `api_url` and `gateway_url` where they are set.
    discord.py keeps both on classes, so they hold for the whole process
    (`run --config-dir` refuses communities that disagree); unset, whatever
    the process uses already is left alone."""
    if config.api_url:
        discord.http.Route.BASE = config.api_url.rstrip("/")
        log.info("Discord API at %s", config.api_url)
    if config.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)
        log.info("Discord gateway at %s", config.gateway_url)


def build_bot(
    app: App,
    *,
    sharded: bool | None = None,
    shard_count: int | None = None,
    forward: Forward | None = None,
) -> GroupkeeperBot:
    """The bot for an already started `App`, not connected. `sharded`
    overrides `platforms.discord.sharded`; `shard_count` pins the number of
    shards (Discord recommends one when it is None)."""
    # The bot never joins voice: the library's warnings that voice extras are
    # missing would only bury the owner's start-up lines.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    point_at(app.config.platforms.discord)
    use_shards = app.config.platforms.discord.sharded if sharded is None else sharded
    if use_shards:
        return ShardedGroupkeeperBot(app, forward=forward, shard_count=shard_count)
    return GroupkeeperBot(app, forward=forward)


async def build_client(
    config_path: str | Path,
    db_url: str | None = None,
    *,
    clock: Clock | None = None,
    background_flush: bool = True,
    sharded: bool | None = None,
    shard_count: int | None = None,
    forward: Forward | None = None,
) -> tuple[GroupkeeperBot, App]:
    """Build the app (config, store, engine) and the bot around it, without
    connecting. The caller closes both: `await bot.close()` (when it was
    started) and `await app.close()`."""
    app = await build_app(config_path, db_url, clock=clock, background_flush=background_flush)
    try:
        bot = build_bot(app, sharded=sharded, shard_count=shard_count, forward=forward)
    except BaseException:
        await app.close()
        raise
    return bot, app
