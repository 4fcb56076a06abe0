"""What every Telegram action handler goes through: one Bot API call limited,
its 429s waited out, its network errors retried, its refusal logged and
reported to the moderators' log chat.

The handlers live in mixins by concern (`messaging`, `moderation`,
`structure`); `TelegramGateway` puts them together with the dispatch table
and the per-chat lanes, and sets what this class only declares.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from adapters.gateway import Reported, split_text
from adapters.telegram.limiter import RateLimiter
from bot.config import Config
from bot.core.buttons import Button, button_rows
from bot.core.events import ChatRef, Event
from bot.core.i18n import t
from bot.core.ports import Clock

log = logging.getLogger("adapters.telegram.gateway")

T = TypeVar("T")

# Telegram reads an until_date less than 30 seconds ahead as "forever".
_MIN_SPAN = timedelta(seconds=31)
# Text limit of one message, in UTF-16 code units (Telegram counts after entities).
MAX_TEXT = 4096


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


class Moved(Exception):
    """The chat a call went to was upgraded to a supergroup: Telegram named
    its new id, and the action can go there."""

    def __init__(self, chat: ChatRef, new_id: str) -> None:
        super().__init__(f"{chat.chat_id} is now {new_id}")
        self.chat = chat
        self.new_id = new_id


class Calls:
    """The calls every handler makes. The attributes are the gateway's (set
    in its `__init__`); `tell`, `report` and `is_log_chat` are the gateway
    base's."""

    bot: Bot
    clock: Clock
    limiter: RateLimiter
    retry: RetryPolicy
    _settings: Callable[[], Config]
    _sleep: Callable[[float], Awaitable[None]]
    _chat_name: Callable[[ChatRef], str]
    failures: list[tuple[str, str, int | None, str]]
    rate_limited: int
    retry_waited: float
    # Told of each refusal (the chat and Telegram's words): the runner reads
    # the bot's rights there again when the words speak of them.
    on_refused: Callable[[ChatRef, str], None] | None

    if TYPE_CHECKING:

        async def tell(self, event: Event) -> None: ...

        async def sent(self, chat: ChatRef, ids: Sequence[int], ref: str, at: datetime) -> None: ...

        async def report(self, lines: Sequence[str]) -> None: ...

        def is_log_chat(self, chat: ChatRef) -> bool: ...

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
        general: Callable[[], Awaitable[T]] | None = None,
    ) -> T:
        """`fn` called, its refusal reported; `general` is the same message
        without its forum topic, sent when the topic is gone or closed."""
        cid = int(chat.chat_id)
        try:
            try:
                return await self.call(fn, chat_id=cid, message=message)
            except BadRequest as exc:
                if general is None or not _topic_gone(exc):
                    raise
                log.info("topic %s of %s is gone (%s): sent to General", chat.thread, cid, exc)
                return await self.call(general, chat_id=cid, message=message)
        except ChatMigrated as exc:
            raise Moved(chat, str(exc.new_chat_id)) from exc
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
        if self.on_refused is not None:
            self.on_refused(chat, error)
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

    async def _say(
        self, op: str, chat: ChatRef, fn: Callable[..., Awaitable[T]], *, case: int | None = None
    ) -> T:
        """A message (`fn`, a send method with its arguments bound) in the
        forum topic of the chat it answers, or in General once that topic
        is gone."""
        if chat.thread is None:
            return await self._do(op, chat, fn, message=True, case=case)
        in_topic = partial(fn, message_thread_id=int(chat.thread))
        return await self._do(op, chat, in_topic, message=True, case=case, general=fn)

    def _until(self, until: datetime) -> int:
        return int(max(until, self.clock.now() + _MIN_SPAN).timestamp())


def _topic_gone(exc: BadRequest) -> bool:
    """Telegram refuses a message to a topic deleted or closed meanwhile."""
    words = exc.message.lower().replace(" ", "_")
    return "thread_not_found" in words or "topic_" in words


def not_modified(exc: BadRequest) -> bool:
    """Telegram refuses a change to what is already so (CHAT_NOT_MODIFIED)."""
    return "not_modified" in exc.message.lower().replace(" ", "_")


def inline_keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """An inline keyboard, a row for each thing its buttons are about; each
    press comes back as a callback query carrying the button's command."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in button_rows(buttons, 3)
        ]
    )


def text_parts(text: str) -> list[str]:
    """Long texts (a big leaderboard) go out as several messages."""
    return split_text(text, MAX_TEXT, utf16_len)
