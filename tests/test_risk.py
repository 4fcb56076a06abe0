"""Reports (weights, limits, the queue kept across a restart) and the risk
monitors: each fires on its case and stays quiet on normal traffic."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.actions import DeleteMessage, MuteMember, SendMessage, UnmuteMember
from bot.clock import FakeClock
from bot.config import Config, parse_config
from bot.engine import Engine
from bot.events import ChatRef, CommandIssued, MessagePosted, ReplyRef, TimerFired, UserRef
from storage.spam_store import SqlSpamStore
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE

GROUP = ChatRef("telegram", "-100500", title="Founders")
LOG = ChatRef("telegram", "-1009001")
MOD = UserRef("telegram", "1002", "mod", "mod")


def user(n: int) -> UserRef:
    return UserRef("telegram", str(n), f"user{n}", f"user{n}")


@pytest.fixture
def config() -> Config:
    text = EXAMPLE.read_text(encoding="utf-8").replace("language: zh-CN", "language: en")
    return parse_config(text)


async def started(config: Config, store: SqlStore, clock: FakeClock) -> Engine:
    engine = Engine(config, store, clock, spam_store=SqlSpamStore(store.engine))
    await engine.start(background_flush=False)
    return engine


def report(by: UserRef, author: UserRef, mid: int, clock: FakeClock, *args: str) -> CommandIssued:
    reply = ReplyRef(mid, author, "you are all idiots")
    return CommandIssued(GROUP, by, 1000 + mid, "report", args, clock.now(), reply)


def alerts(actions: list[object]) -> list[str]:
    return [a.text for a in actions if isinstance(a, SendMessage) and a.chat == LOG]


async def test_reports_hide_at_the_threshold_and_a_dismissal_costs_the_reporters_weight(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(config, store, clock)
    eve = user(50)
    await engine.handle(MessagePosted(GROUP, eve, 1, "you are all idiots", clock.now()))
    first = await engine.handle(report(user(1), eve, 1, clock, "rude"))
    again = await engine.handle(report(user(1), eve, 1, clock))
    assert "received" in first[-1].text and "already" in again[-1].text  # type: ignore[union-attr]
    await engine.handle(report(user(2), eve, 1, clock))
    hidden = await engine.handle(report(user(3), eve, 1, clock))
    assert any(isinstance(a, DeleteMessage) and a.message_ids == (1,) for a in hidden)
    assert any(isinstance(a, MuteMember) and a.user.user_id == "50" for a in hidden)
    assert any("Flag #1" in text and "you are all idiots" in text for text in alerts(hidden))
    # The queue survives a restart.
    await engine.stop()
    engine = await started(config, store, clock)
    resolved = await engine.handle(
        CommandIssued(GROUP, MOD, 2000, "resolve", ("1", "dismiss"), clock.now())
    )
    assert any(isinstance(a, UnmuteMember) for a in resolved)
    # The three reporters' reports now weigh half: three no longer hide.
    await engine.handle(MessagePosted(GROUP, eve, 2, "you are all idiots", clock.now()))
    for n in (1, 2, 3):
        out = await engine.handle(report(user(n), eve, 2, clock))
    assert not any(isinstance(a, DeleteMessage) for a in out)
    stored = await SqlSpamStore(store.engine).load_spam(config.community.slug)
    assert stored.dismissed == {"telegram:1": 1, "telegram:2": 1, "telegram:3": 1}
    assert [f.status for f in stored.flags] == ["reported"]


async def test_reporters_are_rate_limited(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(config, store, clock)
    answers = []
    for mid in range(1, 8):
        out = await engine.handle(report(user(1), user(100 + mid), mid, clock))
        answers.append(out[-1].text)  # type: ignore[union-attr]
    assert sum("received" in a for a in answers) == 5  # per_member: 5 per 1h
    assert "at most 5 messages per 1h" in answers[-1]
    clock.advance(timedelta(hours=1, minutes=1))
    later = await engine.handle(report(user(1), user(200), 50, clock))
    assert "received" in later[-1].text  # type: ignore[union-attr]


async def test_flags_and_resolve_are_for_moderators_with_helpful_usage(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(config, store, clock)
    member = await engine.handle(CommandIssued(GROUP, user(1), 1, "flags", (), clock.now()))
    assert "Only moderators" in member[0].text  # type: ignore[union-attr]
    empty = await engine.handle(CommandIssued(GROUP, MOD, 2, "flags", (), clock.now()))
    assert "Nothing waits" in empty[0].text  # type: ignore[union-attr]
    bad = await engine.handle(CommandIssued(GROUP, MOD, 3, "resolve", ("7",), clock.now()))
    assert "Usage: /resolve" in bad[0].text  # type: ignore[union-attr]
    usage = await engine.handle(CommandIssued(GROUP, user(1), 4, "report", (), clock.now()))
    assert "Reply /report" in usage[0].text  # type: ignore[union-attr]


NORMAL = [
    "good morning everyone",
    "the slides are in the shared folder",
    "我们下周二开会",
    "thanks, that helps",
    "see you on Thursday",
]


async def test_monitors_stay_quiet_on_normal_traffic(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(config, store, clock)
    raised: list[str] = []
    for i in range(200):
        clock.advance(timedelta(minutes=1))
        text = f"{NORMAL[i % len(NORMAL)]} ({i})"
        event = MessagePosted(GROUP, user(i % 20), i + 1, text, clock.now())
        raised += alerts(await engine.handle(event))
        raised += alerts(await engine.handle(TimerFired("tick", clock.now())))
    assert raised == []


async def test_keyword_alert_once_per_cooldown_and_unanswered_question(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(config, store, clock)
    first = await engine.handle(MessagePosted(GROUP, user(1), 1, "我要退款", clock.now()))
    second = await engine.handle(MessagePosted(GROUP, user(2), 2, "this is a scam", clock.now()))
    assert len(alerts(first)) == 1 and "退款" in alerts(first)[0]
    assert alerts(second) == []  # the same group within the cooldown
    asked = MessagePosted(GROUP, user(3), 3, "how do I join the next event?", clock.now())
    answered = MessagePosted(GROUP, user(4), 4, "is there a recording?", clock.now())
    await engine.handle(asked)
    await engine.handle(answered)
    await engine.handle(
        MessagePosted(GROUP, user(5), 5, "yes, pinned", clock.now(), ReplyRef(4, user(4)))
    )
    clock.advance(timedelta(minutes=31))
    due = alerts(await engine.handle(TimerFired("tick", clock.now())))
    assert len(due) == 1 and "how do I join" in due[0] and "#3" in due[0]
    assert alerts(await engine.handle(TimerFired("tick", clock.now()))) == []
    stored = engine.spam_store
    assert isinstance(stored, SqlSpamStore)
    snapshot = await stored.load_spam(config.community.slug)
    assert snapshot.last_alert_id == 2
