"""Registering a group when the bot arrives in it, with the member count
Telegram reports, so overflow planning starts from the truth rather than from
the joins the bot happens to see afterwards."""

from __future__ import annotations

from datetime import datetime

from bot.core.engine import Engine
from bot.core.events import ChatRef


def register_group(engine: Engine, chat: ChatRef, now: datetime, member_count: int | None) -> None:
    group = engine.kit.directory.group(chat, now, chat.title)
    if member_count is not None and group.member_count != member_count:
        group.member_count = member_count
        if engine.writes is not None:
            engine.writes.group(group)
