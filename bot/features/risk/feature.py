"""Risk: the spam guard, members' reports, the monitors that raise risk
warnings, and lockdowns. It sees what the rules let through."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from bot.config import Config
from bot.core.actions import Action
from bot.core.commands import Context
from bot.core.directory import display
from bot.core.events import Event, ImageRead, OpinionGiven
from bot.core.feature import PASS, Arrival, Base, Departure, Seen, Step
from bot.core.records import MemberRecord
from bot.features.risk import commands, report_commands
from bot.features.risk.alert_names import shown_as
from bot.features.risk.risk import Risk
from bot.features.risk.spam import commands as spam_commands
from bot.features.risk.spam.model import HAM
from bot.features.risk.word_lists import word_lists
from rules.message import MessageView


class RiskFeature(Base):
    name = "risk"

    def __init__(self, risk: Risk, view: Callable[[Seen], MessageView]) -> None:
        self.risk = risk
        # The rule engine's view of a message, shared with moderation.
        self._view = view
        self.commands = (
            *spam_commands.commands.bind(risk),
            *report_commands.commands.bind(risk),
            *commands.commands.bind(risk),
        )

    def word_lists(self, config: Config) -> Mapping[str, Sequence[str]]:
        return word_lists(config.risk)

    def configure(self, config: Config) -> None:
        self.risk.configure(config.risk)

    async def on_message(self, seen: Seen) -> Step:
        actions, removed = await self.risk.on_message(
            seen.event, seen.member, seen.group, seen.role, self._view(seen)
        )
        if not actions and not removed:
            return PASS
        return Step(actions, stop=removed)

    async def inspect(self, seen: Seen) -> Step:
        actions, removed = await self.risk.inspect(
            seen.event, seen.member, seen.group, seen.role, self._view(seen)
        )
        return Step(actions, stop=removed) if actions or removed else PASS

    async def on_join(self, arrival: Arrival) -> Step:
        ev = arrival.event
        return Step(await self.risk.member_moved(True, arrival.member, arrival.group, ev.at))

    async def on_leave(self, departure: Departure) -> list[Action]:
        ev = departure.event
        return await self.risk.member_moved(False, departure.member, departure.group, ev.at)

    async def on_event(self, event: Event) -> list[Action]:
        if type(event) is ImageRead:
            return await self.risk.image_read(event)
        if type(event) is OpinionGiven:
            return await self.risk.opinion(event)
        return []

    async def tick(self, now: datetime) -> list[Action]:
        return await self.risk.tick(now)

    def waiting_flags(self, member_key: str) -> list[tuple[int, int | None]]:
        """The member's flags waiting for review: (flag id, case id)."""
        return [
            (f.id, f.case_id) for f in self.risk.reports.waiting() if f.member_key == member_key
        ]

    def muting(self, member_key: str) -> list[int]:
        """The lockdowns in force that muted the member (an erasure keeps
        them: lifting one unmutes whoever it muted)."""
        active = self.risk.lockdowns.active.values()
        return sorted(k.id for k in active if member_key in k.muted.split("\n"))

    def forget(self, member_key: str, alias: str) -> list[Action]:
        """`/forgetme` (after the stored rows): the alerts, questions and
        joins the monitors hold show the alias too; an alert acknowledged
        later is written back without the member."""
        member = self.risk.kit.directory.members.get(member_key)
        shown = (
            shown_as(member.name, member.username, member.user_id)
            if member is not None
            else {member_key.partition(":")[2]}
        )
        self.risk.monitors.forget(member_key, alias, shown)
        self.risk.lockdowns.forget(member_key, alias)
        return []

    async def learn_ham(self, text: str, at: datetime, by: str, member: str) -> bool:
        """Teach the spam detector a text is not spam (an accepted appeal)."""
        return await self.risk.spam.learn(HAM, text, at, source="appeal", by=by, member=member)

    async def forgive(self, ctx: Context, member: MemberRecord) -> list[Action]:
        """A moderator lifted a ban: a member banned as a spammer teaches the
        model it was wrong."""
        if await self.risk.spam.forgive(member, ctx.now, ctx.member):
            return [ctx.reply("spam.unban_learned", name=display(member))]
        return []
