"""Members' reports and the moderators' review queue.

A member replies `/report [reason]` to a message. Each member reports a
message once, at most `per_member` messages per `per`; a trusted member's
report weighs more, and a reporter whose reports moderators dismissed weighs
less (down to nothing). When the weight within `window` reaches the
threshold the message is removed (its text kept in the case and the flag),
its author muted until a moderator decides, and the moderators alerted.
`/flags` lists what waits; `/resolve ID confirm|dismiss` decides.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.config import Locale
from bot.config.risk import ReportsConfig
from bot.core.actions import Action, DeleteMessage, SendMessage
from bot.core.buttons import Button
from bot.core.directory import display
from bot.core.events import ChatRef
from bot.core.explanations import Explanation
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import GroupRecord, MemberRecord
from bot.features.points.rewards import level_up_actions
from bot.features.risk.records import FlagRecord, ReportRecord, SpamSnapshot
from bot.features.risk.spam.guard import SpamGuard
from bot.features.risk.spam.model import HAM, SPAM
from bot.features.risk.store import SpamStore
from rules.checks import hit

RULE = "reports"
# The ledger reason of points paid for a confirmed report.
REPORT_REWARD = "report"
# A report's weight, in half reports.
_BASE = 2
WAITING = ("reported", "open")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a report did: the key of the reporter's answer, and the actions."""

    key: str
    actions: list[Action]
    flag: FlagRecord | None = None


class Reports:
    def __init__(
        self,
        kit: Kit,
        store: SpamStore,
        config: ReportsConfig,
        snapshot: SpamSnapshot,
        spam: SpamGuard,
    ) -> None:
        self.kit = kit
        self.store = store
        self.config = config
        self.spam = spam
        self.enforcer = spam.enforcer
        self.flags: dict[int, FlagRecord] = {f.id: f for f in snapshot.flags}
        self._by_message = {(f.group_key, f.message_id): f.id for f in snapshot.flags}
        self._reports: dict[int, dict[str, ReportRecord]] = {}
        for r in snapshot.reports:
            self._reports.setdefault(r.flag_id, {})[r.reporter_key] = r
        self.dismissed: dict[str, int] = dict(snapshot.dismissed)
        self._last_flag = snapshot.last_flag_id
        self._recent_by: dict[str, deque[float]] = {}
        # What the reporter's tier makes a report weigh, in reports; the
        # tiers feature sets it when it is built.
        self.tier_weight: Callable[[str], float] = _plain

    def weight(self, reporter: MemberRecord, role: str) -> int:
        """A report's weight in half reports: staff reports reach the
        threshold alone; every dismissed report costs half a report."""
        if role != "member":
            return self.config.threshold * _BASE
        trusted = self.spam.approved(reporter)
        base = self.config.trusted_weight * _BASE if trusted else _BASE
        base = max(base, round(self.tier_weight(reporter.key) * _BASE))
        return max(0, base - self.dismissed.get(reporter.key, 0))

    async def new_flag(self, flag: FlagRecord) -> FlagRecord:
        """Number a flag, keep it in the queue and store it. A message already
        waiting in the queue keeps its flag: the same update handled again
        after a crash (flags are stored at once, outside the lost batch), or
        an edit flagged again, is not queued twice."""
        known = self._by_message.get((flag.group_key, flag.message_id))
        if known is not None and known in self.flags:
            return self.flags[known]
        self._last_flag += 1
        flag.id = self._last_flag
        self.flags[flag.id] = flag
        self._by_message[(flag.group_key, flag.message_id)] = flag.id
        await self.store.save_flag(flag)
        return flag

    async def report(
        self,
        reporter: MemberRecord,
        role: str,
        target: MemberRecord,
        chat: ChatRef,
        group: GroupRecord,
        message_id: int,
        text: str,
        reason: str,
        now: datetime,
    ) -> Outcome:
        cfg = self.config
        where = (group.chat_key, message_id)
        flag_id = self._by_message.get(where)
        flag = self.flags.get(flag_id) if flag_id is not None else None
        if flag is not None and reporter.key in self._reports.get(flag.id, {}):
            return Outcome("reports.already", [])
        if flag is not None and flag.status != "reported":
            return Outcome("reports.already_hidden", [])
        stamps = self._recent_by.setdefault(reporter.key, deque())
        horizon = (now - cfg.per).timestamp()
        while stamps and stamps[0] < horizon:
            stamps.popleft()
        if len(stamps) >= cfg.per_member:
            return Outcome("reports.too_many", [])
        stamps.append(now.timestamp())
        if flag is None:
            flag = await self.new_flag(
                FlagRecord(
                    self.kit.config.community.slug,
                    0,
                    group.chat_key,
                    message_id,
                    target.key,
                    text[:1000],
                    now,
                    RULE,
                )
            )
        weight = self.weight(reporter, role)
        record = ReportRecord(flag.community, flag.id, reporter.key, now, weight, reason[:200])
        self._reports.setdefault(flag.id, {})[reporter.key] = record
        if reason:
            flag.reasons = "; ".join(x for x in (flag.reasons, reason[:200]) if x)
        await self.store.add_report(record)
        self.kit.stats.add(group.chat_key, self.kit.calendar.local_date(now), "reports")
        since = now - cfg.window
        total = sum(r.weight for r in self._reports[flag.id].values() if r.at >= since)
        if total < cfg.threshold * _BASE:
            await self.store.save_flag(flag)
            return Outcome("reports.received", [], flag)
        actions = self._hide(flag, target, chat, group, now)
        await self.store.save_flag(flag)
        return Outcome("reports.hidden", actions, flag)

    def count(self, flag_id: int) -> int:
        return len(self._reports.get(flag_id, {}))

    def _hide(
        self,
        flag: FlagRecord,
        target: MemberRecord,
        chat: ChatRef,
        group: GroupRecord,
        now: datetime,
    ) -> list[Action]:
        kit = self.kit
        flag.status = "open"
        case, acts = self.enforcer.sanction(
            "mute", target, chat, now, group=group, duration=self.config.mute, rule=RULE,
            details=flag.reasons, text=flag.text,
        )  # fmt: skip
        flag.case_id = case.id
        kit.stats.add(group.chat_key, kit.calendar.local_date(now), "removed")
        # `/why` in reply to the hidden message finds it like a rule's.
        count, reasons = str(self.count(flag.id)), flag.reasons or "-"
        found = hit(RULE, "reported", f"hidden after {count} reports", count=count, reasons=reasons)
        explanation = Explanation(
            rule=RULE, rule_type=RULE, action="mute", result=found, text=flag.text[:500],
            case_id=case.id, member=target.key,
        )  # fmt: skip
        kit.explanations.remember(explanation, chat.key, flag.message_id)
        return [
            DeleteMessage(chat, (flag.message_id,), RULE, case.id),
            *acts,
            *self.alert(flag, target, group),
        ]

    def alert(self, flag: FlagRecord, member: MemberRecord, group: GroupRecord) -> list[Action]:
        """The flag in the moderators' log chat, with its evidence."""
        chat = self.kit.log_chat
        if chat is None:
            return []
        loc = self.kit.config.community.locale
        text = t(
            loc,
            f"flags.alert_{flag.source}",
            id=flag.id,
            name=display(member),
            group=group.title,
            count=self.count(flag.id),
            reasons=flag.reasons or "-",
            message=flag.message_id,
            text=_excerpt(flag.text),
        )
        return [SendMessage(chat, text, kind="alert", buttons=review_buttons(loc, flag.id))]

    def waiting(self) -> list[FlagRecord]:
        return [f for f in self.flags.values() if f.status in WAITING]

    async def resolve(
        self, flag: FlagRecord, verdict: str, moderator: MemberRecord, chat: ChatRef, now: datetime
    ) -> list[Action]:
        """`confirm`: the member is sanctioned and the text learned as spam;
        `dismiss`: a muted member may speak again, the text is learned as
        ham when the detector flagged it, and reporters lose weight."""
        kit = self.kit
        member = kit.directory.members.get(flag.member_key)
        group = kit.directory.groups.get(flag.group_key)
        target_chat = ChatRef.parse(flag.group_key)
        actions: list[Action] = []
        flag.resolved_at, flag.resolved_by = now, moderator.key
        if verdict == "confirm":
            flag.status = "confirmed"
            await self.spam.learn(
                SPAM, flag.text, now, source="flag", by=moderator.key, member=flag.member_key
            )
            actions += self._reward(flag, target_chat, now)
            if member is not None:
                action = self.config.confirm
                span = self.config.mute if action == "mute" else None
                if flag.source == "spam":
                    actions.append(DeleteMessage(target_chat, (flag.message_id,), RULE))
                _, acts = self.enforcer.sanction(
                    action,
                    member,
                    target_chat,
                    now,
                    group=group,
                    duration=span,
                    by=moderator,
                    rule=RULE,
                    details=flag.reasons,
                    text=flag.text,
                )
                actions += acts
        else:
            flag.status = "dismissed"
            if flag.source == "spam":
                await self.spam.learn(
                    HAM, flag.text, now, source="flag", by=moderator.key, member=flag.member_key
                )
            for reporter in self._reports.get(flag.id, {}):
                self.dismissed[reporter] = self.dismissed.get(reporter, 0) + 1
            if member is not None and flag.case_id is not None and flag.source == RULE:
                _, acts = self.enforcer.sanction(
                    "unmute", member, target_chat, now, group=group, by=moderator, rule=RULE
                )
                actions += acts
        await self.store.save_flag(flag)
        self._by_message.pop((flag.group_key, flag.message_id), None)
        self._reports.pop(flag.id, None)
        return actions

    def _reward(self, flag: FlagRecord, chat: ChatRef, now: datetime) -> list[Action]:
        """Points for the members whose reports were right, once per flag."""
        points = self.config.reward
        actions: list[Action] = []
        for reporter in self._reports.get(flag.id, {}) if points else ():
            key = f"report:{flag.id}:{reporter}"
            up = self.spam.points.award(reporter, points, REPORT_REWARD, key, now, flag.group_key)
            member = self.kit.directory.members.get(reporter)
            if up is not None and member is not None:
                actions += level_up_actions(self.kit, member, chat, up)
        return actions


def review_buttons(loc: Locale, flag_id: int) -> tuple[Button, ...]:
    """Confirm and dismiss, as `/resolve ID confirm|dismiss` from whoever
    presses them (only moderators may)."""
    return tuple(
        Button(t(loc, f"flags.button.{verdict}", id=flag_id), "resolve", (str(flag_id), verdict))
        for verdict in ("confirm", "dismiss")
    )


def _excerpt(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(member_key: str) -> float:
    return 1.0
