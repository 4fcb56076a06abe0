"""The community lock on a real PostgreSQL: one owner at a time, a standby
that gets it when the owner lets go, and an owner that stops the moment its
session is gone (here ended by the server, as a network cut would), before
anyone else could hold the lock."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from adapters.ops.offline import CommunityServed, offline
from adapters.ops.ownership import FileLock, NoLock, PostgresLock, Timing, lock_key, ownership_for
from bot.config import load_config
from tests.storage.conftest import PostgresServer

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


async def test_one_owner_and_a_standby_that_takes_over(pg_url: str) -> None:
    owner, standby = PostgresLock(pg_url, "green", 5), PostgresLock(pg_url, "green", 5)
    other = PostgresLock(pg_url, "blue", 5)
    await owner.acquire()
    waiting = asyncio.create_task(standby.acquire())
    await other.acquire()  # another community is its own lock
    await asyncio.sleep(owner.timing.poll * 3)
    assert not waiting.done()
    assert await owner.ping()

    await owner.release()
    await asyncio.wait_for(waiting, owner.timing.poll * 4)
    assert not standby.lost.is_set()
    await standby.release()
    await other.release()


async def test_an_owner_whose_session_ends_stops_before_a_standby_gets_in(pg_url: str) -> None:
    owner, standby = PostgresLock(pg_url, "green", 5), PostgresLock(pg_url, "green", 5)
    await owner.acquire()
    connection = await asyncpg.connect(pg_url.replace("+asyncpg", ""))
    try:
        ended = await connection.fetchval(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'groupkeeper lock green'"
        )
    finally:
        await connection.close()
    assert ended
    await asyncio.wait_for(owner.lost.wait(), owner.timing.poll * 4)
    await asyncio.wait_for(standby.acquire(), owner.timing.poll * 4)
    await owner.release()
    await standby.release()


def test_the_takeover_bound_leaves_room_for_starting() -> None:
    for takeover in (5.0, 15.0, 600.0):
        t = Timing.within(takeover)
        released = t.keepalive_idle + t.keepalive_interval * t.keepalive_count
        assert released + t.poll < takeover
        # A cut-off owner gives up (a check every poll, timing out after two
        # more) before the server lets a standby in.
        assert 3 * t.poll < released
    # Stable across processes and versions: other processes must agree on it.
    assert lock_key("green") == lock_key("green") != lock_key("blue")
    assert -(2**63) <= lock_key("green") < 2**63


def test_each_database_gets_its_kind_of_lock(tmp_path: Path) -> None:
    assert isinstance(ownership_for("postgresql+asyncpg://u@h/db", "g", 15), PostgresLock)
    lock = ownership_for(f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}", "g", 15)
    assert isinstance(lock, FileLock) and lock.path == tmp_path / "gk.db.g.owner"
    assert isinstance(ownership_for("sqlite+aiosqlite:///:memory:", "g", 15), NoLock)


async def test_a_peek_tells_a_free_lock_and_leaves_it_free(pg_url: str, tmp_path: Path) -> None:
    """What a standby not entitled to a community does (adapters/ops/balance.py):
    it looks whether the lock is free without keeping it."""
    for make in (
        lambda: PostgresLock(pg_url, "green", 5),
        lambda: FileLock(tmp_path / "gk.db.green.owner", "green", 5),
    ):
        owner, looker = make(), make()
        assert await owner.attempt()
        assert not await looker.peek() and not await looker.attempt()
        await owner.release()
        assert await looker.peek()
        # Let go at once: the owner-to-be gets it, and the looker cannot.
        assert await owner.attempt()
        assert not await looker.peek()
        await owner.release()
        await looker.release()


async def test_an_offline_command_gets_the_lock_only_while_nobody_serves(pg_url: str) -> None:
    owner, command = PostgresLock(pg_url, "green", 5), PostgresLock(pg_url, "green", 5)
    await owner.acquire()
    assert not await command.try_acquire()
    await owner.release()
    assert await command.try_acquire()
    # Held: a process started meanwhile stands by until the command is done.
    waiting = asyncio.create_task(owner.acquire())
    await asyncio.sleep(owner.timing.poll * 3)
    assert not waiting.done()
    await command.release()
    await asyncio.wait_for(waiting, owner.timing.poll * 4)
    await owner.release()


async def test_an_offline_command_on_sqlite_meets_the_same_lock(tmp_path: Path) -> None:
    owner = FileLock(tmp_path / "gk.db.g.owner", "g", 5)
    command = FileLock(tmp_path / "gk.db.g.owner", "g", 5)
    await owner.acquire()
    assert not await command.try_acquire()
    await owner.release()
    assert await command.try_acquire()
    assert not await owner.try_acquire()
    await command.release()
    assert await NoLock().try_acquire()


async def test_a_peek_on_postgres_reads_the_lock_table_for_any_key(pg_url: str) -> None:
    """A key shows in pg_locks as two 32-bit halves: slugs whose keys are
    negative and positive are both read right, and one community's lock
    says nothing about another's."""
    slugs = [f"c{n}" for n in range(12)]
    assert {lock_key(s) < 0 for s in slugs} == {True, False}
    for slug in slugs:
        owner, looker = PostgresLock(pg_url, slug, 5), PostgresLock(pg_url, "other", 5)
        same = PostgresLock(pg_url, slug, 5)
        assert await owner.attempt()
        assert not await same.peek() and await looker.peek()
        await owner.release()
        assert await same.peek()
        await same.release()
        await looker.release()


async def test_an_offline_command_asks_again_past_a_standbys_look(tmp_path: Path) -> None:
    """A lock held for an instant (a standby's peek) does not refuse an
    offline command; one held for good does."""
    config = load_config(ROOT / "config.example.yaml")
    url = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    slug = config.community.slug
    looking = FileLock(tmp_path / f"gk.db.{slug}.owner", slug, 5)
    await looking.acquire()
    asyncio.get_running_loop().call_later(0.1, lambda: asyncio.ensure_future(looking.release()))
    async with offline(config, url, "member erase"):
        assert not await looking.try_acquire()
    await looking.acquire()
    with pytest.raises(CommunityServed):
        async with offline(config, url, "member erase"):
            raise AssertionError("ran while the community was served")
    await looking.release()


async def test_a_health_ping_meeting_a_standbys_ask_on_its_session_still_answers(
    pg_url: str,
) -> None:
    """A standby asks for the lock (and a balancing process peeks) on the
    same session /healthz pings: one query at a time, or the ping meets
    "another operation is in progress" and /healthz says the database is
    down while it is not."""
    owner, standby = PostgresLock(pg_url, "green", 5), PostgresLock(pg_url, "green", 5)
    await owner.acquire()
    try:
        # The first asks at once open one session between them.
        assert await asyncio.gather(standby.attempt(), standby.peek()) == [False, False]
        watcher = await asyncpg.connect(pg_url.replace("+asyncpg", ""))
        try:
            sessions = await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                "groupkeeper lock green",
            )
        finally:
            await watcher.close()
        assert sessions == 2  # the owner's and the standby's
        for _ in range(20):
            asks = [standby.attempt(), standby.peek(), standby.ping(), standby.ping()]
            attempt, peek, *pings = await asyncio.gather(*asks)
            assert (attempt, peek, pings) == (False, False, [True, True])
    finally:
        await standby.release()
        await owner.release()
