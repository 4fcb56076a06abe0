"""The chat history /purge reads: bounded per chat, newest first, edits,
presses, slash commands and private chats left out, the bot's own messages
kept without a sender, forum topics apart, deleted ids forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.events import ChatRef, CommandIssued, MessagePosted, MessageSent, UserRef
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


FORUM = ChatRef("telegram", "-100", forum=True)
TOPIC_A = ChatRef("telegram", "-100", thread="11", forum=True)
TOPIC_B = ChatRef("telegram", "-100", thread="12", forum=True)


def test_the_bots_own_messages_are_kept_with_no_sender_every_part() -> None:
    history = ChatHistory()
    history.saw(posted(1))
    history.saw(MessageSent(GROUP, 2, "", T0, more=(3, 4)))
    history.saw(MessageSent(GROUP, 5, "poll:1", T0))
    history.saw(MessageSent(ChatRef("telegram", "7", private=True), 1, "x", T0))
    assert [(mid, who) for mid, _, who in history.latest(GROUP)] == [
        (5, ""), (4, ""), (3, ""), (2, ""), (1, "7"),
    ]  # fmt: skip
    assert ids(history, ChatRef("telegram", "7", private=True)) == []


def test_a_slash_command_is_no_message_of_the_chat() -> None:
    history = ChatHistory()
    history.saw(CommandIssued(OTHER, ANN, 1, "checkin", (), T0, in_chat=False))
    history.saw(CommandIssued(OTHER, ANN, 2, "checkin", (), T0))
    assert ids(history, OTHER) == [2]


def test_forum_topics_have_their_own_rings_and_deletions_count_per_chat() -> None:
    history = ChatHistory(per_chat=3)
    history.saw(posted(1, FORUM))
    for mid in (2, 4, 6, 8):
        history.saw(posted(mid, TOPIC_A))
    history.saw(posted(3, TOPIC_B))
    history.saw(MessageSent(TOPIC_B, 5, "", T0))
    assert ids(history, FORUM) == [1]
    assert ids(history, TOPIC_A) == [8, 6, 4]
    assert ids(history, TOPIC_B) == [5, 3]
    # A deletion that names the chat alone finds the topic's message.
    history.forget(ChatRef("telegram", "-100"), (3, 6, 99))
    assert ids(history, TOPIC_B) == [5] and ids(history, TOPIC_A) == [8, 4]
    assert history.deleted(FORUM) == {3, 6, 99}
    again = ChatHistory(per_chat=3)
    for chat, mids, ats, senders in history.dump():
        again.restore(chat, mids, ats, senders)
    for chat in (FORUM, TOPIC_A, TOPIC_B):
        assert list(again.latest(chat)) == list(history.latest(chat))
    history.forget_sender("telegram", "7")
    assert {who for _, _, who in history.latest(TOPIC_A)} == {""}


def test_what_one_sender_posted_since_is_found_in_every_chat_and_topic() -> None:
    """A honeypot's clean-up: the author's recent messages wherever they are,
    by chat and forum topic, not other members', not older ones, not ones
    already deleted."""
    history = ChatHistory()
    forum_topic = ChatRef("telegram", "-200", thread="5")
    bob = UserRef("telegram", "8", "Bob")
    history.add(GROUP, 1, "7", T0)  # Ann's, too old
    history.add(GROUP, 2, "7", T0 + timedelta(hours=2))
    history.add(GROUP, 3, "8", T0 + timedelta(hours=2))  # Bob's
    history.add(GROUP, 4, "7", T0 + timedelta(hours=3))
    history.add(forum_topic, 9, "7", T0 + timedelta(hours=3))
    history.add(OTHER, 4, "7", T0 + timedelta(hours=3))  # another platform
    history.forget(GROUP, (4,))
    assert bob.user_id == "8"

    found = dict(history.sent_by("telegram", "7", (T0 + timedelta(hours=1)).timestamp()))

    assert found == {GROUP: (2,), forum_topic: (9,)}
