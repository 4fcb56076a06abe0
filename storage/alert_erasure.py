"""Risk alerts naming a member (`risk_alerts` with `risk_alert_members`):
their part of the member's copy and of an erasure.

An erasure finds the alerts that recorded the member by key and rewrites
their summary and evidence (the member shown as the alias, their quoted
words removed, bot/features/risk/alert_names.py); the record of whom the
alert names moves to the alias too. Alerts stored before migration 0012
recorded no one: among the kinds that name members, those whose texts
contain how the member is shown today (their @username, name or id) are
read and rewritten the same way; a name the member no longer bears is not
found there.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Table, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.mydata.store import Rows
from bot.features.risk.alert_names import NAMING, scrub, shown_as
from storage.models.base import Base

_ALERTS: Table = Base.metadata.tables["risk_alerts"]
_NAMED: Table = Base.metadata.tables["risk_alert_members"]
_MEMBERS: Table = Base.metadata.tables["members"]
_JOINED = (_ALERTS.c.community == _NAMED.c.community) & (_ALERTS.c.id == _NAMED.c.alert_id)


async def alerts_of(c: AsyncConnection, community: str, member_key: str) -> Rows:
    """The alerts naming the member, as the moderators read them, and what
    each shows of them. Not the evidence: a raid's lists other members."""
    a, n = _ALERTS.c, _NAMED.c
    rows = await c.execute(
        select(a.id, a.at, a.kind, a.severity, a.group_key, a.summary, n.shown, n.quoted)
        .join(_ALERTS, _JOINED)
        .where(n.community == community, n.member_key == member_key)
        .order_by(a.id)
    )
    return [
        {"id": i, "at": at.isoformat(), "kind": kind, "severity": severity, "group_key": group,
         "summary": summary, "shown_as": shown, "quoted": quoted}
        for i, at, kind, severity, group, summary, shown, quoted in rows
    ]  # fmt: skip


async def shown_now(c: AsyncConnection, community: str, member_key: str) -> set[str]:
    """How alerts show the member today (read before the profile is blanked)."""
    row = (
        await c.execute(
            select(_MEMBERS.c.name, _MEMBERS.c.username, _MEMBERS.c.user_id).where(
                _MEMBERS.c.community == community, _MEMBERS.c.key == member_key
            )
        )
    ).first()
    if row is None:
        return {member_key.partition(":")[2]}
    name, username, user_id = row
    return shown_as(name or "", username, user_id)


async def erase_alerts(
    c: AsyncConnection, community: str, member_key: str, alias: str, shown: Collection[str]
) -> int:
    """Rewrite every alert naming the member; how many were rewritten."""
    a, n = _ALERTS.c, _NAMED.c
    recorded = await c.execute(
        select(a.id, a.kind, a.summary, a.evidence, n.shown, n.quoted)
        .join(_ALERTS, _JOINED)
        .where(n.community == community, n.member_key == member_key)
    )
    count = 0
    for alert_id, kind, summary, evidence, was_shown, quoted in recorded.all():
        texts = scrub(kind, summary, evidence, {was_shown}, alias, quoted)
        await _rewrite(c, community, alert_id, texts)
        count += 1
    await c.execute(
        update(_NAMED)
        .where(n.community == community, n.member_key == member_key)
        .values(member_key=alias, shown=alias, quoted="")
    )
    return count + await _erase_unrecorded(c, community, alias, shown)


async def _erase_unrecorded(
    c: AsyncConnection, community: str, alias: str, shown: Collection[str]
) -> int:
    """Alerts from before migration 0012: found by how the member is shown."""
    a = _ALERTS.c
    shown = sorted(s for s in shown if s)
    if not shown:
        return 0
    recorded = exists().where(_JOINED)
    mentions = [col.contains(s, autoescape=True) for s in shown for col in (a.summary, a.evidence)]
    rows = await c.execute(
        select(a.id, a.kind, a.summary, a.evidence).where(
            a.community == community, a.kind.in_(sorted(NAMING)), ~recorded, or_(*mentions)
        )
    )
    count = 0
    for alert_id, kind, summary, evidence in rows.all():
        texts = scrub(kind, summary, evidence, shown, alias)
        if texts != (summary, evidence):
            await _rewrite(c, community, alert_id, texts)
            count += 1
    return count


async def _rewrite(
    c: AsyncConnection, community: str, alert_id: int, texts: tuple[str, str]
) -> None:
    summary, evidence = texts
    await c.execute(
        update(_ALERTS)
        .where(_ALERTS.c.community == community, _ALERTS.c.id == alert_id)
        .values(summary=summary, evidence=evidence)
    )
