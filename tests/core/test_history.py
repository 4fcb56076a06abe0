"""The chat history /purge reads: bounded per chat, newest first, edits,
presses and private chats left out, deleted ids forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.events import ChatRef, CommandIssued, MessagePosted, UserRef
from bot.core.history import ChatHistory

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GROUP = ChatRef("telegram", "-100")
OTHER = ChatRef("discord", "-100")
ANN = UserRef("telegram", "7", "Ann")


def posted(mid: int, chat: ChatRef = GROUP, **extra: object) -> MessagePosted:
    return MessagePosted(chat, ANN, mid, f"text {mid}", T0 + timedelta(seconds=mid), **extra)  # type: ignore[arg-type]


def ids(history: ChatHistory, chat: ChatRef = GROUP) -> list[int]:
    return [mid for mid, _, _ in history.latest(chat)]


def test_the_ring_keeps_the_last_per_chat_newest_first() -> None:
    history = ChatHistory(per_chat=4)
    for mid in range(1, 11):
        history.saw(posted(mid))
    assert ids(history) == [10, 9, 8, 7]
    [(mid, at, sender), *_] = history.latest(GROUP)
    assert (mid, at, sender) == (10, (T0 + timedelta(seconds=10)).timestamp(), "7")


def test_chats_are_apart_even_with_the_same_id_on_two_platforms() -> None:
    history = ChatHistory()
    history.saw(posted(1))
    history.saw(posted(2, OTHER))
    assert ids(history) == [1] and ids(history, OTHER) == [2]
    assert ids(history, ChatRef("telegram", "-999")) == []


def test_edits_presses_and_private_chats_are_not_messages_to_purge() -> None:
    history = ChatHistory()
    history.saw(posted(1, edited=True))
    history.saw(posted(2, ChatRef("telegram", "7", private=True)))
    history.saw(CommandIssued(GROUP, ANN, 3, "ack", ("1",), T0, press="q1"))
    history.saw(CommandIssued(GROUP, ANN, 4, "purge", ("1",), T0))
    assert ids(history) == [4]


def test_forgotten_ids_are_skipped_and_the_ring_goes_on() -> None:
    history = ChatHistory(per_chat=3)
    for mid in (1, 2, 3):
        history.saw(posted(mid))
    history.forget(GROUP, (2, 99))
    history.forget(OTHER, (1,))
    assert ids(history) == [3, 1]
    history.saw(posted(4))
    assert ids(history) == [4, 3]


def test_a_dump_restores_the_same_history_deletions_included() -> None:
    history = ChatHistory(per_chat=3)
    for mid in range(1, 6):
        history.saw(posted(mid))
    history.saw(posted(7, OTHER))
    history.forget(GROUP, (4,))
    again = ChatHistory(per_chat=3)
    for chat, mids, ats, senders in history.dump():
        again.restore(chat, mids, ats, senders)
    assert list(again.latest(GROUP)) == list(history.latest(GROUP))
    assert ids(again) == [5, 3] and ids(again, OTHER) == [7]
    assert again.deleted(GROUP) == {4}
    again.saw(posted(6))
    assert ids(again) == [6, 5]


def test_an_erased_member_is_no_longer_named_but_their_messages_stay() -> None:
    history = ChatHistory()
    history.saw(posted(1))
    history.saw(posted(2, OTHER))
    history.forget_sender("telegram", "7")
    assert [who for _, _, who in history.latest(GROUP)] == [""]
    assert [who for _, _, who in history.latest(OTHER)] == ["7"]
