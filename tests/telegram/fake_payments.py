"""The fake Bot API with what Telegram Stars payments and private files
need: sendInvoice (currency XTR), pre_checkout_query updates and
answerPreCheckoutQuery, successful_payment messages, refundStarPayment, and
sendDocument. Checked the way Telegram checks them: one price in Stars and
no provider token, a payment only after a checkout answered ok, a refund
once per charge."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tests.telegram.fake_bot_api import FakeBotApi, _bool, _int, _json, _str, bad


@dataclass
class Invoice:
    chat_id: int
    title: str
    description: str
    payload: str
    stars: int


@dataclass
class Checkout:
    user_id: int
    payload: str
    stars: int
    # None until the bot answers it.
    ok: bool | None = None
    error: str | None = None


@dataclass
class Charge:
    user_id: int
    stars: int
    refunded: bool = False


@dataclass
class Files:
    """Documents the bot sent, by chat: (file name, bytes, caption)."""

    sent: dict[int, list[tuple[str, bytes, str | None]]] = field(default_factory=dict)


class FakePaymentsApi(FakeBotApi):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoices: list[Invoice] = []
        self.checkouts: dict[str, Checkout] = {}
        self.charges: dict[str, Charge] = {}
        self.files = Files()
        self._serial = 0

    # -- what members do ---------------------------------------------------

    def checkout(self, user_id: int, invoice: Invoice, *, currency: str = "XTR") -> str:
        """The member presses Pay: Telegram asks the bot first."""
        self._serial += 1
        query_id = f"pcq{self._serial}"
        self.checkouts[query_id] = Checkout(user_id, invoice.payload, invoice.stars)
        self.inject(
            "pre_checkout_query",
            {
                "id": query_id,
                "from": self.users[user_id],
                "currency": currency,
                "total_amount": invoice.stars,
                "invoice_payload": invoice.payload,
            },
        )
        return query_id

    def complete(self, query_id: str) -> str:
        """Telegram takes the payment the bot agreed to and tells the bot;
        the charge id is what a refund names."""
        checkout = self.checkouts[query_id]
        if checkout.ok is not True:
            raise AssertionError(f"checkout {query_id} was not answered ok: {checkout}")
        self._serial += 1
        charge = f"stxCHARGE{self._serial}"
        self.charges[charge] = Charge(checkout.user_id, checkout.stars)
        chat = self.chats[checkout.user_id]
        msg = {
            "message_id": chat.new_message_id(),
            "date": int(time.time()),
            "chat": chat.as_json(),
            "from": self.users[checkout.user_id],
            "successful_payment": {
                "currency": "XTR",
                "total_amount": checkout.stars,
                "invoice_payload": checkout.payload,
                "telegram_payment_charge_id": charge,
                "provider_payment_charge_id": "",
            },
        }
        self.inject("message", msg)
        return charge

    def redeliver_payment(self, charge: str) -> None:
        """The same successful_payment again (a redelivered update)."""
        for update in reversed(self.history):
            paid = update.get("message", {}).get("successful_payment")
            if paid is not None and paid["telegram_payment_charge_id"] == charge:
                self.inject("message", dict(update["message"]))
                return
        raise AssertionError(f"no payment {charge}")

    def invoices_to(self, user_id: int) -> list[Invoice]:
        return [i for i in self.invoices if i.chat_id == user_id]

    # -- the methods -------------------------------------------------------

    async def _m_sendInvoice(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        title, description = _str(p, "title"), _str(p, "description")
        payload, currency = _str(p, "payload"), _str(p, "currency")
        prices = _json(p, "prices")
        if not 1 <= len(title) <= 32:
            raise bad("INVOICE_TITLE_INVALID")
        if not 1 <= len(description) <= 255:
            raise bad("INVOICE_DESCRIPTION_INVALID")
        if not 1 <= len(payload.encode()) <= 128:
            raise bad("INVOICE_PAYLOAD_INVALID")
        if currency == "XTR":
            if _str(p, "provider_token", required=False):
                raise bad("provider token must be empty for payments in Telegram Stars")
            if not isinstance(prices, list) or len(prices) != 1:
                raise bad("exactly one price must be specified for payments in Telegram Stars")
        amount = prices[0].get("amount") if prices else None
        if not isinstance(amount, int) or amount < 1:
            raise bad("CURRENCY_TOTAL_AMOUNT_INVALID")
        self.invoices.append(Invoice(chat.id, title, description, payload, amount))
        return self._bot_message(
            chat,
            {"invoice": {"title": title, "description": description, "start_parameter": "",
                         "currency": currency, "total_amount": amount}},
        )  # fmt: skip

    async def _m_answerPreCheckoutQuery(self, p: dict[str, Any]) -> bool:
        query_id = _str(p, "pre_checkout_query_id")
        checkout = self.checkouts.get(query_id)
        if checkout is None or checkout.ok is not None:
            raise bad("QUERY_ID_INVALID")
        ok = _bool(p, "ok")
        error = _str(p, "error_message", required=False)
        if not ok and not error:
            raise bad("error_message is required when ok is false")
        checkout.ok, checkout.error = ok, error
        return True

    async def _m_refundStarPayment(self, p: dict[str, Any]) -> bool:
        user_id = _int(p, "user_id")
        charge = self.charges.get(_str(p, "telegram_payment_charge_id"))
        if charge is None or charge.user_id != user_id:
            raise bad("CHARGE_NOT_FOUND")
        if charge.refunded:
            raise bad("CHARGE_ALREADY_REFUNDED")
        charge.refunded = True
        return True

    async def _m_sendDocument(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        document = p.get("document")
        if not isinstance(document, bytes) or not document:
            raise bad("there is no document in the request")
        caption = _str(p, "caption", required=False)
        if caption is not None and len(caption) > 1024:
            raise bad("message caption is too long")
        name = self._upload_name
        self.files.sent.setdefault(chat.id, []).append((name, document, caption))
        return self._bot_message(
            chat,
            {"document": {"file_id": f"doc{len(self.files.sent[chat.id])}", "file_name": name,
                          "file_size": len(document)}, **({"caption": caption} if caption else {})},
        )  # fmt: skip

    # The uploaded part's file name, which the form's field does not keep
    # (aiohttp hands the handler the bytes): read in `_handle` below.
    _upload_name = "document"

    async def _handle(self, request: Any) -> Any:
        if request.match_info.get("method") == "sendDocument" and request.content_type.startswith(
            "multipart/"
        ):
            form = await request.post()
            part = form.get("document")
            self._upload_name = getattr(part, "filename", None) or "document"
            # The form is read (and kept by aiohttp): the base reads it again.
            request = _ReadAgain(request)
        return await super()._handle(request)


class _ReadAgain:
    """A request whose multipart form was read already, offered again."""

    def __init__(self, request: Any) -> None:
        self._request = request
        self.can_read_body = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)
