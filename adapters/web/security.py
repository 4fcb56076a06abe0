"""What keeps the dashboard to the community's staff: signed cookies, the
Telegram Login Widget's hash, one-time login links, CSRF tokens and a limit
on login attempts. Pure functions and small classes, no web framework, so
each is tested on its own."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A widget login older than this is refused: a leaked URL stops working.
TELEGRAM_MAX_AGE = 24 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """HMAC-SHA256 over a JSON payload: the cookie carries its data in the
    clear (nothing secret goes in it) and cannot be altered without the key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, body: str, purpose: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}:{body}".encode(), hashlib.sha256).digest())

    def sign(self, data: Mapping[str, Any], purpose: str) -> str:
        body = _b64(json.dumps(dict(data), separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._mac(body, purpose)}"

    def unsign(self, token: str | None, purpose: str) -> dict[str, Any] | None:
        """The payload, or None when the token is missing, altered, signed
        for another purpose, or past its `exp` (seconds since the epoch)."""
        if not token or token.count(".") != 1:
            return None
        body, mac = token.split(".")
        if not hmac.compare_digest(mac, self._mac(body, purpose)):
            return None
        try:
            data = json.loads(_unb64(body))
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        exp = data.get("exp")
        if not isinstance(exp, int | float) or exp < time.time():
            return None
        return data

    def token(self, purpose: str, value: str) -> str:
        """A value's MAC alone (a CSRF token bound to a session id)."""
        return self._mac(value, purpose)

    def check(self, purpose: str, value: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.token(purpose, value), token or "")


def telegram_login(params: Mapping[str, str], bot_token: str, now: float) -> str | None:
    """The Telegram user id a Login Widget callback proves, or None.

    As Telegram documents it: the data-check-string is every field but
    `hash`, as `key=value` lines sorted by key; the secret key is the
    SHA-256 of the bot's token; the hash is the HMAC-SHA-256 of the string
    with that key, in hex. `auth_date` must be recent."""
    received = params.get("hash", "")
    user_id = params.get("id", "")
    if not received or not user_id.isdigit() or not bot_token:
        return None
    check = "\n".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hash")
    secret = hashlib.sha256(bot_token.encode()).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, received.lower()):
        return None
    try:
        auth_date = int(params.get("auth_date", ""))
    except ValueError:
        return None
    if not 0 <= now - auth_date <= TELEGRAM_MAX_AGE:
        return None
    return user_id


def telegram_hash(params: Mapping[str, str], bot_token: str) -> str:
    """The hash Telegram would sign `params` with (tests log in with it)."""
    check = "\n".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hash")
    secret = hashlib.sha256(bot_token.encode()).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


@dataclass(slots=True)
class LoginLinks:
    """One-time links for the console and first setup, like a notebook
    server's token: each opens one session, once, within `ttl` seconds.
    Only the links' hashes are kept."""

    ttl: float = 3600.0
    _hashes: dict[str, float] = field(default_factory=dict)

    def mint(self, now: float) -> str:
        token = secrets.token_urlsafe(32)
        self._hashes[_digest(token)] = now + self.ttl
        return token

    def use(self, token: str, now: float) -> bool:
        expires = self._hashes.pop(_digest(token), None)
        return expires is not None and now <= expires


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(slots=True)
class RateLimit:
    """At most `attempts` login attempts per client in `window` seconds;
    bounded memory (the oldest clients are forgotten first)."""

    attempts: int = 10
    window: float = 300.0
    clients: int = 10_000
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def allow(self, client: str, now: float) -> bool:
        times = self._seen.pop(client, None) or deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        allowed = len(times) < self.attempts
        if allowed:
            times.append(now)
        self._seen[client] = times
        if len(self._seen) > self.clients:
            del self._seen[next(iter(self._seen))]
        return allowed
