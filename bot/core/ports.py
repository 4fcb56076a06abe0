"""What the core needs from the outside world, as Protocols.

`storage/` implements `Store`; `adapters/` implement `Gateway`; tests and the
console drive a `FakeClock`. Each feature declares its own store beside it
(`bot/features/*/store.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from bot.core.actions import Action
from bot.core.records import (
    CaseRecord,
    DailyStatsRecord,
    LedgerEntry,
    MembershipRecord,
    OutboxRecord,
    Snapshot,
    WriteBatch,
    WriteResult,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class Store(Protocol):
    async def ensure_community(self, slug: str, name: str, timezone: str) -> None:
        """Create the community's row, or update its name and time zone."""
        ...

    async def load(self, community: str, day_start: datetime) -> Snapshot:
        """Everything the engine keeps in memory. `day_start` is the start of
        the community's local day in UTC (for today's message points)."""
        ...

    async def write(self, batch: WriteBatch) -> WriteResult:
        """Apply a batch in one transaction. Ledger entries whose key exists are
        skipped and reported back; members, groups, warnings and stats are
        upserted; cases are inserted. A database that cannot take the write
        (unreachable, locked) raises ConnectionError (or another OSError);
        any other error is taken to be about the rows."""
        ...

    async def memberships(self, community: str, member_key: str) -> list[MembershipRecord]: ...

    async def case(self, community: str, case_id: int) -> CaseRecord | None: ...

    async def cases_of(self, community: str, member_key: str, limit: int = 20) -> list[CaseRecord]:
        """The member's latest cases, newest first (the dashboard's member page)."""
        ...

    async def ledger(self, community: str, member_key: str, limit: int = 20) -> list[LedgerEntry]:
        """The member's latest entries, newest first."""
        ...

    async def cursor(self, community: str, platform: str) -> int | None:
        """The position stored with the last batch (see `CursorRecord`)."""
        ...

    async def unsent(self, community: str, platform: str) -> list[OutboxRecord]:
        """The platform's actions stored and not yet marked sent, oldest
        first; the marks of those sent are dropped."""
        ...

    async def daily_stats(
        self, community: str, since: date, until: date
    ) -> list[DailyStatsRecord]: ...

    async def close(self) -> None: ...


class Gateway(Protocol):
    async def execute(self, actions: Sequence[Action]) -> None:
        """Carry the actions out on the platform. A failure is logged and
        reported, never raised."""
        ...
