"""Overflow groups end to end on Discord: `!join` (or `/join`) hands out a
single-use invite (max_uses=1) to the group with room; when the server's main
group fills, the next group is cloned as a category with a cohort role, the
gateway reports it back to the core, and the very next newcomer is sent
there; joining through its invite gives the cohort role; member counts are
reconciled from the roles."""

from __future__ import annotations

from datetime import timedelta

import discord
import simcord
from discord_world import World, en

from adapters.discord.server import member_counts
from bot.core.events import ChatRef, TimerFired

TITLE = "Green Energy Founders #2"


def key(channel_id: int) -> str:
    return ChatRef("discord", str(channel_id)).key


def serve_only(world: World) -> None:
    """This community is this server (newcomers write from elsewhere, in DMs),
    with groups of five."""
    engine = world.app.engine
    config = engine.config
    discord_config = config.platforms.discord.model_copy(update={"guild_id": world.guild.id})
    platforms = config.platforms.model_copy(update={"discord": discord_config})
    groups = config.groups.model_copy(update={"capacity": 5, "prepare_at": 5})
    engine.reload(config.model_copy(update={"platforms": platforms, "groups": groups}))
    # Groups keep the capacity they were registered with; the main one predates the reload.
    engine.kit.directory.groups[key(world.general.id)].capacity = 5


def dms(user: simcord.UserHandle) -> list[str]:
    """What the bot and `user` wrote to each other privately."""
    return [m.content for m in user.dm_channel.history()]


def invite_code(user: simcord.UserHandle) -> str:
    """The code of the invite link the bot sent `user` privately."""
    [link] = [word for text in dms(user) for word in text.split() if "discord.gg/" in word]
    return link.rstrip("/").rsplit("/", 1)[-1]


async def join_through(world: World, user: simcord.UserHandle) -> simcord.MemberActor:
    """Discord's part of a join through the invite (simcord does not model it)."""
    code = invite_code(user)
    world.env.backend.get_invite(code).uses += 1
    member = world.guild.add_member(user)
    await world.env.settle()
    return member


async def test_join_invites_once_and_a_clone_opens_as_the_entry_at_capacity(world: World) -> None:
    serve_only(world)
    groups = world.app.engine.kit.directory.groups
    home = groups[key(world.general.id)]
    assert home.member_count == 3  # mia, alice and bob

    await world.alice.slash(world.general, "join")
    assert dms(world.alice.user)[-1] == "You are already in general: open it from your chat list."

    carol, dan, eve = (world.env.create_user(n) for n in ("carol", "dan", "eve"))
    await carol.send_dm("!join")
    await world.env.settle()
    [first] = world.env.backend.invites.values()
    assert (first.channel_id, first.max_uses) == (world.general.id, 1)
    await join_through(world, carol)
    assert home.member_count == 4

    # dan takes the last place: the next group is cloned and reported back.
    await dan.send_dm("!join")
    await world.env.settle()
    guild = world.bot.get_guild(world.guild.id)
    assert guild is not None
    category = discord.utils.get(guild.categories, name=TITLE)
    assert category is not None
    [clone_channel] = category.text_channels
    clone = groups[key(clone_channel.id)]
    assert (clone.state, clone.serial, clone.title) == ("open", 2, TITLE)
    assert any(TITLE in text for text in world.texts(world.modlog))

    await eve.send_dm("!join")
    await world.env.settle()
    assert world.env.backend.get_invite(invite_code(eve)).channel_id == clone_channel.id
    assert len([c for c in guild.categories if c.name == TITLE]) == 1
    eve_member = await join_through(world, eve)
    role = discord.utils.get(guild.roles, name=TITLE)
    assert role is not None and eve_member.member is not None
    assert role in eve_member.member.roles
    assert clone.member_count == 1

    # Counted from Discord: eve is the clone's, everyone else the main
    # group's, including the server's owner, there before the bot was.
    counted = [ChatRef.parse(key(world.general.id)), ChatRef.parse(key(clone_channel.id))]
    assert member_counts(guild, counted) == {
        key(world.general.id): 5,
        key(clone_channel.id): 1,
    }


async def test_a_channel_beside_the_main_one_is_part_of_its_group(world: World) -> None:
    market = world.guild.create_text_channel("market")
    await world.env.settle()

    await world.alice.send(market, "anyone selling panels?")
    await world.alice.send(world.general, "hello")

    groups = world.app.engine.kit.directory.groups
    side, main = groups[key(market.id)], groups[key(world.general.id)]
    assert (side.title, side.state) == ("market", "channel")
    assert (main.title, main.state) == ("general", "open")


async def test_pool_add_reads_the_bots_permissions_in_the_channel(world: World) -> None:
    engine = world.app.engine
    config = engine.config
    community = config.community.model_copy(update={"owners": [world.key(world.alice)]})
    engine.reload(config.model_copy(update={"community": community}))
    spare = world.guild.create_text_channel("spare")
    me = world.guild.me
    assert me is not None
    bare = world.guild.create_text_channel(
        "bare",
        overwrites={me: discord.PermissionOverwrite(manage_messages=False, kick_members=False)},
    )
    await world.env.settle()

    await world.alice.send(bare, "!pool add")
    await world.alice.send(spare, "!pool add")

    assert world.texts(bare)[-1] == en(
        "overflow.pool_rights", rights="Manage Messages, Kick Members"
    )
    assert world.texts(spare)[-1] == en("overflow.pool_added", count=1)
    groups = engine.kit.directory.groups
    assert (groups[key(spare.id)].state, groups[key(bare.id)].state) == ("spare", "channel")


async def test_reconciling_corrects_the_count_from_the_server(world: World) -> None:
    serve_only(world)
    home = world.app.engine.kit.directory.groups[key(world.general.id)]
    home.member_count = 1  # joins missed while the bot was down

    # The minute's tick (adapters.scheduler in production) finds a count due.
    later = world.app.clock.now() + timedelta(minutes=1)
    await world.bot.community.handle(TimerFired("tick", later))
    await world.env.settle()

    # mia, alice, bob and the server's owner (bots aside).
    assert home.member_count == 4
    assert any("not 1 (+3)" in text for text in world.texts(world.modlog))
