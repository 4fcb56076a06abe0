"""The issue's scenarios, end to end: simcord members act in a virtual server,
discord.py parses the gateway payloads, the real bot translates them, the
engine decides, and the gateway's REST calls change the virtual server."""

from __future__ import annotations

import discord
import pytest
import simcord
from discord_world import World, answers, en

from bot.core.actions import CloneGroup
from bot.core.events import ChatRef
from bot.features.economy.feature import EconomyFeature
from bot.features.points.feature import PointsFeature


async def test_blocked_word_is_deleted_and_warned(world: World) -> None:
    message = await world.alice.send(world.general, "cheap buy followers here")

    assert message.id not in [m.id for m in world.general.history()]
    notice = en("notice.removed", name="@alice", rule="No ads or recruiting")
    assert world.general.last_message is not None
    assert world.general.last_message.content == notice + en("notice.count", count=1, limit=5)
    assert any("no-ads" in text for text in world.texts(world.modlog))


async def test_an_edit_into_a_blocked_word_is_deleted(world: World) -> None:
    message = await world.alice.send(world.general, "hello everyone, nice to meet you")
    assert message.id in [m.id for m in world.general.history()]

    await world.alice.edit(message, "hello everyone, buy followers from me")

    assert message.id not in [m.id for m in world.general.history()]


async def test_an_edit_into_a_command_issues_nothing(world: World) -> None:
    message = await world.alice.send(world.general, "hello everyone, nice to meet you")
    before = world.balance(world.alice)
    sent = len(world.texts(world.general))

    await world.alice.edit(message, "/checkin")

    assert world.balance(world.alice) == before
    assert len(world.texts(world.general)) == sent


async def test_flood_gets_a_timeout_the_member_really_has(world: World) -> None:
    for n in range(6):
        await world.alice.send(world.general, f"message number {n}")

    member = world.alice.member
    assert member is not None and member.is_timed_out()
    assert member.timed_out_until is not None
    assert (member.timed_out_until - world.env.now()).total_seconds() == pytest.approx(600, abs=1)
    with pytest.raises(simcord.BackendError):
        await world.alice.send(world.general, "can I still talk?")


async def test_a_join_is_welcomed_where_its_invite_leads(world: World) -> None:
    lobby = world.guild.create_text_channel("lobby")
    await world.env.settle()
    # simcord does not model joining through an invite: the test plays
    # Discord's part, which deletes a single-use invite when it is used.
    invite = world.env.backend.create_invite(lobby.id, world.mod.id, max_uses=1)
    await world.env.settle()
    world.env.backend.delete_invite(invite.code)
    carol = world.guild.add_member(world.env.create_user("carol"))
    await world.env.settle()

    welcome = en("welcome", group="lobby", name="@carol", community="Green Energy Founders")
    assert world.texts(lobby) == [welcome]
    assert welcome not in world.texts(world.general)
    writes = world.app.engine.writes
    assert writes is not None
    await writes.flush()
    memberships = await world.app.store.memberships("green-energy", world.key(carol))
    assert [m.invite for m in memberships] == [invite.code]


async def test_slash_and_prefix_checkin_award_points_once(world: World) -> None:
    result = await world.alice.slash(world.general, "checkin")
    assert world.balance(world.alice) == 10
    ok = en("checkin.ok", name="@alice", points=10, bonus="", streak=1, balance=10, rank=1)
    assert answers(result) == [ok]

    reply = await world.alice.send(world.general, "!checkin")
    assert world.balance(world.alice) == 10
    last = world.general.last_message
    assert last is not None and last.reference is not None
    assert last.reference.message_id == reply.id
    assert last.content == en("checkin.already", name="@alice", streak=1, balance=10)

    writes = world.app.engine.writes
    assert writes is not None
    await writes.flush()
    ledger = await world.app.store.ledger("green-energy", world.key(world.alice))
    assert [e.delta for e in ledger if e.key.startswith("checkin:")] == [10]


async def test_prefix_first_then_slash_and_the_chinese_alias(world: World) -> None:
    await world.bob.send(world.general, "!签到")
    assert world.balance(world.bob) == 10

    result = await world.bob.slash(world.general, "checkin")

    assert world.balance(world.bob) == 10
    assert answers(result) == [en("checkin.already", name="@bob", streak=1, balance=10)]


async def test_a_level_up_grants_the_configured_role(world: World) -> None:
    regulars = world.guild.create_role("Regulars")
    await world.env.settle()

    await world.alice.send(world.general, "!checkin")

    member = world.alice.member
    assert member is not None
    assert regulars.id in [r.id for r in member.roles]
    level = world.app.engine.feature(PointsFeature).points.level(10)[0]
    assert en("levelup", name="@alice", level=level, title="Regular") in world.texts(world.general)


async def test_a_missing_level_role_is_created_then_granted(world: World) -> None:
    assert "Regulars" not in world.guild.roles

    await world.alice.slash(world.general, "checkin")

    assert "Regulars" in world.guild.roles
    member = world.alice.member
    assert member is not None
    assert "Regulars" in [r.name for r in member.roles]


async def test_a_moderators_ban_works(world: World) -> None:
    result = await world.mod.slash(world.general, "ban", member=world.bob, reason="spam")

    assert world.guild.get_ban(world.bob) is not None
    banned = en("mod.banned", name="@bob", reason=en("mod.reason", reason="spam"))
    assert banned in answers(result)
    assert any("banned @bob" in text for text in world.texts(world.modlog))


async def test_a_members_ban_is_refused(world: World) -> None:
    result = await world.alice.slash(world.general, "ban", member=world.bob, reason="spam")

    assert world.guild.get_ban(world.bob) is None
    assert answers(result) == [en("mod.not_allowed", command="ban")]
    assert world.bob.member is not None


async def test_a_prefix_ban_by_reply_is_timed_but_discord_bans_do_not_expire(
    world: World,
) -> None:
    spam = await world.bob.send(world.general, "visit my shop please")

    await world.mod.send(world.general, "!ban 1d spam", reply_to=spam)

    assert world.guild.get_ban(world.bob) is not None
    assert any("Discord bans do not expire" in text for text in world.texts(world.modlog))


async def test_a_member_above_the_bot_is_reported_not_crashed(world: World) -> None:
    # A role above the bot's own: Discord's hierarchy refuses the ban (403).
    elders = world.guild.create_role("Elders", position=50)
    eve = world.guild.add_member(world.env.create_user("eve"), roles=[elders])
    await world.env.settle()

    result = await world.mod.slash(world.general, "ban", member=eve, reason="test")

    assert world.guild.get_ban(eve) is None
    assert en("discord.partial") in answers(result)
    reports = [text for text in world.texts(world.modlog) if text.startswith("⚠️ Discord")]
    assert len(reports) == 1
    assert f"<@{eve.id}>" in reports[0]
    assert en("discord.forbidden") in reports[0]


async def test_a_mute_longer_than_discord_allows_is_refused(world: World) -> None:
    await world.mod.slash(world.general, "mute", member=world.bob, duration="60d")

    member = world.bob.member
    assert member is not None and not member.is_timed_out()
    # The core's bound for a mute is Discord's: the moderator is told at once.
    refused = en("args.out_of_range", value="60d", low="1m", high="28d")
    assert any(refused in text for text in world.texts(world.general))


async def test_a_clone_category_copies_the_templates_overwrites(world: World) -> None:
    hidden = discord.PermissionOverwrite(view_channel=False)
    cohort = world.guild.create_category("Founders #1")
    await world.env.settle()
    guild = world.bot.get_guild(world.guild.id)
    assert guild is not None
    template_category = guild.get_channel(cohort.id)
    assert isinstance(template_category, discord.CategoryChannel)
    mods = guild.get_role(world.mods.id)
    assert mods is not None
    with world.env.time_context():
        # The bot keeps its own way in, or hiding the category hides it too.
        await template_category.set_permissions(guild.me, view_channel=True)
        await template_category.set_permissions(mods, view_channel=True, manage_messages=True)
        await template_category.set_permissions(guild.default_role, overwrite=hidden)
    chat = world.guild.create_text_channel("chat", category=cohort, topic="Say hi")
    world.guild.create_voice_channel("voice", category=cohort)
    await world.env.settle()
    template = guild.get_channel(chat.id)
    assert isinstance(template, discord.TextChannel)
    with world.env.time_context():
        rules = await template.send("Rule 1: be kind")
        await rules.pin()
    await world.env.settle()

    failures = await world.bot.community.gateway.run(
        [CloneGroup(ChatRef("discord", str(chat.id)), "Founders #2", 2)]
    )
    await world.env.settle()

    assert failures == []
    clone = discord.utils.get(guild.categories, name="Founders #2")
    assert clone is not None
    for target, overwrite in template_category.overwrites.items():
        assert clone.overwrites[target] == overwrite
    cohort_role = discord.utils.get(guild.roles, name="Founders #2")
    assert cohort_role is not None and clone.overwrites[cohort_role].view_channel is True
    assert sorted(c.name for c in clone.channels) == ["chat", "voice"]
    copied = discord.utils.get(clone.text_channels, name="chat")
    assert copied is not None and copied.topic == "Say hi"
    pinned = [m.content for m in _handle(world, copied.id).pinned_messages()]
    assert pinned == ["Rule 1: be kind"]
    assert any("Founders #2" in text for text in world.texts(world.modlog))


def _handle(world: World, channel_id: int) -> simcord.ChannelHandle:
    return next(c for c in world.guild.channels.values() if c.id == channel_id)


async def test_a_join_through_a_personal_invite_is_credited_to_its_owner(world: World) -> None:
    await world.alice.send(world.general, "!invite")
    await world.env.settle()
    eco = world.app.engine.feature(EconomyFeature).economy
    assert eco is not None
    link = eco.referrals.link_of(world.key(world.alice))
    assert link is not None
    code = link.rstrip("/").rsplit("/", 1)[-1]
    # simcord does not model joining through an invite: the test plays
    # Discord's part, counting one use of alice's invite.
    world.env.backend.get_invite(code).uses += 1
    carol = world.guild.add_member(world.env.create_user("carol"))
    await world.env.settle()
    referral = eco.referrals.referrals[world.key(carol)]
    assert referral.inviter_key == world.key(world.alice)
