"""`groupkeeper run` and `db upgrade` at start, against a database they
cannot use or a URL whose options the driver would not take: one line,
exit 1, no traceback, no standing by without end; `check-config` names the
option's key. Real `groupkeeper` processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.processes import ROOT, community_file, free_port
from tests.ops.test_database_unreachable import one_line

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789a"


def groupkeeper(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GROUPKEEPER_")}
    # A Bot API nobody answers at: the database is asked first.
    base |= {"TELEGRAM_TOKEN": TOKEN, "GK_TG_BASE_URL": f"http://127.0.0.1:{free_port()}/bot"}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        cwd=ROOT, env=base | (env or {}), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return community_file(tmp_path, "community.yaml")


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers them."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        yield silent.getsockname()[1]


def test_run_says_at_start_that_the_database_refuses(config: Path) -> None:
    db = f"postgresql://gk:pw@127.0.0.1:{free_port()}/community"
    line = one_line(groupkeeper("run", "--config", str(config), "--db", db))
    assert "the connection was refused" in line and "pw" not in line.split("refused")[0]


def test_a_server_that_never_answers_is_said_after_the_url_s_connect_timeout(
    config: Path, silent_port: int
) -> None:
    db = f"postgresql://gk@127.0.0.1:{silent_port}/community?connect_timeout=1"
    for command in (["run"], ["db", "upgrade"]):
        line = one_line(groupkeeper(*command, "--config", str(config), "--db", db))
        assert "no answer in time" in line, command
        assert f"127.0.0.1:{silent_port}/community" in line


def test_run_with_many_communities_names_the_file_whose_database_refuses(
    config: Path, tmp_path: Path
) -> None:
    db = f"postgresql://gk@127.0.0.1:{free_port()}/community"
    done = groupkeeper("run", "--config-dir", str(tmp_path), "--db", db)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"groupkeeper: {config}: cannot reach the database" in done.stderr


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("--db", "--db: timeout='soon' is not a number of seconds above 0"),
        ("GROUPKEEPER_DB", "GROUPKEEPER_DB: timeout='soon' is not a number of seconds above 0"),
    ],
)
def test_an_option_the_driver_would_refuse_is_named_at_start(
    config: Path, where: str, said: str
) -> None:
    db = "postgresql://gk@127.0.0.1:5432/community?timeout=soon"
    for command in (["run"], ["db", "upgrade"], ["points", "export"]):
        if where == "--db":
            done = groupkeeper(*command, "--config", str(config), "--db", db)
        else:
            done = groupkeeper(*command, "--config", str(config), env={"GROUPKEEPER_DB": db})
        assert one_line(done) == f"groupkeeper: {said} (e.g. timeout=10)", command


def test_check_config_names_database_url_and_its_option(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    old = "sqlite+aiosqlite:///unused-the-tests-pass-their-own.db"
    assert old in text
    config.write_text(text.replace(old, "postgresql+asyncpg://gk@db/gk?connect_timeout=5&pool=3"))
    done = groupkeeper("check-config", str(config))
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("database.url: unknown option 'pool' for PostgreSQL (known: ")
    config.write_text(text.replace(old, "postgresql://gk@db/gk?connect_timeout=5"))
    done = groupkeeper("check-config", str(config))
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stdout
