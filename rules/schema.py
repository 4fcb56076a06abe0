"""The YAML schema of rules: the `Rule` union of the types in `rules.types`,
discriminated on `type`, and the escalation ladder that warnings climb.

The values every type shares (durations, times of day, actions) live in
`rules.types.base`; the config takes them from here, beside the union.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field, field_validator

from rules.types.base import ClockTime, Duration, RuleAction, Strict
from rules.types.blocklist import BlocklistRule
from rules.types.caps import CapsRule
from rules.types.duplicates import DuplicatesRule
from rules.types.emoji import EmojiRule
from rules.types.flood import FloodRule
from rules.types.forwards import ForwardsRule
from rules.types.honeypot import HoneypotRule
from rules.types.length import LengthRule
from rules.types.links import LinksRule
from rules.types.media import MediaRule
from rules.types.mentions import MentionsRule
from rules.types.names import NamesRule
from rules.types.night_mode import NightModeRule
from rules.types.probation import ProbationRule
from rules.types.slow_mode import SlowModeRule

__all__ = [
    "RULE_TYPES",
    "ClockTime",
    "Duration",
    "Escalation",
    "EscalationStep",
    "Rule",
    "RuleAction",
]

Rule = Annotated[
    BlocklistRule
    | LinksRule
    | FloodRule
    | DuplicatesRule
    | CapsRule
    | MentionsRule
    | EmojiRule
    | ForwardsRule
    | MediaRule
    | LengthRule
    | ProbationRule
    | NightModeRule
    | SlowModeRule
    | NamesRule
    | HoneypotRule,
    Field(discriminator="type"),
]

RULE_TYPES: tuple[str, ...] = (
    "blocklist", "links", "flood", "duplicates", "caps", "mentions", "emoji", "forwards",
    "media", "length", "probation", "night_mode", "slow_mode", "names", "honeypot",
)  # fmt: skip


class EscalationStep(Strict):
    at: int = Field(ge=1)
    do: RuleAction


class Escalation(Strict):
    """Warnings expire after `ttl`; reaching `at` active warnings does `do`."""

    ttl: Duration = timedelta(days=30)
    ladder: list[EscalationStep] = Field(default_factory=list)

    @field_validator("ladder")
    @classmethod
    def _ordered(cls, ladder: list[EscalationStep]) -> list[EscalationStep]:
        steps = [s.at for s in ladder]
        if steps != sorted(set(steps)):
            raise ValueError("steps must have distinct `at` values in increasing order")
        return ladder

    def step_for(self, count: int) -> EscalationStep | None:
        """The step reached by exactly `count` warnings, or the last one when past it."""
        reached = [s for s in self.ladder if s.at <= count]
        if not reached:
            return None
        last = reached[-1]
        if last.at == count or last is self.ladder[-1]:
            return last
        return None
