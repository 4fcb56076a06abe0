"""Presence: the bot's own place in each group.

A group is registered as the bot arrives in it, with the platform's member
count (overflow planning starts from the truth rather than from the joins
the bot happens to see afterwards), or as a platform first shows it. The
log chat hears when the bot is ready, lacks admin rights or was removed;
the owners on that platform are told what to grant, since only they can,
each in their own language.

What they were last told about each group is kept (a note per group), so
they hear it once: again only when it changes (a demotion, a right taken
away, the bot removed), not at every restart or when an owner toggles a
right the bot does not use. The adapters also read the bot's standing by
themselves (`BotMembershipChanged.checked`: at start, after a refusal):
such a read speaks only when it differs from what was told, and a first
read that finds everything in order says nothing. The log chat needs no
rights and is left out.
"""

from __future__ import annotations

from bot.config import Locale, locale_of
from bot.core.actions import Action, SendDirect, SendMessage
from bot.core.directory import user_of
from bot.core.events import BotMembershipChanged, ChatFound, ChatMoved, Event, UserRef
from bot.core.feature import Base
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import CHANNEL
from bot.features.notes.store import MemoryNoteStore, Note, NoteStore
from bot.features.presence.rights import rights_list

_KIND = "bot_standing"

# Out of the group, an administrator, the rights it lacks.
Standing = tuple[bool, bool, tuple[str, ...]]


class PresenceFeature(Base):
    name = "presence"

    def __init__(self, kit: Kit, notes: NoteStore | None = None) -> None:
        self.kit = kit
        self.notes = notes if notes is not None else MemoryNoteStore()
        # What the owners were last told, by group.
        self.told: dict[str, Standing] = {}

    async def start(self) -> None:
        for note in await self.notes.notes(self.kit.config.community.slug, _KIND):
            data = note.data
            missing = tuple(str(r) for r in data.get("missing", ()))
            self.told[note.key] = (bool(data.get("removed")), bool(data.get("admin")), missing)

    async def on_event(self, event: Event) -> list[Action]:
        if type(event) is BotMembershipChanged:
            return await self._changed(event)
        if type(event) is ChatFound:
            self._found(event)
        elif type(event) is ChatMoved:
            return self._moved(event)
        return []

    def _moved(self, event: ChatMoved) -> list[Action]:
        """The group follows its chat; the owners hear of it once, since the
        config may name the old chat (the log chat, the pool, a schedule)."""
        kit = self.kit
        moved = kit.directory.move(event.old, event.new, event.at)
        if moved is not None:
            kit.stats.move(event.old.key, event.new.key)
        named = kit.config.community.log_chat == event.old.key
        if moved is None and not named:
            return []
        loc = kit.config.community.locale
        name = event.new.title or event.old.chat_id
        return self._log(t(loc, "presence.moved", group=name, old=event.old.key, new=event.new.key))

    def _found(self, event: ChatFound) -> None:
        directory = self.kit.directory
        if event.chat.key in directory.groups:
            return
        group = directory.group(event.chat, event.at, event.chat.title)
        if event.side:
            group.state = CHANNEL
            directory.save_group(group)

    async def _changed(self, event: BotMembershipChanged) -> list[Action]:
        kit = self.kit
        chat = event.chat
        if kit.directory.is_log_chat(chat):
            return []  # the bot only writes there: no rights to ask for
        if not event.removed:
            group = kit.directory.group(chat, event.at, chat.title)
            if event.members is not None and group.member_count != event.members:
                group.member_count = event.members
                kit.directory.save_group(group)
        standing: Standing = (event.removed, event.admin and not event.removed, event.missing)
        last = self.told.get(chat.key)
        # A removal the platform announces is always news: a platform that
        # does not announce the return (Discord) would make the next one
        # look like the last.
        if last == standing and (event.checked or not event.removed):
            return []
        await self._remember(chat.key, standing, event)
        fine = event.removed or (event.admin and not event.missing)
        if event.checked and last is None and fine:
            return []  # nothing to say, and nothing said before
        loc = kit.config.community.locale
        name = chat.title or chat.chat_id
        if event.removed:
            return self._log(t(loc, "presence.removed", group=name))
        if not event.missing:
            return self._log(t(loc, "presence.ready", group=name))
        key = "presence.rights_missing" if event.admin else "presence.not_admin"
        platform = chat.platform

        def text(locale: Locale) -> str:
            return t(locale, key, group=name, rights=rights_list(locale, platform, event.missing))

        owners = [o for o in kit.config.community.owners if o.partition(":")[0] == platform]
        told = []
        for owner_key in owners:
            owner = self._owner(owner_key, event.by)
            told.append(SendDirect(owner, text(self._locale(owner)), fallback_chat=chat))
        return self._log(text(loc)) + told

    async def _remember(
        self, chat_key: str, standing: Standing, event: BotMembershipChanged
    ) -> None:
        self.told[chat_key] = standing
        removed, admin, missing = standing
        data = {"removed": removed, "admin": admin, "missing": list(missing)}
        slug = self.kit.config.community.slug
        await self.notes.put(Note(slug, _KIND, chat_key, data, event.at))

    def _locale(self, owner: UserRef) -> Locale:
        """The owner's language: their own choice (/lang) or the one their
        app reports, else the community's."""
        record = self.kit.directory.members.get(owner.key)
        if record is not None and locale_of(record.language) is not None:
            return self.kit.locale_for(record)
        return locale_of(owner.language) or self.kit.config.community.locale

    def _owner(self, key: str, hint: UserRef | None) -> UserRef:
        """An owner as the platform names them (their mention, when they
        cannot be messaged privately): as the change's author, else as the
        community knows them."""
        if hint is not None and hint.key == key:
            return hint
        member = self.kit.directory.members.get(key)
        if member is not None:
            return user_of(member)
        platform, _, user_id = key.partition(":")
        return UserRef(platform, user_id)

    def _log(self, text: str) -> list[Action]:
        chat = self.kit.log_chat
        return [SendMessage(chat, text, kind="log")] if chat is not None else []
