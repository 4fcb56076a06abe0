"""`groupkeeper member erase KEY --yes` takes the member out of the stored
risk alerts as `/forgetme` does, and says how many it rewrote; her copy
holds them before and not after."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.console.session import ConsoleSession
from bot.config import load_config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.adapters.test_member_cli import run
from tests.conftest import EXAMPLE, START


def a_watched_word(db: str) -> None:
    async def play() -> None:
        store = await SqlStore.open(db)
        session = ConsoleSession(load_config(EXAMPLE), store, FakeClock(START))
        await session.start()
        await session.run(["+eve", "eve: 我付了钱，我要退款，这是骗子"])
        await session.close()
        await store.close()

    asyncio.run(play())


def summaries(db: str) -> list[str]:
    async def read() -> list[str]:
        store = await SqlStore.open(db)
        async with store.engine.connect() as c:
            rows = [row[0] for row in await c.execute(text("SELECT summary FROM risk_alerts"))]
        await store.close()
        return rows

    return asyncio.run(read())


def test_member_erase_rewrites_the_alerts_naming_her(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    a_watched_word(db)
    common = ("--config", str(EXAMPLE), "--db", db)
    assert summaries(db) == ["@eve 提到“退款”：我付了钱，我要退款，这是骗子"]
    _, out, _ = run(capsys, "member", "export", "console:eve", *common)
    assert [a["kind"] for a in json.loads(out)["alerts_about_you"]] == ["keyword"]

    code, out, _ = run(capsys, "member", "erase", "console:eve", "--yes", *common)

    assert code == 0 and "  made 1 anonymous in risk_alerts" in out.splitlines()
    [summary] = summaries(db)
    assert summary.startswith("erased:") and "eve" not in summary and "骗子" not in summary
    assert summary.endswith("提到“退款”：（此处内容已按该成员的要求删除）")
    _, out, _ = run(capsys, "member", "export", "console:eve", *common)
    assert json.loads(out)["alerts_about_you"] == []
