"""The entry gate: captcha kinds, attempts and timeouts, the approval queue,
minimum points, and Telegram join requests decided by the same gate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.compose import open_engine
from bot.config import ConfigError, parse_config
from bot.core.actions import (
    Action,
    ApproveJoin,
    CreateInvite,
    DeclineJoin,
    KickMember,
    MuteMember,
    SendDirect,
    SendMessage,
)
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import (
    ChatRef,
    CommandIssued,
    JoinRequested,
    MemberJoined,
    MessagePosted,
    TimerFired,
    UserRef,
)
from bot.features import Stores
from bot.features.overflow.entry import make_challenge, normalize
from bot.features.overflow.feature import OverflowFeature
from storage.overflow_store import SqlOverflowStore
from storage.sql_store import SqlStore
from tests.conftest import START

BASE = """
community: {name: Green, slug: green-energy, language: en, owners: [telegram:1],
            moderators: [telegram:2], log_chat: telegram:-999}
groups: {capacity: 3}
welcome: {enabled: false}
entry: ENTRY
"""
MOD = UserRef("telegram", "2", "Mo", "mo")
GROUP = ChatRef("telegram", "-1001")
NEW = UserRef("telegram", "500", "Nina", "nina")
DM = ChatRef("telegram", "500", private=True)


async def make(entry: str) -> tuple[Engine, SqlStore]:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    e = await open_engine(
        parse_config(BASE.replace("ENTRY", entry)), store, FakeClock(START), background_flush=False
    )
    await command(e, GROUP, MOD, "/groups")
    return e, store


@pytest.fixture
async def gated(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    e, store = await make(request.param)
    yield e
    await e.stop()
    await store.close()


async def command(e: Engine, chat: ChatRef, who: UserRef, text: str) -> list[Action]:
    name, *args = text.lstrip("/").split()
    return await e.handle(CommandIssued(chat, who, 1, name, tuple(args), e.clock.now()))


async def say(e: Engine, text: str) -> list[Action]:
    return await e.handle(MessagePosted(DM, NEW, 2, text, e.clock.now()))


def dms(actions: list[Action]) -> list[str]:
    return [a.text for a in actions if isinstance(a, SendDirect)]


def answer_of(e: Engine) -> str:
    assert e.feature(OverflowFeature).entry is not None
    return sorted(e.feature(OverflowFeature).entry.challenges[NEW.key].answers)[0]


@pytest.mark.parametrize("gated", ["{captcha: arithmetic}"], indirect=True)
async def test_arithmetic_captcha_passed_gets_the_invite(gated: Engine) -> None:
    asked = await command(gated, DM, NEW, "/start join-green-energy")
    assert "What is" in dms(asked)[0]
    assert not any(isinstance(a, CreateInvite) for a in asked)
    passed = await say(gated, answer_of(gated))
    assert dms(passed)[0] == "✅ Correct."
    assert [a.chat for a in passed if isinstance(a, CreateInvite)] == [GROUP]


@pytest.mark.parametrize("gated", ["{captcha: button, attempts: 2}"], indirect=True)
async def test_wrong_answers_use_up_attempts_and_no_invite_follows(gated: Engine) -> None:
    await command(gated, DM, NEW, "/start join-green-energy")
    first = await say(gated, "no idea")
    assert dms(first) == ["❌ Not quite. Attempts left: 1."]
    last = await say(gated, "still no idea")
    assert "last attempt" in dms(last)[0]
    assert not any(isinstance(a, CreateInvite) for a in first + last)
    again = await command(gated, DM, NEW, "/start join-green-energy")
    assert "Too many wrong answers" in dms(again)[0]


@pytest.mark.parametrize("gated", ["{captcha: arithmetic, timeout: 2m}"], indirect=True)
async def test_a_timed_out_captcha_gets_no_invite(gated: Engine) -> None:
    await command(gated, DM, NEW, "/start join-green-energy")
    right = answer_of(gated)
    gated.clock.advance(timedelta(minutes=3))  # type: ignore[attr-defined]
    timed_out = await gated.handle(TimerFired("tick", gated.clock.now()))
    assert "Time is up" in dms(timed_out)[0]
    late = await say(gated, right)
    # No invite: a late answer is a plain private message, which gets the
    # /help hint.
    [hint] = late
    assert isinstance(hint, SendMessage) and "/help" in hint.text


@pytest.mark.parametrize(
    "gated",
    ['{captcha: questions, questions: [{question: "Which planet do we live on?", '
     "answers: [Earth, 地球]}]}"],
    indirect=True,
)  # fmt: skip
async def test_the_owners_own_questions_accept_any_listed_answer(gated: Engine) -> None:
    asked = await command(gated, DM, NEW, "/start join-green-energy")
    assert "Which planet do we live on?" in dms(asked)[0]
    passed = await say(gated, "  地球 ")
    assert any(isinstance(a, CreateInvite) for a in passed)


@pytest.mark.parametrize("gated", ["{approval: true}"], indirect=True)
async def test_manual_approval_queue(gated: Engine) -> None:
    asked = await command(gated, DM, NEW, "/start join-green-energy")
    assert "A moderator will look" in dms(asked)[0]
    review = [a.text for a in asked if isinstance(a, SendMessage) and a.chat.chat_id == "-999"]
    assert review == ["🚪 @nina passed the entry gate and is waiting: /admit @nina or /deny @nina"]
    refused = await command(gated, GROUP, NEW, "/admit @nina")
    assert not any(isinstance(a, CreateInvite) for a in refused)
    admitted = await command(gated, GROUP, MOD, "/admit @nina")
    assert [a.chat for a in admitted if isinstance(a, CreateInvite)] == [GROUP]
    twice = await command(gated, GROUP, MOD, "/admit @nina")
    assert "not waiting" in twice[0].text  # type: ignore[union-attr]
    usage = await command(gated, GROUP, MOD, "/deny")
    assert "/deny @name" in usage[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize("gated", ["{min_points: 50}"], indirect=True)
async def test_minimum_points(gated: Engine) -> None:
    asked = await command(gated, DM, NEW, "/start join-green-energy")
    assert dms(asked) == ["This community asks for 50 points before you join; you have 0."]
    assert not any(isinstance(a, CreateInvite) for a in asked)


@pytest.mark.parametrize("gated", ["{captcha: arithmetic, attempts: 1}"], indirect=True)
async def test_join_requests_are_approved_or_declined_by_the_same_gate(gated: Engine) -> None:
    asked = await gated.handle(JoinRequested(GROUP, NEW, gated.clock.now()))
    assert "What is" in dms(asked)[0]
    assert not any(isinstance(a, ApproveJoin | DeclineJoin) for a in asked)
    approved = await say(gated, answer_of(gated))
    assert ApproveJoin(GROUP, NEW) in approved
    other = UserRef("telegram", "501", "Otto", "otto")
    await gated.handle(JoinRequested(GROUP, other, gated.clock.now()))
    failed = await gated.handle(
        MessagePosted(ChatRef("telegram", "501", private=True), other, 3, "wrong", START)
    )
    assert DeclineJoin(GROUP, other) in failed


async def test_without_a_gate_join_requests_are_let_in() -> None:
    e, store = await make("{}")
    try:
        assert await e.handle(JoinRequested(GROUP, NEW, e.clock.now())) == [ApproveJoin(GROUP, NEW)]
    finally:
        await e.stop()
        await store.close()


def test_challenges_are_reproducible_and_answers_normalized() -> None:
    one = make_challenge("arithmetic", [], "seed", "en")
    assert one == make_challenge("arithmetic", [], "seed", "en")
    a, b = (int(x) for x in one[0].removeprefix("What is ").split("?")[0].split(" + "))
    assert one[1] == frozenset({str(a + b)})
    assert normalize(" ＥＡＲＴＨ ") == "earth"


def test_a_questions_captcha_needs_questions() -> None:
    with pytest.raises(ConfigError, match="questions"):
        parse_config(BASE.replace("ENTRY", "{captcha: questions}"))


async def restarted(e: Engine, store: SqlStore, entry: str) -> Engine:
    """A new process on the same database, with the clock where it stands."""
    await e.stop()
    again = await open_engine(
        parse_config(BASE.replace("ENTRY", entry)),
        store,
        e.clock,
        stores=Stores(overflow=SqlOverflowStore(store.engine)),
        background_flush=False,
    )
    return again


async def test_a_direct_joiner_who_lets_the_captcha_lapse_over_a_restart_is_removed(
    tmp_path: Path,
) -> None:
    entry = "{captcha: arithmetic, timeout: 2m}"
    store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}")
    e = await open_engine(
        parse_config(BASE.replace("ENTRY", entry)),
        store,
        FakeClock(START),
        stores=Stores(overflow=SqlOverflowStore(store.engine)),
        background_flush=False,
    )
    try:
        walked_in = await e.handle(MemberJoined(GROUP, NEW, e.clock.now()))
        assert [type(a) for a in walked_in if not isinstance(a, SendDirect)] == [MuteMember]
        moderator = await e.handle(MemberJoined(GROUP, MOD, e.clock.now()))
        assert not any(isinstance(a, MuteMember | SendDirect) for a in moderator)
        e = await restarted(e, store, entry)
        e.clock.advance(timedelta(minutes=3))  # type: ignore[attr-defined]
        lapsed = await e.handle(TimerFired("tick", e.clock.now()))
        assert KickMember(GROUP, NEW, rule="entry-captcha") in lapsed
        assert "removed from -1001" in dms(lapsed)[-1]
        e = await restarted(e, store, entry)
        assert await e.handle(TimerFired("tick", e.clock.now())) == []
    finally:
        await e.stop()
        await store.close()


@pytest.mark.parametrize("gated", ["{captcha: button}"], indirect=True)
async def test_a_newcomer_with_an_entry_invite_owes_no_second_captcha(gated: Engine) -> None:
    await command(gated, DM, NEW, "/start join-green-energy")
    await say(gated, answer_of(gated))
    joined = await gated.handle(MemberJoined(GROUP, NEW, gated.clock.now()))
    assert not any(isinstance(a, MuteMember | SendDirect) for a in joined)
