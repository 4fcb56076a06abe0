"""Appeals (申诉): a muted, kicked or banned member writes to the bot
privately, `/appeal reason`, within `appeals.window` of the case; one appeal
per case and one per member within `appeals.every`. The moderators get it in
the log chat with the case, its evidence and what `/why` knows, and decide
with Accept (the sanction lifted, the case noted, the text learned as not
spam when the spam detector caught it) or Reject (the reason sent back).

A case's standing is read from the member's cases: a later unmute or unban
lifted it, and a mute or ban whose length ran out is over.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import Locale
from bot.core.actions import Action, SendDirect, SendMessage
from bot.core.buttons import Button
from bot.core.directory import chat_of, display, user_of
from bot.core.events import ChatRef
from bot.core.i18n import t
from bot.core.records import CaseRecord, GroupRecord, MemberRecord
from bot.features.appeals.records import ACCEPTED, PENDING, REJECTED, AppealRecord
from bot.features.appeals.store import AppealsStore
from bot.features.moderation.cases import Moderation
from bot.features.moderation.enforcement import Enforcer
from bot.features.moderation.verdicts import found
from rules.durations import format_duration, parse_duration

if TYPE_CHECKING:
    from bot.core.kit import Kit

# What a member may appeal, and what lifts each.
SANCTIONS = ("mute", "kick", "ban")
LIFTED_BY = {"mute": "unmute", "ban": "unban"}
# The spam detector's rule name on its cases: their text is learned as not
# spam when an appeal against one is accepted.
SPAM_RULE = "spam"
_EXCERPT = 300

# Teaches the spam detector that a text is not spam: (text, when, by, member).
LearnHam = Callable[[str, datetime, str, str], Awaitable[object]]


class Appeals:
    def __init__(
        self,
        kit: Kit,
        store: AppealsStore,
        cases: Moderation,
        enforcer: Enforcer,
        saved: list[AppealRecord],
        learn_ham: LearnHam | None = None,
    ) -> None:
        self.kit = kit
        self.store = store
        self.cases = cases
        self.enforcer = enforcer
        self.learn_ham = learn_ham
        self.by_id: dict[int, AppealRecord] = {a.id: a for a in saved}
        self.by_case: dict[int, AppealRecord] = {a.case_id: a for a in saved}
        self._last_id = max(self.by_id, default=0)
        # Each member's latest appeal, for the rate limit.
        self._last_at: dict[str, datetime] = {}
        for a in sorted(saved, key=lambda a: a.at):
            self._last_at[a.member_key] = a.at

    def waiting(self) -> list[AppealRecord]:
        return [a for a in sorted(self.by_id.values(), key=lambda a: a.id) if a.status == PENDING]

    def of_member(self, member_key: str) -> list[AppealRecord]:
        return [a for a in self.by_id.values() if a.member_key == member_key]

    async def member_cases(self, member_key: str, since: datetime) -> list[CaseRecord]:
        """The member's cases since `since`: stored ones and those still on
        their way to the database, each once, oldest first."""
        slug = self.kit.config.community.slug
        found_cases = {c.id: c for c in await self.store.cases_of(slug, member_key, since)}
        for c in self.cases.recent_cases.values():
            if c.member_key == member_key and c.at >= since:
                found_cases[c.id] = c
        return [found_cases[i] for i in sorted(found_cases)]

    async def standing(
        self, member_key: str, now: datetime, since: datetime | None = None
    ) -> CaseRecord | None:
        """The newest sanction since `since` (by default: within the appeal
        window) that still stands."""
        if since is None:
            since = now - self.kit.config.appeals.window
        cases = await self.member_cases(member_key, since)
        for i in range(len(cases) - 1, -1, -1):
            case = cases[i]
            if case.action not in SANCTIONS:
                continue
            lift = LIFTED_BY.get(case.action)
            if lift is not None and any(c.action == lift for c in cases[i + 1 :]):
                continue
            if case.duration and case.action in LIFTED_BY:
                span = parse_duration(case.duration)
                if case.at + span <= now:
                    continue
            return case
        return None

    async def file(
        self, member: MemberRecord, reason: str, now: datetime
    ) -> tuple[str, dict[str, object], list[Action]]:
        """A member's appeal: (the answer's key, its values, the actions for
        the moderators)."""
        cfg = self.kit.config.appeals
        reason = " ".join(reason.split())
        last = self._last_at.get(member.key)
        if last is not None and now - last < cfg.every:
            minutes = max(1, int((last + cfg.every - now).total_seconds() // 60))
            return "appeal.too_soon", {"minutes": minutes}, []
        case = await self.standing(member.key, now)
        if case is None:
            return "appeal.nothing", {"window": format_duration(cfg.window)}, []
        earlier = self.by_case.get(case.id)
        if earlier is not None:
            status = t(self.kit.locale_for(member), f"appeal.status.{earlier.status}")
            return "appeal.already", {"case": case.id, "status": status}, []
        if len(reason) < cfg.min_length:
            return "appeal.too_short", {"length": cfg.min_length}, []
        self._last_id += 1
        appeal = AppealRecord(
            self.kit.config.community.slug, self._last_id, member.key, case.id, now, reason[:1000]
        )
        await self.store.save_appeal(appeal)
        self.by_id[appeal.id] = appeal
        self.by_case[case.id] = appeal
        self._last_at[member.key] = now
        return "appeal.received", {"id": appeal.id, "case": case.id}, self.alert(appeal, case)

    def notify(self, case: CaseRecord, member: MemberRecord) -> list[Action]:
        """With `appeals.notify`: a kicked or banned member is told privately,
        before the sanction leaves, how to appeal (a Discord member banned
        from the server, where: `appeals.discord_link`)."""
        cfg = self.kit.config.appeals
        if not cfg.enabled or not cfg.notify or case.action not in ("kick", "ban"):
            return []
        loc = self.kit.locale_for(member)
        group = self.kit.directory.groups.get(case.group_key or "")
        where = group.title if group is not None else self.kit.config.community.name
        window = format_duration(cfg.window)
        action = t(loc, f"actions.{case.action}")
        text = t(loc, "appeal.notice", action=action, where=where, case=case.id, window=window)
        if case.action == "ban" and member.platform == "discord" and cfg.discord_link:
            text = t(loc, "appeal.notice_link", action=action, where=where, case=case.id,
                     window=window, link=cfg.discord_link)  # fmt: skip
        return [SendDirect(user_of(member), text)]

    def alert(self, appeal: AppealRecord, case: CaseRecord | None) -> list[Action]:
        chat = self.kit.log_chat
        if chat is None:
            return []
        loc = self.kit.config.community.locale
        return [
            SendMessage(
                chat, self.describe(appeal, case, loc), kind="alert", buttons=buttons(loc, appeal)
            )
        ]

    def describe(self, appeal: AppealRecord, case: CaseRecord | None, loc: Locale) -> str:
        """The appeal as moderators review it: who, against which case, the
        case's rule and evidence, what /why knows, and the member's words."""
        member = self.kit.directory.members.get(appeal.member_key)
        name = display(member) if member is not None else appeal.member_key
        lines = [
            t(
                loc,
                "appeal.review.head",
                id=appeal.id,
                name=name,
                case=appeal.case_id,
                status=t(loc, f"appeal.status.{appeal.status}"),
            )
        ]
        if case is not None:
            group = self.kit.directory.groups.get(case.group_key or "")
            lines.append(
                t(
                    loc,
                    "appeal.review.case",
                    action=t(loc, f"actions.{case.action}"),
                    where=group.title if group is not None else "-",
                    rule=case.rule or "-",
                    details=case.details or case.reason or "-",
                    duration=case.duration or "-",
                )
            )
            if case.message_text:
                lines.append(t(loc, "appeal.review.evidence", text=_excerpt(case.message_text)))
            why = self.kit.explanations.for_case(case.id)
            if why is not None:
                lines.append(
                    t(loc, "appeal.review.why", rule=why.rule, found=found(why.result, loc))
                )
        lines.append(t(loc, "appeal.review.reason", text=appeal.reason))
        if appeal.status == PENDING:
            lines.append(t(loc, "appeal.review.how", id=appeal.id))
        elif appeal.answer:
            lines.append(t(loc, "appeal.review.answer", text=appeal.answer))
        return "\n".join(lines)

    async def case_of(self, appeal: AppealRecord) -> CaseRecord | None:
        case = self.cases.recent_cases.get(appeal.case_id)
        if case is None:
            case = await self.kit.store.case(self.kit.config.community.slug, appeal.case_id)
        return case

    async def accept(
        self, appeal: AppealRecord, moderator: MemberRecord, note: str, now: datetime
    ) -> list[Action]:
        """The sanction lifted where it was given, the lifting case noting
        the appeal, the member told, and a spam catch unlearned."""
        case = await self.case_of(appeal)
        self._decide(appeal, ACCEPTED, moderator, note, now)
        await self.store.save_appeal(appeal)
        member = self.kit.directory.members.get(appeal.member_key)
        if member is None or case is None:
            return []
        loc = self.kit.locale_for(member)
        community = self.kit.config.community.locale
        reason = t(community, "appeal.case_note", id=appeal.id)
        actions: list[Action] = []
        lift = LIFTED_BY.get(case.action)
        if lift is not None:
            for chat, group in self._where(case, member):
                _, acts = self.enforcer.sanction(
                    lift, member, chat, now, group=group, by=moderator, reason=reason, details=note
                )
                actions += acts
        if case.rule == SPAM_RULE and case.message_text and self.learn_ham is not None:
            await self.learn_ham(case.message_text, now, moderator.key, member.key)
        key = "appeal.accepted_kick" if case.action == "kick" else "appeal.accepted"
        text = t(loc, key, id=appeal.id, case=case.id)
        if note:
            text += "\n" + t(loc, "appeal.note", text=note)
        actions.append(SendDirect(user_of(member), text))
        return actions

    async def reject(
        self, appeal: AppealRecord, moderator: MemberRecord, reason: str, now: datetime
    ) -> list[Action]:
        member = self.kit.directory.members.get(appeal.member_key)
        loc = self.kit.locale_for(member)
        answer = reason or t(loc, "appeal.default_reason")
        self._decide(appeal, REJECTED, moderator, answer, now)
        await self.store.save_appeal(appeal)
        if member is None:
            return []
        text = t(loc, "appeal.rejected", id=appeal.id, case=appeal.case_id, reason=answer)
        return [SendDirect(user_of(member), text)]

    def _decide(
        self, appeal: AppealRecord, status: str, moderator: MemberRecord, answer: str, now: datetime
    ) -> None:
        appeal.status, appeal.decided_at = status, now
        appeal.decided_by, appeal.answer = moderator.key, answer[:1000]

    def _where(
        self, case: CaseRecord, member: MemberRecord
    ) -> list[tuple[ChatRef, GroupRecord | None]]:
        """The group the case was given in; a case given in no group (a
        moderator's /ban @name in private) is lifted in every group of the
        member's platform."""
        groups = self.kit.directory.groups
        group = groups.get(case.group_key or "")
        if group is not None:
            return [(chat_of(group), group)]
        if case.group_key:
            return [(ChatRef.parse(case.group_key), None)]
        return [
            (chat_of(g), g)
            for g in groups.values()
            if g.platform == member.platform and g.state == "open"
        ]

    def forget(self, member_key: str, keep: set[int]) -> None:
        """`/forgetme`: the member's decided appeals go (pending ones, in
        `keep`, are what the moderators still work on)."""
        for a in self.of_member(member_key):
            if a.id not in keep:
                self.by_id.pop(a.id, None)
                self.by_case.pop(a.case_id, None)
        self._last_at.pop(member_key, None)


def buttons(loc: Locale, appeal: AppealRecord) -> tuple[Button, ...]:
    """Accept and Reject, as `/appeals ID accept|reject` from whoever presses
    them (only moderators may); a reject by button sends the usual reason."""
    return tuple(
        Button(
            t(loc, f"appeal.button.{verdict}", id=appeal.id), "appeals", (str(appeal.id), verdict)
        )
        for verdict in ("accept", "reject")
    )


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"
