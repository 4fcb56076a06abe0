"""The engine's actions as Bot API calls.

Actions dispatch by class through the table `adapters.gateway` builds from
the `@handles` marks. Every call passes the rate limiter, waits out a 429's
`retry_after`, and retries network errors a few times; a refusal (no rights,
message gone, member blocked the bot) is logged and reported to the
moderators' log chat, never raised.

The runner hands actions over with `submit`, which queues them per chat and
lane (messages apart from moderation), so a group that has spent its message
allowance still gets its spam deleted at once, and one slow chat never holds
up the others. Order is kept within a lane. `drain` waits for everything
queued; `execute` runs actions at once, in order (the `Gateway` port).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from telegram import (
    Bot,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LabeledPrice,
    MessageEntity,
    ReplyParameters,
    User,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from adapters.gateway import Gateway, Reported, Tell, handles, lane_of, split_text
from adapters.ocr import TooLarge, read_and_tell, shared_ocr
from adapters.opinions import ask_and_tell, shared_opinions
from adapters.ops.context import lane_context
from adapters.telegram.limiter import RateLimiter
from adapters.telegram.provision import Provisioner, ProvisionFailed
from adapters.telegram.translate import PLATFORM, missing_rights
from bot.config import Config
from bot.core import actions as act
from bot.core.events import (
    BotRightsReported,
    ChatRef,
    GroupOpened,
    InviteCreated,
    MembersCounted,
    MessageSent,
    PollClosed,
    UserRef,
)
from bot.core.i18n import t
from bot.core.ports import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")

# Telegram reads an until_date less than 30 seconds ahead as "forever".
_MIN_SPAN = timedelta(seconds=31)
# deleteMessages takes at most 100 ids per call.
_DELETE_CHUNK = 100
# Text limit of one message, in UTF-16 code units (Telegram counts after entities).
_MAX_TEXT = 4096

_MESSAGE_ACTIONS = (
    act.SendMessage,
    act.SendPhoto,
    act.SendDirect,
    act.SendPoll,
    act.PinMessage,
    act.CreateInvite,
)
# Caption limit of a photo, in characters.
# Telegram Stars' currency code.
_STARS = "XTR"
_MAX_CAPTION = 1024
# answerCallbackQuery shows at most 200 characters.
_MAX_TOAST = 200


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    # Network errors: this many attempts in all, waiting backoff * 2**n between.
    network_attempts: int = 4
    backoff: float = 1.0
    # 429s are waited out for as long as this, in total, before giving up.
    max_flood_wait: float = 900.0


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after becomes a timedelta; both are handled.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class TelegramGateway(Gateway):
    """`settings` returns the live config (a reload swaps it): the log chat
    and the language of what the bot says on its own come from it."""

    platform = PLATFORM

    def __init__(
        self,
        bot: Bot,
        settings: Callable[[], Config],
        clock: Clock,
        *,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        chat_name: Callable[[ChatRef], str] | None = None,
        provisioner: Provisioner | None = None,
        on_event: Tell | None = None,
    ) -> None:
        super().__init__(lambda: settings().community.log_chat, on_event=on_event)
        self.bot = bot
        # Makes the next group when the pool is empty (a user account).
        self._provisioner = provisioner
        self._settings = settings
        self.clock = clock
        self.limiter = limiter or RateLimiter()
        self.retry = retry or RetryPolicy()
        # Waiting out 429s and backoffs; tests swap in one that records.
        self._sleep = sleep
        self._chat_name = chat_name or (lambda chat: chat.chat_id)
        self._lanes: dict[tuple[str, bool], deque[act.Action]] = {}
        self._workers: dict[tuple[str, bool], asyncio.Task[None]] = {}
        self.failures: list[tuple[str, str, int | None, str]] = []
        # 429s met and the seconds waited for them and for network retries
        # (/metrics reads them).
        self.rate_limited = 0
        self.retry_waited = 0.0

    # -- running actions -------------------------------------------------

    def submit(self, actions: Sequence[act.Action]) -> None:
        """Queue actions to run in the background, in order per chat and lane."""
        for action in actions:
            key = (lane_of(action), isinstance(action, _MESSAGE_ACTIONS))
            lane = self._lanes.get(key)
            if lane is None:
                lane = self._lanes[key] = deque()
            lane.append(action)
            if key not in self._workers:
                self._workers[key] = asyncio.get_running_loop().create_task(
                    self._work(key), context=lane_context(key[0])
                )

    async def drain(self) -> None:
        """Wait until every submitted action has run (or failed)."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    def queued(self) -> dict[str, int]:
        """Actions waiting, by lane: messages (the per-chat limited ones) and
        the rest."""
        depth = {"messages": 0, "other": 0}
        for (_, messages), lane in list(self._lanes.items()):
            depth["messages" if messages else "other"] += len(lane)
        return depth

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing running."""
        return not self._workers

    async def _work(self, key: tuple[str, bool]) -> None:
        lane = self._lanes[key]
        try:
            while lane:
                await self.attempt(lane.popleft())
        finally:
            if lane:
                log.error("Telegram: %d actions for %s were dropped", len(lane), key[0])
            del self._lanes[key]
            del self._workers[key]

    # -- calls, limits, retries ----------------------------------------------

    async def call(
        self, fn: Callable[[], Awaitable[T]], *, chat_id: int | None, message: bool
    ) -> T:
        """One Bot API call: limited, 429s waited out, network errors retried.
        Raises the TelegramError of a call that cannot succeed."""
        flood_wait = 0.0
        network_failures = 0
        policy = self.retry
        limited = chat_id if message else None
        while True:
            taken = await self.limiter.acquire(limited)
            try:
                return await fn()
            except RetryAfter as exc:
                self.limiter.give_back(limited, taken)
                wait = retry_seconds(exc)
                flood_wait += wait
                if flood_wait > policy.max_flood_wait:
                    raise
                log.warning("Telegram flood control: waiting %.0fs (chat %s)", wait, chat_id)
                self.rate_limited += 1
                self.retry_waited += wait
                await self._sleep(wait)
            except BadRequest:
                # A subclass of NetworkError, but retrying cannot help it.
                raise
            except NetworkError:
                network_failures += 1
                if network_failures >= policy.network_attempts:
                    raise
                backoff = policy.backoff * 2 ** (network_failures - 1)
                self.retry_waited += backoff
                await self._sleep(backoff)

    async def _do(
        self,
        op: str,
        chat: ChatRef,
        fn: Callable[[], Awaitable[T]],
        *,
        message: bool = False,
        case: int | None = None,
    ) -> T:
        try:
            return await self.call(fn, chat_id=int(chat.chat_id), message=message)
        except TelegramError as exc:
            await self._failed(op, chat, case, exc)
            raise Reported(exc.message) from exc

    async def _failed(
        self, op: str, chat: ChatRef, case: int | None, exc: TelegramError | str
    ) -> None:
        error = exc if isinstance(exc, str) else exc.message
        log.warning(
            "Telegram refused to %s in %s (case %s): %s", op, chat.chat_id, case, error,
            extra={"chat": chat.key, "case": case},
        )  # fmt: skip
        self.failures.append((op, chat.chat_id, case, error))
        if self.is_log_chat(chat):
            return
        loc = self._settings().community.locale
        text = t(
            loc,
            "telegram.failed",
            action=t(loc, f"telegram.ops.{op}"),
            chat=self._chat_name(chat),
            case=t(loc, "telegram.failed_case", case=case) if case is not None else "",
            error=error,
        )
        await self.report([text])

    def _until(self, until: datetime) -> int:
        return int(max(until, self.clock.now() + _MIN_SPAN).timestamp())

    # -- one function per action -----------------------------------------------

    @handles(act.SendMessage)
    async def _send(self, a: act.SendMessage) -> None:
        cid = int(a.chat.chat_id)
        reply = (
            ReplyParameters(a.reply_to, allow_sending_without_reply=True)
            if a.reply_to is not None
            else None
        )
        parts = _parts(a.text)
        first: int | None = None
        for n, part in enumerate(parts, 1):
            markup = _keyboard(a.buttons) if n == len(parts) else None
            sent = await self._do(
                "send",
                a.chat,
                partial(
                    self.bot.send_message, cid, part, reply_parameters=reply, reply_markup=markup
                ),
                message=True,
            )
            first = sent.message_id if first is None else first
        # Told before the pin: a pin Telegram refuses leaves the message sent.
        if a.ref and first is not None:
            await self.tell(MessageSent(a.chat, first, a.ref, self.clock.now()))
        if a.pin and first is not None:
            await self._pin(act.PinMessage(a.chat, first))

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
        await self._do(
            "send",
            a.chat,
            partial(
                self.bot.send_photo, cid, a.png, caption=caption or None, reply_parameters=reply
            ),
            message=True,
        )
        # What the caption could not hold follows as text.
        rest = a.caption[_MAX_CAPTION:]
        if rest:
            for part in _parts(rest):
                await self._do(
                    "send", a.chat, partial(self.bot.send_message, cid, part), message=True
                )

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
            parts = _parts(a.text)
            for n, part in enumerate(parts, 1):
                markup = _keyboard(a.buttons) if n == len(parts) else None
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
        self, chat: ChatRef, user: UserRef, text: str, buttons: Sequence[act.Button] = ()
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
        await self._do(
            "send",
            chat,
            lambda: self.bot.send_message(
                cid, body[:_MAX_TEXT], entities=entities, reply_markup=_keyboard(buttons)
            ),
            message=True,
        )

    @handles(act.DeleteMessage)
    async def _delete(self, a: act.DeleteMessage) -> None:
        cid = int(a.chat.chat_id)
        ids = list(a.message_ids)
        if len(ids) == 1:
            await self._do(
                "delete", a.chat, lambda: self.bot.delete_message(cid, ids[0]), case=a.case_id
            )
            return
        for i in range(0, len(ids), _DELETE_CHUNK):
            chunk = ids[i : i + _DELETE_CHUNK]
            await self._do(
                "delete",
                a.chat,
                partial(self.bot.delete_messages, cid, chunk),
                case=a.case_id,
            )

    @handles(act.MuteMember)
    async def _mute(self, a: act.MuteMember) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        until = self._until(a.until)
        await self._do(
            "mute",
            a.chat,
            lambda: self.bot.restrict_chat_member(
                cid, uid, ChatPermissions.no_permissions(), until_date=until
            ),
            case=a.case_id,
        )

    @handles(act.UnmuteMember)
    async def _unmute(self, a: act.UnmuteMember) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        # Lifting every restriction leaves the group's own defaults in force.
        await self._do(
            "unmute",
            a.chat,
            lambda: self.bot.restrict_chat_member(cid, uid, ChatPermissions.all_permissions()),
            case=a.case_id,
        )

    @handles(act.KickMember)
    async def _kick(self, a: act.KickMember) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        # Telegram has no kick: a short ban, lifted at once, lets them rejoin.
        until = self._until(self.clock.now() + timedelta(minutes=1))
        await self._do(
            "kick",
            a.chat,
            lambda: self.bot.ban_chat_member(cid, uid, until_date=until),
            case=a.case_id,
        )
        await self._do(
            "kick",
            a.chat,
            lambda: self.bot.unban_chat_member(cid, uid, only_if_banned=True),
            case=a.case_id,
        )

    @handles(act.BanMember)
    async def _ban(self, a: act.BanMember) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        until = self._until(a.until) if a.until is not None else None
        await self._do(
            "ban",
            a.chat,
            lambda: self.bot.ban_chat_member(cid, uid, until_date=until),
            case=a.case_id,
        )

    @handles(act.UnbanMember)
    async def _unban(self, a: act.UnbanMember) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        await self._do(
            "unban",
            a.chat,
            lambda: self.bot.unban_chat_member(cid, uid, only_if_banned=True),
            case=a.case_id,
        )

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

    @handles(act.CreateInvite)
    async def _invite(self, a: act.CreateInvite) -> None:
        cid = int(a.chat.chat_id)
        expire = int(a.expires.timestamp()) if a.expires is not None else None
        link = await self._do(
            "invite",
            a.chat,
            lambda: self.bot.create_chat_invite_link(
                cid, expire_date=expire, member_limit=a.member_limit
            ),
        )
        log.info("invite link for %s: %s", a.chat.chat_id, link.invite_link)
        if a.for_user is not None:
            # Referrals credit joins through a member's own link.
            now = self.clock.now()
            await self.tell(InviteCreated(a.chat, a.for_user, link.invite_link, a.purpose, now))
            loc = self._settings().community.locale
            text = t(loc, "telegram.invite_dm", group=self._chat_name(a.chat),
                     link=link.invite_link)  # fmt: skip
            await self._direct(act.SendDirect(a.for_user, text))

    @handles(act.ApproveJoin)
    async def _approve(self, a: act.ApproveJoin) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        await self._do("approve", a.chat, lambda: self.bot.approve_chat_join_request(cid, uid))

    @handles(act.DeclineJoin)
    async def _decline(self, a: act.DeclineJoin) -> None:
        cid, uid = int(a.chat.chat_id), int(a.user.user_id)
        await self._do("decline", a.chat, lambda: self.bot.decline_chat_join_request(cid, uid))

    @handles(act.SendPoll)
    async def _poll(self, a: act.SendPoll) -> None:
        cid = int(a.chat.chat_id)
        sent = await self._do(
            "poll",
            a.chat,
            lambda: self.bot.send_poll(
                cid,
                a.question,
                list(a.options),
                is_anonymous=a.anonymous,
                allows_multiple_answers=a.multiple,
            ),
            message=True,
        )
        if a.ref:
            await self.tell(MessageSent(a.chat, sent.message_id, a.ref, self.clock.now()))

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

    @handles(act.SetGroupProfile)
    async def _profile(self, a: act.SetGroupProfile) -> None:
        """Each part on its own: a refused title still leaves the rest."""
        cid = int(a.chat.chat_id)
        if a.title is not None:
            title = a.title
            with contextlib.suppress(Reported):
                await self._do("title", a.chat, lambda: self.bot.set_chat_title(cid, title))
        if a.description is not None:
            description = a.description
            with contextlib.suppress(Reported):
                await self._do(
                    "description", a.chat, lambda: self.bot.set_chat_description(cid, description)
                )
        if a.template is not None:
            await self._copy_template(a.chat, a.template)

    async def _copy_template(self, chat: ChatRef, template: ChatRef) -> None:
        """The template group's photo and default member permissions."""
        cid, tid = int(chat.chat_id), int(template.chat_id)
        source = await self._do("template", template, lambda: self.bot.get_chat(tid))
        if source.photo is not None:
            file_id = source.photo.big_file_id
            with contextlib.suppress(Reported):
                file = await self._do("photo", template, lambda: self.bot.get_file(file_id))
                # Telegram sets a chat photo only from an upload, never a file_id.
                photo = bytes(await self._do("photo", template, file.download_as_bytearray))
                await self._do("photo", chat, lambda: self.bot.set_chat_photo(cid, photo))
        permissions = source.permissions
        if permissions is not None:
            try:
                await self.call(
                    lambda: self.bot.set_chat_permissions(
                        cid, permissions, use_independent_chat_permissions=True
                    ),
                    chat_id=cid,
                    message=False,
                )
            except BadRequest as exc:
                if not _not_modified(exc):
                    await self._failed("permissions", chat, None, exc)
            except TelegramError as exc:
                await self._failed("permissions", chat, None, exc)

    @handles(act.CheckBotRights)
    async def _rights(self, a: act.CheckBotRights) -> None:
        cid = int(a.chat.chat_id)
        me = await self._do("rights", a.chat, lambda: self.bot.get_chat_member(cid, self.bot.id))
        await self.tell(BotRightsReported(a.chat, missing_rights(me.to_dict()), self.clock.now()))

    @handles(act.GrantRole, act.RevokeRole)
    async def _role(self, a: act.GrantRole | act.RevokeRole) -> None:
        # Telegram has no roles; level titles show in the bot's replies instead.
        log.debug("Telegram has no roles: %s %s for %s", type(a).__name__, a.role, a.user.key)

    @handles(act.CloneGroup)
    async def _clone(self, a: act.CloneGroup) -> None:
        """The next group, made by the provisioner's user account with the
        template's description; the bot furnishes it once the core opens it."""
        if self._provisioner is None:
            log.warning(
                "Telegram bots cannot create groups: %r needs a pre-created group "
                "from the pool (/pool add inside it)",
                a.title,
            )
            return
        tid = int(a.template.chat_id)
        about = ""
        with contextlib.suppress(Reported):
            source = await self._do("template", a.template, lambda: self.bot.get_chat(tid))
            about = source.description or ""
        try:
            chat_id = await self._provisioner.create(a.title, about, self.bot.username)
        except ProvisionFailed as exc:
            await self._failed("clone", a.template, None, str(exc))
            return
        # The core opens it (the very next newcomer may go there) and, since
        # the account made it bare, has it furnished from the template.
        chat = ChatRef(PLATFORM, str(chat_id))
        await self.tell(GroupOpened(chat, a.title, a.serial, self.clock.now(), a.template))

    @handles(act.CountMembers)
    async def _count(self, a: act.CountMembers) -> None:
        for chat in a.chats:
            count = await self.member_count(chat)
            if count is not None:
                await self.tell(MembersCounted(chat, count, self.clock.now()))

    # -- reads ---------------------------------------------------------------

    async def member_count(self, chat: ChatRef) -> int | None:
        cid = int(chat.chat_id)
        try:
            return await self.call(
                lambda: self.bot.get_chat_member_count(cid), chat_id=None, message=False
            )
        except TelegramError as exc:
            log.info("no member count for %s: %s", chat.chat_id, exc)
            return None


def _not_modified(exc: BadRequest) -> bool:
    """Telegram refuses a change to what is already so (CHAT_NOT_MODIFIED)."""
    return "not_modified" in exc.message.lower().replace(" ", "_")


def _keyboard(buttons: Sequence[act.Button]) -> InlineKeyboardMarkup | None:
    """An inline keyboard, a row for each thing its buttons are about; each
    press comes back as a callback query carrying the button's command."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in act.button_rows(buttons, 3)
        ]
    )


def _parts(text: str) -> list[str]:
    """Long texts (a big leaderboard) go out as several messages."""
    return split_text(text, _MAX_TEXT, utf16_len)
