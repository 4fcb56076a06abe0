"""What the points commands work with: the ledger, and what other features
lend it (streak freezes from the shop, warnings from moderation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.core.actions import Action
from bot.core.commands import Context
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


# Lines another feature adds to a member's /me (the tier, an honour title).
MeLines = Callable[[Context], Awaitable[list[str]]]
# Boards another feature keeps under /top (`/top season 2026-W49`).
Board = Callable[[Context, tuple[str, ...]], Awaitable[list[Action]]]


@dataclass(frozen=True, slots=True)
class PointsService:
    points: Points
    savers: StreakSavers
    warnings: Warnings
    extras: tuple[MeLines, ...] = ()
    boards: Mapping[str, Board] = field(default_factory=dict)
    # What a member's name carries on the boards (a season's honour title).
    badge: Callable[[str], str] = field(default=lambda key: "")
