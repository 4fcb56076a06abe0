"""No log line carries the bot's token: `groupkeeper run` against the fake
Bot API at the most talkative level, its whole output searched for it.

httpx logs every request's URL, and a Bot API URL holds the token
(`/bot<token>/getUpdates`); the process is the real command line, so what
is checked is the logging an owner gets."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, CONFIG, GROUP

ROOT = Path(__file__).resolve().parents[2]


async def test_a_debug_run_never_logs_the_token(world: FakeBotApi, tmp_path: Path) -> None:
    env = os.environ | {
        "TELEGRAM_TOKEN": world.token,
        "GK_TG_BASE_URL": world.base_url,
        "GROUPKEEPER_LOG": "DEBUG",
    }
    run = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "run",
        "--config",
        str(CONFIG),
        "--db",
        f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert run.stdout is not None
    # Read as it comes: a full pipe would stop the bot at its next log line.
    reading = asyncio.ensure_future(run.stdout.read())
    try:
        await world.wait_for(lambda: world.allowed_updates is not None, 30, "the first poll")
        world.post(GROUP, ANN, "/rules")
        await world.wait_for(lambda: world.sent(GROUP), 30, "the answer to /rules")
    finally:
        run.send_signal(signal.SIGINT)
        await asyncio.wait_for(run.wait(), 30)
    text = (await reading).decode("utf-8", "replace")

    # The run did log its requests, so the search below searched something.
    assert "getUpdates" in text
    assert world.token not in text
