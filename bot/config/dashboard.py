"""`dashboard:` the owners' and moderators' web dashboard the bot serves.

It listens on loopback by default, so it is only reachable through a
reverse proxy that adds HTTPS (README, "Dashboard")."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from bot.config.base import Strict
from rules.schema import Duration


class DiscordLogin(Strict):
    # The Discord application's OAuth2 client (Developer Portal > OAuth2);
    # empty: the "Log in with Discord" button is not offered.
    client_id: str | None = None
    client_secret: str | None = None


class DashboardConfig(Strict):
    # Unset: served beside the interactive console (`make run` without a
    # token, to try it), not beside the platforms until set to true.
    enabled: bool | None = None
    listen: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # The address members' browsers use (behind the proxy), e.g.
    # https://bot.example.org/ ; the Discord login returns there, and the
    # Telegram widget only works on the domain set with @BotFather /setdomain.
    public_url: str | None = None
    # Signs the session cookies; empty: a new random key at each start
    # (everyone logs in again after a restart).
    secret: str | None = None
    # The bot's username (without @) for the Telegram Login Widget; empty:
    # no Telegram login button.
    telegram_bot: str | None = None
    session_ttl: Duration = timedelta(hours=12)
    # The platforms' own group admins (Telegram chat administrators,
    # Discord members who may manage messages) log in as moderators without
    # being listed in `community.moderators`; the platform is asked at
    # login and again every few minutes. False: the config's staff only.
    platform_admins: bool = True
    # Earlier versions of the config file kept beside it when the dashboard saves.
    versions_kept: int = Field(default=20, ge=1, le=1000)
    discord: DiscordLogin = Field(default_factory=DiscordLogin)

    @field_validator("public_url")
    @classmethod
    def _url(cls, url: str | None) -> str | None:
        if url and not url.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for a local test)")
        return url.rstrip("/") + "/" if url else url

    def serves(self, *, console: bool) -> bool:
        return self.enabled if self.enabled is not None else console
