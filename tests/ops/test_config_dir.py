"""`groupkeeper run --config-dir DIR`: the processes started on one folder
share its communities evenly, each through its own bot.

One process starts on a folder of four communities and owns them all; a
second joins, and the first hands two over, one at a time, gracefully:
the check-ins and messages members send meanwhile are each answered once
and counted once, whichever process handled them. The second is killed and
the first takes its two back; started again, it gets two handed over again.
SQLite: the locks are flocks beside the database and the heartbeats a table
in it, so this runs without PostgreSQL (tests/storage/test_takeover.py kills
an owner on PostgreSQL)."""

from __future__ import annotations

import asyncio
import re
import signal
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.ops.processes import (
    checkins,
    community_folder,
    fake_telegrams,
    free_port,
    get,
    health,
    owned,
    roles,
    start,
    wait,
)
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, BOB, GROUP, MOD, OWNER

SLUGS = ("tg-a", "tg-b", "tg-c", "tg-d")
MEMBERS = {ANN: "@ann", BOB: "Bob", MOD: "@max_mod", OWNER: "@olga"}
# A short takeover keeps the polls, heartbeats and cool-downs short.
FAST = "\nstandby: {takeover: 5s}\n"
HANDING_OVER = "handing it over to balance"


@pytest.fixture
async def apis() -> AsyncIterator[dict[str, FakeBotApi]]:
    async with fake_telegrams(SLUGS, first=1) as servers:
        yield servers


async def test_processes_on_one_folder_share_its_communities_and_hand_them_over_cleanly(
    apis: dict[str, FakeBotApi], tmp_path: Path
) -> None:
    folder = tmp_path / "communities"
    env = community_folder(folder, apis, FAST)
    (folder / "notes.txt").write_text("not a community file", encoding="utf-8")
    db = tmp_path / "gk.db"
    args = ["--config-dir", str(folder), "--db", f"sqlite+aiosqlite:///{db}"]
    port_a, port_b, port_c = free_port(), free_port(), free_port()
    log_a, log_b, log_c = tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log"

    def logs() -> str:
        return "\n".join(
            f"--- {p.name}\n" + p.read_text(encoding="utf-8")[-3000:]
            for p in (log_a, log_b, log_c)
            if p.exists()
        )

    async def owns(port: int, n: int) -> bool:
        return await both_own(port, port, n, n)

    async def both_own(port_x: int, port_y: int, x: int, y: int) -> bool:
        # A process that should run and has exited fails at once.
        for process in processes:
            if process.returncode is not None and process not in ended:
                raise AssertionError("a process exited " + logs())
        found_x, found_y = owned(await roles(port_x)), owned(await roles(port_y))
        return (
            len(found_x) == x and len(found_y) == y and (port_x == port_y or not found_x & found_y)
        )

    first = await start(args, env | {"GK_METRICS_PORT": str(port_a)}, log_a)
    processes, ended = [first], list[asyncio.subprocess.Process]()
    try:
        await wait(lambda: owns(port_a, 4), 120, lambda: "the first to own all four " + logs())
        await wait(
            lambda: all(api.allowed_updates is not None for api in apis.values()),
            60,
            lambda: "every bot's first poll " + logs(),
        )
        second = await start(args, env | {"GK_METRICS_PORT": str(port_b)}, log_b)
        processes.append(second)
        await wait(lambda: up(port_b), 60, lambda: "the second's /healthz " + logs())

        # Members check in and chat in every community while the first
        # hands two of them over, a round every half second.
        async def chat() -> None:
            for member in MEMBERS:
                for text in ("/checkin", f"good morning everyone from {member}"):
                    for api in apis.values():
                        api.post(GROUP, member, text)
                    await asyncio.sleep(0.5)

        chatting = asyncio.create_task(chat())
        await wait(lambda: both_own(port_a, port_b, 2, 2), 120, lambda: "a 2/2 share " + logs())
        await chatting
        for slug, api in apis.items():
            await wait(
                lambda api=api: all(checkins(api, n, "new") >= 1 for n in MEMBERS.values()),
                60,
                lambda slug=slug: f"{slug}'s check-ins answered " + logs(),
            )
        split = (owned(await roles(port_a)), owned(await roles(port_b)))

        # The second dies: the first serves all four again.
        ended.append(second)
        second.kill()
        await second.wait()
        await wait(
            lambda: owns(port_a, 4), 120, lambda: "the first to own all four again " + logs()
        )
        for api in apis.values():
            api.post(GROUP, ANN, "/checkin")
        await wait(
            lambda: all(checkins(api, "@ann", "again") == 1 for api in apis.values()),
            60,
            lambda: "the survivor's answers " + logs(),
        )

        # Started again, it is handed two.
        third = await start(args, env | {"GK_METRICS_PORT": str(port_c)}, log_c)
        processes.append(third)
        await wait(
            lambda: both_own(port_a, port_c, 2, 2), 120, lambda: "a 2/2 share again " + logs()
        )
        for api in apis.values():
            api.post(GROUP, BOB, "/checkin")
        await wait(
            lambda: all(checkins(api, "Bob", "again") == 1 for api in apis.values()),
            60,
            lambda: "the answers after the second share " + logs(),
        )
        _, report = await health(port_c)
        _, metrics = await get(port_a, "/metrics")
        for process in (first, third):
            process.send_signal(signal.SIGTERM)
        assert [await asyncio.wait_for(p.wait(), 60) for p in (first, third)] == [0, 0]
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()

    # Each process owned two; together all four.
    assert len(split[0]) == len(split[1]) == 2 and split[0] | split[1] == set(SLUGS)
    assert report["process"]["processes"] == 2 and report["process"]["share"] == 2
    assert len(report["process"]["owned"]) == 2
    # The first handed over exactly two each time, and nobody else any:
    # no community went back and forth.
    text_a = log_a.read_text(encoding="utf-8")
    assert text_a.count(HANDING_OVER) == 4, logs()
    assert HANDING_OVER not in log_b.read_text(encoding="utf-8") + log_c.read_text("utf-8")
    handed = re.findall(r'groupkeeper_handovers_total\{community="(tg-.)"\} ([\d.]+)', metrics)
    assert sum(float(n) for _, n in handed) == 4 and {slug for slug, _ in handed} == set(SLUGS)
    for slug, api in apis.items():
        for name in MEMBERS.values():
            # Every check-in answered once, and none mistaken for a second.
            assert checkins(api, name, "new") == 1, (slug, name, api.sent(GROUP))
        assert checkins(api, "@ann", "again") == checkins(api, "Bob", "again") == 1
    # And counted once: a check-in (10) and one message (1, then its
    # cool-down) per member per community, each ledger key once.
    totals, keys = ledger(db)
    assert totals == {(slug, f"telegram:{m}"): 11 for slug in SLUGS for m in MEMBERS}
    assert all(n == 1 for n in keys.values())


async def up(port: int) -> bool:
    status, _ = await health(port)
    return status != 0


def ledger(db: Path) -> tuple[dict[tuple[str, str], int], Counter[str]]:
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "SELECT community, member_key, delta, key FROM points_ledger"
        ).fetchall()
    finally:
        connection.close()
    totals: dict[tuple[str, str], int] = {}
    for community, member, delta, _ in rows:
        totals[community, member] = totals.get((community, member), 0) + delta
    return totals, Counter(f"{r[0]}|{r[3]}" for r in rows)
