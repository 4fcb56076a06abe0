"""Engine construction: driver selection and SQLite's connection settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from storage.database import async_url, create_engine, is_memory_sqlite


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///groupkeeper.db", "sqlite+aiosqlite"),
        ("sqlite://", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite"),
        ("postgresql://bot:pw@db:5432/gk", "postgresql+asyncpg"),
        ("postgres://bot@db/gk", "postgresql+asyncpg"),
        ("postgresql+psycopg://bot@db/gk", "postgresql+psycopg"),
    ],
)
def test_plain_urls_get_the_async_driver(given: str, driver: str) -> None:
    url = async_url(given)

    assert url.drivername == driver
    assert url.set(drivername=make_url(given).drivername) == make_url(given)


@pytest.mark.parametrize(
    ("url", "memory"),
    [
        ("sqlite://", True),
        ("sqlite:///:memory:", True),
        ("sqlite+aiosqlite:///:memory:", True),
        ("sqlite:///groupkeeper.db", False),
        ("postgresql://bot@db/gk", False),
    ],
)
def test_memory_databases_are_recognised(url: str, memory: bool) -> None:
    assert is_memory_sqlite(url) is memory


async def test_sqlite_files_get_wal_and_the_other_pragmas(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'gk.db'}")
    try:
        async with engine.connect() as connection:
            settings = [
                (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            ]
    finally:
        await engine.dispose()

    assert settings == ["wal", 1, 1, 5000]


async def test_a_memory_database_is_one_shared_connection() -> None:
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        assert isinstance(engine.sync_engine.pool, StaticPool)
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    finally:
        await engine.dispose()


async def test_sqlite_ddl_is_transactional(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'gk.db'}")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.rollback()
            tables = await connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
            assert tables.all() == []
    finally:
        await engine.dispose()
