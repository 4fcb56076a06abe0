"""Who serves a community: exactly one process at a time.

On PostgreSQL each community is owned through a session advisory lock keyed
by its slug. The owner holds it on a connection of its own for as long as it
serves; every other process started on the same community waits as a
standby, asking for the lock every `poll` seconds. When the owner dies its
session ends and the lock with it: a process killed on the database's host
closes its socket at once, one on a machine that vanished is noticed by the
server's TCP keepalives, which the lock's connection sets from
`standby.takeover`. The owner checks its lock as often as a standby asks for
it, and stops serving the moment it cannot vouch for it (its connection
broke), well before the server lets a standby in: two owners never overlap.

A SQLite file cannot be shared between machines, so there the lock is an
exclusive `flock` on a file beside the database: a second process on the same
file waits the same way. An in-memory database belongs to its process.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

# The network, a refused query, and a connection that broke under one.
_FAILURES: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)

# A lock's key is a bigint: the first 8 bytes of a hash of the slug, with a
# prefix so another application's advisory locks on the same database do not
# collide with ours.
_KEY_PREFIX = b"groupkeeper:community:"


# Is the advisory lock of key $1 held in this database? A bigint key shows
# in pg_locks as its high and low 32 bits, objsubid 1.
_HELD = """SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND objsubid = 1 AND classid = (($1::bigint >> 32) & 4294967295)::oid
  AND objid = ($1::bigint & 4294967295)::oid)"""


def lock_key(slug: str) -> int:
    digest = hashlib.blake2b(_KEY_PREFIX + slug.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass(frozen=True, slots=True)
class Timing:
    """What `standby.takeover` (seconds) comes to."""

    poll: float
    keepalive_idle: int
    keepalive_interval: int
    keepalive_count: int = 3

    @classmethod
    def within(cls, takeover: float) -> Timing:
        # A dead host is noticed after idle + interval * count seconds, and a
        # standby asks at most `poll` later: both fit in `takeover` with room
        # left for loading the community and connecting to the platforms.
        return cls(
            poll=max(0.5, takeover / 10),
            keepalive_idle=max(1, int(takeover / 3)),
            keepalive_interval=max(1, int(takeover / 10)),
        )


class Ownership(Protocol):
    """A community's lock, as its runner sees it."""

    # Set when the owner can no longer vouch for the lock: stop serving.
    lost: asyncio.Event

    async def acquire(self) -> None:
        """Wait until this process owns the community."""
        ...

    async def attempt(self) -> bool:
        """Take the lock if it is free now; True if this process owns it."""
        ...

    async def peek(self) -> bool:
        """Is the lock free now? (On SQLite taken for an instant and let go;
        PostgreSQL is asked without taking it.)"""
        ...

    async def release(self) -> None: ...

    async def try_acquire(self) -> bool:
        """`attempt` without a word or a watch: one quiet ask (what `attempt`
        builds on, and what an offline command uses: `adapters.ops.offline`).
        Let go with `release`, owned or not."""
        ...

    async def ping(self) -> bool:
        """Is the database that holds the lock reachable?"""
        ...


class PostgresLock:
    def __init__(self, url: str, slug: str, takeover: float) -> None:
        self.slug = slug
        self.key = lock_key(slug)
        self.timing = Timing.within(takeover)
        self.lost = asyncio.Event()
        parsed = make_url(url).set(drivername="postgresql")
        self._dsn = parsed.render_as_string(hide_password=False)
        self._connection: Any = None
        self._watch: asyncio.Task[None] | None = None
        # One query at a time on the lock's session: the owner's check, a
        # standby's ask, a balancing peek and a /healthz ping would otherwise
        # meet on it ("another operation is in progress"): the owner would take
        # that for a lost lock, /healthz for a database that is down.
        self._query = asyncio.Lock()
        # One session: two asks at once must not each open one (the lock
        # could end up held by a session nobody keeps).
        self._connecting = asyncio.Lock()
        # Each said once, not at every ask.
        self._waiting = False
        self._unreachable = False

    async def _connect(self) -> Any:
        t = self.timing
        return await asyncpg.connect(
            self._dsn,
            timeout=max(t.poll * 4, 5.0),
            server_settings={
                "application_name": f"groupkeeper lock {self.slug}"[:63],
                "tcp_keepalives_idle": str(t.keepalive_idle),
                "tcp_keepalives_interval": str(t.keepalive_interval),
                "tcp_keepalives_count": str(t.keepalive_count),
            },
        )

    async def _session(self) -> Any:
        async with self._connecting:
            if self._connection is None:
                self._connection = await self._connect()
            return self._connection

    async def acquire(self) -> None:
        while True:
            if await self.attempt():
                return
            await asyncio.sleep(self.timing.poll)

    async def attempt(self) -> bool:
        if not await self._try():
            return False
        self.lost.clear()
        self._watch = asyncio.get_running_loop().create_task(self._keep())
        return True

    async def peek(self) -> bool:
        # The lock table, not the lock: an offline command asking at the
        # same instant is not turned away by a look.
        try:
            connection = await self._session()
            async with self._query:
                held = await connection.fetchval(_HELD, self.key, timeout=self.timing.poll * 4)
        except _FAILURES:
            await self._drop()
            return False
        return not held

    async def _try(self) -> bool:
        try:
            got = await self.try_acquire()
        except _FAILURES as exc:
            if not self._unreachable:
                log.warning("community %s: cannot reach the lock (%s)", self.slug, _reason(exc))
            self._unreachable = True
            await self._drop()
            return False
        self._unreachable = False
        if not got and not self._waiting:
            log.warning("community %s is served by another process: standing by", self.slug)
        self._waiting = not got
        return got

    async def try_acquire(self) -> bool:
        # One ask, quietly; an unreachable database raises (a standby's
        # `_try` logs it once; an offline command fails with it). The session
        # stays open for the next ask, or as the lock itself.
        connection = await self._session()
        async with self._query:
            got = await connection.fetchval(
                "SELECT pg_try_advisory_lock($1)", self.key, timeout=self.timing.poll * 4
            )
        return bool(got)

    async def _keep(self) -> None:
        """The owner's side: the lock is checked as often as standbys ask."""
        while True:
            await asyncio.sleep(self.timing.poll)
            try:
                async with self._query:
                    held = await self._connection.fetchval(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        " AND pid = pg_backend_pid() AND granted",
                        timeout=self.timing.poll * 2,
                    )
            except _FAILURES as exc:
                log.error("community %s: lost the lock (%s): stopping", self.slug, _reason(exc))
                held = 0
            if not held:
                self.lost.set()
                await self._drop()
                return

    async def ping(self) -> bool:
        connection = self._connection
        if connection is None:
            return False
        try:
            async with self._query:
                await connection.fetchval("SELECT 1", timeout=2.0)
        except _FAILURES:
            return False
        return True

    async def release(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        # Closing the session releases the lock.
        await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await asyncio.wait_for(connection.close(), 2.0)
            except Exception:
                connection.terminate()


class FileLock:
    """SQLite: an exclusive flock on `<database>.<slug>.owner`."""

    def __init__(self, path: Path, slug: str, takeover: float) -> None:
        self.slug = slug
        self.path = path
        self.poll = Timing.within(takeover).poll
        # Held by the kernel for as long as the process lives: never lost.
        self.lost = asyncio.Event()
        self._file: IO[bytes] | None = None
        self._waiting = False

    async def acquire(self) -> None:
        while True:
            if await self.attempt():
                return
            await asyncio.sleep(self.poll)

    async def attempt(self) -> bool:
        got = await self.try_acquire()
        if not got and not self._waiting:
            log.warning("community %s is served by another process: standing by", self.slug)
        self._waiting = not got
        return got

    async def peek(self) -> bool:
        if not await self.attempt():
            return False
        await self.release()
        return True

    async def try_acquire(self) -> bool:
        handle = await asyncio.to_thread(open, self.path, "ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    async def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()

    async def ping(self) -> bool:
        return await asyncio.to_thread(os.path.exists, self.path.parent)


class NoLock:
    """An in-memory database: nobody else can reach it."""

    def __init__(self) -> None:
        self.lost = asyncio.Event()

    async def acquire(self) -> None:
        return None

    async def attempt(self) -> bool:
        return True

    async def peek(self) -> bool:
        return True

    async def try_acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None

    async def ping(self) -> bool:
        return True


def ownership_for(url: str, slug: str, takeover: float) -> Ownership:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return PostgresLock(url, slug, takeover)
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
        path = Path(database)
        return FileLock(path.with_name(f"{path.name}.{slug}.owner"), slug, takeover)
    return NoLock()


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
