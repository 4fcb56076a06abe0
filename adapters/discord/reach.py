"""What every Discord action handler looks up: the channel, the server and
the member an action names, and the words a refusal and the audit log read.

The handlers live in mixins by concern (`messaging`, `moderation`,
`structure`); `DiscordGateway` puts them together with the dispatch table
and sets what this class only declares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.config import Config
from bot.core.events import ChatRef, Event, UserRef
from bot.core.i18n import t

PLATFORM = "discord"


class Refused(Exception):
    """The gateway's own refusal; the message is the reason moderators read."""


class Reach:
    """The lookups the handlers share. `client` and `_settings` (the live
    config) are the gateway's; so are `tell` and `sent` (the gateway base's)."""

    client: discord.Client
    _settings: Callable[[], Config]

    if TYPE_CHECKING:

        async def tell(self, event: Event) -> None: ...

        async def sent(self, chat: ChatRef, ids: Sequence[int], ref: str, at: datetime) -> None: ...

    @property
    def _locale(self) -> Any:
        return self._settings().community.locale

    async def _channel(self, chat: ChatRef) -> Any:
        channel_id = int(chat.chat_id)
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except discord.NotFound:
                raise Refused(self._missing(f"<#{channel_id}>")) from None
        return channel

    async def _guild(self, chat: ChatRef) -> discord.Guild:
        """The server a chat belongs to; for a DM (a level-up after `/checkin`
        in private), the configured server, or the only one the bot is in."""
        if not chat.private:
            channel = await self._channel(chat)
            guild = getattr(channel, "guild", None)
            if isinstance(guild, discord.Guild):
                return guild
        configured = self._settings().platforms.discord.guild_id
        if configured is not None:
            found = self.client.get_guild(configured)
            if found is not None:
                return found
        elif len(self.client.guilds) == 1:
            return self.client.guilds[0]
        raise Refused(t(self._locale, "discord.no_guild"))

    async def _member(self, guild: discord.Guild, user: UserRef) -> discord.Member:
        member = guild.get_member(int(user.user_id))
        if member is not None:
            return member
        try:
            return await guild.fetch_member(int(user.user_id))
        except discord.NotFound:
            raise Refused(self._missing(f"<@{user.user_id}>")) from None

    def _missing(self, what: str) -> str:
        return t(self._locale, "discord.not_found", what=what)

    def _audit(self, case: int | None = None, rule: str | None = None) -> str:
        loc = self._locale
        return t(
            loc,
            "discord.audit",
            case=t(loc, "discord.failed_case", case=case) if case else "",
            rule=t(loc, "discord.audit_rule", rule=rule) if rule else "",
        )
