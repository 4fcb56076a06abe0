"""`db backup` and `db restore` on PostgreSQL run pg_dump and pg_restore: a
community that has run (through the console, on the real server) is
backed up and restored into an empty database, and every table reads the
same."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.cli import main
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


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The command line's `main`, in this process: the code and stderr."""
    code = main(list(args))
    return code, capsys.readouterr().err


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


def test_pg_dump_and_pg_restore_round_trip(
    postgres_server: PostgresServer,
    databases: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, target = databases
    monkeypatch.setenv("PATH", f"{postgres_server.bindir}:{os.environ['PATH']}")
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    backup = tmp_path / "gk.dump"
    for args in (
        ["console", "--db", source, "--script", str(script)],
        ["db", "backup", str(backup), "--db", source],
        ["db", "restore", str(backup), "--db", target],
    ):
        code, err = cli(capsys, *args, "--config", str(CONFIG))
        assert code == 0, err

    before, after = asyncio.run(rows(source)), asyncio.run(rows(target))
    assert after == before
    assert before["points_ledger"] and before["mod_cases"] and before["scheduled_posts"]
