"""The purge feature: `/purge`, and the chat history kept in step with
what the bot deletes (bot/core/history.py), saved at a stop and read back
at the start."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.core.actions import Action, DeleteMessage
from bot.core.events import ChatRef
from bot.core.feature import Base
from bot.core.kit import Kit
from bot.features.moderation.enforcement import Enforcer
from bot.features.notes.store import Note, NoteStore
from bot.features.purge import commands
from bot.features.purge.purge import Purge

log = logging.getLogger(__name__)

# The note kind each chat's saved history is kept under (key: the chat key).
KIND = "chat-history"
# The note that names the last whole save (no chat key starts with "@").
STAMP = "@saved"
# Between a chat's key and a forum topic's id, in a topic's note key.
TOPIC = "#"


class PurgeFeature(Base):
    name = "purge"

    def __init__(self, kit: Kit, enforcer: Enforcer, notes: NoteStore) -> None:
        self.kit = kit
        self.notes = notes
        self.commands = commands.commands.bind(Purge(kit, enforcer))

    async def start(self) -> None:
        """The history the last graceful stop saved: a restart forgets
        nothing. What a crash left behind is older than what the chats hold
        now (a purge of it would take the wrong messages): the stamp says
        which save is whole, and is cleared as soon as it is read."""
        slug = self.kit.config.community.slug
        notes = {n.key: n for n in await self.notes.notes(slug, KIND)}
        stamp = notes.pop(STAMP, None)
        saved = stamp.data.get("saved") if stamp is not None else None
        if not saved:
            return
        history = self.kit.history
        for key, note in notes.items():
            data = note.data
            if data.get("saved") != saved:
                continue
            base, _, thread = key.partition(TOPIC)
            chat = replace(ChatRef.parse(base), thread=thread or None)
            try:
                history.restore(chat, data["ids"], data["ats"], data["senders"])
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("purge: the saved history of %s is unreadable: %s", key, exc)
        await self.notes.put(Note(slug, KIND, STAMP, {"saved": ""}, self.kit.clock.now()))

    async def stop(self) -> None:
        slug, now = self.kit.config.community.slug, self.kit.clock.now()
        saved = now.isoformat()
        for chat, ids, ats, senders in self.kit.history.dump():
            data = {"saved": saved, "ids": ids, "ats": ats, "senders": senders}
            key = chat.key if chat.thread is None else f"{chat.key}{TOPIC}{chat.thread}"
            await self.notes.put(Note(slug, KIND, key, data, now))
        await self.notes.put(Note(slug, KIND, STAMP, {"saved": saved}, now))

    def observe(self, out: Sequence[Action], now: datetime) -> None:
        """Whatever the bot deletes (a rule's removal, a purge) is forgotten,
        so a later `/purge N` counts only messages still there."""
        for a in out:
            if type(a) is DeleteMessage:
                self.kit.history.forget(a.chat, a.message_ids)

    def forget(self, member_key: str, alias: str) -> list[Action]:
        """`/forgetme`: the member's id leaves the chat history (the next
        stop saves it without them)."""
        platform, _, user_id = member_key.partition(":")
        self.kit.history.forget_sender(platform, user_id)
        return []
