"""Running the console: interactively, or over a script file."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from adapters.app import console_clock, open_store, script_clock
from adapters.console.session import ConsoleSession
from bot.config import Config

PROMPT_HELP = (
    "You are in group g1 of {name}. Type as a member, e.g. `alice: hello`, "
    "`alice: /checkin`, `+bob` (joins), `!mod alice`, `!clock +1d`. Ctrl-D quits."
)


async def run_console(
    config: Config,
    db_url: str | None,
    *,
    script: list[str] | None,
    json_output: bool,
    config_path: Path | None = None,
) -> int:
    """Run the console over `script` lines, or interactively when None."""
    lines = script
    store = await open_store(config, db_url)
    interactive = script is None and sys.stdin.isatty()
    # A script starts at a fixed local time so its output is reproducible.
    clock = script_clock(config) if script is not None else console_clock(config)
    session = ConsoleSession(
        config,
        store,
        clock,
        json_output=json_output,
        background_flush=interactive,
        config_path=config_path,
        # Scripts are reproducible; a live console follows edits to the file.
        watch_config=script is None,
        # /stats in a terminal: the chart goes where the owner can open it.
        charts_dir=Path(tempfile.gettempdir()) / "groupkeeper-charts",
    )
    session.on_output = _print_lines
    await session.start()
    dashboard = None
    if script is None and config.dashboard.serves(console=interactive):
        # Owners try the dashboard on the console's community.
        from adapters.web import start
        from adapters.web.bridge import ConsoleBot

        dashboard = start(ConsoleBot(session), config_path, lambda line: print(line, flush=True))
    try:
        if lines is not None:
            for n, line in enumerate(lines, 1):
                for out in await session.feed(line, n):
                    print(out, flush=True)
        else:
            if interactive:
                print(PROMPT_HELP.format(name=config.community.name))
            n = 0
            async for typed in _typed(interactive):
                n += 1
                for out in await session.feed(typed, n):
                    print(out, flush=True)
    finally:
        if dashboard is not None:
            from adapters.web import stop

            await stop(dashboard)
        await session.close()
        await store.close()
    return 0


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        print(line, flush=True)


async def _typed(interactive: bool) -> AsyncIterator[str]:
    """The lines typed, read by the event loop itself: a Ctrl-C cancels the
    wait like any other, where a thread blocked in input() would keep the
    process (and stdin's lock) until one more line came."""
    fd = sys.stdin.fileno()
    pending = b""
    while True:
        if interactive:
            print("> ", end="", flush=True)
        while b"\n" not in pending:
            await _readable(fd)
            chunk = os.read(fd, 4096)
            if not chunk:
                if pending:
                    yield pending.decode("utf-8", errors="replace")
                return
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        yield line.decode("utf-8", errors="replace").rstrip("\r")


async def _readable(fd: int) -> None:
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    try:
        loop.add_reader(fd, wake)
    except PermissionError:
        return  # a regular file (`console < script.txt`): never blocks
    try:
        await ready
    finally:
        loop.remove_reader(fd)
