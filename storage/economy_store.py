"""`SqlEconomyStore`: the core's `EconomyStore` port (shop redemptions, events,
RSVPs, invite links, referrals) on the same database as `SqlStore`.

These writes are rare and each is awaited: a redemption and the ledger entry
that charges it commit together, so neither exists without the other. Ledger
entries keep the ledger's idempotency key: one already stored is skipped and
reported back, as the batched path does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.records import LedgerEntry
from bot.features.economy.records import (
    EconomySnapshot,
    GatheringRecord,
    InviteRecord,
    RedemptionRecord,
    ReferralRecord,
    RsvpRecord,
)
from bot.features.economy.store import EconomyRow
from storage.engine_store import EngineStore, dialect_insert
from storage.models.core import PointsEntry
from storage.models.economy import EventRsvp, Gathering, Referral, ReferralInvite, ShopRedemption

REACTION_REASON = "reaction"

R = TypeVar("R")

# Record type -> (table, its primary key columns).
_TABLES: dict[type[Any], tuple[Table, tuple[str, ...]]] = {
    RedemptionRecord: (ShopRedemption.__table__, ("community", "id")),  # type: ignore[dict-item]
    GatheringRecord: (Gathering.__table__, ("community", "id")),  # type: ignore[dict-item]
    RsvpRecord: (EventRsvp.__table__, ("community", "event_id", "member_key")),  # type: ignore[dict-item]
    InviteRecord: (ReferralInvite.__table__, ("community", "token")),  # type: ignore[dict-item]
    ReferralRecord: (Referral.__table__, ("community", "invitee_key")),  # type: ignore[dict-item]
}
_LEDGER: Table = PointsEntry.__table__  # type: ignore[assignment]
_KEY_CHUNK = 500


class SqlEconomyStore(EngineStore):
    async def load_economy(
        self, community: str, week_start: datetime, month_start: datetime, day_start: datetime
    ) -> EconomySnapshot:
        async with self._reading() as connection:
            redemptions = await self._rows(connection, RedemptionRecord, community)
            gatherings = await self._rows(connection, GatheringRecord, community)
            rsvps = await self._rows(connection, RsvpRecord, community)
            invites = await self._rows(connection, InviteRecord, community)
            referrals = await self._rows(connection, ReferralRecord, community)
            week = await self._sums(connection, community, _LEDGER.c.at >= week_start)
            month = await self._sums(connection, community, _LEDGER.c.at >= month_start)
            reactions = await self._sums(
                connection,
                community,
                _LEDGER.c.at >= day_start,
                _LEDGER.c.reason == REACTION_REASON,
            )
        return EconomySnapshot(
            redemptions=redemptions,
            gatherings=gatherings,
            rsvps=rsvps,
            invites=invites,
            referrals=referrals,
            week=week,
            month=month,
            reactions_today=reactions,
        )

    @staticmethod
    async def _rows(connection: AsyncConnection, record: type[R], community: str) -> list[R]:
        table, key = _TABLES[record]
        names = [f.name for f in fields(record)]  # type: ignore[arg-type]
        result = await connection.execute(
            select(*(table.c[n] for n in names))
            .where(table.c.community == community)
            .order_by(*(table.c[k] for k in key))
        )
        return [record(*row) for row in result]

    @staticmethod
    async def _sums(connection: AsyncConnection, community: str, *where: Any) -> dict[str, int]:
        c = _LEDGER.c
        result = await connection.execute(
            select(c.member_key, func.sum(c.delta))
            .where(c.community == community, *where)
            .group_by(c.member_key)
        )
        return {key: int(total) for key, total in result}

    async def save(
        self, rows: Sequence[EconomyRow], ledger: Sequence[LedgerEntry] = ()
    ) -> frozenset[str]:
        async with self._writing() as connection:
            for row in rows:
                table, key = _TABLES[type(row)]
                values = asdict(row)
                statement = dialect_insert(self._dialect, table).values(**values)
                statement = statement.on_conflict_do_update(
                    index_elements=list(key),
                    set_={k: v for k, v in values.items() if k not in key},
                )
                await connection.execute(statement)
            return await self._append(connection, ledger)

    async def _append(
        self, connection: AsyncConnection, entries: Sequence[LedgerEntry]
    ) -> frozenset[str]:
        if not entries:
            return frozenset()
        stored: set[str] = set()
        by_community: dict[str, list[str]] = {}
        for e in entries:
            by_community.setdefault(e.community, []).append(e.key)
        for community, keys in by_community.items():
            for i in range(0, len(keys), _KEY_CHUNK):
                chunk = keys[i : i + _KEY_CHUNK]
                result = await connection.execute(
                    select(_LEDGER.c.key).where(
                        _LEDGER.c.community == community, _LEDGER.c.key.in_(chunk)
                    )
                )
                stored.update(result.scalars())
        fresh: dict[str, LedgerEntry] = {}
        for e in entries:
            if e.key in fresh:
                # Repeated within the call: only the first is applied.
                stored.add(e.key)
            elif e.key not in stored:
                fresh[e.key] = e
        if fresh:
            await connection.execute(_LEDGER.insert(), [asdict(e) for e in fresh.values()])
        return frozenset(stored)

    async def balances(self, community: str) -> dict[str, int]:
        async with self._reading() as connection:
            return await self._sums(connection, community)
