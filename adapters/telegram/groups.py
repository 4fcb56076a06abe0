"""Keeping the core's group records in step with what Telegram says about a
group: its title (so a welcome names the group, not its id) and, when the bot
arrives, its member count (so overflow planning starts from the truth)."""

from __future__ import annotations

from datetime import datetime

from adapters.telegram.translate import PLATFORM, Json, chat_title
from bot.engine import Engine
from bot.events import ChatRef


class GroupTitles:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._known: dict[int, str] = {}

    def see(self, update: Json, now: datetime) -> None:
        """Register the update's group before the engine sees the update."""
        found = chat_title(update)
        if found is None:
            return
        chat_id, title = found
        if self._known.get(chat_id) != title:
            self.register(ChatRef(PLATFORM, str(chat_id)), title, now)

    def register(
        self, chat: ChatRef, title: str, now: datetime, member_count: int | None = None
    ) -> None:
        s = self.engine.s
        group = s.directory.group(chat, now, title)
        changed = False
        if group.title != title:
            group.title = title
            changed = True
        if member_count is not None and group.member_count != member_count:
            group.member_count = member_count
            changed = True
        if changed and self.engine.writes is not None:
            self.engine.writes.group(group)
        self._known[int(chat.chat_id)] = title
