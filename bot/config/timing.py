"""When a scheduled post fires: five-field cron, a fixed interval, or one time.

Cron reads like Vixie cron: `minute hour day-of-month month day-of-week`,
with `*`, lists, ranges and steps, month names (`jan`) and weekday names
(`mon`; 0 and 7 are Sunday). When both day fields are restricted a day
matching either one fires, as in cron.

Times are wall-clock times in the post's time zone, so `0 9 * * *` stays at
09:00 across daylight-saving changes. A time the clock skips in spring fires
when the wall clock has moved past it (02:30 fires at 03:30); a time that
happens twice in autumn fires once, the first time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")  # fmt: skip
_DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
# Both the three-letter abbreviations and the full names.
_MONTHS = {n: i for i, name in enumerate(_MONTH_NAMES, 1) for n in (name[:3], name)}
_WEEKDAYS = {n: i for i, name in enumerate(_DAY_NAMES) for n in (name[:3], name)}
_PART = re.compile(r"^(?P<range>\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(?P<step>\d+))?$")
# How far ahead a cron expression is searched: `0 0 29 2 mon` needs years.
_HORIZON_DAYS = 366 * 28


@dataclass(frozen=True, slots=True)
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    def day_matches(self, d: date) -> bool:
        if d.month not in self.months:
            return False
        dom = d.day in self.days
        dow = (d.weekday() + 1) % 7 in self.weekdays
        if self.any_day or self.any_weekday:
            return dom and dow
        return dom or dow


class CronError(ValueError):
    """A cron expression that does not parse. `str()` is the owner's reason
    in English (config errors); `kind` and `values` let a chat reply say it
    in the reader's language (`schedule.cron.<kind>`)."""

    def __init__(self, kind: str, reason: str, **values: object) -> None:
        super().__init__(reason)
        self.kind = kind
        self.values = values


def _value(text: str, lo: int, hi: int, names: dict[str, int], field: str) -> int:
    if text.isdigit():
        n = int(text)
    elif text in names:
        n = names[text]
    else:
        raise CronError("unreadable", f"{field}: cannot read {text!r}", field=field, text=text)
    if not lo <= n <= hi:
        raise CronError(
            "outside", f"{field}: {n} is outside {lo}-{hi}", field=field, value=n, lo=lo, hi=hi
        )
    return n


def _field(text: str, lo: int, hi: int, names: dict[str, int], field: str) -> set[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        m = _PART.match(part)
        if m is None:
            raise CronError("unreadable", f"{field}: cannot read {part!r}", field=field, text=part)
        span, step_text = m["range"], m["step"]
        step = int(step_text) if step_text else 1
        if step < 1:
            raise CronError("step", f"{field}: a step must be at least 1", field=field)
        if span == "*":
            first, last = lo, hi
        elif "-" in span:
            a, b = span.split("-")
            first, last = _value(a, lo, hi, names, field), _value(b, lo, hi, names, field)
            if first > last:
                raise CronError(
                    "backwards", f"{field}: range {span!r} runs backwards", field=field, text=span
                )
        else:
            first = _value(span, lo, hi, names, field)
            last = hi if step_text else first
        values.update(range(first, last + 1, step))
    return values


def parse_cron(expr: str) -> Cron:
    """Parse five cron fields; raise ValueError with a reason an owner can act on."""
    parts = expr.split()
    if len(parts) != 5:
        raise CronError(
            "fields",
            f"{expr!r} needs five fields: minute hour day month weekday (e.g. '0 9 * * mon-fri')",
            text=expr,
        )
    minute, hour, dom, month, dow = parts
    weekdays = _field(dow, 0, 7, _WEEKDAYS, "weekday")
    if 7 in weekdays:
        weekdays = (weekdays - {7}) | {0}
    return Cron(
        minutes=tuple(sorted(_field(minute, 0, 59, {}, "minute"))),
        hours=tuple(sorted(_field(hour, 0, 23, {}, "hour"))),
        days=frozenset(_field(dom, 1, 31, {}, "day")),
        months=frozenset(_field(month, 1, 12, _MONTHS, "month")),
        weekdays=frozenset(weekdays),
        any_day=dom == "*",
        any_weekday=dow == "*",
    )


class Timing(Protocol):
    def next_after(self, after: datetime) -> datetime | None:
        """The first fire time strictly after `after` (aware UTC), or None."""
        ...


@dataclass(frozen=True, slots=True)
class CronTiming:
    cron: Cron
    tz: ZoneInfo

    def next_after(self, after: datetime) -> datetime | None:
        local = after.astimezone(self.tz)
        # A day starts at most a few hours off its UTC neighbours; starting a
        # day early covers a skipped hour mapped past midnight.
        day = local.date() - timedelta(days=1)
        cron = self.cron
        for _ in range(_HORIZON_DAYS):
            if cron.day_matches(day):
                best: datetime | None = None
                for h in cron.hours:
                    for m in cron.minutes:
                        # fold=0: a repeated time is its first occurrence, a
                        # skipped one lands past the gap.
                        at = datetime.combine(day, time(h, m), self.tz).astimezone(UTC)
                        if at > after and (best is None or at < best):
                            best = at
                if best is not None:
                    return best
            day += timedelta(days=1)
        return None


@dataclass(frozen=True, slots=True)
class IntervalTiming:
    every: timedelta
    anchor: datetime

    def next_after(self, after: datetime) -> datetime | None:
        if after < self.anchor:
            return self.anchor
        steps = (after - self.anchor) // self.every + 1
        return self.anchor + steps * self.every


@dataclass(frozen=True, slots=True)
class OnceTiming:
    at: datetime

    def next_after(self, after: datetime) -> datetime | None:
        return self.at if self.at > after else None


def fire_times(timing: Timing, after: datetime, until: datetime, cap: int) -> list[datetime]:
    """Fire times in (after, until], oldest first, at most the `cap` latest."""
    out: list[datetime] = []
    at = timing.next_after(after)
    while at is not None and at <= until:
        out.append(at)
        if len(out) > cap:
            del out[0]
        at = timing.next_after(at)
    return out
