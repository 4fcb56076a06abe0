"""`welcome:` the greeting newcomers get."""

from __future__ import annotations

from bot.config.base import Strict


class WelcomeConfig(Strict):
    enabled: bool = True
    # Overrides the catalogue's welcome; {name}, {group}, {community} are filled in.
    text: str | None = None
