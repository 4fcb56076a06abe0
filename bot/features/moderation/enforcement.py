"""Turning decisions into actions: rule verdicts, warnings that climb the
ladder, and the sanctions moderators give. Every sanction opens a case and is
reported to the moderators' log chat."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.config import Locale
from bot.core.actions import (
    Action,
    BanMember,
    KickMember,
    MuteMember,
    SendMessage,
    UnbanMember,
    UnmuteMember,
)
from bot.core.directory import display, user_of
from bot.core.events import ChatRef
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import CaseRecord, GroupRecord, MemberRecord
from bot.features.moderation.cases import Moderation
from rules.durations import format_duration
from rules.schema import RuleAction

# A mute that names no duration (a moderator's bare /mute).
DEFAULT_MUTE = timedelta(hours=1)
# Told of every sanction before its action leaves (appeals: how to appeal);
# what it returns goes first.
Notifier = Callable[[CaseRecord, MemberRecord], list[Action]]


class Enforcer:
    """The one place sanctions are given: moderation builds it, and the
    features that sanction (the spam guard, reports, lockdowns) are handed it."""

    def __init__(self, kit: Kit, cases: Moderation) -> None:
        self.kit = kit
        self.cases = cases
        self.notifiers: list[Notifier] = []

    def log(self, case: CaseRecord, member: MemberRecord, by: MemberRecord | None) -> list[Action]:
        chat = self.kit.log_chat
        if chat is None:
            return []
        loc = self.kit.config.community.locale
        group = self.kit.directory.groups.get(case.group_key or "")
        text = t(
            loc,
            "log.case",
            case=case.id,
            action=t(loc, f"actions.{case.action}"),
            name=display(member),
            # A case started in a private chat (/warn @name) is in no group.
            where=t(loc, "log.case_where", group=group.title) if group else "",
            by=t(loc, "log.by", name=display(by)) if by else t(loc, "log.bot"),
            rule=t(loc, "log.case_rule", rule=case.rule) if case.rule else "",
            details=t(loc, "log.case_details", details=case.details or case.reason)
            if (case.details or case.reason)
            else "",
        )
        return [SendMessage(chat, text, kind="log")]

    def sanction(
        self,
        action: str,
        member: MemberRecord,
        chat: ChatRef,
        now: datetime,
        *,
        group: GroupRecord | None,
        duration: timedelta | None = None,
        by: MemberRecord | None = None,
        rule: str | None = None,
        reason: str = "",
        details: str = "",
        text: str = "",
    ) -> tuple[CaseRecord, list[Action]]:
        """Open a case for a mute/unmute/kick/ban/unban and emit its action."""
        span = format_duration(duration) if duration else None
        case = self.cases.open_case(
            action,
            member,
            now,
            group_key=group.chat_key if group else None,
            moderator_key=by.key if by else None,
            rule=rule,
            reason=reason,
            details=details,
            duration=span,
            message_text=text,
        )
        user = user_of(member)
        out: list[Action]
        if action == "mute":
            until = now + (duration or DEFAULT_MUTE)
            out = [
                MuteMember(chat, user, until, span or format_duration(DEFAULT_MUTE), rule, case.id)
            ]
        elif action == "unmute":
            out = [UnmuteMember(chat, user, case.id)]
        elif action == "kick":
            out = [KickMember(chat, user, rule, case.id)]
        elif action == "ban":
            ban_until = now + duration if duration else None
            out = [BanMember(chat, user, ban_until, span, rule, case.id)]
        elif action == "unban":
            out = [UnbanMember(chat, user, case.id)]
        else:
            out = []
        told = [a for notify in self.notifiers for a in notify(case, member)]
        return case, told + out + self.log(case, member, by)

    def warn(
        self,
        member: MemberRecord,
        chat: ChatRef,
        now: datetime,
        *,
        group: GroupRecord | None,
        by: MemberRecord | None = None,
        rule: str | None = None,
        reason: str = "",
        details: str = "",
        text: str = "",
        locale: Locale | None = None,
    ) -> tuple[str, list[Action]]:
        """Record a warning; returns the count phrase and the actions, including
        what the escalation ladder does when a step is reached. The phrase is
        in `locale` when given: a moderator's reply reads in one language."""
        _, phrase, actions = self._warn(
            member, chat, now, group=group, by=by, rule=rule, reason=reason,
            details=details, text=text, locale=locale,
        )  # fmt: skip
        return phrase, actions

    def _warn(
        self,
        member: MemberRecord,
        chat: ChatRef,
        now: datetime,
        *,
        group: GroupRecord | None,
        by: MemberRecord | None = None,
        rule: str | None = None,
        reason: str = "",
        details: str = "",
        text: str = "",
        locale: Locale | None = None,
    ) -> tuple[CaseRecord, str, list[Action]]:
        loc = locale or self.kit.locale_for(member)
        case = self.cases.open_case(
            "warn",
            member,
            now,
            group_key=group.chat_key if group else None,
            moderator_key=by.key if by else None,
            rule=rule,
            reason=reason,
            details=details,
            message_text=text,
        )
        if group is not None:
            self.kit.stats.add(group.chat_key, self.kit.calendar.local_date(now), "warnings")
        warned = self.cases.warn(member, case, rule)
        if warned.limit:
            phrase = t(loc, "notice.count", count=warned.count, limit=warned.limit)
        else:
            phrase = t(loc, "notice.count_open", count=warned.count)
        actions = self.log(case, member, by)
        step = warned.step
        if step is not None:
            actions += self._escalate(step.do, member, chat, now, group, warned.count)
        return case, phrase, actions

    def _escalate(
        self,
        do: RuleAction,
        member: MemberRecord,
        chat: ChatRef,
        now: datetime,
        group: GroupRecord | None,
        count: int,
    ) -> list[Action]:
        loc = self.kit.locale_for(member)
        name = display(member)
        reason = t(self.kit.config.community.locale, "log.escalation", count=count)
        if do.ban:
            _, acts = self.sanction(
                "ban", member, chat, now, group=group, duration=do.ban_for, reason=reason
            )
            if do.ban_for:
                span = format_duration(do.ban_for)
                note = t(loc, "notice.escalated_ban_for", name=name, count=count, duration=span)
            else:
                note = t(loc, "notice.escalated_ban", name=name, count=count)
        elif do.kick:
            _, acts = self.sanction("kick", member, chat, now, group=group, reason=reason)
            note = t(loc, "notice.escalated_kick", name=name, count=count)
        elif do.mute:
            _, acts = self.sanction(
                "mute", member, chat, now, group=group, duration=do.mute, reason=reason
            )
            span = format_duration(do.mute)
            note = t(loc, "notice.escalated_mute", name=name, count=count, duration=span)
        else:
            return []
        return [*acts, SendMessage(chat, note, kind="warn")]
