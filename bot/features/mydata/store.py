"""The store port behind `/mydata` and `/forgetme`: every row about one
member, and their erasure with what must stay."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

# One table's rows about the member, each a dict of JSON-ready values.
Rows = list[dict[str, Any]]
# How the anonymous key an erasure moves a member's rows to begins.
ERASED = "erased:"


@dataclass(frozen=True, slots=True)
class Kept:
    """What an erasure leaves as it is: what the moderators must keep."""

    # Cases still standing (a ban in force, a case under appeal), cases of
    # warnings in force and of flags waiting for review.
    cases: frozenset[int] = frozenset()
    warnings: frozenset[int] = frozenset()
    flags: frozenset[int] = frozenset()
    appeals: frozenset[int] = frozenset()
    # Lockdowns in force that muted the member: lifting one unmutes them.
    lockdowns: frozenset[int] = frozenset()


@dataclass(slots=True)
class Erased:
    """How many rows of each table were deleted or made anonymous."""

    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    # Rows kept as they are, by table (payments, kept cases ...).
    kept: dict[str, int] = field(default_factory=dict)


class MemberDataStore(Protocol):
    async def export(self, community: str, member_key: str) -> dict[str, Rows]:
        """Every stored row about the member, by table."""
        ...

    async def erase(self, community: str, member_key: str, kept: Kept, alias: str) -> Erased:
        """In one transaction: the member's personal rows deleted, rows
        others' numbers rest on moved to `alias` (an anonymous key) with
        their words removed, and what `kept` names left alone."""
        ...


class MemoryMemberDataStore:
    """Without a database there is nothing stored to copy or erase."""

    async def export(self, community: str, member_key: str) -> dict[str, Rows]:
        return {}

    async def erase(self, community: str, member_key: str, kept: Kept, alias: str) -> Erased:
        return Erased()
