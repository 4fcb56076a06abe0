"""A restart whose clock is behind the last check-in (the console's clock
starts at the real time again; a server's clock corrected backwards) does
not announce points it cannot pay."""

from __future__ import annotations

from pathlib import Path

from adapters.console.session import ConsoleSession
from bot.config import Config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.conftest import START, run_script


async def test_a_checkin_after_the_clock_went_back_is_not_announced_twice(
    example_config: Config, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    store = await SqlStore.open(url)
    try:
        first = ConsoleSession(example_config, store, FakeClock(START))
        await first.start()
        await run_script(first, "alice: /checkin\n!clock +1d\nalice: /checkin")
        await first.close()
        # The process starts again with its clock at the real time: day one.
        second = ConsoleSession(example_config, store, FakeClock(START))
        await second.start()
        out = await run_script(second, "alice: /checkin\nalice: /me")
        await second.close()
    finally:
        await store.close()
    assert not any("+10" in line for line in out), out
    assert any("20" in line for line in out[-1:]), out
