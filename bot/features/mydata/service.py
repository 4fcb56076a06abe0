"""Members' own data: what the community stores about a member, as a file
(`/mydata`), and its erasure (`/forgetme`, after a confirmation).

An erasure deletes what is only about the member (their points ledger, the
invites and captchas of their entry, decided appeals, expired warnings) and
makes anonymous what the community's numbers rest on (closed cases, reports
they made, days they were active, RSVPs): those rows move to an alias with
their words removed. The moderators' risk alerts and lockdowns that name
the member show the alias instead, in the database and in what the risk
feature holds (its `forget`). It keeps what moderators must keep, and says
why: a sanction still in force, a case under appeal or waiting for review,
warnings in force (the ladder counts them until they expire), a lockdown in
force that muted them (lifting it unmutes them), payments (refunds and
accounts need them), and their places in the groups while they are there.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.config import Locale
from bot.core.actions import Action
from bot.core.i18n import t
from bot.core.records import MemberRecord
from bot.features.appeals.records import PENDING
from bot.features.appeals.service import Appeals
from bot.features.moderation.cases import Moderation
from bot.features.mydata.store import ERASED, Erased, Kept, MemberDataStore
from bot.features.points.points import Points

if TYPE_CHECKING:
    from bot.core.kit import Kit

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Flags about a member still waiting for review: (flag id, its case id).
WaitingFlags = Callable[[str], list[tuple[int, int | None]]]
# Lockdowns in force that muted a member: their ids.
Muting = Callable[[str], list[int]]
# (member key, alias) -> what follows on the platforms (a season role taken back).
Forget = Callable[[str, str], list[Action]]


class MyData:
    def __init__(
        self,
        kit: Kit,
        store: MemberDataStore,
        points: Points,
        cases: Moderation,
        appeals: Appeals,
        waiting_flags: WaitingFlags,
        flushes: Sequence[Callable[[], Awaitable[None]]] = (),
        forgets: Sequence[Forget] = (),
        muting: Muting | None = None,
        erasers: Sequence[Callable[[str], Awaitable[None]]] = (),
    ) -> None:
        self.kit = kit
        self.store = store
        self.points = points
        self.cases = cases
        self.appeals = appeals
        self.waiting_flags = waiting_flags
        # Features that buffer rows of their own (analytics' active days):
        # flushed before a copy or an erasure, like the core's batcher.
        self.flushes = tuple(flushes)
        # Features that hold rows about members in memory (the seasons'
        # archive): told the member's key and alias after an erasure.
        self.forgets = tuple(forgets)
        # Features that keep a member's key in a store of their own (the
        # private hint's note): they rewrite it at the erasure.
        self.erasers = tuple(erasers)
        self.muting = muting
        # Who asked to be forgotten, until when their confirmation counts.
        self.asked: dict[str, datetime] = {}
        self._exported: dict[str, datetime] = {}

    def export_wait(self, member_key: str, now: datetime) -> int:
        """Minutes until the member may have another copy (0: now)."""
        last = self._exported.get(member_key)
        every = self.kit.config.mydata.export_every
        if last is None or now - last >= every:
            return 0
        return max(1, int((last + every - now).total_seconds() // 60))

    async def export(self, member: MemberRecord, now: datetime) -> bytes:
        """Everything stored about the member, as one JSON document."""
        self._exported[member.key] = now
        # Rows still on their way to the database belong in the copy.
        await self._flush()
        slug = self.kit.config.community.slug
        rows = await self.store.export(slug, member.key)
        balance = self.points.balance(member.key)
        level, title = self.points.level(balance)
        doc: dict[str, Any] = {
            "community": slug,
            "member": member.key,
            "exported_at": now.isoformat(),
            "profile": {
                "name": member.name,
                "username": member.username,
                "language": member.language,
                "role": self.kit.directory.role(member),
                "joined_at": _iso(member.joined_at),
                "last_seen": _iso(member.last_seen),
                "messages": member.message_count,
                "streak": member.streak,
                "last_checkin": member.last_checkin.isoformat() if member.last_checkin else None,
            },
            "points": {"balance": balance, "level": level, "title": title.title},
            "warnings_in_force": [
                {"id": w.id, "case": w.case_id, "rule": w.rule, "until": _iso(w.expires_at)}
                for w in self.cases.active(member.key, now)
            ],
            **rows,
        }
        return json.dumps(doc, ensure_ascii=False, indent=2, default=str).encode("utf-8")

    async def kept(
        self, member: MemberRecord, now: datetime, loc: Locale
    ) -> tuple[Kept, list[str]]:
        """What an erasure now would keep, and each reason in words."""
        reasons: list[str] = []
        case_ids: set[int] = set()
        standing = await self.appeals.standing(member.key, now, since=_EPOCH)
        if standing is not None:
            case_ids.add(standing.id)
            action = t(loc, f"actions.{standing.action}")
            reasons.append(t(loc, "mydata.kept.standing", case=standing.id, action=action))
        pending = [a for a in self.appeals.of_member(member.key) if a.status == PENDING]
        for a in pending:
            case_ids.add(a.case_id)
            reasons.append(t(loc, "mydata.kept.appeal", id=a.id, case=a.case_id))
        warnings = self.cases.active(member.key, now)
        if warnings:
            case_ids.update(w.case_id for w in warnings)
            until = max(w.expires_at for w in warnings)
            reasons.append(
                t(loc, "mydata.kept.warnings", count=len(warnings), until=self._day(until))
            )
        flags = self.waiting_flags(member.key)
        for flag_id, case_id in flags:
            if case_id is not None:
                case_ids.add(case_id)
            reasons.append(t(loc, "mydata.kept.flag", id=flag_id))
        lockdowns = self.muting(member.key) if self.muting is not None else []
        reasons += [t(loc, "mydata.kept.lockdown", id=n) for n in lockdowns]
        reasons.append(t(loc, "mydata.kept.payments"))
        reasons.append(t(loc, "mydata.kept.places"))
        kept = Kept(
            cases=frozenset(case_ids),
            warnings=frozenset(w.id for w in warnings),
            flags=frozenset(f for f, _ in flags),
            appeals=frozenset(a.id for a in pending),
            lockdowns=frozenset(lockdowns),
        )
        return kept, reasons

    async def forget(
        self, member: MemberRecord, now: datetime, loc: Locale
    ) -> tuple[Erased, list[str], list[Action]]:
        """Erase the member's personal data now; (what was done, what was
        kept and why, what the platforms must do: a season's role taken back)."""
        self.asked.pop(member.key, None)
        kept, reasons = await self.kept(member, now, loc)
        # Pending writes first: a ledger row written after the erasure would
        # bring back what it erased.
        await self._flush()
        alias = ERASED + secrets.token_hex(6)
        erased = await self.store.erase(self.kit.config.community.slug, member.key, kept, alias)
        self.points.forget(member.key)
        self.appeals.forget(member.key, set(kept.appeals))
        self._exported.pop(member.key, None)
        recent = self.cases.recent_cases
        for case_id, case in list(recent.items()):
            if case.member_key == member.key and case_id not in kept.cases:
                recent[case_id] = replace(case, member_key=alias, message_text="")
        actions = [a for forget in self.forgets for a in forget(member.key, alias)]
        for erase in self.erasers:
            await erase(member.key)
        self.kit.directory.forget(member)
        return erased, reasons, actions

    async def _flush(self) -> None:
        await self.kit.writes.flush(everything=True)
        for flush in self.flushes:
            await flush()

    def _day(self, at: datetime) -> str:
        return self.kit.calendar.local_date(at).isoformat()


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
