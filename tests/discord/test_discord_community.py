"""Issue 21's platform parts on Discord (simcord): the notice's pin replaced
(never two), a native poll voted on, ended and summed, feedback answered by
a direct message, and a season's honour role granted and passed on."""

from __future__ import annotations

import discord
from discord_world import World, answers, en

from bot.config.notice import NoticeConfig
from bot.config.seasons import Honour, SeasonConfig, SeasonsConfig
from bot.features.seasons.feature import SeasonsFeature
from bot.features.seasons.periods import period


def notice_on(world: World, text: str) -> None:
    config = world.app.engine.config
    world.app.engine.reload(config.model_copy(update={"notice": NoticeConfig(text=text)}))


async def mods_read_the_log(world: World) -> None:
    channel = world.bot.get_channel(world.modlog.id)
    assert isinstance(channel, discord.TextChannel)
    mods = channel.guild.get_role(world.mods.id)
    assert mods is not None
    with world.env.time_context():
        await channel.set_permissions(mods, view_channel=True)
    await world.env.settle()


def pinned(world: World) -> list[str]:
    return [m.content for m in world.general.history() if m.pinned]


async def test_the_notice_replaces_its_pin_and_never_holds_two(world: World) -> None:
    notice_on(world, "Be kind. Links are open from level 3.")
    await world.mod.send(world.general, "/notice refresh")
    assert pinned(world) == ["Be kind. Links are open from level 3."]

    await world.mod.send(world.general, "/notice set Be kind. Reading list in /rules.")
    assert pinned(world) == ["Be kind. Reading list in /rules."]

    await world.alice.send(world.general, "/notice refresh")
    assert pinned(world) == ["Be kind. Reading list in /rules."]


async def test_a_native_poll_is_ended_and_summed(world: World) -> None:
    await world.mod.send(world.general, '/poll "Next topic?" Storage | Grants | Hiring for 2d')
    [poll] = [m for m in world.general.history() if m.poll is not None]
    await world.alice.vote(poll, answer=1)
    await world.bob.vote(poll, answer=1)
    await world.mod.vote(poll, answer=2)

    await world.mod.send(world.general, "/poll close 1")

    [results] = [t for t in world.texts(world.general) if t.startswith("📊 Poll #1 is closed")]
    assert "Storage: 2 (67%)" in results and "Grants: 1 (33%)" in results
    assert "3 voter(s)" in results
    assert any(t.startswith("📊 Poll #1 is closed") for t in world.texts(world.modlog))


async def test_feedback_is_answered_by_a_direct_message(world: World) -> None:
    await world.alice.send(world.general, "/feedback please add a reading list")
    [note] = [m for m in world.modlog.history() if "Feedback #1" in m.content]
    await mods_read_the_log(world)

    result = await world.mod.click(note, label="Reply #1")
    assert any("/reply 1" in shown for shown in answers(result))
    await world.mod.send(world.modlog, "/reply 1 Good idea: it is in the notice.")

    dm = [m.content for m in world.alice.user.dm_channel.history()]
    assert dm[-1] == en(
        "feedback.answer_dm",
        id=1,
        question="please add a reading list",
        answer="Good idea: it is in the notice.",
    )


async def test_a_seasons_honour_role_is_granted_then_passed_on(world: World) -> None:
    config = world.app.engine.config
    honours = [Honour(title="Star of the week", top=1, role="Star of the week")]
    seasons_config = SeasonsConfig(week=SeasonConfig(honours=honours))
    world.app.engine.reload(config.model_copy(update={"seasons": seasons_config}))
    await world.alice.send(world.general, "here is the grid report summary for everyone")
    seasons = world.app.engine.feature(SeasonsFeature).seasons
    now = world.env.now()
    week = period(world.app.engine.kit.calendar, "week", now)

    await world.bot.community.gateway.run(await seasons.close(week, now))
    await world.env.settle()

    member = world.alice.member
    assert member is not None and "Star of the week" in [r.name for r in member.roles]
    [board] = [t for t in world.texts(world.general) if t.startswith("🏆 Week")]
    assert "@alice" in board and "Star of the week" in board

    # The next week nobody earns anything: the title and its role lapse.
    following = period(world.app.engine.kit.calendar, "week", week.end)
    await world.bot.community.gateway.run(await seasons.close(following, following.end))
    await world.env.settle()
    member = world.alice.member
    assert member is not None and "Star of the week" not in [r.name for r in member.roles]
