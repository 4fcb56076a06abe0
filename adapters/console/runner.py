"""Running the console: interactively, or over a script file."""

from __future__ import annotations

import asyncio
import sys
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
    )
    session.on_output = _print_lines
    await session.start()
    try:
        if lines is not None:
            for n, line in enumerate(lines, 1):
                for out in await session.feed(line, n):
                    print(out, flush=True)
        else:
            if interactive:
                print(PROMPT_HELP.format(name=config.community.name))
            n = 0
            while True:
                typed = await asyncio.to_thread(_read, interactive)
                if typed is None:
                    break
                n += 1
                for out in await session.feed(typed, n):
                    print(out, flush=True)
    finally:
        await session.close()
        await store.close()
    return 0


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        print(line, flush=True)


def _read(interactive: bool) -> str | None:
    try:
        return input("> " if interactive else "")
    except EOFError:
        return None
