"""The entry gate (入群门槛): what a newcomer passes before the invite.

In order: already in a group (pointed back), minimum points, a captcha in the
private chat (button, arithmetic or the owner's questions, with a timeout and
a few attempts), then a moderator's approval when configured. Whoever passes
is placed by the overflow planner; a Telegram join request that passes is
approved instead, and one that fails is declined.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.actions import Action, ApproveJoin, DeclineJoin, SendDirect, SendMessage
from bot.config import Locale
from bot.directory import display
from bot.events import ChatRef, UserRef
from bot.i18n import t
from bot.records import MemberRecord

if TYPE_CHECKING:
    from bot.overflow import Overflow
    from bot.services import Services

BUTTONS = ("🍎", "🚗", "🐶", "🌵", "⭐", "🎈")


@dataclass(slots=True)
class Challenge:
    user: UserRef
    key: str
    answers: frozenset[str]
    expires: datetime
    tries_left: int
    # The group a Telegram join request is for; None for the entry link.
    request: ChatRef | None = None


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
    def __init__(self, s: Services, overflow: Overflow) -> None:
        self.s = s
        self.overflow = overflow
        self.challenges: dict[str, Challenge] = {}
        self.waiting: dict[str, Waiting] = {}
        # Members who failed the captcha, until when they may try again.
        self.blocked: dict[str, datetime] = {}

    def _text(self, member: MemberRecord | None, key: str, /, **values: object) -> str:
        return t(self.s.locale_for(member), key, **values)

    def _dm(self, member: MemberRecord, user: UserRef, key: str, /, **values: object) -> Action:
        return SendDirect(user, self._text(member, key, **values))

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
        cfg = self.s.config.entry
        balance = self.s.points.balance(member.key)
        if balance < cfg.min_points:
            return [
                self._dm(member, user, "entry.points", needed=cfg.min_points, balance=balance),
                *_no(request, user),
            ]
        if cfg.captcha != "none":
            questions = [(q.question, q.answers) for q in cfg.questions]
            seed = f"{member.key}|{now.isoformat()}"
            text, answers = make_challenge(cfg.captcha, questions, seed, self.s.locale_for(member))
            self.challenges[member.key] = Challenge(
                user, member.key, answers, now + cfg.timeout, cfg.attempts, request
            )
            minutes = max(1, int(cfg.timeout.total_seconds() // 60))
            intro = self._text(member, "entry.captcha.intro", minutes=minutes)
            return [SendDirect(user, intro + "\n" + text)]
        return self._passed(member, user, now, request)

    async def answer(self, member: MemberRecord, text: str, now: datetime) -> list[Action] | None:
        """A private message from someone with an open captcha; None otherwise."""
        c = self.challenges.get(member.key)
        if c is None:
            return None
        if c.expires <= now:
            return self._timed_out(member, c, now)
        if normalize(text) in c.answers:
            del self.challenges[member.key]
            return [
                self._dm(member, c.user, "entry.passed"),
                *self._passed(member, c.user, now, c.request),
            ]
        c.tries_left -= 1
        if c.tries_left > 0:
            return [self._dm(member, c.user, "entry.wrong", left=c.tries_left)]
        del self.challenges[member.key]
        timeout = self.s.config.entry.timeout
        self.blocked[member.key] = now + timeout
        minutes = max(1, int(timeout.total_seconds() // 60))
        return [self._dm(member, c.user, "entry.failed", minutes=minutes), *_no(c.request, c.user)]

    def _passed(
        self, member: MemberRecord, user: UserRef, now: datetime, request: ChatRef | None
    ) -> list[Action]:
        if self.s.config.entry.approval:
            self.waiting[member.key] = Waiting(user, now, request)
            actions: list[Action] = [self._dm(member, user, "entry.waiting")]
            log = self.s.log_chat
            if log is not None:
                text = t(self.s.config.community.locale, "entry.review", name=display(member))
                actions.append(SendMessage(log, text, kind="alert"))
            return actions
        return self.admit(member, user, now, request)

    def admit(
        self, member: MemberRecord, user: UserRef, now: datetime, request: ChatRef | None
    ) -> list[Action]:
        if request is not None:
            group = self.s.directory.groups.get(request.key)
            if group is not None:
                self.overflow.hold(member.key, group, now + self.s.config.entry.invite_ttl)
            return [ApproveJoin(request, user)]
        return self.overflow.place(member, user, now)

    def decide(self, member: MemberRecord, now: datetime, *, admit: bool) -> list[Action] | None:
        """A moderator's /admit or /deny; None when the member is not waiting."""
        w = self.waiting.pop(member.key, None)
        if w is None:
            return None
        if admit:
            return [
                self._dm(member, w.user, "entry.admitted"),
                *self.admit(member, w.user, now, w.request),
            ]
        return [self._dm(member, w.user, "entry.denied"), *_no(w.request, w.user)]

    def _timed_out(self, member: MemberRecord, c: Challenge, now: datetime) -> list[Action]:
        self.challenges.pop(member.key, None)
        return [self._dm(member, c.user, "entry.timeout"), *_no(c.request, c.user)]

    async def tick(self, now: datetime) -> list[Action]:
        actions: list[Action] = []
        for key, c in list(self.challenges.items()):
            if c.expires <= now:
                member = self.s.directory.members.get(key)
                if member is not None:
                    actions += self._timed_out(member, c, now)
                else:
                    del self.challenges[key]
        self.overflow.expire(now)
        for key, until in list(self.blocked.items()):
            if until <= now:
                del self.blocked[key]
        return actions


def _no(request: ChatRef | None, user: UserRef) -> list[Action]:
    return [DeclineJoin(request, user)] if request is not None else []
