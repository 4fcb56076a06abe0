"""A new owner's pass over Discord (simcord): a moderator in a private chat,
and texts at Discord's length limit."""

from __future__ import annotations

import simcord
from discord_world import World, en


def dms(who: simcord.MemberActor) -> list[str]:
    channel = who.user.dm_channel
    return [m.content for m in channel.history()] if channel is not None else []


def make_config_moderator(world: World, who: simcord.MemberActor) -> None:
    config = world.app.engine.config
    community = config.community.model_copy(update={"moderators": [world.key(who)]})
    world.app.engine.reload(config.model_copy(update={"community": community}))


async def test_a_moderators_private_mute_times_out_on_the_server(world: World) -> None:
    # Discord's timeouts are server-wide: a private /mute acts there (on
    # Telegram, where a mute is per group, it is refused instead).
    make_config_moderator(world, world.mod)
    await world.bob.send(world.general, "hello all")
    await world.mod.send_dm(f"!mute {world.bob.mention} 10m")

    member = world.bob.member
    assert member is not None and member.is_timed_out()
    assert dms(world.mod)[-1] == en("mod.muted", name="@bob", duration="10m", reason="")


async def test_feedback_at_discords_length_limit_reaches_the_log_whole(world: World) -> None:
    text = "很长的意见🙂" * 330
    await world.alice.send(world.general, "!feedback " + text[:1990])
    logged = "".join(m.content for m in world.modlog.history())
    assert text[:1990] in logged.replace("\n", "") or text[:1900] in logged
    assert all(len(m.content) <= 2000 for m in world.modlog.history())
