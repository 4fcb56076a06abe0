"""The risk feature's store port: spam samples, flags, reports, alerts, lockdowns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from bot.features.risk.records import (
    FlagRecord,
    LockdownRecord,
    ReportRecord,
    RiskAlertRecord,
    SpamSampleRecord,
    SpamSnapshot,
)


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
