"""Analytics: members' activity days, the daily counters read off what the
bot did, and `/stats` with its charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.actions import Action
from bot.core.feature import Base
from bot.core.kit import Kit
from bot.features.analytics import commands
from bot.features.analytics.analytics import Analytics


class AnalyticsFeature(Base):
    name = "analytics"

    def __init__(self, kit: Kit, analytics: Analytics) -> None:
        self.kit = kit
        self.analytics = analytics
        self.commands = commands.commands.bind(analytics)

    async def tick(self, now: datetime) -> list[Action]:
        return await self.analytics.tick(now)

    def observe(self, out: Sequence[Action], now: datetime) -> None:
        self.analytics.observe(out, self.kit.calendar.local_date(now))

    async def stop(self) -> None:
        await self.analytics.flush()
