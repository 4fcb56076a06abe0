"""`/purge` on Discord, end to end: simcord members post, a moderator types
`!purge`, and the channel's history afterwards holds exactly what the
moderator meant to keep. Young messages go in one bulk delete; those older
than Discord's 14 days one by one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from discord_world import CONFIG, World, answers, en

from adapters.discord.client import build_client
from bot.core.events import ChatRef


def bulk_deletes(world: World) -> list[Any]:
    return [r for r in world.env.http_requests if r.path.endswith("/messages/bulk-delete")]


def single_deletes(world: World) -> list[Any]:
    return [
        r
        for r in world.env.http_requests
        if r.method == "DELETE" and "/messages/" in r.path and "/reactions" not in r.path
    ]


async def test_purge_n_deletes_the_last_n_and_the_command_in_one_bulk_call(
    world: World,
) -> None:
    kept = await world.alice.send(world.general, "good morning all")
    gone = [
        await world.bob.send(world.general, "first of three"),
        await world.alice.send(world.general, "second of three"),
        await world.bob.send(world.general, "third of three"),
    ]
    before = len(single_deletes(world))

    command = await world.mod.send(world.general, "!purge 3")

    ids = {m.id for m in world.general.history()}
    assert kept.id in ids
    assert not ids & {m.id for m in [*gone, command]}
    [bulk] = bulk_deletes(world)
    assert sorted(int(i) for i in bulk.json["messages"]) == sorted(m.id for m in [*gone, command])
    assert len(single_deletes(world)) == before
    assert world.texts(world.general)[-1] == en("purge.done", count=3, of="")
    assert any("purged 3 message(s) in general" in text for text in world.texts(world.modlog))


async def test_purge_of_one_member_leaves_the_others(world: World) -> None:
    alices = [await world.alice.send(world.general, f"alice says {n}") for n in range(3)]
    bobs = [await world.bob.send(world.general, f"bob says {n}") for n in range(2)]

    await world.mod.send(world.general, f"!purge 10 {world.alice.mention}")

    ids = {m.id for m in world.general.history()}
    assert not ids & {m.id for m in alices}
    assert {m.id for m in bobs} <= ids
    assert world.texts(world.general)[-1].startswith(
        en("purge.done", count=3, of=en("purge.of", name="@alice"))
    )


async def test_messages_older_than_fourteen_days_are_deleted_one_by_one(world: World) -> None:
    old = [await world.alice.send(world.general, f"last month {n}") for n in range(2)]
    await world.env.advance_time(15 * 24 * 3600)
    new = [await world.bob.send(world.general, f"today {n}") for n in range(2)]
    before = len(single_deletes(world))

    command = await world.mod.send(world.general, "!purge 4")

    ids = {m.id for m in world.general.history()}
    assert not ids & {m.id for m in [*old, *new, command]}
    [bulk] = bulk_deletes(world)
    assert sorted(int(i) for i in bulk.json["messages"]) == sorted(m.id for m in [*new, command])
    singles = single_deletes(world)[before:]
    assert sorted(int(r.path.rsplit("/", 1)[1]) for r in singles) == sorted(m.id for m in old)


async def test_a_member_cannot_purge(world: World) -> None:
    sent = await world.alice.send(world.general, "hello")

    await world.bob.send(world.general, "!purge 5")

    assert sent.id in {m.id for m in world.general.history()}
    assert world.texts(world.general)[-1] == en("mod.not_allowed", command="purge")
    assert bulk_deletes(world) == []


async def test_the_slash_command_purges_and_answers_the_moderator(world: World) -> None:
    gone = [await world.alice.send(world.general, f"noise {n}") for n in range(2)]

    shown = answers(await world.mod.slash(world.general, "purge", args="2"))

    assert not {m.id for m in world.general.history()} & {m.id for m in gone}
    assert shown == [en("purge.done", count=2, of="")]
    # The interaction is no message: neither counted nor sent to be deleted.
    [bulk] = bulk_deletes(world)
    assert sorted(int(i) for i in bulk.json["messages"]) == sorted(m.id for m in gone)


def bots_messages(world: World, after: Any) -> list[Any]:
    """What the bot posted in #general since the message `after`."""
    me = world.bot.user
    assert me is not None
    return [m for m in world.general.history() if m.author.id == me.id and m.id > after.id]


async def test_the_bots_own_replies_are_purged_too(world: World) -> None:
    """Discord sends the bot's replies back as messages: their ids join the
    history, so `!purge N` takes the newest N the channel shows."""
    kept = await world.bob.send(world.general, "before it all")
    checkin = await world.alice.send(world.general, "!checkin")
    replies = bots_messages(world, checkin)  # the check-in's and the level's
    assert len(replies) == 2
    after = await world.bob.send(world.general, "well done")

    command = await world.mod.send(world.general, "!purge 4")

    [bulk] = bulk_deletes(world)
    assert sorted(int(i) for i in bulk.json["messages"]) == sorted(
        m.id for m in [checkin, *replies, after, command]
    )
    ids = {m.id for m in world.general.history()}
    assert kept.id in ids and not ids & {m.id for m in replies}
    assert world.texts(world.general)[-1] == en("purge.done", count=4, of="")


async def test_the_confirmation_and_a_slash_commands_answer_go_with_the_next_purge(
    world: World,
) -> None:
    await world.alice.send(world.general, "!checkin")  # the level-up comes now
    kept = await world.bob.send(world.general, "keep me")
    await world.alice.send(world.general, "noise")
    first = await world.mod.send(world.general, "!purge 1")
    [confirmation] = bots_messages(world, first)
    await world.bob.slash(world.general, "checkin")
    shown = bots_messages(world, confirmation)  # the answer, the level-up
    [answer] = [m for m in shown if "@bob checked in" in m.content]

    await world.mod.send(world.general, f"!purge {1 + len(shown)}")

    ids = {m.id for m in world.general.history()}
    assert not ids & {confirmation.id, *(m.id for m in shown)}
    assert kept.id in ids
    [_, second] = bulk_deletes(world)
    assert {confirmation.id, answer.id} <= {int(i) for i in second.json["messages"]}


async def test_a_members_purge_leaves_the_bots_replies(world: World) -> None:
    checkin = await world.alice.send(world.general, "!checkin")
    replies = bots_messages(world, checkin)

    await world.mod.send(world.general, f"!purge 5 {world.alice.mention}")

    ids = {m.id for m in world.general.history()}
    assert checkin.id not in ids and {m.id for m in replies} <= ids
    assert world.texts(world.general)[-1].startswith(
        en("purge.done", count=1, of=en("purge.of", name="@alice"))
    )


async def test_after_a_crash_the_rest_of_the_count_is_listed_from_discord(
    world: World, tmp_path: Path
) -> None:
    """A crash loses the history (only a graceful stop saves it): the new
    process knows none of the channel's messages, so `!purge 3` asks
    Discord for the three before the command and deletes those.

    The crash is simcord's `restart_bot`: the old bot's tasks cancelled, it
    is never closed (no stop, no save); a new one opens the same database."""
    kept = await world.bob.send(world.general, "keep me")
    gone = [await world.alice.send(world.general, f"before the crash {n}") for n in range(3)]
    bot, app = await build_client(
        CONFIG, f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}", background_flush=False
    )
    try:
        await world.env.restart_bot(bot)
        await world.env.settle()
        assert list(app.engine.kit.history.latest(ChatRef("discord", str(world.general.id)))) == []

        command = await world.mod.send(world.general, "!purge 3")

        ids = {m.id for m in world.general.history()}
        assert kept.id in ids and not ids & {m.id for m in [*gone, command]}
        [bulk] = bulk_deletes(world)
        assert sorted(int(i) for i in bulk.json["messages"]) == sorted(
            m.id for m in [*gone, command]
        )
        assert world.texts(world.general)[-1] == en("purge.listed_only", count=0, more=3, max=500)
    finally:
        await app.close()
