"""The services one engine wires together, handed to command handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config, Locale, locale_of
from bot.core.directory import Directory
from bot.core.events import ChatRef
from bot.core.ports import Clock, Store
from bot.core.records import MemberRecord
from bot.core.stats import Stats
from bot.features.economy.economy import Economy
from bot.features.moderation.cases import Moderation
from bot.features.points.points import Points

if TYPE_CHECKING:
    from bot.features.analytics.analytics import Analytics
    from bot.features.overflow.entry import EntryGate
    from bot.features.overflow.planner import Overflow
    from bot.features.risk.risk import Risk
    from bot.features.schedule.schedule import Schedule


@dataclass(slots=True)
class Services:
    config: Config
    store: Store
    clock: Clock
    directory: Directory
    points: Points
    moderation: Moderation
    stats: Stats
    # Where `/reload` reads the config again; None when it came from elsewhere.
    config_path: Path | None = None
    # Set by the engine: swaps in a new validated config.
    apply_config: Callable[[Config], None] | None = None
    # Scheduled content (bot/schedule.py); set by the engine when it has a
    # schedule store.
    schedule: Schedule | None = None
    # The shop, events and referrals (bot/economy.py); set by the engine.
    economy: Economy | None = None
    # Spam detection, reports and risk monitors (bot/risk.py); set by the engine.
    risk: Risk | None = None
    # Activity days, /stats and its charts (bot/analytics_service.py); set by the engine.
    analytics: Analytics | None = None
    # The overflow planner and the entry gate (bot/overflow.py, bot/entry.py);
    # set by the engine.
    overflow: Overflow | None = None
    entry: EntryGate | None = None

    @property
    def log_chat(self) -> ChatRef | None:
        ref = self.config.community.log_chat
        return ChatRef.parse(ref) if ref else None

    def locale_for(self, member: MemberRecord | None) -> Locale:
        if member is not None:
            own = locale_of(member.language)
            if own is not None:
                return own
        return self.config.community.locale
