"""The community's local calendar: which local day, week and month an instant
falls in. Daily stats, message points, boards and summaries all count by it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Calendar:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._day_from = self._day_until = _EPOCH
        self._day = date(1970, 1, 1)

    def local_date(self, at: datetime) -> date:
        # Every message asks; the answer changes once a day.
        if self._day_from <= at < self._day_until:
            return self._day
        start = self.day_start(at)
        # Bounds in UTC: comparing datetimes that share a tzinfo skips the
        # offset lookups a comparison across zones costs.
        self._day_from = start.astimezone(UTC)
        self._day_until = self.day_start(start + timedelta(hours=25)).astimezone(UTC)
        self._day = start.date()
        return self._day

    def day_start(self, at: datetime) -> datetime:
        """Start of the local day containing `at`, as an aware datetime."""
        local = at.astimezone(self.tz)
        return datetime(local.year, local.month, local.day, tzinfo=self.tz)

    def week_start(self, at: datetime) -> datetime:
        start = self.day_start(at)
        monday = start.date() - timedelta(days=start.weekday())
        return datetime(monday.year, monday.month, monday.day, tzinfo=self.tz)

    def month_start(self, at: datetime) -> datetime:
        local = at.astimezone(self.tz)
        return datetime(local.year, local.month, 1, tzinfo=self.tz)
