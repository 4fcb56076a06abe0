"""A honeypot channel on Discord, end to end (simcord, discord.py's parsers,
the real bot): a spam account that posts in every channel it sees is banned
from the server when it reaches the channel nobody should post in, and the
ban asks Discord to remove what it posted elsewhere; a moderator posting there is spared."""

from __future__ import annotations

import simcord
from discord_world import World, en
from pydantic import TypeAdapter

from rules.schema import Rule


async def _trap(world: World) -> simcord.ChannelHandle:
    trap = world.guild.create_text_channel("do-not-post-here")
    await world.env.settle()
    config = world.app.engine.config
    honeypot = TypeAdapter(Rule).validate_python(
        {"id": "trap", "type": "honeypot", "groups": [f"discord:{trap.id}"]}
    )
    world.app.engine.reload(config.model_copy(update={"rules": [*config.rules, honeypot]}))
    return trap


def _bans(world: World) -> list[simcord.HttpRequest]:
    return [r for r in world.env.http_requests if r.method == "PUT" and "/bans/" in r.path]


async def test_posting_in_the_honeypot_bans_and_removes_the_spam_run(world: World) -> None:
    trap = await _trap(world)
    elsewhere = await world.bob.send(world.general, "hi all, what a nice server this is")
    assert elsewhere.id in [m.id for m in world.general.history()]

    posted = await world.bob.send(trap, "hi all, what a nice server this is")

    assert world.guild.get_ban(world.bob) is not None
    [ban] = _bans(world)
    # A rule's ban asks Discord to take the author's last day of messages
    # with it, in every channel (simcord records the ask, it does not delete).
    assert ban.params == {"delete_message_seconds": 86400}
    assert posted.id not in [m.id for m in trap.history()]
    case = [text for text in world.texts(world.modlog) if "trap" in text]
    assert case and en("checks.honeypot") in case[-1]


async def test_a_moderator_posting_in_the_honeypot_is_spared(world: World) -> None:
    trap = await _trap(world)

    said = await world.mod.send(trap, "Do not post in this channel: it bans spam bots.")

    assert said.id in [m.id for m in trap.history()]
    assert world.guild.get_ban(world.mod) is None
    assert _bans(world) == []


async def test_the_honeypot_fires_only_in_its_channel(world: World) -> None:
    await _trap(world)

    said = await world.alice.send(world.general, "Good morning, everyone")

    assert said.id in [m.id for m in world.general.history()]
    assert world.guild.get_ban(world.alice) is None
