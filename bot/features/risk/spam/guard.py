"""The spam guard: who is checked and how hard, what a detected message gets,
and learning from moderators (`/spam`, `/ham`) without a restart.

The model is built at start from the shipped samples and the community's
own (the store), then updated in place with every sample a moderator adds.
A bounded map of each member's recent messages lets `/spam` clean up
everything a spammer posted across the community's groups.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime

from bot.config.risk import SpamConfig
from bot.core.actions import Action, AskOpinion, BanMember, DeleteMessage, SendMessage
from bot.core.directory import display, user_of
from bot.core.events import ChatRef, MessagePosted
from bot.core.explanations import Explanation
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import GroupRecord, MemberRecord
from bot.features.moderation.enforcement import Enforcer
from bot.features.moderation.verdicts import found
from bot.features.points.points import Points
from bot.features.risk.records import (
    FlagRecord,
    LockdownRecord,
    ReportRecord,
    RiskAlertRecord,
    SpamSampleRecord,
    SpamSnapshot,
)
from bot.features.risk.spam.checks import Detector, SpamVerdict, head
from bot.features.risk.spam.checks import margin as spam_margin
from bot.features.risk.spam.images import Pictures
from bot.features.risk.spam.model import HAM, SPAM, SpamModel
from bot.features.risk.spam.opinions import Opinions
from bot.features.risk.spam.training import shipped_model
from bot.features.risk.store import SpamStore
from rules.lexicon import Lexicon
from rules.message import MessageView

RULE = "spam"
# Recent messages kept per member, and members kept (two generations).
_PER_MEMBER = 30
_MEMBERS = 20_000


class MemorySpamStore:
    """The `SpamStore` port in memory, for an engine started without one."""

    def __init__(self) -> None:
        self.samples: list[SpamSampleRecord] = []
        self.flags: dict[int, FlagRecord] = {}
        self.reports: list[ReportRecord] = []
        self.alerts: dict[int, RiskAlertRecord] = {}
        self.summaries: set[date] = set()
        self.lockdowns: dict[int, LockdownRecord] = {}

    async def load_spam(self, community: str) -> SpamSnapshot:
        waiting = [f for f in self.flags.values() if f.status in ("reported", "open")]
        ids = {f.id for f in waiting}
        return SpamSnapshot(
            samples=list(self.samples),
            flags=waiting,
            reports=[r for r in self.reports if r.flag_id in ids],
            last_flag_id=max(self.flags, default=0),
            last_alert_id=max(self.alerts, default=0),
            open_alerts=[replace(a) for a in self.alerts.values() if a.acked_at is None],
            lockdowns=[replace(k) for k in self.lockdowns.values() if k.lifted_at is None],
            last_lockdown_id=max(self.lockdowns, default=0),
        )

    async def add_samples(self, samples: Sequence[SpamSampleRecord]) -> None:
        self.samples.extend(samples)

    async def save_flag(self, flag: FlagRecord) -> None:
        self.flags[flag.id] = flag

    async def add_report(self, report: ReportRecord) -> None:
        self.reports.append(report)

    async def save_alert(self, alert: RiskAlertRecord) -> None:
        self.alerts[alert.id] = replace(alert)

    async def alerts_since(self, community: str, since: datetime) -> list[RiskAlertRecord]:
        return [replace(a) for a in self.alerts.values() if a.at >= since]

    async def claim_summary(self, community: str, day: date, at: datetime) -> bool:
        if day in self.summaries:
            return False
        self.summaries.add(day)
        return True

    async def save_lockdown(self, lockdown: LockdownRecord) -> None:
        self.lockdowns[lockdown.id] = replace(lockdown)


# A remembered message: its chat, id, time and text. Not the event itself:
# that would keep its sender, reply and media alive for the GC to walk.
Recent = tuple[ChatRef, int, datetime, str]


class RecentMessages:
    """Each member's latest messages, bounded: two generations of dicts, the
    older dropped whole when the newer fills. A member's messages are a list
    trimmed from the front: the first costs a one-item list, not a deque's
    block of 64."""

    def __init__(self, members: int = _MEMBERS, per_member: int = _PER_MEMBER) -> None:
        self._limit = members
        self._per = per_member
        self._now: dict[str, list[Recent]] = {}
        self._before: dict[str, list[Recent]] = {}

    def add(self, member: str, ev: MessagePosted) -> None:
        found = self._now.get(member)
        if found is not None:
            found.append((ev.chat, ev.message_id, ev.at, ev.text))
            if len(found) > self._per:
                del found[0]
            return
        found = self._before.pop(member, None)
        if len(self._now) >= self._limit:
            self._before = self._now
            self._now = {}
        if found is None:
            self._now[member] = [(ev.chat, ev.message_id, ev.at, ev.text)]
            return
        self._now[member] = found
        found.append((ev.chat, ev.message_id, ev.at, ev.text))
        if len(found) > self._per:
            del found[0]

    def of(self, member: str) -> Iterator[Recent]:
        """The member's kept messages, newest generation first."""
        for generation in (self._now, self._before):
            found = generation.get(member)
            if found is not None:
                yield from found

    def text(self, member: str, chat: ChatRef, message_id: int) -> str:
        for c, mid, _, text in self.of(member):
            if mid == message_id and c == chat:
                return text
        return ""

    def take(self, member: str, since: datetime) -> list[Recent]:
        """The member's messages since `since`, forgotten as they are taken."""
        taken = [r for r in self.of(member) if r[2] >= since]
        self._now.pop(member, None)
        self._before.pop(member, None)
        return taken


class SpamGuard:
    def __init__(
        self,
        kit: Kit,
        store: SpamStore,
        config: SpamConfig,
        snapshot: SpamSnapshot,
        enforcer: Enforcer,
        points: Points,
    ) -> None:
        self.kit = kit
        self.store = store
        # Trusted from a level on.
        self.points = points
        self.model = shipped_model().copy() if config.default_samples else SpamModel()
        self.model.learn_all((x.label, x.text) for x in snapshot.samples)
        self.config = config
        self.detector = Detector(config, self.model, self.lexicon)
        # Whether any second opinion is configured (most communities: none).
        self.asks_opinions = config.cas.enabled or config.llm.enabled
        self.recent = RecentMessages()
        self.pictures = Pictures()
        self.opinions = Opinions()
        # Members caught once are checked again whatever their count says.
        self.suspects: set[str] = set()
        # The text each member was punished for as spam: an unban teaches
        # the model it was not (the moderators' samples survive a restart).
        self.caught: dict[str, str] = {
            x.member_key: x.text for x in snapshot.samples if x.label == SPAM and x.member_key
        }
        self.enforcer = enforcer

    def configure(self, config: SpamConfig) -> None:
        """A reload: the checks and thresholds are rebuilt, the model is
        kept (what moderators taught it included)."""
        if config != self.config:
            self.config = config
            self.detector = Detector(config, self.model, self.lexicon)
            self.asks_opinions = config.cas.enabled or config.llm.enabled

    def lexicon(self) -> Lexicon:
        """The running rules' word lists, the stop words among them."""
        return self.kit.rules.lexicon

    def scrutiny(self, view: MessageView, member: MemberRecord, role: str) -> bool | None:
        """None: not checked (staff, approved, trusted); True: a newcomer,
        checked hardest; False: checked for content only. Tenure is the
        view's: a member who predates the bot is no newcomer."""
        cfg = self.config
        if not cfg.enabled or role != "member" or self.approved(member):
            return None
        if 0 < view.message_count <= cfg.first_messages:
            return True
        age = view.member_age
        return age is not None and age < cfg.newcomer.total_seconds()

    def approved(self, member: MemberRecord) -> bool:
        """After `approve_after` clean messages, or from `trusted_level` on;
        never a member the detector caught."""
        cfg = self.config
        if member.key in self.suspects:
            return False
        if member.message_count > cfg.approve_after:
            return True
        if cfg.trusted_level is None:
            return False
        points = self.points
        return points.level_of(member.key) >= cfg.trusted_level

    def check(self, view: MessageView, member: MemberRecord, role: str) -> SpamVerdict | None:
        return self.verdict(view, self.scrutiny(view, member, role))

    def verdict(self, view: MessageView, newcomer: bool | None) -> SpamVerdict | None:
        """The detector's verdict when it is spam, at the scrutiny given
        (`scrutiny`'s answer, found once per message by its caller)."""
        if newcomer is None:
            return None
        verdict = self.detector.check(view, newcomer=newcomer)
        return verdict if verdict.spam else None

    def second_opinions(
        self, ev: MessagePosted, member: MemberRecord, view: MessageView, newcomer: bool | None
    ) -> list[AskOpinion]:
        """CAS and language-model questions about a message the detector
        let through (both off unless configured)."""
        cfg = self.config
        if newcomer is None or not (cfg.cas.enabled or cfg.llm.enabled):
            return []
        # The compiled scorer where it is built: no feature strings.
        margin = spam_margin(self.model.linear, head(view)) if cfg.llm.enabled else 0.0
        threshold = self.detector.newcomer if newcomer else self.detector.regular
        today = self.kit.calendar.local_date(ev.at)
        return self.opinions.ask(cfg, ev, member.key, newcomer, margin, threshold, today)

    def remember(self, ev: MessagePosted, member: MemberRecord) -> None:
        self.recent.add(member.key, ev)

    def act(
        self, verdict: SpamVerdict, ev: MessagePosted, member: MemberRecord, group: GroupRecord
    ) -> tuple[list[Action], FlagRecord | None]:
        """What a detected message gets; a flag to queue when the action is `flag`."""
        cfg = self.config
        kit = self.kit
        loc = kit.locale_for(member)
        community_loc = kit.config.community.locale
        hits = verdict.hits
        details = "; ".join(found(r, community_loc) for r in hits)
        now, chat = ev.at, ev.chat
        self.suspects.add(member.key)
        if cfg.action == "flag":
            case = self.enforcer.cases.open_case(
                "flag", member, now, group_key=group.chat_key, rule=RULE, details=details,
                message_text=ev.text,
            )  # fmt: skip
            self._explain(verdict, ev, member, case.id, "flag", ())
            flag = FlagRecord(
                kit.config.community.slug, 0, group.chat_key, ev.message_id, member.key,
                ev.text[:1000], now, "spam", "open", details, case.id,
            )  # fmt: skip
            return [], flag
        actions: list[Action] = []
        name = display(member)
        if cfg.action == "delete":
            case = self.enforcer.cases.open_case(
                "delete", member, now, group_key=group.chat_key, rule=RULE, details=details,
                message_text=ev.text,
            )  # fmt: skip
            actions += self.enforcer.log(case, member, None)
            notice = t(loc, "spam.removed", name=name)
            verb = "delete"
        else:
            verb = "ban" if cfg.action == "delete_and_ban" else "mute"
            span = cfg.mute if verb == "mute" else None
            case, acts = self.enforcer.sanction(
                verb, member, chat, now, group=group, duration=span, rule=RULE,
                details=details, text=ev.text,
            )  # fmt: skip
            actions += acts
            self.caught[member.key] = ev.text
            notice = t(loc, f"spam.removed_{verb}", name=name)
        actions.insert(0, DeleteMessage(chat, (ev.message_id,), RULE, case.id))
        day = kit.calendar.local_date(now)
        kit.stats.add(group.chat_key, day, "removed")
        kit.stats.add(group.chat_key, day, "spam_removed")
        self._explain(verdict, ev, member, case.id, verb, (notice,))
        return [*actions, SendMessage(chat, notice, kind="warn")], None

    def _explain(
        self,
        verdict: SpamVerdict,
        ev: MessagePosted,
        member: MemberRecord,
        case_id: int,
        action: str,
        notices: tuple[str, ...],
    ) -> None:
        first, *others = verdict.hits
        self.kit.explanations.remember(
            Explanation(
                rule=RULE, rule_type=RULE, action=action, result=first, text=ev.text[:500],
                others=tuple(others), case_id=case_id, member=member.key,
            ),
            ev.chat.key,
            ev.message_id,
            notices,
        )  # fmt: skip

    async def learn(
        self, label: str, text: str, at: datetime, *, source: str, by: str | None = None,
        member: str | None = None,
    ) -> bool:  # fmt: skip
        """Store a sample and, when learning is on, teach the model at once."""
        text = text.strip()
        if not text:
            return False
        sample = SpamSampleRecord(
            self.kit.config.community.slug, label, text[:2000], source, at, by, member
        )
        await self.store.add_samples([sample])
        if self.config.learn:
            self.model.learn(label, sample.text)
        if label == HAM and member is not None:
            self.suspects.discard(member)
        return True

    async def forgive(self, member: MemberRecord, now: datetime, by: MemberRecord) -> bool:
        """A moderator unbanned a member punished as a spammer: what they
        were punished for is learned as ham. False when there was nothing."""
        text = self.caught.pop(member.key, None)
        if text is None:
            return False
        return await self.learn(HAM, text, now, source="unban", by=by.key, member=member.key)

    def clean_up(
        self, member: MemberRecord, chat: ChatRef, message_id: int, now: datetime
    ) -> tuple[list[DeleteMessage], set[ChatRef]]:
        """Deletions of the message and the member's other recent messages,
        one action per chat, and the chats they were in."""
        since = now - self.config.cleanup
        ids: dict[ChatRef, set[int]] = {chat: {message_id}}
        for c, mid, _, _ in self.recent.take(member.key, since):
            ids.setdefault(c, set()).add(mid)
        deletes = [DeleteMessage(c, tuple(sorted(m)), RULE) for c, m in ids.items()]
        return deletes, set(ids)

    def ban_everywhere(
        self, member: MemberRecord, chats: set[ChatRef], case_id: int
    ) -> list[Action]:
        """The community's bans are shared: the other groups the spammer
        posted in ban them too."""
        user = user_of(member)
        return [
            BanMember(c, user, None, None, RULE, case_id)
            for c in sorted(chats, key=lambda c: c.key)
        ]
