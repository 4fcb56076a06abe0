"""Commands that change a community's stored data from outside the bot
(`member erase`, `points import`) run only while no process serves it.

A running bot holds its members and balances in memory and writes them back
with its next batch: an erasure done under it comes back, an import stays
unseen until the next start. So such a command takes the community's own lock
(`adapters.ops.ownership`, the one `groupkeeper run` holds while it serves)
without waiting: it refuses with a clear reason while a bot holds it, and
holds it while it writes, so a bot started meanwhile stands by until it is done.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.app import database_url
from adapters.ops.ownership import ownership_for
from bot.config import Config
from bot.core.i18n import t

# A standby process looks at a SQLite community's lock by taking its flock
# for an instant (`FileLock.peek`): a command asking at that instant is asked
# again, not told a process serves.
_ATTEMPTS = 3
_APART = 0.2


class CommunityServed(Exception):
    """A running process serves the community: the command did nothing."""

    def __init__(self, config: Config, command: str) -> None:
        loc = config.community.locale
        super().__init__(
            t(loc, "offline.served", slug=config.community.slug, command=command)
            + " "
            + t(loc, f"offline.hint.{command.split()[0]}")
        )


@asynccontextmanager
async def offline(config: Config, db_url: str | None, command: str) -> AsyncIterator[None]:
    """Hold the community's lock for the block, or raise `CommunityServed`."""
    slug = config.community.slug
    lock = ownership_for(
        database_url(config, db_url), slug, config.standby.takeover.total_seconds()
    )
    for attempt in range(_ATTEMPTS):
        if await lock.try_acquire():
            break
        if attempt + 1 == _ATTEMPTS:
            await lock.release()  # the session that asked (PostgreSQL)
            raise CommunityServed(config, command)
        await asyncio.sleep(_APART)
    try:
        yield
    finally:
        await lock.release()
