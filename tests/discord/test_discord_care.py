"""Appeals and members' own data on Discord, end to end in simcord: a member
timed out by a moderator appeals by DM, the moderators click Accept under
the appeal in the log channel and the timeout is lifted; `/mydata` arrives
as a DM with the JSON file attached. A member banned from the server shares
no server with the bot and cannot DM it (docs/members.md): there the appeal
goes through `appeals.discord_link`."""

from __future__ import annotations

import json

import discord
import simcord
from discord_world import World, answers, en


def dms(who: simcord.MemberActor) -> list[discord.Message]:
    channel = who.user.dm_channel
    return list(channel.history()) if channel is not None else []


async def mods_read_the_log(world: World) -> None:
    channel = world.bot.get_channel(world.modlog.id)
    assert isinstance(channel, discord.TextChannel)
    mods = channel.guild.get_role(world.mods.id)
    assert mods is not None
    with world.env.time_context():
        await channel.set_permissions(mods, view_channel=True)
    await world.env.settle()


async def test_a_timed_out_member_appeals_by_dm_and_a_click_lifts_it(world: World) -> None:
    await world.mod.slash(world.general, "mute", member=world.bob, duration="2h")
    member = world.bob.member
    assert member is not None and member.is_timed_out()

    await world.bob.send_dm("!appeal I was quoting the rules back, not insulting anyone")

    assert "reached the moderators" in dms(world.bob)[-1].content
    [review] = [m for m in world.modlog.history() if m.components]
    assert review.content.startswith(en("appeal.review.head", id=1, name="@bob", case=1,
                                        status=en("appeal.status.pending")))  # fmt: skip
    await mods_read_the_log(world)

    accepted = await world.mod.click(review, label="Accept #1")

    assert answers(accepted) == [en("appeal.done_accept", id=1, name="@bob")]
    member = world.bob.member
    assert member is not None and not member.is_timed_out()
    assert dms(world.bob)[-1].content == en("appeal.accepted", id=1, case=1)


async def test_an_appeal_as_a_slash_command_in_the_server_is_sent_to_private(
    world: World,
) -> None:
    result = await world.bob.slash(world.general, "appeal", args="please reconsider my case")

    assert answers(result) == [en("appeal.private")]
    assert not [m for m in world.modlog.history() if m.components]


async def test_mydata_arrives_as_a_dm_with_the_file_attached(world: World) -> None:
    await world.alice.send(world.general, "good morning everyone")

    await world.alice.send_dm("!mydata")

    [sent] = [m for m in dms(world.alice) if m.attachments]
    assert sent.content == en("mydata.caption")
    [attached] = sent.attachments
    assert attached.filename.startswith("mydata-") and attached.filename.endswith(".json")
    doc = json.loads(await attached.read())
    assert doc["member"] == world.key(world.alice)


async def test_a_member_banned_from_the_server_is_told_where_to_appeal_first(
    world: World,
) -> None:
    engine = world.app.engine
    config = engine.config
    appeals = config.appeals.model_copy(
        update={"notify": True, "discord_link": "https://discord.gg/appeals-green"}
    )
    engine.reload(config.model_copy(update={"appeals": appeals}))

    await world.mod.slash(world.general, "ban", member=world.bob)

    assert world.guild.get_ban(world.bob) is not None
    [notice] = [m.content for m in dms(world.bob)]
    assert notice == en(
        "appeal.notice_link", action=en("actions.ban"), where="general", case=1, window="30d",
        link="https://discord.gg/appeals-green",
    )  # fmt: skip
