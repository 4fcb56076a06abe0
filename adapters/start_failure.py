"""Why a platform did not start, in one line for the owner.

A token is checked for its shape before anything is sent, so a typo never
reaches the network; what the platform then says (refused, not reachable)
is told in the owner's words instead of a library's traceback. Platform
libraries are imported only when a failure is explained: `groupkeeper
--help` should not wait for them.
"""

from __future__ import annotations

import re

from bot.config import Config
from bot.core.i18n import t

# Telegram: the bot's id, a colon, 35 characters (@BotFather's format).
# Discord: three base64url parts joined by dots (user id, time, signature).
_SHAPES = {
    "telegram": re.compile(r"\d{5,}:[\w-]{30,}"),
    "discord": re.compile(r"[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}"),
}
_NAMES = {"telegram": "Telegram", "discord": "Discord"}


def _line(config: Config, key: str, platform: str, **values: str) -> str:
    loc = config.community.locale
    return t(
        loc, f"startup.{key}",
        platform=_NAMES[platform],
        variable=f"{platform.upper()}_TOKEN",
        key=f"platforms.{platform}.token",
        shape=t(loc, f"startup.{platform}.shape"),
        renew=t(loc, f"startup.{platform}.renew"),
        **values,
    )  # fmt: skip


def malformed(config: Config, platforms: list[str]) -> list[str]:
    """One line for each platform whose token cannot be a token."""
    tokens = {
        "telegram": config.platforms.telegram.token,
        "discord": config.platforms.discord.token,
    }
    return [
        _line(config, "malformed", name)
        for name in platforms
        if not _SHAPES[name].fullmatch((tokens[name] or "").strip())
    ]


def owners_line(config: Config, platform: str, exc: Exception) -> str | None:
    """The owner's line for a platform's refusal or absence, if it is one."""
    return _explain(config, platform, exc)


def _explain(config: Config, platform: str, exc: Exception) -> str | None:
    if platform == "telegram":
        from telegram.error import InvalidToken, NetworkError

        if isinstance(exc, InvalidToken):
            return _line(config, "refused", platform)
        if isinstance(exc, NetworkError):
            reason = str(exc.__cause__ or exc)
            host = config.platforms.telegram.base_url
            return _line(config, "unreachable", platform, host=host, reason=reason)
        return None
    import aiohttp
    from discord import LoginFailure

    if isinstance(exc, LoginFailure):
        return _line(config, "refused", platform)
    if isinstance(exc, aiohttp.ClientConnectionError):
        host = config.platforms.discord.api_url or "discord.com"
        return _line(config, "unreachable", platform, host=host, reason=str(exc))
    return None
