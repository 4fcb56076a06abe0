"""Discord refusing the slash commands' registration at start (an outage,
a missing `applications.commands` scope, a Discord-compatible server that
does not offer it) costs the slash commands only: the bot comes up and
answers `!` commands, and the owner reads why in the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from discord_world import CONFIG, World, en

from adapters.discord.client import build_client


async def test_a_refused_command_registration_leaves_the_bot_running(
    world: World, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    world.env.inject_error("PUT", "/applications/*/commands", status=500, times=None)
    world.env.inject_error("PUT", "/applications/*/guilds/*/commands", status=500, times=None)
    bot, app = await build_client(
        CONFIG, f"sqlite+aiosqlite:///{tmp_path / 'other.db'}", background_flush=False
    )
    try:
        await world.env.restart_bot(bot)

        await world.alice.send(world.general, "!checkin")

        ok = en("checkin.ok", name="@alice", points=10, bonus="", streak=1, balance=10, rank=1)
        assert ok in world.texts(world.general)
        assert "slash commands could not be registered" in caplog.text
    finally:
        await app.close()
