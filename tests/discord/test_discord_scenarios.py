"""The issue's scenarios, end to end: simcord members act in a virtual server,
discord.py parses the gateway payloads, the real bot translates them, the
engine decides, and the gateway's REST calls change the virtual server."""

from __future__ import annotations

from conftest import World, en


async def test_blocked_word_is_deleted_and_warned(world: World) -> None:
    message = await world.alice.send(world.general, "cheap buy followers here")

    assert message.id not in [m.id for m in world.general.history()]
    notice = en("notice.removed", name="@alice", rule="No ads or recruiting")
    assert world.general.last_message.content == notice + en("notice.count", count=1, limit=5)
    assert "no-ads" in world.modlog.last_message.content
