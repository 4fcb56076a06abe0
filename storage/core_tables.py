"""How the core's records map to their tables, for the core store's reads and
its batched writes: one column per record field, of the same name, so a row
becomes a record by position.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Table, select
from sqlalchemy.sql import Select

from bot.core.records import (
    CaseRecord,
    CursorRecord,
    DailyStatsRecord,
    GroupRecord,
    LedgerEntry,
    MemberRecord,
    MembershipRecord,
    OutboxRecord,
    WarningRecord,
)
from storage.models.base import Base
from storage.models.core import (
    Community,
    DailyStats,
    Group,
    Member,
    Membership,
    MemberWarning,
    ModCase,
    OutboxRow,
    PlatformCursor,
    PointsEntry,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


@dataclass(frozen=True, slots=True)
class RecordTable(Generic[R]):
    """How one record type maps to its table: one column per field, same name."""

    table: Table
    record: type[R]
    # The primary key, or for the ledger the idempotency key.
    key: tuple[str, ...]
    names: tuple[str, ...]

    def select(self) -> Select[Any]:
        return select(*(self.table.c[name] for name in self.names))


def _record_table(model: type[Base], record: type[R], key: tuple[str, ...]) -> RecordTable[R]:
    names = tuple(f.name for f in fields(record))
    return RecordTable(Base.metadata.tables[model.__tablename__], record, key, names)


COMMUNITIES = Base.metadata.tables[Community.__tablename__]
MEMBERS = _record_table(Member, MemberRecord, ("community", "key"))
GROUPS = _record_table(Group, GroupRecord, ("community", "chat_key"))
MEMBERSHIPS = _record_table(Membership, MembershipRecord, ("community", "member_key", "group_key"))
LEDGER = _record_table(PointsEntry, LedgerEntry, ("community", "key"))
CASES = _record_table(ModCase, CaseRecord, ("community", "id"))
WARNINGS = _record_table(MemberWarning, WarningRecord, ("community", "id"))
STATS = _record_table(DailyStats, DailyStatsRecord, ("community", "group_key", "day"))
CURSORS = _record_table(PlatformCursor, CursorRecord, ("community", "platform"))
OUTBOX = _record_table(OutboxRow, OutboxRecord, ("community", "key"))
