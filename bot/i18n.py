"""The message catalogue: every text a member sees, in English and Chinese.

Catalogues are YAML files in `bot/locales/`, one per locale, with the same
keys and the same `{placeholders}` (a test holds them to it).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot.config import Locale

LOCALES: tuple[Locale, ...] = ("en", "zh")


@cache
def catalogue(locale: Locale) -> dict[str, str]:
    text = resources.files("bot").joinpath("locales", f"{locale}.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return _flatten(data, "")


def _flatten(data: dict[str, Any], prefix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value).rstrip("\n")
    return out


class _Keep(dict[str, Any]):
    """Leaves unknown placeholders visible instead of failing a reply."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(locale: Locale, key: str, /, **values: Any) -> str:
    template = catalogue(locale).get(key) or catalogue("en").get(key)
    if template is None:
        raise KeyError(f"no message {key!r} in the catalogue")
    return template.format_map(_Keep(values)) if values else template
