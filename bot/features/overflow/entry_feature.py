"""The entry gate (入群门槛) as a feature: newcomers' answers to the captcha
in private, join requests, the gate's deadlines, and its state saved with
every event; moderators decide the approval queue with /admit and /deny."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.actions import Action, ApproveJoin
from bot.core.events import Event, JoinRequested
from bot.core.feature import Base, Direct
from bot.core.kit import Kit
from bot.features.overflow import entry_commands
from bot.features.overflow.entry import EntryGate


class EntryFeature(Base):
    name = "entry"

    def __init__(self, kit: Kit, entry: EntryGate) -> None:
        self.kit = kit
        self.entry = entry
        self.commands = entry_commands.commands.bind(entry)

    async def on_direct(self, direct: Direct) -> list[Action]:
        # A newcomer answering the captcha.
        return await self.entry.answer(direct.member, direct.event.text, direct.event.at) or []

    async def on_event(self, event: Event) -> list[Action]:
        if type(event) is not JoinRequested:
            return []
        # Join-request links go through the same gate as the entry link;
        # with no gate configured every request is let in.
        if not self.kit.config.entry.gated:
            return [ApproveJoin(event.chat, event.member)]
        member = self.kit.directory.member(event.member, event.at)
        self.kit.directory.group(event.chat, event.at, event.chat.title)
        return await self.entry.begin(member, event.member, event.at, request=event.chat)

    async def tick(self, now: datetime) -> list[Action]:
        return await self.entry.tick(now)

    def has_pending(self) -> bool:
        return self.entry.has_pending()

    async def after(self, out: Sequence[Action], now: datetime) -> None:
        # Saved before the actions leave: an invite never goes out without
        # the place it holds being on record.
        await self.entry.save(now)
