"""What the points commands work with: the ledger, and what other features
lend it (streak freezes from the shop, warnings from moderation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.records import WarningRecord
from bot.features.economy.records import RedemptionRecord
from bot.features.points.points import Points


class StreakSavers(Protocol):
    """Items that keep a streak across one missed check-in day (the shop's
    `streak_freeze`)."""

    def freezes(self, member_key: str) -> list[RedemptionRecord]: ...

    async def use_freeze(self, r: RedemptionRecord, now: datetime) -> None: ...


class Warnings(Protocol):
    def active(self, member_key: str, now: datetime) -> list[WarningRecord]:
        """The member's warnings still in force."""
        ...


@dataclass(frozen=True, slots=True)
class PointsService:
    points: Points
    savers: StreakSavers
    warnings: Warnings
