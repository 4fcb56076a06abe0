"""Rough edges a new owner met, on Discord (simcord): a member who writes
to the bot in a DM as to a person."""

from __future__ import annotations

import simcord
from discord_world import World, en


def dms(who: simcord.MemberActor) -> list[str]:
    channel = who.user.dm_channel
    return [m.content for m in channel.history()] if channel is not None else []


async def test_a_plain_dm_gets_one_hint_and_a_dm_command_none(world: World) -> None:
    await world.alice.send_dm("hi, how does this server work?")
    await world.alice.send_dm("hello?")
    hint = en("private_hint", name="alice", community=world.app.engine.config.community.name)
    assert dms(world.alice) == ["hi, how does this server work?", hint, "hello?"]
    await world.alice.send_dm("!help")
    assert dms(world.alice)[-1].startswith("Commands:")


async def test_a_server_moderator_moderates_in_a_dm_too(world: World) -> None:
    # mia manages messages on the server but is not in the config: in a DM
    # the bot asks Discord, as the dashboard does, and she is a moderator.
    await world.bob.send(world.general, "hello all")
    await world.mod.send_dm(f"!warn {world.bob.mention} spam")
    await world.alice.send_dm(f"!warn {world.bob.mention} spam")

    assert dms(world.mod)[-1].startswith("⚠️ @bob has been warned by a moderator (spam)")
    assert dms(world.alice)[-1] == en("mod.not_allowed", command="warn")
