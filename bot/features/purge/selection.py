"""Which remembered messages a purge deletes: pure, on the chat's history.

Newest first, the command's own message apart (it always goes too). A
platform that deletes nothing older than a window (Telegram: 48 hours)
gets no ids past it; they are counted, so the reply can say why they stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.events import ChatRef
from bot.core.history import ChatHistory

# How old a message a platform still lets a bot delete; a platform missing
# here deletes any age (Discord: in bulk up to 14 days, one by one beyond).
DELETE_WINDOW = {"telegram": timedelta(hours=48)}
# Platforms whose message ids count up one by one in each chat (Telegram's
# groups, the console): the ids between the messages a purge takes are
# messages too, ones no bot is shown (service messages, the bot's own
# replies sent before a crash), and they go with them, as moderators expect
# of a purge. Not in a forum: see `_run`.
SEQUENTIAL = frozenset({"telegram", "console"})
# Platforms that list a chat's messages to a bot (Discord): where the
# history holds fewer than a purge's count, the gateway is asked for the
# rest, the newest older than what the purge takes (`DeleteMessage.older`).
LISTED = frozenset({"discord"})
# The most ids such a run may add: a gap wider than this is not a run of
# the chat's latest messages.
MAX_FILL = 1000


@dataclass(frozen=True, slots=True)
class Selection:
    # The messages chosen, oldest first, the command's own not among them;
    # on a platform of SEQUENTIAL ids, the run between them too.
    ids: tuple[int, ...]
    # How many of them the bot saw (what the reply counts).
    seen: int
    # Chosen but past the platform's window: left alone.
    too_old: int
    # A reply's message was older than anything remembered: the messages
    # between it and the oldest remembered one are unknown and stay.
    gap: bool = False
    # Ids below everything remembered, taken to make up `count` on a
    # platform of SEQUENTIAL ids (see `_below`): messages the bot never saw
    # (from before its last start, a crash's included), or gone already.
    by_id: int = 0
    # How many more the platform is asked to list and delete, older than
    # the oldest id chosen (a platform of LISTED): the rest of `count`.
    listed: int = 0


def select(
    history: ChatHistory,
    chat: ChatRef,
    now: datetime,
    *,
    command_id: int,
    count: int | None = None,
    sender: str | None = None,
    since: int | None = None,
) -> Selection:
    """Up to `count` of the chat's latest messages (all of them without a
    count), only `sender`'s when given, only from message `since` on when
    given (that message included, remembered or not)."""
    window = DELETE_WINDOW.get(chat.platform)
    oldest = (now - window).timestamp() if window is not None else None
    chosen: list[int] = []
    too_old = 0
    reached = remembered = since is None
    for mid, at, who in history.latest(chat):
        if mid == command_id:
            continue
        if since is not None and mid <= since:
            reached = True
            remembered = remembered or mid == since
            if mid < since:
                continue
        if sender is not None and who != sender:
            continue
        if count is not None and len(chosen) + too_old >= count:
            break
        if oldest is not None and at < oldest:
            too_old += 1
            continue
        chosen.append(mid)
    full = count is not None and len(chosen) + too_old >= count
    if since is not None and not remembered and sender is None and not full:
        # The replied-to message exists (the platform said so) though the
        # history does not hold it: it goes too.
        chosen.append(since)
    seen = len(chosen)
    by_id = 0
    if sender is None and chat.platform in SEQUENTIAL and not _forum(chat):
        if chosen:
            chosen = _run(history, chat, chosen, command_id)
        if count is not None and since is None and not too_old and seen < count:
            below = _below(history, chat, min([*chosen, command_id]), count - seen)
            chosen += below
            by_id = len(below)
    listed = 0
    short = count is not None and sender is None and since is None and not too_old
    if short and chat.platform in LISTED and count is not None and seen < count:
        listed = count - seen
    return Selection(
        tuple(sorted(chosen)), seen, too_old, gap=not (reached or full), by_id=by_id, listed=listed
    )


def _forum(chat: ChatRef) -> bool:
    """A Telegram forum, in a topic or in General."""
    return chat.forum or chat.thread is not None


def _below(history: ChatHistory, chat: ChatRef, low: int, wanted: int) -> list[int]:
    """Up to `wanted` ids below `low`, the newest first, but those the bot
    deleted already: `/purge N` where the history holds fewer than N.

    The chat's latest N ids are its latest N messages, seen or not, so a
    purge after a crash (which loses what was seen since the last start),
    or in a group the bot joined late, still takes the last N. Only where
    nothing remembered was past the platform's window (the ids below are
    older still), and within `MAX_FILL`; an id already gone is skipped by
    the platform, so fewer than N may go."""
    gone = history.deleted(chat)
    out: list[int] = []
    mid = low - 1
    while mid > 0 and len(out) < wanted and low - mid <= MAX_FILL:
        if mid not in gone:
            out.append(mid)
        mid -= 1
    return out


def _run(history: ChatHistory, chat: ChatRef, chosen: list[int], command_id: int) -> list[int]:
    """Every id from the oldest chosen to the command, but those the bot
    deleted already.

    Never in a forum: its ids count up across all its topics at once, so
    the ids between two messages of one topic are mostly other topics'
    messages, and nothing tells the bot which of them are this topic's
    (Telegram does not say a service message's topic to a bot that did not
    see it). There a purge takes only what the history holds for the topic:
    the members' messages and the bot's own (their ids reported back);
    a topic's service messages (a pin, a rename) stay."""
    low = min(chosen)
    if command_id - low > len(chosen) + MAX_FILL:
        return chosen
    gone = history.deleted(chat) - set(chosen)
    return [i for i in range(low, command_id) if i not in gone]
