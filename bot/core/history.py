"""The latest messages of each group chat, by id: what `/purge` deletes.

Telegram lets a bot delete messages but not list a chat's history, so the
core keeps the ids it saw itself: per chat a ring of the last `per_chat`
messages (id, time, sender), in three flat arrays rather than a tuple per
message, so a chat costs about 24 bytes a message and remembering one is a
few list stores. The rings live in memory; a graceful stop saves them and
the next start reads them back (the purge feature does), so a restart
forgets nothing, while a crash loses what was seen since the last start. A message the
bot deleted is forgotten (its id is kept negated), so a later purge counts
only what is still there.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from datetime import datetime
from sys import intern

from bot.core.events import ChatRef, CommandIssued, Event, MessagePosted

# Messages remembered per chat.
PER_CHAT = 500


class _Ring:
    __slots__ = ("ats", "ids", "next", "senders", "unseen")

    def __init__(self) -> None:
        self.ids = array("q")
        self.ats = array("d")
        self.senders: list[str] = []
        # Where the next message goes once the ring is full.
        self.next = 0
        # Deleted ids the ring never held (the bot's own replies a purge
        # took with the messages around them).
        self.unseen: set[int] = set()


class ChatHistory:
    """Each group chat's latest messages, newest last."""

    __slots__ = ("_platforms", "per_chat")

    def __init__(self, per_chat: int = PER_CHAT) -> None:
        self.per_chat = per_chat
        # platform -> chat id -> ring: the platform's name is a shared
        # constant, so no key is built per message.
        self._platforms: dict[str, dict[str, _Ring]] = {}

    def saw(self, event: Event) -> None:
        """Remember a group message or a typed command (not an edit, not a
        button press, nothing private)."""
        if type(event) is MessagePosted:
            if event.edited:
                return
        elif type(event) is not CommandIssued or event.press is not None:
            return
        chat = event.chat
        if not chat.private:
            self.add(chat, event.message_id, event.sender.user_id, event.at)

    def add(self, chat: ChatRef, message_id: int, sender: str, at: datetime) -> None:
        """`sender` is the author's user id on the chat's platform ("" for
        the bot's own messages)."""
        chats = self._platforms.get(chat.platform)
        if chats is None:
            chats = self._platforms[chat.platform] = {}
        ring = chats.get(chat.chat_id)
        if ring is None:
            ring = chats[chat.chat_id] = _Ring()
        ids = ring.ids
        if len(ids) < self.per_chat:
            ids.append(message_id)
            ring.ats.append(at.timestamp())
            ring.senders.append(intern(sender))
            return
        i = ring.next
        ids[i] = message_id
        ring.ats[i] = at.timestamp()
        ring.senders[i] = intern(sender)
        ring.next = i + 1 if i + 1 < self.per_chat else 0

    def latest(self, chat: ChatRef) -> Iterator[tuple[int, float, str]]:
        """The chat's remembered messages, newest first: (id, POSIX time,
        sender's user id); deleted ones left out."""
        ring = self._platforms.get(chat.platform, {}).get(chat.chat_id)
        if ring is None:
            return
        ids, ats, senders = ring.ids, ring.ats, ring.senders
        size = len(ids)
        start = ring.next if size >= self.per_chat else size
        for n in range(size):
            i = (start - 1 - n) % size
            mid = ids[i]
            if mid > 0:
                yield mid, ats[i], senders[i]

    def forget(self, chat: ChatRef, message_ids: tuple[int, ...]) -> None:
        """Deleted messages: a later purge does not count them again. Their
        ids stay, negated, so a purge that deletes a run of ids can leave
        out the ones already gone."""
        ring = self._platforms.get(chat.platform, {}).get(chat.chat_id)
        if ring is None:
            return
        gone = set(message_ids)
        ids = ring.ids
        for i, mid in enumerate(ids):
            if mid in gone:
                ids[i] = -mid
                gone.discard(mid)
        if gone:
            ring.unseen |= gone
            if len(ring.unseen) > self.per_chat:
                # Bounded like the ring: the newest ids are the ones a purge
                # of the latest messages meets again.
                ring.unseen = set(sorted(ring.unseen)[-self.per_chat :])

    def deleted(self, chat: ChatRef) -> set[int]:
        """The ids in the chat the bot deleted, as far as it remembers."""
        ring = self._platforms.get(chat.platform, {}).get(chat.chat_id)
        if ring is None:
            return set()
        return {-mid for mid in ring.ids if mid < 0} | ring.unseen

    def forget_sender(self, platform: str, sender: str) -> None:
        """A member erased (/forgetme): their messages stay purgeable, no
        longer theirs by id."""
        for ring in self._platforms.get(platform, {}).values():
            senders = ring.senders
            for i, who in enumerate(senders):
                if who == sender:
                    senders[i] = ""

    def dump(self) -> Iterator[tuple[ChatRef, list[int], list[float], list[str]]]:
        """Each chat's ring, oldest first, deleted ids (negated) included:
        what a stop saves."""
        for platform, chats in self._platforms.items():
            for chat_id, ring in chats.items():
                n, start = len(ring.ids), ring.next
                order = [(start + k) % n for k in range(n)] if n >= self.per_chat else range(n)
                yield (
                    ChatRef(platform, chat_id),
                    [ring.ids[i] for i in order],
                    [ring.ats[i] for i in order],
                    [ring.senders[i] for i in order],
                )

    def restore(self, chat: ChatRef, ids: list[int], ats: list[float], senders: list[str]) -> None:
        """A saved ring back (oldest first), before anything new is seen."""
        keep = self.per_chat
        if not (len(ids) == len(ats) == len(senders)):
            raise ValueError(f"a saved history of {chat.key} does not add up")
        ring = _Ring()
        ring.ids = array("q", ids[-keep:])
        ring.ats = array("d", ats[-keep:])
        ring.senders = [intern(s) for s in senders[-keep:]]
        self._platforms.setdefault(chat.platform, {})[chat.chat_id] = ring
