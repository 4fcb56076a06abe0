"""The hint a plain private message gets: a member who writes to the bot
as to a person ("hello, are you there?") hears what it is and where /help
is, instead of silence. A chatty member is told once in
`welcome.private_hint.every` (12 hours unless the owner says otherwise),
not on each message; `welcome.private_hint.enabled: false` says nothing.
Both are read at each message, so a reload applies at once.

Who was told when is one note, written before the hint leaves, so a
restart (or a crash) does not tell them again. It keeps only the last
`every`: a member's key is dropped with the next write after that, so the
bot does not keep a list of everyone who ever wrote to it."""

from __future__ import annotations

from datetime import datetime

from bot.core.actions import Action, SendMessage
from bot.core.directory import display
from bot.core.feature import Direct
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.features.notes.store import Note, NoteStore

_KIND = "private_hint"
_KEY = "told"


class PrivateHint:
    def __init__(self, kit: Kit, store: NoteStore) -> None:
        self.kit = kit
        self.store = store
        self.told: dict[str, datetime] = {}

    async def start(self) -> None:
        for note in await self.store.notes(self.kit.config.community.slug, _KIND):
            told = note.data.get(_KEY, {})
            self.told = {k: datetime.fromisoformat(v) for k, v in told.items()}

    async def hint(self, direct: Direct) -> list[Action]:
        """The hint for a private message nothing else answered, or
        nothing when its author was told recently."""
        settings = self.kit.config.welcome.private_hint
        if not settings.enabled:
            return []
        every = settings.every
        member, ev = direct.member, direct.event
        now = ev.at
        last = self.told.get(member.key)
        if last is not None and now - last < every:
            return []
        self.told = {k: at for k, at in self.told.items() if now - at < every}
        self.told[member.key] = now
        await self._save(now)
        text = t(
            self.kit.locale_for(member),
            "private_hint",
            name=member.name or display(member),
            community=self.kit.config.community.name,
        )
        return [SendMessage(ev.chat, text, reply_to=ev.message_id, kind="reply")]

    async def forget(self, member_key: str) -> None:
        """`/forgetme`: the member's key leaves the note now, not with the
        next hint to someone else."""
        if self.told.pop(member_key, None) is not None:
            await self._save(self.kit.clock.now())

    async def _save(self, now: datetime) -> None:
        data = {_KEY: {k: at.isoformat() for k, at in self.told.items()}}
        await self.store.put(Note(self.kit.config.community.slug, _KIND, _KEY, data, now))
