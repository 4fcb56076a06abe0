"""What the core needs from the outside world, as Protocols.

`storage/` implements `Store`; `adapters/` implement `Gateway`; tests and the
console drive a `FakeClock`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from bot.actions import Action
from bot.analytics import AnalyticsInputs, Chart
from bot.records import (
    ActivityRecord,
    CaseRecord,
    DailyStatsRecord,
    EconomySnapshot,
    FlagRecord,
    GatheringRecord,
    InviteRecord,
    LedgerEntry,
    LockdownRecord,
    MembershipRecord,
    OverflowChanges,
    OverflowSnapshot,
    PostRunRecord,
    RedemptionRecord,
    ReferralRecord,
    ReportRecord,
    RiskAlertRecord,
    RsvpRecord,
    ScheduledPostRecord,
    Snapshot,
    SpamSampleRecord,
    SpamSnapshot,
    WriteBatch,
    WriteResult,
)

EconomyRow = RedemptionRecord | GatheringRecord | RsvpRecord | InviteRecord | ReferralRecord


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class Store(Protocol):
    async def ensure_community(self, slug: str, name: str, timezone: str) -> None:
        """Create the community's row, or update its name and time zone."""
        ...

    async def load(self, community: str, day_start: datetime) -> Snapshot:
        """Everything the engine keeps in memory. `day_start` is the start of
        the community's local day in UTC (for today's message points)."""
        ...

    async def write(self, batch: WriteBatch) -> WriteResult:
        """Apply a batch in one transaction. Ledger entries whose key exists are
        skipped and reported back; members, groups, warnings and stats are
        upserted; cases are inserted."""
        ...

    async def memberships(self, community: str, member_key: str) -> list[MembershipRecord]: ...

    async def case(self, community: str, case_id: int) -> CaseRecord | None: ...

    async def ledger(self, community: str, member_key: str, limit: int = 20) -> list[LedgerEntry]:
        """The member's latest entries, newest first."""
        ...

    async def cursor(self, community: str, platform: str) -> int | None:
        """The position stored with the last batch (see `CursorRecord`)."""
        ...

    async def daily_stats(
        self, community: str, since: date, until: date
    ) -> list[DailyStatsRecord]: ...

    async def close(self) -> None: ...


class Gateway(Protocol):
    async def execute(self, actions: Sequence[Action]) -> None:
        """Carry the actions out on the platform. A failure is logged and
        reported, never raised."""
        ...


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


class EconomyStore(Protocol):
    """Shop redemptions, events, RSVPs, invites and referrals: rare writes,
    saved at once, each in one transaction with the ledger entries it makes."""

    async def load_economy(
        self, community: str, week_start: datetime, month_start: datetime, day_start: datetime
    ) -> EconomySnapshot: ...

    async def save(
        self, rows: Sequence[EconomyRow], ledger: Sequence[LedgerEntry] = ()
    ) -> frozenset[str]:
        """Upsert the rows and append the entries; returns the keys of entries
        that were already stored (and so not applied again)."""
        ...

    async def balances(self, community: str) -> dict[str, int]: ...


class AnalyticsStore(Protocol):
    """Members' activity days, and the aggregates a report reads. Writes come
    in batches (one transaction each); a row already stored is skipped."""

    async def record_activity(self, rows: Sequence[ActivityRecord]) -> None: ...

    async def activity(self, community: str, since: date, until: date) -> list[ActivityRecord]:
        """Activity rows of the days from `since` to `until`, both included."""
        ...

    async def inputs(self, community: str, tz: str, since: date, until: date) -> AnalyticsInputs:
        """Everything the metrics of the period need (`bot.analytics.compute`);
        `tz` turns stored instants into the community's local days."""
        ...


class ChartRenderer(Protocol):
    async def render(self, chart: Chart) -> bytes:
        """The chart as a PNG of `chart.width` x `chart.height` pixels."""
        ...


class SpamStore(Protocol):
    """Spam samples, members' reports, the review queue and risk alerts: rare
    writes, each awaited (a report must be counted before it is answered)."""

    async def load_spam(self, community: str) -> SpamSnapshot: ...

    async def add_samples(self, samples: Sequence[SpamSampleRecord]) -> None: ...

    async def save_flag(self, flag: FlagRecord) -> None:
        """Insert the flag, or update its status and resolution."""
        ...

    async def add_report(self, report: ReportRecord) -> None: ...

    async def save_alert(self, alert: RiskAlertRecord) -> None:
        """Insert the alert, or update its acknowledgement and reminders."""
        ...

    async def alerts_since(self, community: str, since: datetime) -> list[RiskAlertRecord]: ...

    async def claim_summary(self, community: str, day: date, at: datetime) -> bool:
        """Take the day's risk summary; False when it was taken before (it
        has been posted, perhaps before a restart)."""
        ...

    async def save_lockdown(self, lockdown: LockdownRecord) -> None:
        """Insert the lockdown, or update it (members muted, lifted)."""
        ...


class OverflowStore(Protocol):
    """The entry gate's and the overflow planner's state: invites holding
    places, captchas and their deadlines, the approval queue, and what the
    owner was already told. Each save is one awaited transaction."""

    async def load_overflow(self, community: str) -> OverflowSnapshot: ...

    async def save_overflow(self, changes: OverflowChanges) -> None:
        """Upsert the rows and delete the keys named gone, in one transaction."""
        ...
