"""Which invite a member joined through.

Discord's member-join event does not say, so the bot keeps each guild's
invite use counts and diffs them on every join (the way invite-tracker bots
do). Reading invites needs the Manage Server permission; without it joins
arrive with no invite and a warning is logged once per guild.
"""

from __future__ import annotations

import logging

import discord

from adapters.discord.translate import InviteUse, used_invite

log = logging.getLogger(__name__)


class InviteTracker:
    def __init__(self) -> None:
        self._seen: dict[int, dict[str, InviteUse]] = {}
        self._blind: set[int] = set()

    async def snapshot(self, guild: discord.Guild) -> None:
        current = await self._fetch(guild)
        if current is not None:
            self._seen[guild.id] = current

    def created(self, invite: discord.Invite) -> None:
        """Single-use invites (the overflow entry hands them out) are created
        after the snapshot and vanish on use: they must be known beforehand."""
        if invite.guild is None or invite.channel is None:
            return
        seen = self._seen.setdefault(invite.guild.id, {})
        seen[invite.code] = InviteUse(invite.uses or 0, invite.max_uses or 0, invite.channel.id)

    async def joined(self, guild: discord.Guild) -> tuple[str | None, int | None]:
        """The invite code a member just used and its channel id, if known.
        Deleted invites are not dropped when Discord announces it: a single-use
        invite vanishes on the very join it has to be credited with."""
        current = await self._fetch(guild)
        if current is None:
            return None, None
        before = self._seen.get(guild.id, {})
        code = used_invite(before, {c: i.uses for c, i in current.items()})
        self._seen[guild.id] = current
        if code is None:
            return None, None
        channel = current[code].channel_id if code in current else before[code].channel_id
        return code, channel

    async def _fetch(self, guild: discord.Guild) -> dict[str, InviteUse] | None:
        try:
            invites = await guild.invites()
        except discord.Forbidden:
            if guild.id not in self._blind:
                self._blind.add(guild.id)
                log.warning(
                    "no Manage Server permission in guild %s: joins are not credited to invites",
                    guild.id,
                )
            return None
        except discord.HTTPException:
            log.exception("could not read the invites of guild %s", guild.id)
            return None
        return {
            i.code: InviteUse(i.uses or 0, i.max_uses or 0, i.channel.id if i.channel else 0)
            for i in invites
        }
