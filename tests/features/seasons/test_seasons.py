"""Seasons close exactly once: a second process (or a replayed tick) finds
the season claimed and posts nothing; contribution is weighted by how the
points were earned; a season nobody earned in is archived, not posted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.console.session import ConsoleSession
from bot.config import Config, load_config
from bot.core.actions import SendMessage
from bot.core.clock import FakeClock
from bot.features.seasons.feature import SeasonsFeature
from bot.features.seasons.periods import kind_of, period
from bot.features.seasons.seasons import Seasons
from storage.note_store import SqlNoteStore
from storage.sql_store import SqlStore

CONFIG = Path(__file__).parents[2] / "scenarios" / "community_month.yaml"
# Monday 2026-01-05 09:00 in Shanghai.
MONDAY = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def config() -> Config:
    return load_config(CONFIG)


async def session(store: SqlStore, clock: FakeClock) -> ConsoleSession:
    s = ConsoleSession(config(), store, clock, config_path=CONFIG)
    await s.start()
    return s


async def test_a_second_process_finds_the_season_closed(store: SqlStore) -> None:
    clock = FakeClock(MONDAY)
    first = await session(store, clock)
    await first.run(["+alice", "alice: a first message of the week", "alice: /checkin"])
    seasons = first.engine.feature(SeasonsFeature).seasons
    week = seasons.tracked["week"]
    # Another process on the same database, with its own memory.
    other = Seasons(first.engine.kit, SqlNoteStore(store.engine), seasons.points, seasons.shop)
    after = week.end + timedelta(minutes=1)

    posted = await seasons.close(week, after)
    again = await other.close(week, after)

    boards = [a for a in posted if isinstance(a, SendMessage) and a.kind == "season"]
    assert len(boards) == 1 and "@alice" in boards[0].text
    assert again == []
    await first.close()


async def test_weights_count_thanks_over_chatter_and_leave_prizes_out() -> None:
    seasons = Seasons.__new__(Seasons)

    class Kit:
        config = config()

    seasons.kit = Kit()  # type: ignore[assignment]
    earned = {
        ("a", "message"): 10,
        ("b", "message"): 4,
        ("b", "thanks"): 4,  # weighted 3
        ("c", "checkin"): 10,  # weighted 0.5
        ("c", "prize"): 100,  # never counts
        ("d", "message"): -1,
    }
    assert seasons.scores(earned) == [("b", 16), ("a", 10), ("c", 5)]


def test_periods_are_local_weeks_and_months() -> None:
    from bot.core.calendar import Calendar

    calendar = Calendar(config().community.tz)
    # Sunday 23:59 in Shanghai is still week 2; Monday 00:00 starts week 3.
    sunday = datetime(2026, 1, 11, 15, 59, tzinfo=UTC)
    week = period(calendar, "week", sunday)
    assert week.id == "2026-W02" and week.end == datetime(2026, 1, 11, 16, 0, tzinfo=UTC)
    assert period(calendar, "week", week.end).id == "2026-W03"
    month = period(calendar, "month", datetime(2026, 12, 31, 16, 0, tzinfo=UTC))
    assert month.id == "2027-01"
    assert [kind_of(s) for s in ("2026-W49", "2026-12", "2026-13", "W49", "2026-W60")] == [
        "week",
        "month",
        None,
        None,
        None,
    ]


async def test_an_empty_season_is_kept_but_not_posted(store: SqlStore) -> None:
    clock = FakeClock(MONDAY)
    s = await session(store, clock)
    seasons = s.engine.feature(SeasonsFeature).seasons
    week = seasons.tracked["week"]
    assert await seasons.close(week, week.end) == []
    assert seasons.archive[week.key]["board"] == []
    await s.close()
