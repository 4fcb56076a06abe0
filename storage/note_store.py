"""`SqlNoteStore`: the `NoteStore` port (bot/features/notes/store.py) on the
bot's database: JSON documents in `feature_notes`, and the ledger read by
reason for the seasons' boards."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Table, func, select
from sqlalchemy.exc import IntegrityError

from bot.features.notes.store import Note
from storage.engine_store import EngineStore, dialect_insert, upsert
from storage.models.base import Base
from storage.models.core import PointsEntry
from storage.models.notes import FeatureNote

_NOTES: Table = Base.metadata.tables[FeatureNote.__tablename__]
_LEDGER: Table = Base.metadata.tables[PointsEntry.__tablename__]


def _row(note: Note) -> dict[str, object]:
    return {
        "community": note.community,
        "kind": note.kind,
        "key": note.key,
        "data": json.dumps(note.data, ensure_ascii=False, sort_keys=True),
        "at": note.at,
    }


class SqlNoteStore(EngineStore):
    async def notes(self, community: str, kind: str) -> list[Note]:
        c = _NOTES.c
        async with self._reading() as connection:
            rows = await connection.execute(
                select(c.key, c.data, c.at)
                .where(c.community == community, c.kind == kind)
                .order_by(c.key)
            )
            return [Note(community, kind, key, json.loads(data), at) for key, data, at in rows]

    async def claim(self, note: Note) -> bool:
        insert = dialect_insert(self._dialect, _NOTES).values(_row(note))
        try:
            async with self._writing() as connection:
                result = await connection.execute(insert.on_conflict_do_nothing())
        except IntegrityError:
            return False
        return bool(result.rowcount)

    async def put(self, note: Note) -> None:
        async with self._writing() as connection:
            await upsert(connection, _NOTES, ("community", "kind", "key"), [_row(note)])

    async def earned(
        self, community: str, start: datetime, end: datetime
    ) -> dict[tuple[str, str], int]:
        c = _LEDGER.c
        async with self._reading() as connection:
            rows = await connection.execute(
                select(c.member_key, c.reason, func.sum(c.delta))
                .where(
                    c.community == community,
                    c.spent.is_(False),
                    c.at >= start,
                    c.at < end,
                )
                .group_by(c.member_key, c.reason)
            )
            return {(member, reason): int(total) for member, reason, total in rows}
