"""`groupkeeper run` as a real process on a Discord on the wire
(tests/discord/wire.py): a gateway payload discord.py's own parser cannot
read costs that event only, not the connection."""

from __future__ import annotations

from pathlib import Path

from tests.discord.wire import WireDiscord
from tests.ops.processes import wait


async def test_a_payload_the_library_cannot_read_leaves_the_bot_on_discord(
    wire: WireDiscord, tmp_path: Path
) -> None:
    async with wire.serving(tmp_path) as log:
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
    assert "a MESSAGE_UPDATE event could not be read; skipped" in log.read_text()
    assert wire.identified == 1
