"""Where the points economy meets the engine: reactions, joins and leaves,
removed messages, and the periodic tick (event reminders, referrals)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.actions import Action, DeleteMessage, SendMessage
from bot.core.directory import display
from bot.core.events import ChatRef, MemberJoined, ReactionAdded, TimerFired
from bot.core.i18n import t
from bot.core.records import GroupRecord, MemberRecord
from bot.core.services import Services
from bot.features.points.rewards import level_up_actions


async def on_reaction(s: Services, ev: ReactionAdded) -> list[Action]:
    if ev.member.is_bot or ev.chat.private:
        return []
    award = s.points.for_reaction(ev.member.key, ev.chat.key, ev.message_id, ev.at)
    if award is None or award.level_up is None:
        return []
    author = s.directory.members.get(award.member_key)
    return level_up_actions(s, author, ev.chat, award.level_up) if author else []


async def invite_created(s: Services, link: str, member_key: str, at: datetime) -> None:
    """A platform made a personal invite link for the member (runners report
    it after carrying out the member's CreateInvite)."""
    if s.economy is not None:
        await s.economy.referrals.invite_created(link, member_key, at)


async def on_join(
    s: Services, member: MemberRecord, group: GroupRecord, ev: MemberJoined
) -> list[Action]:
    eco = s.economy
    if eco is None:
        return []
    added_by = ev.added_by.key if ev.added_by is not None else None
    await eco.referrals.joined(member, group.chat_key, ev.invite, added_by, ev.at)
    return []


async def on_leave(s: Services, member: MemberRecord, at: datetime) -> None:
    if s.economy is not None:
        await s.economy.referrals.left(member.key, at)


def take_back_deleted(s: Services, actions: Sequence[Action], now: datetime) -> None:
    """Messages the bot removes earn nothing: their points go back."""
    for a in actions:
        if type(a) is DeleteMessage:
            for mid in a.message_ids:
                s.points.take_back(a.chat.key, mid, now)


async def on_tick(s: Services, ev: TimerFired) -> list[Action]:
    eco = s.economy
    if eco is None:
        return []
    now = ev.at
    actions: list[Action] = []
    loc = s.config.community.locale
    tz = s.config.community.tz
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
    for q in await eco.referrals.qualify(now, s.directory.members):
        r = q.referral
        inviter = s.directory.members.get(r.inviter_key)
        invitee = s.directory.members.get(r.invitee_key)
        if r.group_key is None or inviter is None:
            continue
        chat = ChatRef.parse(r.group_key)
        text = t(
            s.locale_for(inviter),
            "invite.qualified",
            inviter=display(inviter),
            invitee=display(invitee) if invitee else r.invitee_key,
            points=q.points,
        )
        actions.append(SendMessage(chat, text, kind="referral"))
        if q.level_up is not None:
            actions += level_up_actions(s, inviter, chat, q.level_up)
    return actions
