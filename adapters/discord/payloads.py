"""discord.py's own gateway parsers, offline: raw payloads in, the objects a
connected client would dispatch out.

No connection, no token, no HTTP: a `ConnectionState` is loaded with one
guild from its GUILD_CREATE payload, then each event payload goes through the
parser the websocket would call (`parse_message_create`, ...). The
translate tests feed recorded payloads through it, and the benchmark uses it
to time discord.py's share of the work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord
from discord.state import ConnectionState

from adapters.discord.client import intents


class _NoHTTP:
    """Parsing never calls the API; anything that tries is a bug here."""

    # An Interaction copies the HTTP session when it is built.
    _HTTPClient__session = None

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"offline parser: no HTTP ({name})")


class OfflineParser:
    def __init__(self, guild: Mapping[str, Any], bot_user: Mapping[str, Any]) -> None:
        self.dispatched: list[tuple[str, tuple[Any, ...]]] = []
        # max_messages=None: no message cache, so each parse is independent of
        # the previous ones (and memory stays flat in the benchmark).
        self.state: ConnectionState[Any] = ConnectionState(
            dispatch=self._dispatch,
            handlers={},
            hooks={},
            http=_NoHTTP(),  # type: ignore[arg-type]
            intents=intents(),
            max_messages=None,
            chunk_guilds_at_startup=False,
        )
        # Interactions keep a reference to "their" client; there is none.
        self.state._get_client = lambda: None
        self.state.user = discord.ClientUser(state=self.state, data=dict(bot_user))  # type: ignore[arg-type]
        self.guild: discord.Guild = self.state._add_guild_from_data(dict(guild))  # type: ignore[arg-type]

    def _dispatch(self, event: str, *args: Any) -> None:
        self.dispatched.append((event, args))

    def feed(self, event: str, payload: Mapping[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
        """Parse one gateway event (`MESSAGE_CREATE`, ...); returns the events
        discord.py dispatched for it, e.g. `("message", (Message,))`."""
        self.dispatched = []
        self.state.parsers[event](dict(payload))
        return self.dispatched

    def message(self, payload: Mapping[str, Any]) -> discord.Message:
        for name, args in self.feed("MESSAGE_CREATE", payload):
            if name == "message":
                message: discord.Message = args[0]
                return message
        raise ValueError("MESSAGE_CREATE dispatched no message")

    def edit(self, payload: Mapping[str, Any]) -> discord.RawMessageUpdateEvent:
        for name, args in self.feed("MESSAGE_UPDATE", payload):
            if name == "raw_message_edit":
                update: discord.RawMessageUpdateEvent = args[0]
                return update
        raise ValueError("MESSAGE_UPDATE dispatched no raw_message_edit")

    def reaction(self, payload: Mapping[str, Any]) -> discord.RawReactionActionEvent:
        for name, args in self.feed("MESSAGE_REACTION_ADD", payload):
            if name == "raw_reaction_add":
                event: discord.RawReactionActionEvent = args[0]
                return event
        raise ValueError("MESSAGE_REACTION_ADD dispatched no raw_reaction_add")

    def interaction(self, payload: Mapping[str, Any]) -> discord.Interaction:
        for name, args in self.feed("INTERACTION_CREATE", payload):
            if name == "interaction":
                interaction: discord.Interaction = args[0]
                return interaction
        raise ValueError("INTERACTION_CREATE dispatched no interaction")
