"""The engine's actions as Bot API calls.

Actions dispatch by class through the table `adapters.gateway` builds from
the `@handles` marks of the handler mixins (`messaging`, `moderation`,
`structure`; the calls they share are in `calls`). Every call passes the
rate limiter, waits out a 429's `retry_after`, and retries network errors a
few times; a refusal (no rights, message gone, member blocked the bot) is
logged and reported to the moderators' log chat, never raised.

The runner hands actions over with `submit`, which queues them per chat and
lane (messages apart from moderation), so a group that has spent its message
allowance still gets its spam deleted at once, and one slow chat never holds
up the others. Order is kept within a lane. `drain` waits for everything
queued; `execute` runs actions at once, in order (the `Gateway` port).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import fields, replace
from typing import Any

from telegram import Bot

from adapters.gateway import Gateway, Tell, lane_of
from adapters.ops.context import lane_context
from adapters.telegram.calls import Moved, RetryPolicy, retry_seconds, utf16_len
from adapters.telegram.limiter import RateLimiter
from adapters.telegram.messaging import MessagingCalls
from adapters.telegram.moderation import ModerationCalls
from adapters.telegram.provision import Provisioner
from adapters.telegram.structure import StructureCalls
from adapters.telegram.translate import PLATFORM
from bot.config import Config
from bot.core import actions as act
from bot.core.events import ChatMoved, ChatRef
from bot.core.ports import Clock

__all__ = ["RetryPolicy", "TelegramGateway", "retry_seconds", "utf16_len"]

log = logging.getLogger(__name__)

# Actions about one message of a chat, by its id there.
_ABOUT_A_MESSAGE = (
    act.DeleteMessage,
    act.PinMessage,
    act.UnpinMessage,
    act.ClosePoll,
    act.ReadImage,
    act.AskOpinion,
)
# What `_redirected` returns for one of those: nothing to send.
_LEFT_BEHIND: act.Action = act.UnpinMessage(ChatRef(PLATFORM, "0"), 0)

_MESSAGE_ACTIONS = (
    act.SendMessage,
    act.SendPhoto,
    act.SendDirect,
    act.SendPoll,
    act.PinMessage,
    act.CreateInvite,
)


class TelegramGateway(MessagingCalls, ModerationCalls, StructureCalls, Gateway):
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
        self.on_refused: Callable[[ChatRef, str], None] | None = None
        # 429s met and the seconds waited for them and for network retries
        # (/metrics reads them).
        self.rate_limited = 0
        self.retry_waited = 0.0
        # Groups upgraded to supergroups: old chat id -> new chat id. The
        # config and the actions stored before may still name the old one.
        self.moved: dict[str, str] = {}

    # -- groups upgraded to supergroups ------------------------------------

    def follow(self, old: ChatRef, new: ChatRef) -> bool:
        """From now on, what goes to `old` goes to `new`; False when that
        was known already (Telegram tells it in both chats)."""
        if old.chat_id == new.chat_id or self.moved.get(old.chat_id) == new.chat_id:
            return False
        self.moved[old.chat_id] = new.chat_id
        log.warning(
            "Telegram: the group %s was upgraded to a supergroup and is now %s;"
            " where the config names telegram:%s, write telegram:%s",
            old.chat_id, new.chat_id, old.chat_id, new.chat_id,
        )  # fmt: skip
        return True

    async def dispatch(self, action: act.Action) -> Any:
        """The action, sent where its group lives now: one for a group that
        was upgraded meanwhile is sent again at the new id (and the core
        told, so the group follows its chat)."""
        if self.moved:
            action = self._redirected(action)
            if action is _LEFT_BEHIND:
                return None
        try:
            return await super().dispatch(action)
        except Moved as moved:
            old = ChatRef(PLATFORM, moved.chat.chat_id)
            new = ChatRef(PLATFORM, moved.new_id, title=moved.chat.title)
            if self.follow(old, new):
                await self.tell(ChatMoved(old, new, self.clock.now()))
            again = self._redirected(action)
            if again is _LEFT_BEHIND:
                return None
            if again is action:
                raise
            return await super().dispatch(again)

    def _redirected(self, action: act.Action) -> act.Action:
        """The action at the chat's new id. Message ids count per chat: one
        about a message of the old chat (a deletion, a pin) is left behind
        with it, and an answer there is no reply any more."""
        changes: dict[str, Any] = {}
        for f in fields(action):
            value = getattr(action, f.name)
            if isinstance(value, ChatRef) and value.platform == PLATFORM:
                new = self.moved.get(value.chat_id)
                if new is not None:
                    changes[f.name] = replace(value, chat_id=new)
        if not changes:
            return action
        if isinstance(action, _ABOUT_A_MESSAGE):
            log.info("Telegram: %s was for a message of a chat upgraded since", action)
            return _LEFT_BEHIND
        if isinstance(action, act.SendMessage | act.SendPhoto):
            changes["reply_to"] = None
        return replace(action, **changes)

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
