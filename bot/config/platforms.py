"""`platforms:` and `database:` where the bot connects."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.config.base import Strict
from rules.schema import Duration


class TelegramConfig(Strict):
    token: str | None = None
    mode: Literal["polling", "webhook"] = "polling"
    # Bot API server; owners who run their own server (and the tests) change it.
    base_url: str = "https://api.telegram.org/bot"
    webhook_url: str | None = None
    listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    secret_token: str | None = None
    # With the pool empty, the next group is created by a user account
    # (Telethon, the `telethon` extra) whose session comes from the
    # environment: GK_TG_API_ID, GK_TG_API_HASH, GK_TG_SESSION.
    provision: bool = False

    @model_validator(mode="after")
    def _webhook(self) -> TelegramConfig:
        if self.mode == "webhook" and self.token and not self.webhook_url:
            raise ValueError("webhook mode needs webhook_url")
        return self


class DiscordConfig(Strict):
    token: str | None = None
    guild_id: int | None = None
    prefix: str = "!"
    sharded: bool = False
    # Discord's REST API and gateway, when something else stands in for them:
    # a Discord-compatible proxy (a shared rate-limit proxy for large bots), or
    # a test double. Unset: discord.com and gateway.discord.gg. One process
    # talks to one Discord: with --config-dir, communities must agree.
    api_url: str | None = None
    gateway_url: str | None = None

    @field_validator("api_url", "gateway_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `api_url: ${DISCORD_API_URL:-}` with the variable unset.
        return None if value == "" else value

    @field_validator("api_url")
    @classmethod
    def _api(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError(f"{value!r} is not an http(s) URL (e.g. http://proxy:8080/api/v10)")
        return value

    @field_validator("gateway_url")
    @classmethod
    def _gateway(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"wss?://[^\s/]+(/\S*)?", value):
            raise ValueError(f"{value!r} is not a ws(s) URL (e.g. wss://gateway.example.org/)")
        return value


class PlatformsConfig(Strict):
    telegram: TelegramConfig = Field(default_factory=TelegramConfig)
    discord: DiscordConfig = Field(default_factory=DiscordConfig)
    # How long a stop (SIGTERM, Ctrl-C) waits for queued replies and
    # removals. `docker stop` kills after 10 s: this leaves time to store.
    shutdown_grace: Duration = timedelta(seconds=8)


class DatabaseConfig(Strict):
    url: str = "sqlite+aiosqlite:///groupkeeper.db"
