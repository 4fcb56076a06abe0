"""The shared services every feature is built with.

Nothing here is optional and nothing names a feature: a feature that needs
another is handed it when the features are built (`bot/features/__init__.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Config, Locale, locale_of
from bot.core.batcher import WriteBehind
from bot.core.calendar import Calendar
from bot.core.directory import Directory
from bot.core.events import ChatRef
from bot.core.explanations import Explanations
from bot.core.history import ChatHistory
from bot.core.ports import Clock, Store
from bot.core.records import MemberRecord
from bot.core.stats import Stats
from rules.evaluate import RuleSet


@dataclass(slots=True)
class Kit:
    # The running config and its compiled rules; `Engine.reload` swaps both.
    config: Config
    rules: RuleSet
    clock: Clock
    store: Store
    writes: WriteBehind
    directory: Directory
    stats: Stats
    calendar: Calendar
    # What the rules and sanctions did, for /why.
    explanations: Explanations
    # Each group chat's latest message ids, for /purge.
    history: ChatHistory = field(default_factory=ChatHistory)

    @property
    def log_chat(self) -> ChatRef | None:
        """The moderators' log chat, read from the live config."""
        ref = self.config.community.log_chat
        return ChatRef.parse(ref) if ref else None

    def locale_for(self, member: MemberRecord | None) -> Locale:
        """The member's own language, else the community's."""
        if member is not None:
            own = locale_of(member.language)
            if own is not None:
                return own
        return self.config.community.locale
