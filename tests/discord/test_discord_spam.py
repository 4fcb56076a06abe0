"""End to end on Discord: moderators' `!spam`, members' reports, and the
review buttons under the flag alert, clicked as component interactions.
simcord members act, discord.py parses, the bot's REST calls change the
virtual server; what the bot sent is read from simcord's request log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord
from discord_world import CONFIG, World, answers, en

from adapters.discord.client import build_client
from adapters.ocr import shared_ocr
from bot.features.risk.feature import RiskFeature
from tests.pictures import text_picture

AD = "Our team is looking for volunteers to test a new app, small thank-you for each session, form on my profile"  # fmt: skip
# Close to AD: nothing the shipped samples catch, only what !spam taught.
AD_AGAIN = "We are looking for volunteers to test a new app, small thank-you for each session, form on my profile"  # fmt: skip


def ids(channel: simcord.ChannelHandle) -> list[int]:
    return [m.id for m in channel.history()]


def requests(world: World, method: str, path: str) -> list[Any]:
    return [r for r in world.env.http_requests if r.method == method and r.path == path]


def deleted(world: World, channel: simcord.ChannelHandle, message_id: int) -> bool:
    """The bot deleted the message itself (a ban's message purge aside)."""
    one = requests(world, "DELETE", f"/channels/{channel.id}/messages/{message_id}")
    bulk = requests(world, "POST", f"/channels/{channel.id}/messages/bulk-delete")
    return bool(one) or any(message_id in map(int, r.json["messages"]) for r in bulk)


def review_row(flag: int) -> list[tuple[str, str]]:
    return [(f"Confirm #{flag}", f"gk:resolve:{flag}:confirm"), (f"Dismiss #{flag}", f"gk:resolve:{flag}:dismiss")]  # fmt: skip


def buttons(payload: dict[str, Any]) -> list[list[tuple[str, str]]]:
    """The rows of (label, custom_id) a message payload carried."""
    return [
        [(c["label"], c["custom_id"]) for c in row["components"]]
        for row in payload.get("components") or []
    ]


def with_buttons(world: World, channel: simcord.ChannelHandle) -> list[discord.Message]:
    return [m for m in channel.history() if m.components]


async def join(world: World, name: str) -> simcord.MemberActor:
    member = world.guild.add_member(world.env.create_user(name))
    await world.env.settle()
    return member


async def hidden_by_reports(world: World) -> discord.Message:
    """Three members report Bob's message: it reaches the threshold."""
    rude = await world.bob.send(world.general, "you are all idiots and this project is a joke")
    for reporter in (world.alice, await join(world, "carol"), await join(world, "dave")):
        await reporter.send(world.general, "!report rude", reply_to=rude)
    return rude


async def mods_read_the_log(world: World) -> None:
    """The owner lets the moderators' role see the private log channel."""
    channel = world.bot.get_channel(world.modlog.id)
    assert isinstance(channel, discord.TextChannel)
    mods = channel.guild.get_role(world.mods.id)
    assert mods is not None
    with world.env.time_context():
        await channel.set_permissions(mods, view_channel=True)
    await world.env.settle()


async def test_spam_cleans_up_across_channels_bans_and_learns(world: World) -> None:
    market = world.guild.create_text_channel("market")
    await world.env.settle()
    hello = await world.bob.send(world.general, "Nice to see so many founders in one place")
    elsewhere = await world.bob.send(market, "Anyone here looking for remote work? Details on my profile")  # fmt: skip
    ad = await world.bob.send(world.general, AD)
    assert elsewhere.id in ids(market) and ad.id in ids(world.general)

    await world.mod.send(world.general, "!spam", reply_to=ad)

    for channel, message in ((world.general, hello), (world.general, ad), (market, elsewhere)):
        assert message.id not in ids(channel)
        assert deleted(world, channel, message.id)
    assert world.guild.get_ban(world.bob) is not None
    # Bob posted in two channels of one server: banned once.
    assert len(requests(world, "PUT", f"/guilds/{world.guild.id}/bans/{world.bob.id}")) == 1
    cleaned = en(
        "spam.cleaned", name="@bob", count=3, groups=2, punished=en("spam.punished_ban"),
        learned=en("spam.learned"),
    )  # fmt: skip
    assert cleaned in world.texts(world.general)
    guard = world.app.engine.feature(RiskFeature).risk.spam
    snapshot = await guard.store.load_spam("green-energy")
    assert [(s.label, s.source) for s in snapshot.samples if s.text == AD] == [("spam", "spam")]

    # A newcomer posting the same offer in other words is caught at once.
    erin = await join(world, "erin")
    again = await erin.send(world.general, AD_AGAIN)
    assert again.id not in ids(world.general)
    assert deleted(world, world.general, again.id)


async def test_a_members_spam_is_refused_and_deletes_nothing(world: World) -> None:
    ad = await world.bob.send(world.general, AD)

    await world.alice.send(world.general, "!spam", reply_to=ad)

    assert ad.id in ids(world.general)
    assert not [r for r in world.env.http_requests if r.method == "DELETE"]
    assert world.guild.get_ban(world.bob) is None
    assert world.texts(world.general)[-1] == en("mod.not_allowed", command="spam")
    guard = world.app.engine.feature(RiskFeature).risk.spam
    snapshot = await guard.store.load_spam("green-energy")
    assert not [s for s in snapshot.samples if s.source == "spam"]


async def test_reports_hide_the_message_time_out_the_author_and_alert_with_buttons(
    world: World,
) -> None:
    rude = await hidden_by_reports(world)

    assert rude.id not in ids(world.general) and deleted(world, world.general, rude.id)
    member = world.bob.member
    assert member is not None and member.is_timed_out()
    assert member.timed_out_until is not None
    left = member.timed_out_until - world.env.now()
    assert left.total_seconds() == pytest.approx(timedelta(days=1).total_seconds(), abs=5)
    [sent] = [
        r.json
        for r in requests(world, "POST", f"/channels/{world.modlog.id}/messages")
        if r.json.get("components")
    ]
    assert buttons(sent) == [review_row(1)]
    assert "Flag #1" in sent["content"] and "@bob" in sent["content"]
    [shown] = with_buttons(world, world.modlog)
    assert [(b.label, b.custom_id) for row in shown.components for b in row.children] == review_row(1)  # type: ignore[attr-defined]  # fmt: skip


async def test_a_moderator_clicks_dismiss_and_the_timeout_is_lifted(world: World) -> None:
    await hidden_by_reports(world)
    await mods_read_the_log(world)
    [alert] = with_buttons(world, world.modlog)

    result = await world.mod.click(alert, label="Dismiss #1")

    member = world.bob.member
    assert member is not None and not member.is_timed_out()
    timeouts = requests(world, "PATCH", f"/guilds/{world.guild.id}/members/{world.bob.id}")
    assert timeouts[-1].json == {"communication_disabled_until": None}
    # Deferred ephemerally, so the first follow-up is the private answer.
    assert result.ephemeral and result.response is not None and result.response.ephemeral
    assert answers(result) == [en("flags.dismissed", id=1, name="@bob")]
    await world.bob.send(world.general, "sorry, I lost my temper")


async def test_a_moderators_click_is_posted_for_the_other_moderators_too(world: World) -> None:
    await hidden_by_reports(world)
    await mods_read_the_log(world)
    [alert] = with_buttons(world, world.modlog)

    result = await world.mod.click(alert, label="Dismiss #1")

    dismissed = en("flags.dismissed", id=1, name="@bob")
    assert answers(result) == [dismissed]
    assert result.response is not None and result.response.ephemeral
    [posted] = [m for m in world.modlog.history() if m.content == dismissed]
    assert posted.reference is not None and posted.reference.message_id == alert.id


async def test_confirm_is_refused_to_a_member_and_bans_for_a_moderator(world: World) -> None:
    await hidden_by_reports(world)
    await mods_read_the_log(world)
    await world.mod.send(world.general, "!flags")
    [listing] = with_buttons(world, world.general)

    refused = await world.alice.click(listing, label="Confirm #1")

    assert answers(refused) == [en("mod.not_allowed", command="resolve")]
    assert refused.response is not None and refused.response.ephemeral
    assert world.guild.get_ban(world.bob) is None
    assert world.app.engine.feature(RiskFeature).risk.reports.flags[1].status == "open"

    [alert] = with_buttons(world, world.modlog)
    confirmed = await world.mod.click(alert, label="Confirm #1")

    assert world.guild.get_ban(world.bob) is not None
    done = en("flags.confirmed", id=1, name="@bob", action=en("flags.did.ban"))
    assert answers(confirmed) == [done]


async def test_the_buttons_still_work_after_a_restart(world: World, tmp_path: Path) -> None:
    await hidden_by_reports(world)
    await mods_read_the_log(world)
    writes = world.app.engine.writes
    assert writes is not None
    await writes.flush()
    bot, app = await build_client(
        CONFIG, f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}", background_flush=False
    )
    try:
        config = app.engine.config
        community = config.community.model_copy(update={"log_chat": f"discord:{world.modlog.id}"})
        app.engine.reload(config.model_copy(update={"community": community}))
        await world.env.restart_bot(bot)
        [alert] = with_buttons(world, world.modlog)

        result = await world.mod.click(alert, label="Dismiss #1")

        member = world.bob.member
        assert member is not None and not member.is_timed_out()
        assert answers(result) == [en("flags.dismissed", id=1, name="@bob")]
        assert app.engine.feature(RiskFeature).risk.reports.flags[1].status == "dismissed"
    finally:
        await app.close()


async def test_flags_shows_each_flags_buttons_on_a_row_of_their_own(world: World) -> None:
    await hidden_by_reports(world)
    second = await world.alice.send(world.general, "this group is a waste of everyone's time")
    await world.mod.send(world.general, "!report", reply_to=second)

    await world.mod.send(world.general, "!flags")

    [listing] = [
        r.json
        for r in requests(world, "POST", f"/channels/{world.general.id}/messages")
        if r.json.get("components")
    ]
    assert buttons(listing) == [review_row(1), review_row(2)]


async def test_a_newcomers_advert_in_a_picture_is_read_and_removed(world: World) -> None:
    erin = await join(world, "erin")
    frank = await join(world, "frank")
    advert = text_picture("兼职刷单，日赚五百，加微信私聊", "Earn $500 daily from home, DM me now")
    ad = await erin.send(world.general, "look", attachments=[("ad.png", advert)])
    menu = await frank.send(
        world.general, "", attachments=[("menu.png", text_picture("Lunch menu for Friday"))]
    )
    await shared_ocr().settle()
    await world.env.settle()
    assert ad.id not in ids(world.general) and deleted(world, world.general, ad.id)
    assert menu.id in ids(world.general)
    member = erin.member
    assert member is not None and member.is_timed_out()
    assert en("spam.removed_mute", name="@erin") in world.texts(world.general)
