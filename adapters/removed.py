"""The messages the bot has just decided to delete, so that an edit of one
of them read before the deletion went out is not judged (and warned) again.

A member who posts spam and edits it at once sends two updates; both may
arrive before the bot's delete reaches the platform. The first one is
judged, the edit of a message already on its way out means nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.actions import Action, DeleteMessage
from bot.core.events import ChatRef

# Deletions remembered, oldest forgotten first: far more than can be in
# flight at once.
_KEPT = 4096


class RemovedMessages:
    def __init__(self, kept: int = _KEPT) -> None:
        self._kept = kept
        # Insertion-ordered: the oldest key goes first when full.
        self._keys: dict[tuple[str, int], None] = {}

    def note(self, actions: Sequence[Action]) -> None:
        """Remember the messages these actions delete."""
        for action in actions:
            if type(action) is DeleteMessage:
                for mid in action.message_ids:
                    self._keys[(action.chat.chat_id, mid)] = None
        while len(self._keys) > self._kept:
            del self._keys[next(iter(self._keys))]

    def has(self, chat: ChatRef, message_id: int) -> bool:
        return (chat.chat_id, message_id) in self._keys
