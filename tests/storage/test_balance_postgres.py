"""Balancing on a real PostgreSQL: two processes on a folder of two
communities end with one each (advisory locks, heartbeats in the
`fleet_processes` table); the one stopped with SIGTERM leaves the table
as it goes, and the other takes its community and answers there."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.fleet_store import SqlRoster
from tests.ops.processes import community_folder, fake_telegrams, free_port, roles, start, wait
from tests.storage.conftest import PostgresServer
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.harness import ANN, GROUP

pytestmark = pytest.mark.postgres

SLUGS = ("pg-a", "pg-b")
PATIENCE = 120.0


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture
async def apis() -> AsyncIterator[dict[str, FakeBotApi]]:
    async with fake_telegrams(SLUGS, first=7) as servers:
        yield servers


async def owned(port: int) -> set[str]:
    return {slug for slug, role in (await roles(port)).items() if role == "owner"}


async def test_two_processes_share_two_communities_on_postgres(
    apis: dict[str, FakeBotApi], pg_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "communities"
    env = community_folder(folder, apis, "\nstandby: {takeover: 5s}\n")
    args = ["--config-dir", str(folder), "--db", pg_url]
    port_a, port_b = free_port(), free_port()
    logs = (tmp_path / "a.log", tmp_path / "b.log")

    def said() -> str:
        return "\n".join(p.read_text(encoding="utf-8")[-3000:] for p in logs if p.exists())

    first = await start(args, env | {"GK_METRICS_PORT": str(port_a)}, logs[0])
    second = None
    try:
        await wait(lambda: owned_all(port_a), PATIENCE, lambda: "the first to own both " + said())
        second = await start(args, env | {"GK_METRICS_PORT": str(port_b)}, logs[1])
        await wait(lambda: one_each(port_a, port_b), PATIENCE, lambda: "one each " + said())
        # Each says so in its heartbeat (written as ownership changes).
        told = [("pg-a", first.pid), ("pg-b", second.pid)]
        await wait(
            lambda: told_by(pg_url, told), PATIENCE, lambda: f"the heartbeats {told} " + said()
        )

        # A clean stop leaves the table: nobody counts a process that is gone.
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), PATIENCE) == 0
        assert [pid for _, pid in await heartbeats(pg_url)] == [first.pid]
        await wait(lambda: owned_all(port_a), PATIENCE, lambda: "the first to own both " + said())
        for api in apis.values():
            api.post(GROUP, ANN, "/checkin")
        await wait(
            lambda: all(any("@ann checked in" in t for t in a.sent(GROUP)) for a in apis.values()),
            PATIENCE,
            lambda: "both answered " + said(),
        )
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()


async def told_by(url: str, told: list[tuple[str, int]]) -> bool:
    return sorted(await heartbeats(url)) == told


async def heartbeats(url: str) -> list[tuple[str, int]]:
    roster = await SqlRoster.open(url)
    try:
        async with roster.engine.connect() as c:
            rows = (await c.exec_driver_sql("SELECT owned, pid FROM fleet_processes")).all()
    finally:
        await roster.close()
    return [(r.owned, r.pid) for r in rows]


async def owned_all(port: int) -> bool:
    return await owned(port) == set(SLUGS)


async def one_each(port_a: int, port_b: int) -> bool:
    a, b = await owned(port_a), await owned(port_b)
    return len(a) == len(b) == 1 and a != b
