"""Slash command names and descriptions from the message catalogue.

Commands are registered with the core's names and English texts; Discord
shows the zh-CN ones (`/签到`) to members whose client speaks Chinese. The
descriptions are the `commands` section of `bot/locales`, the one line per
command every platform shows; names, options and message menus are the
`discord.names`, `discord.options` and `discord.menus` sections.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.config import Locale
from bot.core.commands import help_key
from bot.core.i18n import catalogue, t

T = TypeVar("T")

DISCORD_LOCALES: dict[discord.Locale, Locale] = {discord.Locale.chinese: "zh"}


def command_name(command: str) -> locale_str:
    return locale_str(command, key=f"discord.names.{command}")


def command_description(command: str) -> locale_str:
    key = help_key(command)
    return locale_str(t("en", key), key=key)


def menu_name(command: str) -> locale_str:
    """A message context menu's name ("Report message"), shown in Chinese to
    members whose client speaks it."""
    key = f"discord.menus.{command}"
    return locale_str(t("en", key), key=key)


def chinese_names(command: str) -> list[str]:
    """The zh-CN name, if the command has one: also a prefix alias, so
    `!签到` works like `/签到`."""
    name = catalogue("zh").get(f"discord.names.{command}")
    return [name] if name is not None else []


def options(*names: str) -> Callable[[T], T]:
    """Localized names and descriptions for a command's options, which are
    named after the callback's parameters."""

    def apply(func: T) -> T:
        renames = {n: locale_str(n, key=f"discord.options.{n}.name") for n in names}
        descriptions = {
            n: locale_str(
                t("en", f"discord.options.{n}.description"), key=f"discord.options.{n}.description"
            )
            for n in names
        }
        return app_commands.describe(**descriptions)(app_commands.rename(**renames)(func))

    return apply


class CatalogueTranslator(app_commands.Translator):
    """discord.py asks this for every localizable string when the command
    tree syncs; strings without a catalogue key (a command without a zh-CN
    name), or locales the catalogue lacks, keep their English text."""

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key: Any = string.extras.get("key")
        ours = DISCORD_LOCALES.get(locale)
        if key is None or ours is None:
            return None
        return catalogue(ours).get(str(key))
