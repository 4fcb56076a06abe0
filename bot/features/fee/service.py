"""The entry fee (入群费): the threshold operators put on an entry link to
keep out the unmotivated. A newcomer who passed the rest of the gate (the
captcha, the approval) gets an invoice instead of the invite; the invite is
handed out only once the platform reports the payment.

On Telegram the invoice is in Stars (currency XTR, no provider token). The
checkout is refused when no place is left, so nobody pays for nothing; if the
last place went between checkout and payment, the payment is refunded in
full. A payment is recorded, keyed by its charge id, before its invite
leaves: one reported twice (a redelivered update) is acted on once.

The fee is paid once: a member whose entry payment is on record (paid, not
refunded) who comes back (gone and back, or a ban lifted on appeal) is let
through without a second invoice.

The invoice's payload says what it pays for (`entry`, or `entry:<chat>` for a
join request to that group), so a payment made after a restart, or days
after the invoice, still finds its purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
        # member key -> when their entry payment (kept, not refunded) was made.
        self.paid_by: dict[str, datetime] = {}

    async def start(self) -> None:
        """Who has paid already: a few rows per member, read once."""
        slug = self.kit.config.community.slug
        for p in await self.store.payments(slug, _EPOCH):
            if p.status == PAID and p.purpose == PURPOSE:
                self.paid_by.setdefault(p.member_key, p.at)

    def applies(self, user: UserRef) -> bool:
        fee = self.kit.config.entry.fee
        return fee is not None and user.platform in fee.platforms

    def on_record(self, member: MemberRecord, user: UserRef) -> list[Action] | None:
        """The member paid before (None: they did not): told so, not billed."""
        at = self.paid_by.get(member.key)
        if at is None:
            return None
        day = self.kit.calendar.local_date(at).isoformat()
        text = t(self.kit.locale_for(member), "fee.on_record", date=day)
        return [SendDirect(user, text)]

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
            self.paid_by.setdefault(member.key, ev.at)
            thanks = SendDirect(ev.user, t(loc, "fee.thanks", stars=ev.stars))
            return [thanks, *gate.seat(member, ev.user, ev.at, None)]
        payment.group_key = request.key
        await self.store.save_payment(payment)
        self.paid_by.setdefault(member.key, ev.at)
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
