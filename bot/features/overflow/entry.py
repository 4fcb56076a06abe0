"""The entry gate (入群门槛): what a newcomer passes before the invite.

In order: already in a group (pointed back), minimum points, a captcha in the
private chat (button, arithmetic or the owner's questions, with a timeout and
a few attempts), then a moderator's approval when configured. Whoever passes
is placed by the overflow planner; a Telegram join request that passes is
approved instead, and one that fails is declined.

Someone who joins a group directly (an old link, added by hand) while a
captcha is configured is muted and asked the same captcha; failing it or
letting it time out removes them from the group.

Open captchas with their deadlines, the approval queue and the blocks after
failed captchas are saved at the end of each event (`save`), together with
the planner's invites, so a restart loses none of them.
"""

from __future__ import annotations

import asyncio
import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import Locale
from bot.core.actions import (
    Action,
    ApproveJoin,
    DeclineJoin,
    KickMember,
    MuteMember,
    SendDirect,
    SendMessage,
    UnmuteMember,
)
from bot.core.directory import chat_of, display
from bot.core.events import ChatRef, UserRef
from bot.core.i18n import t
from bot.core.records import GroupRecord, MemberRecord
from bot.features.overflow.records import EntryStageRecord, OverflowChanges, OverflowSnapshot
from bot.features.points.points import Points

if TYPE_CHECKING:
    from bot.core.kit import Kit
    from bot.features.fee.service import EntryFee
    from bot.features.overflow.planner import Overflow
    from bot.features.overflow.store import OverflowStore

BUTTONS = ("🍎", "🚗", "🐶", "🌵", "⭐", "🎈")
# The rule name moderators see on a direct joiner's mute and removal.
ENTRY_RULE = "entry-captcha"

CAPTCHA, WAITING, BLOCKED = "captcha", "waiting", "blocked"


@dataclass(slots=True)
class Challenge:
    user: UserRef
    key: str
    answers: frozenset[str]
    expires: datetime
    tries_left: int
    # The group a Telegram join request is for; None for the entry link.
    request: ChatRef | None = None
    # The group a direct joiner is muted in until they answer.
    joined: ChatRef | None = None
    at: datetime | None = None


@dataclass(slots=True)
class Waiting:
    """A newcomer who passed the captcha, waiting for a moderator."""

    user: UserRef
    at: datetime
    request: ChatRef | None = None


def normalize(answer: str) -> str:
    """Full-width digits and letters read as plain ones; case and spaces ignored."""
    return unicodedata.normalize("NFKC", answer).strip().casefold()


def make_challenge(
    kind: str, questions: list[tuple[str, list[str]]], seed: str, locale: Locale
) -> tuple[str, frozenset[str]]:
    """(the question text, its accepted answers); the same seed, the same question."""
    rng = random.Random(seed)
    if kind == "arithmetic":
        a, b = rng.randint(2, 9), rng.randint(2, 9)
        return t(locale, "entry.captcha.arithmetic", a=a, b=b), frozenset({str(a + b)})
    if kind == "button":
        shown = rng.sample(BUTTONS, 4)
        pick = rng.choice(shown)
        text = t(locale, "entry.captcha.button", target=pick, options="  ".join(shown))
        return text, frozenset({normalize(pick)})
    question, answers = rng.choice(questions)
    return (
        t(locale, "entry.captcha.question", question=question),
        frozenset(normalize(a) for a in answers),
    )


class EntryGate:
    def __init__(
        self,
        kit: Kit,
        overflow: Overflow,
        points: Points,
        store: OverflowStore | None = None,
        saved: OverflowSnapshot | None = None,
    ) -> None:
        self.kit = kit
        self.overflow = overflow
        # The entry's minimum points.
        self.points = points
        self.store = store
        # The entry fee, paid after everything else and before the invite.
        self.fee: EntryFee | None = None
        self.challenges: dict[str, Challenge] = {}
        self.waiting: dict[str, Waiting] = {}
        # Members who failed the captcha, until when they may try again.
        self.blocked: dict[str, datetime] = {}
        # Member keys whose stage changed since the last save.
        self._dirty: set[str] = set()
        # One save at a time, so rows reach the database in the order of events.
        self._saving = asyncio.Lock()
        if saved is not None:
            for row in saved.stages:
                self._restore(row)

    def _restore(self, row: EntryStageRecord) -> None:
        platform, _, user_id = row.member_key.partition(":")
        user = UserRef(platform, user_id, row.user_name, row.username)
        request = ChatRef.parse(row.request_key) if row.request_key else None
        if row.stage in (CAPTCHA, WAITING):
            # Moderators name them in /admit, and a crash may have lost the
            # member row that was still on its way to the database.
            self.kit.directory.member(user, row.at)
        if row.stage == CAPTCHA and row.expires_at is not None:
            self.challenges[row.member_key] = Challenge(
                user,
                row.member_key,
                frozenset(row.answers.split("\n")),
                row.expires_at,
                row.tries_left,
                request,
                ChatRef.parse(row.joined_key) if row.joined_key else None,
                row.at,
            )
        elif row.stage == WAITING:
            self.waiting[row.member_key] = Waiting(user, row.at, request)
        elif row.stage == BLOCKED and row.expires_at is not None:
            self.blocked[row.member_key] = row.expires_at

    def _text(self, member: MemberRecord | None, key: str, /, **values: object) -> str:
        return t(self.kit.locale_for(member), key, **values)

    def _dm(self, member: MemberRecord, user: UserRef, key: str, /, **values: object) -> Action:
        return SendDirect(user, self._text(member, key, **values))

    def _ask(
        self,
        member: MemberRecord,
        user: UserRef,
        now: datetime,
        request: ChatRef | None = None,
        joined: ChatRef | None = None,
    ) -> tuple[str, Challenge]:
        cfg = self.kit.config.entry
        questions = [(q.question, q.answers) for q in cfg.questions]
        seed = f"{member.key}|{now.isoformat()}"
        text, answers = make_challenge(cfg.captcha, questions, seed, self.kit.locale_for(member))
        c = Challenge(
            user, member.key, answers, now + cfg.timeout, cfg.attempts, request, joined, now
        )
        self.challenges[member.key] = c
        self.blocked.pop(member.key, None)
        self._dirty.add(member.key)
        return text, c

    async def begin(
        self, member: MemberRecord, user: UserRef, now: datetime, request: ChatRef | None = None
    ) -> list[Action]:
        """A newcomer asks in: the entry link (`request` None) or a join request."""
        if request is None:
            seat = await self.overflow.seat_of(member)
            if seat is not None:
                return [self._dm(member, user, "entry.already", group=seat.title)]
        until = self.blocked.get(member.key)
        if until is not None and until > now:
            minutes = max(1, int((until - now).total_seconds() // 60))
            return [self._dm(member, user, "entry.blocked", minutes=minutes), *_no(request, user)]
        if member.key in self.waiting:
            return [self._dm(member, user, "entry.waiting")]
        cfg = self.kit.config.entry
        balance = self.points.balance(member.key)
        if balance < cfg.min_points:
            return [
                self._dm(member, user, "entry.points", needed=cfg.min_points, balance=balance),
                *_no(request, user),
            ]
        if cfg.captcha != "none":
            text, _ = self._ask(member, user, now, request)
            minutes = max(1, int(cfg.timeout.total_seconds() // 60))
            intro = self._text(member, "entry.captcha.intro", minutes=minutes)
            return [SendDirect(user, intro + "\n" + text)]
        return self._passed(member, user, now, request)

    def joined_directly(
        self, member: MemberRecord, user: UserRef, group: GroupRecord, now: datetime
    ) -> list[Action]:
        """Someone joined without an entry invite while a captcha guards the
        entry: muted until they answer it in private, removed if they do not."""
        if self.kit.config.entry.captcha == "none":
            return []
        chat = chat_of(group)
        text, c = self._ask(member, user, now, joined=chat)
        minutes = max(1, int(self.kit.config.entry.timeout.total_seconds() // 60))
        intro = self._text(member, "entry.captcha.intro_joined", group=group.title, minutes=minutes)
        return [
            MuteMember(chat, user, c.expires, f"{minutes}m", rule=ENTRY_RULE),
            SendDirect(user, intro + "\n" + text, fallback_chat=chat),
        ]

    async def answer(self, member: MemberRecord, text: str, now: datetime) -> list[Action] | None:
        """A private message from someone with an open captcha; None otherwise."""
        c = self.challenges.get(member.key)
        if c is None:
            return None
        if c.expires <= now:
            return self._timed_out(member, c, now)
        if normalize(text) in c.answers:
            del self.challenges[member.key]
            self._dirty.add(member.key)
            passed = self._dm(member, c.user, "entry.passed")
            if c.joined is not None:
                # Already in the group: the captcha was all that was missing.
                return [passed, UnmuteMember(c.joined, c.user)]
            return [passed, *self._passed(member, c.user, now, c.request)]
        c.tries_left -= 1
        self._dirty.add(member.key)
        if c.tries_left > 0:
            return [self._dm(member, c.user, "entry.wrong", left=c.tries_left)]
        del self.challenges[member.key]
        timeout = self.kit.config.entry.timeout
        self.blocked[member.key] = now + timeout
        minutes = max(1, int(timeout.total_seconds() // 60))
        return [
            self._dm(member, c.user, "entry.failed", minutes=minutes),
            *_no(c.request, c.user),
            *self._out(member, c),
        ]

    def _passed(
        self, member: MemberRecord, user: UserRef, now: datetime, request: ChatRef | None
    ) -> list[Action]:
        if self.kit.config.entry.approval:
            self.waiting[member.key] = Waiting(user, now, request)
            self._dirty.add(member.key)
            actions: list[Action] = [self._dm(member, user, "entry.waiting")]
            log = self.kit.log_chat
            if log is not None:
                text = t(self.kit.config.community.locale, "entry.review", name=display(member))
                actions.append(SendMessage(log, text, kind="alert"))
            return actions
        return self.admit(member, user, now, request)

    def admit(
        self, member: MemberRecord, user: UserRef, now: datetime, request: ChatRef | None
    ) -> list[Action]:
        fee = self.fee
        # With no place to give, the newcomer is told so rather than billed.
        room = request is not None or self.overflow.entry_group(user.platform) is not None
        if fee is not None and fee.applies(user) and room:
            told = fee.on_record(member, user)
            if told is None:
                return fee.bill(member, user, request)
            return told + self.seat(member, user, now, request)
        return self.seat(member, user, now, request)

    def seat(
        self, member: MemberRecord, user: UserRef, now: datetime, request: ChatRef | None
    ) -> list[Action]:
        """The invite, or the join request approved: all paid and passed."""
        if request is not None:
            group = self.kit.directory.groups.get(request.key)
            if group is not None:
                self.overflow.hold(member.key, group, now + self.kit.config.entry.invite_ttl)
            return [ApproveJoin(request, user)]
        return self.overflow.place(member, user, now)

    def decide(self, member: MemberRecord, now: datetime, *, admit: bool) -> list[Action] | None:
        """A moderator's /admit or /deny; None when the member is not waiting."""
        w = self.waiting.pop(member.key, None)
        if w is None:
            return None
        self._dirty.add(member.key)
        if admit:
            return [
                self._dm(member, w.user, "entry.admitted"),
                *self.admit(member, w.user, now, w.request),
            ]
        return [self._dm(member, w.user, "entry.denied"), *_no(w.request, w.user)]

    def _timed_out(self, member: MemberRecord | None, c: Challenge, now: datetime) -> list[Action]:
        self.challenges.pop(c.key, None)
        self._dirty.add(c.key)
        return [
            SendDirect(c.user, self._text(member, "entry.timeout")),
            *_no(c.request, c.user),
            *self._out(member, c),
        ]

    def _out(self, member: MemberRecord | None, c: Challenge) -> list[Action]:
        """A direct joiner who did not pass leaves the group they walked into."""
        if c.joined is None:
            return []
        group = self.kit.directory.groups.get(c.joined.key)
        title = group.title if group is not None else c.joined.chat_id
        return [
            KickMember(c.joined, c.user, rule=ENTRY_RULE),
            SendDirect(c.user, self._text(member, "entry.removed", group=title)),
        ]

    async def tick(self, now: datetime) -> list[Action]:
        actions: list[Action] = []
        for key, c in list(self.challenges.items()):
            if c.expires <= now:
                actions += self._timed_out(self.kit.directory.members.get(key), c, now)
        self.overflow.expire(now)
        for key, until in list(self.blocked.items()):
            if until <= now:
                del self.blocked[key]
                self._dirty.add(key)
        return actions

    # -- saving -------------------------------------------------------------

    def has_pending(self) -> bool:
        """Changes to save, or a save under way (which may hold this event's
        changes: it is waited for too)."""
        return bool(self._dirty) or self.overflow.changed or self._saving.locked()

    async def save(self, now: datetime) -> None:
        """Write what changed since the last save (the gate's stages, the
        planner's invites and notes) in one transaction."""
        if not self.has_pending():
            return
        async with self._saving:
            changes = OverflowChanges(self.kit.config.community.slug)
            self.overflow.changes(changes, now)
            for key in self._dirty:
                row = self._stage(changes.community, key)
                if row is None:
                    changes.stages_gone.append(key)
                else:
                    changes.stages.append(row)
            self._dirty.clear()
            if changes and self.store is not None:
                await self.store.save_overflow(changes)

    def _stage(self, community: str, key: str) -> EntryStageRecord | None:
        c = self.challenges.get(key)
        if c is not None:
            return EntryStageRecord(
                community, key, CAPTCHA, c.at or c.expires, c.user.name, c.user.username,
                expires_at=c.expires, answers="\n".join(sorted(c.answers)),
                tries_left=c.tries_left, request_key=c.request.key if c.request else None,
                joined_key=c.joined.key if c.joined else None,
            )  # fmt: skip
        w = self.waiting.get(key)
        if w is not None:
            return EntryStageRecord(
                community, key, WAITING, w.at, w.user.name, w.user.username,
                request_key=w.request.key if w.request else None,
            )  # fmt: skip
        until = self.blocked.get(key)
        if until is not None:
            return EntryStageRecord(community, key, BLOCKED, until, expires_at=until)
        return None


def _no(request: ChatRef | None, user: UserRef) -> list[Action]:
    return [DeclineJoin(request, user)] if request is not None else []
