"""Thanks (感谢): a member who replies "谢谢" or "thanks" to another member's
message gives that member points (`points.thanks`). Helping counts, not only
talking: the answer that solved someone's problem earns what chatter cannot.

Each thanker pays a message once; the thanked member's daily cap keeps a
pair of friends from farming points. The ledger key makes a redelivered
update pay nothing twice.
"""

from __future__ import annotations

import re
from datetime import date

from bot.config import Config
from bot.config.points import ThanksConfig
from bot.core.feature import PASS, Base, Seen, Step
from bot.core.kit import Kit
from bot.features.points.points import Points
from bot.features.points.recent import Recent
from bot.features.points.rewards import level_up_actions

THANKS = "thanks"
# Thanks remembered per generation, for paying each thanker once per message.
_RECENT = 20_000


def thanks_pattern(words: list[str]) -> re.Pattern[str]:
    """Latin words match whole words ("thanks", not "thanksgiving"); Chinese
    ones anywhere (谢谢你)."""
    parts = [rf"\b{re.escape(w.lower())}\b" if w.isascii() else re.escape(w.lower()) for w in words]
    return re.compile("|".join(parts))


class ThanksFeature(Base):
    name = "thanks"

    def __init__(self, kit: Kit, points: Points) -> None:
        self.kit = kit
        self.points = points
        self._given: Recent[bool] = Recent(_RECENT)
        self._today: dict[str, int] = {}
        self._day: date | None = None
        self.configure(kit.config)

    def configure(self, config: Config) -> None:
        self.config: ThanksConfig = config.points.thanks
        self._pattern = thanks_pattern(self.config.words)

    async def on_message(self, seen: Seen) -> Step:
        ev, cfg = seen.event, self.config
        reply = ev.reply_to
        if not cfg.points or ev.edited or reply is None or reply.sender is None:
            return PASS
        thanked = reply.sender
        if thanked.is_bot or thanked.key == seen.member.key:
            return PASS
        if self._pattern.search(ev.text.lower()) is None:
            return PASS
        where = (f"{seen.group.chat_key}:{seen.member.key}", reply.message_id)
        if self._given.get(where):
            return PASS
        today = self.kit.calendar.local_date(ev.at)
        if today != self._day:
            self._today.clear()
            self._day = today
        earned = self._today.get(thanked.key, 0)
        paid = min(cfg.points, cfg.daily_cap - earned)
        if paid <= 0:
            return PASS
        self._given.put(where, True)
        self._today[thanked.key] = earned + paid
        member = self.kit.directory.member(thanked, ev.at)
        key = f"thanks:{seen.group.chat_key}:{reply.message_id}:{seen.member.key}"
        up = self.points.award(member.key, paid, THANKS, key, ev.at, seen.group.chat_key)
        if up is None:
            return PASS
        return Step(level_up_actions(self.kit, member, ev.chat, up))
