"""The bot's own standing in each group, read by the bot itself.

`my_chat_member` tells the bot when it is added, promoted, demoted or
removed, but only from the moment it runs with groupkeeper: a bot made a
plain member before, or demoted while the bot was down for longer than
Telegram keeps updates (24 hours), never hears of it. So the runner reads
its standing (getChatMember on itself) in each of the community's groups
as it starts, in a group it first reads the admins of (one it was added to
before it ran, unknown to the community until now), and again in a group
where Telegram refused an action for want of rights (at most once in
`AGAIN` seconds per group). Each read goes
to the core as `BotMembershipChanged(checked=True)`; presence decides
whether the owners hear of it (only what differs from what they were told).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from adapters.telegram.translate import missing_rights
from bot.core.events import BotMembershipChanged, ChatRef
from bot.core.ports import Clock

log = logging.getLogger(__name__)

Report = Callable[[BotMembershipChanged], Awaitable[None]]

# Seconds between two reads of one group prompted by refusals: a burst of
# refused deletes costs one getChatMember.
AGAIN = 300.0
_OUT = frozenset({"left", "kicked"})
_ADMIN = frozenset({"creator", "administrator"})
# Telegram's words for a call refused because of the bot's own standing:
# "not enough rights to ...", "need administrator rights", "have no rights
# to send a message", CHAT_ADMIN_REQUIRED, "bot is not a member of ...",
# "bot was kicked from ...". ("user is an administrator of the chat" is
# about the target, and does not match.)
# "message can't be deleted" is what a bot that lost the right to delete
# meets first (it also says so of a message too old: a read costs little).
_STANDING_WORDS = ("rights", "admin_required", "not_a_member", "was_kicked", "can't_be_deleted")


def about_rights(error: str) -> bool:
    """Whether a refusal reads as the bot lacking a right (or its place) there."""
    words = error.lower().replace(" ", "_")
    return any(w in words for w in _STANDING_WORDS)


class StandingReader:
    def __init__(
        self,
        bot: Bot,
        clock: Clock,
        report: Report,
        title: Callable[[ChatRef], str],
        *,
        again: float = AGAIN,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bot = bot
        self._clock = clock
        self._report = report
        self._title = title
        self.again = again
        self._monotonic = monotonic
        # Groups read already (at start or at first sight), and when each
        # was last read because of a refusal.
        self._known: set[str] = set()
        self._doubted_at: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.reads = 0

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def read_all(self, chats: Iterable[ChatRef]) -> None:
        """In the background: the groups one after another (a community of
        many overflow groups costs one call each, not a burst)."""
        chats = list(chats)
        self._known.update(chat.chat_id for chat in chats)
        if chats:
            self._spawn(self._read_each(chats))

    def seen(self, chat: ChatRef) -> None:
        """A group the bot reads its admins in: its standing there is read
        the first time (a group it was added to before it ran)."""
        if chat.chat_id not in self._known:
            self._known.add(chat.chat_id)
            self._spawn(self._read_each([chat]))

    def doubt(self, chat: ChatRef, error: str) -> None:
        """Telegram refused something in `chat`: read the standing there
        again if the refusal speaks of rights and it was not read lately."""
        if chat.private or not about_rights(error):
            return
        now = self._monotonic()
        last = self._doubted_at.get(chat.chat_id)
        if last is not None and now - last < self.again:
            return
        self._doubted_at[chat.chat_id] = now
        self._spawn(self._read_each([chat]))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read_each(self, chats: list[ChatRef]) -> None:
        for chat in chats:
            try:
                await self.read(chat)
            except Exception:
                log.exception("reading the bot's standing in %s failed", chat.chat_id)

    async def read(self, chat: ChatRef) -> None:
        self.reads += 1
        if not chat.title:
            chat = replace(chat, title=self._title(chat))
        bot = self._bot
        try:
            member = (await bot.get_chat_member(int(chat.chat_id), bot.id)).to_dict()
        except Forbidden as exc:
            log.info("Telegram: the bot is not in %s (%s)", chat.chat_id, exc.message)
            member = {"status": "kicked"}
        except TelegramError as exc:
            log.info("Telegram: cannot read the bot's standing in %s: %s", chat.chat_id, exc)
            return
        status = str(member.get("status"))
        await self._report(
            BotMembershipChanged(
                chat,
                self._clock.now(),
                removed=status in _OUT,
                admin=status in _ADMIN,
                missing=missing_rights(member),
                checked=True,
            )
        )
