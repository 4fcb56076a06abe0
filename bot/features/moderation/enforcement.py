"""Turning decisions into actions: rule verdicts, warnings that climb the
ladder, and the sanctions moderators give. Every sanction opens a case and is
reported to the moderators' log chat."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import Locale
from bot.core.actions import (
    Action,
    BanMember,
    DeleteMessage,
    KickMember,
    MuteMember,
    SendMessage,
    UnbanMember,
    UnmuteMember,
)
from bot.core.directory import display, user_of
from bot.core.events import ChatRef, MemberJoined, MessagePosted
from bot.core.explanations import Explanation, Explanations
from bot.core.i18n import t
from bot.core.records import CaseRecord, GroupRecord, MemberRecord
from bot.core.services import Services
from bot.features.moderation.rule_text import describe
from rules.checks import CheckResult
from rules.durations import format_duration
from rules.evaluate import Verdict
from rules.schema import Rule, RuleAction

# A mute that names no duration (a moderator's bare /mute).
DEFAULT_MUTE = timedelta(hours=1)


class Enforcer:
    def __init__(self, services: Services, explanations: Explanations | None = None) -> None:
        self.s = services
        # Where rule actions are remembered for /why; None keeps nothing.
        self.explanations = explanations

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
        _, phrase, actions = self._warn(
            member, chat, now, group=group, by=by, rule=rule, reason=reason,
            details=details, text=text,
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
    ) -> tuple[CaseRecord, str, list[Action]]:
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
        """What a verdict on a message does: the strongest rule acts, and
        rules in dry run only report to the log chat what they would do."""
        rule, result = verdict.rule, verdict.result
        if rule is None or result is None:
            return []
        # Dry-run rules that fired beside the one that decides.
        beside: list[Action] = []
        for other, other_result in verdict.dry_runs:
            beside += self._dry_run_log(other, other_result, member, group)
        if rule.dry_run:
            return self._dry_run(rule, result, member, group, event, verdict) + beside
        return self._act(rule, result, verdict, event, member, group) + beside

    def _act(
        self,
        rule: Rule,
        result: CheckResult,
        verdict: Verdict,
        event: MessagePosted,
        member: MemberRecord,
        group: GroupRecord,
    ) -> list[Action]:
        act = rule.action
        now = event.at
        chat = event.chat
        loc = self.s.locale_for(member)
        name = display(member)
        label = describe(rule, loc).rstrip("。.")
        details = self._details(result)

        def explain(case: CaseRecord | None, notices: tuple[str, ...] = ()) -> None:
            self._remember(
                rule, result, verdict, event, member, case, notices, action=_verb(act, rule.warns)
            )

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
            # Flag for review, or log only: the message stays, the member
            # hears nothing, the moderators get the case.
            action = "flag" if act.flag else "log"
            case = self.s.moderation.open_case(
                action, member, now, group_key=group.chat_key, rule=rule.id,
                details=details, message_text=event.text,
            )  # fmt: skip
            explain(case)
            if act.flag:
                return self._flagged(case, member, group, event.text)
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
        text = self._reply(rule.reply, notice, name, label)
        if rule.warns:
            warned, phrase, acts = self._warn(
                member, chat, now, group=group, rule=rule.id, details=details,
                text=event.text,
            )  # fmt: skip
            text = self._reply(rule.reply, notice + phrase, name, label)
            # A warning alone has its own case; otherwise the removal's.
            explain(case or warned, (text,))
            return [*actions, SendMessage(chat, text, kind="warn"), *acts]
        explain(case, (text,))
        return [*actions, SendMessage(chat, text, kind="warn")]

    def apply_join(
        self, verdict: Verdict, event: MemberJoined, member: MemberRecord, group: GroupRecord
    ) -> list[Action]:
        """A joining member's name broke a rule: there is no message to
        remove, so the rule's sanction (or warning, flag, log) is all it does."""
        rule, result = verdict.rule, verdict.result
        if rule is None or result is None:
            return []
        details = self._details(result)
        name_text = " ".join(x for x in (member.name, member.username or "") if x)
        if rule.dry_run:
            return self._dry_run_log(rule, result, member, group)
        act = rule.action
        loc = self.s.locale_for(member)
        name = display(member)
        label = describe(rule, loc).rstrip("。.")
        now, chat = event.at, event.chat
        notice: str
        actions: list[Action]
        if act.ban or act.kick or act.mute:
            verb = "ban" if act.ban else "kick" if act.kick else "mute"
            span = act.ban_for if act.ban else act.mute
            _, actions = self.sanction(
                verb, member, chat, now, group=group, duration=span, rule=rule.id,
                details=details, text=name_text,
            )  # fmt: skip
            if verb == "kick":
                notice = t(loc, "notice.kicked", name=name, rule=label)
            elif span is not None:
                key = "notice.muted" if verb == "mute" else "notice.banned_for"
                notice = t(loc, key, name=name, rule=label, duration=format_duration(span))
            else:
                notice = t(loc, "notice.banned", name=name, rule=label)
        elif rule.warns:
            phrase, actions = self.warn(
                member, chat, now, group=group, rule=rule.id, details=details, text=name_text
            )
            notice = t(loc, "notice.warned", name=name, rule=label) + phrase
        else:
            action = "flag" if act.flag else "log"
            case = self.s.moderation.open_case(
                action, member, now, group_key=group.chat_key, rule=rule.id, details=details,
                message_text=name_text,
            )  # fmt: skip
            if act.flag:
                return self._flagged(case, member, group, name_text)
            return self.log(case, member, None)
        text = self._reply(rule.reply, notice, name, label)
        return [*actions, SendMessage(chat, text, kind="warn")]

    def _remember(
        self,
        rule: Rule,
        result: CheckResult,
        verdict: Verdict,
        event: MessagePosted,
        member: MemberRecord,
        case: CaseRecord | None,
        notices: tuple[str, ...],
        *,
        action: str,
        dry_run: bool = False,
    ) -> None:
        if self.explanations is None:
            return
        others = tuple(r for r in verdict.hits if r is not result)
        explanation = Explanation(
            rule=rule.id,
            rule_type=rule.type,
            action=action,
            result=result,
            text=event.text[:500],
            others=others,
            case_id=case.id if case is not None else None,
            dry_run=dry_run,
            member=member.key,
        )
        self.explanations.remember(explanation, event.chat.key, event.message_id, notices)

    def _flagged(
        self, case: CaseRecord, member: MemberRecord, group: GroupRecord, text: str
    ) -> list[Action]:
        chat = self.s.log_chat
        if chat is None:
            return []
        loc = self.s.config.community.locale
        excerpt = text if len(text) <= 300 else text[:299] + "…"
        message = t(
            loc,
            "log.flagged",
            case=case.id,
            rule=case.rule or "-",
            name=display(member),
            group=group.title,
            details=case.details,
            text=excerpt,
        )
        return [SendMessage(chat, message, kind="log")]

    def _details(self, result: CheckResult) -> str:
        """What the check found, in the community's language."""
        return self.details(result, self.s.config.community.locale)

    @staticmethod
    def details(result: CheckResult, loc: Locale) -> str:
        """What a check found, in `loc`; the words it names (a feature, a
        media kind, a forward's origin) in that language too."""
        if not result.code:
            return result.details
        args = dict(result.args)
        for key in ("what", "kind", "origin"):
            if args.get(key):
                args[key] = t(loc, f"terms.{key}.{args[key]}")
        return t(loc, f"checks.{result.code}", **args)

    @staticmethod
    def _reply(template: str | None, default: str, name: str, rule: str) -> str:
        if not template:
            return default
        return template.replace("{name}", name).replace("{rule}", rule)

    def _dry_run(
        self,
        rule: Rule,
        result: CheckResult,
        member: MemberRecord,
        group: GroupRecord,
        event: MessagePosted,
        verdict: Verdict,
    ) -> list[Action]:
        self._remember(
            rule, result, verdict, event, member, None, (),
            action=_verb(rule.action, rule.warns), dry_run=True,
        )  # fmt: skip
        return self._dry_run_log(rule, result, member, group)

    def _dry_run_log(
        self, rule: Rule, result: CheckResult, member: MemberRecord, group: GroupRecord
    ) -> list[Action]:
        chat = self.s.log_chat
        if chat is None:
            return []
        loc = self.s.config.community.locale
        text = t(
            loc,
            "log.dry_run",
            rule=rule.id,
            action=t(loc, f"verbs.{_verb(rule.action, rule.warns)}"),
            name=display(member),
            group=group.title,
            details=self.details(result, loc),
        )
        return [SendMessage(chat, text, kind="log")]


def _verb(act: RuleAction, warns: bool) -> str:
    """The one word for what a rule does, strongest first."""
    if act.ban:
        return "ban"
    if act.kick:
        return "kick"
    if act.mute:
        return "mute"
    if act.delete:
        return "delete"
    if warns:
        return "warn"
    return "flag" if act.flag else "log"
