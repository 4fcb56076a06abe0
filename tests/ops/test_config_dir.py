"""`groupkeeper run --config-dir DIR`: one process serves every community
file in a folder, each with its own bot; a second process on the same folder
stands by for all of them and takes them over when the first is killed
(SQLite: the lock is a flock beside the database, so this runs without
PostgreSQL; tests/storage/test_takeover.py does it on PostgreSQL)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.ops.processes import community_file, free_port, roles, start, wait
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, BOB, GROUP, populate

TOKENS = ("111111:TEST-first-token-shaped-like-one", "222222:TEST-second-token-shaped-like-one")


@pytest.fixture
async def apis() -> AsyncIterator[tuple[FakeBotApi, FakeBotApi]]:
    servers = (FakeBotApi(token=TOKENS[0]), FakeBotApi(token=TOKENS[1]))
    for server in servers:
        await server.start()
        populate(server)
    yield servers
    for server in servers:
        await server.stop()


def replies(api: FakeBotApi) -> int:
    return sum("+10 points" in t or "already checked in" in t for t in api.sent(GROUP))


async def test_one_folder_many_communities_and_a_standby_for_all(
    apis: tuple[FakeBotApi, FakeBotApi], tmp_path: Path
) -> None:
    one, two = apis
    folder = tmp_path / "communities"
    folder.mkdir()
    community_file(folder, "a-one.yaml", slug="tg-one", token_var="ONE_TOKEN", url_var="ONE_URL")
    community_file(folder, "b-two.yaml", slug="tg-two", token_var="TWO_TOKEN", url_var="TWO_URL")
    (folder / "notes.txt").write_text("not a community file", encoding="utf-8")
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    env = {"ONE_TOKEN": one.token, "ONE_URL": one.base_url,
           "TWO_TOKEN": two.token, "TWO_URL": two.base_url}  # fmt: skip
    port_a, port_b = free_port(), free_port()
    args = ["--config-dir", str(folder), "--db", db]
    first = await start(args, env | {"GK_METRICS_PORT": str(port_a)}, tmp_path / "a.log")
    second = None
    try:
        both_owned = {"tg-one": "owner", "tg-two": "owner"}
        await wait(lambda: _is(roles(port_a), both_owned), 60, "the first process to own both")
        await wait(
            lambda: one.allowed_updates is not None and two.allowed_updates is not None,
            60,
            lambda: (
                "both bots' first polls: "
                + (tmp_path / "a.log").read_text(encoding="utf-8")[-4000:]
            ),
        )
        second = await start(args, env | {"GK_METRICS_PORT": str(port_b)}, tmp_path / "b.log")
        await wait(
            lambda: _is(roles(port_b), {"tg-one": "standby", "tg-two": "standby"}),
            60,
            "the second to stand by for both",
        )
        # Each community answers through its own bot.
        one.post(GROUP, ANN, "/checkin")
        two.post(GROUP, BOB, "/checkin")
        await wait(
            lambda: replies(one) == 1 and replies(two) == 1,
            30,
            lambda: (
                f"both bots' answers: {one.sent(GROUP)} {two.sent(GROUP)}; "
                + (tmp_path / "a.log").read_text(encoding="utf-8")[-3000:]
            ),
        )
        assert not any("Bob" in t for t in one.sent(GROUP))
        assert not any("@ann" in t for t in two.sent(GROUP))

        # Stored before the kill: what a kill loses in flight is the
        # takeover test's subject (tests/storage/test_takeover.py).
        await wait(lambda: stored_checkins(tmp_path / "gk.db") == 2, 10, "the check-ins stored")
        first.kill()
        killed = time.monotonic()
        await first.wait()
        await wait(lambda: _is(roles(port_b), both_owned), 20, "the standby to own both")
        took = time.monotonic() - killed
        one.post(GROUP, ANN, "/checkin")
        two.post(GROUP, BOB, "/checkin")
        await wait(lambda: replies(one) == 2 and replies(two) == 2, 30, "the new owner's answers")
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()
    # The second check-in of the day is known to the new owner: loaded from the database.
    assert "already checked in" in one.sent(GROUP)[-1]
    assert "already checked in" in two.sent(GROUP)[-1]
    assert took < 15


def stored_checkins(db: Path) -> int:
    connection = sqlite3.connect(db)
    try:
        row = connection.execute(
            "SELECT count(*) FROM points_ledger WHERE reason = 'checkin'"
        ).fetchone()
    finally:
        connection.close()
    return int(row[0])


async def _is(found: object, wanted: dict[str, str]) -> bool:
    return await found == wanted  # type: ignore[misc]
