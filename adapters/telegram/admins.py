"""Who administers each group, read with getChatAdministrators.

Kept for a short time so that a busy group costs one call every few minutes,
and dropped at once when a `chat_member` update shows someone promoted or
demoted. Owners and moderators named in the config are staff anyway (the
core's directory knows them); this adds the group's own Telegram admins.
The dashboard asks the same of one user live (`ChatAdmins`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, TelegramError

from adapters.admins import AdminsUnknown, Ask, any_yes
from bot.core.events import ChatRef

log = logging.getLogger(__name__)

Fetch = Callable[[int], Awaitable[frozenset[int]]]


def fetch_with(bot: Bot) -> Fetch:
    """The group's admins, and its linked channel: a discussion group's
    channel posts and comments as itself, and is the group's own voice."""

    async def fetch(chat_id: int) -> frozenset[int]:
        admins = await bot.get_chat_administrators(chat_id)
        found = {m.user.id for m in admins}
        try:
            linked = (await bot.get_chat(chat_id)).linked_chat_id
        except TelegramError as exc:
            log.info("cannot read the linked channel of %s: %s", chat_id, exc)
            linked = None
        if linked is not None:
            found.add(linked)
        return frozenset(found)

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


class ChatAdmins:
    """The dashboard's question (`adapters.admins.PlatformAdmins`), asked
    with getChatMember in each group: creator or administrator is a yes.

    Not through `AdminCache`: that one keeps a failed read as "no admins",
    which is right for a message and wrong here, where a failure must say
    that Telegram could not answer."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def administers(self, user_id: str, chats: Sequence[ChatRef]) -> bool:
        user = int(user_id)

        def asking(chat: ChatRef) -> Ask:
            async def ask() -> bool:
                try:
                    member = await self._bot.get_chat_member(int(chat.chat_id), user)
                except BadRequest as exc:
                    if "user not found" in exc.message.lower():
                        return False  # Telegram knows no such user there
                    raise AdminsUnknown(exc.message) from exc
                except TelegramError as exc:
                    raise AdminsUnknown(exc.message) from exc
                return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)

            return ask

        return await any_yes([(chat.key, asking(chat)) for chat in chats])
