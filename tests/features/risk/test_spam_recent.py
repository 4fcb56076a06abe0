"""The messages `/spam` cleans up: `RecentMessages` keeps (chat, id,
time, text) in trimmed lists with the event's own time, and must answer
exactly as the deques with float times it replaced (`Reference`, kept here
for that), for
any sequence of messages, lookups and clean-ups; the scenarios of
tests/telegram/test_telegram_spam.py and tests/discord/test_discord_spam.py
run it end to end."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.events import ChatRef, MessagePosted, UserRef
from bot.features.risk.spam.guard import RecentMessages

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CHATS = [ChatRef("telegram", "-1001"), ChatRef("telegram", "-1002"), ChatRef("discord", "7")]
Old = tuple[ChatRef, int, float, str]


class Reference:
    """The previous implementation: deques of tuples, times as floats."""

    def __init__(self, members: int, per_member: int) -> None:
        self._limit = members
        self._per = per_member
        self._now: dict[str, deque[Old]] = {}
        self._before: dict[str, deque[Old]] = {}

    def add(self, member: str, chat: ChatRef, message_id: int, at: float, text: str) -> None:
        found = self._now.get(member)
        if found is None:
            found = self._before.pop(member, None) or deque(maxlen=self._per)
            if len(self._now) >= self._limit:
                self._before = self._now
                self._now = {}
            self._now[member] = found
        found.append((chat, message_id, at, text))

    def of(self, member: str) -> Iterator[Old]:
        for generation in (self._now, self._before):
            found = generation.get(member)
            if found is not None:
                yield from found

    def text(self, member: str, chat: ChatRef, message_id: int) -> str:
        for c, mid, _, text in self.of(member):
            if mid == message_id and c == chat:
                return text
        return ""

    def take(self, member: str, since: float) -> list[Old]:
        taken = [r for r in self.of(member) if r[2] >= since]
        self._now.pop(member, None)
        self._before.pop(member, None)
        return taken


members = st.sampled_from(["m1", "m2", "m3", "m4", "m5"])
adds = st.tuples(st.just("add"), members, st.integers(0, 2), st.integers(0, 600))
takes = st.tuples(st.just("take"), members, st.integers(0, 2), st.integers(0, 600))
texts = st.tuples(st.just("text"), members, st.integers(0, 2), st.integers(1, 40))
steps = st.lists(st.one_of(adds, adds, adds, takes, texts), max_size=80)


@settings(max_examples=300)
@given(steps, st.integers(1, 4), st.integers(1, 5))
def test_recent_messages_answer_as_the_tuples_they_replaced(
    ops: list[tuple[str, str, int, int]], limit: int, per: int
) -> None:
    new, old = RecentMessages(limit, per), Reference(limit, per)
    mid = 0
    for op, member, chat_no, n in ops:
        chat = CHATS[chat_no]
        if op == "add":
            mid += 1
            at = START + timedelta(seconds=n)
            ev = MessagePosted(chat, UserRef("telegram", member), mid, f"t{mid}", at)
            new.add(member, ev)
            old.add(member, chat, mid, at.timestamp(), ev.text)
        elif op == "take":
            since = START + timedelta(seconds=n)
            got = [(c, m, at.timestamp(), t) for c, m, at, t in new.take(member, since)]
            assert got == old.take(member, since.timestamp())
        else:
            assert new.text(member, chat, n) == old.text(member, chat, n)
    for member in ("m1", "m2", "m3", "m4", "m5"):
        got = [(c, m, at.timestamp(), t) for c, m, at, t in new.of(member)]
        assert got == list(old.of(member))


def test_a_members_messages_are_bounded_and_cleaned_up_within_the_window() -> None:
    recent = RecentMessages(members=2, per_member=3)
    user = UserRef("telegram", "9")
    for i in range(5):
        recent.add("m", MessagePosted(CHATS[i % 2], user, i, f"t{i}", START + timedelta(hours=i)))
    # The three latest only.
    assert [r[1] for r in recent.of("m")] == [2, 3, 4]
    assert recent.text("m", CHATS[1], 3) == "t3" and recent.text("m", CHATS[0], 3) == ""
    taken = recent.take("m", START + timedelta(hours=3))
    assert [r[1] for r in taken] == [3, 4]
    # Taken is forgotten.
    assert list(recent.of("m")) == []
