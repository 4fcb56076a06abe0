"""Welcome: greets newcomers, answers `/start`, `/help` and `/lang`, and
points a member who writes to the bot privately, as to a person, at /help."""

from __future__ import annotations

from bot.core.actions import Action, SendMessage
from bot.core.directory import display
from bot.core.feature import PASS, Arrival, Base, Direct, Step
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.features.overflow.entry import EntryGate
from bot.features.welcome import commands
from bot.features.welcome.hint import PrivateHint


class WelcomeFeature(Base):
    name = "welcome"

    def __init__(self, kit: Kit, entry: EntryGate, hint: PrivateHint) -> None:
        self.kit = kit
        self.hint = hint
        # `/start join-<slug>` is the entry link's way in.
        self.commands = commands.commands.bind(entry)

    async def on_join(self, arrival: Arrival) -> Step:
        kit = self.kit
        welcome = kit.config.welcome
        if not welcome.enabled:
            return PASS
        member, group = arrival.member, arrival.group
        values = {
            "name": display(member),
            "group": group.title,
            "community": kit.config.community.name,
        }
        if welcome.text:
            text = welcome.text
            for k, v in values.items():
                text = text.replace("{" + k + "}", v)
        else:
            text = t(kit.locale_for(member), "welcome", **values)
        return Step([SendMessage(arrival.event.chat, text, kind="welcome")])

    async def on_direct(self, direct: Direct) -> list[Action]:
        # Last in the order: a captcha answer (entry) never reaches it.
        return await self.hint.hint(direct)
