"""A graceful stop saves each chat's history and each forum topic's ring
apart, and the next start reads them back where they were."""

from __future__ import annotations

from datetime import timedelta

from bot.compose import open_engine
from bot.config import Config
from bot.core.clock import FakeClock
from bot.core.events import ChatRef
from bot.features import Stores
from storage.sql_store import SqlStore

GENERAL = ChatRef("telegram", "-100", forum=True)
TOPIC_A = ChatRef("telegram", "-100", thread="11", forum=True)
TOPIC_B = ChatRef("telegram", "-100", thread="12", forum=True)
PLAIN = ChatRef("telegram", "-200")


async def test_a_restart_keeps_each_topics_ring_apart(
    example_config: Config, store: SqlStore, clock: FakeClock
) -> None:
    stores = Stores()
    first = await open_engine(example_config, store, clock, stores=stores, background_flush=False)
    history = first.kit.history
    now = clock.now()
    for mid, chat, who in [
        (1, GENERAL, "7"), (2, TOPIC_A, "7"), (3, TOPIC_B, "8"), (4, TOPIC_A, ""),
        (5, PLAIN, "9"), (6, GENERAL, ""),
    ]:  # fmt: skip
        history.add(chat, mid, who, now + timedelta(seconds=mid))
    history.forget(GENERAL, (3,))
    await first.stop()

    second = await open_engine(example_config, store, clock, stores=stores, background_flush=False)
    again = second.kit.history
    for chat in (GENERAL, TOPIC_A, TOPIC_B, PLAIN):
        assert list(again.latest(chat)) == list(history.latest(chat)), chat
    assert [mid for mid, _, _ in again.latest(TOPIC_A)] == [4, 2]
    assert [mid for mid, _, _ in again.latest(GENERAL)] == [6, 1]
    assert 3 in again.deleted(GENERAL)
    await second.stop()
