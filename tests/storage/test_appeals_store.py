"""Appeals and payments on SQLite and PostgreSQL: they round-trip, a decision
updates the appeal in place, a payment's refund updates it by charge id, a
member's cases are read oldest first from a moment on, and each community
sees only its own rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.records import CaseRecord, WriteBatch
from bot.features.appeals.records import ACCEPTED, AppealRecord
from bot.features.fee.records import REFUNDED, PaymentRecord
from storage.appeals_store import SqlAppealsStore, SqlPaymentsStore
from storage.sql_store import SqlStore

GREEN, BLUE = "green-energy", "blue-sky"
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
async def core(database_url: str) -> AsyncIterator[SqlStore]:
    store = await SqlStore.open(database_url)
    await store.ensure_community(GREEN, "Green", "Asia/Shanghai")
    await store.ensure_community(BLUE, "Blue", "UTC")
    yield store
    await store.close()


async def test_appeals_round_trip_and_decisions_update_them(core: SqlStore) -> None:
    appeals = SqlAppealsStore(core.engine)
    first = AppealRecord(GREEN, 1, "telegram:1", 3, T0, "sorry, it was our meetup chat")
    await appeals.save_appeal(first)
    await appeals.save_appeal(AppealRecord(BLUE, 1, "telegram:9", 1, T0, "not me"))
    first.status, first.decided_at, first.decided_by, first.answer = (
        ACCEPTED, T0 + timedelta(hours=1), "telegram:1002", "welcome back",
    )  # fmt: skip
    await appeals.save_appeal(first)

    assert await appeals.load_appeals(GREEN) == [first]


async def test_a_members_cases_are_read_from_a_moment_on(core: SqlStore) -> None:
    def case(n: int, who: str, minutes: int) -> CaseRecord:
        return CaseRecord(GREEN, n, T0 + timedelta(minutes=minutes), "mute", who)

    await core.write(
        WriteBatch(cases=[case(1, "telegram:1", 0), case(2, "telegram:2", 5),
                          case(3, "telegram:1", 10)])
    )  # fmt: skip
    appeals = SqlAppealsStore(core.engine)

    assert [c.id for c in await appeals.cases_of(GREEN, "telegram:1", T0)] == [1, 3]
    later = T0 + timedelta(minutes=1)
    assert [c.id for c in await appeals.cases_of(GREEN, "telegram:1", later)] == [3]
    assert await appeals.cases_of(BLUE, "telegram:1", T0) == []


async def test_payments_are_kept_by_charge_and_refunds_update_them(core: SqlStore) -> None:
    payments = SqlPaymentsStore(core.engine)
    paid = PaymentRecord(GREEN, "tg-charge-1", "telegram:1", 50, "XTR", "entry", T0,
                         group_key="telegram:-1001")  # fmt: skip
    await payments.save_payment(paid)
    await payments.save_payment(
        PaymentRecord(GREEN, "tg-charge-2", "telegram:2", 50, "XTR", "entry", T0 + timedelta(1))
    )
    paid.status, paid.refunded_at = REFUNDED, T0 + timedelta(minutes=1)
    await payments.save_payment(paid)

    assert await payments.payment(GREEN, "tg-charge-1") == paid
    assert await payments.payment(BLUE, "tg-charge-1") is None
    assert [p.charge for p in await payments.payments(GREEN, T0)] == ["tg-charge-1", "tg-charge-2"]
    assert [p.charge for p in await payments.payments(GREEN, T0 + timedelta(hours=1))] == [
        "tg-charge-2"
    ]
