"""kill -9, then `/purge N`, against the fake Bot API: the chat history is
in memory and a crash loses it (only a graceful stop saves it), so the
command meets a history that knows nothing of the messages before the
crash. On Telegram a chat's ids count up one by one, so the purge still
deletes the chat's last N messages, by id.

The bot runs as a process of its own (`tests.telegram.live_runner`: the real
runner, python-telegram-bot unmodified) and is killed with SIGKILL once the
messages were handled and confirmed to Telegram: nothing of them comes
again. The purge then reaches the restarted bot, as the command would if
the kill had come before its own update was confirmed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.telegram.fake_bot_api import FakeBotApi, ServerLimits
from tests.telegram.harness import ANN, BOB, CONFIG, GROUP, MOD, populate

ROOT = Path(__file__).resolve().parents[2]


async def start(api: FakeBotApi, db_url: str, log: Path) -> asyncio.subprocess.Process:
    env = os.environ | {"TELEGRAM_TOKEN": api.token, "GK_TG_BASE_URL": api.base_url}
    polls = len(api.offsets)
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.telegram.live_runner", str(CONFIG), db_url,
            cwd=ROOT, env=env, stdout=out, stderr=out,
        )  # fmt: skip
    await api.wait_for(lambda: len(api.offsets) > polls, 60, "the bot's first poll")
    return process


async def quiet(api: FakeBotApi, still: float = 1.0) -> None:
    """Until the bot has made no call for `still` seconds but its polls."""
    while True:
        before = [c for c in api.calls if c.method != "getUpdates"]
        await asyncio.sleep(still)
        if len([c for c in api.calls if c.method != "getUpdates"]) == len(before):
            return


@pytest.fixture
async def roomy() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi(limits=ServerLimits(group=1000, group_period=1.0, overall=1000))
    await server.start()
    yield populate(server)
    await server.stop()


async def test_purge_after_a_kill_9_still_takes_the_last_n(
    roomy: FakeBotApi, tmp_path: Path
) -> None:
    api = roomy
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'purge.db'}"
    log = tmp_path / "bot.log"
    chat = api.chats[GROUP]
    process = await start(api, db_url, log)
    try:
        kept = api.post(GROUP, BOB, "keep this one")["message_id"]
        api.post(GROUP, ANN, "a long thread about nothing")
        api.post(GROUP, ANN, "that went on and on")
        checkin = api.post(GROUP, BOB, "/checkin")["message_id"]
        last = api.next_update_id - 1
        await api.wait_for(
            lambda: (
                any(m > checkin for m in chat.messages)
                and max((o or 0) for o in api.offsets) > last
            ),
            60,
            "the check-in answered and every update confirmed",
        )
        await quiet(api)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        since = sorted(m for m in chat.messages if m > kept)  # the bot's answer too

        command = api.post(GROUP, MOD, f"/purge {len(since)}")["message_id"]
        process = await start(api, db_url, log)
        await api.wait_for(lambda: api.called("deleteMessages"), 60, "the purge")
        await api.wait_for(lambda: "🧹" in api.sent(GROUP)[-1], 30, "the purge's answer")
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
        print(log.read_text(encoding="utf-8", errors="replace")[-20000:])

    [call] = api.called("deleteMessages")
    assert json.loads(call["message_ids"]) == [*since, command]
    assert kept in chat.messages and not set(since) & set(chat.messages)
    assert api.sent(GROUP)[-1].startswith(f"🧹 Deleted the last {len(since)} message(s) by")
