"""The bot's admin rights in the owner's words."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import Locale
from bot.core.i18n import t


def rights_list(locale: Locale, platform: str, names: Sequence[str]) -> str:
    """Rights as the platform's adapter names them, each worded by the
    catalogue (`<platform>.rights.<name>`)."""
    sep = "、" if locale == "zh" else ", "
    return sep.join(t(locale, f"{platform}.rights.{name}") for name in names)
