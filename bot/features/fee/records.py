"""A payment a member made, as the store keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PAID, REFUNDED = "paid", "refunded"


@dataclass(slots=True)
class PaymentRecord:
    community: str
    # The platform's id of the charge: a refund names it, and a payment
    # reported twice is one payment.
    charge: str
    member_key: str
    stars: int
    currency: str
    # What it paid for: "entry".
    purpose: str
    at: datetime
    status: str = PAID
    group_key: str | None = None
    refunded_at: datetime | None = None
