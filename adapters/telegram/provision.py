"""The next Telegram group, made by a user account when the pool is empty.

Telegram bots cannot create groups; a user account can. With
`platforms.telegram.provision: true` the owner gives the bot one (Telethon,
the `telethon` extra) through the environment: `GK_TG_API_ID` and
`GK_TG_API_HASH` from my.telegram.org and `GK_TG_SESSION`, a Telethon
StringSession of the logged-in account. The account creates a supergroup,
adds the bot and makes it an administrator with the rights groupkeeper needs;
the bot does the rest (title, photo, permissions, pinned rules) as for a
spare from the pool.

Telethon is imported here only, and only when a provisioner is used: the
requests go through a `TelethonCall` (a connected client, or a test's fake).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from adapters.telegram.translate import REQUIRED_RIGHTS

log = logging.getLogger(__name__)

ENV_API_ID = "GK_TG_API_ID"
ENV_API_HASH = "GK_TG_API_HASH"
ENV_SESSION = "GK_TG_SESSION"

# The Bot API's name of each right the bot needs -> MTProto's ChatAdminRights flag.
ADMIN_FLAGS: Mapping[str, str] = {
    "can_delete_messages": "delete_messages",
    "can_restrict_members": "ban_users",
    "can_invite_users": "invite_users",
    "can_pin_messages": "pin_messages",
    "can_change_info": "change_info",
}

# A channel's Bot API chat id is its MTProto id behind -100.
_CHANNEL_BASE = 1_000_000_000_000


class TelethonCall(Protocol):
    """Sends one raw MTProto request and returns its result (a TelegramClient
    is one; tests pass a fake)."""

    async def __call__(self, request: Any) -> Any: ...


class ProvisionFailed(Exception):
    """The account could not make the group; the message says which step and why."""


def bot_api_id(channel_id: int) -> int:
    """The Bot API chat id of a channel (supergroup): `-100<channel_id>`."""
    return -(_CHANNEL_BASE + channel_id)


def admin_rights() -> Any:
    """What the bot is made: an administrator with every REQUIRED_RIGHTS."""
    from telethon.tl import types

    return types.ChatAdminRights(**{ADMIN_FLAGS[right]: True for right in REQUIRED_RIGHTS})


class Provisioner:
    def __init__(
        self, call: TelethonCall, *, close: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self._call = call
        self._close = close

    async def create(self, title: str, about: str, bot_username: str) -> int:
        """A new supergroup with the bot as administrator; its Bot API chat id.
        Raises ProvisionFailed (Telegram's refusal, a flood wait) with the step."""
        from telethon.errors import RPCError
        from telethon.tl import functions, types

        step = "create"
        try:
            created = await self._call(
                functions.channels.CreateChannelRequest(title=title, about=about, megagroup=True)
            )
            channel = next((c for c in created.chats if isinstance(c, types.Channel)), None)
            if channel is None:
                raise ProvisionFailed(f"{step}: Telegram returned no channel")
            group = types.InputChannel(channel.id, channel.access_hash)
            step = "find the bot"
            found = await self._call(
                functions.contacts.ResolveUsernameRequest(username=bot_username.lstrip("@"))
            )
            user = next((u for u in found.users if isinstance(u, types.User) and u.bot), None)
            if user is None:
                raise ProvisionFailed(f"{step}: @{bot_username} is not a bot")
            bot = types.InputUser(user.id, user.access_hash)
            step = "add the bot"
            await self._call(functions.channels.InviteToChannelRequest(channel=group, users=[bot]))
            step = "make the bot admin"
            await self._call(
                functions.channels.EditAdminRequest(
                    channel=group, user_id=bot, admin_rights=admin_rights(), rank=""
                )
            )
        except (RPCError, OSError) as exc:
            raise ProvisionFailed(f"{step}: {exc}") from exc
        chat_id = bot_api_id(channel.id)
        log.info("created %r (%s) with the bot as administrator", title, chat_id)
        return chat_id

    async def close(self) -> None:
        if self._close is not None:
            await self._close()


def provisioner_from_env(env: Mapping[str, str]) -> Provisioner:
    """A provisioner on the account whose session the environment holds.
    Raises ValueError, saying what is missing, before anything connects."""
    missing = [name for name in (ENV_API_ID, ENV_API_HASH, ENV_SESSION) if not env.get(name)]
    if missing:
        raise ValueError(f"platforms.telegram.provision needs {', '.join(missing)}")
    try:
        api_id = int(env[ENV_API_ID])
    except ValueError:
        raise ValueError(f"{ENV_API_ID} must be a number") from None
    try:
        from telethon import TelegramClient
        from telethon.sessions import StringSession
    except ImportError:
        raise ValueError(
            "platforms.telegram.provision needs Telethon: pip install 'groupkeeper[telethon]'"
        ) from None
    # Flood waits are reported, never slept through: the planner asks again
    # later, and a group that took hours to appear would surprise the owner.
    client = TelegramClient(
        StringSession(env[ENV_SESSION]), api_id, env[ENV_API_HASH], flood_sleep_threshold=0
    )

    async def call(request: Any) -> Any:
        if not client.is_connected():
            await client.connect()
            if not await client.is_user_authorized():
                raise ProvisionFailed(f"{ENV_SESSION} is not a logged-in session")
        return await client(request)

    async def close() -> None:
        if client.is_connected():
            await client.disconnect()

    return Provisioner(call, close=close)
