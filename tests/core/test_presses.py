"""A press answers the presser privately: a member's reply is theirs alone
(a popup), a moderator's is posted as well; every press is answered, even
when the command says nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.compose import open_engine
from bot.config import parse_config
from bot.core.actions import Action, AnswerPress, SendDirect, SendMessage
from bot.core.clock import FakeClock
from bot.core.commands import Command, Context
from bot.core.engine import Engine
from bot.core.events import ChatRef, CommandIssued, UserRef
from bot.core.feature import Base
from storage.sql_store import SqlStore
from tests.conftest import START

CONFIG = """
community:
  name: Green
  slug: green-energy
  language: en
  owners: [telegram:1]
  log_chat: telegram:-999
welcome: {enabled: false}
"""

GROUP = ChatRef("telegram", "-1001")
OWNER = UserRef("telegram", "1", "Olga", "olga")
MEMBER = UserRef("telegram", "7", "Ann", "ann")
BUTTON = 42


async def hello(ctx: Context) -> list[Action]:
    return [ctx.say("hello"), SendDirect(ctx.event.sender, "and privately")]


async def quiet(ctx: Context) -> list[Action]:
    return []


class Buttons(Base):
    name = "buttons"
    commands = (
        Command("hello", hello),
        Command("quiet", quiet),
        Command("sweep", hello, staff=True),
    )


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    started = await open_engine(
        parse_config(CONFIG), store, FakeClock(START), background_flush=False
    )
    yield Engine(started.kit, (*started.features, Buttons()))
    await started.stop()
    await store.close()


async def press(engine: Engine, who: UserRef, name: str) -> list[Action]:
    event = CommandIssued(GROUP, who, BUTTON, name, (), START, text=f"gk:{name}", press="q1")
    return await engine.handle(event)


async def test_a_members_reply_is_a_popup_for_them_alone(engine: Engine) -> None:
    actions = await press(engine, MEMBER, "hello")
    assert actions == [
        AnswerPress(GROUP, "q1", "hello", alert=True),
        SendDirect(MEMBER, "and privately"),
    ]


async def test_a_members_refusal_is_theirs_alone(engine: Engine) -> None:
    [answer] = await press(engine, MEMBER, "sweep")
    assert answer == AnswerPress(GROUP, "q1", "Only moderators can use /sweep.", alert=True)


async def test_a_moderators_reply_is_a_notice_and_is_posted_for_the_others(
    engine: Engine,
) -> None:
    actions = await press(engine, OWNER, "sweep")
    assert actions[0] == AnswerPress(GROUP, "q1", "hello", alert=False)
    assert SendMessage(GROUP, "hello", reply_to=BUTTON, kind="reply") in actions


async def test_every_press_is_answered_even_when_the_command_says_nothing(
    engine: Engine,
) -> None:
    assert await press(engine, MEMBER, "quiet") == [AnswerPress(GROUP, "q1")]


async def test_a_typed_command_is_answered_in_the_chat(engine: Engine) -> None:
    typed = CommandIssued(GROUP, MEMBER, 5, "hello", (), START, text="/hello")
    actions = await engine.handle(typed)
    assert SendMessage(GROUP, "hello", reply_to=5, kind="reply") in actions
    assert not any(isinstance(a, AnswerPress) for a in actions)
