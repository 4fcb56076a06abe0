"""Spam samples, reports and the review queue, risk alerts (migration 0004);
their acknowledgements, daily risk summaries and lockdowns (migration 0006);
the members each alert names (migration 0012).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, ForeignKeyConstraint, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, LedgerId, community_key


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

    community: Mapped[str] = community_key()
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

    community: Mapped[str] = community_key()
    flag_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    reporter_key: Mapped[str] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    weight: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)


class RiskAlert(Base):
    __tablename__ = "risk_alerts"

    community: Mapped[str] = community_key()
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


class RiskAlertMember(Base):
    """A member a risk alert's texts name, and how: an erasure finds the
    alerts by the member's key (not by searching every text) and replaces
    `shown` with its alias and removes `quoted`, the member's words."""

    __tablename__ = "risk_alert_members"
    __table_args__ = (
        ForeignKeyConstraint(
            ["community", "alert_id"], ["risk_alerts.community", "risk_alerts.id"]
        ),
        Index(None, "community", "member_key"),
    )

    community: Mapped[str] = community_key()
    alert_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    member_key: Mapped[str] = mapped_column(primary_key=True)
    shown: Mapped[str]
    quoted: Mapped[str] = mapped_column(Text)


class RiskSummary(Base):
    """A daily risk summary posted: one per community and local day."""

    __tablename__ = "risk_summaries"

    community: Mapped[str] = community_key()
    day: Mapped[date] = mapped_column(primary_key=True)
    at: Mapped[datetime]


class Lockdown(Base):
    """A group closed down during a raid: slow mode for everyone, newcomers
    muted until a moderator (or `lift_at`) lifts it."""

    __tablename__ = "lockdowns"
    __table_args__ = (Index(None, "community", "lifted_at"),)

    community: Mapped[str] = community_key()
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
