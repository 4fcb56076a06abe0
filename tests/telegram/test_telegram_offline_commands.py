"""`groupkeeper member erase` and `groupkeeper points import` change stored
data from outside the bot. While `groupkeeper run` serves the community
they refuse and change nothing (the bot would write its memory back over an
erasure, and would not see an import until it restarts); once it has
stopped they do their work."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

from tests.ops.processes import ROOT, start, wait
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, BOB, CONFIG, GROUP


async def _cli(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", *args,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(db)
    try:
        return list(connection.execute(sql))
    finally:
        connection.close()


def _ledger(db: Path, member: int) -> list[str]:
    sql = f"SELECT reason FROM points_ledger WHERE member_key = 'telegram:{member}' ORDER BY id"
    return [str(row[0]) for row in _rows(db, sql)]


async def test_erase_and_import_refuse_while_the_bot_serves_and_work_once_it_stopped(
    world: FakeBotApi, tmp_path: Path
) -> None:
    api = world
    db = tmp_path / "gk.db"
    common = ["--config", str(CONFIG), "--db", f"sqlite+aiosqlite:///{db}"]
    env = {"TELEGRAM_TOKEN": api.token, "GK_TG_BASE_URL": api.base_url}
    balances = tmp_path / "balances.csv"
    balances.write_text(f"member,points\ntelegram:{BOB},500\n", encoding="utf-8")
    log = tmp_path / "bot.log"
    bot = await start(common, env, log)
    try:
        await api.wait_for(lambda: api.allowed_updates is not None, 60, "the first poll")
        api.post(GROUP, ANN, "/checkin")
        await wait(lambda: _ledger(db, ANN) == ["checkin"], 30, "the check-in stored")

        code, _, err = await _cli("member", "erase", f"telegram:{ANN}", "--yes", *common)
        assert code == 1
        assert "tg-test is being served by a running groupkeeper" in err
        assert "/forgetme" in err
        assert _ledger(db, ANN) == ["checkin"]

        code, _, err = await _cli("points", "import", str(balances), *common)
        assert code == 1
        assert "`points import` did nothing" in err
        assert _ledger(db, BOB) == []

        # Without --yes the erasure only tells what it would do: no lock needed.
        code, out, _ = await _cli("member", "erase", f"telegram:{ANN}", *common)
        assert code == 0 and "nothing erased yet" in out

        # The bot still serves: it answers the next message as before.
        before = len(api.sent(GROUP))
        api.post(GROUP, BOB, "/checkin")
        await wait(lambda: len(api.sent(GROUP)) > before, 30, "the bot still answering")
    finally:
        bot.send_signal(signal.SIGTERM)
        assert await bot.wait() == 0, log.read_text(encoding="utf-8")[-3000:]

    code, out, err = await _cli("member", "erase", f"telegram:{ANN}", "--yes", *common)
    assert code == 0, err
    assert f"telegram:{ANN}: erased." in out
    assert _ledger(db, ANN) == []
    code, out, err = await _cli("points", "import", str(balances), *common)
    assert code == 0, err
    assert "imported 1 balances" in out
    assert _ledger(db, BOB) == ["checkin", "import"]


async def test_the_refusal_speaks_the_communitys_language(
    world: FakeBotApi, tmp_path: Path
) -> None:
    api = world
    config = tmp_path / "config.yaml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8").replace("language: en", "language: zh"),
        encoding="utf-8",
    )
    db = tmp_path / "gk.db"
    common = ["--config", str(config), "--db", f"sqlite+aiosqlite:///{db}"]
    env = {"TELEGRAM_TOKEN": api.token, "GK_TG_BASE_URL": api.base_url}
    log = tmp_path / "bot.log"
    bot = await start(common, env, log)
    try:
        await api.wait_for(lambda: api.allowed_updates is not None, 60, "the first poll")
        code, _, err = await _cli("member", "erase", f"telegram:{ANN}", "--yes", *common)
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
    assert code == 1
    assert "正由一个运行中的 groupkeeper 服务" in err
    assert "/forgetme" in err
