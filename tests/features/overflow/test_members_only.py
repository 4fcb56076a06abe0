"""A members-only group (a tier's `groups`) is never where a newcomer is
sent: when the other groups are full, a newcomer hears there is no room and
a paid entry is refunded, rather than an invite to a group whose tier would
show them out at once. It still counts for the next group's serial."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.console.session import ConsoleSession
from bot.config import parse_config
from bot.core.clock import FakeClock
from bot.features.overflow.feature import OverflowFeature
from storage.sql_store import SqlStore
from tests.conftest import START

CONFIG = """
community: {name: Green, slug: green-energy, language: en, timezone: Asia/Shanghai,
            owners: [console:olga], log_chat: console:log}
groups: {capacity: 3}
entry: {fee: {stars: 50, platforms: [console]}}
welcome: {enabled: false}
points:
  levels: [{min: 0, title: Newcomer}, {min: 50, title: Core}]
tiers:
  - {level: 2, name: Core, groups: [console:core]}
"""


@pytest.fixture
async def session(store: SqlStore) -> AsyncIterator[ConsoleSession]:
    s = ConsoleSession(parse_config(CONFIG), store, FakeClock(START))
    await s.start()
    # g1 holds olga and ann: one place left. The Core group has room, for ann.
    await s.run(["+olga", "+ann", "olga: /points give @ann 60 for the meetup", "+ann [core]"])
    yield s
    await s.close()


async def test_a_newcomer_is_not_sent_to_a_members_only_group(session: ConsoleSession) -> None:
    overflow = session.engine.feature(OverflowFeature).overflow
    entry = overflow.entry_group("console")
    assert entry is not None and entry.chat_key == "console:g1"

    out = await session.run(["+bob"])
    assert overflow.entry_group("console") is None
    out = await session.run(["[dm] dan: /start join-green-energy"])

    assert not any("invoice" in line or "invites" in line for line in out), out
    assert any("every group of Green is full" in line for line in out), out


async def test_a_paid_entry_with_only_a_members_only_group_left_is_refunded(
    session: ConsoleSession,
) -> None:
    out = await session.run(
        [
            "[dm] ben: /start join-green-energy",
            "[dm] cat: /start join-green-energy",
            "!checkout ben",
            "!pay cat",
            "+cat [g1]",
            "!pay ben",
        ]
    )

    invites = [line for line in out if "bot invites" in line]
    assert invites == [next(line for line in out if line.startswith("[g1] bot invites cat"))]
    assert any(line.startswith("[dm ben] bot refunds payment") for line in out), out
    assert not any("[core]" in line for line in out), out


async def test_the_next_group_is_readied_though_a_members_only_group_has_room(
    session: ConsoleSession,
) -> None:
    out = await session.run(["[g3] olga: /pool add", "+bob", "[dm] dan: /start join-green-energy"])

    overflow = session.engine.feature(OverflowFeature).overflow
    serials = {g.chat_key: g.serial for g in overflow.groups("console")}
    # g1, then Core (opened by ann's join), then the spare readied as #3.
    assert serials == {"console:g1": 1, "console:core": 2, "console:g3": 3}, out
    assert any(line.startswith("[dm dan] bot sends an invoice") for line in out), out
