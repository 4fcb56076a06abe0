"""Community events (社群活动): moderators create them, members RSVP, and a
code given out during the event pays its points once per member.

Named "gatherings" because `bot.core.events` holds the core's event types."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.features.economy.records import GatheringRecord, RsvpRecord
from bot.features.economy.writer import EconomyWriter
from bot.features.points.outcomes import LevelUp
from bot.features.points.points import Points

EVENT = "event"
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

RsvpRefusal = Literal["unknown", "past", "full", "already"]
AttendRefusal = Literal["unknown", "not_open", "closed", "already"]


@dataclass(frozen=True, slots=True)
class Attended:
    event: GatheringRecord | None = None
    refusal: AttendRefusal | None = None
    level_up: LevelUp | None = None


class Gatherings:
    def __init__(
        self,
        community: str,
        points: Points,
        commit: EconomyWriter,
        events: list[GatheringRecord],
        rsvps: list[RsvpRecord],
    ) -> None:
        self._community = community
        self._points = points
        self._commit = commit
        self.events: dict[int, GatheringRecord] = {e.id: e for e in events}
        self.rsvps: dict[int, dict[str, RsvpRecord]] = {}
        for r in rsvps:
            self.rsvps.setdefault(r.event_id, {})[r.member_key] = r
        self._next_id = max(self.events, default=0) + 1
        # Attendance keys paid by this process: two /attend racing each other
        # pay once; across restarts the ledger key refuses the second.
        self._paid: set[str] = set()

    def _code(self, event_id: int, starts_at: datetime, by: str) -> str:
        digest = hashlib.sha256(
            f"{self._community}|{event_id}|{starts_at.isoformat()}|{by}".encode()
        ).digest()
        return "".join(_CODE_ALPHABET[b % len(_CODE_ALPHABET)] for b in digest[:6])

    async def create(
        self,
        title: str,
        starts_at: datetime,
        points: int,
        capacity: int | None,
        by: str,
        group_key: str | None,
    ) -> GatheringRecord:
        eid = self._next_id
        self._next_id += 1
        event = GatheringRecord(
            self._community, eid, title, starts_at, points, self._code(eid, starts_at, by), by,
            capacity, group_key,
        )  # fmt: skip
        self.events[eid] = event
        await self._commit([event], rollback=lambda: self.events.pop(eid, None))
        return event

    def upcoming(self, now: datetime) -> list[GatheringRecord]:
        """Events not yet over (still open for attendance), soonest first."""
        attend_for = self._points.config.events.attend_for
        return sorted(
            (e for e in self.events.values() if e.starts_at + attend_for > now),
            key=lambda e: (e.starts_at, e.id),
        )

    def going(self, event_id: int) -> int:
        return len(self.rsvps.get(event_id, {}))

    async def rsvp(self, event_id: int, member_key: str, now: datetime) -> RsvpRefusal | None:
        event = self.events.get(event_id)
        if event is None:
            return "unknown"
        if event.starts_at <= now:
            return "past"
        going = self.rsvps.setdefault(event_id, {})
        if member_key in going:
            return "already"
        if event.capacity is not None and len(going) >= event.capacity:
            return "full"
        record = RsvpRecord(self._community, event_id, member_key, now)
        going[member_key] = record
        await self._commit([record], rollback=lambda: going.pop(member_key, None))
        return None

    async def attend(self, code: str, member_key: str, now: datetime) -> Attended:
        cfg = self._points.config.events
        wanted = code.strip().upper()
        matches = [e for e in self.events.values() if e.code == wanted]
        if not matches:
            return Attended(refusal="unknown")
        event = max(matches, key=lambda e: e.starts_at)
        if now < event.starts_at - cfg.open_before:
            return Attended(event, "not_open")
        if now >= event.starts_at + cfg.attend_for:
            return Attended(event, "closed")
        key = f"event:{event.id}:{member_key}"
        if key in self._paid:
            return Attended(event, "already")
        self._paid.add(key)
        entry = self._points.entry(member_key, event.points, EVENT, key, now, event.group_key)
        done = await self._commit([], [entry], rollback=lambda: self._paid.discard(key))
        if key in done.duplicates:
            return Attended(event, "already")
        return Attended(event, level_up=done.ups[0][1] if done.ups else None)

    async def due_reminders(self, now: datetime) -> list[GatheringRecord]:
        """Events starting within `remind_before` that were not reminded yet;
        each is marked reminded (and saved) before it is returned."""
        before = self._points.config.events.remind_before
        due = [
            e
            for e in self.events.values()
            if not e.reminded and e.starts_at - before <= now < e.starts_at
        ]
        for e in sorted(due, key=lambda e: (e.starts_at, e.id)):
            e.reminded = True
            await self._commit([e])
        return due
