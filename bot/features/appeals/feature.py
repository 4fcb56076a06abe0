"""Appeals as a feature: its two commands, and the config swapped on reload
(the service reads the live config)."""

from __future__ import annotations

from bot.core.feature import Base
from bot.core.kit import Kit
from bot.features.appeals import commands
from bot.features.appeals.service import Appeals


class AppealsFeature(Base):
    name = "appeals"

    def __init__(self, kit: Kit, appeals: Appeals) -> None:
        self.kit = kit
        self.appeals = appeals
        self.commands = commands.commands.bind(appeals)
