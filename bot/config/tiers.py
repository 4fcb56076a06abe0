"""`tiers:` member tiers (节点计划) by lifetime level, and what each one allows.

A member's tier is the highest one whose `level` they have reached (levels
follow the points earned over a lifetime, never the spendable balance). A
tier has what it lists and everything the tiers below it have: switches stay
on, weights and discounts keep the largest value, groups add up.
"""

from __future__ import annotations

from pydantic import Field

from bot.config.base import Ref, Strict


class Tier(Strict):
    # The level (1 = the first of `points.levels`) the tier starts at.
    level: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=40)
    # Links are allowed: `type: links` rules skip the member.
    links: bool = False
    # Slow mode is skipped: `type: slow_mode` rules skip the member.
    slow_mode: bool = False
    # A report by the member counts this many times a plain member's.
    report_weight: float = Field(default=1.0, ge=0, le=10)
    # Percent off shop prices.
    discount: int = Field(default=0, ge=0, le=90)
    # Members-only groups (chat keys): a member below this tier who joins
    # one is shown out (one who later falls below is not removed).
    groups: list[Ref] = Field(default_factory=list)


def ordered_tiers(tiers: list[Tier]) -> list[Tier]:
    levels = [t.level for t in tiers]
    if levels != sorted(set(levels)):
        raise ValueError("tier levels must increase")
    return tiers


def members_only(tiers: list[Tier]) -> frozenset[str]:
    """The chat keys of every tier's members-only groups: no newcomer is
    sent to one (its tier would show them out at once)."""
    return frozenset(g for t in tiers for g in t.groups)


def first_level(tiers: list[Tier], privilege: str) -> int | None:
    """The lowest level whose tier has the switch on (they stay on above)."""
    return next((t.level for t in tiers if getattr(t, privilege)), None)
