"""Raids and waves of leavers reach the moderators' log chat; ordinary
comings and goings stay quiet."""

from __future__ import annotations

from datetime import timedelta

from adapters.console.session import ConsoleSession
from bot.core.clock import FakeClock
from tests.conftest import run_script


def alerts(out: list[str], word: str) -> list[str]:
    """The alerts naming `word` in the log chat (reminders of them aside)."""
    return [line for line in out if line.startswith("[log] bot: 🚨") and word in line]


async def test_ten_joins_within_five_minutes_raise_one_raid_alert(
    console: ConsoleSession, clock: FakeClock
) -> None:
    out = await run_script(console, "\n".join(f"+n{i}" for i in range(9)))
    assert alerts(out, "突击入群") == []
    out = await console.feed("+n9")
    [alert] = alerts(out, "突击入群")
    assert "5m 内有 10 人入群" in alert
    out = await run_script(console, "\n".join(f"+m{i}" for i in range(10)))
    assert alerts(out, "突击入群") == []  # the cooldown: one alert an hour per group


async def test_joins_spread_over_time_stay_quiet(console: ConsoleSession, clock: FakeClock) -> None:
    out: list[str] = []
    for i in range(20):
        out += await console.feed(f"+p{i}")
        clock.advance(timedelta(minutes=1))
    assert alerts(out, "突击入群") == []


async def test_a_wave_of_leavers_raises_an_alert(console: ConsoleSession, clock: FakeClock) -> None:
    for i in range(10):
        await console.feed(f"+q{i}")
        clock.advance(timedelta(minutes=10))
    out = await run_script(console, "\n".join(f"-q{i}" for i in range(9)))
    assert alerts(out, "退群激增") == []
    out = await console.feed("-q9")
    [alert] = alerts(out, "退群激增")
    assert "1h 内有 10 人退群" in alert


async def test_a_quiet_day_against_the_groups_own_baseline_raises_an_alert(
    console: ConsoleSession, clock: FakeClock
) -> None:
    out: list[str] = []
    for day in range(8):
        posts = 30 if day < 7 else 5
        for i in range(posts):
            out += await console.feed(f"u{i}: 今天第{day}天，第{i}条讨论：储能和光伏的进展")
            clock.advance(timedelta(minutes=2))
        clock.advance(timedelta(days=1) - timedelta(minutes=2 * posts))
        out += await console.feed("!clock +1m")
    [alert] = alerts(out, "活跃度下降")
    assert "昨天 5 条消息，此前 7 天平均每天 30 条" in alert
    assert alerts(out[: out.index(alert)], "活跃度下降") == []  # normal days stay quiet
