"""Chat commands: parsing, the handler context, and the command table.

A command is declared once, by the feature that owns it: its name, aliases,
who may run it and where menus list it. The engine enforces `staff`; the
adapters derive Telegram's menus and Discord's slash commands from the same
declarations. Handlers are thin front ends: they parse, call a service, and
render a reply through the catalogue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from bot.config import Locale
from bot.core.actions import Action, SendMessage
from bot.core.events import CommandIssued, MessagePosted
from bot.core.i18n import t
from bot.core.kit import Kit
from bot.core.records import GroupRecord, MemberRecord

S = TypeVar("S")


def issued(ev: MessagePosted, name: str, args: tuple[str, ...]) -> CommandIssued:
    """The command a message issues."""
    return CommandIssued(ev.chat, ev.sender, ev.message_id, name, args, ev.at, ev.reply_to, ev.text)


def parse_command(text: str, prefixes: str = "/") -> tuple[str, tuple[str, ...]] | None:
    """`/mute@groupkeeper_bot 10m spam` -> ("mute", ("10m", "spam"))."""
    # `/ ban` and `/\u3000` are a slash and words, not a command.
    if not text or text[0] not in prefixes or not text[1:2].strip():
        return None
    head, *args = text[1:].split()
    name = head.partition("@")[0].lower()
    if not name or not name.replace("_", "").isalnum():
        return None
    return name, tuple(args)


@dataclass(slots=True)
class Context:
    kit: Kit
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
# Where a menu lists the command: in groups, in private chats, or both.
Scope = Literal["group", "private", "any"]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    # Moderators and owners only: the engine refuses everyone else.
    staff: bool = False
    scope: Scope = "any"
    # Offered in the platforms' short menus (Telegram's): what members, and
    # moderators on top, reach for every day. Every command answers either
    # way, and a platform that lists them all (Discord's slash commands)
    # lists it regardless.
    menu: bool = False

    @property
    def help_key(self) -> str:
        return help_key(self.name)


def help_key(name: str) -> str:
    """The catalogue key of a command's one-line description, which menus
    and slash commands show."""
    return f"commands.{name}"


BoundHandler = Callable[[Context, S], Awaitable[list[Action]]]


@dataclass(frozen=True, slots=True)
class _Entry(Generic[S]):
    name: str
    aliases: tuple[str, ...]
    body: BoundHandler[S]
    staff: bool
    scope: Scope
    menu: bool


class Registry(Generic[S]):
    """A feature's commands, declared at import with a decorator and bound to
    the feature's service when the feature is built:

        commands: Registry[Risk] = Registry()

        @commands.add("alerts", staff=True, menu=True)
        async def alerts(ctx: Context, risk: Risk) -> list[Action]: ...

        RiskFeature.commands = commands.bind(risk)
    """

    def __init__(self) -> None:
        self._entries: list[_Entry[S]] = []

    def add(
        self,
        name: str,
        *aliases: str,
        staff: bool = False,
        scope: Scope = "any",
        menu: bool = False,
    ) -> Callable[[BoundHandler[S]], BoundHandler[S]]:
        def register(body: BoundHandler[S]) -> BoundHandler[S]:
            self._entries.append(_Entry(name, aliases, body, staff, scope, menu))
            return body

        return register

    def bind(self, service: S) -> tuple[Command, ...]:
        return tuple(
            Command(e.name, _bound(e.body, service), e.aliases, e.staff, e.scope, e.menu)
            for e in self._entries
        )


def _bound(body: BoundHandler[S], service: S) -> Handler:
    async def handler(ctx: Context) -> list[Action]:
        return await body(ctx, service)

    return handler


def table(commands: Sequence[Command]) -> dict[str, Command]:
    """Every name and alias to its command; a name declared twice is a bug."""
    out: dict[str, Command] = {}
    for c in commands:
        for n in (c.name, *c.aliases):
            if n in out:
                raise ValueError(f"command {n!r} is declared twice")
            out[n] = c
    return out
