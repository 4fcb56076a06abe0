"""`groupkeeper run` as a real process on a Discord on the wire
(tests/discord/wire.py): a gateway payload discord.py's own parser cannot
read costs that event only, not the connection."""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.discord.test_discord_wire import _config
from tests.discord.wire import TOKEN, WireDiscord
from tests.ops.processes import start, wait


@pytest.fixture
async def wire() -> AsyncIterator[WireDiscord]:
    server = WireDiscord()
    await server.start()
    yield server
    await server.stop()


async def test_a_payload_the_library_cannot_read_leaves_the_bot_on_discord(
    wire: WireDiscord, tmp_path: Path
) -> None:
    db = tmp_path / "gk.db"
    args = ["--config", str(_config(tmp_path, wire)), "--db", f"sqlite+aiosqlite:///{db}"]
    log = tmp_path / "bot.log"
    bot = await start(args, {"DISCORD_TOKEN": TOKEN}, log)
    try:
        await wait(lambda: wire.identified == 1, 60, "the process to connect")
        hello = await wire.post("alice", "hello everyone, glad to be here")
        # An embed unfurled: a partial MESSAGE_UPDATE, without author or type.
        await wire.send_event(
            "MESSAGE_UPDATE",
            {"id": hello, "channel_id": wire.channel, "guild_id": str(wire.guild["id"])},
        )
        spam = await wire.post("alice", "buy followers cheap, dm me")
        await wait(
            lambda: wire.made("DELETE", f"/channels/{wire.channel}/messages/{spam}"),
            30,
            lambda: "the removal: " + log.read_text()[-3000:],
        )
    finally:
        bot.send_signal(signal.SIGTERM)
        assert await bot.wait() == 0
    assert "a MESSAGE_UPDATE event could not be read; skipped" in log.read_text()
    assert wire.identified == 1
