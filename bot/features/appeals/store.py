"""The appeals' store port, and the memory store unit tests run on."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol

from bot.core.records import CaseRecord
from bot.features.appeals.records import AppealRecord


class AppealsStore(Protocol):
    async def load_appeals(self, community: str) -> list[AppealRecord]:
        """Every appeal of the community (few: one per case at most)."""
        ...

    async def save_appeal(self, appeal: AppealRecord) -> None:
        """Insert the appeal, or update its decision."""
        ...

    async def cases_of(self, community: str, member_key: str, since: datetime) -> list[CaseRecord]:
        """The member's cases opened at `since` or later, oldest first."""
        ...


class MemoryAppealsStore:
    """Appeals in memory; cases come from the engine's memory only."""

    def __init__(self) -> None:
        self.appeals: dict[tuple[str, int], AppealRecord] = {}

    async def load_appeals(self, community: str) -> list[AppealRecord]:
        return [replace(a) for (c, _), a in sorted(self.appeals.items()) if c == community]

    async def save_appeal(self, appeal: AppealRecord) -> None:
        self.appeals[(appeal.community, appeal.id)] = replace(appeal)

    async def cases_of(self, community: str, member_key: str, since: datetime) -> list[CaseRecord]:
        return []
