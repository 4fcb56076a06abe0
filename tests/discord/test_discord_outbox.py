"""Discord's outbox, on simcord with the real bot: an event's replies and
removals leave only once its effects are stored, the ones stored before a
crash go out at the next start, and none goes out twice across restarts.

A crash is what simcord's `restart_bot` does to the old bot: its tasks are
cancelled and it is never closed. What a kill -9 leaves in the database
(actions committed, not marked sent) is written as such for the crash test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from discord_world import CONFIG, World, answers, en
from sqlalchemy import text

from adapters.app import App
from adapters.discord.client import GroupkeeperBot, build_client
from bot.core.action_codec import encode
from bot.core.actions import DeleteMessage, SendMessage
from bot.core.events import ChatRef
from bot.core.records import OutboxRecord, WriteBatch

SLUG = "green-energy"


def checked_in(name: str, balance: int = 10) -> str:
    return en("checkin.ok", name=name, points=10, bonus="", streak=1, balance=balance, rank=1)


class DatabaseDown:
    """The store refuses every write, as a database that cannot be reached
    does (the write-behind batch keeps it queued)."""

    def __init__(self, app: App, monkeypatch: pytest.MonkeyPatch) -> None:
        self.app = app
        self.monkeypatch = monkeypatch
        self.attempts = 0

    def __enter__(self) -> DatabaseDown:
        async def refuse(batch: WriteBatch) -> Any:
            self.attempts += 1
            raise ConnectionRefusedError("database down (test)")

        self.monkeypatch.setattr(self.app.store, "write", refuse)
        return self

    def __exit__(self, *exc: object) -> None:
        self.monkeypatch.undo()


@pytest.fixture
async def fresh_bots(tmp_path: Path) -> AsyncIterator[list[tuple[GroupkeeperBot, App]]]:
    """Bots started after the first one, on the same SQLite file."""
    made: list[tuple[GroupkeeperBot, App]] = []
    yield made
    for _, app in made:
        await app.close()


async def restart(world: World, made: list[tuple[GroupkeeperBot, App]], db: Path) -> App:
    """A new process on the same database: a fresh bot and app, attached to
    the same virtual Discord; the old one is dropped without closing."""
    bot, app = await build_client(CONFIG, f"sqlite+aiosqlite:///{db}", background_flush=False)
    made.append((bot, app))
    await world.env.restart_bot(bot)
    await world.env.settle()
    return app


async def database_back(world: World) -> None:
    """The next event's commit takes what was held while the database was
    down (in production the background flush does too)."""
    await world.mod.send(world.general, "the database is back")
    await world.env.settle()


async def outbox_rows(app: App) -> list[tuple[str, bool]]:
    """The outbox as stored (a start clears the rows marked sent)."""

    async with app.store.engine.connect() as conn:
        rows = await conn.execute(text("SELECT key, sent FROM outbox WHERE platform = 'discord'"))
        return [(key, bool(sent)) for key, sent in rows]


# -- (1) nothing leaves before its batch commits ------------------------------


async def test_a_reply_waits_for_its_batch_to_be_stored(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with DatabaseDown(world.app, monkeypatch) as down:
        message = await world.alice.send(world.general, "/checkin")
        await world.env.settle()
        # Handled, the store asked and refusing: nothing was said.
        assert checked_in("@alice") not in world.texts(world.general)
        assert down.attempts >= 1

    await database_back(world)

    assert world.texts(world.general).count(checked_in("@alice")) == 1
    # Stored, then marked sent once carried out.
    rows = dict(await outbox_rows(world.app))
    assert rows[f"discord:m:{message.id}:0000"] is True


async def test_a_removal_waits_for_its_batch_too(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with DatabaseDown(world.app, monkeypatch):
        spam = await world.bob.send(world.general, "加微信领资料 w.e.c.h.a.t")
        await world.env.settle()
        assert spam.content in world.texts(world.general)

    await database_back(world)

    assert spam.content not in world.texts(world.general)


async def test_only_an_event_with_actions_asks_for_a_commit(world: World) -> None:
    """Chat that makes no action has nothing to send: its effects (her first
    message's point) wait for the write-behind's batch instead of a commit
    of their own (a commit per message was most of what the bot paid per
    message); a reply still leaves only once its batch, which takes them
    too, is stored."""
    writes = world.app.engine.writes
    batches = writes.batches
    for chat in ("good morning, everyone", "the grid went down again last night"):
        await world.alice.send(world.general, chat)
        await world.env.settle()

    assert writes.batches == batches
    assert writes.pending > 0
    message = await world.alice.send(world.general, "/checkin")
    await world.env.settle()
    assert writes.batches > batches and writes.pending == 0
    assert world.texts(world.general).count(checked_in("@alice", balance=11)) == 1
    rows = dict(await outbox_rows(world.app))
    assert rows[f"discord:m:{message.id}:0000"] is True


async def test_a_slash_command_is_answered_once_its_batch_is_stored(world: World) -> None:
    result = await world.alice.slash(world.general, "checkin")

    assert answers(result) == [checked_in("@alice")]
    rows = await outbox_rows(world.app)
    # Its reply went through the outbox, stored and marked.
    assert rows and all(sent for _, sent in rows)


# -- (2) stored before a crash, sent once at the next start -------------------


async def test_actions_stored_before_a_crash_go_out_once_at_the_next_start(
    world: World, tmp_path: Path, fresh_bots: list[tuple[GroupkeeperBot, App]]
) -> None:
    spam = await world.bob.send(world.general, "an ordinary message, removed later")
    general = ChatRef("discord", str(world.general.id))
    now = datetime.now(UTC)
    # What a kill -9 right after a commit leaves: the actions stored, unsent.
    left = [
        SendMessage(general, "said after the restart", reply_to=spam.id),
        DeleteMessage(general, (spam.id,)),
    ]
    await world.app.store.write(
        WriteBatch(
            outbox=[
                OutboxRecord(SLUG, f"discord:m:{spam.id}:{n:04d}", "discord", encode(a), now)
                for n, a in enumerate(left)
            ]
        )
    )

    app = await restart(world, fresh_bots, tmp_path / "gk.db")

    assert world.texts(world.general).count("said after the restart") == 1
    assert spam.content not in world.texts(world.general)
    assert await app.store.unsent(SLUG, "discord") == []

    await restart(world, fresh_bots, tmp_path / "gk.db")

    assert world.texts(world.general).count("said after the restart") == 1


async def test_a_reply_held_when_the_process_dies_goes_out_after_the_restart(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_bots: list[tuple[GroupkeeperBot, App]],
) -> None:
    # The batch is stored as the process dies: before its actions were sent.
    community = world.bot.community
    monkeypatch.setattr(community.gateway, "submit", lambda actions: None)
    await world.alice.send(world.general, "/checkin")
    await world.env.settle()
    assert checked_in("@alice") not in world.texts(world.general)

    await restart(world, fresh_bots, tmp_path / "gk.db")

    assert world.texts(world.general).count(checked_in("@alice")) == 1


# -- (3) nothing twice across a clean restart ----------------------------------


async def test_a_clean_restart_sends_nothing_again(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_bots: list[tuple[GroupkeeperBot, App]],
) -> None:
    members = [world.alice, world.bob, world.mod]
    with DatabaseDown(world.app, monkeypatch):
        for member in members:
            await member.send(world.general, "/checkin")
        await world.env.settle()
    said = [checked_in(f"@{m.name}") for m in members]
    # The stop: what is held is stored and sent before the client closes,
    # and each is marked sent.
    await world.bot.close()
    assert all(world.texts(world.general).count(line) == 1 for line in said)
    replies = [k for k, sent in await outbox_rows(world.app) if k.endswith(":0000") and sent]
    assert len([k for k in replies if k.startswith("discord:m:")]) == len(members)

    await restart(world, fresh_bots, tmp_path / "gk.db")
    await restart(world, fresh_bots, tmp_path / "gk.db")

    assert all(world.texts(world.general).count(line) == 1 for line in said)


async def test_an_event_handled_twice_holds_its_actions_once(world: World) -> None:
    message = await world.alice.send(world.general, "/checkin")
    await world.env.settle()
    before = world.texts(world.general)

    # discord.py handing the same message over again (a gateway resume).
    await world.bot.community.on_message(message)
    await world.env.settle()

    # Not even "already checked in today".
    assert world.texts(world.general) == before
    assert before.count(checked_in("@alice")) == 1
