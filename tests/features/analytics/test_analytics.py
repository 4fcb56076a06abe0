"""Analytics: metrics over a console scenario of four weeks match the values
worked out by hand; activity days, counters and the chart."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from adapters.app import script_clock
from adapters.charts import render_png
from adapters.console.session import ConsoleSession
from bot.config import Config
from bot.core.records import ActivityRecord, DailyStatsRecord, LedgerEntry, Snapshot, WriteBatch
from bot.core.stats import Stats
from bot.features.analytics.analytics import CountingEconomyStore
from bot.features.analytics.metrics import Chart, Cohort, compute, window_counts
from bot.features.economy.economy import MemoryEconomyStore
from bot.features.economy.records import RsvpRecord
from storage.analytics_store import SqlAnalyticsStore
from storage.sql_store import SqlStore
from tests.conftest import ROOT
from tests.scenarios.test_scenarios import SCENARIOS, scenario_config

COMMUNITY = "green-energy"
TZ = "Asia/Shanghai"


async def play_into(store: SqlStore, name: str) -> None:
    script = (SCENARIOS / f"{name}.txt").read_text(encoding="utf-8")
    config = scenario_config(script)
    session = ConsoleSession(config, store, script_clock(config))
    await session.start()
    try:
        await session.run(script.splitlines())
    finally:
        await session.close()


@pytest.fixture
async def weeks(store: SqlStore) -> SqlStore:
    await play_into(store, "analytics_weeks")
    return store


async def test_four_weeks_match_the_hand_computed_metrics(weeks: SqlStore) -> None:
    # Active days (messages and commands), from the script:
    #   alice 01-05 01-06 01-12 01-19 01-26 · bob 01-05 01-26 (/stats after leaving)
    #   carol 01-12 01-19 01-26 · mia 01-26 (/stats)
    inputs = await SqlAnalyticsStore(weeks.engine).inputs(
        COMMUNITY, TZ, date(2026, 1, 5), date(2026, 1, 26)
    )
    m = compute(inputs)

    dau = {e.day: e.dau for e in m.engagement if e.dau}
    assert dau == {
        date(2026, 1, 5): 2,
        date(2026, 1, 6): 1,
        date(2026, 1, 12): 2,
        date(2026, 1, 19): 2,
        date(2026, 1, 26): 4,
    }
    by_day = {e.day: e for e in m.engagement}
    assert (by_day[date(2026, 1, 11)].wau, by_day[date(2026, 1, 11)].mau) == (2, 2)
    assert (by_day[date(2026, 1, 19)].wau, by_day[date(2026, 1, 19)].mau) == (2, 3)
    assert (by_day[date(2026, 1, 26)].wau, by_day[date(2026, 1, 26)].mau) == (4, 4)
    # Average DAU 11 / 22 days, over the last day's MAU of 4.
    assert m.stickiness == pytest.approx(11 / 22 / 4)
    assert m.active_members == 4
    assert (m.totals["messages"], m.totals["joins"], m.totals["leaves"]) == (8, 3, 1)
    assert m.net_growth == 2
    assert m.checkin_rate == 0
    # Alice and bob joined in the week of 01-05, carol in the week of 01-12.
    assert m.cohorts == [
        Cohort(date(2026, 1, 5), 2, (1, 1, 2, None)),
        Cohort(date(2026, 1, 12), 1, (1, 1, None, None)),
    ]
    assert m.cohorts[0].rate(2) == 1.0
    assert [(c.name, c.active_days) for c in m.top] == [
        ("@alice", 5),
        ("@carol", 3),
        ("@bob", 2),
        ("@mia", 1),
    ]
    # Four messages on four days, each paid one point.
    assert m.top[0].points == 4


async def test_a_group_s_metrics_and_its_cohorts(weeks: SqlStore) -> None:
    inputs = await SqlAnalyticsStore(weeks.engine).inputs(
        COMMUNITY, TZ, date(2026, 1, 12), date(2026, 1, 18)
    )
    m = compute(inputs, "console:g1")
    assert [e.dau for e in m.engagement] == [2, 0, 0, 0, 0, 0, 0]
    # MAU reaches back before the period: bob was active on 01-05.
    assert m.engagement[0].mau == 3
    # Only the cohorts of the period's weeks; the week after it has not begun.
    assert m.cohorts == [Cohort(date(2026, 1, 12), 1, (None, None, None, None))]


async def test_checkin_rate_is_checkins_per_active_member_day(store: SqlStore) -> None:
    await play_into(store, "analytics_en")
    inputs = await SqlAnalyticsStore(store.engine).inputs(
        COMMUNITY, TZ, date(2026, 1, 5), date(2026, 1, 6)
    )
    m = compute(inputs)
    # alice on both days, mia (/stats) on the second; alice checked in twice.
    assert m.totals["checkins"] == 2
    assert m.checkin_rate == pytest.approx(2 / 3)


async def test_activity_is_stored_once_per_member_group_and_day(store: SqlStore) -> None:
    analytics = SqlAnalyticsStore(store.engine)
    await store.ensure_community(COMMUNITY, "x", TZ)
    row = ActivityRecord(COMMUNITY, "console:g1", "console:alice", date(2026, 1, 5))
    await analytics.record_activity([row, row])
    await analytics.record_activity([row])
    assert await analytics.activity(COMMUNITY, date(2026, 1, 1), date(2026, 1, 31)) == [row]


async def test_the_new_daily_counters_are_written_by_the_store(store: SqlStore) -> None:
    await store.ensure_community(COMMUNITY, "x", TZ)
    day = date(2026, 1, 5)
    row = DailyStatsRecord(COMMUNITY, "console:g1", day, messages=3, points_spent=200,
                           rsvps=4, attended=3, invites_issued=2, invites_used=1, alerts=1)  # fmt: skip
    await store.write(WriteBatch(stats=[row]))
    assert await store.daily_stats(COMMUNITY, day, day) == [row]


def test_a_restart_does_not_count_todays_members_twice() -> None:
    stats = Stats(COMMUNITY, Snapshot())
    day = date(2026, 1, 5)
    stats.remember([ActivityRecord(COMMUNITY, "g", "alice", day)])
    stats.message("g", day, "alice")
    stats.message("g", day, "bob")
    row = stats.get("g", day)
    assert row is not None and row.active_members == 1
    assert [a.member_key for a in stats.activity] == ["bob"]


async def test_rsvps_attendance_and_spending_are_counted_once() -> None:
    stats = Stats(COMMUNITY, Snapshot())
    inner = MemoryEconomyStore()
    counting = CountingEconomyStore(inner, stats, lambda at: at.date())
    at = datetime(2026, 1, 5, 12, tzinfo=UTC)
    attend = LedgerEntry(COMMUNITY, "m1", 30, "event", "event:1:m1", at, "console:g1")
    redeem = LedgerEntry(COMMUNITY, "m1", -200, "redeem", "redeem:1", at)
    await counting.save([RsvpRecord(COMMUNITY, 1, "m1", at)], [attend, redeem])
    await counting.save([], [attend])  # a replay
    day = at.date()
    group = stats.get("console:g1", day)
    assert group is not None and (group.attended, group.points_issued) == (1, 30)
    ungrouped = stats.get("", day)
    assert ungrouped is not None and (ungrouped.rsvps, ungrouped.points_spent) == (1, 200)


def test_window_counts_merge_a_members_overlapping_days() -> None:
    since, until = date(2026, 1, 1), date(2026, 1, 10)
    active = {"a": [date(2026, 1, 1), date(2026, 1, 3)], "b": [date(2025, 12, 30)]}
    assert window_counts(active, since, until, 1) == [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert window_counts(active, since, until, 3) == [2, 1, 1, 1, 1, 0, 0, 0, 0, 0]


def test_the_chart_is_a_png_of_the_requested_size() -> None:
    from matplotlib.image import imread

    days = tuple(date(2026, 1, n) for n in range(1, 31))
    chart = Chart(
        "消息 messages",
        days,
        (("Messages", tuple(float(n * 3 % 17) for n in range(30))), ("加入", (1.0,) * 30)),
        width=640,
        height=400,
    )
    png = render_png(chart)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (400, 640)
    # Not a blank canvas: lines and labels differ from the background.
    assert pixels.std() > 0.05


def test_the_chart_path_keeps_matplotlib_out_of_the_core() -> None:
    core = ROOT / "bot"
    assert not [p.name for p in core.rglob("*.py") if "matplotlib" in p.read_text("utf-8")]


async def test_a_member_whose_only_messages_were_removed_is_no_contributor(
    example_config: Config, store: SqlStore
) -> None:
    """An advertiser whose messages the rules removed is not an active
    member, and not among the report's top contributors."""
    session = ConsoleSession(example_config, store, script_clock(example_config))
    await session.start()
    try:
        await session.run(["alice: 早上好", "spammer: 加微信 领资料", "spammer: 加微信 看副业"])
    finally:
        await session.close()
    day = script_clock(example_config).now().astimezone(example_config.community.tz).date()
    inputs = await SqlAnalyticsStore(store.engine).inputs(
        example_config.community.slug, example_config.community.timezone, day, day
    )
    m = compute(inputs)
    assert [c.name for c in m.top] == ["@alice"]
    assert {e.day: e.dau for e in m.engagement if e.dau} == {day: 1}
    assert m.totals["messages"] == 3
