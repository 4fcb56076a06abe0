"""The overflow planner: which group of the community a newcomer goes to.

Each open group has room for `capacity` members; an issued, unused entry
invite holds a place until it is used or expires, so concurrent newcomers
never overfill a group. The lowest serial with room wins, so space freed by
leavers is refilled before a newer group. Once no open group is below
`prepare_at`, the next group is readied from the pool of spare groups the
owner registered (or cloned, on Discord); it becomes the entry as soon as the
groups before it are full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.actions import (
    Action,
    CloneGroup,
    CreateInvite,
    SendDirect,
    SendMessage,
    SetGroupProfile,
)
from bot.events import ChatRef, UserRef
from bot.i18n import t
from bot.records import GroupRecord, MemberRecord

if TYPE_CHECKING:
    from bot.services import Services

OPEN = "open"
SPARE = "spare"


@dataclass(slots=True)
class Pending:
    """An entry invite handed out and not used yet: it holds a place."""

    group_key: str
    expires: datetime


class Overflow:
    def __init__(self, s: Services) -> None:
        self.s = s
        # member key -> the invite they hold; group key -> places held.
        self.pending: dict[str, Pending] = {}
        self._held: dict[str, int] = {}
        # member key -> groups they are in, from joins and leaves since start
        # (earlier ones are read from the store on demand).
        self.seats: dict[str, set[str]] = {}
        self._left: set[tuple[str, str]] = set()
        # The spare count the owner was last warned about, per platform.
        self._warned: dict[tuple[str, str], int] = {}

    # -- reading ------------------------------------------------------------

    def groups(self, platform: str) -> list[GroupRecord]:
        """The community's open groups on a platform, lowest serial first."""
        log_chat = self.s.config.community.log_chat
        return sorted(
            (
                g
                for g in self.s.directory.groups.values()
                if g.platform == platform and g.state == OPEN and g.chat_key != log_chat
            ),
            key=lambda g: (g.serial, g.chat_key),
        )

    def spares(self, platform: str) -> list[GroupRecord]:
        return sorted(
            (
                g
                for g in self.s.directory.groups.values()
                if g.platform == platform and g.state == SPARE
            ),
            key=lambda g: (g.serial, g.chat_key),
        )

    def held(self, group: GroupRecord) -> int:
        return self._held.get(group.chat_key, 0)

    def fill(self, group: GroupRecord) -> int:
        return group.member_count + self.held(group)

    def room(self, group: GroupRecord) -> int:
        return max(0, group.capacity - self.fill(group))

    def entry_group(self, platform: str) -> GroupRecord | None:
        """Where the next newcomer goes: the lowest serial with room."""
        for g in self.groups(platform):
            if self.room(g) > 0:
                return g
        return None

    async def seat_of(self, member: MemberRecord) -> GroupRecord | None:
        """An open group the member is in, if any."""
        groups = self.s.directory.groups
        for key in sorted(self.seats.get(member.key, ())):
            g = groups.get(key)
            if g is not None and g.state == OPEN:
                return g
        stored = await self.s.store.memberships(self.s.config.community.slug, member.key)
        for m in stored:
            g = groups.get(m.group_key)
            if (
                m.left_at is None
                and (member.key, m.group_key) not in self._left
                and g is not None
                and g.state == OPEN
                and g.chat_key != self.s.config.community.log_chat
            ):
                return g
        return None

    # -- placing ------------------------------------------------------------

    def place(self, member: MemberRecord, user: UserRef, now: datetime) -> list[Action]:
        """Hand the member a single-use, short-lived invite to the entry group,
        or tell them and the owner that there is no room."""
        self.release(member.key)
        group = self.entry_group(user.platform)
        loc = self.s.locale_for(member)
        if group is None:
            actions: list[Action] = [
                self._dm(user, t(loc, "entry.no_room", community=self.s.config.community.name))
            ]
            return actions + self._warn("overflow.no_room", user.platform)
        ttl = self.s.config.entry.invite_ttl
        self.hold(member.key, group, now + ttl)
        minutes = max(1, int(ttl.total_seconds() // 60))
        return [
            self._dm(user, t(loc, "entry.placed", group=group.title, minutes=minutes)),
            CreateInvite(
                ChatRef(group.platform, group.chat_id),
                member_limit=1,
                expires=now + ttl,
                for_user=user,
                purpose="entry",
            ),
            *self.prepare(user.platform, now),
        ]

    def hold(self, member_key: str, group: GroupRecord, expires: datetime) -> None:
        self.release(member_key)
        self.pending[member_key] = Pending(group.chat_key, expires)
        self._held[group.chat_key] = self._held.get(group.chat_key, 0) + 1

    def release(self, member_key: str) -> None:
        old = self.pending.pop(member_key, None)
        if old is not None:
            left = self._held.get(old.group_key, 0) - 1
            if left > 0:
                self._held[old.group_key] = left
            else:
                self._held.pop(old.group_key, None)

    def expire(self, now: datetime) -> int:
        """Unused invites past their expiry give their place back."""
        gone = [k for k, p in self.pending.items() if p.expires <= now]
        for key in gone:
            self.release(key)
        return len(gone)

    # -- membership ---------------------------------------------------------

    def joined(self, member: MemberRecord, group: GroupRecord, now: datetime) -> list[Action]:
        self.release(member.key)
        self.seats.setdefault(member.key, set()).add(group.chat_key)
        self._left.discard((member.key, group.chat_key))
        if group.state != OPEN:
            return []
        # A direct join (an old link, someone added by hand) fills a place too.
        return self.prepare(group.platform, now)

    def left(self, member: MemberRecord, group: GroupRecord) -> None:
        seats = self.seats.get(member.key)
        if seats is not None:
            seats.discard(group.chat_key)
        self._left.add((member.key, group.chat_key))

    # -- the pool -----------------------------------------------------------

    def add_spare(self, group: GroupRecord) -> None:
        group.state = SPARE
        self.s.directory.save_group(group)
        self._warned.clear()

    def prepare(self, platform: str, now: datetime) -> list[Action]:
        """Ready the next group once every open group reached `prepare_at`."""
        cfg = self.s.config.groups
        open_groups = self.groups(platform)
        threshold = cfg.prepare_at if cfg.prepare_at is not None else cfg.capacity
        if not open_groups or any(self.fill(g) < min(threshold, g.capacity) for g in open_groups):
            return []
        serial = max(g.serial for g in open_groups) + 1
        title = cfg.title.replace("{name}", self.s.config.community.name).replace(
            "{serial}", str(serial)
        )
        spares = self.spares(platform)
        if not spares:
            if platform == "discord":
                template = open_groups[0]
                clone = CloneGroup(ChatRef(platform, template.chat_id), title, serial)
                return [clone, *self._warn("overflow.cloning", platform, title=title)]
            return self._warn("overflow.pool_empty", platform)
        group = spares[0]
        group.state = OPEN
        group.serial = serial
        group.title = title
        group.capacity = cfg.capacity
        self.s.directory.save_group(group)
        chat = ChatRef(group.platform, group.chat_id)
        actions: list[Action] = [SetGroupProfile(chat, title, cfg.description)]
        actions += self._log("overflow.ready", title=title, serial=serial)
        left = len(spares) - 1
        if left == 0:
            actions += self._warn("overflow.pool_empty", platform)
        elif left <= self.s.config.groups.pool.warn_below:
            actions += self._warn("overflow.pool_low", platform, left=left)
        return actions

    def _warn(self, key: str, platform: str, **values: object) -> list[Action]:
        """Tell the owner once per pool level, not on every newcomer."""
        level = len(self.spares(platform))
        if self._warned.get((platform, key)) == level and key != "overflow.cloning":
            return []
        self._warned[(platform, key)] = level
        return self._log(key, platform=platform, **values)

    def _log(self, key: str, **values: object) -> list[Action]:
        chat = self.s.log_chat
        if chat is None:
            return []
        text = t(self.s.config.community.locale, key, **values)
        return [SendMessage(chat, text, kind="alert")]

    @staticmethod
    def _dm(user: UserRef, text: str) -> Action:
        return SendDirect(user, text)
