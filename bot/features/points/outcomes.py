"""What the ledger's operations report back: a level crossed, a check-in,
points paid to someone other than the actor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LevelUp:
    level: int
    title: str
    role: str | None = None
    previous_role: str | None = None
    # The lifetime points fell below the level the member had: no
    # announcement, only the role swap.
    down: bool = False


@dataclass(frozen=True, slots=True)
class Checkin:
    already: bool
    points: int
    bonus: int
    streak: int
    balance: int
    level_up: LevelUp | None = None
    # A streak freeze kept the streak across a missed day.
    froze: bool = False


@dataclass(frozen=True, slots=True)
class Award:
    """Points paid to a member other than the one who acted (a reaction's author)."""

    member_key: str
    points: int
    level_up: LevelUp | None
