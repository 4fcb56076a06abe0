"""The overflow planner: which group of the community a newcomer goes to.

Each open group has room for `capacity` members; an issued, unused entry
invite holds a place until it is used or expires, so concurrent newcomers
never overfill a group. The lowest serial with room wins, so space freed by
leavers is refilled before a newer group. Once no open group is below
`prepare_at`, the next group is readied from the pool of spare groups the
owner registered (or, with none left, made by the platform: a Discord
category, a Telegram group a provisioner creates); it becomes the entry as soon as the
groups before it are full.

Counts come from the joins and leaves the bot sees, corrected whenever the
platform reports a group's real member count (`counted`). Invites held, the
owner's warnings and a clone on its way are saved at the end of each event
(`changes`), so a restart neither frees a held place nor warns twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.actions import (
    Action,
    CloneGroup,
    CreateInvite,
    SendDirect,
    SendMessage,
    SetGroupProfile,
)
from bot.core.directory import chat_of
from bot.core.events import ChatRef, UserRef
from bot.core.i18n import t
from bot.core.records import OPEN, SPARE, GroupRecord, MemberRecord
from bot.features.moderation.rule_text import rules_text
from bot.features.overflow.order import GroupOrder
from bot.features.overflow.records import (
    EntryInviteRecord,
    OverflowChanges,
    OverflowNoteRecord,
    OverflowSnapshot,
)

if TYPE_CHECKING:
    from bot.core.kit import Kit

log = logging.getLogger(__name__)

# A clone asked for and not reported open within this long is asked for again
# (the platform refused it, and the owner was told why).
CLONE_PATIENCE = timedelta(minutes=10)

_WARNED = "warned:"
_CLONING = "cloning:"


@dataclass(slots=True)
class Pending:
    """An entry invite handed out and not used yet: it holds a place."""

    group_key: str
    expires: datetime


class Overflow:
    def __init__(self, kit: Kit, saved: OverflowSnapshot | None = None) -> None:
        self.kit = kit
        # member key -> the invite they hold; group key -> places held.
        self.pending: dict[str, Pending] = {}
        self._held: dict[str, int] = {}
        # member key -> groups they are in, from joins and leaves since start
        # (earlier ones are read from the store on demand).
        self.seats: dict[str, set[str]] = {}
        self._left: set[tuple[str, str]] = set()
        # The spare count the owner was last warned about, per platform and message.
        self._warned: dict[tuple[str, str], int] = {}
        # platform -> (serial, when) of a clone asked for and not open yet.
        self._cloning: dict[str, tuple[int, datetime]] = {}
        # What changed since the last save: member keys, note keys.
        self._dirty_invites: set[str] = set()
        self._dirty_notes: set[str] = set()
        self._order = GroupOrder(kit)
        if saved is not None:
            self._restore(saved)

    def _restore(self, saved: OverflowSnapshot) -> None:
        for inv in saved.invites:
            self.pending[inv.member_key] = Pending(inv.group_key, inv.expires_at)
            self._held[inv.group_key] = self._held.get(inv.group_key, 0) + 1
        for note in saved.notes:
            if note.key.startswith(_WARNED):
                platform, _, key = note.key.removeprefix(_WARNED).partition(":")
                self._warned[(platform, key)] = note.value
            elif note.key.startswith(_CLONING):
                self._cloning[note.key.removeprefix(_CLONING)] = (note.value, note.at)

    # -- reading ------------------------------------------------------------

    def groups(self, platform: str) -> list[GroupRecord]:
        """The community's open groups on a platform, lowest serial first."""
        return list(self._order.open(platform))

    def spares(self, platform: str) -> list[GroupRecord]:
        return list(self._order.spares(platform))

    def held(self, group: GroupRecord) -> int:
        return self._held.get(group.chat_key, 0)

    def fill(self, group: GroupRecord) -> int:
        return group.member_count + self.held(group)

    def room(self, group: GroupRecord) -> int:
        return max(0, group.capacity - self.fill(group))

    def entry_group(self, platform: str) -> GroupRecord | None:
        """Where the next newcomer goes: the lowest serial with room."""
        return self._order.entry(platform, self.held)

    async def seat_of(self, member: MemberRecord) -> GroupRecord | None:
        """An open group the member is in, if any."""
        groups = self.kit.directory.groups
        for key in sorted(self.seats.get(member.key, ())):
            g = groups.get(key)
            if g is not None and g.state == OPEN:
                return g
        # Only members stored before this start can have memberships the
        # joins seen since do not show: a newcomer costs no database read.
        if not self.kit.directory.stored_before_start(member.key):
            return None
        stored = await self.kit.store.memberships(self.kit.config.community.slug, member.key)
        for m in stored:
            g = groups.get(m.group_key)
            if (
                m.left_at is None
                and (member.key, m.group_key) not in self._left
                and g is not None
                and g.state == OPEN
            ):
                return g
        return None

    # -- placing ------------------------------------------------------------

    def place(self, member: MemberRecord, user: UserRef, now: datetime) -> list[Action]:
        """Hand the member a single-use, short-lived invite to the entry group,
        or tell them and the owner that there is no room."""
        self.release(member.key)
        group = self.entry_group(user.platform)
        loc = self.kit.locale_for(member)
        if group is None:
            actions: list[Action] = [
                self._dm(user, t(loc, "entry.no_room", community=self.kit.config.community.name))
            ]
            return actions + self._warn("overflow.no_room", user.platform, now)
        ttl = self.kit.config.entry.invite_ttl
        self.hold(member.key, group, now + ttl)
        minutes = max(1, int(ttl.total_seconds() // 60))
        return [
            self._dm(user, t(loc, "entry.placed", group=group.title, minutes=minutes)),
            CreateInvite(
                chat_of(group),
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
        self._dirty_invites.add(member_key)

    def release(self, member_key: str) -> None:
        old = self.pending.pop(member_key, None)
        if old is not None:
            self._dirty_invites.add(member_key)
            self._order.freed()
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

    def seen(self, member: MemberRecord, group: GroupRecord) -> None:
        """The member posts in the group: a place there, joined before the bot
        or not (the platform's count has them already)."""
        if group.chat_key not in self.seats.get(member.key, ()):
            self.seats.setdefault(member.key, set()).add(group.chat_key)
            self._left.discard((member.key, group.chat_key))

    def left(self, member: MemberRecord, group: GroupRecord) -> None:
        seats = self.seats.get(member.key)
        if seats is not None:
            seats.discard(group.chat_key)
        self._left.add((member.key, group.chat_key))
        self._order.freed()

    def counted(self, group: GroupRecord, count: int, now: datetime) -> list[Action]:
        """The platform's own member count of a group: it replaces ours. A
        drift of `groups.drift_alert` or more is reported to the owner (joins
        or leaves the bot missed while down, or members added by hand)."""
        drift = count - group.member_count
        if drift == 0:
            return []
        log.info(
            "group %s: %d members, not %d (drift %+d)",
            group.chat_key,
            count,
            group.member_count,
            drift,
        )
        before = group.member_count
        group.member_count = count
        self.kit.directory.save_group(group)
        if group.state != OPEN:
            return []
        actions: list[Action] = []
        if abs(drift) >= self.kit.config.groups.drift_alert:
            actions += self._log(
                "overflow.drift",
                title=group.title,
                counted=before,
                actual=count,
                drift=f"{drift:+d}",
            )
        return actions + self.prepare(group.platform, now)

    # -- the pool -----------------------------------------------------------

    def add_spare(self, group: GroupRecord) -> None:
        group.state = SPARE
        self.kit.directory.save_group(group)
        self._forget_warnings()

    def opened(
        self,
        chat: ChatRef,
        title: str,
        serial: int,
        now: datetime,
        template: ChatRef | None = None,
    ) -> list[Action]:
        """A clone the platform made (a Discord category, a Telegram group a
        provisioner created) is ready: it joins the open groups with its
        serial, and the entry moves there when the groups before it are full.
        A bare one (`template` given) is furnished as a spare that opens."""
        group = self.kit.directory.group(chat, now, title)
        group.state = OPEN
        group.serial = serial
        group.title = title
        group.capacity = self.kit.config.groups.capacity
        self.kit.directory.save_group(group)
        if self._cloning.pop(chat.platform, None) is not None:
            self._dirty_notes.add(_CLONING + chat.platform)
        self._forget_warnings()
        # It was made with its title (setting it again is refused: not modified).
        actions = self._furnish(group, template, None) if template is not None else []
        return actions + self._log("overflow.ready", title=title, serial=serial)

    def prepare(self, platform: str, now: datetime) -> list[Action]:
        """Ready the next group once every open group reached `prepare_at`."""
        cfg = self.kit.config.groups
        if not self._order.all_reached(platform, self.fill):
            return []
        open_groups = self._order.open(platform)
        serial = max(g.serial for g in open_groups) + 1
        title = cfg.title.replace("{name}", self.kit.config.community.name).replace(
            "{serial}", str(serial)
        )
        spares = self.spares(platform)
        if not spares:
            if self._clones(platform):
                return self._clone(platform, self._order.template(platform), title, serial, now)
            return self._warn("overflow.pool_empty", platform, now)
        group = spares[0]
        group.state = OPEN
        group.serial = serial
        group.title = title
        group.capacity = cfg.capacity
        self.kit.directory.save_group(group)
        # The first group is the template, as for a clone.
        template = ChatRef(platform, self._order.template(platform).chat_id)
        actions = self._furnish(group, template, title)
        actions += self._log("overflow.ready", title=title, serial=serial)
        left = len(spares) - 1
        if left == 0:
            actions += self._warn("overflow.pool_empty", platform, now)
        elif left <= self.kit.config.groups.pool.warn_below:
            actions += self._warn("overflow.pool_low", platform, now, left=left)
        return actions

    def _clones(self, platform: str) -> bool:
        """Whether the platform makes the next group itself when the pool is
        empty: Discord always (a category), Telegram with a provisioner."""
        if platform == "discord":
            return True
        return platform == "telegram" and self.kit.config.platforms.telegram.provision

    def _furnish(self, group: GroupRecord, template: ChatRef, title: str | None) -> list[Action]:
        """A bare new group gets the template's profile and the rules."""
        chat = chat_of(group)
        description = self.kit.config.groups.description
        actions: list[Action] = [SetGroupProfile(chat, title, description, template)]
        rules = rules_text(self.kit.config, self.kit.config.community.locale, group.chat_key)
        if rules is not None:
            # What /rules shows there, pinned (a Discord clone copies its
            # template's pins instead).
            actions.append(SendMessage(chat, rules, kind="rules", pin=True))
        return actions

    def _clone(
        self, platform: str, template: GroupRecord, title: str, serial: int, now: datetime
    ) -> list[Action]:
        """Ask the platform for the next group, once: every join past
        `prepare_at` would ask again while the first clone is being made."""
        asked = self._cloning.get(platform)
        if asked is not None and asked[0] == serial and now - asked[1] < CLONE_PATIENCE:
            return []
        self._cloning[platform] = (serial, now)
        self._dirty_notes.add(_CLONING + platform)
        clone = CloneGroup(ChatRef(platform, template.chat_id), title, serial)
        return [clone, *self._log("overflow.cloning", title=title, platform=platform.capitalize())]

    def _warn(self, key: str, platform: str, now: datetime, **values: object) -> list[Action]:
        """Tell the owner once per pool level, not on every newcomer."""
        level = len(self._order.spares(platform))
        if self._warned.get((platform, key)) == level:
            return []
        self._warned[(platform, key)] = level
        self._dirty_notes.add(f"{_WARNED}{platform}:{key}")
        return self._log(key, platform=platform, **values)

    def _forget_warnings(self) -> None:
        self._dirty_notes.update(f"{_WARNED}{p}:{k}" for p, k in self._warned)
        self._warned.clear()

    def _log(self, key: str, **values: object) -> list[Action]:
        chat = self.kit.log_chat
        if chat is None:
            return []
        text = t(self.kit.config.community.locale, key, **values)
        return [SendMessage(chat, text, kind="alert")]

    @staticmethod
    def _dm(user: UserRef, text: str) -> Action:
        return SendDirect(user, text)

    # -- saving -------------------------------------------------------------

    @property
    def changed(self) -> bool:
        return bool(self._dirty_invites or self._dirty_notes)

    def changes(self, into: OverflowChanges, now: datetime) -> None:
        """What changed since the last call, added to `into`."""
        community = into.community
        for key in self._dirty_invites:
            p = self.pending.get(key)
            if p is None:
                into.invites_gone.append(key)
            else:
                into.invites.append(EntryInviteRecord(community, key, p.group_key, p.expires))
        for key in self._dirty_notes:
            value: tuple[int, datetime] | None = None
            if key.startswith(_CLONING):
                value = self._cloning.get(key.removeprefix(_CLONING))
            else:
                platform, _, what = key.removeprefix(_WARNED).partition(":")
                level = self._warned.get((platform, what))
                value = (level, now) if level is not None else None
            if value is None:
                into.notes_gone.append(key)
            else:
                into.notes.append(OverflowNoteRecord(community, key, value[0], value[1]))
        self._dirty_invites.clear()
        self._dirty_notes.clear()
