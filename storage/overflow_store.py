"""`SqlOverflowStore`: the core's `OverflowStore` port (entry invites holding
places, the entry gate's captchas, approval queue and blocks, the overflow
planner's notes) on the same database as `SqlStore`.

The engine saves what an event changed before the event's actions leave, in
one transaction: upserts by primary key, deletes by key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.overflow.records import (
    EntryInviteRecord,
    EntryStageRecord,
    OverflowChanges,
    OverflowNoteRecord,
    OverflowSnapshot,
)
from storage.engine_store import EngineStore, upsert
from storage.models.base import Base
from storage.models.overflow import EntryInvite, EntryStage, OverflowNote

_INVITES: Table = Base.metadata.tables[EntryInvite.__tablename__]
_STAGES: Table = Base.metadata.tables[EntryStage.__tablename__]
_NOTES: Table = Base.metadata.tables[OverflowNote.__tablename__]


def _columns(table: Table, record: type[Any]) -> list[Any]:
    return [table.c[f.name] for f in fields(record)]


class SqlOverflowStore(EngineStore):
    async def load_overflow(self, community: str) -> OverflowSnapshot:
        async with self._reading() as c:
            invites = [
                EntryInviteRecord(*row)
                for row in await c.execute(
                    select(*_columns(_INVITES, EntryInviteRecord)).where(
                        _INVITES.c.community == community
                    )
                )
            ]
            stages = [
                EntryStageRecord(*row)
                for row in await c.execute(
                    select(*_columns(_STAGES, EntryStageRecord)).where(
                        _STAGES.c.community == community
                    )
                )
            ]
            notes = [
                OverflowNoteRecord(*row)
                for row in await c.execute(
                    select(*_columns(_NOTES, OverflowNoteRecord)).where(
                        _NOTES.c.community == community
                    )
                )
            ]
        return OverflowSnapshot(invites, stages, notes)

    async def save_overflow(self, changes: OverflowChanges) -> None:
        community = changes.community
        async with self._writing() as c:
            await self._delete(c, _INVITES, _INVITES.c.member_key, community, changes.invites_gone)
            await self._delete(c, _STAGES, _STAGES.c.member_key, community, changes.stages_gone)
            await self._delete(c, _NOTES, _NOTES.c.key, community, changes.notes_gone)
            await upsert(
                c, _INVITES, ("community", "member_key"), [asdict(r) for r in changes.invites]
            )
            await upsert(
                c, _STAGES, ("community", "member_key"), [asdict(r) for r in changes.stages]
            )
            await upsert(c, _NOTES, ("community", "key"), [asdict(r) for r in changes.notes])

    @staticmethod
    async def _delete(
        c: AsyncConnection, table: Table, column: Any, community: str, keys: Sequence[str]
    ) -> None:
        if keys:
            await c.execute(table.delete().where(table.c.community == community, column.in_(keys)))
