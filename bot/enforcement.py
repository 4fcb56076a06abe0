"""Turning decisions into actions: rule verdicts, warnings that climb the
ladder, and the sanctions moderators give. Every sanction opens a case and is
reported to the moderators' log chat."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.actions import (
    Action,
    BanMember,
    DeleteMessage,
    KickMember,
    MuteMember,
    SendMessage,
    UnbanMember,
    UnmuteMember,
)
from bot.directory import display, user_of
from bot.events import ChatRef, MessagePosted
from bot.i18n import t
from bot.records import CaseRecord, GroupRecord, MemberRecord
from bot.rule_text import describe
from bot.services import Services
from rules.checks import CheckResult
from rules.durations import format_duration
from rules.evaluate import Verdict
from rules.schema import RuleAction


class Enforcer:
    def __init__(self, services: Services) -> None:
        self.s = services

    def log(self, case: CaseRecord, member: MemberRecord, by: MemberRecord | None) -> list[Action]:
        chat = self.s.log_chat
        if chat is None:
            return []
        loc = self.s.config.community.locale
        group = self.s.directory.groups.get(case.group_key or "")
        text = t(
            loc,
            "log.case",
            case=case.id,
            action=t(loc, f"actions.{case.action}"),
            name=display(member),
            group=group.title if group else "-",
            by=display(by) if by else t(loc, "log.bot"),
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
        case = self.s.moderation.open_case(
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
            until = now + (duration or timedelta(hours=1))
            out = [MuteMember(chat, user, until, span or "1h", rule, case.id)]
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
        return case, out + self.log(case, member, by)

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
    ) -> tuple[str, list[Action]]:
        """Record a warning; returns the count phrase and the actions, including
        what the escalation ladder does when a step is reached."""
        loc = self.s.locale_for(member)
        case = self.s.moderation.open_case(
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
            self.s.stats.add(group.chat_key, self.s.points.local_date(now), "warnings")
        warned = self.s.moderation.warn(member, case, rule)
        if warned.limit:
            phrase = t(loc, "notice.count", count=warned.count, limit=warned.limit)
        else:
            phrase = t(loc, "notice.count_open", count=warned.count)
        actions = self.log(case, member, by)
        step = warned.step
        if step is not None:
            actions += self._escalate(step.do, member, chat, now, group, warned.count)
        return phrase, actions

    def _escalate(
        self,
        do: RuleAction,
        member: MemberRecord,
        chat: ChatRef,
        now: datetime,
        group: GroupRecord | None,
        count: int,
    ) -> list[Action]:
        loc = self.s.locale_for(member)
        name = display(member)
        reason = t(self.s.config.community.locale, "log.escalation", count=count)
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

    def apply(
        self, verdict: Verdict, event: MessagePosted, member: MemberRecord, group: GroupRecord
    ) -> list[Action]:
        rule, result = verdict.rule, verdict.result
        if rule is None or result is None:
            return []
        act = rule.action
        now = event.at
        chat = event.chat
        loc = self.s.locale_for(member)
        name = display(member)
        label = describe(rule, loc).rstrip("。.")
        details = self._details(result)
        if rule.dry_run:
            return self._dry_run(rule.id, act, member, group, details)

        actions: list[Action] = []
        case: CaseRecord | None = None
        if act.ban:
            case, acts = self.sanction(
                "ban", member, chat, now, group=group, duration=act.ban_for, rule=rule.id,
                details=details, text=event.text,
            )  # fmt: skip
            actions += acts
            key = "notice.banned_for" if act.ban_for else "notice.banned"
            span = format_duration(act.ban_for) if act.ban_for else ""
            notice = t(loc, key, name=name, rule=label, duration=span)
        elif act.kick:
            case, acts = self.sanction(
                "kick", member, chat, now, group=group, rule=rule.id,
                details=details, text=event.text,
            )  # fmt: skip
            actions += acts
            notice = t(loc, "notice.kicked", name=name, rule=label)
        elif act.mute:
            case, acts = self.sanction(
                "mute", member, chat, now, group=group, duration=act.mute, rule=rule.id,
                details=details, text=event.text,
            )  # fmt: skip
            actions += acts
            notice = t(
                loc, "notice.muted", name=name, rule=label, duration=format_duration(act.mute)
            )
        elif act.delete:
            notice = t(loc, "notice.removed", name=name, rule=label)
        elif rule.warns:
            notice = t(loc, "notice.warned", name=name, rule=label)
        else:
            case = self.s.moderation.open_case(
                "log", member, now, group_key=group.chat_key, rule=rule.id,
                details=details, message_text=event.text,
            )  # fmt: skip
            return self.log(case, member, None)

        if act.delete:
            if case is None:
                case = self.s.moderation.open_case(
                    "delete", member, now, group_key=group.chat_key, rule=rule.id,
                    details=details, message_text=event.text,
                )  # fmt: skip
                actions += self.log(case, member, None)
            actions.insert(0, DeleteMessage(chat, (event.message_id,), rule.id, case.id))
            self.s.stats.add(group.chat_key, self.s.points.local_date(now), "removed")
        if rule.warns:
            phrase, acts = self.warn(
                member, chat, now, group=group, rule=rule.id, details=details,
                text=event.text,
            )  # fmt: skip
            notice += phrase
            acts_notice: list[Action] = [
                SendMessage(chat, self._reply(rule.reply, notice, name, label), kind="warn")
            ]
            return actions + acts_notice + acts
        return [
            *actions,
            SendMessage(chat, self._reply(rule.reply, notice, name, label), kind="warn"),
        ]

    def _details(self, result: CheckResult) -> str:
        """What the check found, in the community's language."""
        if not result.code:
            return result.details
        return t(self.s.config.community.locale, f"checks.{result.code}", **dict(result.args))

    @staticmethod
    def _reply(template: str | None, default: str, name: str, rule: str) -> str:
        if not template:
            return default
        return template.replace("{name}", name).replace("{rule}", rule)

    def _dry_run(
        self, rule: str, act: RuleAction, member: MemberRecord, group: GroupRecord, details: str
    ) -> list[Action]:
        chat = self.s.log_chat
        if chat is None:
            return []
        loc = self.s.config.community.locale
        verb = "ban" if act.ban else "kick" if act.kick else "mute" if act.mute else "delete"
        text = t(
            loc,
            "log.dry_run",
            rule=rule,
            action=t(loc, f"actions.{verb}"),
            name=display(member),
            group=group.title,
            details=details,
        )
        return [SendMessage(chat, text, kind="log")]
