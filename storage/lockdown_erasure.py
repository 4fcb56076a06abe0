"""Lockdowns that muted a member (`lockdowns.muted`, member keys one per
line): their part of the member's copy and of an erasure. A lifted one
names the alias instead of the member; one in force names both until it
lifts, when the key goes (lifting it unmutes them: bot/features/risk/lockdown.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.mydata.store import Rows
from bot.features.risk.lockdown import forgotten
from storage.models.base import Base

_LOCKDOWNS: Table = Base.metadata.tables["lockdowns"]


@dataclass(frozen=True, slots=True)
class _Muting:
    id: int
    group_key: str
    muted: str
    started_at: datetime
    lifted_at: datetime | None


async def _muting(c: AsyncConnection, community: str, member_key: str) -> list[_Muting]:
    """The lockdowns that muted the member: few rows, matched line by line."""
    k = _LOCKDOWNS.c
    rows = await c.execute(
        select(k.id, k.group_key, k.muted, k.started_at, k.lifted_at)
        .where(k.community == community, k.muted.contains(member_key, autoescape=True))
        .order_by(k.id)
    )
    found = [_Muting(*row) for row in rows]
    return [m for m in found if member_key in m.muted.split("\n")]


async def lockdowns_of(c: AsyncConnection, community: str, member_key: str) -> Rows:
    return [
        {"id": m.id, "group_key": m.group_key, "started_at": m.started_at.isoformat(),
         "lifted_at": m.lifted_at.isoformat() if m.lifted_at else None}
        for m in await _muting(c, community, member_key)
    ]  # fmt: skip


async def erase_lockdowns(
    c: AsyncConnection, community: str, member_key: str, alias: str, kept: frozenset[int]
) -> tuple[int, int]:
    """The alias in the lockdowns that muted the member, beside their key in
    those in force (`kept`); (how many were rewritten, how many kept)."""
    done = held = 0
    for m in await _muting(c, community, member_key):
        if m.id in kept:
            muted = forgotten(m.muted, member_key, alias)
            held += 1
        else:
            lines = m.muted.split("\n")
            muted = "\n".join(alias if key == member_key else key for key in lines)
            done += 1
        await c.execute(
            update(_LOCKDOWNS)
            .where(_LOCKDOWNS.c.community == community, _LOCKDOWNS.c.id == m.id)
            .values(muted=muted)
        )
    return done, held
