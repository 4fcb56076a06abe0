"""Polls through the console: closed on time once (a restart neither closes
nor posts again), counted over several groups, refused to members, and
their voters counted in the day's stats."""

from __future__ import annotations

from pathlib import Path

from adapters.console.session import ConsoleSession
from bot.config import load_config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.conftest import START, run_script

CONFIG = Path(__file__).parents[2] / "scenarios" / "community_month.yaml"


async def test_a_poll_in_two_groups_closes_once_across_a_restart(store: SqlStore) -> None:
    session = ConsoleSession(load_config(CONFIG), store, FakeClock(START), config_path=CONFIG)
    await session.start()
    try:
        out = await run_script(
            session,
            """
!mod mia
+ann
+bob [g2]
!group g1
mia: /poll "Meetup day?" Friday | Saturday in all for 1h
ann: /poll "Sneaky?" yes | no
!vote ann 2 2
!group g2
!vote bob 1 2
!group g1
!clock +2h
!restart
!clock +2h
mia: /poll list
""",
        )
    finally:
        await session.close()  # flushes the day's counters
    text = "\n".join(out)
    assert "Only moderators can use /poll." in text
    assert text.count("bot closes poll") == 2
    # One summary per group and one in the log chat, however many restarts.
    assert text.count("📊 Poll #1 is closed: Meetup day?") == 3
    assert "Saturday: 2 (100%)" in text and "2 voter(s)" in text
    assert "#1 · closed · Meetup day? · 2 voter(s)" in text
    # The voters, counted on the day the poll closed, survive the restart.
    day = START.date()
    rows = await store.daily_stats("green-energy", day, day)
    assert sum(r.poll_votes for r in rows) == 2
