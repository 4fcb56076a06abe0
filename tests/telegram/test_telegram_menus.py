"""Telegram's command menus, derived from a running engine's command table."""

from __future__ import annotations

import pytest

from adapters.console.session import ConsoleSession
from adapters.telegram.menus import command_menus, menu
from bot.core.actions import Action
from bot.core.commands import Command, Context, table
from bot.core.i18n import LOCALES

MEMBERS = {"checkin", "me", "top", "rules", "report", "lang", "help"}
MODERATORS = {
    "warn", "unwarn", "mute", "unmute", "kick", "ban", "unban",
    "spam", "ham", "flags", "alerts", "lockdown", "unlock", "why", "reload",
}  # fmt: skip


def names(commands: list[Command]) -> list[str]:
    return [c.name for c in commands]


async def test_members_see_their_everyday_commands(console: ConsoleSession) -> None:
    commands = console.engine.commands()
    group = set(names(menu(commands, private=False, staff=False)))
    private = set(names(menu(commands, private=True, staff=False)))

    assert group >= MEMBERS
    assert {"start", "checkin", "me", "top", "lang", "help"} <= private
    # Reporting and the rules are about a group; /start opens a private chat.
    assert {"rules", "report"}.isdisjoint(private) and "start" not in group
    # `/stats` alone is the moderators' summary.
    assert not (group | private) & (MODERATORS | {"stats"})


async def test_administrators_see_the_moderators_commands_after_the_members(
    console: ConsoleSession,
) -> None:
    commands = console.engine.commands()
    members = names(menu(commands, private=False, staff=False))
    listed = names(menu(commands, private=False, staff=True))

    assert set(listed) >= MODERATORS
    assert listed[: len(members)] == members
    assert len(listed) == len(set(listed))


async def _nothing(ctx: Context) -> list[Action]:
    return []


def test_a_command_is_listed_once_and_only_under_a_name_telegram_accepts() -> None:
    commands = table(
        [
            Command("checkin", _nothing, ("qiandao", "签到"), menu=True),
            Command("签到码", _nothing, menu=True),
            Command("rules", _nothing, scope="group", menu=True),
            Command("shop", _nothing),
        ]
    )

    assert names(menu(commands, private=True, staff=False)) == ["checkin"]
    assert names(menu(commands, private=False, staff=False)) == ["checkin", "rules"]


@pytest.mark.parametrize("locale", LOCALES)
async def test_descriptions_come_from_the_catalogue(locale: str, console: ConsoleSession) -> None:
    menus = command_menus(console.engine.commands(), locale)  # type: ignore[arg-type]

    assert [scope.type for scope, _ in menus] == [
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
    ]
    for _, listed in menus:
        assert all(1 <= len(c.description) <= 256 for c in listed)
    described = {c.command: c.description for c in menus[1][1]}
    assert described["checkin"] == (
        "每日签到领积分" if locale == "zh" else "Daily check-in for points"
    )
