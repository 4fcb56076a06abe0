"""`welcome:` the greeting newcomers get, and the hint a plain private
message gets."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from bot.config.base import Strict
from rules.schema import Duration

# The hint's interval: at least a minute (a hint on every message is the
# chatter it exists to avoid), at most 30 days (who was told is kept that
# long).
HINT_SHORTEST = timedelta(minutes=1)
HINT_LONGEST = timedelta(days=30)


class PrivateHintConfig(Strict):
    """A plain private message to the bot (no command) gets a short hint:
    what the bot is, /help, /feedback. Once per `every` per member."""

    enabled: bool = True
    every: Duration = timedelta(hours=12)

    @field_validator("every")
    @classmethod
    def _every(cls, every: timedelta) -> timedelta:
        if every < HINT_SHORTEST:
            raise ValueError("must be at least 1m (enabled: false switches the hint off)")
        if every > HINT_LONGEST:
            raise ValueError("must be at most 30d: who was told is kept that long")
        return every


class WelcomeConfig(Strict):
    enabled: bool = True
    # Overrides the catalogue's welcome; {name}, {group}, {community} are filled in.
    text: str | None = None
    private_hint: PrivateHintConfig = Field(default_factory=PrivateHintConfig)
