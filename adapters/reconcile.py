"""Member counts read back from each platform now and then: joins and leaves
missed while the bot was down (or never delivered) would otherwise skew the
overflow planner's counts for good."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.core.engine import Engine

log = logging.getLogger(__name__)

# The first reading, a minute after start: what changed while the bot was down.
_FIRST = 60.0


async def reconcile_forever(engine: Engine, reconcile: Callable[[], Awaitable[None]]) -> None:
    """`reconcile` a minute after start, then every `groups.reconcile_every`
    (read each time, so a reload applies); a failed reading is logged and
    the next one happens as planned."""
    wait = min(_FIRST, engine.config.groups.reconcile_every.total_seconds())
    while True:
        await asyncio.sleep(wait)
        wait = engine.config.groups.reconcile_every.total_seconds()
        try:
            await reconcile()
        except Exception:
            log.exception("reading the groups' member counts failed")
