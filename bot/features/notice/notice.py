"""The notice (群公告): one announcement pinned in every group, groups opened
later included, posted again and re-pinned when its pin is older than
`notice.refresh` or when its text changes; the previous pin is taken down
once the new one is up, so a group never holds two.

The text is the config's (`notice.text`, or `notice.file` beside the config)
unless a moderator set one from chat (`/notice set`), which holds until the
config's text changes. A config without `notice:` has no text of its own:
a moderator's `/notice set` then works all the same, pinned in every group
and refreshed every `DEFAULT_REFRESH`; a `notice:` section added later wins
over it, as any change of the config's text does.

Each group's pin (message id, text, when) is kept in the note store; the
message id comes back from the platform (`MessageSent`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.config.notice import NoticeConfig
from bot.core.actions import Action, SendMessage, UnpinMessage
from bot.core.directory import chat_of
from bot.core.events import MessageSent
from bot.core.kit import Kit
from bot.core.records import GroupRecord
from bot.features.notes.groups import community_groups
from bot.features.notes.store import Note, NoteStore

log = logging.getLogger(__name__)

REF = "notice:"
_PIN, _TEXT = "notice_pin", "notice_text"
# A post the platform has not reported back within this is tried again,
# waiting twice as long after each silent try (a group where the bot may not
# post is not asked every ten minutes), at most a day.
_PENDING = timedelta(minutes=10)
_PENDING_MOST = timedelta(days=1)
# The refresh of a notice set from chat with no `notice:` in the config:
# NoticeConfig's default.
DEFAULT_REFRESH = timedelta(days=7)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Pin:
    message_id: int
    text_hash: str
    posted: datetime


class Notice:
    def __init__(self, kit: Kit, store: NoteStore, base: Path) -> None:
        self.kit = kit
        self.store = store
        self.base = base
        self.community = kit.config.community.slug
        self.pins: dict[str, Pin] = {}
        # Groups whose new notice is on its way: group key -> when sent, and
        # how many tries went unanswered.
        self.pending: dict[str, datetime] = {}
        self._tries: dict[str, int] = {}
        self._chat_text: tuple[str, str] | None = None
        # Set by `refresh`: every group gets the notice again at the next look.
        self._forced: set[str] = set()

    async def start(self) -> None:
        for n in await self.store.notes(self.community, _PIN):
            self.pins[n.key] = Pin(int(n.data["message_id"]), str(n.data["hash"]), n.at)
        for n in await self.store.notes(self.community, _TEXT):
            self._chat_text = (str(n.data["text"]), str(n.data["config_hash"]))

    @property
    def config(self) -> NoticeConfig | None:
        return self.kit.config.notice

    def config_text(self) -> str:
        cfg = self.config
        if cfg is None:
            return ""
        if cfg.file:
            path = Path(cfg.file)
            path = path if path.is_absolute() else self.base / path
            try:
                return path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                log.warning("notice.file %s cannot be read: %s", path, exc)
        return cfg.text.strip()

    def text(self) -> str:
        """The notice as it stands: a moderator's, until the config's changes."""
        own = self.config_text()
        if self._chat_text is not None and self._chat_text[1] == digest(own):
            return self._chat_text[0]
        return own

    async def set_text(self, text: str, by: str, now: datetime) -> None:
        self._chat_text = (text, digest(self.config_text()))
        data = {"text": text, "config_hash": self._chat_text[1], "by": by}
        await self.store.put(Note(self.community, _TEXT, "current", data, now))

    def refresh(self) -> None:
        self._forced = {g.chat_key for g in self._groups()}

    def _groups(self) -> list[GroupRecord]:
        cfg = self.config
        return community_groups(self.kit, cfg.groups if cfg is not None else None)

    def due(self, now: datetime) -> list[Action]:
        """New notices for the groups whose pin is missing, stale or old."""
        cfg = self.config
        text = self.text()
        if not text:
            return []
        every = cfg.refresh if cfg is not None else DEFAULT_REFRESH
        h = digest(text)
        out: list[Action] = []
        for group in self._groups():
            key = group.chat_key
            sent = self.pending.get(key)
            if sent is not None:
                tries = self._tries.get(key, 0)
                if now - sent < min(_PENDING * 2**tries, _PENDING_MOST):
                    continue
                self._tries[key] = tries + 1
            pin = self.pins.get(key)
            fresh = (
                pin is not None
                and pin.text_hash == h
                and now - pin.posted < every
                and key not in self._forced
            )
            if fresh:
                continue
            self._forced.discard(key)
            self.pending[key] = now
            out.append(SendMessage(chat_of(group), text, kind="notice", pin=True, ref=REF + h))
        return out

    async def posted(self, event: MessageSent) -> list[Action]:
        """The platform's id for a notice: keep it, take the old pin down."""
        key = event.chat.key
        self.pending.pop(key, None)
        self._tries.pop(key, None)
        old = self.pins.get(key)
        h = event.ref.removeprefix(REF)
        self.pins[key] = Pin(event.message_id, h, event.at)
        data = {"message_id": event.message_id, "hash": h}
        await self.store.put(Note(self.community, _PIN, key, data, event.at))
        if old is None or old.message_id == event.message_id:
            return []
        return [UnpinMessage(event.chat, old.message_id)]
