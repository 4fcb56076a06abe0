"""The entry gate's and the overflow planner's state (migration 0007).

Newcomers on their way in hold places and wait on answers; a restart must
lose none of it. Saved at the end of each event that changed it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
