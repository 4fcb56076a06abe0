"""The real bot (`build_client`) on simcord's in-memory Discord: a server with
a #general channel, a private #mod-log, a moderator and two members.

simcord hands out snowflakes when the world is built, after the bot exists,
so the log channel is set the way an owner would: by reloading the config.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import simcord
from discord_world import CONFIG, World

from adapters.app import App
from adapters.discord.client import GroupkeeperBot, build_client
from tests.discord.wire import WireDiscord


@pytest.fixture
async def app_and_bot(tmp_path: Path) -> AsyncIterator[tuple[GroupkeeperBot, App]]:
    bot, app = await build_client(
        CONFIG, f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}", background_flush=False
    )
    yield bot, app
    await app.close()


@pytest.fixture
def simcord_bot(app_and_bot: tuple[GroupkeeperBot, App]) -> GroupkeeperBot:
    return app_and_bot[0]


@pytest.fixture
async def world(simcord_env: simcord.Env, app_and_bot: tuple[GroupkeeperBot, App]) -> World:
    env = simcord_env
    bot, app = app_and_bot
    guild = env.create_guild("Green Energy")
    await env.settle()
    me = guild.me
    assert me is not None
    general = guild.create_text_channel("general")
    hidden = discord.PermissionOverwrite(view_channel=False)
    modlog = guild.create_text_channel(
        "mod-log",
        overwrites={guild.default_role: hidden, me: discord.PermissionOverwrite(view_channel=True)},
    )
    mods = guild.create_role(
        "Mods",
        permissions=discord.Permissions(
            manage_messages=True, kick_members=True, ban_members=True, moderate_members=True
        ),
    )
    mod = guild.add_member(env.create_user("mia"), roles=[mods])
    alice = guild.add_member(env.create_user("alice"))
    bob = guild.add_member(env.create_user("bob"))
    await env.settle()
    config = app.engine.config
    community = config.community.model_copy(update={"log_chat": f"discord:{modlog.id}"})
    app.engine.reload(config.model_copy(update={"community": community}))
    return World(env, bot, app, guild, general, modlog, mods, mod, alice, bob)


@pytest.fixture
async def wire() -> AsyncIterator[WireDiscord]:
    """A Discord on the wire for `groupkeeper run` in its own process."""
    server = WireDiscord()
    await server.start()
    yield server
    await server.stop()
