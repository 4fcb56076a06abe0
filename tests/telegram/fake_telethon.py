"""A stand-in for a Telethon client logged in as a user account: it records
the real Telethon request objects it is sent and answers with Telethon-shaped
results, as Telegram would for the provisioner's calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telethon.tl import functions, types

BOT_ACCESS_HASH = 777
CHANNEL_ACCESS_HASH = 4242


@dataclass
class FakeTelethon:
    bot_id: int
    bot_username: str
    next_channel_id: int = 3001
    requests: list[Any] = field(default_factory=list)
    # Request class -> the error Telegram answers it with.
    errors: dict[type, Exception] = field(default_factory=dict)
    # Told about each channel created (its id and title) and when the bot is
    # made its administrator, so a fake Bot API can learn of them.
    on_created: Callable[[int, str, str], None] | None = None
    on_admin: Callable[[int], None] | None = None

    async def __call__(self, request: Any) -> Any:
        self.requests.append(request)
        error = self.errors.get(type(request))
        if error is not None:
            raise error
        if isinstance(request, functions.channels.CreateChannelRequest):
            channel_id = self.next_channel_id
            self.next_channel_id += 1
            channel = types.Channel(
                id=channel_id,
                title=request.title,
                photo=types.ChatPhotoEmpty(),
                date=None,
                creator=True,
                megagroup=request.megagroup,
                access_hash=CHANNEL_ACCESS_HASH,
            )
            if self.on_created is not None:
                self.on_created(channel_id, request.title, request.about)
            return _updates(chats=[channel])
        if isinstance(request, functions.contacts.ResolveUsernameRequest):
            users = []
            if request.username == self.bot_username:
                users.append(
                    types.User(
                        id=self.bot_id,
                        access_hash=BOT_ACCESS_HASH,
                        bot=True,
                        username=self.bot_username,
                    )
                )
            return types.contacts.ResolvedPeer(
                peer=types.PeerUser(self.bot_id), chats=[], users=users
            )
        if isinstance(request, functions.channels.InviteToChannelRequest):
            return types.messages.InvitedUsers(updates=_updates(), missing_invitees=[])
        if isinstance(request, functions.channels.EditAdminRequest):
            if self.on_admin is not None:
                self.on_admin(request.channel.channel_id)
            return _updates()
        raise AssertionError(f"unexpected request {type(request).__name__}")


def _updates(chats: list[Any] | None = None) -> Any:
    return types.Updates(updates=[], users=[], chats=chats or [], date=None, seq=0)
