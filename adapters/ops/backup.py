"""`groupkeeper db backup FILE` and `groupkeeper db restore FILE`.

SQLite: SQLite's online backup API copies the database page by page while
the bot may be writing to it, into a file that is itself a SQLite database
(open it with `sqlite3` to look inside). Restoring copies it back the same
way into a database that holds nothing yet, then applies any migration the
backup predates.

PostgreSQL: `pg_dump --format=custom` and `pg_restore` do this better than
anything the bot could: they are run when they are on the PATH (the
password goes through PGPASSWORD, never the command line); otherwise the
command says what to run.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from adapters.ops.db_failure import kind_in_text
from storage.migrate import upgrade


class BackupError(Exception):
    """What the owner must fix, in one line. `kind`: the database could not
    be reached or refused the login (a key of `database_failure.*`, said in
    the community's language by the command line)."""

    def __init__(self, message: str, kind: str | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Outcome:
    message: str


def backup(url: str, file: Path) -> Outcome:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_backup(_sqlite_path(parsed), file)
    if backend == "postgresql":
        return _pg("pg_dump", parsed, ["--format=custom", "--no-owner", f"--file={file}"], file)
    raise BackupError(f"cannot back up a {backend} database")


def restore(url: str, file: Path) -> Outcome:
    if not file.is_file():
        raise BackupError(f"{file}: no such backup file")
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        outcome = _sqlite_restore(file, _sqlite_path(parsed))
    elif backend == "postgresql":
        outcome = _pg("pg_restore", parsed, ["--no-owner", "--exit-on-error", str(file)], file)
    else:
        raise BackupError(f"cannot restore into a {backend} database")
    # A backup from an older version gets the migrations it predates.
    upgrade(url)
    return outcome


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory database has nothing to back up or restore into")
    return Path(url.database)


def _copy(source: Path, target: Path) -> None:
    """SQLite's online backup API, the source opened read-only."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _sqlite_backup(source: Path, file: Path) -> Outcome:
    if not source.is_file():
        raise BackupError(f"{source}: no such database")
    if file.exists():
        raise BackupError(f"{file} exists: choose a new file (a backup never overwrites one)")
    _copy(source, file)
    return Outcome(f"backed up {source} to {file}")


def _sqlite_restore(file: Path, target: Path) -> Outcome:
    _check_sqlite_backup(file)
    if target.exists() and _has_rows(target):
        raise BackupError(
            f"{target} already holds data: restore into a new, empty database"
            " (a restore never mixes two histories)"
        )
    _copy(file, target)
    return Outcome(f"restored {file} into {target}")


def _check_sqlite_backup(file: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{file}: not a groupkeeper backup ({exc})") from exc
    if "communities" not in names:
        raise BackupError(f"{file}: not a groupkeeper backup (no communities table)")


def _has_rows(database: Path) -> bool:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT IN ('alembic_version') AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return any(
            connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() for name in tables
        )
    finally:
        connection.close()


def _pg(tool: str, url: URL, args: list[str], file: Path) -> Outcome:
    found = shutil.which(tool)
    # The password goes in PGPASSWORD only: a command line is readable by
    # every user of the machine (`ps`). `URL.set` keeps a password set to None.
    target = URL.create("postgresql", url.username, None, url.host, url.port, url.database)
    dsn = target.render_as_string(hide_password=False)
    if found is None:
        raise BackupError(
            f"{tool} is not installed: run `{tool} --dbname=postgresql://... "
            + " ".join(args)
            + "` (Debian: apt install postgresql-client) with the password in PGPASSWORD"
        )
    if tool == "pg_dump" and file.exists():
        raise BackupError(f"{file} exists: choose a new file (a backup never overwrites one)")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(
        [found, f"--dbname={dsn}", *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        if tool == "pg_dump":
            # pg_dump opens its file before it connects: no empty "backup" stays.
            file.unlink(missing_ok=True)
        said = " ".join(done.stderr.split())
        raise BackupError(f"{tool} failed: {said}", kind_in_text(said), said)
    verb = "backed up to" if tool == "pg_dump" else "restored from"
    return Outcome(f"{target.database}: {verb} {file}")
