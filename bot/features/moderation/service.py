"""What moderators' commands work with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.actions import Action
from bot.core.commands import Context
from bot.core.records import MemberRecord
from bot.features.moderation.enforcement import Enforcer

# Told when a moderator lifts a ban; returns what else to say or do.
UnbanHook = Callable[[Context, MemberRecord], Awaitable[list[Action]]]


@dataclass(frozen=True, slots=True)
class ModerationService:
    # The one Enforcer (it holds the cases and warnings).
    enforcer: Enforcer
    unban_hooks: tuple[UnbanHook, ...] = ()
