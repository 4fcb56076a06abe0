"""`groupkeeper run` stopped the way docker and systemd stop it (SIGTERM) or
by Ctrl-C (SIGINT): what was queued is still carried out, for as long as the
configured grace period allows, and the process exits 0. Each test runs the
real command line as a subprocess against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.sql_store import SqlStore
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, BOB, CONFIG, GROUP, LOG_CHAT, MOD, OWNER

MEMBERS = (ANN, BOB, MOD, OWNER)


async def start_run(
    api: FakeBotApi, config: Path, db_url: str, cwd: Path
) -> asyncio.subprocess.Process:
    env = dict(os.environ, TELEGRAM_TOKEN=api.token, GK_TG_BASE_URL=api.base_url)
    env.pop("GROUPKEEPER_LOG", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "run", "--config", str(config), "--db", db_url,
        env=env, cwd=cwd, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await api.wait_for(lambda: api.allowed_updates is not None, 30, "the first poll")
    return process


async def checkins(db_url: str) -> int:
    store = await SqlStore.open(db_url)
    try:
        reasons = [
            e.reason for m in MEMBERS for e in await store.ledger("tg-test", f"telegram:{m}")
        ]
    finally:
        await store.close()
    return reasons.count("checkin")


def with_grace(tmp_path: Path, grace: str) -> Path:
    config = tmp_path / "config.yaml"
    text = CONFIG.read_text(encoding="utf-8")
    config.write_text(
        text.replace("platforms:\n", f"platforms:\n  shutdown_grace: {grace}\n", 1),
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_stop_signal_sends_every_queued_reply_and_stores_every_point(
    world: FakeBotApi, tmp_path: Path, sig: signal.Signals
) -> None:
    api, db_url = world, f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    process = await start_run(api, CONFIG, db_url, tmp_path)
    # The first reply is held back a second by flood control, the others
    # queue behind it in the group's lane: the signal finds them waiting.
    api.flood("sendMessage", times=1, retry_after=1, chat_id=GROUP)
    for member in MEMBERS:
        api.post(GROUP, member, "/checkin")
    await api.wait_for(lambda: api.refused("sendMessage"), 10, "the first reply's 429")

    process.send_signal(sig)
    _, err = await asyncio.wait_for(process.communicate(), 20)

    assert process.returncode == 0, err.decode()
    assert len([t for t in api.sent(GROUP) if "+10 points" in t]) == len(MEMBERS)
    assert await checkins(db_url) == len(MEMBERS)


async def test_the_grace_period_bounds_the_wait(world: FakeBotApi, tmp_path: Path) -> None:
    api, db_url = world, f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    process = await start_run(api, with_grace(tmp_path, "1s"), db_url, tmp_path)
    api.flood("sendMessage", times=1, retry_after=60, chat_id=GROUP)
    api.post(GROUP, ANN, "/checkin")
    await api.wait_for(lambda: api.refused("sendMessage"), 10, "the reply's 429")

    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), 20)

    assert process.returncode == 0, err.decode()
    assert time.monotonic() - started < 10
    assert "did not finish within" in err.decode()
    # The reply is lost to the flood wait, the point it announced is not.
    assert await checkins(db_url) == 1


async def test_a_stop_during_a_scheduled_post_held_by_flood_control_ends_quietly(
    world: FakeBotApi, tmp_path: Path
) -> None:
    """The daily risk summary goes to the log chat from the scheduler's tick,
    not from a chat lane: the stop waits for it within the grace period too,
    then gives it up without a traceback."""
    api, db_url = world, f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    config = with_grace(tmp_path, "1s")
    now = datetime.now(UTC)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("daily_summary: null", f"daily_summary: '{now:%H:%M}'"))
    api.flood("sendMessage", times=1, retry_after=60, chat_id=LOG_CHAT)
    process = await start_run(api, config, db_url, tmp_path)
    await api.wait_for(lambda: api.refused("sendMessage"), 10, "the summary's 429")

    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), 20)

    assert process.returncode == 0, err.decode()
    assert time.monotonic() - started < 10
    assert "Scheduled work did not finish within" in err.decode()
    assert "Traceback" not in err.decode()
