"""The core's tables: communities, groups, members and their memberships, the
points ledger, moderation cases and warnings, daily counters, update cursors.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, LedgerId, community_key


class Community(Base):
    __tablename__ = "communities"

    slug: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    timezone: Mapped[str]
    created_at: Mapped[datetime]


class Group(Base):
    __tablename__ = "groups"

    community: Mapped[str] = community_key()
    chat_key: Mapped[str] = mapped_column(primary_key=True)
    platform: Mapped[str]
    chat_id: Mapped[str]
    title: Mapped[str]
    serial: Mapped[int]
    capacity: Mapped[int]
    state: Mapped[str]
    member_count: Mapped[int]
    created_at: Mapped[datetime | None]


class Member(Base):
    __tablename__ = "members"

    community: Mapped[str] = community_key()
    key: Mapped[str] = mapped_column(primary_key=True)
    platform: Mapped[str]
    user_id: Mapped[str]
    name: Mapped[str]
    username: Mapped[str | None]
    role: Mapped[str]
    language: Mapped[str | None]
    joined_at: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    message_count: Mapped[int]
    streak: Mapped[int]
    last_checkin: Mapped[date | None] = mapped_column(Date)
    last_points_at: Mapped[datetime | None]


class Membership(Base):
    __tablename__ = "memberships"

    community: Mapped[str] = community_key()
    member_key: Mapped[str] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(primary_key=True)
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    invite: Mapped[str | None]


class PointsEntry(Base):
    __tablename__ = "points_ledger"
    __table_args__ = (
        # The idempotency key: replaying the event that earned points adds nothing.
        UniqueConstraint("community", "key"),
        Index(None, "community", "member_key"),
    )

    id: Mapped[int] = mapped_column(LedgerId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(ForeignKey("communities.slug"))
    member_key: Mapped[str]
    delta: Mapped[int]
    reason: Mapped[str]
    key: Mapped[str]
    at: Mapped[datetime]
    group_key: Mapped[str | None]


class ModCase(Base):
    __tablename__ = "mod_cases"

    community: Mapped[str] = community_key()
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    action: Mapped[str]
    member_key: Mapped[str]
    group_key: Mapped[str | None]
    moderator_key: Mapped[str | None]
    rule: Mapped[str | None]
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)
    duration: Mapped[str | None]
    message_text: Mapped[str] = mapped_column(Text)


class MemberWarning(Base):
    __tablename__ = "warnings"

    community: Mapped[str] = community_key()
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    member_key: Mapped[str]
    at: Mapped[datetime]
    expires_at: Mapped[datetime]
    case_id: Mapped[int]
    rule: Mapped[str | None]
    active: Mapped[bool]


class DailyStats(Base):
    __tablename__ = "daily_stats"

    community: Mapped[str] = community_key()
    group_key: Mapped[str] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    messages: Mapped[int]
    active_members: Mapped[int]
    joins: Mapped[int]
    leaves: Mapped[int]
    checkins: Mapped[int]
    points_issued: Mapped[int]
    removed: Mapped[int]
    warnings: Mapped[int]
    # Migration 0005.
    points_spent: Mapped[int] = mapped_column(server_default="0")
    spam_removed: Mapped[int] = mapped_column(server_default="0")
    reports: Mapped[int] = mapped_column(server_default="0")
    alerts: Mapped[int] = mapped_column(server_default="0")
    rsvps: Mapped[int] = mapped_column(server_default="0")
    attended: Mapped[int] = mapped_column(server_default="0")
    invites_issued: Mapped[int] = mapped_column(server_default="0")
    invites_used: Mapped[int] = mapped_column(server_default="0")


class PlatformCursor(Base):
    """How far a platform's update stream was handled, written with the batch
    that holds the updates' effects."""

    __tablename__ = "platform_cursors"

    community: Mapped[str] = community_key()
    platform: Mapped[str] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)


class OutboxRow(Base):
    """Actions waiting to be sent, stored with the effects of the event that
    made them (migration 0009); see `bot.core.records.OutboxRecord`."""

    __tablename__ = "outbox"

    community: Mapped[str] = community_key()
    key: Mapped[str] = mapped_column(primary_key=True)
    platform: Mapped[str]
    payload: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    sent: Mapped[bool]
