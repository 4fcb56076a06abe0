"""The dashboard beside real platforms (`groupkeeper run`): served by
uvicorn in the bot's own loop, an owner logs in with Telegram's widget hash
(checked with the bot's token) and mutes a member; the engine's actions go
out through the Telegram gateway to the fake Bot API, and the log chat hears
the command came from the dashboard."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from pathlib import Path

import httpx

from adapters.runners import run_platforms
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, GROUP, LOG_CHAT, dashboard_config, widget_login


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_an_owner_mutes_a_member_from_the_dashboard(
    world: FakeBotApi, tg_env: None, tg_db: str, tmp_path: Path
) -> None:
    api = world
    port = free_port()
    config = dashboard_config(tmp_path, port)
    running = asyncio.create_task(run_platforms(config, tg_db, ["telegram"]))
    base = f"http://127.0.0.1:{port}"
    try:
        await api.wait_for(lambda: api.allowed_updates is not None or running.done(), 20)
        assert not running.done(), running.exception()
        api.post(GROUP, ANN, "hello everyone")
        async with httpx.AsyncClient(base_url=base) as web:
            r = await widget_login(web, api.token)
            assert r.status_code == 303
            member = f"/members/telegram:{ANN}"
            for _ in range(100):  # ann's message reaches the engine
                page = await web.get(member)
                if page.status_code == 200:
                    break
                await asyncio.sleep(0.05)
            assert page.status_code == 200 and "@ann" in page.text
            assert api.token not in page.text
            found = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert found is not None
            done = await web.post(
                f"{member}/mute",
                data={
                    "csrf": found.group(1),
                    "group": f"telegram:{GROUP}",
                    "length": "10m",
                    "reason": "cool off",
                },
                follow_redirects=True,
            )
            assert done.status_code == 200
        await api.wait_for(lambda: api.called("restrictChatMember", user_id=ANN), 10, "the mute")
        await api.wait_for(
            lambda: any("via the dashboard" in t for t in api.sent(LOG_CHAT)), 10, "the log line"
        )
        assert any("cool off" in t for t in api.sent(LOG_CHAT))
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
