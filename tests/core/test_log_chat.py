"""The moderators' log chat is never a member group: posts, button presses,
joins and the bot's own arrival there register no group, so no newcomer is
ever sent to it and no group number is spent on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.compose import open_engine
from bot.config import parse_config
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import (
    BotMembershipChanged,
    ChatFound,
    ChatRef,
    CommandIssued,
    MemberJoined,
    MessagePosted,
    UserRef,
)
from bot.core.records import GroupRecord
from storage.sql_store import SqlStore
from tests.conftest import START

CONFIG = """
community:
  name: Green
  slug: green-energy
  language: en
  owners: [telegram:1]
  moderators: [telegram:2]
  log_chat: telegram:-999
welcome: {enabled: false}
"""

LOG = ChatRef("telegram", "-999", title="Moderators")
GROUP = ChatRef("telegram", "-1002", title="Green Chat")
MOD = UserRef("telegram", "2", "Mia", "mia")
NEW = UserRef("telegram", "3", "Nat", "nat")


@pytest.fixture
async def store() -> AsyncIterator[SqlStore]:
    s = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    yield s
    await s.close()


@pytest.fixture
async def engine(store: SqlStore) -> AsyncIterator[Engine]:
    e = await open_engine(parse_config(CONFIG), store, FakeClock(START), background_flush=False)
    yield e
    await e.stop()


async def test_nothing_in_the_log_chat_makes_it_a_group(engine: Engine, store: SqlStore) -> None:
    await engine.handle(BotMembershipChanged(LOG, START, admin=True, members=4))
    await engine.handle(ChatFound(LOG, START, side=True))
    await engine.handle(MessagePosted(LOG, MOD, 1, "looks fine to me", START))
    await engine.handle(
        CommandIssued(LOG, MOD, 2, "alerts", (), START, text="gk:alerts", press="p1")
    )
    await engine.handle(MemberJoined(LOG, NEW, START))
    await engine.handle(MessagePosted(GROUP, NEW, 3, "hello", START))
    groups = engine.kit.directory.groups
    assert list(groups) == [GROUP.key]
    # The first real group is g1: the log chat spent no number.
    assert groups[GROUP.key].serial == 1
    await engine.kit.writes.flush(everything=True)
    stored = await store.load("green-energy", START)
    assert [g.chat_key for g in stored.groups] == [GROUP.key]


async def test_a_log_chat_an_older_version_registered_is_no_group_after_a_restart() -> None:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    config = parse_config(CONFIG)
    old = await open_engine(config, store, FakeClock(START), background_flush=False)
    old.kit.writes.group(GroupRecord("green-energy", LOG.key, "telegram", "-999", serial=1))
    await old.stop()
    engine = await open_engine(config, store, FakeClock(START), background_flush=False)
    try:
        await engine.handle(MessagePosted(LOG, MOD, 1, "still here", START))
        await engine.handle(MessagePosted(GROUP, NEW, 2, "hello", START))
        assert list(engine.kit.directory.groups) == [GROUP.key]
    finally:
        await engine.stop()
        await store.close()
