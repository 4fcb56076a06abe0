"""A moderator's action on the dashboard survives a kill -9 as a member's
command does: `groupkeeper run` in a process of its own, an owner mutes a
member on the dashboard while Telegram answers the mute 429 (retry in a
minute), the process is killed before it can try again, and the next process
mutes the member, once. The mute was stored with the case the command
recorded (the transactional outbox), not only handed to the gateway."""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
from pathlib import Path

import httpx

from tests.ops.processes import free_port, start, wait
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, GROUP, dashboard_config, widget_login


async def _mute_on_the_dashboard(api: FakeBotApi, port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as web:
        r = await widget_login(web, api.token)
        assert r.status_code == 303, r.text
        member = f"/members/telegram:{ANN}"
        for _ in range(200):  # ann's message reaches the engine
            page = await web.get(member)
            if page.status_code == 200:
                break
            await asyncio.sleep(0.05)
        assert page.status_code == 200 and "@ann" in page.text
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found is not None
        done = await web.post(
            f"{member}/mute",
            data={"csrf": found.group(1), "group": f"telegram:{GROUP}", "length": "10m"},
            follow_redirects=True,
        )
        assert done.status_code == 200


def _cases(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return [row[0] for row in connection.execute("SELECT action FROM mod_cases")]
    finally:
        connection.close()


async def test_a_dashboard_mute_cut_off_by_kill_9_is_carried_out_once_by_the_next_process(
    world: FakeBotApi, tmp_path: Path
) -> None:
    api = world
    port = free_port()
    config = dashboard_config(tmp_path, port)
    db = tmp_path / "gk.db"
    args = ["--config", str(config), "--db", f"sqlite+aiosqlite:///{db}"]
    env = {"TELEGRAM_TOKEN": api.token, "GK_TG_BASE_URL": api.base_url}
    log = tmp_path / "first.log"
    # Telegram is busy when the mute is first tried: it comes back in a minute.
    api.flood("restrictChatMember", 1, retry_after=60)
    first = await start(args, env, log)
    second = None
    try:
        await api.wait_for(lambda: api.allowed_updates is not None, 60, "the first poll")
        api.post(GROUP, ANN, "hello everyone")
        await _mute_on_the_dashboard(api, port)
        await wait(
            lambda: api.refused("restrictChatMember"),
            20,
            lambda: "the mute tried: " + log.read_text(encoding="utf-8")[-3000:],
        )
        first.send_signal(signal.SIGKILL)
        await first.wait()
        assert not api.called("restrictChatMember")
        second = await start(args, env, tmp_path / "second.log")
        await wait(
            lambda: api.called("restrictChatMember", user_id=ANN),
            60,
            lambda: (
                "the mute sent again: "
                + (tmp_path / "second.log").read_text(encoding="utf-8")[-3000:]
            ),
        )
        # Nothing else is on its way: the mute went out once.
        await asyncio.sleep(1.0)
        assert len(api.called("restrictChatMember", user_id=ANN)) == 1
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), 60)
    assert _cases(db) == ["mute"]
