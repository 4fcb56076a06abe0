"""The events of one platform update reach the database together: a batch
is never taken between two of them (several members added at once, then a
crash), so an update replayed after a crash is never half counted twice."""

from __future__ import annotations

import asyncio

from bot.compose import open_engine
from bot.config import Config
from bot.core.clock import FakeClock
from bot.core.events import ChatRef, MemberJoined, UserRef
from storage.sql_store import SqlStore
from tests.conftest import START

G1 = ChatRef("console", "g1")


async def test_no_batch_is_taken_inside_an_update_and_one_follows_it(
    example_config: Config,
) -> None:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    engine = await open_engine(example_config, store, FakeClock(START), background_flush=False)
    writes = engine.writes
    with writes.whole():
        await engine.handle(MemberJoined(G1, UserRef("console", "u1", "ann"), START))
        # What the background loop or a full batch would do mid-update.
        await writes.flush()
        assert await store.memberships("green-energy", "console:u1") == []
        await engine.handle(MemberJoined(G1, UserRef("console", "u2", "ben"), START))
    # Released: the flush asked for meanwhile runs, with both members.
    await asyncio.sleep(0.05)
    assert len(await store.memberships("green-energy", "console:u1")) == 1
    assert len(await store.memberships("green-energy", "console:u2")) == 1
    await engine.stop()
    await store.close()
