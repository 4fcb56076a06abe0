"""The dashboard's question (`adapters.admins.PlatformAdmins`) on Discord:
does this user hold the moderators' permissions in one of the community's
servers? The member is fetched live (roles change without the bot being
told when the members intent is off), and judged by the rule the bot uses
in chat (`translate.is_moderator`: administrator or manage messages)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import aiohttp
import discord

from adapters.admins import AdminsUnknown, Ask, any_yes
from adapters.discord.translate import is_moderator
from bot.core.events import ChatRef


class GuildAdmins:
    def __init__(self, client: discord.Client, configured: Callable[[], int | None]) -> None:
        self._client = client
        # `platforms.discord.guild_id`, read at each question (a reload may change it).
        self._configured = configured

    def guilds(self, chats: Sequence[ChatRef]) -> list[discord.Guild]:
        """The servers of the community's channels (and the configured one);
        a channel the bot no longer sees has no server to ask."""
        found: dict[int, discord.Guild] = {}
        configured = self._configured()
        if configured is not None:
            guild = self._client.get_guild(configured)
            if guild is not None:
                found[guild.id] = guild
        for chat in chats:
            channel = self._client.get_channel(int(chat.chat_id))
            guild = getattr(channel, "guild", None)
            if isinstance(guild, discord.Guild) and configured in (None, guild.id):
                found[guild.id] = guild
        return list(found.values())

    async def administers(self, user_id: str, chats: Sequence[ChatRef]) -> bool:
        user = int(user_id)

        def asking(guild: discord.Guild) -> Ask:
            async def ask() -> bool:
                try:
                    member = await guild.fetch_member(user)
                except discord.NotFound:
                    return False  # not in this server
                except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
                    raise AdminsUnknown(str(exc) or type(exc).__name__) from exc
                return is_moderator(member)

            return ask

        guilds = self.guilds(chats)
        return await any_yes([(f"discord guild {g.id}", asking(g)) for g in guilds])
