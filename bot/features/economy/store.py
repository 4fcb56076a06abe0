"""The economy's store port."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.core.records import (
    LedgerEntry,
)
from bot.features.economy.records import (
    EconomySnapshot,
    GatheringRecord,
    InviteRecord,
    RedemptionRecord,
    ReferralRecord,
    RsvpRecord,
)

EconomyRow = RedemptionRecord | GatheringRecord | RsvpRecord | InviteRecord | ReferralRecord


class EconomyStore(Protocol):
    """Shop redemptions, events, RSVPs, invites and referrals: rare writes,
    saved at once, each in one transaction with the ledger entries it makes."""

    async def load_economy(
        self, community: str, week_start: datetime, month_start: datetime, day_start: datetime
    ) -> EconomySnapshot: ...

    async def save(
        self, rows: Sequence[EconomyRow], ledger: Sequence[LedgerEntry] = ()
    ) -> frozenset[str]:
        """Upsert the rows and append the entries; returns the keys of entries
        that were already stored (and so not applied again)."""
        ...

    async def balances(self, community: str) -> dict[str, int]: ...
