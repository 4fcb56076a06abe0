"""The schedule's store port."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.features.schedule.records import PostRunRecord, ScheduledPostRecord


class ScheduleStore(Protocol):
    """Scheduled posts and their runs. Claims are atomic: of several processes
    (or a restarted one) only one ever gets a given post and fire time."""

    async def scheduled_posts(self, community: str) -> list[ScheduledPostRecord]: ...

    async def save_post(self, post: ScheduledPostRecord) -> None:
        """Insert the post, or update its definition and pause (never its
        cursor or count: only claims move those)."""
        ...

    async def delete_post(self, community: str, post_id: str) -> bool: ...

    async def claim_run(
        self,
        community: str,
        post_id: str,
        fire_time: datetime,
        group_keys: Sequence[str],
        *,
        since: datetime,
        missed: bool,
        at: datetime,
    ) -> int | None:
        """Take the fire time: move the post's cursor to it (a post with no
        row yet starts at `since`) and record a run per group, `missed` or
        `sending`. Returns how many fire times were delivered before (the
        rotation position), or None when the fire time was already taken."""
        ...

    async def finish_run(
        self,
        community: str,
        post_id: str,
        group_key: str,
        fire_time: datetime,
        status: str,
        message_id: int | None,
    ) -> None: ...

    async def last_pinned(
        self, community: str, post_id: str, group_key: str, before: datetime
    ) -> int | None:
        """The message the post's latest earlier pinned run left in the group."""
        ...

    async def post_runs(self, community: str, post_id: str | None = None) -> list[PostRunRecord]:
        """Runs, oldest fire time first."""
        ...
