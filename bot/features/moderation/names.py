"""Newcomers' names judged by the owner's `names` rules as they join.

A feature of its own so it runs where a join needs it: after the overflow
planner and the raid monitor have counted the newcomer, before the referral
and the welcome, which a refused newcomer does not get."""

from __future__ import annotations

from bot.core.feature import PASS, Arrival, Base, Step
from bot.core.kit import Kit
from bot.features.moderation.verdicts import Verdicts
from rules.message import MessageView


class NamesFeature(Base):
    name = "names"

    def __init__(self, kit: Kit, verdicts: Verdicts) -> None:
        self.kit = kit
        self.verdicts = verdicts

    async def on_join(self, arrival: Arrival) -> Step:
        rules = self.kit.rules
        if not rules.checks_names:
            return PASS
        ev, member, group = arrival.event, arrival.member, arrival.group
        verdict = rules.evaluate_name(
            MessageView(
                text=f"{ev.member.name} {ev.member.username or ''}",
                group=group.chat_key,
                sender=member.key,
                at=ev.at.timestamp(),
                role=arrival.role,
            )
        )
        if not verdict.hit:
            return PASS
        reported = self.verdicts.apply_join(verdict, ev, member, group)
        # A rule in dry run only reports; the member is welcomed as usual.
        refused = verdict.rule is not None and not verdict.rule.dry_run
        return Step(reported, stop=refused)
