"""The heartbeat table of the processes that share communities
(`fleet_processes`): each process writes its row again every few seconds
with an expiry, and reads the rows of its fleet that have not expired.

A row that stops being written is a process that died (or lost its
database): it drops out once it expires and is deleted a while later by
whoever reads. Times are the database's (`now`): on PostgreSQL its
server's clock, so processes on hosts whose clocks differ agree on what
has expired; a SQLite file has one host. Either way a wrong time would
only skew the balance, never who serves a community: that is each
community's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Self

from sqlalchemy import delete, func, insert, select, update

from storage.database import create_engine
from storage.migrate import run_upgrade
from storage.models.fleet import FleetProcess

# Rows expired this long ago are deleted (kept a while for an operator's look).
_FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Beat:
    """One process as its row says."""

    id: str
    fleet: str
    host: str
    pid: int
    owned: tuple[str, ...]
    started_at: datetime
    expires_at: datetime


class SqlRoster:
    """The `fleet_processes` table of one database."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    @classmethod
    async def open(cls, url: str) -> Self:
        """Migrated to the head first: the table may be new."""
        roster = cls(url)
        try:
            async with roster.engine.begin() as connection:
                await connection.run_sync(run_upgrade)
        except BaseException:
            await roster.engine.dispose()
            raise
        return roster

    async def close(self) -> None:
        await self.engine.dispose()

    async def now(self) -> datetime:
        """The database's time: one clock for every process on it."""
        if self.engine.dialect.name != "postgresql":
            return datetime.now(UTC)
        async with self.engine.connect() as c:
            now: datetime = (await c.execute(select(func.now()))).scalar_one()
        return now.astimezone(UTC)

    async def beat(self, beat: Beat) -> None:
        values = {
            "fleet": beat.fleet,
            "host": beat.host,
            "pid": beat.pid,
            "owned": ",".join(beat.owned),
            "started_at": beat.started_at,
            "expires_at": beat.expires_at,
        }
        async with self.engine.begin() as c:
            done = await c.execute(
                update(FleetProcess).where(FleetProcess.id == beat.id).values(values)
            )
            if not done.rowcount:
                await c.execute(insert(FleetProcess).values(id=beat.id, **values))

    async def live(self, fleet: str, now: datetime) -> list[Beat]:
        """The fleet's processes whose rows have not expired, oldest first."""
        async with self.engine.begin() as c:
            await c.execute(
                delete(FleetProcess).where(FleetProcess.expires_at < now - _FORGET_AFTER)
            )
            t = FleetProcess.__table__.c
            rows = await c.execute(
                select(t.id, t.fleet, t.host, t.pid, t.owned, t.started_at, t.expires_at)
                .where(t.fleet == fleet, t.expires_at > now)
                .order_by(t.started_at, t.id)
            )
            return [
                Beat(r.id, r.fleet, r.host, r.pid, _slugs(r.owned), r.started_at, r.expires_at)
                for r in rows
            ]

    async def leave(self, process: str) -> None:
        async with self.engine.begin() as c:
            await c.execute(delete(FleetProcess).where(FleetProcess.id == process))


def _slugs(owned: str) -> tuple[str, ...]:
    return tuple(owned.split(",")) if owned else ()
