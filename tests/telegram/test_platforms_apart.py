"""Telegram and Discord in one process stand or fall on their own: a platform
that cannot be reached is tried again with a growing wait while the other
serves; one that refuses the bot's token stays off; the process ends only
when no platform can run. Telegram is the fake Bot API, Discord a closed
port or a local server refusing the token: no real network."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import discord.http
import pytest
from aiohttp import web

from adapters import runners
from adapters.runners import run_platforms
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, CONFIG, GROUP

# Shaped like a real bot token, so only the server can refuse it.
DISCORD_TOKEN = "MTA4NjQ0NjY0NjQ2NjQ2NjQ2.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789ABC"


def both_platforms(tmp_path: Path) -> Path:
    config = tmp_path / "config.yaml"
    text = CONFIG.read_text(encoding="utf-8")
    discord = "platforms:\n  discord:\n    token: ${DISCORD_TOKEN:-}\n"
    config.write_text(text.replace("platforms:\n", discord, 1), encoding="utf-8")
    return config


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def discord_at(monkeypatch: pytest.MonkeyPatch, base: str) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", DISCORD_TOKEN)
    monkeypatch.setattr(discord.http.Route, "BASE", f"{base}/api/v10")


@pytest.fixture
async def refusing_discord() -> AsyncIterator[str]:
    """Answers every request as Discord answers a wrong token."""

    async def unauthorized(request: web.Request) -> web.Response:
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", unauthorized)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


def retries(caplog: pytest.LogCaptureFixture, platform: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == runners.__name__ and r.getMessage().startswith(f"{platform}: cannot connect")
    ]


async def test_telegram_serves_while_discord_cannot_be_reached(
    world: FakeBotApi,
    tg_env: None,
    tg_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = world
    discord_at(monkeypatch, f"http://127.0.0.1:{closed_port()}")
    caplog.set_level(logging.WARNING, logger=runners.__name__)
    running = asyncio.create_task(
        run_platforms(both_platforms(tmp_path), tg_db, ["telegram", "discord"])
    )
    try:
        await api.wait_for(lambda: api.allowed_updates is not None or running.done(), 20)
        assert not running.done(), running.exception()
        api.post(GROUP, ANN, "/checkin")
        await api.wait_for(lambda: api.sent(GROUP), 10, "the reply on Telegram")
        # Discord is tried again, after a wait that grows.
        await api.wait_for(lambda: len(retries(caplog, "discord")) >= 2, 10, "a second try")
        first, second = retries(caplog, "discord")[:2]
        assert "trying again in 1s" in first and "trying again in 2s" in second
        assert not running.done()
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def test_the_process_ends_when_no_platform_can_run(
    world: FakeBotApi,
    tg_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refusing_discord: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = "123456:a-token-Telegram-does-not-know"
    monkeypatch.setenv("TELEGRAM_TOKEN", token)
    monkeypatch.setenv("GK_TG_BASE_URL", world.base_url)
    discord_at(monkeypatch, refusing_discord)
    caplog.set_level(logging.WARNING, logger=runners.__name__)

    code = await asyncio.wait_for(
        run_platforms(both_platforms(tmp_path), tg_db, ["telegram", "discord"]), 20
    )

    assert code == 1
    assert retries(caplog, "telegram") == retries(caplog, "discord") == []
    assert any(
        m.startswith("telegram stays off: Telegram: the token was refused") for m in caplog.messages
    )
    assert token not in caplog.text


async def test_an_unreachable_telegram_is_tried_again_after_discord_refused_the_bot(
    api: FakeBotApi,
    tg_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refusing_discord: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", "123456:TEST-token-made-to-look-like-a-real-one")
    monkeypatch.setenv("GK_TG_BASE_URL", f"http://127.0.0.1:{closed_port()}/bot")
    discord_at(monkeypatch, refusing_discord)
    caplog.set_level(logging.WARNING, logger=runners.__name__)
    running = asyncio.create_task(
        run_platforms(both_platforms(tmp_path), tg_db, ["telegram", "discord"])
    )
    try:
        # Telegram is not this server: only its waiting is borrowed.
        refused = (
            "discord stays off: Discord: the token was refused: check DISCORD_TOKEN"
            " (platforms.discord.token) or reset it on the Developer Portal's Bot page. Exiting."
        )
        await api.wait_for(
            lambda: (retries(caplog, "telegram") and refused in caplog.messages) or running.done(),
            20,
        )
        assert retries(caplog, "telegram") and refused in caplog.messages
        assert not running.done()
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
