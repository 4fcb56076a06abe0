"""Telegram handlers that say something: messages, photos, files, direct
messages (with a mention in the group when a member cannot be messaged
first), polls, pins, button answers, Stars invoices and payments, and the
readers asked beside the queue (OCR, second opinions)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial

from telegram import InputFile, LabeledPrice, MessageEntity, ReplyParameters, User
from telegram.error import BadRequest, Forbidden, TelegramError

from adapters.gateway import handles
from adapters.ocr import TooLarge, read_and_tell, shared_ocr
from adapters.opinions import ask_and_tell, shared_opinions
from adapters.telegram.calls import MAX_TEXT, Calls, inline_keyboard, text_parts, utf16_len
from adapters.telegram.translate import PLATFORM
from bot.core import actions as act
from bot.core.buttons import Button
from bot.core.events import ChatRef, PollClosed, UserRef
from bot.core.i18n import t

log = logging.getLogger("adapters.telegram.gateway")

# Caption limit of a photo, in characters.
_MAX_CAPTION = 1024
# Telegram Stars' currency code.
_STARS = "XTR"
# answerCallbackQuery shows at most 200 characters.
_MAX_TOAST = 200


class MessagingCalls(Calls):
    @handles(act.SendMessage)
    async def _send(self, a: act.SendMessage) -> None:
        cid = int(a.chat.chat_id)
        reply = (
            ReplyParameters(a.reply_to, allow_sending_without_reply=True)
            if a.reply_to is not None
            else None
        )
        parts = text_parts(a.text)
        ids: list[int] = []
        for n, part in enumerate(parts, 1):
            markup = inline_keyboard(a.buttons) if n == len(parts) else None
            sent = await self._say(
                "send",
                a.chat,
                partial(
                    self.bot.send_message, cid, part, reply_parameters=reply, reply_markup=markup
                ),
            )
            ids.append(sent.message_id)
        # Told before the pin: a pin Telegram refuses leaves the message sent.
        await self.sent(a.chat, ids, a.ref, self.clock.now())
        if a.pin and ids:
            await self._pin(act.PinMessage(a.chat, ids[0]))

    @handles(act.AnswerPress)
    async def _answer(self, a: act.AnswerPress) -> None:
        await self.answer_press(a.press, a.text, alert=a.alert)

    async def answer_press(self, query_id: str, text: str = "", *, alert: bool = False) -> None:
        """answerCallbackQuery, with the text as a toast (a popup with
        `alert`). A query left unanswered keeps the presser's client
        spinning; one that cannot be answered any more is only logged."""
        try:
            await self.call(
                lambda: self.bot.answer_callback_query(
                    query_id, text=text[:_MAX_TOAST] or None, show_alert=alert
                ),
                chat_id=None,
                message=False,
            )
        except TelegramError as exc:
            log.info("could not answer a button press: %s", exc)

    @handles(act.SendPhoto)
    async def _photo(self, a: act.SendPhoto) -> None:
        # sendPhoto as multipart/form-data: PTB uploads bytes as a file.
        cid = int(a.chat.chat_id)
        reply = (
            ReplyParameters(a.reply_to, allow_sending_without_reply=True)
            if a.reply_to is not None
            else None
        )
        caption = a.caption[:_MAX_CAPTION]
        photo = await self._say(
            "send",
            a.chat,
            partial(
                self.bot.send_photo, cid, a.png, caption=caption or None, reply_parameters=reply
            ),
        )
        ids = [photo.message_id]
        # What the caption could not hold follows as text.
        rest = a.caption[_MAX_CAPTION:]
        if rest:
            for part in text_parts(rest):
                sent = await self._say("send", a.chat, partial(self.bot.send_message, cid, part))
                ids.append(sent.message_id)
        await self.sent(a.chat, ids, "", self.clock.now())

    @handles(act.AskOpinion)
    async def _opinion(self, a: act.AskOpinion) -> None:
        """CAS or a language model, asked beside the queue."""
        opinions = shared_opinions()
        opinions.spawn(ask_and_tell(self.tell, opinions, a, self.clock.now))

    @handles(act.ReadImage)
    async def _read_image(self, a: act.ReadImage) -> None:
        """Download through getFile under the size cap, then read it beside
        the queue (OCR takes seconds; the actions after it do not wait)."""
        bot = self.bot

        async def fetch() -> bytes:
            file = await bot.get_file(a.image)
            if file.file_size is not None and file.file_size > a.max_bytes:
                raise TooLarge(a.image)
            return bytes(await file.download_as_bytearray())

        ocr = shared_ocr()
        if ocr.available:
            ocr.spawn(read_and_tell(self.tell, ocr, a, fetch, self.clock.now))

    @handles(act.SendDirect)
    async def _direct(self, a: act.SendDirect) -> None:
        uid = int(a.user.user_id)
        dm = ChatRef("telegram", a.user.user_id, private=True)
        try:
            parts = text_parts(a.text)
            for n, part in enumerate(parts, 1):
                markup = inline_keyboard(a.buttons) if n == len(parts) else None
                await self.call(
                    partial(self.bot.send_message, uid, part, reply_markup=markup),
                    chat_id=uid,
                    message=True,
                )
            return
        except (Forbidden, BadRequest) as exc:
            # A member who never started the bot cannot be messaged first.
            if a.fallback_chat is None:
                await self._failed("dm", dm, None, exc)
                return
        await self._mention(a.fallback_chat, a.user, a.text, a.buttons)

    @handles(act.SendFile)
    async def _file(self, a: act.SendFile) -> None:
        # sendDocument as multipart/form-data: PTB uploads bytes as a file.
        uid = int(a.user.user_id)
        document = InputFile(a.data, filename=a.filename)
        caption = a.caption[:_MAX_CAPTION] or None
        await self._do(
            "file",
            ChatRef(PLATFORM, a.user.user_id, private=True),
            partial(self.bot.send_document, uid, document, caption=caption),
            message=True,
        )

    @handles(act.SendInvoice)
    async def _invoice(self, a: act.SendInvoice) -> None:
        # Stars: currency XTR, one price, no provider token (Bot API).
        uid = int(a.user.user_id)
        await self._do(
            "invoice",
            ChatRef(PLATFORM, a.user.user_id, private=True),
            partial(
                self.bot.send_invoice,
                uid,
                a.title,
                a.description,
                a.payload,
                _STARS,
                [LabeledPrice(a.title, a.stars)],
                provider_token="",
            ),
            message=True,
        )

    @handles(act.AnswerCheckout)
    async def _checkout(self, a: act.AnswerCheckout) -> None:
        # Telegram waits 10 seconds for the answer: no queue in front of it.
        await self._do(
            "checkout",
            ChatRef(PLATFORM, a.user.user_id, private=True),
            partial(
                self.bot.answer_pre_checkout_query,
                a.query,
                a.ok,
                error_message=None if a.ok else a.error[:255] or None,
            ),
        )

    @handles(act.RefundPayment)
    async def _refund(self, a: act.RefundPayment) -> None:
        await self._do(
            "refund",
            ChatRef(PLATFORM, a.user.user_id, private=True),
            partial(self.bot.refund_star_payment, int(a.user.user_id), a.charge),
        )

    async def _mention(
        self, chat: ChatRef, user: UserRef, text: str, buttons: Sequence[Button] = ()
    ) -> None:
        loc = self._settings().community.locale
        mention = f"@{user.username}" if user.username else (user.name or user.user_id)
        body = t(loc, "telegram.dm_fallback", mention=mention, text=text)
        entities = None
        if not user.username and body.startswith(mention):
            # A text mention notifies a member who has no username.
            person = User(int(user.user_id), user.name or user.user_id, is_bot=False)
            entities = [MessageEntity("text_mention", 0, utf16_len(mention), user=person)]
        cid = int(chat.chat_id)
        sent = await self._say(
            "send",
            chat,
            partial(
                self.bot.send_message,
                cid,
                body[:MAX_TEXT],
                entities=entities,
                reply_markup=inline_keyboard(buttons),
            ),
        )
        await self.sent(chat, [sent.message_id], "", self.clock.now())

    @handles(act.PinMessage)
    async def _pin(self, a: act.PinMessage) -> None:
        cid = int(a.chat.chat_id)
        await self._do(
            "pin",
            a.chat,
            lambda: self.bot.pin_chat_message(cid, a.message_id, disable_notification=True),
        )

    @handles(act.UnpinMessage)
    async def _unpin(self, a: act.UnpinMessage) -> None:
        cid = int(a.chat.chat_id)
        await self._do(
            "unpin", a.chat, lambda: self.bot.unpin_chat_message(cid, message_id=a.message_id)
        )

    @handles(act.SendPoll)
    async def _poll(self, a: act.SendPoll) -> None:
        cid = int(a.chat.chat_id)
        sent = await self._say(
            "poll",
            a.chat,
            partial(
                self.bot.send_poll,
                cid,
                a.question,
                list(a.options),
                is_anonymous=a.anonymous,
                allows_multiple_answers=a.multiple,
            ),
        )
        await self.sent(a.chat, [sent.message_id], a.ref, self.clock.now())

    @handles(act.ClosePoll)
    async def _close_poll(self, a: act.ClosePoll) -> None:
        """stopPoll answers with the poll's final counts."""
        cid = int(a.chat.chat_id)
        poll = await self._do("close_poll", a.chat, lambda: self.bot.stop_poll(cid, a.message_id))
        counts = tuple(o.voter_count for o in poll.options)
        now = self.clock.now()
        await self.tell(
            PollClosed(a.chat, a.message_id, a.ref, counts, poll.total_voter_count, now)
        )
