"""discord.py's gateway parsers, each guarded: an event it cannot read is
skipped and logged, never the end of the connection.

The websocket calls the parser of each event (`ConnectionState.parsers`)
with nothing around it: a payload a parser does not expect (a partial
MESSAGE_UPDATE without `type` or `author`, a GUILD_MEMBER_UPDATE whose user
lacks `discriminator`, a field a newer Discord sends differently) raises out
of the read loop and out of `Client.start`, and the bot would be off Discord
for good. One event the library cannot read means nothing to the community;
the events after it are read as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from discord.state import ConnectionState

log = logging.getLogger(__name__)

Parser = Callable[[Any], None]


def guard_parsers(state: ConnectionState[Any]) -> None:
    """Wrap every parser of `state` in place (the websocket holds the same
    dict), once."""
    for event, parse in list(state.parsers.items()):
        if not getattr(parse, "guarded", False):
            state.parsers[event] = _guarded(event, parse)


def _guarded(event: str, parse: Parser) -> Parser:
    told = False

    def guarded(data: Any) -> None:
        nonlocal told
        try:
            parse(data)
        except Exception:
            # The first time in full, for the owner's report; then briefly.
            if not told:
                told = True
                log.warning("Discord: a %s event could not be read; skipped", event, exc_info=True)
            else:
                log.info("Discord: a %s event could not be read; skipped", event)

    guarded.guarded = True  # type: ignore[attr-defined]
    return guarded
