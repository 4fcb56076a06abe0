"""Members' appeals against moderation cases, and entry fees paid
(migration 0011_21b)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, community_key


class Appeal(Base):
    __tablename__ = "appeals"
    __table_args__ = (Index(None, "community", "member_key"),)

    community: Mapped[str] = community_key()
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    member_key: Mapped[str]
    # One appeal per case.
    case_id: Mapped[int]
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None]
    answer: Mapped[str] = mapped_column(Text)


class Payment(Base):
    """A payment a member made (an entry fee in Telegram Stars), keyed by the
    platform's charge id: a payment reported twice is recorded once."""

    __tablename__ = "payments"
    __table_args__ = (Index(None, "community", "member_key"),)

    community: Mapped[str] = community_key()
    charge: Mapped[str] = mapped_column(primary_key=True)
    member_key: Mapped[str]
    stars: Mapped[int]
    currency: Mapped[str]
    purpose: Mapped[str]
    at: Mapped[datetime]
    # paid, refunded.
    status: Mapped[str]
    # The group the payment opened, when it opened one.
    group_key: Mapped[str | None]
    refunded_at: Mapped[datetime | None]
