"""The points economy beyond the ledger: the shop, events with reminders and
attendance, and referrals paid once the invitee stays and takes part."""

from __future__ import annotations

from datetime import datetime

from bot.core.actions import Action, SendMessage
from bot.core.directory import display
from bot.core.events import ChatRef, Event, InviteCreated
from bot.core.feature import PASS, Arrival, Base, Departure, Step
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.features.economy import commands
from bot.features.economy.economy import Economy
from bot.features.points.rewards import level_up_actions


class EconomyFeature(Base):
    name = "economy"

    def __init__(self, kit: Kit, economy: Economy) -> None:
        self.kit = kit
        self.economy = economy
        self.commands = commands.commands.bind(economy)

    async def on_join(self, arrival: Arrival) -> Step:
        ev = arrival.event
        added_by = ev.added_by.key if ev.added_by is not None else None
        await self.economy.referrals.joined(
            arrival.member, arrival.group.chat_key, ev.invite, added_by, ev.at
        )
        return PASS

    async def on_leave(self, departure: Departure) -> list[Action]:
        await self.economy.referrals.left(departure.member.key, departure.event.at)
        return []

    async def on_event(self, event: Event) -> list[Action]:
        # A member's own invite link (entry invites are the overflow planner's).
        if type(event) is InviteCreated and event.purpose == "personal":
            await self.economy.referrals.invite_created(event.link, event.member.key, event.at)
        return []

    async def tick(self, now: datetime) -> list[Action]:
        """Event reminders, and referrals that qualified."""
        eco, kit = self.economy, self.kit
        actions: list[Action] = []
        loc = kit.config.community.locale
        tz = kit.config.community.tz
        for e in await eco.gatherings.due_reminders(now):
            if e.group_key is None:
                continue
            text = t(
                loc,
                "event.reminder",
                id=e.id,
                title=e.title,
                time=f"{e.starts_at.astimezone(tz):%H:%M}",
                going=eco.gatherings.going(e.id),
            )
            actions.append(SendMessage(ChatRef.parse(e.group_key), text, kind="reminder"))
        members = kit.directory.members
        for q in await eco.referrals.qualify(now, members):
            r = q.referral
            inviter = members.get(r.inviter_key)
            invitee = members.get(r.invitee_key)
            if r.group_key is None or inviter is None:
                continue
            chat = ChatRef.parse(r.group_key)
            text = t(
                kit.locale_for(inviter),
                "invite.qualified",
                inviter=display(inviter),
                invitee=display(invitee) if invitee else r.invitee_key,
                points=q.points,
            )
            actions.append(SendMessage(chat, text, kind="referral"))
            if q.level_up is not None:
                actions += level_up_actions(kit, inviter, chat, q.level_up)
        return actions
