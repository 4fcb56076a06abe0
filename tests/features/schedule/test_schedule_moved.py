"""A post a moderator scheduled in a group goes on in that group after its
chat moved (`ChatMoved`: a Telegram group upgraded to a supergroup), at once
and after a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.compose import open_engine
from bot.config import parse_config
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import ChatMoved, ChatRef, MessagePosted, UserRef
from bot.features import Stores
from bot.features.schedule.feature import ScheduleFeature
from storage.schedule_store import SqlScheduleStore
from storage.sql_store import SqlStore

CONFIG = parse_config(
    """
community: {name: Solar Makers, slug: solar, language: en, timezone: UTC,
            moderators: ["console:mia"]}
welcome: {enabled: false}
"""
)
OLD, NEW = ChatRef("console", "basic"), ChatRef("console", "super", title="Basic")
MIA = UserRef("console", "mia", "mia", "mia")


async def engine_on(store: SqlStore, clock: FakeClock) -> Engine:
    stores = Stores(schedule=SqlScheduleStore(store.engine))
    return await open_engine(CONFIG, store, clock, stores=stores, background_flush=False)


async def due_groups(engine: Engine, at: datetime) -> list[str]:
    schedule = engine.feature(ScheduleFeature).schedule
    return sorted(d.group_key for d in await schedule.due(at))


async def test_a_chat_post_follows_its_group_to_the_new_chat(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp_path / 's.db'}")
    try:
        engine = await engine_on(store, clock)
        said = '/schedule add "0 9 * * *" Coffee time'
        await engine.handle(MessagePosted(OLD, MIA, 1, said, clock.now()))
        await engine.handle(ChatMoved(OLD, NEW, clock.now()))
        assert await due_groups(engine, clock.now() + timedelta(hours=1)) == [NEW.key]
        await engine.stop()
        # After a restart, from the stored post.
        clock.advance(timedelta(days=1))
        engine = await engine_on(store, clock)
        assert await due_groups(engine, clock.now() + timedelta(hours=1)) == [NEW.key]
        await engine.stop()
    finally:
        await store.close()
