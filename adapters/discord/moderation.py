"""Discord handlers that sanction members: timeouts, kicks and bans.

A ban is server-wide: one asked for again within the gateway's `ban_memory`
(the core bans in every channel a spammer posted in, and on Discord those
are the same server) is not sent twice."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import discord

from adapters.discord.reach import Reach, Refused
from adapters.gateway import handles
from bot.core import actions as act
from bot.core.i18n import t

log = logging.getLogger(__name__)

# Discord's longest timeout.
MAX_TIMEOUT = timedelta(days=28)


class ModerationCalls(Reach):
    # Set by the gateway: how much of a banned member's messages a rule's
    # ban purges, how long a ban is remembered, and (server, user) -> when
    # the bot banned them and how many seconds of messages the ban purged.
    _ban_window: timedelta
    _ban_memory: float
    _banned: dict[tuple[int, int], tuple[float, int]]

    @handles(act.MuteMember)
    async def _mute(self, a: act.MuteMember) -> str | None:
        span = a.until - discord.utils.utcnow()
        if span > MAX_TIMEOUT:
            # Cutting the mute to 28 days silently would tell moderators a
            # sanction happened that did not.
            raise Refused(t(self._locale, "discord.mute_too_long", duration=a.duration))
        guild = await self._guild(a.chat)
        member = await self._member(guild, a.user)
        await member.timeout(a.until, reason=self._audit(a.case_id, a.rule))
        return None

    @handles(act.UnmuteMember)
    async def _unmute(self, a: act.UnmuteMember) -> str | None:
        guild = await self._guild(a.chat)
        member = await self._member(guild, a.user)
        await member.timeout(None, reason=self._audit(a.case_id))
        return None

    @handles(act.KickMember)
    async def _kick(self, a: act.KickMember) -> str | None:
        guild = await self._guild(a.chat)
        await guild.kick(discord.Object(int(a.user.user_id)), reason=self._audit(a.case_id, a.rule))
        return None

    @handles(act.BanMember)
    async def _ban(self, a: act.BanMember) -> str | None:
        guild = await self._guild(a.chat)
        purge = int((self._ban_window if a.rule else timedelta(0)).total_seconds())
        who = (guild.id, int(a.user.user_id))
        if self._just_banned(who, purge):
            # The ban already made stands, with its case in the audit log.
            log.debug("%s was just banned from %s; not again", who[1], who[0])
            return None
        await guild.ban(
            discord.Object(who[1]),
            reason=self._audit(a.case_id, a.rule),
            delete_message_seconds=purge,
        )
        self._banned[who] = (time.monotonic(), purge)
        if a.until is None:
            return None
        # Discord bans never expire. Lifting them when due needs a scheduler
        # that survives restarts, which the core does not have yet: until
        # then the moderators are told to do it by hand.
        until = a.until.astimezone(self._settings().community.tz).strftime("%Y-%m-%d %H:%M")
        return t(self._locale, "discord.ban_permanent", name=f"<@{a.user.user_id}>", until=until)

    def _just_banned(self, who: tuple[int, int], purge: int) -> bool:
        """Whether the bot banned the member from the server moments ago,
        purging at least as much of their messages as this ban would."""
        horizon = time.monotonic() - self._ban_memory
        for key in [k for k, (at, _) in self._banned.items() if at < horizon]:
            del self._banned[key]
        seen = self._banned.get(who)
        return seen is not None and seen[1] >= purge

    @handles(act.UnbanMember)
    async def _unban(self, a: act.UnbanMember) -> str | None:
        guild = await self._guild(a.chat)
        self._banned.pop((guild.id, int(a.user.user_id)), None)
        await guild.unban(discord.Object(int(a.user.user_id)), reason=self._audit(a.case_id))
        return None
