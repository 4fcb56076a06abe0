"""The options a database URL may carry after `?`, checked before connecting.

SQLAlchemy hands a URL's query to the driver as it is: asyncpg's `connect()`
took `?timeout=5` as the string "5" and failed deep inside with a TypeError,
a libpq name such as `?connect_timeout=5` or `?sslmode=require` was an
unexpected keyword, and a typo was only found at the first connection. Here
every option is known by name, its value checked, and turned into what the
driver takes; anything else is refused with a reason the owner can act on
(`check-config` and every start say it as `database.url: <reason>`).

PostgreSQL takes libpq's names (which asyncpg reads from a DSN itself) and
asyncpg's own; connecting waits `connect_timeout` seconds (10 unless the URL
says), not asyncpg's 60: a server that accepts and never answers is said
to be so while the owner still watches.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

# Seconds a connection may take to open unless the URL says otherwise.
CONNECT_TIMEOUT = 10.0

# libpq's (and asyncpg's DSN) names, passed to asyncpg's own DSN parser.
_LIBPQ = (
    "sslmode",
    "sslcert",
    "sslkey",
    "sslrootcert",
    "sslcrl",
    "sslpassword",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "target_session_attrs",
    "krbsrvname",
    "gsslib",
    "passfile",
    "application_name",
    "options",
    "host",
    "port",
)
_SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_SESSION_ATTRS = ("any", "primary", "standby", "read-write", "read-only", "prefer-standby")
# asyncpg's keyword arguments that are counts.
_COUNTS = (
    "statement_cache_size",
    "max_cached_statement_lifetime",
    "max_cacheable_statement_size",
    "prepared_statement_cache_size",
)
_SECONDS = ("connect_timeout", "timeout", "command_timeout")
_POSTGRES = (*_SECONDS, "ssl", "direct_tls", *_COUNTS, *_LIBPQ)
# pysqlite's own option, and SQLite's URI parameters (read with uri=true).
_SQLITE = ("timeout", "uri", "mode", "cache", "immutable", "nolock", "vfs")


# The URL schemes asyncpg serves (a bare dialect name gets the async driver).
ASYNCPG = ("postgresql", "postgres", "postgresql+asyncpg")


class UrlOptionError(ValueError):
    """An option of the URL the driver would not take, and why."""


def _one(url: URL, key: str) -> str:
    value = url.query[key]
    if not isinstance(value, str):
        raise UrlOptionError(f"{key} is given more than once")
    return value


def _seconds(url: URL, key: str) -> float:
    text = _one(url, key)
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 86400:
        raise UrlOptionError(f"{key}={text!r} is not a number of seconds above 0 (e.g. {key}=10)")
    return value


def _count(url: URL, key: str) -> int:
    text = _one(url, key)
    if not text.isdigit():
        raise UrlOptionError(f"{key}={text!r} is not a whole number of 0 or more")
    return int(text)


def _choice(url: URL, key: str, allowed: tuple[str, ...]) -> str:
    text = _one(url, key)
    if text not in allowed:
        raise UrlOptionError(f"{key}={text!r} is none of {', '.join(allowed)}")
    return text


def _unknown(url: URL, known: tuple[str, ...], what: str) -> None:
    extra = sorted(set(url.query) - set(known))
    if extra:
        raise UrlOptionError(
            f"unknown option {extra[0]!r} for {what} (known: {', '.join(sorted(known))})"
        )


def postgres_connect(url: URL) -> tuple[URL, dict[str, Any]]:
    """The URL without its options, and the keyword arguments SQLAlchemy
    passes to `asyncpg.connect` for them. Raises UrlOptionError."""
    _unknown(url, _POSTGRES, "PostgreSQL")
    if "connect_timeout" in url.query and "timeout" in url.query:
        raise UrlOptionError("give connect_timeout or timeout, not both (they are one setting)")
    args: dict[str, Any] = {"timeout": CONNECT_TIMEOUT}
    for key in ("connect_timeout", "timeout"):
        if key in url.query:
            args["timeout"] = _seconds(url, key)
    if "command_timeout" in url.query:
        args["command_timeout"] = _seconds(url, "command_timeout")
    for key in _COUNTS:
        if key in url.query:
            args[key] = _count(url, key)
    if "direct_tls" in url.query:
        args["direct_tls"] = _choice(url, "direct_tls", ("true", "false")) == "true"
    libpq: dict[str, str] = {}
    if "ssl" in url.query and "sslmode" in url.query:
        raise UrlOptionError("give ssl or sslmode, not both (they are one setting)")
    for key in _LIBPQ:
        if key in url.query:
            libpq[key] = _one(url, key)
    if "ssl" in url.query:
        libpq["sslmode"] = _choice(url, "ssl", _SSLMODES)
    elif "sslmode" in url.query:
        _choice(url, "sslmode", _SSLMODES)
    if "target_session_attrs" in url.query:
        _choice(url, "target_session_attrs", _SESSION_ATTRS)
    if "port" in libpq and not libpq["port"].isdigit():
        raise UrlOptionError(f"port={libpq['port']!r} is not a port number")
    if libpq:
        # asyncpg reads libpq's options from a DSN; the URL's own user,
        # password, host and database, passed beside it, win over its empty ones.
        args["dsn"] = "postgresql://?" + urlencode(libpq)
    return url.set(query={}), args


def libpq_dsn(url: str | URL) -> str:
    """A DSN for `asyncpg.connect` with the URL's libpq options only (the
    community lock's own connection, which sets its own timeout)."""
    parsed = make_url(url)
    _, args = postgres_connect(parsed)
    query = args["dsn"].partition("?")[2] if "dsn" in args else ""
    bare = parsed.set(drivername="postgresql", query={})
    text = bare.render_as_string(hide_password=False)
    return f"{text}?{query}" if query else text


def check_sqlite(url: URL) -> None:
    """Raises UrlOptionError for an option pysqlite would refuse or ignore."""
    _unknown(url, _SQLITE, "SQLite")
    if "timeout" in url.query:
        _seconds(url, "timeout")
    uri_only = sorted(set(url.query) - {"timeout", "uri"})
    if uri_only and url.query.get("uri") != "true":
        raise UrlOptionError(f"{uri_only[0]} is a SQLite URI option: add uri=true")


def checked_url(url: str | URL) -> URL:
    """The URL parsed, its options checked. Raises UrlOptionError."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UrlOptionError(
            "is not a database URL (e.g. sqlite+aiosqlite:///groupkeeper.db"
            " or postgresql+asyncpg://user:pass@host/db)"
        ) from None
    backend = parsed.get_backend_name()
    if parsed.drivername in ASYNCPG:
        postgres_connect(parsed)
    elif backend == "postgresql":
        pass  # another driver (psycopg): its own options, its own checks
    elif backend == "sqlite":
        check_sqlite(parsed)
    else:
        raise UrlOptionError(
            f"{backend!r} is none of the databases groupkeeper runs on (sqlite, postgresql)"
        )
    return parsed


def url_problem(url: str | URL) -> str | None:
    """Why the URL would not be taken, or None."""
    try:
        checked_url(url)
    except UrlOptionError as exc:
        return str(exc)
    return None
