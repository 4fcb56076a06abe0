"""The heartbeat table of the processes sharing communities, on SQLite and
on a real PostgreSQL: a process's row is written again in place, only the
rows of its fleet that have not expired count as live, a process that
leaves is gone at once, and long-expired rows are forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage.fleet_store import Beat, SqlRoster
from storage.models.fleet import FleetProcess

NOW = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)


def beat(id: str, owned: tuple[str, ...], expires: timedelta, fleet: str = "f1") -> Beat:
    return Beat(id, fleet, "host-1", 4242, owned, NOW - timedelta(minutes=5), NOW + expires)


async def test_live_processes_of_a_fleet(database_url: str) -> None:
    roster = await SqlRoster.open(database_url)
    try:
        await roster.beat(beat("a", ("tg-a", "tg-b"), timedelta(seconds=5)))
        await roster.beat(beat("b", (), timedelta(seconds=5)))
        await roster.beat(beat("dead", ("tg-c",), -timedelta(seconds=1)))
        await roster.beat(beat("other", ("x",), timedelta(seconds=5), fleet="f2"))
        live = await roster.live("f1", NOW)
        assert [(b.id, b.owned) for b in live] == [("a", ("tg-a", "tg-b")), ("b", ())]
        assert live[0].expires_at == NOW + timedelta(seconds=5)
        assert live[0].host == "host-1" and live[0].pid == 4242

        # Written again in place: one row per process, owning what it says now.
        await roster.beat(beat("a", ("tg-a",), timedelta(seconds=5)))
        await roster.beat(beat("b", ("tg-b",), timedelta(seconds=5)))
        live = await roster.live("f1", NOW)
        assert [(b.id, b.owned) for b in live] == [("a", ("tg-a",)), ("b", ("tg-b",))]

        # A clean stop leaves at once; the dead row is forgotten an hour on.
        await roster.leave("a")
        assert [b.id for b in await roster.live("f1", NOW)] == ["b"]
        await roster.live("f1", NOW + timedelta(hours=2))
        async with roster.engine.connect() as c:
            ids = (await c.execute(select(FleetProcess.__table__.c.id))).scalars().all()
            total = (await c.execute(select(func.count()).select_from(FleetProcess))).scalar()
        assert "dead" not in ids and total == len(ids)
    finally:
        await roster.close()


async def test_opening_migrates_a_database_that_predates_the_table(database_url: str) -> None:
    from storage.migrate import downgrade_async

    first = await SqlRoster.open(database_url)
    await first.close()
    await downgrade_async(database_url, "0012_forget")
    roster = await SqlRoster.open(database_url)
    try:
        await roster.beat(beat("a", ("tg-a",), timedelta(seconds=5)))
        assert [b.id for b in await roster.live("f1", NOW)] == ["a"]
    finally:
        await roster.close()


async def test_the_time_is_an_aware_utc_one(database_url: str) -> None:
    """Compared with the rows' UTC expiries on either dialect."""
    roster = await SqlRoster.open(database_url)
    try:
        now = await roster.now()
    finally:
        await roster.close()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
