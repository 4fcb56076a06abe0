"""The message catalogue: every text a member sees, in English and Chinese.

Catalogues are YAML files in `bot/locales/`: `en.yaml` and `zh.yaml` for the
core, and `en.<part>.yaml` / `zh.<part>.yaml` for each feature, merged at load.
Both locales carry the same keys with the same `{placeholders}` (a test holds
them to it), and no key may be defined by two files.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot.config import Locale

LOCALES: tuple[Locale, ...] = ("en", "zh")
# PyYAML's C parser where it is built (a tenth of the pure-Python one's time
# on the catalogue, read at every start); the same safe constructor.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def catalogue(locale: Locale) -> dict[str, str]:
    folder = resources.files("bot").joinpath("locales")
    merged: dict[str, str] = {}
    names = sorted(
        f.name
        for f in folder.iterdir()
        if f.name == f"{locale}.yaml"
        or (f.name.startswith(f"{locale}.") and f.name.endswith(".yaml"))
    )
    for name in names:
        text = folder.joinpath(name).read_text("utf-8")
        data: dict[str, Any] = yaml.load(text, Loader=_LOADER) or {}
        part = _flatten(data, "")
        clash = merged.keys() & part.keys()
        if clash:
            raise ValueError(f"locales/{name} redefines {sorted(clash)}")
        merged.update(part)
    return merged


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
