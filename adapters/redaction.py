"""Secrets kept out of the log.

Libraries log what they were given: httpx logs each request's URL, and a
Bot API URL carries the token (`/bot<token>/getUpdates`); PTB logs its base
URL at start; a failed connection's traceback holds the database URL. The
filter sits on the handlers, where every record passes whichever logger
wrote it, and rewrites a record before it is formatted.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from urllib.parse import quote

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from adapters.telegram.provision import ENV_API_HASH, ENV_SESSION
from bot.config import Config

HIDDEN = "[secret]"
# Below this a value cannot be a secret, and hiding it would garble lines.
_SHORTEST = 6


class SecretFilter(logging.Filter):
    """Replaces every secret it knows with `[secret]` in a record's message
    and in its traceback."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: list[str] = []
        self._formatter = logging.Formatter()

    def hide(self, values: Iterable[str | None]) -> None:
        for value in values:
            if not value or len(value) < _SHORTEST:
                continue
            # A URL may carry the value escaped (`:` as `%3A`).
            for form in (value, quote(value, safe="")):
                if form not in self._secrets:
                    self._secrets.append(form)
        # The longest first, so a secret inside another leaves no piece behind.
        self._secrets.sort(key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, HIDDEN)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        clean = self._clean(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def configure_logging(level: str) -> None:
    """The process's logging, with the secrets filter on every handler; the
    environment's secrets are known from the start, the config's once read."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    secrets = SecretFilter()
    for handler in logging.getLogger().handlers:
        handler.addFilter(secrets)
    hide_secrets(
        [
            os.environ.get(ENV_SESSION),
            os.environ.get(ENV_API_HASH),
            database_password(os.environ.get("GROUPKEEPER_DB")),
        ]
    )


def hide_secrets(values: Iterable[str | None]) -> None:
    values = list(values)
    for handler in logging.getLogger().handlers:
        for found in handler.filters:
            if isinstance(found, SecretFilter):
                found.hide(values)


def config_secrets(config: Config) -> list[str | None]:
    platforms = config.platforms
    return [
        platforms.telegram.token,
        platforms.telegram.secret_token,
        platforms.discord.token,
        database_password(config.database.url),
        config.dashboard.secret,
        config.dashboard.discord.client_secret,
    ]


def database_password(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return make_url(url).password
    except ArgumentError:
        return None
