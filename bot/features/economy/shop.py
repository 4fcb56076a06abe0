"""The points shop: items from the config, redemptions that moderators fulfil
or reject (a refund), and items with an automatic effect (a streak freeze).

Stock and per-member limits count the redemptions that were not rejected, so
no stock counter can drift from the redemptions themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.config.points import ShopItem
from bot.features.economy.records import RedemptionRecord
from bot.features.economy.writer import EconomyWriter
from bot.features.points.points import Points

REDEEM = "redeem"
REFUND = "refund"
STREAK_FREEZE = "streak_freeze"

Refusal = Literal["unknown", "sold_out", "limit", "balance"]


@dataclass(frozen=True, slots=True)
class Redeemed:
    redemption: RedemptionRecord | None = None
    refusal: Refusal | None = None
    item: ShopItem | None = None


class Shop:
    def __init__(
        self,
        community: str,
        points: Points,
        commit: EconomyWriter,
        redemptions: list[RedemptionRecord],
    ) -> None:
        self._community = community
        self._points = points
        self._commit = commit
        self.redemptions: dict[int, RedemptionRecord] = {r.id: r for r in redemptions}
        self._next_id = max(self.redemptions, default=0) + 1
        # A member's price for an item's cost (a tier's discount); the tiers
        # feature sets it when it is built.
        self.price: Callable[[str, int], int] = _full_price

    @property
    def items(self) -> list[ShopItem]:
        return list(self._points.config.shop)

    def item(self, item_id: str) -> ShopItem | None:
        wanted = item_id.lower()
        return next((i for i in self._points.config.shop if i.id == wanted), None)

    def _live(self, item_id: str, member_key: str | None = None) -> int:
        return sum(
            1
            for r in self.redemptions.values()
            if r.item == item_id
            and r.status != "rejected"
            and (member_key is None or r.member_key == member_key)
        )

    def left(self, item: ShopItem) -> int | None:
        return None if item.stock is None else max(0, item.stock - self._live(item.id))

    async def redeem(self, member_key: str, item_id: str, now: datetime) -> Redeemed:
        item = self.item(item_id)
        if item is None:
            return Redeemed(refusal="unknown")
        left = self.left(item)
        if left is not None and left <= 0:
            return Redeemed(refusal="sold_out", item=item)
        if item.per_member is not None and self._live(item.id, member_key) >= item.per_member:
            return Redeemed(refusal="limit", item=item)
        cost = self.price(member_key, item.cost)
        if self._points.balance(member_key) < cost:
            return Redeemed(refusal="balance", item=item)
        rid = self._next_id
        self._next_id += 1
        # Effects need no moderator: the item is delivered at once.
        status = "fulfilled" if item.effect else "pending"
        record = RedemptionRecord(
            self._community, rid, item.id, member_key, cost, now, status,
            now if item.effect else None,
        )  # fmt: skip
        # Reserved in memory before the write is awaited, so two redemptions
        # racing for the last item or the same points cannot both pass.
        self.redemptions[rid] = record
        charge = self._points.entry(member_key, -cost, REDEEM, f"redeem:{rid}", now, spent=True)
        await self._commit([record], [charge], lambda: self.redemptions.pop(rid, None))
        return Redeemed(redemption=record, item=item)

    async def resolve(
        self, rid: int, by: str, now: datetime, *, fulfil: bool
    ) -> RedemptionRecord | None:
        """Fulfil or reject (refunding) a pending redemption; None if there is
        no pending one with that id."""
        r = self.redemptions.get(rid)
        if r is None or r.status != "pending":
            return None
        before = (r.status, r.resolved_at, r.resolved_by)
        r.status, r.resolved_at, r.resolved_by = ("fulfilled" if fulfil else "rejected"), now, by
        entries = [] if fulfil else [
            self._points.entry(r.member_key, r.cost, REFUND, f"refund:{rid}", now, spent=True)
        ]  # fmt: skip

        def rollback() -> None:
            r.status, r.resolved_at, r.resolved_by = before

        await self._commit([r], entries, rollback)
        return r

    async def grant(self, member_key: str, name: str, now: datetime) -> RedemptionRecord:
        """A prize won (a season's): it waits for a moderator's /fulfill like
        a redemption, and costs nothing."""
        rid = self._next_id
        self._next_id += 1
        record = RedemptionRecord(self._community, rid, name, member_key, 0, now, "pending")
        self.redemptions[rid] = record
        await self._commit([record], [], lambda: self.redemptions.pop(rid, None))
        return record

    def pending(self) -> list[RedemptionRecord]:
        return [r for r in self.redemptions.values() if r.status == "pending"]

    def freezes(self, member_key: str) -> list[RedemptionRecord]:
        return [
            r
            for r in self.redemptions.values()
            if r.member_key == member_key and r.status == "fulfilled" and self._is_freeze(r)
        ]

    def _is_freeze(self, r: RedemptionRecord) -> bool:
        item = self.item(r.item)
        return item is not None and item.effect == STREAK_FREEZE

    async def use_freeze(self, r: RedemptionRecord, now: datetime) -> None:
        r.status, r.resolved_at = "used", now
        await self._commit([r])


def _full_price(member_key: str, cost: int) -> int:
    return cost
