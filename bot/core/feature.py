"""The one shape every feature has.

A feature declares its commands and implements the hooks it needs; `Base`
gives every hook a no-op default. The engine calls each hook on the features
in the one order `bot/features/__init__.py` builds, skipping features that do
not override it. A hook that returns `Step(stop=True)` ends the event for the
features after it (a removed message earns no points).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol

from bot.config import Config
from bot.core.actions import Action
from bot.core.commands import Command
from bot.core.events import Event, MemberJoined, MemberLeft, MessagePosted
from bot.core.records import GroupRecord, MemberRecord
from rules.message import MessageView


@dataclass(frozen=True, slots=True)
class Step:
    actions: Sequence[Action] = ()
    # Later features skip the event.
    stop: bool = False


# Nothing to do, nothing to stop.
PASS = Step()


@dataclass(slots=True)
class Seen:
    """A member's message in a group, as the features see it."""

    event: MessagePosted
    member: MemberRecord
    group: GroupRecord
    role: str
    # The rule engine's view of the message, built once by whoever first
    # needs it (moderation's `view`), then shared.
    view: MessageView | None = None


@dataclass(frozen=True, slots=True)
class Direct:
    """A member's message to the bot in private that is not a command."""

    event: MessagePosted
    member: MemberRecord


@dataclass(frozen=True, slots=True)
class Arrival:
    event: MemberJoined
    member: MemberRecord
    group: GroupRecord
    role: str


@dataclass(frozen=True, slots=True)
class Departure:
    event: MemberLeft
    member: MemberRecord
    group: GroupRecord


class Feature(Protocol):
    name: ClassVar[str]

    @property
    def commands(self) -> Sequence[Command]: ...

    def words(self) -> Mapping[str, str]:
        """Plain messages that issue a command when sent alone ("签到" -> checkin)."""
        ...

    def word_lists(self, config: Config) -> Mapping[str, Sequence[str]]:
        """Word lists (by tag) the feature searches messages for with
        `rules.lexicon.Listed`: compiled with the rules' blocklists, so
        that a message is scanned once for all of them. Called for each
        config before it is swapped in, off the event loop: pure."""
        ...

    def configure(self, config: Config) -> None:
        """A new validated config was swapped in (`/reload`, the file watcher)."""
        ...

    async def on_message(self, seen: Seen) -> Step: ...

    async def inspect(self, seen: Seen) -> Step:
        """A command of the bot's that carries text of its own in a group
        (`/checkin 加微信 领资料`): `seen.event.text` is that text. Checks of
        what a message says run here (a blocklist, links, spam); not those of
        how often or when (flood, slow or night mode), not counting or
        paying. A step that stops removes the message and the command does
        not run."""
        ...

    async def on_direct(self, direct: Direct) -> list[Action]: ...

    async def on_join(self, arrival: Arrival) -> Step: ...

    async def on_leave(self, departure: Departure) -> list[Action]: ...

    async def on_event(self, event: Event) -> list[Action]:
        """Everything else the platforms report: reactions, member counts,
        join requests, groups opened, the bot's rights."""
        ...

    async def tick(self, now: datetime) -> list[Action]:
        """At least once a minute, and whenever the console's clock moves."""
        ...

    def observe(self, out: Sequence[Action], now: datetime) -> None:
        """What an event did, when it did anything, before it leaves: counters
        and bookkeeping in memory (a removed message's points go back)."""
        ...

    def has_pending(self) -> bool:
        """Whether `after` has anything to do: the engine awaits it only then,
        not on every event."""
        ...

    async def after(self, out: Sequence[Action], now: datetime) -> None:
        """Before an event's actions leave, when `has_pending`: state to
        save first."""
        ...

    async def stop(self) -> None:
        """The process is shutting down: save what is pending."""
        ...


class Base:
    """No-op hooks; a feature overrides the ones it needs."""

    name: ClassVar[str] = ""
    commands: Sequence[Command] = ()

    def words(self) -> Mapping[str, str]:
        return {}

    def word_lists(self, config: Config) -> Mapping[str, Sequence[str]]:
        return {}

    def configure(self, config: Config) -> None:
        return None

    async def on_message(self, seen: Seen) -> Step:
        return PASS

    async def inspect(self, seen: Seen) -> Step:
        return PASS

    async def on_direct(self, direct: Direct) -> list[Action]:
        return []

    async def on_join(self, arrival: Arrival) -> Step:
        return PASS

    async def on_leave(self, departure: Departure) -> list[Action]:
        return []

    async def on_event(self, event: Event) -> list[Action]:
        return []

    async def tick(self, now: datetime) -> list[Action]:
        return []

    def observe(self, out: Sequence[Action], now: datetime) -> None:
        return None

    def has_pending(self) -> bool:
        return True

    async def after(self, out: Sequence[Action], now: datetime) -> None:
        return None

    async def stop(self) -> None:
        return None


def overrides(feature: object, hook: str) -> bool:
    """Whether the feature does something on `hook` (the engine skips the rest)."""
    mine = getattr(type(feature), hook, None)
    return mine is not None and mine is not getattr(Base, hook)


async def stop_all(*steps: Callable[[], Awaitable[None]]) -> None:
    """Run every step of a stop, even after one fails: a feature's stop
    (saving what it keeps in memory) must not depend on the one before it
    or on the last flush. Each failure is logged; the first is raised."""
    first: Exception | None = None
    for step in steps:
        try:
            await step()
        except Exception as exc:
            logging.getLogger(__name__).exception(
                "stopping: %s failed", getattr(step, "__qualname__", step)
            )
            first = first or exc
    if first is not None:
        raise first
