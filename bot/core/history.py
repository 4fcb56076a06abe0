"""The latest messages of each group chat, by id: what `/purge` deletes.

Telegram lets a bot delete messages but not list a chat's history, so the
core keeps the ids it saw itself: per chat a ring of the last `per_chat`
messages (id, time, sender), in three flat arrays rather than a tuple per
message, so a chat costs about 24 bytes a message and remembering one is a
few list stores. The bot's own messages are kept too, as the platform
reports their ids back (`MessageSent`), with no sender: a purge of the
chat's latest takes them, a purge of one member's never does.

A Telegram forum's topics each have their own ring (`ChatRef.thread`; the
General topic is the chat's own), so a purge in one topic never reaches
another. Ids still count per chat, so what the bot deleted is noted per
chat, whatever the topic the deletion named.

The rings live in memory; a graceful stop saves them and the next start
reads them back (the purge feature does), so a restart forgets nothing,
while a crash loses what was seen since the last start. A message the bot
deleted is forgotten (its id is kept negated), so a later purge counts
only what is still there.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from datetime import datetime
from sys import intern

from bot.core.events import ChatRef, CommandIssued, Event, MessagePosted, MessageSent

# Messages remembered per chat (per topic in a forum).
PER_CHAT = 500


class _Ring:
    """A chat's ring (in a forum: its General topic's), with its forum
    topics' rings and the deleted ids no ring holds, which are the chat's,
    or a topic's ring (`topics` and `unseen` unused)."""

    __slots__ = ("ats", "ids", "next", "senders", "topics", "unseen")

    def __init__(self) -> None:
        self.ids = array("q")
        self.ats = array("d")
        self.senders: list[str] = []
        # Where the next message goes once the ring is full.
        self.next = 0
        self.topics: dict[str, _Ring] | None = None
        # Deleted ids the rings never held (the bot's own replies a purge
        # took with the messages around them, before their ids came back).
        self.unseen: set[int] = set()

    def rings(self, first: _Ring | None = None) -> Iterator[_Ring]:
        """This chat's rings, its topics' too, `first` first."""
        if first is not None:
            yield first
        for ring in (self, *(self.topics or {}).values()):
            if ring is not first:
                yield ring


class ChatHistory:
    """Each group chat's latest messages, newest last."""

    __slots__ = ("_platforms", "per_chat")

    def __init__(self, per_chat: int = PER_CHAT) -> None:
        self.per_chat = per_chat
        # platform -> chat id -> ring: the platform's name is a shared
        # constant, so no key is built per message.
        self._platforms: dict[str, dict[str, _Ring]] = {}

    def saw(self, event: Event) -> None:
        """Remember a group message, a typed command or the bot's own message
        (not an edit, not a button press nor a slash command, nothing
        private)."""
        if type(event) is MessagePosted:
            if event.edited:
                return
        elif type(event) is MessageSent:
            self._sent(event)
            return
        elif type(event) is not CommandIssued or event.press is not None or not event.in_chat:
            return
        chat = event.chat
        if not chat.private:
            self.add(chat, event.message_id, event.sender.user_id, event.at)

    def _sent(self, event: MessageSent) -> None:
        chat = event.chat
        if not chat.private:
            self.add(chat, event.message_id, "", event.at)
            for mid in event.more:
                self.add(chat, mid, "", event.at)

    def _chat(self, chat: ChatRef) -> _Ring | None:
        return self._platforms.get(chat.platform, {}).get(chat.chat_id)

    def _ring(self, chat: ChatRef) -> _Ring | None:
        """The ring of the chat's topic (`chat.thread`), or its own."""
        ring = self._chat(chat)
        if ring is None or chat.thread is None:
            return ring
        return (ring.topics or {}).get(chat.thread)

    def add(self, chat: ChatRef, message_id: int, sender: str, at: datetime) -> None:
        """`sender` is the author's user id on the chat's platform ("" for
        the bot's own messages)."""
        chats = self._platforms.get(chat.platform)
        if chats is None:
            chats = self._platforms[chat.platform] = {}
        ring = chats.get(chat.chat_id)
        if ring is None:
            ring = chats[chat.chat_id] = _Ring()
        thread = chat.thread
        if thread is not None:
            topics = ring.topics
            if topics is None:
                topics = ring.topics = {}
            ring = topics.get(thread)
            if ring is None:
                ring = topics[thread] = _Ring()
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
        """The chat's (its topic's) remembered messages, newest first: (id,
        POSIX time, sender's user id, "" for the bot); deleted ones left out."""
        ring = self._ring(chat)
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

    def sent_by(
        self, platform: str, sender: str, since: float
    ) -> Iterator[tuple[ChatRef, tuple[int, ...]]]:
        """Each chat (each forum topic) of the platform where `sender` posted
        at or after `since` (POSIX time), with those messages' ids, oldest
        first; deleted ones left out. A scan of every ring: for a rare
        clean-up (a honeypot's catch), not for the message path."""
        for chat_id, held in self._platforms.get(platform, {}).items():
            named = [(None, held), *(held.topics or {}).items()]
            for thread, ring in named:
                found = tuple(
                    sorted(
                        mid
                        for mid, at, who in zip(ring.ids, ring.ats, ring.senders, strict=True)
                        if who == sender and mid > 0 and at >= since
                    )
                )
                if found:
                    yield ChatRef(platform, chat_id, thread=thread), found

    def forget(self, chat: ChatRef, message_ids: tuple[int, ...]) -> None:
        """Deleted messages: a later purge does not count them again. Their
        ids stay, negated, so a purge that deletes a run of ids can leave
        out the ones already gone. The ring of the topic named is looked in
        first, then the chat's others (a deletion may name the chat alone)."""
        held = self._chat(chat)
        if held is None:
            return
        gone = set(message_ids)
        for ring in held.rings(self._ring(chat)):
            ids = ring.ids
            for i, mid in enumerate(ids):
                if mid in gone:
                    ids[i] = -mid
                    gone.discard(mid)
            if not gone:
                return
        held.unseen |= gone
        if len(held.unseen) > self.per_chat:
            # Bounded like a ring: the newest ids are the ones a purge of
            # the latest messages meets again.
            held.unseen = set(sorted(held.unseen)[-self.per_chat :])

    def deleted(self, chat: ChatRef) -> set[int]:
        """The ids in the chat (any topic) the bot deleted, as far as it
        remembers."""
        held = self._chat(chat)
        if held is None:
            return set()
        out = set(held.unseen)
        for ring in held.rings():
            out.update(-mid for mid in ring.ids if mid < 0)
        return out

    def forget_sender(self, platform: str, sender: str) -> None:
        """A member erased (/forgetme): their messages stay purgeable, no
        longer theirs by id."""
        for held in self._platforms.get(platform, {}).values():
            for ring in held.rings():
                senders = ring.senders
                for i, who in enumerate(senders):
                    if who == sender:
                        senders[i] = ""

    def dump(self) -> Iterator[tuple[ChatRef, list[int], list[float], list[str]]]:
        """Each chat's and topic's ring, oldest first, deleted ids (negated)
        included: what a stop saves."""
        for platform, chats in self._platforms.items():
            for chat_id, held in chats.items():
                named = [(None, held), *(held.topics or {}).items()]
                for thread, ring in named:
                    if not ring.ids:
                        continue
                    n, start = len(ring.ids), ring.next
                    order = [(start + k) % n for k in range(n)] if n >= self.per_chat else range(n)
                    yield (
                        ChatRef(platform, chat_id, thread=thread),
                        [ring.ids[i] for i in order],
                        [ring.ats[i] for i in order],
                        [ring.senders[i] for i in order],
                    )

    def restore(self, chat: ChatRef, ids: list[int], ats: list[float], senders: list[str]) -> None:
        """A saved ring back (oldest first; a topic's when `chat.thread`),
        before anything new is seen."""
        keep = self.per_chat
        if not (len(ids) == len(ats) == len(senders)):
            raise ValueError(f"a saved history of {chat.key} does not add up")
        ring = _Ring()
        ring.ids = array("q", ids[-keep:])
        ring.ats = array("d", ats[-keep:])
        ring.senders = [intern(s) for s in senders[-keep:]]
        chats = self._platforms.setdefault(chat.platform, {})
        held = chats.get(chat.chat_id)
        if chat.thread is None:
            if held is not None:
                ring.topics, ring.unseen = held.topics, held.unseen
            chats[chat.chat_id] = ring
            return
        if held is None:
            held = chats[chat.chat_id] = _Ring()
        if held.topics is None:
            held.topics = {}
        held.topics[chat.thread] = ring
