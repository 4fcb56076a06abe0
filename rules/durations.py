"""Durations as owners write them: `30s`, `10m`, `2h`, `7d`, `2w`, or `1h30m`."""

from __future__ import annotations

import re
from datetime import timedelta

# ASCII digits only: `\d` also matches other scripts' digits.
_PART = re.compile(r"([0-9]+)\s*([smhdw])")
_WHOLE = re.compile(r"^\s*(?:[0-9]+\s*[smhdw]\s*)+$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# A century: longer cannot be added to a date, nor meant.
_LONGEST = 100 * 366 * 86400


class DurationTooLong(ValueError):
    """Well written, but longer than a date can be moved by."""


def parse_duration(text: str) -> timedelta:
    """Parse a duration; raise ValueError with a reason owners understand."""
    if not isinstance(text, str) or not _WHOLE.match(text.lower()):
        raise ValueError(f"{text!r} is not a duration (use e.g. 30s, 10m, 2h, 7d)")
    seconds = sum(int(n) * _SECONDS[u] for n, u in _PART.findall(text.lower()))
    if seconds <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    if seconds > _LONGEST:
        raise DurationTooLong(f"{text!r} is longer than a century")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The shortest form `parse_duration` reads back: 90m -> 1h30m."""
    seconds = int(delta.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"
