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

from sqlalchemy import Table, func, select

from bot.features.risk.records import (
    FlagRecord,
    LockdownRecord,
    ReportRecord,
    RiskAlertRecord,
    SpamSampleRecord,
    SpamSnapshot,
)
from storage.engine_store import EngineStore, dialect_insert, upsert
from storage.models.base import Base
from storage.models.risk import Flag, Lockdown, Report, RiskAlert, RiskSummary, SpamSample

_SAMPLES: Table = Base.metadata.tables[SpamSample.__tablename__]
_FLAGS: Table = Base.metadata.tables[Flag.__tablename__]
_REPORTS: Table = Base.metadata.tables[Report.__tablename__]
_ALERTS: Table = Base.metadata.tables[RiskAlert.__tablename__]
_SUMMARIES: Table = Base.metadata.tables[RiskSummary.__tablename__]
_LOCKDOWNS: Table = Base.metadata.tables[Lockdown.__tablename__]
# Unacknowledged alerts older than this are not reminded of after a restart.
_OPEN_ALERTS = timedelta(days=2)
_WAITING = ("reported", "open")


def _names(record: type[Any]) -> list[str]:
    return [f.name for f in fields(record)]


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
            alert_cols = [_ALERTS.c[n] for n in _names(RiskAlertRecord)]
            newest = await c.scalar(
                select(func.max(_ALERTS.c.at)).where(_ALERTS.c.community == community)
            )
            open_alerts = (
                [
                    RiskAlertRecord(*row)
                    for row in await c.execute(
                        select(*alert_cols)
                        .where(
                            _ALERTS.c.community == community,
                            _ALERTS.c.acked_at.is_(None),
                            _ALERTS.c.at >= newest - _OPEN_ALERTS,
                        )
                        .order_by(_ALERTS.c.id)
                    )
                ]
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
        await self._save(_ALERTS, asdict(alert))

    async def alerts_since(self, community: str, since: datetime) -> list[RiskAlertRecord]:
        cols = [_ALERTS.c[n] for n in _names(RiskAlertRecord)]
        async with self._reading() as c:
            rows = await c.execute(
                select(*cols)
                .where(_ALERTS.c.community == community, _ALERTS.c.at >= since)
                .order_by(_ALERTS.c.id)
            )
            return [RiskAlertRecord(*row) for row in rows]

    async def claim_summary(self, community: str, day: date, at: datetime) -> bool:
        async with self._writing() as c:
            insert = dialect_insert(c.dialect.name, _SUMMARIES)
            done = await c.execute(
                insert.values(community=community, day=day, at=at).on_conflict_do_nothing()
            )
            return bool(done.rowcount)

    async def save_lockdown(self, lockdown: LockdownRecord) -> None:
        await self._save(_LOCKDOWNS, asdict(lockdown))
