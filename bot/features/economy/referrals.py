"""Referrals (裂变): personal invite links, joins attributed to them, and the
inviter's reward only once the invitee qualifies (stays `days` and posts
`messages`), so accounts made to farm invites earn nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.core.records import MemberRecord
from bot.features.economy.records import InviteRecord, ReferralRecord
from bot.features.economy.writer import EconomyWriter
from bot.features.points.outcomes import LevelUp
from bot.features.points.points import Points

REFERRAL = "referral"


def invite_token(link: str) -> str:
    """What a join reports of a link: Discord gives the code, Telegram the
    whole URL; both end in the same last path segment."""
    return link.strip().rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Qualified:
    referral: ReferralRecord
    points: int
    level_up: LevelUp | None


class Referrals:
    def __init__(
        self,
        community: str,
        points: Points,
        commit: EconomyWriter,
        invites: list[InviteRecord],
        referrals: list[ReferralRecord],
    ) -> None:
        self._community = community
        self._points = points
        self._commit = commit
        self.invites: dict[str, InviteRecord] = {i.token: i for i in invites}
        self.referrals: dict[str, ReferralRecord] = {r.invitee_key: r for r in referrals}

    async def invite_created(self, link: str, member_key: str, now: datetime) -> None:
        """A platform made `link` for the member (the gateway or runner says so)."""
        record = InviteRecord(self._community, invite_token(link), member_key, link, now)
        self.invites[record.token] = record
        await self._commit([record])

    def link_of(self, member_key: str) -> str | None:
        mine = [i for i in self.invites.values() if i.member_key == member_key]
        return max(mine, key=lambda i: i.created_at).link if mine else None

    async def joined(
        self,
        member: MemberRecord,
        group_key: str,
        invite: str | None,
        added_by: str | None,
        now: datetime,
    ) -> ReferralRecord | None:
        """Attribute a newcomer's join to the member whose link they used (or
        who added them). Members seen before, and self-invites, are not."""
        if not self._points.config.referrals.enabled or member.key in self.referrals:
            return None
        inviter = None
        if invite:
            link = self.invites.get(invite_token(invite))
            inviter = link.member_key if link else None
        inviter = inviter or added_by
        if inviter is None or inviter == member.key:
            return None
        new = member.joined_at == now and member.message_count == 0
        if not new:
            return None
        record = ReferralRecord(
            self._community, member.key, inviter, now, group_key, member.message_count
        )
        self.referrals[member.key] = record
        await self._commit([record], rollback=lambda: self.referrals.pop(member.key, None))
        return record

    async def left(self, member_key: str, now: datetime) -> None:
        r = self.referrals.get(member_key)
        if r is not None and r.status == "pending":
            r.status, r.resolved_at = "left", now
            await self._commit([r])

    async def qualify(self, now: datetime, members: Mapping[str, MemberRecord]) -> list[Qualified]:
        """Pay inviters whose invitees now qualify."""
        cfg = self._points.config.referrals
        out: list[Qualified] = []
        for r in list(self.referrals.values()):
            if r.status != "pending" or now - r.joined_at < cfg.days:
                continue
            invitee = members.get(r.invitee_key)
            if invitee is None or invitee.message_count - r.base_messages < cfg.messages:
                continue
            r.status, r.resolved_at = "qualified", now
            entry = self._points.entry(
                r.inviter_key, cfg.points, REFERRAL, f"referral:{r.invitee_key}", now, r.group_key
            )

            def rollback(r: ReferralRecord = r) -> None:
                r.status, r.resolved_at = "pending", None

            done = await self._commit([r], [entry] if cfg.points else [], rollback)
            if entry.key not in done.duplicates:
                out.append(Qualified(r, cfg.points, done.ups[0][1] if done.ups else None))
        return out

    def of(self, inviter_key: str) -> list[ReferralRecord]:
        return sorted(
            (r for r in self.referrals.values() if r.inviter_key == inviter_key),
            key=lambda r: (r.joined_at, r.invitee_key),
        )
