"""A database a command line cannot reach, said in one line.

The owner runs `groupkeeper member erase`, `points import`, `db upgrade` ...
against the database the config names; when that fails to connect they need
to know which database and what went wrong (refused, no answer, a wrong
password, no such database), in the community's language, not a driver's
traceback. The failure arrives in several wrappings (SQLAlchemy's DBAPIError
around the driver's error, asyncpg's own errors from the community lock's
connection, the store's ConnectionError, a plain OSError), so the chain of
causes is searched for the first that tells.
"""

from __future__ import annotations

import errno
import os
import re
import socket
from collections.abc import Iterator

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from bot.config import Config, Locale
from bot.core.i18n import t
from storage.url_options import url_problem

# asyncpg's SQLSTATE classes for a refused login and a missing database.
_AUTH_STATES = ("28000", "28P01")
_NO_DATABASE = "3D000"
_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ECONNRESET, errno.ECONNABORTED}
# Where a failure must have been raised to be the database's (a timeout of
# the platform's API is none of its business).
_DRIVERS = ("asyncpg", "sqlalchemy", "aiosqlite", "sqlite3", "storage", "adapters.ops.ownership")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        orig = getattr(e, "orig", None)
        for nxt in (orig, e.__cause__, e.__context__):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def _from_driver(exc: BaseException) -> bool:
    for e in _chain(exc):
        if isinstance(e, DBAPIError) or type(e).__module__.startswith("asyncpg"):
            return True
        tb = e.__traceback__
        while tb is not None:
            module = str(tb.tb_frame.f_globals.get("__name__", ""))
            if module.partition(".")[0] in _DRIVERS or module in _DRIVERS:
                return True
            tb = tb.tb_next
    return False


def _kind_of(e: BaseException) -> str | None:
    state = getattr(e, "sqlstate", None)
    if state in _AUTH_STATES:
        return "auth"
    if state == _NO_DATABASE:
        return "no_database"
    if isinstance(e, TimeoutError):
        return "timeout"
    if isinstance(e, socket.gaierror):
        return "host"
    if isinstance(e, ConnectionRefusedError) or f"[Errno {errno.ECONNREFUSED}]" in str(e):
        return "refused"
    if isinstance(e, OSError) and e.errno in _UNREACHABLE:
        return "unreachable"
    if "unable to open database file" in str(e) or isinstance(e, FileNotFoundError):
        return "sqlite"
    return None


def failure_kind(exc: BaseException) -> tuple[str, str] | None:
    """What failed (a key of `database_failure.*`) and the driver's own
    words, when `exc` is the database's failure; None for any other error."""
    if not _from_driver(exc):
        return None
    causes = list(_chain(exc))
    for e in causes:
        kind = _kind_of(e)
        if kind is not None:
            return kind, _detail(e)
    if any(isinstance(e, (DBAPIError, ConnectionError)) for e in causes) or any(
        type(e).__module__.startswith("asyncpg") for e in causes
    ):
        return "other", _detail(causes[-1])
    return None


def _detail(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    text = str(getattr(e, "orig", None) or e).strip() or type(e).__name__
    return text.splitlines()[0]


def shown(url: str | None) -> str:
    """The database as the owner named it, without its password: the file of
    SQLite, else `postgresql://user@host:port/name`."""
    if not url:
        return "?"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url.split("@")[-1]
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.database or ":memory:"
    bare = URL.create(backend, parsed.username, None, parsed.host, parsed.port, parsed.database)
    return bare.render_as_string(hide_password=False)


def failure_line(exc: BaseException, url: str | None, loc: Locale) -> str | None:
    """The line to print for `exc`, or None when it is not the database's."""
    found = failure_kind(exc)
    if found is None:
        return None
    kind, detail = found
    return kind_line(kind, url, detail, loc)


# What libpq's tools (pg_dump, pg_restore) say, by the kind it is.
_LIBPQ = (
    (
        re.compile(r'password authentication failed|no pg_hba\.conf entry|role ".*" does not'),
        "auth",
    ),
    (re.compile(r"Connection refused"), "refused"),
    (re.compile(r"timeout expired"), "timeout"),
    (re.compile(r"could not translate host name"), "host"),
    (re.compile(r"No route to host|Network is unreachable"), "unreachable"),
    (re.compile(r'database ".*" does not exist'), "no_database"),
)


def kind_in_text(text: str) -> str | None:
    """The kind of a connection failure a PostgreSQL client tool printed."""
    return next((kind for pattern, kind in _LIBPQ if pattern.search(text)), None)


def kind_line(kind: str, url: str | None, detail: str, loc: Locale) -> str:
    return t(loc, f"database_failure.{kind}", database=shown(url), detail=detail)


def source_of(override: str | None) -> str:
    """Where the database URL in use was given (`adapters.app.database_url`)."""
    if override:
        return "--db"
    return "GROUPKEEPER_DB" if os.environ.get("GROUPKEEPER_DB") else "database.url"


async def unusable(config: Config, override: str | None) -> str | None:
    """Why `run` cannot start on the community's database, in one line
    (its URL's options, or what connecting says); None when it can."""
    from adapters.app import database_url
    from storage.sql_store import SqlStore

    url = database_url(config, override)
    problem = url_problem(url)
    if problem is not None:
        return f"{source_of(override)}: {problem}"
    try:
        await SqlStore.probe(url)
    except Exception as exc:
        line = failure_line(exc, url, config.community.locale)
        if line is None:
            raise
        return line
    return None
