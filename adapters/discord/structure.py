"""Discord handlers that shape the server: invites, a channel's name and
topic, roles, and the clone of a group (a category with its channels, a
cohort role and the template's pins)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import discord

from adapters.discord.reach import PLATFORM, Reach, Refused
from adapters.gateway import handles
from bot.core import actions as act
from bot.core.events import ChatRef, GroupOpened, InviteCreated
from bot.core.i18n import t

log = logging.getLogger(__name__)

# Discord's longest invite.
MAX_INVITE_AGE = timedelta(days=7)
PINS_COPIED = 10


class ServerCalls(Reach):
    @handles(act.CreateInvite)
    async def _invite(self, a: act.CreateInvite) -> str | None:
        channel = await self._channel(a.chat)
        max_age = 0
        if a.expires is not None:
            left = min(a.expires - discord.utils.utcnow(), MAX_INVITE_AGE)
            max_age = max(1, int(left.total_seconds()))
        invite = await channel.create_invite(
            max_uses=a.member_limit or 0, max_age=max_age, unique=True, reason=self._audit()
        )
        if a.for_user is not None:
            # Referrals credit joins through a member's own link.
            now = discord.utils.utcnow()
            await self.tell(InviteCreated(a.chat, a.for_user, invite.url, a.purpose, now))
            # No public fallback: a single-use link posted in a channel can be
            # taken by anyone who reads it first.
            user = await self.client.fetch_user(int(a.for_user.user_id))
            await user.send(
                t(self._locale, "discord.invite_dm", group=channel.name, link=invite.url)
            )
        return None

    @handles(act.SetGroupProfile)
    async def _profile(self, a: act.SetGroupProfile) -> str | None:
        # `template` has nothing to copy here: a channel has no photo of its
        # own (the server's icon is everyone's), and its permissions are the
        # overwrites a clone copies when it is made or the owner gave a spare.
        channel = await self._channel(a.chat)
        changes: dict[str, Any] = {}
        if a.title:
            changes["name"] = a.title
        if a.description is not None:
            changes["topic"] = a.description
        if changes:
            await channel.edit(reason=self._audit(), **changes)
        return None

    async def _role(self, guild: discord.Guild, name: str, *, create: bool) -> discord.Role | None:
        if name.isdigit():
            role = guild.get_role(int(name))
            if role is None:
                raise Refused(t(self._locale, "discord.unknown_role", role=name))
            return role
        folded = name.casefold()
        for role in guild.roles:
            if role.name.casefold() == folded:
                return role
        if not create:
            return None
        # A level reward named in the config but missing on the server is
        # created, so an owner does not have to mirror the YAML by hand.
        return await guild.create_role(name=name, reason=self._audit())

    @handles(act.GrantRole)
    async def _grant_role(self, a: act.GrantRole) -> str | None:
        guild = await self._guild(a.chat)
        role = await self._role(guild, a.role, create=True)
        member = await self._member(guild, a.user)
        if role is not None and role not in member.roles:
            await member.add_roles(role, reason=a.reason or self._audit())
        return None

    @handles(act.RevokeRole)
    async def _revoke_role(self, a: act.RevokeRole) -> str | None:
        guild = await self._guild(a.chat)
        role = await self._role(guild, a.role, create=False)
        if role is None:
            return None
        member = await self._member(guild, a.user)
        if role in member.roles:
            await member.remove_roles(role, reason=a.reason or self._audit())
        return None

    @handles(act.CloneGroup)
    async def _clone(self, a: act.CloneGroup) -> str | None:
        """The next group on Discord: a category named after it, with the
        template category's overwrites, a copy of each of its text and voice
        channels (with their own overwrites), a cohort role that may see them,
        and the template channel's pinned messages re-posted and pinned."""
        template = await self._channel(a.template)
        if not isinstance(template, discord.abc.GuildChannel):
            raise Refused(self._missing(f"<#{a.template.chat_id}>"))
        guild = template.guild
        reason = self._audit()
        source = template.category
        cohort = await guild.create_role(name=a.title, reason=reason)
        member_access = discord.PermissionOverwrite(
            view_channel=True, send_messages=True, read_message_history=True
        )
        base = dict(source.overwrites if source is not None else template.overwrites)
        category = await guild.create_category(
            a.title, overwrites={**base, cohort: member_access}, reason=reason
        )
        made: list[discord.abc.GuildChannel] = []
        entry: discord.abc.GuildChannel | None = None
        for channel in sorted(source.channels if source else [template], key=lambda c: c.position):
            overwrites = {**channel.overwrites, cohort: member_access}
            copy: discord.abc.GuildChannel
            if isinstance(channel, discord.TextChannel):
                extra: dict[str, Any] = {}
                if channel.topic:
                    extra["topic"] = channel.topic
                if channel.slowmode_delay:
                    extra["slowmode_delay"] = channel.slowmode_delay
                copy = await guild.create_text_channel(
                    channel.name, category=category, overwrites=overwrites, reason=reason, **extra
                )
                if channel.id == template.id:
                    entry = copy
                    await self._copy_pins(channel, copy)
            elif isinstance(channel, discord.VoiceChannel):
                copy = await guild.create_voice_channel(
                    channel.name,
                    category=category,
                    overwrites=overwrites,
                    user_limit=channel.user_limit,
                    reason=reason,
                )
            else:
                log.info("clone %r: %s channels are not copied", a.title, channel.type)
                continue
            made.append(copy)
        if entry is not None:
            # Where the clone's members talk (the template channel's copy):
            # the core opens it as the next group.
            chat = ChatRef(PLATFORM, str(entry.id))
            await self.tell(GroupOpened(chat, a.title, a.serial, discord.utils.utcnow()))
        channels = " ".join(c.mention for c in made)
        return t(self._locale, "discord.cloned", title=a.title, channels=channels)

    @staticmethod
    async def _copy_pins(source: discord.TextChannel, target: discord.TextChannel) -> None:
        pinned = [m async for m in source.pins(limit=PINS_COPIED, oldest_first=True)]
        for message in pinned:
            if message.content:
                copy = await target.send(
                    message.content, allowed_mentions=discord.AllowedMentions.none()
                )
                await copy.pin()
