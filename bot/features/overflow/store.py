"""The overflow planner's and entry gate's store port."""

from __future__ import annotations

from typing import Protocol

from bot.features.overflow.records import OverflowChanges, OverflowSnapshot


class OverflowStore(Protocol):
    """The entry gate's and the overflow planner's state: invites holding
    places, captchas and their deadlines, the approval queue, and what the
    owner was already told. Each save is one awaited transaction."""

    async def load_overflow(self, community: str) -> OverflowSnapshot: ...

    async def save_overflow(self, changes: OverflowChanges) -> None:
        """Upsert the rows and delete the keys named gone, in one transaction."""
        ...
