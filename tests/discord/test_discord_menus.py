"""End to end on Discord: a message's context menu (right-click -> Apps):
members' "Report message", moderators' "Mark as spam" and "Not spam", clicked
as simcord application-command interactions (type 3, the message resolved)
that discord.py's command tree dispatches to the bot."""

from __future__ import annotations

from typing import Any

import discord
import pytest
import simcord
from discord_world import World, answers, en

from bot.core.i18n import t
from bot.features.risk.feature import RiskFeature

AD = "Our team is looking for volunteers to test a new app, small thank-you for each session, form on my profile"  # fmt: skip
REPORT, SPAM, HAM = en("discord.menus.report"), en("discord.menus.spam"), en("discord.menus.ham")


def ids(channel: simcord.ChannelHandle) -> list[int]:
    return [m.id for m in channel.history()]


def requests(world: World, method: str, path: str, since: int = 0) -> list[Any]:
    made = world.env.http_requests[since:]
    return [r for r in made if r.method == method and r.path == path]


def posted(world: World, channel: simcord.ChannelHandle, since: int = 0) -> list[Any]:
    """What the bot posted in the channel itself (not interaction answers)."""
    return requests(world, "POST", f"/channels/{channel.id}/messages", since)


def bans(world: World, who: simcord.MemberActor) -> list[Any]:
    return requests(world, "PUT", f"/guilds/{world.guild.id}/bans/{who.id}")


def private(result: simcord.InteractionResult) -> bool:
    """Deferred ephemerally and answered in ephemeral follow-ups only."""
    return (
        result.ephemeral
        and result.response is not None
        and result.response.ephemeral
        and all(m.ephemeral for m in result.followups)
    )


async def join(world: World, name: str) -> simcord.MemberActor:
    member = world.guild.add_member(world.env.create_user(name))
    await world.env.settle()
    return member


async def learned(world: World, source: str) -> list[tuple[str, str]]:
    guard = world.app.engine.feature(RiskFeature).risk.spam
    snapshot = await guard.store.load_spam("green-energy")
    return [(s.label, s.text) for s in snapshot.samples if s.source == source]


async def registered(world: World) -> dict[str, discord.app_commands.AppCommand]:
    with world.env.time_context():
        fetched = await world.bot.tree.fetch_commands()
    return {c.name: c for c in fetched if c.type is discord.AppCommandType.message}


async def test_the_menus_are_localized_and_spam_entries_need_manage_messages(
    world: World,
) -> None:
    menus = await registered(world)

    assert set(menus) == {REPORT, SPAM, HAM}
    for key, name in (("report", REPORT), ("spam", SPAM), ("ham", HAM)):
        assert menus[name].name_localizations[discord.Locale.chinese] == t("zh", f"discord.menus.{key}")  # fmt: skip
        assert not menus[name].dm_permission
    assert menus[REPORT].default_member_permissions is None
    for name in (SPAM, HAM):
        assert menus[name].default_member_permissions == discord.Permissions(manage_messages=True)
    ad = await world.bob.send(world.general, AD)
    with pytest.raises(simcord.SetupError, match="not visible"):
        await world.alice.context_menu(world.general, SPAM, ad)


async def test_three_members_report_a_message_from_its_menu(world: World) -> None:
    rude = await world.bob.send(world.general, "you are all idiots and this project is a joke")
    reporters = [world.alice, await join(world, "carol"), await join(world, "dave")]
    before = len(world.env.http_requests)

    results = [await r.context_menu(world.general, REPORT, rude) for r in reporters]

    thanks = en("reports.received", name="@bob")
    assert [answers(r) for r in results] == [[thanks], [thanks], [en("reports.hidden", name="@bob")]]  # fmt: skip
    assert all(private(r) for r in results)
    # Nothing said in the channel: a reporter is not pointed out to the member.
    assert posted(world, world.general, before) == []
    assert rude.id not in ids(world.general)
    assert requests(world, "DELETE", f"/channels/{world.general.id}/messages/{rude.id}")
    member = world.bob.member
    assert member is not None and member.is_timed_out()
    [alert] = [r.json for r in posted(world, world.modlog) if r.json.get("components")]
    assert "Flag #1" in alert["content"] and "@bob" in alert["content"]
    assert [[c["custom_id"] for c in row["components"]] for row in alert["components"]] == [
        ["gk:resolve:1:confirm", "gk:resolve:1:dismiss"]
    ]
    flag = world.app.engine.feature(RiskFeature).risk.reports.flags[1]
    assert flag.message_id == rude.id and flag.text == rude.content


async def test_a_members_second_report_of_a_message_is_not_counted(world: World) -> None:
    rude = await world.bob.send(world.general, "you are all idiots")

    result = await world.alice.context_menu(world.general, REPORT, rude)

    assert answers(result) == [en("reports.received", name="@bob")]
    again = await world.alice.context_menu(world.general, REPORT, rude)
    assert answers(again) == [en("reports.already")]
    assert world.app.engine.feature(RiskFeature).risk.reports.count(1) == 1


async def test_a_moderators_mark_as_spam_cleans_up_bans_once_and_learns(world: World) -> None:
    market = world.guild.create_text_channel("market")
    await world.env.settle()
    elsewhere = await world.bob.send(market, "Anyone here looking for remote work? Details on my profile")  # fmt: skip
    ad = await world.bob.send(world.general, AD)

    result = await world.mod.context_menu(world.general, SPAM, ad)

    assert ad.id not in ids(world.general) and elsewhere.id not in ids(market)
    assert world.guild.get_ban(world.bob) is not None
    # Bob posted in two channels of one server: one ban, with the case.
    [ban] = bans(world, world.bob)
    audit = en("discord.audit", case=en("discord.failed_case", case=1), rule=en("discord.audit_rule", rule="spam"))  # fmt: skip
    assert ban.reason == audit
    assert await learned(world, "spam") == [("spam", AD)]
    cleaned = en(
        "spam.cleaned", name="@bob", count=2, groups=2, punished=en("spam.punished_ban"),
        learned=en("spam.learned"),
    )  # fmt: skip
    assert answers(result) == [cleaned] and private(result)


async def test_a_moderators_menu_answer_is_theirs_alone(world: World) -> None:
    hello = await world.alice.send(world.general, "Hi all, I build solar inverters in Shenzhen")
    before = len(world.env.http_requests)

    result = await world.mod.context_menu(world.general, HAM, hello)

    assert answers(result) == [en("spam.ham_learned", name="@alice")] and private(result)
    assert posted(world, world.general, before) == []


async def test_a_members_mark_as_spam_is_refused_privately(world: World) -> None:
    ad = await world.bob.send(world.general, AD)
    # The server shows the entry to Alice (Integrations settings); the core
    # still knows she is no moderator.
    menus = await registered(world)
    world.guild.set_command_permissions(menus[SPAM], {world.alice: True})
    before = len(world.env.http_requests)

    result = await world.alice.context_menu(world.general, SPAM, ad)

    assert answers(result) == [en("mod.not_allowed", command="spam")] and private(result)
    assert ad.id in ids(world.general)
    assert not [r for r in world.env.http_requests[before:] if r.method in ("DELETE", "PUT", "PATCH")]  # fmt: skip
    assert world.guild.get_ban(world.bob) is None
    assert await learned(world, "spam") == []
    assert posted(world, world.general, before) == []


async def test_not_spam_teaches_the_filter(world: World) -> None:
    hello = await world.alice.send(world.general, "Hi all, I build solar inverters in Shenzhen")

    result = await world.mod.context_menu(world.general, HAM, hello)

    assert answers(result) == [en("spam.ham_learned", name="@alice")] and private(result)
    assert await learned(world, "ham") == [("ham", hello.content)]
    assert hello.id in ids(world.general)


async def test_moderators_named_in_the_config_keep_the_reply_form(world: World) -> None:
    carol = await join(world, "carol")
    config = world.app.engine.config
    community = config.community.model_copy(update={"moderators": [world.key(carol)]})
    world.app.engine.reload(config.model_copy(update={"community": community}))
    ad = await world.bob.send(world.general, AD)
    with pytest.raises(simcord.SetupError, match="not visible"):
        await carol.context_menu(world.general, SPAM, ad)

    await carol.send(world.general, "!spam", reply_to=ad)

    assert ad.id not in ids(world.general)
    assert len(bans(world, world.bob)) == 1
