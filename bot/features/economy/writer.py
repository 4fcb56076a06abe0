"""Saving the economy's rare writes (redemptions, events, referrals) with the
ledger entries they make, in one transaction of the economy store.

Balances change in memory before the write is awaited, so concurrent commands
(two redemptions racing for the same points) see each other; a failed write
puts memory back as it was, and entries the store already had (a replay) are
taken back out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.core.records import LedgerEntry
from bot.features.economy.store import EconomyRow, EconomyStore
from bot.features.points.outcomes import LevelUp
from bot.features.points.points import Points


@dataclass(frozen=True, slots=True)
class Committed:
    # Level-ups the entries caused, by member key.
    ups: list[tuple[str, LevelUp]] = field(default_factory=list)
    # Keys the store already had: those entries were not applied again.
    duplicates: frozenset[str] = frozenset()


class EconomyWriter:
    def __init__(self, points: Points, store: EconomyStore) -> None:
        self._points = points
        self._store = store

    async def __call__(
        self,
        rows: Sequence[EconomyRow],
        entries: Sequence[LedgerEntry] = (),
        rollback: Callable[[], object] | None = None,
    ) -> Committed:
        ups = self._points.applied(entries)
        try:
            stored = await self._store.save(rows, entries)
        except BaseException:
            self._points.undo(list(entries))
            if rollback is not None:
                rollback()
            raise
        if stored:
            # A replay: nothing it paid is new, so nothing levels up either.
            self._points.undo([e for e in entries if e.key in stored])
            return Committed([], stored)
        return Committed(ups)
