"""The tables, as SQLAlchemy 2 typed declarative models.

Column names match the field names of `bot.records` so a row maps to a record
by keyword. Every datetime is stored as UTC and read back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Fixed constraint names keep Alembic migrations deterministic and let batch
# mode on SQLite find the constraints it has to recreate.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored as UTC.

    SQLite keeps no offset (it would store the wall time of whatever zone the
    value carried and read it back naive), so values are normalised to UTC on
    the way in and tagged UTC on the way out, on every dialect alike.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; records carry aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# SQLite only autoincrements an INTEGER PRIMARY KEY (the rowid alias).
LedgerId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), str: String()}


def _community() -> Mapped[str]:
    return mapped_column(ForeignKey("communities.slug"), primary_key=True)


class Community(Base):
    __tablename__ = "communities"

    slug: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    timezone: Mapped[str]
    created_at: Mapped[datetime]


class Group(Base):
    __tablename__ = "groups"

    community: Mapped[str] = _community()
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

    community: Mapped[str] = _community()
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

    community: Mapped[str] = _community()
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

    community: Mapped[str] = _community()
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

    community: Mapped[str] = _community()
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    member_key: Mapped[str]
    at: Mapped[datetime]
    expires_at: Mapped[datetime]
    case_id: Mapped[int]
    rule: Mapped[str | None]
    active: Mapped[bool]


class DailyStats(Base):
    __tablename__ = "daily_stats"

    community: Mapped[str] = _community()
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


# --- Scheduled content (migration 0003) ---------------------------------------


class ScheduledPost(Base):
    __tablename__ = "scheduled_posts"

    community: Mapped[str] = _community()
    id: Mapped[str] = mapped_column(primary_key=True)
    source: Mapped[str]
    cursor: Mapped[datetime | None]
    fired: Mapped[int]
    paused: Mapped[bool]
    cron: Mapped[str | None]
    text: Mapped[str | None] = mapped_column(Text)
    groups: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None]
    created_at: Mapped[datetime | None]


class PostRun(Base):
    __tablename__ = "post_runs"

    # The primary key is the exactly-once key: one post, one group, one fire time.
    community: Mapped[str] = _community()
    post_id: Mapped[str] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(primary_key=True)
    fire_time: Mapped[datetime] = mapped_column(primary_key=True)
    status: Mapped[str]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime | None]


# --- The points economy (migration 0002) -----------------------------------


class ShopRedemption(Base):
    __tablename__ = "shop_redemptions"

    community: Mapped[str] = _community()
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

    community: Mapped[str] = _community()
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

    community: Mapped[str] = _community()
    event_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    member_key: Mapped[str] = mapped_column(primary_key=True)
    at: Mapped[datetime]


class ReferralInvite(Base):
    __tablename__ = "referral_invites"

    community: Mapped[str] = _community()
    token: Mapped[str] = mapped_column(primary_key=True)
    member_key: Mapped[str]
    link: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (Index(None, "community", "inviter_key"),)

    community: Mapped[str] = _community()
    invitee_key: Mapped[str] = mapped_column(primary_key=True)
    inviter_key: Mapped[str]
    joined_at: Mapped[datetime]
    group_key: Mapped[str | None]
    base_messages: Mapped[int]
    status: Mapped[str]
    resolved_at: Mapped[datetime | None]


# --- Analytics (migration 0005) ----------------------------------------------


class MemberActivity(Base):
    """One row per member, group and local day the member was active: what
    DAU/WAU/MAU and cohort retention are counted from."""

    __tablename__ = "member_activity"
    __table_args__ = (Index(None, "community", "day"),)

    community: Mapped[str] = _community()
    group_key: Mapped[str] = mapped_column(primary_key=True)
    member_key: Mapped[str] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


# --- Spam, reports and risk alerts (migration 0004) ---------------------------


class SpamSample(Base):
    __tablename__ = "spam_samples"
    __table_args__ = (Index(None, "community", "label"),)

    id: Mapped[int] = mapped_column(LedgerId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(ForeignKey("communities.slug"))
    label: Mapped[str]
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str]
    at: Mapped[datetime]
    added_by: Mapped[str | None]
    member_key: Mapped[str | None]


class Flag(Base):
    """The moderators' review queue (reported messages, flagged spam)."""

    __tablename__ = "flags"
    __table_args__ = (Index(None, "community", "status"),)

    community: Mapped[str] = _community()
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    group_key: Mapped[str]
    message_id: Mapped[int] = mapped_column(BigInteger)
    member_key: Mapped[str]
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]
    source: Mapped[str]
    status: Mapped[str]
    reasons: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None]


class Report(Base):
    """One member's report of one flagged message: at most one each."""

    __tablename__ = "reports"

    community: Mapped[str] = _community()
    flag_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    reporter_key: Mapped[str] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    weight: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)


class RiskAlert(Base):
    __tablename__ = "risk_alerts"

    community: Mapped[str] = _community()
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    kind: Mapped[str]
    severity: Mapped[str]
    group_key: Mapped[str | None]
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    # Migration 0006: who acknowledged it, and the reminders sent until then.
    acked_at: Mapped[datetime | None]
    acked_by: Mapped[str | None]
    reminders: Mapped[int] = mapped_column(server_default="0")
    reminded_at: Mapped[datetime | None]


# --- Acknowledgements, daily risk summaries, lockdowns (migration 0006) -------


class RiskSummary(Base):
    """A daily risk summary posted: one per community and local day."""

    __tablename__ = "risk_summaries"

    community: Mapped[str] = _community()
    day: Mapped[date] = mapped_column(primary_key=True)
    at: Mapped[datetime]


class Lockdown(Base):
    """A group closed down during a raid: slow mode for everyone, newcomers
    muted until a moderator (or `lift_at`) lifts it."""

    __tablename__ = "lockdowns"
    __table_args__ = (Index(None, "community", "lifted_at"),)

    community: Mapped[str] = _community()
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    group_key: Mapped[str]
    started_at: Mapped[datetime]
    started_by: Mapped[str | None]
    alert_id: Mapped[int | None]
    slow_mode: Mapped[int]
    # Member keys muted by the lockdown, one per line: unmuted when it lifts.
    muted: Mapped[str] = mapped_column(Text)
    lift_at: Mapped[datetime | None]
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[str | None]


# --- The entry gate and the overflow planner (migration 0007) -----------------


class EntryInvite(Base):
    """An entry invite handed out and not used yet: it holds a place."""

    __tablename__ = "entry_invites"

    community: Mapped[str] = _community()
    member_key: Mapped[str] = mapped_column(primary_key=True)
    group_key: Mapped[str]
    expires_at: Mapped[datetime]


class EntryStage(Base):
    """A newcomer in the entry gate: answering a captcha, waiting for a
    moderator, or blocked for a while after failing."""

    __tablename__ = "entry_stages"

    community: Mapped[str] = _community()
    member_key: Mapped[str] = mapped_column(primary_key=True)
    stage: Mapped[str]
    at: Mapped[datetime]
    user_name: Mapped[str]
    username: Mapped[str | None]
    expires_at: Mapped[datetime | None]
    answers: Mapped[str] = mapped_column(Text)
    tries_left: Mapped[int]
    request_key: Mapped[str | None]
    joined_key: Mapped[str | None]


class OverflowNote(Base):
    """What the planner remembers so as not to act or speak twice."""

    __tablename__ = "overflow_notes"

    community: Mapped[str] = _community()
    key: Mapped[str] = mapped_column(primary_key=True)
    value: Mapped[int]
    at: Mapped[datetime]


# --- Update cursors (migration 0008) -------------------------------------------


class PlatformCursor(Base):
    """How far a platform's update stream was handled, written with the batch
    that holds the updates' effects."""

    __tablename__ = "platform_cursors"

    community: Mapped[str] = _community()
    platform: Mapped[str] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
