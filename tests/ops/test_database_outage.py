"""`groupkeeper run` on a real PostgreSQL server that is stopped while the
bot serves and started again: members go on checking in through the fake
Bot API, the bot says once that the database is unreachable and once that
it is back, and no check-in is lost or counted twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Base
from storage.sql_store import SqlStore
from tests.ops.processes import community_file, free_port, start, wait
from tests.ops.test_database_unreachable import _bindir
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, BOB, GROUP, LOG_CHAT, ZHU


@dataclass
class Server:
    """A PostgreSQL server of this test's own, to stop and start."""

    bindir: Path
    data: Path
    root: Path
    port: int
    as_owner: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            check=True, capture_output=True, cwd=self.root,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-F -c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
        self._ctl("-l", str(self.root / "log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        self._ctl("-w", "stop", "-m", "fast")


@pytest.fixture
def server() -> Iterator[Server]:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found")
    as_owner: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="groupkeeper-pg-outage-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    pg = Server(bindir, root / "data", root, free_port(), as_owner)
    subprocess.run(
        [*as_owner, str(bindir / "initdb"), "-D", str(pg.data), "-U", "postgres", "-A", "trust",
         "-E", "UTF8", "--locale=C", "--no-sync"],
        check=True, capture_output=True, cwd=root,
    )  # fmt: skip
    pg.start()
    try:
        yield pg
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg._ctl("stop", "-m", "immediate")
        shutil.rmtree(root, ignore_errors=True)


async def _checkins(url: str) -> list[str]:
    store = await SqlStore.open(url, read_only=True)
    try:
        ledger = Base.metadata.tables["points_ledger"]
        async with store.engine.connect() as connection:
            rows = await connection.execute(
                select(ledger.c.member_key).where(ledger.c.reason == "checkin")
            )
            return sorted(row[0] for row in rows)
    finally:
        await store.close()


async def test_the_database_stopped_and_started_under_a_serving_bot(
    api: FakeBotApi, server: Server, tmp_path: Path
) -> None:
    config = community_file(tmp_path, "community.yaml")
    env = {"TELEGRAM_TOKEN": api.token, "GK_TG_BASE_URL": api.base_url}
    log = tmp_path / "run.log"
    run = await start(["--config", str(config), "--db", server.url], env, log)

    def replies(who: str) -> list[str]:
        return [t for t in api.sent(GROUP) if t.startswith(f"✅ {who}")]

    try:
        await wait(lambda: api.allowed_updates is not None, 60, "the first poll")
        api.post(GROUP, ANN, "/checkin")
        await wait(lambda: replies("@ann"), 30, "Ann's check-in")

        await asyncio.to_thread(server.stop)
        api.post(GROUP, BOB, "/checkin")
        api.post(GROUP, ANN, "/checkin")
        # Long enough for the owner to find its lock gone with the server.
        await asyncio.sleep(6)
        await asyncio.to_thread(server.start)
        api.post(GROUP, ZHU, "/checkin")
        await wait(lambda: replies("Bob") and replies("@zhu"), 90, "the check-ins after")
        await wait(lambda: api.sent(LOG_CHAT), 30, "the log chat told")
        # Whatever else was queued has left.
        await asyncio.sleep(1)
    finally:
        run.send_signal(signal.SIGTERM)
        code = await run.wait()
    said = log.read_text(encoding="utf-8")
    assert code == 0, said
    # Nothing lost, nothing counted or answered twice: the updates handled
    # while the rows could not be stored were handled again from the cursor.
    assert await _checkins(server.url) == [f"telegram:{m}" for m in (ANN, BOB, ZHU)]
    assert (len(replies("@ann")), len(replies("Bob")), len(replies("@zhu"))) == (1, 1, 1)
    assert sum("already checked in" in t for t in api.sent(GROUP)) == 1
    # The log chat hears it once, after; the log says it without a trace
    # per retry (before: a traceback every 100 ms while the server was down).
    [told] = api.sent(LOG_CHAT)
    assert "could not be reached" in told and "none twice" in told
    assert "Traceback" not in said and "write-behind flush failed" not in said, said
    assert said.count("write-behind: cannot reach the database") <= 1, said
