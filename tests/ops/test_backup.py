"""`groupkeeper db backup FILE` and `db restore FILE`, through the command
line's `main`: a community that has run (check-ins, a warning's case, a
scheduled post added, one paused, one sent) is backed up, restored into an
empty database, and every table reads the same; the bot started on the
restored database knows the balances and the schedule's state."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.cli import main

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "scenarios" / "schedule_berlin.yaml"

SCRIPT = """\
+alice
+bob
alice: hello everyone
alice: /checkin
bob: /checkin
!mod mia
mia > 4: /warn spamming
mia: /schedule add "0 8 * * sat,sun" Weekend coffee in {group}
mia: /schedule pause morning
!clock 2026-01-07 13:00
alice: /checkin
"""


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Done]:
    """The command line, in this process (it is the same `main`)."""

    def run(*args: str, cwd: Path | None = None) -> Done:
        code = main(list(args))
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


def console(cli: Callable[..., Done], db: Path, script: str, tmp_path: Path) -> str:
    file = tmp_path / "script.txt"
    file.write_text(script, encoding="utf-8")
    done = cli("console", "--config", str(CONFIG), "--db", f"sqlite:///{db}",
               "--script", str(file), cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    connection = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            n: sorted(connection.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)
            for n in names
        }
    finally:
        connection.close()


def test_a_backup_restored_into_an_empty_database_keeps_everything(
    cli: Callable[..., Done], tmp_path: Path
) -> None:
    source, backup, restored = tmp_path / "gk.db", tmp_path / "gk.backup", tmp_path / "new.db"
    out = console(cli, source, SCRIPT, tmp_path)
    assert "is paused" in out
    balance = re.findall(r"Balance: (\d+)", out)[-1]

    done = cli("db", "backup", str(backup), "--config", str(CONFIG), "--db", f"sqlite:///{source}",
               cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = cli("db", "restore", str(backup), "--config", str(CONFIG),
               "--db", f"sqlite:///{restored}", cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr

    before, after = tables(source), tables(restored)
    assert after == before
    # What the round trip had to keep was there to keep.
    assert len(before["points_ledger"]) >= 3
    assert len(before["mod_cases"]) == 1
    assert before["post_runs"]
    assert before["scheduled_posts"]

    # The bot on the restored database: the same balance, the post still paused.
    out = console(cli, restored, "alice: /me\n!mod mia\nmia: /schedule list\n", tmp_path)
    assert f"Points: {balance}" in out, out
    assert "paused" in out


def test_restore_refuses_a_database_that_holds_data(
    cli: Callable[..., Done], tmp_path: Path
) -> None:
    source, backup = tmp_path / "gk.db", tmp_path / "gk.backup"
    console(cli, source, "+alice\nalice: /checkin\n", tmp_path)
    assert cli("db", "backup", str(backup), "--config", str(CONFIG), "--db",
               f"sqlite:///{source}", cwd=ROOT).returncode == 0  # fmt: skip

    done = cli("db", "restore", str(backup), "--config", str(CONFIG), "--db",
               f"sqlite:///{source}", cwd=ROOT)  # fmt: skip
    assert done.returncode == 1
    assert "already holds data" in done.stderr
    # And a backup never overwrites a file.
    again = cli("db", "backup", str(backup), "--config", str(CONFIG), "--db",
                f"sqlite:///{source}", cwd=ROOT)  # fmt: skip
    assert again.returncode == 1 and "exists" in again.stderr


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_restore_refuses_what_is_not_a_backup(
    cli: Callable[..., Done], tmp_path: Path, content: bytes
) -> None:
    file = tmp_path / "x.backup"
    file.write_bytes(content)
    done = cli("db", "restore", str(file), "--config", str(CONFIG), "--db",
               f"sqlite:///{tmp_path / 'new.db'}", cwd=ROOT)  # fmt: skip
    assert done.returncode == 1
    assert "not a groupkeeper backup" in done.stderr
