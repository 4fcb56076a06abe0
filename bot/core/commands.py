"""Chat commands: parsing, the handler context, and the registry.

Handlers are thin front ends: they parse, call a service, and render a reply
through the catalogue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.config import Locale
from bot.core.actions import Action, SendMessage
from bot.core.events import CommandIssued
from bot.core.i18n import t
from bot.core.records import GroupRecord, MemberRecord
from bot.core.services import Services


def parse_command(text: str, prefixes: str = "/") -> tuple[str, tuple[str, ...]] | None:
    """`/mute@groupkeeper_bot 10m spam` -> ("mute", ("10m", "spam"))."""
    if not text or text[0] not in prefixes or len(text) < 2:
        return None
    head, *args = text[1:].split()
    name = head.partition("@")[0].lower()
    if not name or not name.replace("_", "").isalnum():
        return None
    return name, tuple(args)


@dataclass(slots=True)
class Context:
    s: Services
    event: CommandIssued
    member: MemberRecord
    group: GroupRecord | None
    role: str
    locale: Locale

    @property
    def now(self) -> datetime:
        return self.event.at

    @property
    def is_staff(self) -> bool:
        return self.role != "member"

    def text(self, key: str, /, **values: Any) -> str:
        return t(self.locale, key, **values)

    def reply(self, key: str, /, **values: Any) -> SendMessage:
        return self.say(self.text(key, **values))

    def say(self, text: str, kind: str = "reply") -> SendMessage:
        return SendMessage(self.event.chat, text, reply_to=self.event.message_id, kind=kind)


Handler = Callable[[Context], Awaitable[list[Action]]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    handler: Handler
    staff_only: bool = False


class Registry:
    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}

    def add(
        self, name: str, *aliases: str, staff_only: bool = False
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for n in (name, *aliases):
                self.commands[n] = Command(name, handler, staff_only)
            return handler

        return register

    def get(self, name: str) -> Command | None:
        return self.commands.get(name)
