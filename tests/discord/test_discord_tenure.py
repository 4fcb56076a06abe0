"""On Discord the server says when a member joined (`Member.joined_at`): a
member of a year the bot sees for the first time is no newcomer, and the
spam guard's newcomer checks spare them; a member who just joined still
meets them. simcord members act, discord.py parses."""

from __future__ import annotations

from datetime import timedelta

import simcord
from discord_world import World

# Fifteen emoji: more than a newcomer's `max_emoji`, nothing for a member.
CHEER = "new release is out " + "🎉" * 15


def deleted(world: World, channel: simcord.ChannelHandle, message_id: int) -> bool:
    path = f"/channels/{channel.id}/messages/{message_id}"
    return any(r.method == "DELETE" and r.path == path for r in world.env.http_requests)


def unseen(world: World, name: str, tenure: timedelta) -> simcord.MemberActor:
    """A member who joined `tenure` ago, while the bot was not looking."""
    env = world.env
    user = env.create_user(name)
    member = env.backend.add_member(world.guild.id, user.id)
    member.joined_at = (env.backend.clock.now() - tenure).isoformat()
    return simcord.MemberActor(env, world.guild, user)


async def test_a_member_of_a_year_first_seen_is_no_newcomer(world: World) -> None:
    env = world.env
    cheer = await unseen(world, "vera", timedelta(days=365)).send(world.general, CHEER)
    await env.settle()
    assert not deleted(world, world.general, cheer.id)

    newcomer = world.guild.add_member(env.create_user("nico"))
    await env.settle()
    again = await newcomer.send(world.general, CHEER)
    await env.settle()
    assert deleted(world, world.general, again.id)


async def test_a_member_the_server_says_joined_an_hour_ago_is_one(world: World) -> None:
    cheer = await unseen(world, "hana", timedelta(hours=1)).send(world.general, CHEER)
    await world.env.settle()
    assert deleted(world, world.general, cheer.id)
