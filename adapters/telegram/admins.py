"""Who administers each group, read with getChatAdministrators.

Kept for a short time so that a busy group costs one call every few minutes,
and dropped at once when a `chat_member` update shows someone promoted or
demoted. Owners and moderators named in the config are staff anyway (the
core's directory knows them); this adds the group's own Telegram admins.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import TelegramError

log = logging.getLogger(__name__)

Fetch = Callable[[int], Awaitable[frozenset[int]]]


def fetch_with(bot: Bot) -> Fetch:
    async def fetch(chat_id: int) -> frozenset[int]:
        admins = await bot.get_chat_administrators(chat_id)
        return frozenset(m.user.id for m in admins)

    return fetch


class AdminCache:
    def __init__(
        self,
        fetch: Fetch,
        *,
        ttl: float = 300.0,
        failure_ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.ttl = ttl
        # After a failed read, try again soon rather than at every message.
        self.failure_ttl = failure_ttl
        self._clock = clock
        self._entries: dict[int, tuple[float, frozenset[int]]] = {}
        self.fetches = 0

    async def get(self, chat_id: int) -> frozenset[int]:
        now = self._clock()
        entry = self._entries.get(chat_id)
        if entry is not None and entry[0] > now:
            return entry[1]
        self.fetches += 1
        try:
            admins = await self._fetch(chat_id)
        except TelegramError as exc:
            log.info("cannot read the admins of %s: %s", chat_id, exc)
            stale = entry[1] if entry is not None else frozenset()
            self._entries[chat_id] = (now + self.failure_ttl, stale)
            return stale
        self._entries[chat_id] = (now + self.ttl, admins)
        return admins

    def invalidate(self, chat_id: int) -> None:
        self._entries.pop(chat_id, None)
