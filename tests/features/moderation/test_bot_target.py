"""A sanction given as a reply to one of the bot's own messages is refused
with a clear answer: the bot never mutes, bans or warns itself (a moderator
who replied to the wrong message hears so, and nothing is done)."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from bot.config import Config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.conftest import run_script


async def test_a_sanction_on_the_bots_own_message_is_refused(
    en_config: Config, store: SqlStore, clock: FakeClock
) -> None:
    console = ConsoleSession(en_config, store, clock)
    await console.start()
    try:
        out = await run_script(console, "!mod mia\n+dan\ndan: /checkin")
        assert out[-1].startswith("[g1] #3 bot: "), out
        out = await run_script(console, "mia > 3: /mute 2h insults\nmia > 3: /ban\nmia > 3: /warn")
    finally:
        await console.close()
    assert not any(" mutes " in line or " bans " in line for line in out), out
    assert not any("Case #" in line for line in out), out
    refusals = [line for line in out if "not from a member" in line]
    assert len(refusals) == 3, out
