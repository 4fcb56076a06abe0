"""`SqlAnalyticsStore`: members' activity days, and the reads a report makes,
on the bot's own database (the `AnalyticsStore` port).

Activity rows arrive in batches from analytics (`bot.features.analytics`; one
transaction per tick); a row already stored is skipped, so a replay or a
restart that sees a member again adds nothing. The reads touch aggregates:
daily counters, activity days, memberships, events and referrals; the
ledger only for the period's points per member and the events' attendance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, Table, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.records import MOVED, ActivityRecord, DailyStatsRecord
from bot.features.analytics.metrics import MAU_WINDOW, AnalyticsInputs, EventOutcome
from storage.engine_store import EngineStore, dialect_insert
from storage.models.analytics import MemberActivity
from storage.models.base import Base
from storage.models.core import DailyStats, Group, Member, Membership, PointsEntry
from storage.models.economy import EventRsvp, Gathering, Referral


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


_ACTIVITY = _table(MemberActivity)
_STATS = _table(DailyStats)
_MEMBERS = _table(Member)
_GROUPS = _table(Group)
_MEMBERSHIPS = _table(Membership)
_LEDGER = _table(PointsEntry)
_EVENTS = _table(Gathering)
_RSVPS = _table(EventRsvp)
_REFERRALS = _table(Referral)
_STATS_FIELDS = tuple(f.name for f in fields(DailyStatsRecord))
# Rows per INSERT: SQLite allows 32766 variables, four per row.
_CHUNK = 2000
_EVENT_REASON = "event"


class SqlAnalyticsStore(EngineStore):
    async def record_activity(self, rows: Sequence[ActivityRecord]) -> None:
        if not rows:
            return
        statement = dialect_insert(self._dialect, _ACTIVITY).on_conflict_do_nothing()
        params = [
            {"community": r.community, "group_key": r.group_key, "member_key": r.member_key,
             "day": r.day}
            for r in rows
        ]  # fmt: skip
        async with self._writing() as conn:
            for i in range(0, len(params), _CHUNK):
                await conn.execute(statement.values(params[i : i + _CHUNK]))

    async def activity(self, community: str, since: date, until: date) -> list[ActivityRecord]:
        async with self._reading() as conn:
            rows = await _activity(conn, community, since, until)
        return sorted(rows, key=lambda r: (r.day, r.group_key, r.member_key))

    async def inputs(self, community: str, tz: str, since: date, until: date) -> AnalyticsInputs:
        zone = ZoneInfo(tz)
        start = datetime(since.year, since.month, since.day, tzinfo=zone).astimezone(UTC)
        after = until + timedelta(days=1)
        end = datetime(after.year, after.month, after.day, tzinfo=zone).astimezone(UTC)

        def local(at: datetime) -> date:
            return at.astimezone(zone).date()

        out = AnalyticsInputs(since, until)
        async with self._reading() as conn:
            s = _STATS.c
            result = await conn.execute(
                select(*(s[n] for n in _STATS_FIELDS))
                .where(s.community == community, s.day.between(since, until))
                .order_by(s.day, s.group_key)
            )
            out.stats = [DailyStatsRecord(*row) for row in result]
            out.activity = await _activity(
                conn, community, since - timedelta(days=MAU_WINDOW - 1), until
            )
            ms = _MEMBERSHIPS.c
            result = await conn.execute(
                select(ms.member_key, ms.group_key, ms.joined_at).where(ms.community == community)
            )
            for member, group, joined_at in result:
                day = local(joined_at)
                out.group_joins.setdefault(member, {})[group] = day
                first = out.first_joins.get(member)
                if first is None or day < first:
                    out.first_joins[member] = day
            m = _MEMBERS.c
            result = await conn.execute(
                select(m.key, m.name, m.username).where(m.community == community)
            )
            out.member_names = {key: f"@{username}" if username else name or key
                                for key, name, username in result}  # fmt: skip
            g = _GROUPS.c
            # A group that moved to another chat is listed there (its past
            # moved along, `storage.chat_move`).
            result = await conn.execute(
                select(g.chat_key, g.title).where(g.community == community, g.state != MOVED)
            )
            out.group_titles = {key: title or key for key, title in result}
            ledger = _LEDGER.c
            result = await conn.execute(
                select(ledger.member_key, func.sum(ledger.delta))
                .where(
                    ledger.community == community,
                    ledger.delta > 0,
                    ledger.at >= start,
                    ledger.at < end,
                )
                .group_by(ledger.member_key)
            )
            out.points = {key: int(total) for key, total in result}
            out.events = await self._events(conn, community, start, end, local)
            r = _REFERRALS.c
            result = await conn.execute(
                select(r.status, func.count())
                .where(r.community == community, r.joined_at >= start, r.joined_at < end)
                .group_by(r.status)
            )
            out.referrals = {status: int(n) for status, n in result}
        return out

    @staticmethod
    async def _events(
        conn: AsyncConnection, community: str, start: datetime, end: datetime, local: Any
    ) -> list[EventOutcome]:
        e = _EVENTS.c
        events = (
            await conn.execute(
                select(e.id, e.title, e.starts_at)
                .where(e.community == community, e.starts_at >= start, e.starts_at < end)
                .order_by(e.starts_at, e.id)
            )
        ).all()
        if not events:
            return []
        ids = [row.id for row in events]
        rv = _RSVPS.c
        rsvps: dict[int, set[str]] = {}
        result = await conn.execute(
            select(rv.event_id, rv.member_key).where(
                rv.community == community, rv.event_id.in_(ids)
            )
        )
        for event_id, member in result:
            rsvps.setdefault(event_id, set()).add(member)
        # Attendance pays once per member and event, under `event:<id>:<member>`.
        ledger = _LEDGER.c
        result = await conn.execute(
            select(ledger.key, ledger.member_key).where(
                ledger.community == community,
                ledger.reason == _EVENT_REASON,
                ledger.at >= start,
            )
        )
        attended: dict[int, set[str]] = {}
        for key, member in result:
            parts = key.split(":")
            if len(parts) >= 2 and parts[1].isdigit():
                attended.setdefault(int(parts[1]), set()).add(member)
        return [
            EventOutcome(
                id=row.id,
                title=row.title,
                day=local(row.starts_at),
                rsvps=len(rsvps.get(row.id, ())),
                attended=len(attended.get(row.id, ())),
                attended_rsvped=len(attended.get(row.id, set()) & rsvps.get(row.id, set())),
            )
            for row in events
        ]


async def _activity(
    conn: AsyncConnection, community: str, since: date, until: date
) -> list[ActivityRecord]:
    """The period's activity rows. The day is read as the driver gives it and
    converted once per distinct day: a report reads hundreds of thousands of
    rows over a few dozen days, and the Date type's per-row parsing was most
    of the read."""
    a = _ACTIVITY.c
    result = await conn.execute(
        select(a.group_key, a.member_key, type_coerce(a.day, String)).where(
            a.community == community, a.day.between(since, until)
        )
    )
    days: dict[Any, date] = {}
    out = []
    for group_key, member_key, raw in result:
        day = days.get(raw)
        if day is None:
            day = days[raw] = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        out.append(ActivityRecord(community, group_key, member_key, day))
    return out
