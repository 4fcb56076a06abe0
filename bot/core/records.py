"""Plain records the core hands to its store and gets back from it.

They are the shapes of the rows, without any storage library: the repositories
in `storage/` map them to tables. All datetimes are timezone-aware UTC.
Each feature keeps its own records beside it (`bot/features/*/records.py`).
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


# A group's state. Open: members are placed there. Spare: pre-created and
# waiting in the pool. Channel: a chat of the community that is not a group
# of its own (a Discord channel beside the group's main one): rules and
# points apply, nobody is placed there.
OPEN = "open"
SPARE = "spare"
CHANNEL = "channel"
# A group that moved to another chat id (`ChatMoved`): its record stays in
# the store for the history kept under its old key, and is not loaded.
MOVED = "moved"
# The moderators' log chat: never a group of the community. Its record is
# made up for each event there and never kept, so it takes no serial, no
# member is placed there and nothing there is counted.
LOG = "log"


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
    # Spending (a redemption) or its refund: moves the balance, not the
    # lifetime points levels follow.
    spent: bool = False


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
    # Members who voted in the bot's polls that closed that day (migration 0010_21a).
    poll_votes: int = 0


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
    # Points earned over a lifetime (the ledger without spending).
    lifetime: dict[str, int] = field(default_factory=dict)
    # Points from messages since the start of the community's local day.
    message_points_today: dict[str, int] = field(default_factory=dict)
    warnings: list[WarningRecord] = field(default_factory=list)
    stats: list[DailyStatsRecord] = field(default_factory=list)
    last_case_id: int = 0
    last_warning_id: int = 0
    # The same members by key, when the store built that dict as it read
    # them: the directory adopts it rather than hashing a million keys again.
    member_index: dict[str, MemberRecord] | None = None


@dataclass(frozen=True, slots=True)
class CursorRecord:
    """How far a platform's update stream has been handled (Telegram's last
    update_id): written in the same transaction as the updates' effects, so
    an update redelivered after a crash is skipped exactly when its effects
    were stored."""

    community: str
    platform: str
    position: int


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """An action an event produced, stored in the same transaction as the
    event's effects and sent only once that transaction commits: after a
    crash the ones not marked `sent` are sent on start (a transactional
    outbox). `payload` is the action in `bot.core.action_codec`'s JSON; a
    sent row keeps its key and drops its payload."""

    community: str
    key: str
    platform: str
    payload: str
    at: datetime
    sent: bool = False


@dataclass(frozen=True, slots=True)
class ChatMoveRecord:
    """A group's chat replaced by another (a Telegram group upgraded to a
    supergroup): every row of the community filed under `old_key` is filed
    under `new_key`, in the transaction of the batch that carries it, after
    the batch's other rows and before its daily stats (see
    `storage.chat_move`). Moving again finds nothing left to move."""

    community: str
    old_key: str
    new_key: str
    at: datetime


@dataclass(slots=True)
class WriteBatch:
    """One transaction's worth of writes, in the order the engine made them."""

    members: list[MemberRecord] = field(default_factory=list)
    groups: list[GroupRecord] = field(default_factory=list)
    memberships: list[MembershipRecord] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    warnings: list[WarningRecord] = field(default_factory=list)
    moves: list[ChatMoveRecord] = field(default_factory=list)
    stats: list[DailyStatsRecord] = field(default_factory=list)
    cursors: list[CursorRecord] = field(default_factory=list)
    outbox: list[OutboxRecord] = field(default_factory=list)

    def __len__(self) -> int:
        return (
            len(self.cursors)
            + len(self.outbox)
            + len(self.members)
            + len(self.groups)
            + len(self.memberships)
            + len(self.ledger)
            + len(self.cases)
            + len(self.warnings)
            + len(self.moves)
            + len(self.stats)
        )


@dataclass(frozen=True, slots=True)
class WriteResult:
    # Ledger keys that were already stored (a replay): not applied again.
    duplicate_keys: frozenset[str] = frozenset()
