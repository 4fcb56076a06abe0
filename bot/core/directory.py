"""The community's members and groups, held in memory and loaded at start.

Nothing on the message path reads the database: lookups are dict lookups, and
every change is queued on the write-behind batcher.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.config import Config, locale_of
from bot.core.batcher import WriteBehind
from bot.core.events import ChatRef, UserRef
from bot.core.records import (
    LOG,
    MOVED,
    ChatMoveRecord,
    GroupRecord,
    MemberRecord,
    MembershipRecord,
    Snapshot,
)

ROLE_RANK = {"member": 0, "moderator": 1, "owner": 2}


class Directory:
    def __init__(self, config: Config, snapshot: Snapshot, writes: WriteBehind) -> None:
        self.community = config.community.slug
        self._config = config
        self._writes = writes
        index = snapshot.member_index
        self.members: dict[str, MemberRecord] = (
            {m.key: m for m in snapshot.members} if index is None else index
        )
        self.groups: dict[str, GroupRecord] = {
            g.chat_key: g for g in snapshot.groups if g.state != MOVED
        }
        # Moves whenever a group is registered or saved (not on a member
        # count): what is kept sorted by group (the overflow's order) is
        # sorted again only then.
        self.version = 0
        self._usernames = _usernames(self.members.values())
        # Members first seen since the start: the only ones the store can
        # hold nothing about yet (memberships, say).
        self._new: set[str] = set()
        self._apply(config)

    def reconfigure(self, config: Config) -> None:
        self._config = config
        self._apply(config)

    def _apply(self, config: Config) -> None:
        self._owners = frozenset(config.community.owners)
        self._moderators = frozenset(config.community.moderators)
        # Older versions registered the log chat as a group on its first post.
        self._log_chat = config.community.log_chat
        if self._log_chat is not None:
            self.groups.pop(self._log_chat, None)
        self.version += 1

    def is_log_chat(self, chat: ChatRef) -> bool:
        return chat.key == self._log_chat

    def member(self, user: UserRef, now: datetime) -> MemberRecord:
        """The member for a platform user, created on first sight; names kept fresh.

        Adoption: a member first seen anywhere but at their join was there
        before the bot (or joined unseen), so they join at the time the
        platform gives, else at an unknown time, which makes them an
        established member, never a newcomer. `joined` dates a real arrival."""
        key = user.key
        m = self.members.get(key)
        if m is None:
            m = MemberRecord(
                community=self.community,
                key=key,
                platform=user.platform,
                user_id=user.user_id,
                name=user.name,
                username=user.username,
                # The platform's language setting until the member picks one.
                language=locale_of(user.language),
                joined_at=user.joined_at,
                last_seen=now,
            )
            self.members[key] = m
            self._new.add(key)
            if user.username:
                self._usernames[user.username.lower()] = key
            self._writes.member(m)
        elif m.joined_at is None and user.joined_at is not None:
            m.joined_at = user.joined_at
            self._writes.member(m)
        if (user.name and m.name != user.name) or (user.username and m.username != user.username):
            if m.username and m.username.lower() in self._usernames:
                del self._usernames[m.username.lower()]
            m.name = user.name or m.name
            m.username = user.username or m.username
            if m.username:
                self._usernames[m.username.lower()] = key
            self._writes.member(m)
        return m

    def stored_before_start(self, key: str) -> bool:
        """Whether the member was loaded at start, so the store may hold
        more of them than the events since have shown."""
        return key in self.members and key not in self._new

    def find(self, who: str) -> MemberRecord | None:
        """A member by `@username`, platform key, or exact display name."""
        who = who.strip()
        if who.startswith("@"):
            key = self._usernames.get(who[1:].lower())
            return self.members.get(key) if key else None
        if who in self.members:
            return self.members[who]
        folded = who.casefold()
        for m in self.members.values():
            if m.name.casefold() == folded:
                return m
        return None

    def role(self, member: MemberRecord, user: UserRef | None = None) -> str:
        if member.key in self._owners:
            return "owner"
        best = member.role
        if member.key in self._moderators or (user is not None and user.is_admin):
            best = max(best, "moderator", key=ROLE_RANK.__getitem__)
        return best

    def is_staff(self, member: MemberRecord, user: UserRef | None = None) -> bool:
        return self.role(member, user) != "member"

    def set_role(self, member: MemberRecord, role: str) -> None:
        member.role = role
        self._writes.member(member)

    def touch(self, member: MemberRecord, *, soft: bool = False) -> None:
        self._writes.member(member, soft=soft)

    def forget(self, member: MemberRecord) -> None:
        """`/forgetme`: the member's name, language and habits go. The record
        stays (the platform still shows them in its groups, and the bot sees
        their name again if they keep talking)."""
        if member.username:
            self._usernames.pop(member.username.lower(), None)
        member.name, member.username, member.language = "", None, None
        member.message_count, member.streak = 0, 0
        member.last_checkin = member.last_points_at = member.last_seen = None
        self._writes.member(member)

    def group(self, chat: ChatRef, now: datetime, title: str = "") -> GroupRecord:
        """The group for a chat, registered with the next serial on first sight;
        the log chat is never registered (a record of the moment, state LOG)."""
        key = chat.key
        if key == self._log_chat:
            return GroupRecord(
                self.community, key, chat.platform, chat.chat_id, title or chat.chat_id,
                serial=0, capacity=0, state=LOG, created_at=now,
            )  # fmt: skip
        g = self.groups.get(key)
        if g is None:
            serial = max((x.serial for x in self.groups.values()), default=0) + 1
            g = GroupRecord(
                community=self.community,
                chat_key=key,
                platform=chat.platform,
                chat_id=chat.chat_id,
                title=title or chat.chat_id,
                serial=serial,
                capacity=self._config.groups.capacity,
                created_at=now,
            )
            self.groups[key] = g
            self.version += 1
            self._writes.group(g)
        elif title and g.title != title:
            # Renamed on the platform (or first seen without a name).
            g.title = title
            self.version += 1
            self._writes.group(g)
        return g

    def move(self, old: ChatRef, new: ChatRef, at: datetime) -> GroupRecord | None:
        """The group at `old` now lives at `new` (a Telegram group upgraded to
        a supergroup): its serial, state, capacity and count go with it, and
        so does everything stored under the old key (stats, cases, ledger
        entries, memberships ...: `storage.chat_move`), in the transaction
        that stores the move. The old record stays stored, as MOVED, the
        marker of the move. A record the new chat got meanwhile (a message
        read there first) gives way. None when `old` is no group of the
        community: a second report of the same move changes nothing."""
        group = self.groups.pop(old.key, None)
        if group is None:
            return None
        moved = GroupRecord(
            community=group.community,
            chat_key=new.key,
            platform=new.platform,
            chat_id=new.chat_id,
            title=new.title or group.title,
            serial=group.serial,
            capacity=group.capacity,
            state=group.state,
            member_count=group.member_count,
            created_at=group.created_at,
        )
        stale = self.groups.get(new.key)
        if stale is not None:
            moved.member_count = max(moved.member_count, stale.member_count)
        self.groups[new.key] = moved
        group.state = MOVED
        self.version += 1
        self._writes.group(group)
        self._writes.group(moved)
        self._writes.move(ChatMoveRecord(self.community, old.key, new.key, at))
        return moved

    def save_group(self, group: GroupRecord) -> None:
        if group.chat_key != self._log_chat:
            self.version += 1
            self._writes.group(group)

    def joined(
        self, member: MemberRecord, group: GroupRecord, now: datetime, invite: str | None
    ) -> None:
        if member.joined_at is None and member.message_count == 0:
            # Known so far only from a private chat or a join request, never
            # from a group: this is their arrival, and they are a newcomer.
            member.joined_at = now
            self._writes.member(member)
        group.member_count += 1
        self._writes.group(group)
        self._writes.membership(
            MembershipRecord(self.community, member.key, group.chat_key, now, None, invite)
        )

    def left(self, member: MemberRecord, group: GroupRecord, now: datetime) -> None:
        group.member_count = max(0, group.member_count - 1)
        self._writes.group(group)
        joined = member.joined_at or now
        self._writes.membership(
            MembershipRecord(self.community, member.key, group.chat_key, joined, now)
        )


def _usernames(members: Iterable[MemberRecord]) -> dict[str, str]:
    """Lower-case username -> member key; a username already in lower case is
    the same string, so a million members' usernames are not held twice."""
    found: dict[str, str] = {}
    for m in members:
        name = m.username
        if name is not None:
            lower = name.lower()
            found[name if lower == name else lower] = m.key
    return found


def user_of(member: MemberRecord) -> UserRef:
    return UserRef(member.platform, member.user_id, member.name, member.username)


def chat_of(group: GroupRecord) -> ChatRef:
    return ChatRef(group.platform, group.chat_id, title=group.title)


def display(member: MemberRecord) -> str:
    if member.username:
        return f"@{member.username}"
    return member.name or member.user_id
