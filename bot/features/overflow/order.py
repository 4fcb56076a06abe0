"""The open and spare groups of each platform in serial order, kept between
joins rather than sorted again on every one, and which open group is known
to be short of `prepare_at`: a join asks that one group, not every group,
whether the next must be readied. Joins cost the same at 10,000 members as
at 200,000.

The order holds until the directory registers or saves a group (its state,
serial or capacity changed: `Directory.version` moves) or a reload brings
other tiers. A tier's members-only groups are open and listed, but take no
newcomer and never hold up readying the next group. Fill only grows
between joins except where the planner frees a place (a leave, an invite
given back); it says so with `freed`, so "every group has reached the
threshold" is known again without a scan until then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.config.tiers import Tier, members_only
from bot.core.records import OPEN, GroupRecord
from bot.features.overflow.fill import first_with_room, open_groups, spare_groups

if TYPE_CHECKING:
    from bot.core.kit import Kit


class GroupOrder:
    def __init__(self, kit: Kit) -> None:
        self._kit = kit
        self._directory = kit.directory
        self._key: tuple[int, str | None] = (-1, None)
        self._tiers: list[Tier] | None = None
        # Members-only groups: no newcomer goes there.
        self.closed: frozenset[str] = frozenset()
        self._open: dict[str, list[GroupRecord]] = {}
        self._spare: dict[str, list[GroupRecord]] = {}
        # platform -> an open group found short of the threshold.
        self._short: dict[str, GroupRecord] = {}
        # platform -> (places freed, threshold) when every group was found
        # to have reached the threshold.
        self._reached: dict[str, tuple[int, int]] = {}
        self._freed = 0

    def _check(self) -> str | None:
        config = self._kit.config
        log_chat = config.community.log_chat
        key = (self._directory.version, log_chat)
        if key != self._key or config.tiers is not self._tiers:
            self._key = key
            self._tiers = config.tiers
            self.closed = members_only(config.tiers)
            self._open.clear()
            self._spare.clear()
            self._short.clear()
            self._reached.clear()
        return log_chat

    def open(self, platform: str) -> list[GroupRecord]:
        """Lowest serial first; the list is shared: read it, do not change it."""
        log_chat = self._check()
        groups = self._open.get(platform)
        if groups is None:
            groups = self._open[platform] = open_groups(
                self._directory.groups.values(), platform, log_chat
            )
        return groups

    def spares(self, platform: str) -> list[GroupRecord]:
        self._check()
        groups = self._spare.get(platform)
        if groups is None:
            groups = self._spare[platform] = spare_groups(self._directory.groups.values(), platform)
        return groups

    def entry(self, platform: str, held: Callable[[GroupRecord], int]) -> GroupRecord | None:
        """The lowest serial with room, places `held` by invites counted."""
        groups = self.open(platform)
        return first_with_room(groups, held, self.closed)

    def template(self, platform: str) -> GroupRecord:
        """The first open group newcomers go to: the next group is made like
        it (a members-only group's profile is not for newcomers). There is
        an open group: the caller has one."""
        groups = self.open(platform)
        return next((g for g in groups if g.chat_key not in self.closed), groups[0])

    def freed(self) -> None:
        """A place came free (a leave, an invite given back or expired)."""
        self._freed += 1

    def all_reached(self, platform: str, fill: Callable[[GroupRecord], int]) -> bool:
        """Whether every open group newcomers can go to has reached
        `prepare_at` (or its capacity, when smaller); False when there is none."""
        cfg = self._kit.config.groups
        threshold = cfg.prepare_at if cfg.prepare_at is not None else cfg.capacity
        groups = self.open(platform)
        if not groups:
            return False
        short = self._short.get(platform)
        if (
            short is not None
            and short.state == OPEN
            and fill(short) < min(threshold, short.capacity)
        ):
            return False
        if self._reached.get(platform) == (self._freed, threshold):
            return True
        closed = self.closed
        seen = False
        for g in groups:
            if g.chat_key in closed:
                continue
            seen = True
            if fill(g) < min(threshold, g.capacity):
                self._short[platform] = g
                return False
        if not seen:
            return False
        self._reached[platform] = (self._freed, threshold)
        return True
