"""Points: check-in, participation and reaction points, levels and boards.

A message the rules or the spam guard removed never reaches this feature,
and one removed later gives its points back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.config import Config
from bot.core.actions import Action, DeleteMessage
from bot.core.events import ChatRef, Event, ReactionAdded
from bot.core.feature import PASS, Base, Seen, Step
from bot.core.kit import Kit
from bot.features.points import commands
from bot.features.points.rewards import level_up_actions
from bot.features.points.service import PointsService


class PointsFeature(Base):
    name = "points"

    def __init__(self, kit: Kit, service: PointsService) -> None:
        self.kit = kit
        self.points = service.points
        self.commands = commands.commands.bind(service)
        self._words = self._checkin_words(kit.config)

    @staticmethod
    def _checkin_words(config: Config) -> dict[str, str]:
        return {w: "checkin" for w in config.points.checkin.words}

    def words(self) -> Mapping[str, str]:
        return self._words

    def configure(self, config: Config) -> None:
        self.points.configure(config.points)
        self._words = self._checkin_words(config)

    async def on_message(self, seen: Seen) -> Step:
        ev = seen.event
        # An edit earns nothing (it was paid for when first sent).
        if ev.edited:
            return PASS
        up = self.points.for_message(
            seen.member, ev.text, ev.at, seen.group.chat_key, ev.message_id
        )
        if up is None:
            return PASS
        return Step(level_up_actions(self.kit, seen.member, ev.chat, up))

    async def on_event(self, event: Event) -> list[Action]:
        if type(event) is not ReactionAdded or event.member.is_bot or event.chat.private:
            return []
        award = self.points.for_reaction(
            event.member.key, event.chat.key, event.message_id, event.at
        )
        if award is None or award.level_up is None:
            return []
        author = self.kit.directory.members.get(award.member_key)
        return level_up_actions(self.kit, author, event.chat, award.level_up) if author else []

    async def tick(self, now: datetime) -> list[Action]:
        """Roles of levels lost to removed messages (`observe` cannot act)."""
        fallen, self.points.fallen = self.points.fallen, []
        actions: list[Action] = []
        for member_key, group_key, down in fallen:
            member = self.kit.directory.members.get(member_key)
            if member is not None:
                actions += level_up_actions(self.kit, member, ChatRef.parse(group_key), down)
        return actions

    def observe(self, out: Sequence[Action], now: datetime) -> None:
        """Messages the bot removes earn nothing: their points go back."""
        for a in out:
            if type(a) is DeleteMessage:
                for mid in a.message_ids:
                    self.points.take_back(a.chat.key, mid, now)
