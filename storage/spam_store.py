"""`SqlSpamStore`: the core's `SpamStore` port (spam samples, members'
reports, the review queue, risk alerts) on the same database as `SqlStore`.

All of these are rare and each write is its own awaited transaction: a
moderator's /spam or a member's /report is stored before it is answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.risk.records import (
    FlagRecord,
    LockdownRecord,
    NamedMember,
    ReportRecord,
    RiskAlertRecord,
    SpamSampleRecord,
    SpamSnapshot,
)
from storage.engine_store import EngineStore, dialect_insert, upsert
from storage.models.base import Base
from storage.models.risk import (
    Flag,
    Lockdown,
    Report,
    RiskAlert,
    RiskAlertMember,
    RiskSummary,
    SpamSample,
)

_SAMPLES: Table = Base.metadata.tables[SpamSample.__tablename__]
_FLAGS: Table = Base.metadata.tables[Flag.__tablename__]
_REPORTS: Table = Base.metadata.tables[Report.__tablename__]
_ALERTS: Table = Base.metadata.tables[RiskAlert.__tablename__]
_NAMED: Table = Base.metadata.tables[RiskAlertMember.__tablename__]
_SUMMARIES: Table = Base.metadata.tables[RiskSummary.__tablename__]
_LOCKDOWNS: Table = Base.metadata.tables[Lockdown.__tablename__]
# Unacknowledged alerts older than this are not reminded of after a restart.
_OPEN_ALERTS = timedelta(days=2)
_WAITING = ("reported", "open")
# What changes in a stored alert: its acknowledgement and reminders.
_FOLLOW_UP = ("acked_at", "acked_by", "reminders", "reminded_at")


def _names(record: type[Any]) -> list[str]:
    return [f.name for f in fields(record)]


# An alert's columns: whom it names is a table of its own.
_ALERT_COLUMNS = [_ALERTS.c[n] for n in _names(RiskAlertRecord) if n != "named"]


async def _alerts(c: AsyncConnection, *where: ColumnElement[bool]) -> list[RiskAlertRecord]:
    """The alerts `where` selects, oldest first, with the members each
    names (read in one more query, on the same condition)."""
    rows = await c.execute(select(*_ALERT_COLUMNS).where(*where).order_by(_ALERTS.c.id))
    by_id = {a.id: a for a in (RiskAlertRecord(*row) for row in rows)}
    if not by_id:
        return []
    named = await c.execute(
        select(_NAMED.c.alert_id, _NAMED.c.member_key, _NAMED.c.shown, _NAMED.c.quoted)
        .join(
            _ALERTS,
            (_ALERTS.c.community == _NAMED.c.community) & (_ALERTS.c.id == _NAMED.c.alert_id),
        )
        .where(*where)
        .order_by(_NAMED.c.alert_id, _NAMED.c.member_key)
    )
    for alert_id, key, shown, quoted in named:
        alert = by_id[alert_id]
        alert.named = (*alert.named, NamedMember(key, shown, quoted))
    return list(by_id.values())


class SqlSpamStore(EngineStore):
    async def load_spam(self, community: str) -> SpamSnapshot:
        async with self._reading() as c:
            sample_cols = [_SAMPLES.c[n] for n in _names(SpamSampleRecord)]
            samples = [
                SpamSampleRecord(*row)
                for row in await c.execute(
                    select(*sample_cols)
                    .where(_SAMPLES.c.community == community)
                    .order_by(_SAMPLES.c.id)
                )
            ]
            flag_cols = [_FLAGS.c[n] for n in _names(FlagRecord)]
            flags = [
                FlagRecord(*row)
                for row in await c.execute(
                    select(*flag_cols)
                    .where(_FLAGS.c.community == community, _FLAGS.c.status.in_(_WAITING))
                    .order_by(_FLAGS.c.id)
                )
            ]
            waiting = [f.id for f in flags]
            report_cols = [_REPORTS.c[n] for n in _names(ReportRecord)]
            reports = (
                [
                    ReportRecord(*row)
                    for row in await c.execute(
                        select(*report_cols).where(
                            _REPORTS.c.community == community, _REPORTS.c.flag_id.in_(waiting)
                        )
                    )
                ]
                if waiting
                else []
            )
            dismissed_rows = await c.execute(
                select(_REPORTS.c.reporter_key, func.count())
                .join(
                    _FLAGS,
                    (_FLAGS.c.community == _REPORTS.c.community)
                    & (_FLAGS.c.id == _REPORTS.c.flag_id),
                )
                .where(_REPORTS.c.community == community, _FLAGS.c.status == "dismissed")
                .group_by(_REPORTS.c.reporter_key)
            )
            dismissed = {key: int(n) for key, n in dismissed_rows}
            last_flag = await c.scalar(
                select(func.max(_FLAGS.c.id)).where(_FLAGS.c.community == community)
            )
            last_alert = await c.scalar(
                select(func.max(_ALERTS.c.id)).where(_ALERTS.c.community == community)
            )
            newest = await c.scalar(
                select(func.max(_ALERTS.c.at)).where(_ALERTS.c.community == community)
            )
            open_alerts = (
                await _alerts(
                    c,
                    _ALERTS.c.community == community,
                    _ALERTS.c.acked_at.is_(None),
                    _ALERTS.c.at >= newest - _OPEN_ALERTS,
                )
                if newest is not None
                else []
            )
            lockdown_cols = [_LOCKDOWNS.c[n] for n in _names(LockdownRecord)]
            lockdowns = [
                LockdownRecord(*row)
                for row in await c.execute(
                    select(*lockdown_cols)
                    .where(_LOCKDOWNS.c.community == community, _LOCKDOWNS.c.lifted_at.is_(None))
                    .order_by(_LOCKDOWNS.c.id)
                )
            ]
            last_lockdown = await c.scalar(
                select(func.max(_LOCKDOWNS.c.id)).where(_LOCKDOWNS.c.community == community)
            )
        return SpamSnapshot(
            samples=samples,
            flags=flags,
            reports=reports,
            dismissed=dismissed,
            last_flag_id=int(last_flag or 0),
            last_alert_id=int(last_alert or 0),
            open_alerts=open_alerts,
            lockdowns=lockdowns,
            last_lockdown_id=int(last_lockdown or 0),
        )

    async def add_samples(self, samples: Sequence[SpamSampleRecord]) -> None:
        if not samples:
            return
        async with self._writing() as c:
            await c.execute(_SAMPLES.insert(), [asdict(s) for s in samples])

    async def save_flag(self, flag: FlagRecord) -> None:
        await self._save(_FLAGS, asdict(flag))

    async def _save(self, table: Table, values: dict[str, Any]) -> None:
        async with self._writing() as c:
            await upsert(c, table, ("community", "id"), [values])

    async def add_report(self, report: ReportRecord) -> None:
        async with self._writing() as c:
            await c.execute(_REPORTS.insert().values(**asdict(report)))

    async def save_alert(self, alert: RiskAlertRecord) -> None:
        values = asdict(alert)
        del values["named"]
        async with self._writing() as c:
            insert = dialect_insert(c.dialect.name, _ALERTS)
            added = await c.execute(insert.values(**values).on_conflict_do_nothing())
            if not added.rowcount:
                # Stored before: only its acknowledgement and reminders
                # change. Its texts and whom it names are written once (an
                # erasure alone rewrites them), so a copy held from before
                # an erasure (a running bot's, while `groupkeeper member
                # erase` ran) cannot write a name back.
                await c.execute(
                    update(_ALERTS)
                    .where(_ALERTS.c.community == alert.community, _ALERTS.c.id == alert.id)
                    .values({name: values[name] for name in _FOLLOW_UP})
                )
                return
            if alert.named:
                await c.execute(
                    _NAMED.insert(),
                    [
                        {"community": alert.community, "alert_id": alert.id,
                         "member_key": n.key, "shown": n.shown, "quoted": n.quoted}
                        for n in alert.named
                    ],
                )  # fmt: skip

    async def alerts_since(self, community: str, since: datetime) -> list[RiskAlertRecord]:
        async with self._reading() as c:
            return await _alerts(c, _ALERTS.c.community == community, _ALERTS.c.at >= since)

    async def claim_summary(self, community: str, day: date, at: datetime) -> bool:
        async with self._writing() as c:
            insert = dialect_insert(c.dialect.name, _SUMMARIES)
            done = await c.execute(
                insert.values(community=community, day=day, at=at).on_conflict_do_nothing()
            )
            return bool(done.rowcount)

    async def save_lockdown(self, lockdown: LockdownRecord) -> None:
        await self._save(_LOCKDOWNS, asdict(lockdown))
