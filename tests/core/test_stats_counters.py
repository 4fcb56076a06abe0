"""Spam removals, reports and risk alerts show up in the daily counters that
/stats and the report read."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from bot.core.clock import FakeClock
from tests.conftest import run_script


async def test_spam_reports_and_alerts_are_counted(
    console: ConsoleSession, clock: FakeClock
) -> None:
    await run_script(
        console,
        "+nina\n"
        "nina: 兼职刷单，日赚500到2000，有手机就能做，私聊我\n"
        "bob: I paid and want a refund, this feels like a scam\n"
        "carol: hello everyone, the slides are up\n"
        "dave > 4: /report\n"
        "erin > 4: /report\n",
    )
    kit = console.engine.kit
    row = kit.stats.get("console:g1", kit.calendar.local_date(clock.now()))
    assert row is not None
    assert row.spam_removed == 1 and row.removed >= 1
    assert row.reports == 2
    assert row.alerts >= 1
