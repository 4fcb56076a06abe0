"""Telegram's command menus, derived from the core's command table.

Three menus, one per BotCommandScope: members' in private chats, members' in
groups, and the groups' administrators', which adds the moderators'
commands after the members'. Each lists the commands declared with
`menu=True` for that kind of chat (`scope`), by their names, described by
their catalogue line. A command added to the core appears here without a
change to this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
)

from bot.config import Locale
from bot.core.commands import Command
from bot.core.i18n import t

# What setMyCommands accepts as a command; aliases such as 签到 still work
# typed, they only cannot be listed.
_LISTABLE = re.compile(r"[a-z0-9_]{1,32}")


def menu(commands: Mapping[str, Command], *, private: bool, staff: bool) -> list[Command]:
    """The commands a menu lists, members' first, each once however many
    aliases it has. `staff` adds the moderators' commands."""
    chat = "private" if private else "group"
    listed = [
        c
        for c in dict.fromkeys(commands.values())
        if c.menu
        and c.scope in (chat, "any")
        and (staff or not c.staff)
        and _LISTABLE.fullmatch(c.name)
    ]
    return sorted(listed, key=lambda c: c.staff)


def command_menus(
    commands: Mapping[str, Command], locale: Locale
) -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """Each scope's menu, described in `locale`."""
    menus = [
        (BotCommandScopeAllPrivateChats(), menu(commands, private=True, staff=False)),
        (BotCommandScopeAllGroupChats(), menu(commands, private=False, staff=False)),
        (BotCommandScopeAllChatAdministrators(), menu(commands, private=False, staff=True)),
    ]
    return [
        (scope, [BotCommand(c.name, t(locale, c.help_key)) for c in listed])
        for scope, listed in menus
    ]
