"""Spam samples, reports, the review queue, risk alerts and lockdowns.

Rare writes, each awaited through the `SpamStore` port."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SpamSampleRecord:
    community: str
    # "spam" or "ham".
    label: str
    text: str
    # Where it came from: "spam" or "ham" (a moderator's command), "import"
    # (`groupkeeper spam train`), "flag" (a confirmed or dismissed flag).
    source: str
    at: datetime
    added_by: str | None = None
    member_key: str | None = None


@dataclass(slots=True)
class FlagRecord:
    """A message in the moderators' review queue: reported by members, or
    caught by the spam detector when its action is `flag`."""

    community: str
    id: int
    group_key: str
    message_id: int
    member_key: str
    text: str
    at: datetime
    # "reports" or "spam".
    source: str
    # reported (below the threshold) -> open (hidden, member muted, waiting
    # for a moderator) -> confirmed | dismissed.
    status: str = "reported"
    reasons: str = ""
    case_id: int | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None


@dataclass(frozen=True, slots=True)
class ReportRecord:
    community: str
    flag_id: int
    reporter_key: str
    at: datetime
    # In half reports: a member's report weighs 2, a trusted member's more.
    weight: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class NamedMember:
    """A member an alert's texts name: their key (an erasure finds the alert
    by it), how the alert shows them, and the words of theirs it quotes."""

    key: str
    shown: str
    quoted: str = ""


@dataclass(slots=True)
class RiskAlertRecord:
    community: str
    id: int
    at: datetime
    # report_spike, spam_spike, keyword, unanswered_question ...
    kind: str
    # low, medium, high.
    severity: str
    group_key: str | None
    summary: str
    evidence: str = ""
    acked_at: datetime | None = None
    acked_by: str | None = None
    # Reminders posted while nobody acknowledged it, and the latest one.
    reminders: int = 0
    reminded_at: datetime | None = None
    # The members its summary and evidence name (table risk_alert_members,
    # migration 0012; none for alerts stored before it).
    named: tuple[NamedMember, ...] = ()


@dataclass(slots=True)
class LockdownRecord:
    """A group closed down during a raid (see `bot.features.risk.lockdown`)."""

    community: str
    id: int
    group_key: str
    started_at: datetime
    # The moderator who started it; None when the raid monitor did.
    started_by: str | None
    alert_id: int | None
    # Seconds each member waits between two messages while it lasts.
    slow_mode: int
    # Member keys muted by it, one per line: unmuted when it lifts.
    muted: str = ""
    lift_at: datetime | None = None
    lifted_at: datetime | None = None
    lifted_by: str | None = None


@dataclass(slots=True)
class SpamSnapshot:
    samples: list[SpamSampleRecord] = field(default_factory=list)
    # Flags still waiting (reported or open), and their reports.
    flags: list[FlagRecord] = field(default_factory=list)
    reports: list[ReportRecord] = field(default_factory=list)
    # Reporter -> how many of their reports moderators dismissed.
    dismissed: dict[str, int] = field(default_factory=dict)
    last_flag_id: int = 0
    last_alert_id: int = 0
    # Alerts nobody acknowledged yet (recent ones), and lockdowns in force.
    open_alerts: list[RiskAlertRecord] = field(default_factory=list)
    lockdowns: list[LockdownRecord] = field(default_factory=list)
    last_lockdown_id: int = 0
