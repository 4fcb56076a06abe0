"""The points economy's rows: shop redemptions, events, RSVPs, invites and
referrals.

Rare writes: the economy store saves them at once (awaited), each together
with the ledger entries it pays or charges, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class RedemptionRecord:
    community: str
    id: int
    item: str
    member_key: str
    cost: int
    at: datetime
    # pending -> fulfilled | rejected (refunded); a streak freeze: fulfilled -> used.
    status: str = "pending"
    resolved_at: datetime | None = None
    resolved_by: str | None = None


@dataclass(slots=True)
class GatheringRecord:
    """A community event (社群活动); "event" is taken by the core's event types."""

    community: str
    id: int
    title: str
    starts_at: datetime
    points: int
    code: str
    created_by: str
    capacity: int | None = None
    group_key: str | None = None
    reminded: bool = False


@dataclass(slots=True)
class RsvpRecord:
    community: str
    event_id: int
    member_key: str
    at: datetime


@dataclass(slots=True)
class InviteRecord:
    """A member's personal invite link; `token` is its last path segment (the
    Discord code, Telegram's `+abc`), which is what joins report."""

    community: str
    token: str
    member_key: str
    link: str
    created_at: datetime


@dataclass(slots=True)
class ReferralRecord:
    community: str
    invitee_key: str
    inviter_key: str
    joined_at: datetime
    group_key: str | None = None
    # The invitee's message count when they joined.
    base_messages: int = 0
    # pending -> qualified | left
    status: str = "pending"
    resolved_at: datetime | None = None


@dataclass(slots=True)
class EconomySnapshot:
    redemptions: list[RedemptionRecord] = field(default_factory=list)
    gatherings: list[GatheringRecord] = field(default_factory=list)
    rsvps: list[RsvpRecord] = field(default_factory=list)
    invites: list[InviteRecord] = field(default_factory=list)
    referrals: list[ReferralRecord] = field(default_factory=list)
    # Points earned since the start of this week / month (leaderboards).
    week: dict[str, int] = field(default_factory=dict)
    month: dict[str, int] = field(default_factory=dict)
    # Points from reactions since the start of today (their daily cap).
    reactions_today: dict[str, int] = field(default_factory=dict)
