"""What a purge chooses from the history, table-driven: the count, one
member's messages, a reply's start, the command's own message apart,
Telegram's 48-hour window, and on platforms whose ids count up one by one
the run of ids between (the bot's own replies, never seen)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.events import ChatRef
from bot.core.history import ChatHistory
from bot.features.purge.selection import MAX_FILL, Selection, select

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
TG = ChatRef("telegram", "-100")
DC = ChatRef("discord", "55")
# (id, hours ago, sender); 7 and 8 are the bot's replies (never seen), 9 is
# the /purge command itself.
POSTS = [
    (1, 72, "a"),
    (2, 50, "b"),
    (3, 3, "a"),
    (4, 2, "b"),
    (5, 1, "a"),
    (6, 0, "b"),
    (9, 0, "m"),
]


def history(chat: ChatRef) -> ChatHistory:
    h = ChatHistory()
    for mid, hours, who in POSTS:
        h.add(chat, mid, who, NOW - timedelta(hours=hours))
    return h


@pytest.mark.parametrize(
    ("chat", "options", "expected"),
    [
        (DC, {"count": 2}, Selection((5, 6), 2, 0)),
        (DC, {"count": 6}, Selection((1, 2, 3, 4, 5, 6), 6, 0)),
        (DC, {"count": 1, "sender": "a"}, Selection((5,), 1, 0)),
        (DC, {"count": 10, "sender": "a"}, Selection((1, 3, 5), 3, 0)),
        (DC, {"since": 4}, Selection((4, 5, 6), 3, 0)),
        (DC, {"since": 4, "sender": "b"}, Selection((4, 6), 2, 0)),
        (DC, {"since": 3, "count": 2}, Selection((5, 6), 2, 0)),
        # A start the history does not hold: it goes too, and the gap is said.
        (DC, {"since": 0}, Selection((0, 1, 2, 3, 4, 5, 6), 7, 0, gap=True)),
        (DC, {"count": 2, "sender": "nobody"}, Selection((), 0, 0)),
        # Telegram: the bot's replies 7 and 8 go with the run they are in.
        (TG, {"count": 2}, Selection((5, 6, 7, 8), 2, 0)),
        (TG, {"count": 4}, Selection((3, 4, 5, 6, 7, 8), 4, 0)),
        # Two of the six are past Telegram's 48 hours: said, not sent.
        (TG, {"count": 6}, Selection((3, 4, 5, 6, 7, 8), 4, 2)),
        (TG, {"since": 5}, Selection((5, 6, 7, 8), 2, 0)),
        # One member's messages only: no run.
        (TG, {"count": 10, "sender": "a"}, Selection((3, 5), 2, 1)),
    ],
)
def test_select(chat: ChatRef, options: dict[str, object], expected: Selection) -> None:
    assert select(history(chat), chat, NOW, command_id=9, **options) == expected  # type: ignore[arg-type]


def test_a_run_leaves_out_what_the_bot_deleted_and_stops_at_a_wide_gap() -> None:
    h = history(TG)
    h.forget(TG, (4,))
    assert select(h, TG, NOW, command_id=9, count=3).ids == (3, 5, 6, 7, 8)
    far = 9 + MAX_FILL + 10
    assert select(h, TG, NOW, command_id=far, count=2).ids == (6, 9)


def test_no_run_is_filled_in_a_forum_topic_or_its_general() -> None:
    """A forum's ids count across its topics: only what the topic's ring
    holds goes (the bot's own messages there included)."""
    for chat in (
        ChatRef("telegram", "-100", thread="11", forum=True),
        ChatRef("telegram", "-100", forum=True),
    ):
        h = history(chat)
        h.add(chat, 8, "", NOW)
        assert select(h, chat, NOW, command_id=9, count=3) == Selection((5, 6, 8), 3, 0)


def test_fewer_remembered_than_asked_takes_the_ids_below_on_telegram() -> None:
    """After a crash the history holds only what came since: `/purge N`
    still takes the chat's last N ids, those the bot deleted left out."""
    h = ChatHistory()
    for mid in (20, 21):
        h.add(TG, mid, "a", NOW)
    h.forget(TG, (18,))
    assert select(h, TG, NOW, command_id=22, count=5) == Selection(
        (16, 17, 19, 20, 21), 2, 0, by_id=3
    )
    # Nothing remembered at all: the ids just below the command.
    assert select(ChatHistory(), TG, NOW, command_id=10, count=3) == Selection(
        (7, 8, 9), 0, 0, by_id=3
    )
    # Never one member's, never on Discord, never past the window's edge.
    assert select(h, TG, NOW, command_id=22, count=5, sender="a").by_id == 0
    assert select(h, DC, NOW, command_id=22, count=5).by_id == 0
    old = history(TG)
    assert select(old, TG, NOW, command_id=9, count=6).by_id == 0
    # Not below id 1, and not further than MAX_FILL.
    assert select(ChatHistory(), TG, NOW, command_id=3, count=5).ids == (1, 2)
    gone = ChatHistory(per_chat=2000)
    gone.add(TG, 1500, "a", NOW)
    gone.forget(TG, tuple(i for i in range(1, 1500) if i != 100))
    assert select(gone, TG, NOW, command_id=1501, count=5).ids == (1500,)


def test_on_discord_the_rest_of_the_count_is_asked_of_the_platform() -> None:
    h = history(DC)
    assert select(h, DC, NOW, command_id=9, count=8) == Selection(
        (1, 2, 3, 4, 5, 6), 6, 0, listed=2
    )
    assert select(ChatHistory(), DC, NOW, command_id=9, count=3).listed == 3
    # Enough remembered, one member's, or a reply's start: nothing asked.
    assert select(h, DC, NOW, command_id=9, count=6).listed == 0
    assert select(h, DC, NOW, command_id=9, count=8, sender="a").listed == 0
    assert select(h, DC, NOW, command_id=9, since=4).listed == 0
    assert select(h, TG, NOW, command_id=9, count=8).listed == 0
