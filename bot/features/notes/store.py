"""Small records the community-operations features keep (seasons, honours,
the notice's pins, polls, feedback): a JSON document per (kind, key), few
and rarely written, so one port serves them all. `claim` is the
exactly-once point: of two processes (or a restarted one) only one gets a
key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Note:
    community: str
    kind: str
    key: str
    data: dict[str, Any]
    at: datetime


class NoteStore(Protocol):
    async def notes(self, community: str, kind: str) -> list[Note]:
        """Every note of the kind, by key."""
        ...

    async def claim(self, note: Note) -> bool:
        """Insert the note; False (and nothing written) when its key exists."""
        ...

    async def put(self, note: Note) -> None:
        """Insert or replace the note."""
        ...

    async def earned(
        self, community: str, start: datetime, end: datetime
    ) -> dict[tuple[str, str], int]:
        """Points earned in [start, end) by (member, ledger reason), spending
        left out: what a season's board is made of."""
        ...


@dataclass(slots=True)
class MemoryNoteStore:
    """Notes in memory (tests without a database); no ledger to read."""

    rows: dict[tuple[str, str, str], Note] = field(default_factory=dict)

    async def notes(self, community: str, kind: str) -> list[Note]:
        found = [n for (c, k, _), n in self.rows.items() if c == community and k == kind]
        return sorted(found, key=lambda n: n.key)

    async def claim(self, note: Note) -> bool:
        where = (note.community, note.kind, note.key)
        if where in self.rows:
            return False
        self.rows[where] = note
        return True

    async def put(self, note: Note) -> None:
        self.rows[(note.community, note.kind, note.key)] = note

    async def earned(
        self, community: str, start: datetime, end: datetime
    ) -> dict[tuple[str, str], int]:
        return {}
