"""A database URL's options (`storage.url_options`): each known one checked
and handed to the driver in the form it takes, anything else refused with a
reason; on a real PostgreSQL the valid ones take effect, in the store's
engine and in the community lock's own connection."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url, text

from adapters.ops.ownership import PostgresLock
from storage.database import create_engine
from storage.url_options import CONNECT_TIMEOUT, postgres_connect, url_problem
from tests.storage.conftest import PostgresServer

PG = "postgresql+asyncpg://gk:pw@db:5432/gk"


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("", None),
        ("?connect_timeout=5", None),
        ("?timeout=2.5", None),
        ("?command_timeout=30&statement_cache_size=0", None),
        ("?sslmode=verify-full&sslrootcert=/etc/ca.pem", None),
        ("?ssl=require", None),
        ("?application_name=gk&target_session_attrs=read-write", None),
        ("?host=/run/postgresql", None),
        ("?timeout=abc", "timeout='abc' is not a number of seconds above 0"),
        ("?connect_timeout=0", "connect_timeout='0' is not a number of seconds above 0"),
        ("?timeout=5&connect_timeout=5", "give connect_timeout or timeout, not both"),
        ("?timeout=1&timeout=2", "timeout is given more than once"),
        ("?sslmode=on", "sslmode='on' is none of disable, allow, prefer"),
        ("?ssl=require&sslmode=require", "give ssl or sslmode, not both"),
        ("?statement_cache_size=-1", "statement_cache_size='-1' is not a whole number"),
        ("?target_session_attrs=master", "target_session_attrs='master' is none of"),
        ("?pool_size=5", "unknown option 'pool_size' for PostgreSQL (known: application_name"),
    ],
)
def test_postgresql_options(query: str, problem: str | None) -> None:
    found = url_problem(PG + query)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("sqlite+aiosqlite:///gk.db", None),
        ("sqlite+aiosqlite:///gk.db?timeout=20", None),
        ("sqlite+aiosqlite:///gk.db?timeout=x", "timeout='x' is not a number of seconds"),
        ("sqlite+aiosqlite:///gk.db?mode=ro", "mode is a SQLite URI option: add uri=true"),
        ("sqlite+aiosqlite:///gk.db?mode=ro&uri=true", None),
        ("sqlite+aiosqlite:///gk.db?journal=wal", "unknown option 'journal' for SQLite"),
        ("postgresql+psycopg://gk@db/gk?anything=1", None),
        ("not a url", "is not a database URL"),
        ("mysql://gk@db/gk", "'mysql' is none of the databases groupkeeper runs on"),
    ],
)
def test_other_urls(url: str, problem: str | None) -> None:
    found = url_problem(url)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_connecting_waits_ten_seconds_unless_the_url_says() -> None:
    _, args = postgres_connect(make_url(PG))
    assert args == {"timeout": CONNECT_TIMEOUT} and CONNECT_TIMEOUT == 10
    bare, args = postgres_connect(make_url(PG + "?connect_timeout=3&sslmode=require"))
    assert args == {"timeout": 3.0, "dsn": "postgresql://?sslmode=require"}
    assert not bare.query


@pytest.mark.postgres
async def test_valid_options_take_effect_on_a_real_server(postgres_server: PostgresServer) -> None:
    url = postgres_server.url("postgres")
    options = "?connect_timeout=3&application_name=gk-options&sslmode=disable&command_timeout=9"
    engine = create_engine(url + options)
    try:
        async with engine.connect() as connection:
            name = await connection.scalar(text("SELECT current_setting('application_name')"))
    finally:
        await engine.dispose()
    assert name == "gk-options"
    # The community lock connects with the same options (and its own name).
    lock = PostgresLock(url + options, "options-test", 15)
    try:
        assert await lock.try_acquire()
    finally:
        await lock.release()
