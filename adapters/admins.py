"""Who administers the community's groups on their own platform, asked live.

In chat the bot takes a group's own admins for moderators (each platform
flags the sender of an event, `UserRef.is_admin`). The dashboard has no
event to read that from: it asks the platform through this port. Each
platform's runner attaches its answer (`adapters/telegram/admins.py`,
`adapters/discord/admins.py`) to the `AdminDesk` the dashboard reads, so
no platform library reaches the web adapter or the core.

The answer is a yes only when the platform said so for one of the groups;
a platform that could not answer (a timeout, a 403) makes it `AdminsUnknown`,
never a yes.

A private chat carries no admin flag either (it is nobody's group): a
moderators' command sent there by someone the config does not name
(`private_staff_command`) makes the runner ask its platform the same
question about the community's groups (`community_chats`), so a group's
own admin moderates privately as they do in the group.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Protocol

from bot.core.commands import parse_command
from bot.core.directory import chat_of
from bot.core.engine import Engine
from bot.core.events import ChatRef, CommandIssued, MessagePosted

log = logging.getLogger(__name__)

# Groups asked at once: a community of many overflow groups answers within
# a few round trips without a burst of calls.
PARALLEL = 4


class AdminsUnknown(Exception):
    """The platform could not say (an error, a timeout, not running)."""


class PlatformAdmins(Protocol):
    async def administers(self, user_id: str, chats: Sequence[ChatRef]) -> bool:
        """Whether the platform's user administers at least one of `chats`
        (the community's groups on this platform). Raises `AdminsUnknown`
        when no group said yes and at least one could not be asked."""
        ...


Ask = Callable[[], Awaitable[bool]]


async def any_yes(asks: Sequence[tuple[str, Ask]], parallel: int = PARALLEL) -> bool:
    """True as soon as one place says yes (the others are cancelled); False
    when every place said no; `AdminsUnknown` when none said yes and one
    failed. An `Ask` raises `AdminsUnknown` for a failure it recognises;
    anything else it raises is taken for one too, and logged."""
    gate = asyncio.Semaphore(parallel)
    failed: list[str] = []

    async def one(place: str, ask: Ask) -> bool:
        async with gate:
            try:
                return await ask()
            except AdminsUnknown as exc:
                failed.append(f"{place}: {exc}")
            except Exception as exc:
                log.warning("asking %s who administers it failed", place, exc_info=True)
                failed.append(f"{place}: {type(exc).__name__}")
            return False

    tasks = [asyncio.create_task(one(place, ask)) for place, ask in asks]
    try:
        for done in asyncio.as_completed(tasks):
            if await done:
                return True
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if failed:
        raise AdminsUnknown("; ".join(failed))
    return False


class AdminDesk:
    """The platforms up now, each with its way of asking; the runners
    attach and detach them as the platforms come and go."""

    def __init__(self) -> None:
        self._by_platform: dict[str, PlatformAdmins] = {}

    def attach(self, platform: str, admins: PlatformAdmins) -> None:
        self._by_platform[platform] = admins

    def detach(self, platform: str) -> None:
        self._by_platform.pop(platform, None)

    async def administers(self, platform: str, user_id: str, chats: Sequence[ChatRef]) -> bool:
        """The platform's answer; a platform not up cannot answer."""
        if not chats:
            return False
        admins = self._by_platform.get(platform)
        if admins is None:
            raise AdminsUnknown(f"{platform} is not connected")
        return await admins.administers(user_id, chats)


Private = CommandIssued | MessagePosted


def private_staff_command(engine: Engine, event: object) -> Private | None:
    """A moderators' command in a private chat from someone who is staff
    neither by the config nor by their record (the event, else None):
    whether they administer one of the community's groups is the
    platform's to say. Members' own commands and plain messages ask the
    platform nothing."""
    # A group's message (the per-message path) costs a type test and a flag.
    if type(event) is CommandIssued and event.chat.private:
        found: Private = event
        name = event.name
    elif type(event) is MessagePosted and event.chat.private and not event.edited:
        parsed = parse_command(event.text)
        if parsed is None:
            return None
        found, name = event, parsed[0]
    else:
        return None
    sender = found.sender
    if sender.is_admin or sender.is_bot:
        return None
    command = engine.commands().get(name)
    if command is None or not command.staff:
        return None
    directory = engine.kit.directory
    return None if directory.is_staff(directory.member(sender, found.at), sender) else found


def as_admin(event: Private) -> Private:
    """The event with its sender flagged as the platform's admin."""
    return replace(event, sender=replace(event.sender, is_admin=True))


def community_chats(engine: Engine, platform: str) -> list[ChatRef]:
    """The community's groups on a platform, as the dashboard asks about them."""
    groups = sorted(
        (g for g in engine.kit.directory.groups.values() if g.platform == platform),
        key=lambda g: g.serial,
    )
    return [chat_of(g) for g in groups]
