"""The purge feature: `/purge`, and the history kept in step with what
the bot deletes and says (bot/core/history.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.actions import Action, DeleteMessage
from bot.core.events import Event, MessageSent
from bot.core.feature import Base
from bot.core.kit import Kit
from bot.features.moderation.enforcement import Enforcer
from bot.features.purge import commands
from bot.features.purge.purge import REF, Purge


class PurgeFeature(Base):
    name = "purge"

    def __init__(self, kit: Kit, enforcer: Enforcer) -> None:
        self.kit = kit
        self.commands = commands.commands.bind(Purge(kit, enforcer))

    def observe(self, out: Sequence[Action], now: datetime) -> None:
        """Whatever the bot deletes (a rule's removal, a purge) is forgotten,
        so a later `/purge N` counts only messages still there."""
        for a in out:
            if type(a) is DeleteMessage:
                self.kit.history.forget(a.chat, a.message_ids)

    async def on_event(self, event: Event) -> list[Action]:
        """A purge's own reply, sent: remembered like a member's message."""
        if type(event) is MessageSent and event.ref.startswith(REF):
            self.kit.history.add(event.chat, event.message_id, "", event.at)
        return []
