"""The client as a whole: localized slash commands, intents, buttons, the
sharded variant, and the runner's refusal to start without a token."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
import simcord
from discord_world import CONFIG, EXAMPLE, World, answers, en

from adapters.app import App
from adapters.discord.client import GroupkeeperBot, build_client
from adapters.discord.runner import serve
from bot.core.i18n import t
from bot.features.points.feature import PointsFeature


async def test_slash_commands_are_localized_in_chinese(world: World) -> None:
    with world.env.time_context():
        fetched = await world.bot.tree.fetch_commands()
    # The messages' context menus are test_discord_menus.py's.
    registered = {c.name: c for c in fetched if c.type is discord.AppCommandType.chat_input}

    checkin = registered["checkin"]
    assert checkin.name_localizations[discord.Locale.chinese] == "签到"
    assert checkin.description == en("commands.checkin")
    assert checkin.description_localizations[discord.Locale.chinese] == t("zh", "commands.checkin")
    member = next(o for o in registered["ban"].options if o.name == "member")
    assert member.name_localizations[discord.Locale.chinese] == "成员"
    # Every command of the core (test_discord_commands.py has the rest).
    assert {
        "checkin", "me", "top", "rules", "help", "lang", "join", "groups",
        "warn", "unwarn", "mute", "unmute", "kick", "ban", "unban",
    } <= set(registered)  # fmt: skip


async def test_moderators_commands_are_offered_to_everyone(world: World) -> None:
    # The core decides who may use them: owners named in the YAML may lack
    # Discord's moderation permissions.
    assert "ban" in world.alice.available_commands(world.general)


async def test_a_language_choice_answers_in_that_language(world: World) -> None:
    result = await world.alice.slash(world.general, "lang", language="zh")

    assert answers(result) == [t("zh", "lang.set")]


async def test_words_that_fit_no_parameter_still_reach_the_core(world: World) -> None:
    await world.mod.send(world.general, '!warn "unclosed quote')

    assert world.texts(world.general)[-1] == en("mod.no_target", command="warn")


async def test_a_button_the_bot_posted_issues_its_command(world: World) -> None:
    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Rules", custom_id="gk:rules"))
    with world.env.time_context():
        posted = await channel.send("Read the rules", view=view)
    await world.env.settle()

    result = await world.alice.click(posted, custom_id="gk:rules")

    assert result.ephemeral
    [shown] = answers(result)
    assert shown.startswith(en("rules.header", community="Green Energy Founders"))


async def test_without_privileged_intents_discord_refuses_the_bot(
    app_and_bot: tuple[GroupkeeperBot, App],
) -> None:
    bot, _ = app_and_bot
    assert bot.intents.members and bot.intents.message_content

    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with simcord.run(bot, approved_intents=discord.Intents.default()):
            pass


async def test_the_sharded_bot_runs_the_same_community(tmp_path: Path) -> None:
    bot, app = await build_client(
        CONFIG,
        f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}",
        background_flush=False,
        sharded=True,
        shard_count=2,
    )
    try:
        assert isinstance(bot, discord.AutoShardedClient)
        async with simcord.run(bot) as env:
            guild = env.create_guild("Green Energy", shard_id=1)
            general = guild.create_text_channel("general")
            alice = guild.add_member(env.create_user("alice"))
            await env.settle()

            result = await alice.slash(general, "checkin")

            assert app.engine.feature(PointsFeature).points.balance(f"discord:{alice.id}") == 10
            assert answers(result)[0].startswith("✅")
            assert bot.get_guild(guild.id) is not None
            assert bot.get_guild(guild.id).shard_id == 1  # type: ignore[union-attr]
    finally:
        await app.close()


async def test_serve_needs_a_token(app_and_bot: tuple[GroupkeeperBot, App]) -> None:
    _, app = app_and_bot
    assert not app.config.platforms.discord.token

    with pytest.raises(RuntimeError, match="DISCORD_TOKEN"):
        await serve(app)


async def test_the_example_config_drives_discord_too(tmp_path: Path) -> None:
    bot, app = await build_client(
        EXAMPLE, f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}", background_flush=False
    )
    try:
        async with simcord.run(bot) as env:
            guild = env.create_guild("Green Energy")
            general = guild.create_text_channel("general")
            alice = guild.add_member(env.create_user("alice"))
            await env.settle()

            await alice.send(general, "签到")
            spam = await alice.send(general, "加微信领资料")

            assert app.engine.feature(PointsFeature).points.balance(f"discord:{alice.id}") == 10
            assert spam.id not in [m.id for m in general.history()]
            # The example's log chat is on Telegram: nothing goes to Discord for it.
            assert all(not m.content.startswith("案件") for m in general.history())
    finally:
        await app.close()
