"""Overflow: the planner counts every group's members, readies the next
group as one fills and moves the single entry link there; a newcomer who
came in without an entry invite is sent to the gate (see `entry.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.actions import Action, CountMembers
from bot.core.directory import chat_of
from bot.core.events import (
    BotRightsReported,
    Event,
    GroupOpened,
    MembersCounted,
)
from bot.core.feature import PASS, Arrival, Base, Departure, Seen, Step
from bot.core.kit import Kit
from bot.core.records import OPEN
from bot.features.overflow import commands
from bot.features.overflow.entry import EntryGate
from bot.features.overflow.planner import Overflow
from bot.features.overflow.pool import Pool

# The first count comes this soon after start: what changed while the bot
# was down.
FIRST_COUNT = timedelta(minutes=1)


class OverflowFeature(Base):
    name = "overflow"

    def __init__(self, kit: Kit, overflow: Overflow, entry: EntryGate) -> None:
        self.kit = kit
        self.overflow = overflow
        self.entry = entry
        # When the platforms next count the groups' members (`tick`).
        self._count_at = kit.clock.now() + min(FIRST_COUNT, kit.config.groups.reconcile_every)
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

    async def on_message(self, seen: Seen) -> Step:
        self.overflow.seen(seen.member, seen.group)
        return PASS

    async def on_leave(self, departure: Departure) -> list[Action]:
        self.overflow.left(departure.member, departure.group)
        return []

    async def tick(self, now: datetime) -> list[Action]:
        """Joins and leaves missed while the bot was down (or never
        delivered) would skew the counts for good: now and then, every
        platform counts its open and spare groups again (`counted` takes
        each count). The interval is read each time, so a reload applies."""
        if now < self._count_at:
            return []
        self._count_at = now + self.kit.config.groups.reconcile_every
        overflow = self.overflow
        platforms = sorted({g.platform for g in self.kit.directory.groups.values()})
        counts: list[Action] = []
        for platform in platforms:
            groups = overflow.groups(platform) + overflow.spares(platform)
            if groups:
                counts.append(CountMembers(platform, tuple(chat_of(g) for g in groups)))
        return counts

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
