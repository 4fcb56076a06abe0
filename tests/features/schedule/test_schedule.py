"""Scheduled content: cron and DST, rotation, content files, exactly once
across restarts and processes, grace for missed runs, reload, built-ins, and
the APScheduler driver."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.console.session import ConsoleSession
from adapters.scheduler import GatewayOutlet, ScheduleDriver, deliver, fire, job_store_url, route
from bot.compose import open_engine
from bot.config import Config, ConfigError, parse_config
from bot.config.timing import CronTiming, IntervalTiming, OnceTiming, fire_times, parse_cron
from bot.core.actions import Action, CountMembers, SendDirect, SendMessage
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import ChatRef, MessagePosted, UserRef
from bot.core.feature import Base
from bot.features import Stores
from bot.features.schedule.content import pick, read_markdown
from bot.features.schedule.feature import ScheduleFeature
from storage.schedule_store import SqlScheduleStore
from storage.sql_store import SqlStore
from tests.conftest import run_script

BERLIN = ZoneInfo("Europe/Berlin")
BASE = """
community: {name: Solar Makers, slug: solar, language: en, timezone: Europe/Berlin,
            moderators: ["console:mia"]}
welcome: {enabled: false}
"""


def config(schedule: str) -> Config:
    return parse_config(BASE + "schedule:\n" + schedule)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


# -- cron ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "after", "expected"),
    [
        ("0 9 * * mon-fri", "2026-01-09 10:00", "2026-01-12 09:00"),  # Fri -> Mon
        ("0 9 * * 1-5", "2026-01-09 10:00", "2026-01-12 09:00"),  # 1 is Monday, as in cron
        ("0 20 * * sun", "2026-01-05 09:00", "2026-01-11 20:00"),
        ("0 20 * * 7", "2026-01-05 09:00", "2026-01-11 20:00"),  # 7 is Sunday too
        ("*/15 9 * * *", "2026-01-05 09:20", "2026-01-05 09:30"),
        ("0 12 1 * mon", "2026-01-05 13:00", "2026-01-12 12:00"),  # day OR weekday
        ("0 8 29 feb *", "2026-01-01 00:00", "2028-02-29 08:00"),
        ("0 9 * * *", "2026-03-28 10:00", "2026-03-29 09:00"),  # summer time: still 09:00
        ("30 2 * * *", "2026-03-28 10:00", "2026-03-29 03:30"),  # skipped 02:30 -> 03:30
        ("0 9 * * saturday", "2026-01-05 09:00", "2026-01-10 09:00"),
    ],
)
def test_cron_next_fire_in_local_time(expr: str, after: str, expected: str) -> None:
    timing = CronTiming(parse_cron(expr), BERLIN)
    assert timing.next_after(local(after)) == local(expected)


def test_repeated_autumn_hour_fires_once() -> None:
    timing = CronTiming(parse_cron("30 2 * * *"), BERLIN)
    times = fire_times(timing, local("2026-10-24 12:00"), local("2026-10-26 12:00"), 10)
    assert [t.astimezone(BERLIN).strftime("%d %H:%M %Z") for t in times] == [
        "25 02:30 CEST",
        "26 02:30 CET",
    ]


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("0 9 * *", "five fields"),
        ("61 9 * * *", "minute: 61 is outside 0-59"),
        ("0 9 * * funday", "weekday: cannot read 'funday'"),
        ("0 9 * 5-2 *", "runs backwards"),
        ("0 9 */0 * *", "step must be at least 1"),
    ],
)
def test_bad_cron_is_explained(expr: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_cron(expr)


def test_interval_and_once() -> None:
    anchor = local("2026-03-27 12:00")
    every = IntervalTiming(timedelta(days=1), anchor)
    # 24 real hours: the wall clock shows 13:00 after the change.
    after_change = every.next_after(anchor + timedelta(days=1))
    assert after_change is not None and after_change.astimezone(BERLIN).hour == 13
    assert every.next_after(anchor - timedelta(days=3)) == anchor
    once = OnceTiming(anchor)
    assert once.next_after(anchor - timedelta(seconds=1)) == anchor
    assert once.next_after(anchor) is None


def test_config_errors_name_the_post() -> None:
    with pytest.raises(ConfigError) as err:
        config(
            '  - {id: a, cron: "0 9 * * *", every: 1h, text: x}\n'
            '  - {id: b, cron: "0 99 * * *", text: x}\n'
            "  - {id: c, at: 2026-01-01 09:00}\n"
            '  - {id: a, cron: "0 9 * * *", text: x, timezone: Mars/Base}\n'
        )
    text = str(err.value)
    assert "schedule.1: schedule post 'a': give exactly one of cron, every, at" in text
    assert "schedule.2.cron: hour: 99 is outside 0-23" in text
    assert "schedule.3: schedule post 'c': give exactly one of text" in text
    assert "schedule.4.timezone: unknown time zone 'Mars/Base'" in text


# -- content -------------------------------------------------------------------


def test_shuffle_shows_every_item_once_per_round_and_never_twice_in_a_row() -> None:
    for n in range(2, 7):
        items = list(range(n))
        seq = [pick(items, i, "shuffle", "tips") for i in range(n * 20)]
        for r in range(20):
            assert sorted(seq[r * n : (r + 1) * n]) == items
        assert all(a != b for a, b in pairwise(seq))
    assert [pick(["a", "b", "c"], i, "in_order", "x") for i in range(4)] == ["a", "b", "c", "a"]


def test_markdown_front_matter(tmp_path: Path) -> None:
    post = tmp_path / "p.md"
    post.write_text("---\ntitle: Hello\npin: true\nimage: https://x/y.png\n---\nBody text\n")
    content = read_markdown(post, pin=False)
    assert content.text == "Hello\n\nBody text\n\nhttps://x/y.png"
    assert content.pin is True
    plain = tmp_path / "q.md"
    plain.write_text("Just a body")
    assert read_markdown(plain, pin=False).text == "Just a body"


# -- exactly once ----------------------------------------------------------------

DAILY = '  - {id: daily, cron: "0 9 * * *", text: "Daily {date} in {group}", grace: 1h}\n'


async def _engine(cfg: Config, store: SqlStore, clock: FakeClock) -> Engine:
    engine = await open_engine(
        cfg,
        store,
        clock,
        stores=Stores(schedule=SqlScheduleStore(store.engine)),
        background_flush=False,
    )
    return engine


async def _with_group(engine: Engine, chat: str, clock: FakeClock) -> None:
    sender = UserRef("console", "alice", "alice", "alice")
    await engine.handle(MessagePosted(ChatRef("console", chat), sender, 1, "hi", clock.now()))
    assert engine.writes is not None
    await engine.writes.flush()


class RecordingOutlet:
    def __init__(self) -> None:
        self.posts: list[Action] = []
        self.other: list[Action] = []

    async def post(self, action: SendMessage | object) -> int | None:
        self.posts.append(action)  # type: ignore[arg-type]
        return len(self.posts)

    async def run(self, actions: Sequence[Action]) -> None:
        self.other += actions


async def test_two_processes_post_each_run_once(db_url: str) -> None:
    cfg = config(DAILY)
    clock = FakeClock(local("2026-01-05 08:00"))
    store_a, store_b = await SqlStore.open(db_url), await SqlStore.open(db_url)
    try:
        a, b = await _engine(cfg, store_a, clock), await _engine(cfg, store_b, clock)
        await _with_group(a, "g1", clock)
        await _with_group(a, "g2", clock)
        b.kit.directory.groups.update(a.kit.directory.groups)
        clock.set(local("2026-01-05 09:00"))
        assert (
            a.feature(ScheduleFeature).schedule is not None
            and b.feature(ScheduleFeature).schedule is not None
        )
        got_a = await a.feature(ScheduleFeature).schedule.due(clock.now())
        got_b = await b.feature(ScheduleFeature).schedule.due(clock.now())
        assert sorted(d.group_key for d in got_a) == ["console:g1", "console:g2"]
        assert got_b == []
        runs = await SqlScheduleStore(store_a.engine).post_runs("solar")
        assert [(r.group_key, r.status) for r in runs] == [
            ("console:g1", "sending"),
            ("console:g2", "sending"),
        ]
    finally:
        await store_a.close()
        await store_b.close()


async def test_missed_runs_are_sent_within_grace_else_recorded(store: SqlStore) -> None:
    cfg = config(DAILY)
    clock = FakeClock(local("2026-01-05 08:00"))
    engine = await _engine(cfg, store, clock)
    await _with_group(engine, "g1", clock)
    await engine.stop()
    # Down from 08:00; back at 09:40, inside the hour of grace.
    clock.set(local("2026-01-05 09:40"))
    engine = await _engine(cfg, store, clock)
    assert engine.feature(ScheduleFeature).schedule is not None
    late = await engine.feature(ScheduleFeature).schedule.due(clock.now())
    assert [d.action.text for d in late if isinstance(d.action, SendMessage)] == [
        "Daily 2026-01-05 in g1"
    ]
    # Down again through the next 09:00, back at 11:00: too late.
    clock.set(local("2026-01-06 11:00"))
    engine = await _engine(cfg, store, clock)
    assert engine.feature(ScheduleFeature).schedule is not None
    assert await engine.feature(ScheduleFeature).schedule.due(clock.now()) == []
    runs = await SqlScheduleStore(store.engine).post_runs("solar")
    assert [(r.fire_time, r.status) for r in runs] == [
        (local("2026-01-05 09:00"), "sending"),
        (local("2026-01-06 09:00"), "missed"),
    ]


async def test_new_post_does_not_back_fill(store: SqlStore) -> None:
    clock = FakeClock(local("2026-01-05 12:00"))
    engine = await _engine(config(DAILY), store, clock)
    await _with_group(engine, "g1", clock)
    assert engine.feature(ScheduleFeature).schedule is not None
    # Today's 09:00 passed before the post existed.
    assert await engine.feature(ScheduleFeature).schedule.due(clock.now()) == []
    assert engine.feature(ScheduleFeature).schedule.next_due(local("2026-01-06 09:00")) == local(
        "2026-01-06 09:00"
    )


async def test_pinned_posts_replace_the_previous_pin(store: SqlStore) -> None:
    cfg = config('  - {id: notice, cron: "0 9 * * *", text: Notice, pin: true}\n')
    clock = FakeClock(local("2026-01-05 08:00"))
    engine = await _engine(cfg, store, clock)
    await _with_group(engine, "g1", clock)
    schedule = engine.feature(ScheduleFeature).schedule
    assert schedule is not None
    outlet = RecordingOutlet()
    for day in ("2026-01-05 09:00", "2026-01-06 09:00"):
        clock.set(local(day))
        await deliver(schedule, await schedule.due(clock.now()), {"console": outlet})
    kinds = [(type(a).__name__, getattr(a, "message_id", None)) for a in outlet.other]
    assert kinds == [("PinMessage", 1), ("UnpinMessage", 1), ("PinMessage", 2)]


async def test_reload_adds_and_removes_posts(tmp_path: Path, store: SqlStore) -> None:
    path = tmp_path / "community.yaml"
    path.write_text(BASE + "schedule:\n" + DAILY, encoding="utf-8")
    cfg = parse_config(path.read_text(encoding="utf-8"))
    clock = FakeClock(local("2026-01-05 08:00"))
    session = ConsoleSession(cfg, store, clock, config_path=path)
    await session.start()
    try:
        first = await run_script(session, "alice: hi\n!clock 2026-01-05 10:00")
        assert "[g1] #2 bot: Daily 2026-01-05 in g1" in first
        path.write_text(
            BASE + 'schedule:\n  - {id: evening, cron: "0 18 * * *", text: "Evening post"}\n',
            encoding="utf-8",
        )
        out = await run_script(session, "mia: /reload\n!clock 2026-01-06 19:00")
        posts = [line for line in out if " bot: " in line and "reload" not in line.lower()]
        assert any("Evening post" in line for line in posts)
        assert not any("Daily" in line for line in posts)
        listing = await run_script(session, "mia: /schedule list")
        assert "evening" in listing[-1] and "daily" not in listing[-1]
    finally:
        await session.close()


async def test_chat_posts_survive_a_restart(store: SqlStore) -> None:
    clock = FakeClock(local("2026-01-05 08:00"))
    cfg = config("  []\n")
    session = ConsoleSession(cfg, store, clock)
    await session.start()
    try:
        out = await run_script(
            session,
            'mia: /schedule add "30 8 * * *" Coffee time\n!restart\n!clock +1h\n!crash\n!clock +1d',
        )
    finally:
        await session.close()
    coffee = [line for line in out if line.endswith("bot: Coffee time")]
    assert coffee == ["[g1] #3 bot: Coffee time", "[g1] #4 bot: Coffee time"]


async def test_builtins_leaderboard_digest_and_nudge(store: SqlStore) -> None:
    cfg = config(
        '  - {id: board, cron: "0 20 * * sun", builtin: leaderboard}\n'
        '  - {id: digest, cron: "0 21 * * sun", builtin: weekly_digest}\n'
        '  - {id: nudge, cron: "0 10 * * *", builtin: inactive_nudge, days: 5}\n'
    )
    clock = FakeClock(local("2026-01-05 09:00"))
    session = ConsoleSession(cfg, store, clock)
    await session.start()
    try:
        out = await run_script(
            session,
            "+alice\n+bob\nalice: good morning all\nalice: /checkin\nbob: hello there\n"
            "!clock +4d\nalice: still here\n!clock 2026-01-11 22:00",
        )
    finally:
        await session.close()
    text = "\n".join(out)
    assert "Leaderboard of Solar Makers" in text and "1. @alice" in text
    assert "This week in g1: 3 messages, 2 joined, 0 left, 1 check-ins." in text
    # bob fell silent on Monday: one nudge after five days, never again; alice
    # spoke on Friday.
    nudges = [line for line in out if line.startswith("[dm bob]")]
    assert len(nudges) == 1 and "5 days" in nudges[0]
    assert not any(line.startswith("[dm alice]") for line in out)


async def test_a_spare_hears_nothing_until_it_opens_then_every_post_for_all_groups(
    store: SqlStore,
) -> None:
    cfg = parse_config(
        BASE.replace("moderators:", 'owners: ["console:olga"], log_chat: console:log, moderators:')
        + "groups: {capacity: 3}\n"
        + "schedule:\n"
        + '  - {id: daily, cron: "0 9 * * *", text: "Daily {date} in {group}"}\n'
        + '  - {id: board, cron: "0 20 * * *", builtin: leaderboard}\n'
        + '  - {id: digest, cron: "0 21 * * *", builtin: weekly_digest}\n'
    )
    session = ConsoleSession(cfg, store, FakeClock(local("2026-01-05 08:00")))
    await session.start()
    try:
        spare = await run_script(
            session,
            "[g1] olga: /groups\n[g2] olga: /pool add\nalice: /checkin\n!clock 2026-01-05 21:30",
        )
        opened = await run_script(session, "+bob [g1]\n+carl [g1]\n+dave [g1]")
        after = await run_script(session, "!clock 2026-01-06 21:30")
    finally:
        await session.close()

    def heads(lines: list[str], chat: str) -> list[str]:
        return [line.splitlines()[0] for line in lines if line.startswith(f"[{chat}] #")]

    # The spare hears only its /pool add reply; g1 gets all three posts.
    assert heads(spare, "g2") == [
        "[g2] #1 olga: /pool add",
        "[g2] #2 bot: ✅ This group is now a spare; it opens when the others fill up. Spares: 1.",
    ]
    assert len(heads(spare, "g1")) == 7
    assert "[g2] profile: Solar Makers #2 (photo and permissions from g1)" in opened
    # Open, it gets every post for all groups from the next run on.
    assert heads(after, "g2") == [
        "[g2] #3 bot: Daily 2026-01-06 in Solar Makers #2",
        "[g2] #4 bot: 🏆 Leaderboard of Solar Makers",
        "[g2] #5 bot: 📊 This week in Solar Makers #2: 0 messages, 0 joined, 0 left, 0 check-ins.",
    ]


# -- the driver ------------------------------------------------------------------


def test_job_store_url() -> None:
    assert job_store_url("sqlite+aiosqlite:///tmp/x.db") == "sqlite:///tmp/x.db"
    assert job_store_url("sqlite+aiosqlite:///:memory:") is None
    assert job_store_url("postgresql+asyncpg://u:p@h/db") is None


async def test_the_ticks_actions_reach_each_platforms_outlet() -> None:
    ran: dict[str, list[Action]] = {"telegram": [], "discord": []}

    class Gateway:
        def __init__(self, platform: str) -> None:
            self.platform = platform

        async def execute(self, actions: Sequence[Action]) -> None:
            ran[self.platform].extend(actions)

    count = CountMembers("telegram", (ChatRef("telegram", "-1001"),))
    dm = SendDirect(UserRef("discord", "7"), "hi")
    outlets = {p: GatewayOutlet(Gateway(p)) for p in ran}

    await route([count, dm], outlets)

    assert ran == {"telegram": [count], "discord": [dm]}


async def test_driver_keeps_wake_ups_in_the_database_and_ticks(
    db_url: str, store: SqlStore
) -> None:
    from adapters.app import App

    cfg = config(DAILY)
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    started = await _engine(cfg, store, clock)
    await _with_group(started, "g1", clock)
    ticks: list[datetime] = []

    class TickProbe(Base):
        async def tick(self, now: datetime) -> list[Action]:
            ticks.append(now)
            return [SendDirect(UserRef("console", "olga"), "tick")]

    engine = Engine(started.kit, (*started.features, TickProbe()))
    sent: list[Action] = []

    class Gateway:
        async def execute(self, actions: Sequence[Action]) -> None:
            sent.extend(actions)

    app = App(store, engine, clock)
    driver = ScheduleDriver(app, db_url, platforms=["console"])
    driver.attach("console", GatewayOutlet(Gateway()))
    await driver.start()
    try:
        assert ticks == [clock.now()]
        assert [a.text for a in sent if isinstance(a, SendDirect)] == ["tick"]
        jobs = {j.id: j for j in driver._scheduler.get_jobs(jobstore="posts")}
        assert engine.feature(ScheduleFeature).schedule is not None
        post = engine.feature(ScheduleFeature).schedule.get("daily")
        assert post is not None
        job = jobs["solar:post:daily"]
        assert job.next_run_time == engine.feature(ScheduleFeature).schedule.next_fire(
            post, clock.now()
        )
        # A stored wake-up that fires finds its driver and posts what is due.
        clock.set(job.next_run_time)
        await fire("solar")
        assert [a.text for a in sent if isinstance(a, SendMessage)] == [
            f"Daily {clock.now().astimezone(BERLIN).date()} in g1"
        ]
        await fire("solar")
        assert len([a for a in sent if isinstance(a, SendMessage)]) == 1
    finally:
        await driver.stop()
    # The job store is a table in the bot's own database.
    from sqlalchemy import create_engine, inspect

    sync = create_engine(job_store_url(db_url) or "")
    assert "apscheduler_jobs" in inspect(sync).get_table_names()
    sync.dispose()
