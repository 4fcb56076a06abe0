"""Seasons as periods of the community's calendar: a week from Monday 00:00
local time, a month from the 1st, named `2026-W49` and `2026-12`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.calendar import Calendar

KINDS = ("week", "month")


@dataclass(frozen=True, slots=True)
class Period:
    kind: str
    id: str
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def period(calendar: Calendar, kind: str, at: datetime) -> Period:
    """The week or month containing `at`, its bounds in UTC."""
    if kind == "week":
        start = calendar.week_start(at)
        end = calendar.week_start(start + timedelta(days=7, hours=12))
        year, week, _ = start.date().isocalendar()
        name = f"{year}-W{week:02d}"
    else:
        start = calendar.month_start(at)
        end = calendar.month_start(start + timedelta(days=32))
        name = f"{start.year}-{start.month:02d}"
    return Period(kind, name, start.astimezone(UTC), end.astimezone(UTC))


def kind_of(season_id: str) -> str | None:
    """`2026-W49` is a week, `2026-12` a month; anything else is neither."""
    year, _, rest = season_id.partition("-")
    if not (len(year) == 4 and year.isdigit()):
        return None
    if rest[:1].upper() == "W" and rest[1:].isdigit() and 1 <= int(rest[1:]) <= 53:
        return "week"
    if rest.isdigit() and 1 <= int(rest) <= 12 and len(rest) == 2:
        return "month"
    return None
