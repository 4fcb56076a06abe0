"""Which groups take newcomers and how full they are: pure functions over the
group records, shared by the planner and the owner's `groupkeeper pool` CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.records import OPEN, SPARE, GroupRecord


def open_groups(
    groups: Iterable[GroupRecord], platform: str, log_chat: str | None
) -> list[GroupRecord]:
    """A platform's open groups (the log chat aside), lowest serial first."""
    return sorted(
        (
            g
            for g in groups
            if g.platform == platform and g.state == OPEN and g.chat_key != log_chat
        ),
        key=lambda g: (g.serial, g.chat_key),
    )


def spare_groups(groups: Iterable[GroupRecord], platform: str) -> list[GroupRecord]:
    return sorted(
        (g for g in groups if g.platform == platform and g.state == SPARE),
        key=lambda g: (g.serial, g.chat_key),
    )


def first_with_room(
    groups: Iterable[GroupRecord],
    held: Callable[[GroupRecord], int],
    closed: frozenset[str] = frozenset(),
) -> GroupRecord | None:
    """Where the next newcomer goes: the first group (lowest serial) whose
    members and held invites leave room; `closed` groups (members-only, a
    tier's) take no newcomer, room or not."""
    for g in groups:
        if g.member_count + held(g) < g.capacity and g.chat_key not in closed:
            return g
    return None
