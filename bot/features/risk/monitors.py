"""Risk warnings (风险预警): monitors that tell the moderators' log chat about
trouble before members leave.

Monitors, per group: a report spike and a spam spike (that many within a
rolling window), watched keywords (退款, 骗子, refund, scam ...), and a
member's question nobody answered within `after`. Each alert has a
severity, a one-line summary and its evidence (the messages), is stored,
and is not repeated for the same group within `cooldown`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.config import Locale
from bot.config.risk import MonitorsConfig, SpikeMonitor
from bot.core.actions import Action, SendMessage
from bot.core.buttons import Button
from bot.core.directory import display
from bot.core.events import MessagePosted
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import GroupRecord, MemberRecord
from bot.features.risk import alert_names
from bot.features.risk.records import NamedMember, RiskAlertRecord
from bot.features.risk.word_lists import KEYWORDS, keywords
from rules.cues import Cues
from rules.durations import format_duration
from rules.lexicon import Listed
from rules.message import MessageView

# A question: a mark at the end, a question word. Split for speed (see
# rules.cues): the same as one search for `[?？]\s*$|吗...|哪里|\b(?:how ...)\b`.
_PLAIN = (
    r"\?\s*$|？\s*$|吗\s*[。!！]?\s*$|怎么|如何|为什么|什么时候|多少钱|有没有|能不能|是不是|哪里"
)
_BOUNDED = (
    r"\b(?:how (?:do|can|much|long)|why (?:is|does|do|did)|when (?:is|will|does)|"
    r"where (?:is|can)|can i|is there|does anyone)\b"
)
_HINT = r"how |why |when |where |can i|is there|does anyone"
_QUESTION = Cues(_PLAIN, _BOUNDED, _HINT)
_PLAIN_RE, _BOUNDED_RE, _HINT_RE = (re.compile(p) for p in (_PLAIN, _BOUNDED, _HINT))
# Pending questions kept per group.
_QUESTIONS = 100
# Members a raid's or a leave spike's evidence names (the latest).
_SHOWN_NAMES = 8
SEVERITIES = ("low", "medium", "high")
# Prepared answers an alert about a member's message carries (the FAQ's):
# (the alert, the message's text, its id, the watched word) -> (lines, buttons).
Suggest = Callable[[RiskAlertRecord, str, int, str | None], tuple[str, tuple[Button, ...]]]


@dataclass(frozen=True, slots=True)
class _Question:
    message_id: int
    member: str
    name: str
    at: datetime
    text: str


def _keyword_list(config: MonitorsConfig) -> Listed | None:
    """Watched keywords match the way blocklist entries do, on the message's
    one text view: a Latin word as a whole word (also spread out or written
    with digits), anything else through spaces and look-alikes (`退 款`).
    They are searched in the rules' own scan of the message (the feature
    hands them to the rule set: `word_lists`), so they cost an index."""
    kept = keywords(config)
    return Listed(KEYWORDS, kept) if kept else None


def _asks(view: MessageView) -> bool:
    """`_QUESTION.found(view.folded)` for less: without a Latin letter or
    digit only the plain cues can match (the bounded ones are English
    words), and in an ASCII text of the plain ones only the question mark."""
    folded = view.folded
    if not view.latin:
        return _PLAIN_RE.search(folded) is not None
    if "?" in folded or not folded.isascii():
        return _QUESTION.found(folded)
    return _HINT_RE.search(folded) is not None and _BOUNDED_RE.search(folded) is not None


class Monitors:
    def __init__(self, kit: Kit, config: MonitorsConfig, last_alert_id: int) -> None:
        self.kit = kit
        self.configure(config)
        self._last_alert = last_alert_id
        # (when, the message that counts, the member who came or went).
        self._spikes: dict[tuple[str, str], deque[tuple[float, int, NamedMember | None]]] = {}
        self._alerted: dict[tuple[str, str], datetime] = {}
        self._questions: dict[str, dict[int, _Question]] = {}
        self._drop_checked: date | None = None
        # Alerts raised and not stored yet (`Risk` stores them).
        self.pending: list[RiskAlertRecord] = []
        # Alerts nobody acknowledged yet, by id.
        self.open: dict[int, RiskAlertRecord] = {}
        # Set when the FAQ feature runs: suggested answers under alerts.
        self.suggest: Suggest | None = None

    def configure(self, config: MonitorsConfig) -> None:
        self.config = config
        self._keywords = _keyword_list(config)

    def alert(
        self,
        kind: str,
        severity: str,
        group: GroupRecord,
        now: datetime,
        evidence: list[int],
        *,
        repeat: bool = False,
        named: Sequence[NamedMember] = (),
        asked: str | None = None,
        **values: str,
    ) -> list[Action]:
        """Raise an alert unless this group had one of its kind within the
        cooldown (`repeat`: every alert counts, one per question). `named`:
        the members its texts name; without message evidence (joins and
        leaves) they are the evidence, the latest few."""
        where = (kind, group.chat_key)
        if not repeat:
            last = self._alerted.get(where)
            if last is not None and now - last < self.config.cooldown:
                return []
            self._alerted[where] = now
        self.kit.stats.add(group.chat_key, self.kit.calendar.local_date(now), "alerts")
        loc = self.kit.config.community.locale
        summary = t(loc, f"risk.summary.{kind}", **values)
        # The messages, or for joins and leaves the members (the latest few).
        shown = ", ".join(f"#{m}" for m in evidence[-5:])
        if not shown:
            hidden = len(named) - _SHOWN_NAMES
            named = named[-_SHOWN_NAMES:]
            shown = _names([n.shown for n in named], hidden)
        unique: dict[str, NamedMember] = {}
        for n in named:
            unique.setdefault(n.key, n)
        self._last_alert += 1
        self.pending.append(
            RiskAlertRecord(
                self.kit.config.community.slug,
                self._last_alert,
                now,
                kind,
                severity,
                group.chat_key,
                summary,
                shown,
                named=tuple(unique.values()),
            )
        )
        record = self.pending[-1]
        self.open[record.id] = record
        chat = self.kit.log_chat
        if chat is None:
            return []
        text, buttons = self.text(record), ack_buttons(loc, record)
        if asked is not None and self.suggest is not None and evidence:
            more, offered = self.suggest(record, asked, evidence[-1], values.get("word"))
            text, buttons = text + more, buttons + offered
        return [SendMessage(chat, text, kind="alert", buttons=buttons)]

    def text(self, alert: RiskAlertRecord) -> str:
        loc = self.kit.config.community.locale
        group = self.kit.directory.groups.get(alert.group_key or "")
        return t(
            loc,
            "risk.alert",
            id=alert.id,
            severity=t(loc, f"risk.severity.{alert.severity}"),
            kind=t(loc, f"risk.kind.{alert.kind}"),
            group=group.title if group is not None else alert.group_key or "-",
            summary=alert.summary,
            evidence=alert.evidence or "-",
        )

    def forget(self, key: str, alias: str, shown_now: Collection[str]) -> None:
        """`/forgetme`: the alerts held here (as the erasure rewrote their
        rows), the questions still waiting for an answer and the joins and
        leaves still counted show the alias instead of the member, without
        their words."""
        for alert in self.open.values():
            alert_names.forget(alert, key, alias, shown_now)
        for pending in self._questions.values():
            for mid, q in pending.items():
                if q.member == key:
                    pending[mid] = _Question(mid, alias, alias, q.at, "")
        for stamps in self._spikes.values():
            for i, (at, mid, who) in enumerate(stamps):
                if who is not None and who.key == key:
                    stamps[i] = (at, mid, NamedMember(alias, alias))

    def due_reminders(self, now: datetime) -> list[RiskAlertRecord]:
        """Unacknowledged alerts whose next reminder is due."""
        spec = self.config.remind
        if spec is None:
            return []
        floor = SEVERITIES.index(spec.min_severity)
        return [
            a
            for a in self.open.values()
            if a.acked_at is None
            and SEVERITIES.index(a.severity) >= floor
            and a.reminders < spec.times
            and now - (a.reminded_at or a.at) >= spec.every
        ]

    def _spike(
        self,
        kind: str,
        spec: SpikeMonitor | None,
        group: GroupRecord,
        now: datetime,
        mid: int,
        who: MemberRecord | None = None,
    ) -> list[Action]:
        """`mid`: the message that counts (its id is the evidence); `who`:
        the member that counts, for joins and leaves."""
        if spec is None:
            return []
        where = (kind, group.chat_key)
        stamps = self._spikes.get(where)
        if stamps is None:
            stamps = self._spikes[where] = deque()
        named = NamedMember(who.key, display(who)) if who is not None else None
        stamps.append((now.timestamp(), mid, named))
        horizon = (now - spec.window).timestamp()
        while stamps and stamps[0][0] < horizon:
            stamps.popleft()
        if len(stamps) < spec.count:
            return []
        # Within the cooldown the alert is not repeated: its evidence, which
        # grows with a raid, is not gathered on every join of it.
        last = self._alerted.get(where)
        if last is not None and now - last < self.config.cooldown:
            return []
        return self.alert(
            kind, "high", group, now, list(dict.fromkeys(m for _, m, _ in stamps if m)),
            named=[w for _, _, w in stamps if w is not None],
            count=str(len(stamps)), window=format_duration(spec.window),
        )  # fmt: skip

    def spam_caught(self, group: GroupRecord, now: datetime, message_id: int) -> list[Action]:
        return self._spike("spam_spike", self.config.spam_spike, group, now, message_id)

    def reported(self, group: GroupRecord, now: datetime, message_id: int) -> list[Action]:
        return self._spike("report_spike", self.config.report_spike, group, now, message_id)

    def joined(self, group: GroupRecord, member: MemberRecord, now: datetime) -> list[Action]:
        return self._spike("raid", self.config.raid, group, now, 0, member)

    def left(self, group: GroupRecord, member: MemberRecord, now: datetime) -> list[Action]:
        return self._spike("leave_spike", self.config.leave_spike, group, now, 0, member)

    def on_message(
        self,
        ev: MessagePosted,
        member: MemberRecord,
        group: GroupRecord,
        role: str,
        view: MessageView,
    ) -> list[Action]:
        """Keywords, and questions asked and answered."""
        actions: list[Action] = []
        watched = self._keywords
        if watched is not None and role == "member":
            found = watched.first(view, self.kit.rules.lexicon)
            if found is not None:
                actions += self.alert(
                    "keyword", "medium", group, ev.at, [ev.message_id], asked=ev.text,
                    word=found.entry, name=display(member), text=_excerpt(ev.text),
                    named=[NamedMember(member.key, display(member), _excerpt(ev.text))],
                )  # fmt: skip
        if self.config.unanswered_question is None or ev.edited:
            return actions
        pending = self._questions.get(group.chat_key)
        if pending:
            reply = ev.reply_to
            if reply is not None and reply.message_id in pending:
                if pending[reply.message_id].member != member.key:
                    del pending[reply.message_id]
            elif role != "member":
                # A moderator speaking without replying most likely answers
                # the latest question; earlier ones still wait.
                del pending[next(reversed(pending))]
        if role == "member" and _asks(view):
            pending = self._questions.setdefault(group.chat_key, {})
            if len(pending) >= _QUESTIONS:
                del pending[next(iter(pending))]
            pending[ev.message_id] = _Question(
                ev.message_id, member.key, display(member), ev.at, ev.text
            )
        return actions

    def answered(self, group_key: str, message_id: int) -> None:
        """A question the bot itself answered (the FAQ) waits no longer."""
        pending = self._questions.get(group_key)
        if pending is not None:
            pending.pop(message_id, None)

    async def activity_drop(self, now: datetime) -> list[Action]:
        """Once a local day: each group's yesterday against its own baseline."""
        spec = self.config.activity_drop
        kit = self.kit
        today = kit.calendar.local_date(now)
        if spec is None or self._drop_checked == today:
            return []
        self._drop_checked = today
        yesterday = today - timedelta(days=1)
        first = yesterday - timedelta(days=spec.days)
        rows = await kit.store.daily_stats(kit.config.community.slug, first, yesterday)
        messages = {(r.group_key, r.day): r.messages for r in rows}
        actions: list[Action] = []
        for group in kit.directory.groups.values():
            # Counters of the last days may not be stored yet: memory wins.
            def count(day: date, key: str = group.chat_key) -> int:
                live = kit.stats.get(key, day)
                return live.messages if live is not None else messages.get((key, day), 0)

            baseline = sum(count(yesterday - timedelta(days=n)) for n in range(1, spec.days + 1))
            average = baseline / spec.days
            last = count(yesterday)
            if average >= spec.min_messages and last < average * spec.ratio:
                actions += self.alert(
                    "activity_drop", "medium", group, now, [],
                    messages=str(last), average=f"{average:.0f}", days=str(spec.days),
                )  # fmt: skip
        return actions

    def tick(self, now: datetime) -> list[Action]:
        spec = self.config.unanswered_question
        if spec is None:
            return []
        actions: list[Action] = []
        loc = self.kit.config.community.locale
        for group_key, pending in self._questions.items():
            group = self.kit.directory.groups.get(group_key)
            due = [q for q in pending.values() if now - q.at >= spec.after]
            for q in due:
                del pending[q.message_id]
                if group is not None:
                    actions += self.alert(
                        "unanswered_question", "medium", group, now, [q.message_id],
                        repeat=True, asked=q.text, name=q.name, after=format_duration(spec.after),
                        text=_excerpt(q.text) or t(loc, "mydata.alert_words"),
                        named=[NamedMember(q.member, q.name, _excerpt(q.text))],
                    )  # fmt: skip
        return actions


def ack_buttons(loc: Locale, alert: RiskAlertRecord) -> tuple[Button, ...]:
    return (Button(t(loc, "risk.button.ack", id=alert.id), "ack", (str(alert.id),)),)


def _names(names: list[str], more: int) -> str:
    return ", ".join(names) + (f" (+{more})" if more > 0 else "")


def _excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
