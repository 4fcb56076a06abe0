"""FAQ answers as a feature: a member's question answered after the rules
and the spam guard let it through, the files read again on reload, and
their problems told to the log chat."""

from __future__ import annotations

from datetime import datetime

from bot.config import Config
from bot.core.actions import Action, SendMessage
from bot.core.feature import PASS, Base, Seen, Step
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.features.faq import commands
from bot.features.faq.service import Faq


class FaqFeature(Base):
    name = "faq"

    def __init__(self, kit: Kit, faq: Faq) -> None:
        self.kit = kit
        self.faq = faq
        self.commands = commands.commands.bind(faq)

    def configure(self, config: Config) -> None:
        self.faq.configure(config)

    async def on_message(self, seen: Seen) -> Step:
        ev = seen.event
        if seen.role != "member" or ev.edited or ev.reply_to is not None:
            return PASS
        out = self.faq.on_message(ev.text, seen.member, seen.group, ev.chat, ev.message_id, ev.at)
        return Step(out) if out else PASS

    async def tick(self, now: datetime) -> list[Action]:
        problems = self.faq.problems_to_tell()
        chat = self.kit.log_chat
        if not problems or chat is None:
            return []
        loc = self.kit.config.community.locale
        text = t(loc, "faq.problems", problems="\n".join(problems))
        return [SendMessage(chat, text, kind="log")]
