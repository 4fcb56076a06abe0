"""Presence: the bot's own place in each group.

A group is registered as the bot arrives in it, with the platform's member
count (overflow planning starts from the truth rather than from the joins
the bot happens to see afterwards), or as a platform first shows it. The
log chat hears when the bot is ready, lacks admin rights or was removed;
the owners on that platform are told what to grant, since only they can.
"""

from __future__ import annotations

from bot.core.actions import Action, SendDirect, SendMessage
from bot.core.directory import user_of
from bot.core.events import BotMembershipChanged, ChatFound, ChatMoved, Event, UserRef
from bot.core.feature import Base
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import CHANNEL
from bot.features.presence.rights import rights_list


class PresenceFeature(Base):
    name = "presence"

    def __init__(self, kit: Kit) -> None:
        self.kit = kit

    async def on_event(self, event: Event) -> list[Action]:
        if type(event) is BotMembershipChanged:
            return self._changed(event)
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

    def _changed(self, event: BotMembershipChanged) -> list[Action]:
        kit = self.kit
        chat = event.chat
        loc = kit.config.community.locale
        name = chat.title or chat.chat_id
        if event.removed:
            return self._log(t(loc, "presence.removed", group=name))
        group = kit.directory.group(chat, event.at, chat.title)
        if event.members is not None and group.member_count != event.members:
            group.member_count = event.members
            kit.directory.save_group(group)
        if event.admin and not event.missing:
            return self._log(t(loc, "presence.ready", group=name))
        key = "presence.rights_missing" if event.admin else "presence.not_admin"
        text = t(loc, key, group=name, rights=rights_list(loc, chat.platform, event.missing))
        owners = [o for o in kit.config.community.owners if o.partition(":")[0] == chat.platform]
        return self._log(text) + [
            SendDirect(self._owner(key, event.by), text, fallback_chat=chat) for key in owners
        ]

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
