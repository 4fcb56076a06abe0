"""`db backup` and `db restore` on PostgreSQL run pg_dump and pg_restore: a
community that has run (through the console, on the real server) is
backed up and restored into an empty database, and every table reads the
same."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from tests.storage.conftest import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "scenarios" / "schedule_berlin.yaml"
SCRIPT = (
    "+alice\n+bob\nalice: /checkin\n!mod mia\nmia > 1: /warn spam\nmia: /schedule pause morning\n"
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def databases(postgres_server: PostgresServer) -> Iterator[tuple[str, str]]:
    names = [postgres_server.create_database(), postgres_server.create_database()]
    yield postgres_server.url(names[0]), postgres_server.url(names[1])
    for name in names:
        postgres_server.drop_database(name)


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


async def rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = create_async_engine(url)
    try:
        meta = MetaData()
        async with engine.connect() as c:
            await c.run_sync(meta.reflect)
            return {
                name: sorted((await c.execute(select(table))).all(), key=repr)
                for name, table in meta.tables.items()
            }
    finally:
        await engine.dispose()


async def test_pg_dump_and_pg_restore_round_trip(
    postgres_server: PostgresServer, databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    env = dict(os.environ, PATH=f"{postgres_server.bindir}:{os.environ['PATH']}")
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    done = cli("console", "--config", str(CONFIG), "--db", source, "--script", str(script), env=env)
    assert done.returncode == 0, done.stderr
    backup = tmp_path / "gk.dump"

    done = cli("db", "backup", str(backup), "--config", str(CONFIG), "--db", source, env=env)
    assert done.returncode == 0, done.stderr
    done = cli("db", "restore", str(backup), "--config", str(CONFIG), "--db", target, env=env)
    assert done.returncode == 0, done.stderr

    before, after = await rows(source), await rows(target)
    assert after == before
    assert before["points_ledger"] and before["mod_cases"] and before["scheduled_posts"]
