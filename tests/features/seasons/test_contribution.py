"""Contribution beyond chatter: a confirmed report pays its reporters
(`risk.reports.reward`, ledger reason `report`), once, and a season can
weigh it above messages."""

from __future__ import annotations

from datetime import timedelta

from adapters.console.session import ConsoleSession
from bot.config import parse_config
from bot.core.clock import FakeClock
from bot.features.points.feature import PointsFeature
from bot.features.seasons.feature import SeasonsFeature
from storage.note_store import SqlNoteStore
from storage.sql_store import SqlStore
from tests.conftest import EXAMPLE, START, run_script


async def test_confirmed_reports_pay_and_count_in_the_season(store: SqlStore) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("language: zh-CN", "language: en")
    text = text.replace("    reward: 0 ", "    reward: 5 ")
    text += "seasons:\n  weights: {report: 4}\n  week: {honours: [{title: Guardian}]}\n"
    session = ConsoleSession(parse_config(text), store, FakeClock(START))
    await session.start()
    try:
        await run_script(
            session,
            """
!mod mia
+eve
+bob
+carol
+dan
eve: you are all idiots and this group is garbage
bob > 5: /report rude
carol > 5: /report
dan > 5: /report
mia: /resolve 1 confirm
mia: /resolve 1 confirm
""",
        )
        points = session.engine.feature(PointsFeature).points
        assert [points.balance(f"console:{n}") for n in ("bob", "carol", "dan")] == [5, 5, 5]
        await session.engine.kit.writes.flush()
        week = session.engine.feature(SeasonsFeature).seasons.tracked["week"]
        earned = await SqlNoteStore(store.engine).earned(
            "green-energy", week.start, week.end + timedelta(days=1)
        )
        assert earned[("console:bob", "report")] == 5
        scores = dict(session.engine.feature(SeasonsFeature).seasons.scores(earned))
        assert scores["console:bob"] == 20
    finally:
        await session.close()
