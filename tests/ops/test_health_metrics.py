"""/healthz and /metrics of a real `groupkeeper run` after traffic against
the fake Bot API: the figures move with what happened (events, actions by
kind, a 429 waited out, the write batches), and /healthz turns 503 when the
platform is unreachable."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
from pathlib import Path

from tests.ops.processes import community_file, free_port, get, health, start, wait
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, BOB, GROUP


def value(metrics: str, name: str, **labels: str) -> float:
    """The sample's value; 0 when Prometheus has none with these labels."""
    total = 0.0
    for line in metrics.splitlines():
        found = re.match(rf"{name}{{(.*)}} (\S+)$", line)
        if found and all(f'{k}="{v}"' in found.group(1) for k, v in labels.items()):
            total += float(found.group(2))
    return total


async def test_health_and_metrics_after_traffic(api: FakeBotApi, tmp_path: Path) -> None:
    port = free_port()
    config = community_file(tmp_path, "community.yaml")
    env = {"TELEGRAM_TOKEN": api.token, "GK_TG_BASE_URL": api.base_url,
           "GK_METRICS_PORT": str(port)}  # fmt: skip
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    run = await start(["--config", str(config), "--db", db], env, tmp_path / "run.log")
    try:
        await wait(lambda: api.allowed_updates is not None, 60, "the first poll")
        status, body = await health(port)
        assert status == 200, body
        entry = body["communities"]["tg-test"]
        assert entry["role"] == "owner" and entry["database"] is True
        assert entry["platforms"] == {"telegram": True}
        assert entry["last_update_age"] is None  # nothing handled yet

        api.flood("sendMessage", times=1, retry_after=1)
        api.post(GROUP, ANN, "/checkin")
        api.post(GROUP, BOB, "/checkin")
        api.post(GROUP, ANN, "a message long enough to earn a point")
        shady = api.post(GROUP, BOB, "cheap followers, write to me")
        api.post(GROUP, ANN, "/report", reply_to=shady["message_id"])
        await wait(lambda: sum("+10 points" in t for t in api.sent(GROUP)) == 2, 30, "replies")

        async def batches() -> float:
            _, text = await get(port, "/metrics")
            return value(text, "groupkeeper_write_batch_rows_count", community="tg-test")

        await wait(batches, 10, "a write batch")
        _, metrics = await get(port, "/metrics")
        status, body = await health(port)
    finally:
        run.send_signal(signal.SIGTERM)
        assert await run.wait() == 0

    assert status == 200
    assert 0 <= body["communities"]["tg-test"]["last_update_age"] < 60
    c = {"community": "tg-test"}
    assert value(metrics, "groupkeeper_events_total", kind="MessagePosted", **c) == 5
    assert value(metrics, "groupkeeper_risk_total", kind="report", **c) == 1
    assert value(metrics, "groupkeeper_engine_seconds_count", **c) >= 3
    assert (
        value(metrics, "groupkeeper_actions_total", platform="telegram", kind="SendMessage", **c)
        >= 2
    )
    assert value(metrics, "groupkeeper_rate_limited_total", platform="telegram", **c) == 1
    assert value(metrics, "groupkeeper_retry_wait_seconds_total", platform="telegram", **c) >= 1
    assert value(metrics, "groupkeeper_write_batch_rows_sum", **c) >= 3
    assert value(metrics, "groupkeeper_owner", **c) == 1
    assert (
        'groupkeeper_queue_depth{community="tg-test",lane="messages",platform="telegram"}'
        in metrics
    )


async def test_healthz_says_503_while_the_platform_is_unreachable(tmp_path: Path) -> None:
    port = free_port()
    config = community_file(tmp_path, "community.yaml")
    # Nothing listens there: Telegram cannot be reached, and is tried again.
    env = {"TELEGRAM_TOKEN": "123456:TEST-token-made-to-look-like-a-real-one",
           "GK_TG_BASE_URL": f"http://127.0.0.1:{free_port()}/bot", "GK_METRICS_PORT": str(port)}  # fmt: skip
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    run = await start(["--config", str(config), "--db", db], env, tmp_path / "run.log")
    try:

        async def down() -> bool:
            status, body = await health(port)
            return status == 503 and body["communities"]["tg-test"]["role"] == "owner"

        await wait(down, 60, "/healthz to answer 503")
        _, body = await health(port)
    finally:
        run.send_signal(signal.SIGTERM)
        await run.wait()
    entry = body["communities"]["tg-test"]
    assert entry["platforms"] == {"telegram": False}
    assert entry["database"] is True
    assert body["status"] == "down"


async def test_a_metrics_port_in_use_is_said_in_the_owners_words(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = community_file(tmp_path, "community.yaml")
        env = {"TELEGRAM_TOKEN": "123456:TEST-token-made-to-look-like-a-real-one",
               "GK_METRICS_PORT": str(port)}  # fmt: skip
        db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
        run = await start(["--config", str(config), "--db", db], env, tmp_path / "run.log")
        assert await asyncio.wait_for(run.wait(), 60) == 1
    text = (tmp_path / "run.log").read_text(encoding="utf-8")
    assert f"metrics.port: cannot listen on 127.0.0.1:{port}" in text
    assert "Traceback" not in text
