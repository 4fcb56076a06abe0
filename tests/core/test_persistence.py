"""Write-behind persistence: a crash loses nothing that a replay cannot
restore, and nothing is counted twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.compose import open_engine
from bot.config import Config
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import ChatRef, Event, MemberJoined, MessagePosted, UserRef
from bot.core.records import CursorRecord, WriteBatch, WriteResult
from bot.features.points.feature import PointsFeature
from storage.sql_store import SqlStore
from tests.conftest import START

G1 = ChatRef("console", "g1")


def traffic() -> list[Event]:
    """Two days of chat: check-ins, rewarded and unrewarded messages, a blocked word."""
    events: list[Event] = []
    mid = 0
    at = START
    users = [UserRef("console", n, n, n) for n in ("ann", "ben", "cat", "dov")]
    for u in users:
        events.append(MemberJoined(G1, u, at))
    for day in range(2):
        for step in range(30):
            at = START + timedelta(days=day, minutes=step * 2)
            for i, u in enumerate(users):
                mid += 1
                text = (
                    "签到" if step == 0 else ("加微信" if (step + i) % 11 == 0 else f"talk {step}")
                )
                events.append(MessagePosted(G1, u, mid, text, at))
    return events


async def run(config: Config, store: SqlStore, events: list[Event], batch: int) -> Engine:
    engine = await open_engine(
        config, store, FakeClock(START), max_batch=batch, background_flush=False
    )
    for e in events:
        await engine.handle(e)
    return engine


async def balances(engine: Engine) -> dict[str, int]:
    return dict(sorted(engine.feature(PointsFeature).points.balances.items()))


async def test_replay_after_a_crash_gives_the_same_balances(
    example_config: Config, tmp_path: object
) -> None:
    events = traffic()
    reference_store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    reference = await run(example_config, reference_store, events, batch=500)
    await reference.stop()
    expected = await balances(reference)
    assert sum(expected.values()) > 0

    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    crashed = await run(example_config, store, events[: len(events) * 2 // 3], batch=7)
    assert crashed.writes is not None and crashed.writes.batches > 0
    crashed.writes.abandon()  # the process dies with writes pending

    # The restarted process sees only what was flushed, and the platform
    # redelivers everything from the start.
    restarted = await run(example_config, store, events, batch=7)
    assert await balances(restarted) == expected
    await restarted.stop()

    # A third process loads exactly the same balances from the ledger.
    again = await open_engine(example_config, store, FakeClock(START), background_flush=False)
    assert await balances(again) == expected
    await store.close()
    await reference_store.close()


class FlakyStore:
    """Fails the first write, as a dropped database connection would."""

    def __init__(self, inner: SqlStore) -> None:
        self.inner = inner
        self.failures = 1

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def write(self, batch: WriteBatch) -> WriteResult:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("database went away")
        return await self.inner.write(batch)


async def test_a_failed_flush_keeps_the_batch_for_the_next_one(example_config: Config) -> None:
    inner = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    store = FlakyStore(inner)
    engine = await open_engine(example_config, store, FakeClock(START), background_flush=False)  # type: ignore[arg-type]
    ann = UserRef("console", "ann", "ann", "ann")
    await engine.handle(MessagePosted(G1, ann, 1, "签到", START))
    assert engine.writes is not None
    with pytest.raises(ConnectionError):
        await engine.writes.flush()
    await engine.handle(MessagePosted(G1, ann, 2, "hello world", START))
    await engine.stop()
    entries = await inner.ledger("green-energy", "console:ann")
    assert sorted(e.reason for e in entries) == ["checkin", "message"]
    await inner.close()


async def test_a_batch_that_moves_a_cursor_carries_the_counters(example_config: Config) -> None:
    # Updates at or below a stored cursor are skipped after a crash: the
    # counters they moved must be in the same batch, or they are lost.
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    engine = await open_engine(example_config, store, FakeClock(START), background_flush=False)
    ann = UserRef("console", "ann", "ann", "ann")
    await engine.handle(MessagePosted(G1, ann, 1, "hello there", START))
    engine.writes.cursor(CursorRecord("green-energy", "console", 1))
    await engine.writes.flush()
    engine.writes.abandon()
    snapshot = await store.load("green-energy", START)
    assert [(m.key, m.message_count) for m in snapshot.members] == [("console:ann", 1)]
    assert [
        r.messages for r in await store.daily_stats("green-energy", START.date(), START.date())
    ] == [1]
    await store.close()
