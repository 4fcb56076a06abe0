"""`SqlAppealsStore` and `SqlPaymentsStore`: appeals against moderation cases
(with the member's cases they are read against) and members' payments, on
the same database as `SqlStore`. Rare writes, each awaited: an appeal is
stored before the member is told it arrived, a payment before its invite."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select

from bot.core.records import CaseRecord
from bot.features.appeals.records import AppealRecord
from bot.features.fee.records import PaymentRecord
from storage.core_tables import CASES
from storage.engine_store import EngineStore, upsert
from storage.models.appeals import Appeal, Payment
from storage.models.base import Base

_APPEALS: Table = Base.metadata.tables[Appeal.__tablename__]
_PAYMENTS: Table = Base.metadata.tables[Payment.__tablename__]


def _columns(table: Table, record: type[Any]) -> list[Any]:
    return [table.c[f.name] for f in fields(record)]


class SqlAppealsStore(EngineStore):
    async def load_appeals(self, community: str) -> list[AppealRecord]:
        async with self._reading() as c:
            rows = await c.execute(
                select(*_columns(_APPEALS, AppealRecord))
                .where(_APPEALS.c.community == community)
                .order_by(_APPEALS.c.id)
            )
            return [AppealRecord(*row) for row in rows]

    async def save_appeal(self, appeal: AppealRecord) -> None:
        async with self._writing() as c:
            await upsert(c, _APPEALS, ("community", "id"), [asdict(appeal)])

    async def cases_of(self, community: str, member_key: str, since: datetime) -> list[CaseRecord]:
        table = CASES.table
        async with self._reading() as c:
            rows = await c.execute(
                CASES.select()
                .where(
                    table.c.community == community,
                    table.c.member_key == member_key,
                    table.c.at >= since,
                )
                .order_by(table.c.id)
            )
            return [CaseRecord(*row) for row in rows]


class SqlPaymentsStore(EngineStore):
    async def save_payment(self, payment: PaymentRecord) -> None:
        async with self._writing() as c:
            await upsert(c, _PAYMENTS, ("community", "charge"), [asdict(payment)])

    async def payment(self, community: str, charge: str) -> PaymentRecord | None:
        async with self._reading() as c:
            row = (
                await c.execute(
                    select(*_columns(_PAYMENTS, PaymentRecord)).where(
                        _PAYMENTS.c.community == community, _PAYMENTS.c.charge == charge
                    )
                )
            ).first()
            return PaymentRecord(*row) if row is not None else None

    async def payments(self, community: str, since: datetime) -> list[PaymentRecord]:
        async with self._reading() as c:
            rows = await c.execute(
                select(*_columns(_PAYMENTS, PaymentRecord))
                .where(_PAYMENTS.c.community == community, _PAYMENTS.c.at >= since)
                .order_by(_PAYMENTS.c.at)
            )
            return [PaymentRecord(*row) for row in rows]
