"""The owner's pool of spare groups.

A spare opens on its own when the others fill, with nobody watching, so
the bot must be able to run it: `/pool add` accepts a group only once the
platform has read the bot's admin rights there for that very request. An
earlier reading is not trusted; rights change without the bot always
hearing of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Locale
from bot.core.actions import Action, CheckBotRights, SendMessage
from bot.core.events import ChatRef
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import SPARE, GroupRecord
from bot.features.overflow.planner import Overflow
from bot.features.presence.rights import rights_list


@dataclass(frozen=True, slots=True)
class AddRequest:
    """An owner's `/pool add`, answered once the rights are read."""

    chat: ChatRef
    message_id: int
    locale: Locale


class Pool:
    def __init__(self, kit: Kit, overflow: Overflow) -> None:
        self.kit = kit
        self.overflow = overflow
        # group key -> the /pool add waiting for the bot's rights there.
        self.waiting: dict[str, AddRequest] = {}

    def ask(self, group: GroupRecord, request: AddRequest) -> list[Action]:
        """Refuse at once what no rights would fix; otherwise have the
        platform read the bot's rights, and answer when it reports them."""
        refusal = self._refusal(group, request.locale)
        if refusal is not None:
            return [_reply(request, refusal)]
        self.waiting[group.chat_key] = request
        return [CheckBotRights(request.chat)]

    def rights_read(self, chat: ChatRef, missing: tuple[str, ...]) -> list[Action]:
        """The platform's reading of the bot's rights: the add waiting on it
        is finished, checked again (the group may have changed meanwhile)."""
        request = self.waiting.pop(chat.key, None)
        group = self.kit.directory.groups.get(chat.key)
        if request is None or group is None:
            return []
        loc = request.locale
        text = self._refusal(group, loc)
        if text is None and missing:
            text = t(loc, "overflow.pool_rights", rights=rights_list(loc, chat.platform, missing))
        if text is None:
            self.overflow.add_spare(group)
            text = t(loc, "overflow.pool_added", count=len(self.overflow.spares(chat.platform)))
        return [_reply(request, text)]

    def _refusal(self, group: GroupRecord, loc: Locale) -> str | None:
        if group.state == SPARE:
            return t(loc, "overflow.pool_already", count=len(self.overflow.spares(group.platform)))
        allowed = self.kit.config.groups.pool.max_members
        if group.member_count > allowed:
            return t(loc, "overflow.pool_in_use", members=group.member_count, allowed=allowed)
        return None


def _reply(request: AddRequest, text: str) -> SendMessage:
    return SendMessage(request.chat, text, reply_to=request.message_id, kind="reply")
