"""Plain records the core hands to its store and gets back from it.

They are the shapes of the rows, without any storage library: the repositories
in `storage/` map them to tables. All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True)
class MemberRecord:
    community: str
    key: str
    platform: str
    user_id: str
    name: str = ""
    username: str | None = None
    role: str = "member"
    language: str | None = None
    joined_at: datetime | None = None
    last_seen: datetime | None = None
    message_count: int = 0
    streak: int = 0
    last_checkin: date | None = None
    last_points_at: datetime | None = None


@dataclass(slots=True)
class GroupRecord:
    community: str
    chat_key: str
    platform: str
    chat_id: str
    title: str = ""
    serial: int = 1
    capacity: int = 500
    state: str = "open"
    member_count: int = 0
    created_at: datetime | None = None


@dataclass(slots=True)
class MembershipRecord:
    """A member's presence in one group of the community."""

    community: str
    member_key: str
    group_key: str
    joined_at: datetime
    left_at: datetime | None = None
    invite: str | None = None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    community: str
    member_key: str
    delta: int
    reason: str
    # Unique per community: replaying the event that earned it adds nothing.
    key: str
    at: datetime
    group_key: str | None = None


@dataclass(frozen=True, slots=True)
class CaseRecord:
    community: str
    id: int
    at: datetime
    action: str
    member_key: str
    group_key: str | None = None
    moderator_key: str | None = None
    rule: str | None = None
    reason: str = ""
    details: str = ""
    duration: str | None = None
    message_text: str = ""


@dataclass(slots=True)
class WarningRecord:
    community: str
    id: int
    member_key: str
    at: datetime
    expires_at: datetime
    case_id: int
    rule: str | None = None
    active: bool = True


@dataclass(slots=True)
class DailyStatsRecord:
    community: str
    group_key: str
    day: date
    messages: int = 0
    active_members: int = 0
    joins: int = 0
    leaves: int = 0
    checkins: int = 0
    points_issued: int = 0
    removed: int = 0
    warnings: int = 0
    # Analytics (migration 0005). Economy counters a group cannot claim (a
    # redemption made in a private chat) go to the row of group key "".
    points_spent: int = 0
    spam_removed: int = 0
    reports: int = 0
    alerts: int = 0
    rsvps: int = 0
    attended: int = 0
    invites_issued: int = 0
    invites_used: int = 0


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """A member was active (posted or used a command) in a group on a local day."""

    community: str
    group_key: str
    member_key: str
    day: date


@dataclass(slots=True)
class Snapshot:
    """Everything the engine keeps in memory, as a restarted process loads it."""

    members: list[MemberRecord] = field(default_factory=list)
    groups: list[GroupRecord] = field(default_factory=list)
    balances: dict[str, int] = field(default_factory=dict)
    # Points from messages since the start of the community's local day.
    message_points_today: dict[str, int] = field(default_factory=dict)
    warnings: list[WarningRecord] = field(default_factory=list)
    stats: list[DailyStatsRecord] = field(default_factory=list)
    last_case_id: int = 0
    last_warning_id: int = 0


@dataclass(frozen=True, slots=True)
class CursorRecord:
    """How far a platform's update stream has been handled (Telegram's last
    update_id): written in the same transaction as the updates' effects, so
    an update redelivered after a crash is skipped exactly when its effects
    were stored."""

    community: str
    platform: str
    position: int


@dataclass(slots=True)
class WriteBatch:
    """One transaction's worth of writes, in the order the engine made them."""

    members: list[MemberRecord] = field(default_factory=list)
    groups: list[GroupRecord] = field(default_factory=list)
    memberships: list[MembershipRecord] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    warnings: list[WarningRecord] = field(default_factory=list)
    stats: list[DailyStatsRecord] = field(default_factory=list)
    cursors: list[CursorRecord] = field(default_factory=list)

    def __len__(self) -> int:
        return (
            len(self.cursors)
            + len(self.members)
            + len(self.groups)
            + len(self.memberships)
            + len(self.ledger)
            + len(self.cases)
            + len(self.warnings)
            + len(self.stats)
        )


@dataclass(frozen=True, slots=True)
class WriteResult:
    # Ledger keys that were already stored (a replay): not applied again.
    duplicate_keys: frozenset[str] = frozenset()


# --- Scheduled content ---------------------------------------------------------


@dataclass(slots=True)
class ScheduledPostRecord:
    """A scheduled post's progress, and for a post made from chat its definition."""

    community: str
    id: str
    # "config" (the YAML file defines it) or "chat" (/schedule add).
    source: str
    # The latest fire time handled (sent, or recorded as missed).
    cursor: datetime | None = None
    # Fire times delivered so far: where a rotation stands.
    fired: int = 0
    paused: bool = False
    cron: str | None = None
    text: str | None = None
    # Chat posts: the group keys it goes to, comma-separated; None: every group.
    groups: str | None = None
    created_by: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PostRunRecord:
    """One post in one group at one fire time: unique, so it happens once."""

    community: str
    post_id: str
    # The chat key, or "dm" for a post sent to members privately.
    group_key: str
    fire_time: datetime
    # sending -> sent | pinned | failed; or missed (the bot was down past the
    # grace period).
    status: str
    message_id: int | None = None
    at: datetime | None = None


# --- The points economy: shop, events, referrals -----------------------------
# Rare writes: the economy store saves them at once (awaited), each together
# with the ledger entries it pays or charges, in one transaction.


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


# --- Spam samples, reports, the review queue and risk alerts -------------------
# Rare writes, each awaited through the `SpamStore` port.


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


@dataclass(slots=True)
class LockdownRecord:
    """A group closed down during a raid (see `bot.lockdown`)."""

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


# --- The entry gate and the overflow planner (migration 0007) ------------------
# Newcomers on their way in hold places and wait on answers; a restart must
# lose none of it. Saved at the end of each event that changed it.


@dataclass(frozen=True, slots=True)
class EntryInviteRecord:
    """A single-use entry invite handed out and not used yet: it holds a
    place in its group until it is used or expires."""

    community: str
    member_key: str
    group_key: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class EntryStageRecord:
    """Where a newcomer stands in the entry gate."""

    community: str
    member_key: str
    # "captcha" (asked, answer pending), "waiting" (for a moderator's /admit
    # or /deny) or "blocked" (failed the captcha, may try again later).
    stage: str
    at: datetime
    # How to reach them when the member row is not saved yet.
    user_name: str = ""
    username: str | None = None
    # The captcha's deadline, or the end of a block.
    expires_at: datetime | None = None
    # The captcha's accepted answers, one per line.
    answers: str = ""
    tries_left: int = 0
    # The group of a Telegram join request being decided.
    request_key: str | None = None
    # The group a direct joiner (no entry invite) must pass the captcha to stay in.
    joined_key: str | None = None


@dataclass(frozen=True, slots=True)
class OverflowNoteRecord:
    """What the planner must remember across restarts so as not to act or
    speak twice: `warned:<platform>:<message>` (the pool level the owner was
    last told about) and `cloning:<platform>` (the serial of a clone asked for
    and not reported open yet)."""

    community: str
    key: str
    value: int
    at: datetime


@dataclass(slots=True)
class OverflowSnapshot:
    invites: list[EntryInviteRecord] = field(default_factory=list)
    stages: list[EntryStageRecord] = field(default_factory=list)
    notes: list[OverflowNoteRecord] = field(default_factory=list)


@dataclass(slots=True)
class OverflowChanges:
    """One transaction: rows to upsert and keys to delete."""

    community: str
    invites: list[EntryInviteRecord] = field(default_factory=list)
    invites_gone: list[str] = field(default_factory=list)
    stages: list[EntryStageRecord] = field(default_factory=list)
    stages_gone: list[str] = field(default_factory=list)
    notes: list[OverflowNoteRecord] = field(default_factory=list)
    notes_gone: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.invites
            or self.invites_gone
            or self.stages
            or self.stages_gone
            or self.notes
            or self.notes_gone
        )
