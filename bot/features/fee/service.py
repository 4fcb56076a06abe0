"""The entry fee (入群费): the threshold operators put on an entry link to
keep out the unmotivated. A newcomer who passed the rest of the gate (the
captcha, the approval) gets an invoice instead of the invite; the invite is
handed out only once the platform reports the payment.

On Telegram the invoice is in Stars (currency XTR, no provider token). The
checkout is refused when no place is left, so nobody pays for nothing; if the
last place went between checkout and payment, the payment is refunded in
full. A payment is recorded, keyed by its charge id, before its invite
leaves: one reported twice (a redelivered update) is acted on once.

The invoice's payload says what it pays for (`entry`, or `entry:<chat>` for a
join request to that group), so a payment made after a restart, or days
after the invoice, still finds its purpose.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.core.actions import (
    Action,
    AnswerCheckout,
    RefundPayment,
    SendDirect,
    SendInvoice,
)
from bot.core.events import ChatRef, CheckoutAsked, PaymentReceived, UserRef
from bot.core.i18n import t
from bot.core.records import MemberRecord
from bot.features.fee.records import PAID, REFUNDED, PaymentRecord
from bot.features.fee.store import PaymentsStore

if TYPE_CHECKING:
    from bot.core.kit import Kit
    from bot.features.overflow.planner import Overflow

PURPOSE = "entry"
STARS = "XTR"


class Gate(Protocol):
    """The entry gate the fee guards (`bot.features.overflow.entry`)."""

    @property
    def overflow(self) -> Overflow: ...

    def seat(
        self, member: MemberRecord, user: UserRef, now: datetime, request: ChatRef | None
    ) -> list[Action]: ...


class EntryFee:
    def __init__(self, kit: Kit, store: PaymentsStore) -> None:
        self.kit = kit
        self.store = store
        # The gate it guards; `build` wires the two together.
        self.gate: Gate | None = None

    def applies(self, user: UserRef) -> bool:
        fee = self.kit.config.entry.fee
        return fee is not None and user.platform in fee.platforms

    def bill(
        self, member: MemberRecord, user: UserRef, request: ChatRef | None = None
    ) -> list[Action]:
        fee = self.kit.config.entry.fee
        if fee is None:
            return []
        loc = self.kit.locale_for(member)
        community = self.kit.config.community.name
        title = fee.title or t(loc, "fee.title", community=community)
        description = fee.description or t(loc, "fee.description", community=community)
        payload = PURPOSE if request is None else f"{PURPOSE}:{request.key}"
        return [
            SendDirect(user, t(loc, "fee.intro", stars=fee.stars)),
            SendInvoice(user, title[:32], description[:255], payload, fee.stars),
        ]

    def _request(self, payload: str) -> tuple[bool, ChatRef | None]:
        """(whether the payload is an entry fee's, the join request's group)."""
        head, _, chat = payload.partition(":")
        if head != PURPOSE:
            return False, None
        return True, ChatRef.parse(chat) if chat else None

    async def checkout(self, ev: CheckoutAsked) -> list[Action]:
        """Take the payment only when there is something to give for it."""
        gate = self.gate
        member = self.kit.directory.member(ev.user, ev.at)
        loc = self.kit.locale_for(member)
        ours, request = self._request(ev.payload)

        def no(key: str) -> list[Action]:
            return [AnswerCheckout(ev.user, ev.query, False, t(loc, key))]

        if not ours or ev.currency != STARS or gate is None:
            return no("fee.refused.unknown")
        if request is None:
            if await gate.overflow.seat_of(member) is not None:
                return no("fee.refused.already")
            if gate.overflow.entry_group(ev.user.platform) is None:
                return no("fee.refused.full")
        return [AnswerCheckout(ev.user, ev.query, True)]

    async def paid(self, ev: PaymentReceived) -> list[Action]:
        """Record the payment, then the invite (or the approved request); a
        refund when no place is left."""
        slug = self.kit.config.community.slug
        if await self.store.payment(slug, ev.charge) is not None:
            return []
        member = self.kit.directory.member(ev.user, ev.at)
        payment = PaymentRecord(
            slug, ev.charge, member.key, ev.stars, ev.currency, PURPOSE, ev.at, PAID
        )
        ours, request = self._request(ev.payload)
        gate = self.gate
        loc = self.kit.locale_for(member)
        if not ours or gate is None:
            await self.store.save_payment(payment)
            return []
        if request is None:
            group = gate.overflow.entry_group(ev.user.platform)
            if group is None:
                payment.status, payment.refunded_at = REFUNDED, ev.at
                await self.store.save_payment(payment)
                return [
                    RefundPayment(ev.user, ev.charge),
                    SendDirect(ev.user, t(loc, "fee.refunded", stars=ev.stars)),
                    *gate.overflow.place(member, ev.user, ev.at),
                ]
            payment.group_key = group.chat_key
            await self.store.save_payment(payment)
            thanks = SendDirect(ev.user, t(loc, "fee.thanks", stars=ev.stars))
            return [thanks, *gate.seat(member, ev.user, ev.at, None)]
        payment.group_key = request.key
        await self.store.save_payment(payment)
        return [
            SendDirect(ev.user, t(loc, "fee.thanks", stars=ev.stars)),
            *gate.seat(member, ev.user, ev.at, request),
        ]

    async def summary(self, now: datetime, days: int) -> tuple[int, int, int, int]:
        """(payments, stars kept, refunds, stars refunded) over the last days."""
        rows = await self.store.payments(self.kit.config.community.slug, now - timedelta(days=days))
        paid = [p for p in rows if p.status == PAID]
        refunded = [p for p in rows if p.status == REFUNDED]
        return len(paid), sum(p.stars for p in paid), len(refunded), sum(p.stars for p in refunded)
