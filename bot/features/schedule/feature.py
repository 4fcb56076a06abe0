"""Scheduled content: posts, polls, boards and digests at their times, each
fire time claimed once in the store. The adapters' scheduler drives it
(`adapters/scheduler.py`); moderators manage it with `/schedule`."""

from __future__ import annotations

from bot.config import Config
from bot.core.actions import Action
from bot.core.events import ChatMoved, Event
from bot.core.feature import Base
from bot.core.kit import Kit
from bot.features.schedule import commands
from bot.features.schedule.schedule import Schedule


class ScheduleFeature(Base):
    name = "schedule"

    def __init__(self, kit: Kit, schedule: Schedule) -> None:
        self.kit = kit
        self.schedule = schedule
        self.commands = commands.commands.bind(schedule)

    def configure(self, config: Config) -> None:
        self.schedule.reconfigure(config, self.kit.clock.now())

    async def on_event(self, event: Event) -> list[Action]:
        if type(event) is ChatMoved:
            self.schedule.moved(event.old.key, event.new.key)
        return []
