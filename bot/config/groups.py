"""`groups:` capacity, the next group's title, and the pool of spares."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, model_validator

from bot.config.base import Strict
from rules.schema import Duration


class PoolConfig(Strict):
    """Spare groups the owner pre-created (`/pool add` inside each)."""

    # The owner is warned in the log chat once this many spares or fewer are left.
    warn_below: int = Field(default=1, ge=0)
    # A spare may hold this many members already (its creator, the bot, a
    # helper: Telegram counts them all); more means it is in use.
    max_members: int = Field(default=3, ge=0)


class GroupsConfig(Strict):
    capacity: int = Field(default=500, ge=2)
    prepare_at: int | None = None
    title: str = "{name} #{serial}"
    # Given to each group taken from the pool, with its title.
    description: str | None = None
    pool: PoolConfig = Field(default_factory=PoolConfig)
    # How often each group's member count is read from the platform and
    # replaces the count kept from joins and leaves.
    reconcile_every: Duration = timedelta(minutes=30)
    # The owner hears of a count that was off by this many members or more.
    drift_alert: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _prepare(self) -> GroupsConfig:
        if self.prepare_at is not None and self.prepare_at > self.capacity:
            raise ValueError("prepare_at must not exceed capacity")
        return self
