"""Moderation: the owner's rules judge every message and every newcomer's
name, sanctions and warnings open cases, and moderators act by command."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import Config
from bot.core.feature import PASS, Base, Seen, Step
from bot.core.kit import Kit
from bot.features.moderation import commands, why
from bot.features.moderation.cases import Moderation
from bot.features.moderation.enforcement import Enforcer
from bot.features.moderation.service import ModerationService, UnbanHook
from bot.features.moderation.verdicts import Verdicts
from bot.features.moderation.views import Views


class ModerationFeature(Base):
    name = "moderation"

    def __init__(
        self,
        kit: Kit,
        cases: Moderation,
        enforcer: Enforcer,
        views: Views,
        unban_hooks: Sequence[UnbanHook] = (),
    ) -> None:
        self.kit = kit
        self.cases = cases
        self.enforcer = enforcer
        self.verdicts = Verdicts(enforcer)
        self.views = views
        # Told when a moderator lifts a ban (the spam guard learns from it).
        service = ModerationService(enforcer, tuple(unban_hooks))
        self.commands = (*commands.commands.bind(service), *why.commands.bind(cases))

    def configure(self, config: Config) -> None:
        self.cases.escalation = config.escalation

    async def on_message(self, seen: Seen) -> Step:
        verdict = self.kit.rules.evaluate(self.views.of(seen))
        if not verdict.hit:
            return PASS
        return Step(self.verdicts.apply(verdict, seen.event, seen.member, seen.group), stop=True)

    async def inspect(self, seen: Seen) -> Step:
        verdict = self.kit.rules.evaluate_content(self.views.of(seen))
        if not verdict.hit:
            return PASS
        return Step(self.verdicts.apply(verdict, seen.event, seen.member, seen.group), stop=True)
