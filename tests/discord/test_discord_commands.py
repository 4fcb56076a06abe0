"""Every command of the core on Discord, both ways: as a slash command (typed
where a member picker helps, free text otherwise) and as a prefix command,
named and described from the catalogue within Discord's limits."""

from __future__ import annotations

import discord
import simcord
from discord_world import World, answers, en

from bot.core.commands import Command
from bot.core.i18n import t
from bot.features.points.feature import PointsFeature

# Discord's limits on chat input commands.
MAX_COMMANDS = 100
MAX_NAME = 32
MAX_DESCRIPTION = 100


def core_commands(world: World) -> list[Command]:
    return list(dict.fromkeys(world.app.engine.commands().values()))


async def slash_commands(world: World) -> dict[str, discord.app_commands.AppCommand]:
    with world.env.time_context():
        fetched = await world.bot.tree.fetch_commands()
    return {c.name: c for c in fetched if c.type is discord.AppCommandType.chat_input}


async def administrator(world: World) -> simcord.MemberActor:
    """A moderator whom a lockdown does not silence: the loop below runs
    `/lockdown`, then every command after it."""
    admins = world.guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    olga = world.guild.add_member(world.env.create_user("olga"), roles=[admins])
    await world.env.settle()
    return olga


def valid_name(name: str) -> bool:
    """Discord's `^[-_\\p{L}\\p{N}]{1,32}$`, in lower case."""
    return (
        0 < len(name) <= MAX_NAME
        and all(ch in "-_" or ch.isalnum() for ch in name)
        and name == name.lower()
    )


async def test_every_command_of_the_core_is_a_slash_command(world: World) -> None:
    registered = await slash_commands(world)

    assert set(registered) == {c.name for c in core_commands(world)}
    assert len(registered) <= MAX_COMMANDS


async def test_names_and_descriptions_fit_discords_limits_in_both_languages(
    world: World,
) -> None:
    registered = await slash_commands(world)
    chinese: list[str] = []
    for command in registered.values():
        names = [command.name, *command.name_localizations.values()]
        texts = [command.description, *command.description_localizations.values()]
        for option in command.options:
            names += [option.name, *option.name_localizations.values()]
            texts += [option.description, *option.description_localizations.values()]
        assert all(valid_name(n) for n in names), names
        assert all(0 < len(d) <= MAX_DESCRIPTION for d in texts), texts
        assert command.description == en(f"commands.{command.name}")
        assert command.description_localizations[discord.Locale.chinese] == t(
            "zh", f"commands.{command.name}"
        )
        chinese.append(command.name_localizations.get(discord.Locale.chinese, command.name))
    assert len(set(chinese)) == len(chinese)


async def test_a_free_text_command_is_localized_too(world: World) -> None:
    why = (await slash_commands(world))["why"]

    assert why.name_localizations[discord.Locale.chinese] == t("zh", "discord.names.why")
    [args] = why.options
    assert isinstance(args, discord.app_commands.Argument) and not args.required
    assert args.name_localizations[discord.Locale.chinese] == "参数"


def told(world: World, who: simcord.MemberActor) -> int:
    """How many messages the bot has posted where it answers a prefix
    command: the channel (a lockdown's notice is no reply), or in private
    (the entry gate's answer to `!join`)."""
    me = world.bot.user
    assert me is not None
    dms = who.user.dm_channel
    posted = [*world.general.history(), *(dms.history() if dms is not None else ())]
    return sum(1 for m in posted if m.author.id == me.id)


async def test_every_command_answers_as_a_prefix_and_as_a_slash_command(world: World) -> None:
    olga = await administrator(world)
    silent: list[str] = []
    for command in core_commands(world):
        before = told(world, olga)
        await olga.send(world.general, "!" + command.name)
        if told(world, olga) == before:
            silent.append("!" + command.name)

        shown = answers(await olga.slash(world.general, command.name))
        if not shown or en("discord.error") in shown:
            silent.append("/" + command.name)

    assert silent == []


async def test_why_and_reload_answer_both_ways(world: World) -> None:
    await world.alice.send(world.general, "cheap buy followers here")
    await world.mod.send(world.general, "!why 1")
    typed = world.texts(world.general)[-1]

    shown = answers(await world.mod.slash(world.general, "why", args="1"))

    assert typed.startswith(en("why.case", case=1)) and "no-ads" in typed
    assert shown == [typed]
    reloaded = en("reload.ok", rules=2)
    await world.mod.send(world.general, "!reload")
    assert world.texts(world.general)[-1] == reloaded
    assert answers(await world.mod.slash(world.general, "reload")) == [reloaded]


async def test_prefix_and_slash_reach_commands_without_a_discord_definition(
    world: World,
) -> None:
    await world.mod.send(world.general, "!schedule list")
    assert world.texts(world.general)[-1] == en("schedule.empty")
    await world.mod.send(world.general, "!flags")
    assert world.texts(world.general)[-1] == en("flags.empty")
    await world.mod.send(world.general, "!stats")
    assert world.texts(world.general)[-1].startswith("📊 general, last 7 days")

    shown = answers(await world.mod.slash(world.general, "schedule", args="list"))
    assert shown == [en("schedule.empty")]


async def test_a_member_mentioned_in_free_text_is_named_by_key(world: World) -> None:
    result = await world.mod.slash(
        world.general, "points", args=f"give <@{world.bob.id}> 5 welcome gift"
    )

    assert world.balance(world.bob) == 5
    assert answers(result)[0].startswith("➕ @bob got 5 points")
    points = world.app.engine.feature(PointsFeature).points
    assert points.balance(world.key(world.alice)) == 0


async def test_a_members_use_of_a_moderators_free_text_command_is_refused(
    world: World,
) -> None:
    result = await world.alice.slash(world.general, "flags")

    assert answers(result) == [en("mod.not_allowed", command="flags")]
