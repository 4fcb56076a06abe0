"""Moderation cases and warnings with their escalation ladder.

Every moderation action, by the bot or by a moderator, becomes a numbered
case; warnings expire after the ladder's `ttl`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.batcher import WriteBehind
from bot.core.records import CaseRecord, MemberRecord, Snapshot, WarningRecord
from rules.schema import Escalation, EscalationStep


@dataclass(frozen=True, slots=True)
class Warned:
    count: int
    limit: int | None
    step: EscalationStep | None


class Moderation:
    def __init__(
        self, community: str, escalation: Escalation, snapshot: Snapshot, writes: WriteBehind
    ) -> None:
        self._community = community
        self._writes = writes
        self.escalation = escalation
        self._last_case = snapshot.last_case_id
        self._last_warning = snapshot.last_warning_id
        self._warnings: dict[str, list[WarningRecord]] = {}
        for w in snapshot.warnings:
            self._warnings.setdefault(w.member_key, []).append(w)
        self.recent_cases: dict[int, CaseRecord] = {}

    def open_case(
        self,
        action: str,
        member: MemberRecord,
        at: datetime,
        *,
        group_key: str | None,
        moderator_key: str | None = None,
        rule: str | None = None,
        reason: str = "",
        details: str = "",
        duration: str | None = None,
        message_text: str = "",
    ) -> CaseRecord:
        self._last_case += 1
        case = CaseRecord(
            community=self._community,
            id=self._last_case,
            at=at,
            action=action,
            member_key=member.key,
            group_key=group_key,
            moderator_key=moderator_key,
            rule=rule,
            reason=reason,
            details=details,
            duration=duration,
            message_text=message_text[:1000],
        )
        self._writes.case(case)
        self.recent_cases[case.id] = case
        if len(self.recent_cases) > 1000:
            del self.recent_cases[min(self.recent_cases)]
        return case

    def active(self, member_key: str, now: datetime) -> list[WarningRecord]:
        return [w for w in self._warnings.get(member_key, ()) if w.active and w.expires_at > now]

    @property
    def limit(self) -> int | None:
        ladder = self.escalation.ladder
        return ladder[-1].at if ladder else None

    def warn(self, member: MemberRecord, case: CaseRecord, rule: str | None) -> Warned:
        self._last_warning += 1
        w = WarningRecord(
            community=self._community,
            id=self._last_warning,
            member_key=member.key,
            at=case.at,
            expires_at=case.at + self.escalation.ttl,
            case_id=case.id,
            rule=rule,
        )
        self._warnings.setdefault(member.key, []).append(w)
        self._writes.warning(w)
        count = len(self.active(member.key, case.at))
        return Warned(count, self.limit, self.escalation.step_for(count))

    def unwarn(self, member_key: str, now: datetime) -> int | None:
        """Withdraw the latest active warning; None when there was none."""
        active = self.active(member_key, now)
        if not active:
            return None
        latest = active[-1]
        latest.active = False
        self._writes.warning(latest)
        return len(active) - 1
