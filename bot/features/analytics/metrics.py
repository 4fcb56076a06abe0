"""Community metrics, as pure functions over the daily aggregates and the
members' activity days: growth, DAU/WAU/MAU and stickiness, weekly join
cohorts and their retention, check-in rate, top contributors, and the
conversion of events and referrals.

Nothing here reads messages: a report costs the size of the aggregates (a row
per group and day, a row per member, group and active day), not of the chat.
All days are local days in the community's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from bot.core.records import ActivityRecord, DailyStatsRecord

# The daily counters, in the order reports show them.
COUNTERS: tuple[str, ...] = tuple(
    f.name for f in fields(DailyStatsRecord) if f.name not in ("community", "group_key", "day")
)
# What a /stats chart and the report's activity chart draw.
CHART_SERIES = ("messages", "active_members", "joins", "leaves")
MAU_WINDOW = 30
WAU_WINDOW = 7
RETENTION_WEEKS = 4


def days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class EventOutcome:
    """One community event: who said they would come, and who came."""

    id: int
    title: str
    day: date
    rsvps: int
    # Members who attended (claimed the code), and those of them who had RSVPed.
    attended: int
    attended_rsvped: int

    @property
    def conversion(self) -> float | None:
        return self.attended_rsvped / self.rsvps if self.rsvps else None


@dataclass(slots=True)
class AnalyticsInputs:
    """What the store hands over for a period: the aggregates, never messages."""

    since: date
    until: date
    stats: list[DailyStatsRecord] = field(default_factory=list)
    # From MAU_WINDOW - 1 days before `since`, so the first day's MAU is whole.
    activity: list[ActivityRecord] = field(default_factory=list)
    # Member -> the local day they first joined the community.
    first_joins: dict[str, date] = field(default_factory=dict)
    # Member -> group -> the local day they (last) joined that group.
    group_joins: dict[str, dict[str, date]] = field(default_factory=dict)
    group_titles: dict[str, str] = field(default_factory=dict)
    member_names: dict[str, str] = field(default_factory=dict)
    # Points earned (positive ledger entries) in the period, per member.
    points: dict[str, int] = field(default_factory=dict)
    events: list[EventOutcome] = field(default_factory=list)
    # Referral status -> how many (pending, qualified, left).
    referrals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Engagement:
    day: date
    dau: int
    wau: int
    mau: int


@dataclass(frozen=True, slots=True)
class Cohort:
    week: date
    size: int
    # Members of the cohort active in week 1, 2, ... after the join week; None
    # for a week that has not begun by the end of the period.
    retained: tuple[int | None, ...]

    def rate(self, k: int) -> float | None:
        n = self.retained[k]
        return None if n is None or not self.size else n / self.size


@dataclass(frozen=True, slots=True)
class Contributor:
    member_key: str
    name: str
    active_days: int
    points: int


@dataclass(slots=True)
class Metrics:
    """Everything a report shows for one scope: a group, or the community."""

    since: date
    until: date
    daily: list[DailyStatsRecord]
    totals: dict[str, int]
    engagement: list[Engagement]
    # Distinct members active at some point in the period.
    active_members: int
    stickiness: float | None
    checkin_rate: float | None
    cohorts: list[Cohort]
    top: list[Contributor]

    @property
    def net_growth(self) -> int:
        return self.totals["joins"] - self.totals["leaves"]

    @property
    def average_dau(self) -> float:
        return sum(e.dau for e in self.engagement) / len(self.engagement) if self.engagement else 0


def daily_totals(
    rows: Iterable[DailyStatsRecord], since: date, until: date, group_key: str | None = None
) -> list[DailyStatsRecord]:
    """One row per day of the period (zeros where nothing happened), summed
    over the groups, or only `group_key`'s."""
    out = {d: DailyStatsRecord("", group_key or "*", d) for d in days(since, until)}
    for r in rows:
        target = out.get(r.day)
        if target is None or (group_key is not None and r.group_key != group_key):
            continue
        for name in COUNTERS:
            setattr(target, name, getattr(target, name) + getattr(r, name))
    return list(out.values())


def active_days(
    activity: Iterable[ActivityRecord], group_key: str | None = None
) -> dict[str, set[date]]:
    """Member -> the days they were active (in any group, or in `group_key`)."""
    out: dict[str, set[date]] = {}
    for a in activity:
        if group_key is None or a.group_key == group_key:
            out.setdefault(a.member_key, set()).add(a.day)
    return out


def window_counts(
    by_member: Mapping[str, Iterable[date]], since: date, until: date, window: int
) -> list[int]:
    """For each day d of the period, how many members were active in the
    `window` days ending on d (1: DAU, 7: WAU, 30: MAU)."""
    return _windows(by_member, since, until, (window,))[0]


def _windows(
    by_member: Mapping[str, Iterable[date]], since: date, until: date, windows: Sequence[int]
) -> list[list[int]]:
    """`window_counts` for several windows in one pass over the members.

    Each active day covers the `window` days from it; a member's covers are
    merged and added to a difference array, so the cost is the number of
    activity rows, not rows times days."""
    base = since.toordinal()
    length = until.toordinal() - base + 1
    diffs = [[0] * (length + 1) for _ in windows]
    for member_days in by_member.values():
        offsets = sorted(d.toordinal() - base for d in member_days)
        for diff, window in zip(diffs, windows, strict=True):
            end = -1
            for offset in offsets:
                start = offset if offset > end else end + 1
                if start < 0:
                    start = 0
                stop = offset + window - 1
                if stop >= length:
                    stop = length - 1
                if start <= stop:
                    diff[start] += 1
                    diff[stop + 1] -= 1
                    end = stop
    out = []
    for diff in diffs:
        counts, running = [], 0
        for n in range(length):
            running += diff[n]
            counts.append(running)
        out.append(counts)
    return out


def engagement(
    by_member: Mapping[str, Iterable[date]], since: date, until: date
) -> list[Engagement]:
    dau, wau, mau = _windows(by_member, since, until, (1, WAU_WINDOW, MAU_WINDOW))
    return [Engagement(d, dau[n], wau[n], mau[n]) for n, d in enumerate(days(since, until))]


def stickiness(series: Sequence[Engagement]) -> float | None:
    """Average DAU over the period divided by the MAU of its last day."""
    if not series or not series[-1].mau:
        return None
    return sum(e.dau for e in series) / len(series) / series[-1].mau


def cohorts(
    joins: Mapping[str, date],
    by_member: Mapping[str, Iterable[date]],
    since: date,
    until: date,
    weeks: int = RETENTION_WEEKS,
) -> list[Cohort]:
    """Members grouped by the week they joined (weeks starting in the period,
    and the one containing `since`), and how many of each cohort were active
    in each of the `weeks` weeks after it."""
    first = week_of(since)
    groups: dict[date, list[str]] = {}
    for member, day in joins.items():
        if since <= day <= until or (first <= day < since):
            groups.setdefault(week_of(day), []).append(member)
    out = []
    for week in sorted(groups):
        members = groups[week]
        active_weeks = {m: {week_of(d) for d in by_member.get(m, ())} for m in members}
        retained: list[int | None] = []
        for k in range(1, weeks + 1):
            start = week + timedelta(weeks=k)
            if start > until:
                retained.append(None)
            else:
                retained.append(sum(1 for m in members if start in active_weeks[m]))
        out.append(Cohort(week, len(members), tuple(retained)))
    return out


def checkin_rate(daily: Sequence[DailyStatsRecord], series: Sequence[Engagement]) -> float | None:
    """Check-ins per active member-day: the share of the days members showed
    up on which they also checked in."""
    member_days = sum(e.dau for e in series)
    return sum(r.checkins for r in daily) / member_days if member_days else None


def top_contributors(
    by_member: Mapping[str, Iterable[date]],
    points: Mapping[str, int],
    names: Mapping[str, str],
    since: date,
    until: date,
    n: int = 10,
) -> list[Contributor]:
    """The most active members of the period: by active days, then points."""
    ranked = []
    for member, member_days in by_member.items():
        active = sum(1 for d in member_days if since <= d <= until)
        if active:
            ranked.append(
                Contributor(member, names.get(member, member), active, points.get(member, 0))
            )
    ranked.sort(key=lambda c: (-c.active_days, -c.points, c.member_key))
    return ranked[:n]


def referral_conversion(statuses: Mapping[str, int]) -> float | None:
    """Invitees who qualified, of every attributed invitee."""
    total = sum(statuses.values())
    return statuses.get("qualified", 0) / total if total else None


def event_conversion(events: Sequence[EventOutcome]) -> float | None:
    rsvps = sum(e.rsvps for e in events)
    return sum(e.attended_rsvped for e in events) / rsvps if rsvps else None


def compute(inputs: AnalyticsInputs, group_key: str | None = None, top: int = 10) -> Metrics:
    """The metrics of the period, for the community or one group."""
    since, until = inputs.since, inputs.until
    daily = daily_totals(inputs.stats, since, until, group_key)
    by_member = active_days(inputs.activity, group_key)
    series = engagement(by_member, since, until)
    if group_key is None:
        joins = inputs.first_joins
    else:
        joins = {m: g[group_key] for m, g in inputs.group_joins.items() if group_key in g}
    active = sum(1 for ds in by_member.values() if any(since <= d <= until for d in ds))
    return Metrics(
        since=since,
        until=until,
        daily=daily,
        totals={name: sum(getattr(r, name) for r in daily) for name in COUNTERS},
        engagement=series,
        active_members=active,
        stickiness=stickiness(series),
        checkin_rate=checkin_rate(daily, series),
        cohorts=cohorts(joins, by_member, since, until),
        top=top_contributors(by_member, inputs.points, inputs.member_names, since, until, top),
    )


def per_group(inputs: AnalyticsInputs) -> dict[str, AnalyticsInputs]:
    """The inputs split by group in one pass (a group's own stats, activity
    and joins), so a report over many groups reads each row once."""
    out: dict[str, AnalyticsInputs] = {}

    def of(group_key: str) -> AnalyticsInputs:
        found = out.get(group_key)
        if found is None:
            found = out[group_key] = AnalyticsInputs(
                inputs.since,
                inputs.until,
                group_titles=inputs.group_titles,
                member_names=inputs.member_names,
                points=inputs.points,
            )
        return found

    for r in inputs.stats:
        of(r.group_key).stats.append(r)
    for a in inputs.activity:
        of(a.group_key).activity.append(a)
    for member, groups in inputs.group_joins.items():
        for group_key, day in groups.items():
            of(group_key).first_joins[member] = day
    return out


@dataclass(frozen=True, slots=True)
class Chart:
    """A line chart over days, described in the core and drawn by an adapter
    (`adapters/charts.py`); labels arrive translated."""

    title: str
    days: tuple[date, ...]
    # (label, one value per day)
    series: tuple[tuple[str, tuple[float, ...]], ...]
    width: int = 800
    height: int = 500


def activity_chart(
    title: str, daily: Sequence[DailyStatsRecord], labels: Mapping[str, str]
) -> Chart:
    """Messages, active members, joins and leaves per day."""
    return Chart(
        title,
        tuple(r.day for r in daily),
        tuple(
            (labels[name], tuple(float(getattr(r, name)) for r in daily)) for name in CHART_SERIES
        ),
    )
