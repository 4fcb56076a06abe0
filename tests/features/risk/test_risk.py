"""Reports (weights, limits, the queue kept across a restart) and the risk
monitors: each fires on its case and stays quiet on normal traffic."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.compose import open_engine
from bot.config import Config, parse_config
from bot.core.actions import DeleteMessage, MuteMember, SendMessage, UnmuteMember
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import (
    ChatRef,
    CommandIssued,
    MemberJoined,
    MessagePosted,
    ReplyRef,
    TimerFired,
    UserRef,
)
from bot.features import Stores
from bot.features.risk.feature import RiskFeature
from bot.features.risk.records import FlagRecord
from storage.spam_store import SqlSpamStore
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, START

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
    engine = await open_engine(
        config, store, clock, stores=Stores(spam=SqlSpamStore(store.engine)), background_flush=False
    )
    return engine


def report(by: UserRef, author: UserRef, mid: int, clock: FakeClock, *args: str) -> CommandIssued:
    reply = ReplyRef(mid, author, "you are all idiots")
    return CommandIssued(GROUP, by, 1000 + mid, "report", args, clock.now(), reply)


def alerts(actions: list[object], kind: str = "alert") -> list[str]:
    return [
        a.text for a in actions if isinstance(a, SendMessage) and a.chat == LOG and a.kind == kind
    ]


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
    summaries: list[str] = []
    for i in range(200):
        clock.advance(timedelta(minutes=1))
        text = f"{NORMAL[i % len(NORMAL)]} ({i})"
        event = MessagePosted(GROUP, user(i % 20), i + 1, text, clock.now())
        raised += alerts(await engine.handle(event))
        ticked = await engine.handle(TimerFired("tick", clock.now()))
        raised += alerts(ticked)
        summaries += alerts(ticked, "summary")
    assert raised == []
    # The daily summary (09:00 in the community's time zone) says so.
    assert len(summaries) == 1 and "A quiet day" in summaries[0]


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
    # The unanswered question, and a first reminder of the keyword alert
    # nobody acknowledged within 30 minutes.
    assert len(due) == 2 and "how do I join" in due[0] and "#3" in due[0]
    assert due[1].startswith("⏰ Reminder 1/2") and "Alert #1" in due[1]
    assert alerts(await engine.handle(TimerFired("tick", clock.now()))) == []
    stored = engine.feature(RiskFeature).risk.store
    assert isinstance(stored, SqlSpamStore)
    snapshot = await stored.load_spam(config.community.slug)
    assert snapshot.last_alert_id == 2


async def test_a_watched_keyword_spread_out_or_glued_is_still_seen(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(config, store, clock)
    spread = await engine.handle(MessagePosted(GROUP, user(1), 1, "我要 退 . 款!", clock.now()))
    assert len(alerts(spread)) == 1 and "退款" in alerts(spread)[0]
    other = ChatRef("telegram", "-100501", title="Other")
    word = await engine.handle(MessagePosted(other, user(2), 2, "total s.c.a.m here", clock.now()))
    assert len(alerts(word)) == 1 and "scam" in alerts(word)[0]
    third = ChatRef("telegram", "-100502", title="Third")
    # A whole word only: "scamper" is not "scam".
    assert (
        alerts(await engine.handle(MessagePosted(third, user(3), 3, "scamper", clock.now()))) == []
    )


def summaries(actions: list[object]) -> list[str]:
    return alerts(actions, "summary")


async def test_acknowledgements_reminders_and_the_daily_summary_survive_restarts(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    engine = await started(config, store, clock)
    # 09:00 local: the day's summary goes out once, even across a restart.
    first = await engine.handle(TimerFired("tick", clock.now()))
    assert len(summaries(first)) == 1 and "A quiet day" in summaries(first)[0]
    await engine.handle(MessagePosted(GROUP, user(1), 1, "我要退款", clock.now()))
    clock.advance(timedelta(minutes=31))
    [reminder] = alerts(await engine.handle(TimerFired("tick", clock.now())))
    assert reminder.startswith("⏰ Reminder 1/2") and "Alert #1" in reminder
    await engine.stop()
    engine = await started(config, store, clock)
    after_restart = await engine.handle(TimerFired("tick", clock.now()))
    assert summaries(after_restart) == [] and alerts(after_restart) == []
    # The restart remembers the first reminder: the second is the last.
    clock.advance(timedelta(minutes=31))
    [reminder] = alerts(await engine.handle(TimerFired("tick", clock.now())))
    assert reminder.startswith("⏰ Reminder 2/2") and "Alert #1" in reminder
    clock.advance(timedelta(minutes=31))
    assert alerts(await engine.handle(TimerFired("tick", clock.now()))) == []
    # A new alert, acknowledged by its button's command: never reminded of,
    # after a restart neither.
    clock.advance(timedelta(hours=1))
    raised = alerts(await engine.handle(MessagePosted(GROUP, user(3), 3, "投诉", clock.now())))
    assert len(raised) == 1 and "Alert #2" in raised[0]
    refused = await engine.handle(CommandIssued(LOG, user(3), 9, "ack", ("2",), clock.now()))
    assert "Only moderators" in refused[0].text  # type: ignore[union-attr]
    done = await engine.handle(CommandIssued(LOG, MOD, 9, "ack", ("2",), clock.now()))
    assert "Alert #2 acknowledged by @mod" in done[0].text  # type: ignore[union-attr]
    await engine.stop()
    engine = await started(config, store, clock)
    clock.advance(timedelta(minutes=31))
    assert alerts(await engine.handle(TimerFired("tick", clock.now()))) == []
    again = await engine.handle(CommandIssued(LOG, MOD, 10, "ack", ("2",), clock.now()))
    assert "acknowledged by @mod already" in again[0].text  # type: ignore[union-attr]
    # The next morning's summary: the day's alerts, and #1 still open.
    clock.set(START + timedelta(days=1))
    [summary] = summaries(await engine.handle(TimerFired("tick", clock.now())))
    assert "Alerts: 2" in summary and "Not acknowledged (1): #1 watched word" in summary


async def test_a_raid_lockdown_survives_a_restart_and_lifting_it_unmutes_everyone_it_muted(
    store: SqlStore, clock: FakeClock
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("language: zh-CN", "language: en")
    text = text.replace("# lockdown: {slow_mode", "lockdown: {slow_mode")
    config = parse_config(text)
    engine = await started(config, store, clock)
    muted: set[str] = set()
    for n in range(10):
        out = await engine.handle(MemberJoined(GROUP, user(300 + n), clock.now()))
        muted |= {a.user.user_id for a in out if isinstance(a, MuteMember)}
    assert muted == {str(300 + n) for n in range(10)}  # the raid's own accounts
    await engine.stop()
    engine = await started(config, store, clock)
    late = await engine.handle(MemberJoined(GROUP, user(400), clock.now()))
    assert any(isinstance(a, MuteMember) and a.user.user_id == "400" for a in late)
    # Slow mode: a member's second message within 30s is removed; staff's are not.
    await engine.handle(MessagePosted(GROUP, user(5), 1, "what is happening", clock.now()))
    fast = await engine.handle(MessagePosted(GROUP, user(5), 2, "hello?", clock.now()))
    assert any(isinstance(a, DeleteMessage) and a.message_ids == (2,) for a in fast)
    for mid in (3, 4):
        staff = await engine.handle(MessagePosted(GROUP, MOD, mid, "we are on it", clock.now()))
        assert not any(isinstance(a, DeleteMessage) for a in staff)
    clock.advance(timedelta(seconds=31))
    calm = await engine.handle(MessagePosted(GROUP, user(5), 5, "ok, waiting", clock.now()))
    assert not any(isinstance(a, DeleteMessage) for a in calm)
    lifted = await engine.handle(CommandIssued(LOG, MOD, 20, "unlock", ("1",), clock.now()))
    unmuted = {a.user.user_id for a in lifted if isinstance(a, UnmuteMember)}
    assert unmuted == muted | {"400"}
    after = await engine.handle(MessagePosted(GROUP, user(5), 6, "back to normal", clock.now()))
    assert not any(isinstance(a, DeleteMessage) for a in after)
    stored = await SqlSpamStore(store.engine).load_spam(config.community.slug)
    assert stored.lockdowns == [] and stored.last_lockdown_id == 1


async def test_a_flagged_message_handled_again_after_a_crash_is_flagged_once(
    config: Config, store: SqlStore, clock: FakeClock
) -> None:
    """A platform sends an update again when the bot died before confirming
    it: the spam guard's flag for that message is not queued twice (the
    flag is stored at once, outside the batch the crash lost)."""
    config = parse_config(
        EXAMPLE.read_text(encoding="utf-8").replace(
            "    action: delete_and_mute             #", "    action: flag  #", 1
        )
    )
    assert config.risk.spam.action == "flag"
    spam = "兼职刷单日结，日赚五百，有意私聊我"
    newcomer = user(77)
    joined = await started(config, store, clock)
    await joined.handle(MemberJoined(GROUP, newcomer, clock.now()))
    await joined.writes.flush()
    clock.advance(timedelta(minutes=1))

    crashed = await started(config, store, clock)
    await crashed.handle(MessagePosted(GROUP, newcomer, 5, spam, clock.now()))
    assert [f.message_id for f in waiting(crashed)] == [5]
    # Killed here: the batch is lost, the update comes again.
    again = await started(config, store, clock)
    await again.handle(MessagePosted(GROUP, newcomer, 5, spam, clock.now()))
    await again.writes.flush()

    assert [f.message_id for f in waiting(again)] == [5]
    assert [f.message_id for f in waiting(await started(config, store, clock))] == [5]


def waiting(engine: Engine) -> list[FlagRecord]:
    risk = engine.find(RiskFeature)
    assert risk is not None
    return risk.risk.reports.waiting()
