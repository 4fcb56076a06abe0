"""The payments' store port, and the memory store unit tests run on."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol

from bot.features.fee.records import PaymentRecord


class PaymentsStore(Protocol):
    async def save_payment(self, payment: PaymentRecord) -> None:
        """Insert the payment, or update its status and refund."""
        ...

    async def payment(self, community: str, charge: str) -> PaymentRecord | None: ...

    async def payments(self, community: str, since: datetime) -> list[PaymentRecord]:
        """Payments made at `since` or later, oldest first."""
        ...


class MemoryPaymentsStore:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], PaymentRecord] = {}

    async def save_payment(self, payment: PaymentRecord) -> None:
        self.rows[(payment.community, payment.charge)] = replace(payment)

    async def payment(self, community: str, charge: str) -> PaymentRecord | None:
        found = self.rows.get((community, charge))
        return replace(found) if found is not None else None

    async def payments(self, community: str, since: datetime) -> list[PaymentRecord]:
        rows = [p for (c, _), p in self.rows.items() if c == community and p.at >= since]
        return [replace(p) for p in sorted(rows, key=lambda p: p.at)]
