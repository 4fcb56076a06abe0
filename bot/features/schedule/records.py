"""Scheduled posts and their runs, as the schedule store keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
