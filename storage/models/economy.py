"""The points economy: shop redemptions, events and their RSVPs, invite links
and referrals (migration 0002).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, community_key


class ShopRedemption(Base):
    __tablename__ = "shop_redemptions"

    community: Mapped[str] = community_key()
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    item: Mapped[str]
    member_key: Mapped[str]
    cost: Mapped[int]
    at: Mapped[datetime]
    status: Mapped[str]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None]


class Gathering(Base):
    """A community event ("events" in the schema; `Gathering` in the core)."""

    __tablename__ = "events"

    community: Mapped[str] = community_key()
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime]
    points: Mapped[int]
    code: Mapped[str]
    created_by: Mapped[str]
    capacity: Mapped[int | None]
    group_key: Mapped[str | None]
    reminded: Mapped[bool]


class EventRsvp(Base):
    __tablename__ = "event_rsvps"

    community: Mapped[str] = community_key()
    event_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    member_key: Mapped[str] = mapped_column(primary_key=True)
    at: Mapped[datetime]


class ReferralInvite(Base):
    __tablename__ = "referral_invites"

    community: Mapped[str] = community_key()
    token: Mapped[str] = mapped_column(primary_key=True)
    member_key: Mapped[str]
    link: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (Index(None, "community", "inviter_key"),)

    community: Mapped[str] = community_key()
    invitee_key: Mapped[str] = mapped_column(primary_key=True)
    inviter_key: Mapped[str]
    joined_at: Mapped[datetime]
    group_key: Mapped[str | None]
    base_messages: Mapped[int]
    status: Mapped[str]
    resolved_at: Mapped[datetime | None]
