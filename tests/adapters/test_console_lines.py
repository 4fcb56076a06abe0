"""Console lines without a name are the current member's: the last one who
spoke or joined, `you` before anyone (the banner's `Type /help` works)."""

from __future__ import annotations

from pathlib import Path

from adapters.console.session import ConsoleSession
from bot.config import Config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore


async def test_a_bare_line_is_the_current_members(console: ConsoleSession) -> None:
    out = await console.run(["/help"])
    assert out[0] == "[g1] #1 you: /help"
    assert out[1].startswith("[g1] #2 bot: ")
    out = await console.run(["bob: hi", "/me", "+carol", "/rules"])
    assert out[1] == "[g1] #4 bob: /me"
    assert "[g1] #7 carol: /rules" in out


async def test_a_chart_is_saved_and_its_path_printed(
    example_config: Config, store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    session = ConsoleSession(example_config, store, clock, charts_dir=tmp_path / "charts")
    await session.start()
    try:
        out = await session.run(["!mod mia", "alice: hi", "mia: /stats"])
    finally:
        await session.close()
    saved = sorted((tmp_path / "charts").iterdir())
    assert len(saved) == 1 and saved[0].read_bytes().startswith(b"\x89PNG")
    assert any(f"bot sends a chart (PNG 800x500, saved as {saved[0]}): " in line for line in out)
