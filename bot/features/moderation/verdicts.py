"""What a rule verdict does: the strongest rule that fired acts (removal,
warning, sanction), rules in dry run only report, and every action is
remembered for /why."""

from __future__ import annotations

from bot.config import Locale
from bot.core.actions import (
    Action,
    DeleteMessage,
    SendMessage,
)
from bot.core.directory import display
from bot.core.events import MemberJoined, MessagePosted
from bot.core.explanations import Explanation
from bot.core.i18n import t
from bot.core.records import CaseRecord, GroupRecord, MemberRecord
from bot.features.moderation.enforcement import Enforcer
from bot.features.moderation.honeypot import spam_run
from bot.features.moderation.rule_text import describe
from rules.checks import CheckResult
from rules.durations import format_duration
from rules.evaluate import Verdict
from rules.schema import Rule, RuleAction
from rules.types.honeypot import HoneypotRule


class Verdicts:
    """Applies the rule engine's verdicts, through the one Enforcer."""

    def __init__(self, enforcer: Enforcer) -> None:
        self.kit = enforcer.kit
        self.enforcer = enforcer

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
        loc = self.kit.locale_for(member)
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
            case, acts = self.enforcer.sanction(
                "ban", member, chat, now, group=group, duration=act.ban_for, rule=rule.id,
                details=details, text=event.text,
            )  # fmt: skip
            actions += acts
            key = "notice.banned_for" if act.ban_for else "notice.banned"
            span = format_duration(act.ban_for) if act.ban_for else ""
            notice = t(loc, key, name=name, rule=label, duration=span)
        elif act.kick:
            case, acts = self.enforcer.sanction(
                "kick", member, chat, now, group=group, rule=rule.id,
                details=details, text=event.text,
            )  # fmt: skip
            actions += acts
            notice = t(loc, "notice.kicked", name=name, rule=label)
        elif act.mute:
            case, acts = self.enforcer.sanction(
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
            case = self.enforcer.cases.open_case(
                action, member, now, group_key=group.chat_key, rule=rule.id,
                details=details, message_text=event.text,
            )  # fmt: skip
            explain(case)
            if act.flag:
                return self._flagged(case, member, group, event.text)
            return self.enforcer.log(case, member, None)

        if act.delete:
            if case is None:
                case = self.enforcer.cases.open_case(
                    "delete", member, now, group_key=group.chat_key, rule=rule.id,
                    details=details, message_text=event.text,
                )  # fmt: skip
                actions += self.enforcer.log(case, member, None)
            actions.insert(0, DeleteMessage(chat, (event.message_id,), rule.id, case.id))
            self.kit.stats.add(group.chat_key, self.kit.calendar.local_date(now), "removed")
            if isinstance(rule, HoneypotRule):
                actions += spam_run(
                    self.kit.history, member, chat, now, rule=rule.id, case_id=case.id,
                    ban=act.ban, until=now + act.ban_for if act.ban_for else None,
                    span=format_duration(act.ban_for) if act.ban_for else None,
                )  # fmt: skip
        text = self._reply(rule.reply, notice, name, label)
        if rule.warns:
            warned, phrase, acts = self.enforcer._warn(
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
        loc = self.kit.locale_for(member)
        name = display(member)
        label = describe(rule, loc).rstrip("。.")
        now, chat = event.at, event.chat
        notice: str
        actions: list[Action]
        if act.ban or act.kick or act.mute:
            verb = "ban" if act.ban else "kick" if act.kick else "mute"
            span = act.ban_for if act.ban else act.mute
            _, actions = self.enforcer.sanction(
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
            phrase, actions = self.enforcer.warn(
                member, chat, now, group=group, rule=rule.id, details=details, text=name_text
            )
            notice = t(loc, "notice.warned", name=name, rule=label) + phrase
        else:
            action = "flag" if act.flag else "log"
            case = self.enforcer.cases.open_case(
                action, member, now, group_key=group.chat_key, rule=rule.id, details=details,
                message_text=name_text,
            )  # fmt: skip
            if act.flag:
                return self._flagged(case, member, group, name_text)
            return self.enforcer.log(case, member, None)
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
        self.kit.explanations.remember(explanation, event.chat.key, event.message_id, notices)

    def _flagged(
        self, case: CaseRecord, member: MemberRecord, group: GroupRecord, text: str
    ) -> list[Action]:
        chat = self.kit.log_chat
        if chat is None:
            return []
        loc = self.kit.config.community.locale
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
        return found(result, self.kit.config.community.locale)

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
        chat = self.kit.log_chat
        if chat is None:
            return []
        loc = self.kit.config.community.locale
        text = t(
            loc,
            "log.dry_run",
            rule=rule.id,
            action=t(loc, f"verbs.{_verb(rule.action, rule.warns)}"),
            name=display(member),
            group=group.title,
            details=found(result, loc),
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


def found(result: CheckResult, loc: Locale) -> str:
    """What a check found, in `loc`; the words it names (a feature, a
    media kind, a forward's origin) in that language too."""
    if not result.code:
        return result.details
    args = dict(result.args)
    for key in ("what", "kind", "origin"):
        if args.get(key):
            args[key] = t(loc, f"terms.{key}.{args[key]}")
    return t(loc, f"checks.{result.code}", **args)
