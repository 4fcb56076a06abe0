"""The secrets filter on what the platform runs cannot show: a database
password in a failed connection's traceback, every configured secret found."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from adapters.redaction import SecretFilter, config_secrets
from bot.config import parse_config

CONFIG = """
community: {name: T, slug: t}
platforms:
  telegram: {token: "123:tg-token-value", secret_token: webhook-secret-value}
  discord: {token: discord-token-value}
database: {url: "postgresql+asyncpg://gk:db-password-value@db/gk"}
"""


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO, SecretFilter]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    secrets = SecretFilter()
    handler.addFilter(secrets)
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, out, secrets
    logger.removeHandler(handler)


def test_every_configured_secret_is_hidden_in_messages_and_tracebacks(
    logged: tuple[logging.Logger, io.StringIO, SecretFilter],
) -> None:
    logger, out, secrets = logged
    secrets.hide(config_secrets(parse_config(CONFIG)))

    logger.warning("GET /bot%s/getMe", "123:tg-token-value")
    logger.warning("escaped /bot123%3Atg-token-value/ and discord-token-value")
    logger.warning("webhook %s", "webhook-secret-value")
    try:
        raise ConnectionError("cannot reach postgresql://gk:db-password-value@db/gk")
    except ConnectionError:
        logger.exception("database down")

    text = out.getvalue()
    assert "database down" in text and "ConnectionError" in text
    for value in ("tg-token-value", "webhook-secret", "discord-token", "db-password"):
        assert value not in text
