"""Running the community on Discord: `serve(app)` for `adapters.runners`."""

from __future__ import annotations

import logging

from adapters.app import App
from adapters.discord.client import build_bot

log = logging.getLogger(__name__)


async def serve(app: App) -> None:
    """Connect to Discord and run until cancelled; the client is closed on
    the way out, cancellation included. The app stays open: its owner closes
    it."""
    token = app.config.platforms.discord.token
    if not token:
        raise RuntimeError("platforms.discord.token is empty: set DISCORD_TOKEN")
    bot = build_bot(app)
    async with bot:
        log.info("connecting to Discord")
        await bot.start(token)
