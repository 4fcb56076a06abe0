"""Every action the core can ask for, carried out by DiscordGateway on
simcord's server, checked on the server's state afterwards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import discord
import pytest
from discord_world import World, en

from adapters.discord.gateway import DiscordGateway
from bot.core.actions import (
    Action,
    ApproveJoin,
    BanMember,
    CreateInvite,
    DeleteMessage,
    GrantRole,
    KickMember,
    MuteMember,
    PinMessage,
    RevokeRole,
    SendDirect,
    SendMessage,
    SendPoll,
    SetGroupProfile,
    UnbanMember,
    UnmuteMember,
)
from bot.core.events import ChatRef, UserRef


def chat(world: World, channel_id: int | None = None) -> ChatRef:
    return ChatRef("discord", str(channel_id or world.general.id))


def user(who: object) -> UserRef:
    return UserRef("discord", str(who.id))  # type: ignore[attr-defined]


async def run(world: World, *actions: Action) -> list[object]:
    failures = await world.bot.community.gateway.run(list(actions))
    await world.env.settle()
    return list(failures)


async def test_send_replies_without_pinging_the_replied_member(world: World) -> None:
    question = await world.alice.send(world.general, "when is the meetup?")

    assert await run(world, SendMessage(chat(world), "Friday", reply_to=question.id)) == []

    last = world.general.last_message
    assert last is not None and last.content == "Friday"
    assert last.reference is not None and last.reference.message_id == question.id


async def test_a_long_message_is_sent_in_parts(world: World) -> None:
    text = "\n".join(f"line {n} " + "x" * 90 for n in range(60))

    await run(world, SendMessage(chat(world), text))

    sent = world.texts(world.general)[-3:]
    assert "\n".join(sent) == text


async def test_direct_message(world: World) -> None:
    assert await run(world, SendDirect(user(world.alice), "your code: 1234")) == []

    assert [m.content for m in world.alice.user.dm_channel.history()] == ["your code: 1234"]


async def test_closed_dms_fall_back_to_a_mention_in_the_chat(world: World) -> None:
    world.env.inject_error(
        "POST",
        "/channels/*/messages",
        status=403,
        code=50007,
        message="Cannot send messages to this user",
    )

    failures = await run(
        world, SendDirect(user(world.alice), "your code: 1234", fallback_chat=chat(world))
    )

    assert failures == []
    expected = en("discord.dm_fallback", mention=world.alice.mention, text="your code: 1234")
    assert world.texts(world.general)[-1] == expected


async def test_delete_one_and_many(world: World) -> None:
    sent = [await world.alice.send(world.general, f"spam {n}") for n in range(4)]

    await run(
        world,
        DeleteMessage(chat(world), (sent[0].id,)),
        DeleteMessage(chat(world), tuple(m.id for m in sent[1:])),
    )

    remaining = {m.id for m in world.general.history()}
    assert not remaining & {m.id for m in sent}


async def test_deleting_a_message_already_gone_is_not_a_failure(world: World) -> None:
    sent = await world.alice.send(world.general, "oops")
    await world.alice.delete(sent)

    assert await run(world, DeleteMessage(chat(world), (sent.id,))) == []


async def test_mute_and_unmute(world: World) -> None:
    until = world.env.now() + timedelta(hours=1)

    await run(world, MuteMember(chat(world), user(world.bob), until, "1h"))
    member = world.bob.member
    assert member is not None and member.is_timed_out()

    await run(world, UnmuteMember(chat(world), user(world.bob)))
    member = world.bob.member
    assert member is not None and not member.is_timed_out()


async def test_kick(world: World) -> None:
    await run(world, KickMember(chat(world), user(world.bob)))

    assert world.bob.id not in world.guild.member_ids()
    assert world.guild.get_ban(world.bob) is None


async def test_a_rules_ban_removes_recent_messages_and_unban_lifts_it(world: World) -> None:
    await run(world, BanMember(chat(world), user(world.bob), rule="no-ads", case_id=7))

    assert world.guild.get_ban(world.bob) is not None
    bans = [r for r in world.env.http_requests if r.method == "PUT" and "/bans/" in r.path]
    assert bans[-1].params == {"delete_message_seconds": 86400}

    await run(world, UnbanMember(chat(world), user(world.bob)))
    assert world.guild.get_ban(world.bob) is None


async def test_a_moderators_ban_keeps_the_messages_as_evidence(world: World) -> None:
    await run(world, BanMember(chat(world), user(world.bob)))

    bans = [r for r in world.env.http_requests if r.method == "PUT" and "/bans/" in r.path]
    assert bans[-1].params == {"delete_message_seconds": 0}


def bans(world: World) -> list[Any]:
    return [r for r in world.env.http_requests if r.method == "PUT" and "/bans/" in r.path]


async def test_a_spammer_banned_in_each_channel_is_banned_from_the_server_once(
    world: World,
) -> None:
    market = world.guild.create_text_channel("market")
    await world.env.settle()
    first = BanMember(chat(world), user(world.bob), rule="spam", case_id=4)
    other = BanMember(chat(world, market.id), user(world.bob), rule="spam", case_id=5)

    assert await run(world, first, other) == []
    assert await run(world, other) == []

    [ban] = bans(world)
    assert ban.reason == en(
        "discord.audit",
        case=en("discord.failed_case", case=4),
        rule=en("discord.audit_rule", rule="spam"),
    )
    assert world.guild.get_ban(world.bob) is not None


async def test_a_ban_after_an_unban_or_one_purging_more_is_sent(world: World) -> None:
    await run(world, BanMember(chat(world), user(world.bob)))
    await run(world, BanMember(chat(world), user(world.bob), rule="spam"))
    await run(world, UnbanMember(chat(world), user(world.bob)))
    await run(world, BanMember(chat(world), user(world.bob), rule="spam"))

    purged = [r.params["delete_message_seconds"] for r in bans(world)]
    assert purged == [0, 86400, 86400]
    assert world.guild.get_ban(world.bob) is not None


async def test_the_same_ban_is_sent_again_once_the_memory_lapses(world: World) -> None:
    gateway = DiscordGateway(world.bot, lambda: world.app.engine.config, ban_memory=timedelta(0))
    ban = BanMember(chat(world), user(world.bob), rule="spam")

    await gateway.run([ban, ban])

    assert len(bans(world)) == 2


async def test_pin(world: World) -> None:
    rules = await world.mod.send(world.general, "Rule 1: be kind")

    await run(world, PinMessage(chat(world), rules.id))

    assert [m.id for m in world.general.pinned_messages()] == [rules.id]


async def test_a_message_sent_with_pin_is_pinned_once_sent(world: World) -> None:
    assert await run(world, SendMessage(chat(world), "Rules of Test", pin=True)) == []
    await run(world, SendMessage(chat(world), "an ordinary message"))

    [pinned] = world.general.pinned_messages()
    assert pinned.content == "Rules of Test"


async def test_a_single_use_invite_is_sent_privately(world: World) -> None:
    expires = world.env.now() + timedelta(hours=1)

    failures = await run(
        world, CreateInvite(chat(world), member_limit=1, expires=expires, for_user=user(world.bob))
    )

    assert failures == []
    [invite] = world.guild.invites()
    assert (invite.max_uses, invite.max_age, invite.channel_id) == (1, 3600, world.general.id)
    dm = [m.content for m in world.bob.user.dm_channel.history()]
    assert dm == [
        en("discord.invite_dm", group="general", link=f"https://discord.gg/{invite.code}")
    ]


async def test_a_poll(world: World) -> None:
    await run(world, SendPoll(chat(world), "Meetup day?", ("Friday", "Saturday"), multiple=True))

    last = world.general.last_message
    assert last is not None and last.poll is not None
    assert last.poll.question == "Meetup day?"
    assert [a.text for a in last.poll.answers] == ["Friday", "Saturday"]
    assert last.poll.multiple


async def test_group_profile(world: World) -> None:
    await run(world, SetGroupProfile(chat(world), title="founders-chat", description="Be kind"))

    channel = world.bot.get_channel(world.general.id)
    assert isinstance(channel, discord.TextChannel)
    assert (channel.name, channel.topic) == ("founders-chat", "Be kind")


async def test_roles_by_name_and_by_id(world: World) -> None:
    pillars = world.guild.create_role("Pillars")
    await world.env.settle()

    await run(world, GrantRole(chat(world), user(world.alice), str(pillars.id), "level 3"))
    member = world.alice.member
    assert member is not None and pillars.id in [r.id for r in member.roles]

    await run(world, RevokeRole(chat(world), user(world.alice), "pillars", "level 2"))
    member = world.alice.member
    assert member is not None and pillars.id not in [r.id for r in member.roles]


async def test_an_unknown_role_id_is_reported(world: World) -> None:
    failures = await run(world, GrantRole(chat(world), user(world.alice), "123456789"))

    assert len(failures) == 1
    report = world.texts(world.modlog)[-1]
    assert en("discord.unknown_role", role="123456789") in report


async def test_join_requests_have_no_discord_counterpart(world: World) -> None:
    before = len(world.env.http_requests)

    assert await run(world, ApproveJoin(chat(world), user(world.alice))) == []

    assert len(world.env.http_requests) == before


async def test_actions_for_other_platforms_are_forwarded(world: World) -> None:
    forwarded: list[Action] = []

    async def forward(action: Action) -> None:
        forwarded.append(action)

    gateway = world.bot.community.gateway
    gateway.forward = forward
    elsewhere = SendMessage(ChatRef("telegram", "-1009001"), "case #1")
    before = len(world.env.http_requests)

    await gateway.run([elsewhere])

    assert forwarded == [elsewhere]
    assert len(world.env.http_requests) == before


@pytest.mark.parametrize("status", [403, 500])
async def test_refusals_are_reported_to_the_log_channel(world: World, status: int) -> None:
    world.env.inject_error("PUT", "/guilds/*/bans/*", status=status, code=50013)

    failures = await run(world, BanMember(chat(world), user(world.bob), case_id=12))

    assert len(failures) == 1
    assert world.guild.get_ban(world.bob) is None
    report = world.texts(world.modlog)[-1]
    assert report.startswith("⚠️ Discord")
    assert en("discord.failed_case", case=12) in report
    assert world.bob.mention in report


async def test_a_broken_action_does_not_cost_the_ones_after_it(world: World) -> None:
    broken = SendMessage(ChatRef("discord", "not-a-channel"), "lost")

    failures = await run(world, broken, SendMessage(chat(world), "still delivered"))

    assert [f.action for f in failures] == [broken]  # type: ignore[attr-defined]
    assert world.texts(world.general)[-1] == "still delivered"
