"""The entry fee as a feature: the platform's checkout and payment reports,
and `/payments` for the moderators (the fees in the community's numbers)."""

from __future__ import annotations

from bot.core.actions import Action
from bot.core.commands import Context, Registry
from bot.core.events import CheckoutAsked, Event, PaymentReceived
from bot.core.feature import Base
from bot.core.kit import Kit
from bot.features.analytics.commands import MAX_DAYS, parse_period
from bot.features.fee.service import EntryFee

commands: Registry[EntryFee] = Registry()

DEFAULT_DAYS = 30


@commands.add("payments", "入群费", staff=True, menu=False)
async def payments(ctx: Context, fee: EntryFee) -> list[Action]:
    args = ctx.event.args
    days = parse_period(args[0]) if args else DEFAULT_DAYS
    if days is None or len(args) > 1:
        return [ctx.reply("fee.usage", max=MAX_DAYS)]
    paid, stars, refunds, refunded = await fee.summary(ctx.now, days)
    price = ctx.kit.config.entry.fee
    state = ctx.text("fee.price", stars=price.stars) if price is not None else ctx.text("fee.free")
    return [
        ctx.reply(
            "fee.summary",
            days=days,
            paid=paid,
            stars=stars,
            refunds=refunds,
            refunded=refunded,
            state=state,
        )
    ]


class FeeFeature(Base):
    name = "fee"

    def __init__(self, kit: Kit, fee: EntryFee) -> None:
        self.kit = kit
        self.fee = fee
        self.commands = commands.bind(fee)

    async def on_event(self, event: Event) -> list[Action]:
        if type(event) is CheckoutAsked:
            return await self.fee.checkout(event)
        if type(event) is PaymentReceived:
            return await self.fee.paid(event)
        return []
