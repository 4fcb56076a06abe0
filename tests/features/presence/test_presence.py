"""The bot's own place in each group, decided in the core: a group is
registered as the bot arrives (with the platform's member count) or as a
platform first shows it; the log chat hears the bot is ready, lacks rights
or was removed, and the owners on that platform are told what to grant."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.compose import open_engine
from bot.config import parse_config
from bot.core.actions import SendDirect, SendMessage
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import BotMembershipChanged, ChatFound, ChatRef, UserRef
from storage.sql_store import SqlStore
from tests.conftest import START

CONFIG = """
community:
  name: Green
  slug: green-energy
  language: en
  owners: [telegram:1, telegram:2, discord:1]
  log_chat: telegram:-999
welcome: {enabled: false}
"""

LOG = ChatRef("telegram", "-999")
GROUP = ChatRef("telegram", "-1002", title="Second Group")
OLGA = UserRef("telegram", "1", "Olga", "olga")
OWEN = UserRef("telegram", "2")
LACKS = ("can_restrict_members", "can_pin_messages")


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    e = await open_engine(parse_config(CONFIG), store, FakeClock(START), background_flush=False)
    yield e
    await e.stop()
    await store.close()


async def test_an_admin_lacking_rights_tells_the_log_chat_and_the_owners_on_its_platform(
    engine: Engine,
) -> None:
    event = BotMembershipChanged(GROUP, START, admin=True, missing=LACKS, by=OLGA, members=2)
    actions = await engine.handle(event)
    text = (
        "⚠️ I am an administrator in Second Group but lack these rights: "
        "Ban users, Pin messages. Please grant them."
    )
    assert actions == [
        SendMessage(LOG, text, kind="log"),
        SendDirect(OLGA, text, fallback_chat=GROUP),
        SendDirect(OWEN, text, fallback_chat=GROUP),
    ]
    group = engine.kit.directory.groups[GROUP.key]
    assert (group.title, group.member_count) == ("Second Group", 2)


async def test_a_regular_member_is_asked_for_every_right(engine: Engine) -> None:
    rights = ("can_delete_messages", "can_restrict_members")
    [log, *owners] = await engine.handle(BotMembershipChanged(GROUP, START, missing=rights))
    assert isinstance(log, SendMessage) and log.text == (
        "⚠️ I was added to Second Group as a regular member. Please make me an "
        "administrator with these rights: Delete messages, Ban users."
    )
    assert [o.user.key for o in owners if isinstance(o, SendDirect)] == ["telegram:1", "telegram:2"]


async def test_ready_and_removed_are_for_the_log_chat_only(engine: Engine) -> None:
    ready = await engine.handle(BotMembershipChanged(GROUP, START, admin=True))
    removed = await engine.handle(BotMembershipChanged(GROUP, START, removed=True))
    assert ready == [
        SendMessage(
            LOG, "✅ I am an administrator in Second Group with every right I need.", kind="log"
        )
    ]
    assert removed == [SendMessage(LOG, "ℹ️ I was removed from Second Group.", kind="log")]


async def test_the_notices_follow_a_reloaded_log_chat_language_and_owner_list(
    engine: Engine,
) -> None:
    config = engine.config
    community = config.community.model_copy(
        update={"log_chat": "telegram:-888", "language": "zh", "owners": ["telegram:2"]}
    )
    engine.reload(config.model_copy(update={"community": community}))
    actions = await engine.handle(BotMembershipChanged(GROUP, START, admin=True, missing=LACKS))
    text = "⚠️ 我是 Second Group 的管理员，但缺少这些权限：封禁用户、置顶消息。请为我开启。"
    assert actions == [
        SendMessage(ChatRef("telegram", "-888"), text, kind="log"),
        SendDirect(OWEN, text, fallback_chat=GROUP),
    ]


async def test_a_side_channel_is_part_of_a_group_and_a_known_group_stays_as_it_is(
    engine: Engine,
) -> None:
    main = ChatRef("discord", "10", title="general")
    side = ChatRef("discord", "11", title="market")
    assert await engine.handle(ChatFound(main, START)) == []
    await engine.handle(ChatFound(side, START, side=True))
    groups = engine.kit.directory.groups
    assert (groups[main.key].title, groups[main.key].state) == ("general", "open")
    assert (groups[side.key].title, groups[side.key].state) == ("market", "channel")
    await engine.handle(ChatFound(ChatRef("discord", "10", title="renamed"), START, side=True))
    assert (groups[main.key].title, groups[main.key].state) == ("general", "open")


async def test_the_owners_hear_a_standing_once_and_again_when_it_changes(engine: Engine) -> None:
    lacking = BotMembershipChanged(GROUP, START, admin=True, missing=LACKS)
    assert len(await engine.handle(lacking)) == 3
    assert await engine.handle(lacking) == []
    assert (
        await engine.handle(
            BotMembershipChanged(GROUP, START, admin=True, missing=LACKS, checked=True)
        )
        == []
    )
    fewer = BotMembershipChanged(GROUP, START, admin=True, missing=LACKS[:1])
    assert len(await engine.handle(fewer)) == 3
    [ready] = await engine.handle(BotMembershipChanged(GROUP, START, admin=True))
    assert isinstance(ready, SendMessage) and "every right" in ready.text


async def test_a_first_read_that_finds_all_in_order_says_nothing(engine: Engine) -> None:
    fine = BotMembershipChanged(GROUP, START, admin=True, checked=True)
    assert await engine.handle(fine) == []
    assert await engine.handle(BotMembershipChanged(GROUP, START, removed=True, checked=True)) == [
        SendMessage(LOG, "ℹ️ I was removed from Second Group.", kind="log")
    ]
    other = ChatRef("telegram", "-1003", title="Third Group")
    assert await engine.handle(BotMembershipChanged(other, START, removed=True, checked=True)) == []


async def test_an_owner_is_told_in_their_own_language(engine: Engine) -> None:
    by = UserRef("telegram", "1", "Olga", "olga", language="zh-hans")
    actions = await engine.handle(BotMembershipChanged(GROUP, START, missing=LACKS, by=by))
    [log, olga, owen] = actions
    assert isinstance(log, SendMessage) and log.text.startswith("⚠️ I was added to Second Group")
    assert isinstance(olga, SendDirect) and olga.text.startswith("⚠️ 我以普通成员身份被加入了")
    assert isinstance(owen, SendDirect) and owen.text == log.text


async def test_the_log_chat_is_never_asked_about(engine: Engine) -> None:
    assert await engine.handle(BotMembershipChanged(LOG, START, missing=LACKS)) == []


async def test_every_removal_the_platform_announces_is_told(engine: Engine) -> None:
    side = ChatRef("discord", "10", title="Main server")
    for _ in range(2):  # Discord says when the bot is removed, not when it is back
        [told] = await engine.handle(BotMembershipChanged(side, START, removed=True))
        assert isinstance(told, SendMessage) and "removed from Main server" in told.text
    assert await engine.handle(BotMembershipChanged(side, START, removed=True, checked=True)) == []
