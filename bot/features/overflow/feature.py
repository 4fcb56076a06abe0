"""Overflow: the planner counts every group's members, readies the next
group as one fills and moves the single entry link there; a newcomer who
came in without an entry invite is sent to the gate (see `entry.py`)."""

from __future__ import annotations

from bot.core.actions import Action
from bot.core.events import (
    BotRightsReported,
    Event,
    GroupOpened,
    MembersCounted,
)
from bot.core.feature import Arrival, Base, Departure, Step
from bot.core.kit import Kit
from bot.core.records import OPEN
from bot.features.overflow import commands
from bot.features.overflow.entry import EntryGate
from bot.features.overflow.planner import Overflow
from bot.features.overflow.pool import Pool


class OverflowFeature(Base):
    name = "overflow"

    def __init__(self, kit: Kit, overflow: Overflow, entry: EntryGate) -> None:
        self.kit = kit
        self.overflow = overflow
        self.entry = entry
        self.pool = Pool(kit, overflow)
        self.commands = (*commands.commands.bind(overflow), *commands.pool_commands.bind(self.pool))

    async def on_join(self, arrival: Arrival) -> Step:
        ev, member, group = arrival.event, arrival.member, arrival.group
        overflow = self.overflow
        # Without an entry invite (to any group: they passed the gate), a
        # newcomer still owes the captcha.
        direct = (
            group.state == OPEN
            and member.key not in overflow.pending
            and not self.kit.directory.is_staff(member, ev.member)
        )
        # The next group readied (or the owner warned) as this one fills.
        prepared = overflow.joined(member, group, ev.at)
        if direct:
            prepared += self.entry.joined_directly(member, ev.member, group, ev.at)
        return Step(prepared)

    async def on_leave(self, departure: Departure) -> list[Action]:
        self.overflow.left(departure.member, departure.group)
        return []

    async def on_event(self, event: Event) -> list[Action]:
        overflow = self.overflow
        if type(event) is MembersCounted:
            group = self.kit.directory.groups.get(event.chat.key)
            return overflow.counted(group, event.count, event.at) if group is not None else []
        if type(event) is GroupOpened:
            return overflow.opened(event.chat, event.title, event.serial, event.at, event.template)
        if type(event) is BotRightsReported:
            return self.pool.rights_read(event.chat, event.missing)
        return []
