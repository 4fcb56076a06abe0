"""The outbox's marks on a real store: marks of several chats made while one
commit runs share the next commit, each `done` returns only once its mark
is stored, and an event handled again by the same process holds nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.outbox import Outbox
from bot.core.actions import Action, SendMessage
from bot.core.batcher import WriteBehind
from bot.core.clock import FakeClock
from bot.core.events import ChatRef
from bot.core.records import WriteBatch
from storage.sql_store import SqlStore

T0 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


class CountingStore:
    """The real store, counting the transactions that carry marks."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.mark_commits: list[int] = []

    async def write(self, batch: WriteBatch) -> Any:
        marks = [o for o in batch.outbox if o.sent]
        if marks:
            self.mark_commits.append(len(marks))
        return await self.store.write(batch)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[CountingStore]:
    sql_store = await SqlStore.open(database_url)
    await sql_store.ensure_community("c", "c", "UTC")
    try:
        yield CountingStore(sql_store)
    finally:
        await sql_store.close()


async def test_marks_made_during_a_commit_share_the_next(store: CountingStore) -> None:
    submitted: list[Action] = []
    writes = WriteBehind(store)  # type: ignore[arg-type]
    outbox = Outbox("c", "discord", writes, store, FakeClock(T0), submitted.extend)  # type: ignore[arg-type]
    actions = [SendMessage(ChatRef("discord", str(100 + n)), f"hello {n}") for n in range(4)]
    for n, action in enumerate(actions):
        assert outbox.hold([action], f"discord:m:{n}")
    await writes.flush()
    assert submitted == actions

    # Four channels' lanes finish at once: the first mark commits alone, the
    # three made meanwhile together; each lane goes on once its mark is in.
    await asyncio.gather(*(outbox.done(a) for a in submitted))

    assert store.mark_commits == [1, 3]
    assert await store.unsent("c", "discord") == []
    assert outbox.waiting == 0


async def test_the_same_origin_is_held_once(store: CountingStore) -> None:
    submitted: list[Action] = []
    writes = WriteBehind(store)  # type: ignore[arg-type]
    outbox = Outbox("c", "discord", writes, store, FakeClock(T0), submitted.extend)  # type: ignore[arg-type]
    reply = SendMessage(ChatRef("discord", "100"), "hello")

    assert outbox.hold([reply], "discord:m:1")
    assert not outbox.hold([reply], "discord:m:1")
    await writes.flush()

    assert submitted == [reply]
