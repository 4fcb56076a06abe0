"""Fixtures for the storage tests: every store test runs on SQLite and on a real
PostgreSQL server started from the machine's binaries for the session."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Durability and replication are pointless for a throwaway cluster and cost seconds.
_FAST = (
    "-F -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    " -c wal_level=minimal -c max_wal_senders=0"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: runs against a PostgreSQL server started from initdb/pg_ctl"
    )


def _postgres_bindir() -> Path | None:
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        # Resolve symlinks: postgres, createdb and dropdb live next to the real binary.
        return Path(initdb).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    return next((path for path in versions if (path / "pg_ctl").exists()), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class PostgresServer:
    bindir: Path
    port: int
    user: str = "postgres"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{database}"

    def _client(self, tool: str, *args: str) -> None:
        subprocess.run(
            [
                str(self.bindir / tool),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                *args,
            ],
            check=True,
            capture_output=True,
        )

    def create_database(self) -> str:
        name = f"gk_{uuid.uuid4().hex[:12]}"
        self._client("createdb", name)
        return name

    def drop_database(self, name: str) -> None:
        self._client("dropdb", "--force", name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = _postgres_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL binaries (initdb, pg_ctl) not found; install the postgresql package"
        )
    # PostgreSQL refuses to run as root, so root runs it as the postgres user.
    as_owner: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run PostgreSQL as")
        as_owner = ["runuser", "-u", owner.pw_name, "--"]
    root = Path(tempfile.mkdtemp(prefix="groupkeeper-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, log, port = root / "data", root / "server.log", _free_port()
    server = PostgresServer(bindir, port)

    def run(*command: str) -> None:
        subprocess.run([*as_owner, *command], check=True, capture_output=True, cwd=root)

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            server.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = f"{_FAST} -c listen_addresses=127.0.0.1 -p {port} -k {root}"
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "-t",
            "30",
            "-o",
            options,
            "start",
        )
    except subprocess.CalledProcessError as error:
        details = error.stderr.decode(errors="replace")
        if log.exists():
            details += log.read_text(errors="replace")
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL from {bindir}: {details}")
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            run(str(bindir / "pg_ctl"), "-D", str(data), "stop", "-m", "immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Marked here, not in the fixture's params: this conftest is imported before
    # its pytest_configure has registered the marker, which would warn.
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database_url") == "postgres":
            item.add_marker("postgres")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to a fresh, empty database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'groupkeeper.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)
