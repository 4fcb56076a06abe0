"""Offline commands (`member erase`, `points import`, `db upgrade`, `db
backup` ...) against a PostgreSQL they cannot use: each says in one line,
in the community's language, which database and what failed, and exits 1,
never with a traceback. Real `groupkeeper` processes; a port where nothing
listens, one that accepts and never answers, and a real PostgreSQL server
(started from the machine's binaries) that asks for a password."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.ops.db_failure import failure_kind, kind_in_text, shown
from tests.ops.processes import ROOT, community_file, free_port

PASSWORD = "s3cret-pw"
WRONG = "not-the-password"


def groupkeeper(*args: str, db: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUPKEEPER_")}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args, "--config", str(config), "--db", db],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one line and no traceback."""
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("groupkeeper: ")
    return lines[0]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "points.csv").write_text("member,points\ntelegram:2001,5\n", encoding="utf-8")
    return community_file(tmp_path, "community.yaml")


COMMANDS = [
    ("member", "erase", "telegram:2001", "--yes"),
    ("points", "import", "{folder}/points.csv"),
    ("db", "upgrade"),
]


def commands(folder: Path) -> list[list[str]]:
    return [[part.format(folder=folder) for part in command] for command in COMMANDS]


def test_a_port_where_nothing_listens_is_named_and_refused(config: Path) -> None:
    port = free_port()
    db = f"postgresql://gk:{PASSWORD}@127.0.0.1:{port}/community"
    for command in commands(config.parent):
        line = one_line(groupkeeper(*command, db=db, config=config))
        assert f"postgresql://gk@127.0.0.1:{port}/community" in line, command
        assert "the connection was refused" in line, command
        assert PASSWORD not in line


def test_the_line_is_in_the_community_s_language(config: Path) -> None:
    zh = config.with_name("zh.yaml")
    zh.write_text(config.read_text().replace("language: en", "language: zh-CN"), encoding="utf-8")
    db = f"postgresql://gk@127.0.0.1:{free_port()}/community"
    line = one_line(groupkeeper("member", "erase", "telegram:2001", "--yes", db=db, config=zh))
    assert "无法连接数据库" in line and "连接被拒绝" in line


def test_a_server_that_never_answers_is_a_timeout(config: Path) -> None:
    with socket.socket() as silent:
        # Connections complete in the backlog and are never answered.
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        db = f"postgresql://gk@127.0.0.1:{port}/community"
        line = one_line(
            groupkeeper("member", "erase", "telegram:2001", "--yes", db=db, config=config)
        )
    assert "no answer in time" in line


def test_check_config_does_not_touch_the_database(config: Path) -> None:
    env = dict(os.environ, GROUPKEEPER_DB=f"postgresql://gk@127.0.0.1:{free_port()}/x")
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "check-config", str(config)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


# -- a real server that asks for a password ------------------------------------


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return versions[0].parent if versions else None


@pytest.fixture(scope="module")
def guarded_server() -> Iterator[int]:
    """A PostgreSQL server whose only user `postgres` logs in with PASSWORD
    (scram-sha-256); yields its port."""
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found")
    as_owner: list[str] = []
    owner = None
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="groupkeeper-pg-pw-"))
    (root / "pw").write_text(PASSWORD + "\n")
    if owner is not None:
        for path in (root, root / "pw"):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port, data = free_port(), root / "data"

    def run(*command: str) -> None:
        subprocess.run([*as_owner, *command], check=True, capture_output=True, cwd=root)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "scram-sha-256",
        f"--pwfile={root / 'pw'}", "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
    options = f"-F -c listen_addresses=127.0.0.1 -p {port} -k {root}"
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o", options,
        "start")  # fmt: skip
    try:
        yield port
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            run(str(bindir / "pg_ctl"), "-D", str(data), "stop", "-m", "immediate")
        shutil.rmtree(root, ignore_errors=True)


def test_a_wrong_password_is_a_refused_login(guarded_server: int, config: Path) -> None:
    db = f"postgresql://postgres:{WRONG}@127.0.0.1:{guarded_server}/postgres"
    backup = ["db", "backup", str(config.parent / "copy.dump")] if shutil.which("pg_dump") else []
    for command in [*commands(config.parent), *([backup] if backup else [])]:
        line = one_line(groupkeeper(*command, db=db, config=config))
        assert f"postgresql://postgres@127.0.0.1:{guarded_server}/postgres" in line, command
        assert "refused to log in" in line and "password authentication failed" in line
        assert WRONG not in line
    # A failed backup leaves no empty file that would pass for one.
    assert not (config.parent / "copy.dump").exists()


def test_a_missing_database_and_then_the_right_password(guarded_server: int, config: Path) -> None:
    base = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{guarded_server}"
    line = one_line(groupkeeper("db", "upgrade", db=f"{base}/nowhere", config=config))
    assert "has no such database" in line and '"nowhere"' in line
    done = groupkeeper("db", "upgrade", db=f"{base}/postgres", config=config)
    assert (done.returncode, done.stdout.strip()) == (0, "database is up to date"), done.stderr


# -- the classification itself -------------------------------------------------


def test_an_error_of_the_bot_s_own_code_is_not_called_the_database_s() -> None:
    for error in (FileNotFoundError(2, "No such file or directory", "out.html"), TimeoutError()):
        try:
            raise error
        except OSError as raised:
            assert failure_kind(raised) is None


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ('connection to server at "db", port 5432 failed: Connection refused', "refused"),
        ('FATAL: password authentication failed for user "gk"', "auth"),
        ('FATAL: no pg_hba.conf entry for host "10.0.0.9", user "gk"', "auth"),
        ('FATAL: role "gk" does not exist', "auth"),
        ('FATAL: database "gk" does not exist', "no_database"),
        ('could not translate host name "db" to address: Name or service not known', "host"),
        ("timeout expired", "timeout"),
        ("input file is too short (read 0, expected 5)", None),
    ],
)
def test_what_pg_dump_says_is_sorted_by_kind(said: str, kind: str | None) -> None:
    assert kind_in_text(said) == kind


def test_the_database_is_named_without_its_password() -> None:
    assert (
        shown("postgresql+asyncpg://gk:pw@db:5433/community") == "postgresql://gk@db:5433/community"
    )
    assert shown("sqlite+aiosqlite:////srv/gk/community.db") == "/srv/gk/community.db"
