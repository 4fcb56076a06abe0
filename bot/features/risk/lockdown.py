"""Raid lockdowns: when many accounts join a group at once (the raid monitor),
or when a moderator says `/lockdown`, the group closes down until a moderator
lifts it (`/unlock`, or the button in the log chat), or by itself after
`lift_after`.

While a group is locked down, every member (staff excepted) may post once per
`slow_mode` (enforced by the bot on every platform: a faster message is
removed and its author told once), and the members who joined within the
raid's window or join while it lasts are muted. Lifting unmutes them. A
lockdown is stored when it starts and when it changes, so a restart neither
forgets it nor leaves its newcomers muted.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from bot.config.risk import LockdownConfig
from bot.core.actions import (
    Action,
    DeleteMessage,
    MuteMember,
    SendDirect,
    SendMessage,
    UnmuteMember,
)
from bot.core.buttons import Button
from bot.core.directory import chat_of, display, user_of
from bot.core.events import ChatRef, MessagePosted
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import GroupRecord, MemberRecord
from bot.features.risk.records import LockdownRecord, SpamSnapshot
from bot.features.risk.store import SpamStore
from rules.durations import format_duration

RULE = "lockdown"
# Discord times members out for 28 days at most; a lockdown without an end
# mutes for a day less (clocks drift), and lifting it unmutes.
_LONGEST_MUTE = timedelta(days=27)
# Joins remembered per group, to find who came with a raid.
_JOINS = 1000


class Lockdowns:
    def __init__(self, kit: Kit, store: SpamStore, snapshot: SpamSnapshot) -> None:
        self.kit = kit
        self.store = store
        self.active: dict[str, LockdownRecord] = {k.group_key: k for k in snapshot.lockdowns}
        self._last_id = snapshot.last_lockdown_id
        self._joins: dict[str, deque[tuple[datetime, str]]] = {}
        # (group, member) -> their last message's time, while locked down.
        self._posted: dict[tuple[str, str], datetime] = {}
        self._told: set[tuple[int, str]] = set()

    def forget(self, key: str, alias: str) -> None:
        """`/forgetme`: the lockdowns in force name the alias beside the
        member's key, which goes when they lift (as the erasure wrote)."""
        for lockdown in self.active.values():
            lockdown.muted = forgotten(lockdown.muted, key, alias)

    def by_id(self, lockdown_id: int) -> LockdownRecord | None:
        return next((k for k in self.active.values() if k.id == lockdown_id), None)

    def joined(self, member: MemberRecord, group: GroupRecord, now: datetime) -> None:
        joins = self._joins.get(group.chat_key)
        if joins is None:
            # Not `setdefault`: that would build a deque on every join.
            joins = self._joins[group.chat_key] = deque(maxlen=_JOINS)
        joins.append((now, member.key))

    async def start(
        self,
        group: GroupRecord,
        now: datetime,
        spec: LockdownConfig,
        *,
        by: MemberRecord | None = None,
        alert_id: int | None = None,
        newcomers_since: datetime | None = None,
    ) -> list[Action]:
        """Lock the group down; `newcomers_since`: who joined since then is
        muted too (the raid's own accounts)."""
        if group.chat_key in self.active:
            return []
        self._last_id += 1
        lockdown = LockdownRecord(
            self.kit.config.community.slug,
            self._last_id,
            group.chat_key,
            now,
            by.key if by is not None else None,
            alert_id,
            int(spec.slow_mode.total_seconds()),
            lift_at=now + spec.lift_after if spec.lift_after is not None else None,
        )
        self.active[group.chat_key] = lockdown
        chat = chat_of(group)
        actions: list[Action] = []
        if spec.mute_newcomers and newcomers_since is not None:
            recent = [k for at, k in self._joins.get(group.chat_key, ()) if at >= newcomers_since]
            for key in dict.fromkeys(recent):
                member = self.kit.directory.members.get(key)
                if member is not None and not self.kit.directory.is_staff(member):
                    actions.append(self._mute(lockdown, member, chat, now))
        await self.store.save_lockdown(lockdown)
        loc = self.kit.config.community.locale
        slow = format_duration(spec.slow_mode)
        key = "lockdown.started_manual" if by is not None else "lockdown.started_raid"
        actions.append(SendMessage(chat, t(loc, key, slow=slow), kind="notice"))
        log = self.kit.log_chat
        if log is not None:
            text = t(
                loc,
                "lockdown.log_started",
                id=lockdown.id,
                group=group.title,
                slow=slow,
                count=len(_muted(lockdown)),
                name=display(by) if by is not None else t(loc, "lockdown.by_monitor"),
                until=format_duration(spec.lift_after)
                if spec.lift_after is not None
                else t(loc, "lockdown.until_lifted"),
            )
            button = Button(
                t(loc, "lockdown.button", id=lockdown.id), "unlock", (str(lockdown.id),)
            )
            actions.append(SendMessage(log, text, kind="alert", buttons=(button,)))
        return actions

    def _mute(
        self, lockdown: LockdownRecord, member: MemberRecord, chat: ChatRef, now: datetime
    ) -> MuteMember:
        until = lockdown.lift_at or now + _LONGEST_MUTE
        muted = _muted(lockdown)
        if member.key not in muted:
            lockdown.muted = "\n".join([*muted, member.key])
        return MuteMember(chat, user_of(member), until, format_duration(until - now), rule=RULE)

    async def newcomer(
        self, member: MemberRecord, group: GroupRecord, now: datetime, spec: LockdownConfig
    ) -> list[Action]:
        """A member joining a locked-down group is muted until it lifts."""
        lockdown = self.active.get(group.chat_key)
        if lockdown is None or not spec.mute_newcomers or self.kit.directory.is_staff(member):
            return []
        action = self._mute(lockdown, member, chat_of(group), now)
        await self.store.save_lockdown(lockdown)
        return [action]

    def check(self, ev: MessagePosted, member: MemberRecord, group: GroupRecord) -> list[Action]:
        """Slow mode for a member's message in a locked-down group: the
        actions that remove it, or none when it may stay."""
        lockdown = self.active.get(group.chat_key)
        if lockdown is None:
            return []
        where = (group.chat_key, member.key)
        last = self._posted.get(where)
        if last is not None and (ev.at - last).total_seconds() < lockdown.slow_mode:
            actions: list[Action] = [DeleteMessage(ev.chat, (ev.message_id,), RULE)]
            if (lockdown.id, member.key) not in self._told:
                self._told.add((lockdown.id, member.key))
                slow = format_duration(timedelta(seconds=lockdown.slow_mode))
                text = t(self.kit.locale_for(member), "lockdown.slow", group=group.title, slow=slow)
                actions.append(SendDirect(user_of(member), text, fallback_chat=ev.chat))
            return actions
        self._posted[where] = ev.at
        return []

    async def lift(
        self, lockdown: LockdownRecord, now: datetime, by: MemberRecord | None
    ) -> list[Action]:
        self.active.pop(lockdown.group_key, None)
        lockdown.lifted_at, lockdown.lifted_by = now, by.key if by is not None else None
        muted = _muted(lockdown)
        lockdown.muted = _lifted(lockdown.muted)
        await self.store.save_lockdown(lockdown)
        self._posted = {k: v for k, v in self._posted.items() if k[0] != lockdown.group_key}
        self._told = {k for k in self._told if k[0] != lockdown.id}
        kit = self.kit
        group = kit.directory.groups.get(lockdown.group_key)
        chat = chat_of(group) if group is not None else ChatRef.parse(lockdown.group_key)
        actions: list[Action] = []
        unmuted = 0
        for key in muted:
            member = kit.directory.members.get(key)
            if member is not None:
                actions.append(UnmuteMember(chat, user_of(member)))
                unmuted += 1
        loc = kit.config.community.locale
        actions.append(SendMessage(chat, t(loc, "lockdown.lifted"), kind="notice"))
        log = kit.log_chat
        if log is not None:
            text = t(
                loc,
                "lockdown.log_lifted",
                id=lockdown.id,
                group=group.title if group is not None else lockdown.group_key,
                name=display(by) if by is not None else t(loc, "lockdown.by_timer"),
                length=format_duration(now - lockdown.started_at),
                count=unmuted,
            )
            actions.append(SendMessage(log, text, kind="log"))
        return actions

    async def tick(self, now: datetime) -> list[Action]:
        actions: list[Action] = []
        for lockdown in list(self.active.values()):
            if lockdown.lift_at is not None and lockdown.lift_at <= now:
                actions += await self.lift(lockdown, now, None)
        return actions


def _muted(lockdown: LockdownRecord) -> list[str]:
    """The keys of the members it muted (to unmute when it lifts)."""
    return [line.split(" ", 1)[0] for line in lockdown.muted.split("\n")] if lockdown.muted else []


def forgotten(muted: str, key: str, alias: str) -> str:
    """`/forgetme` while a lockdown that muted the member lasts: their line
    becomes `key alias`, the key kept until the lockdown lifts (it must
    unmute them then), the alias alone after (`_lifted`)."""
    lines = muted.split("\n") if muted else []
    return "\n".join(f"{key} {alias}" if line == key else line for line in lines)


def _lifted(muted: str) -> str:
    return "\n".join(line.rsplit(" ", 1)[-1] for line in muted.split("\n")) if muted else muted
