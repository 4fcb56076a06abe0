"""Numbers, ids and durations typed in chat, read one strict way.

`str.isdigit` and `int` accept far more than a moderator means: superscripts
(`'²'.isdigit()` is true, `int('²')` raises), other scripts' digits, and
values no timedelta, datetime or database integer can hold. Every command
reads its numbers here: ASCII digits only, within the bounds the command
declares. What does not fit raises `Refused`, which the engine turns into
the catalogue's answer, so a typo is explained and never half-acted on.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from rules.durations import DurationTooLong, format_duration, parse_duration

# Ids are stored as 32-bit integers on PostgreSQL; larger cannot name a row.
MAX_ID = 2**31 - 1

_DIGITS = re.compile(r"[0-9]+")
_NEGATIVE = re.compile(r"[-−][0-9]+")
# What a moderator meant as a length: a sign or a digit of any script first.
# `/ban @x -1d` must be refused as a length, not kept as the ban's reason.
_LENGTH_LIKE = re.compile(r"[-+−]?\d")


class Refused(Exception):
    """An argument the command cannot use; `key` is its catalogue text."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def whole(text: str, low: int, high: int) -> int:
    """A whole number written in ASCII digits, from `low` to `high`."""
    if not _DIGITS.fullmatch(text):
        # `-10` is a number the moderator meant, below the range: say so.
        key = "args.out_of_range" if _NEGATIVE.fullmatch(text) else "args.not_a_number"
        raise Refused(key, value=text, low=low, high=high)
    # Compared as text first: a thousand-digit number is refused unread.
    if len(text.lstrip("0")) > len(str(high)) or not low <= int(text) <= high:
        raise Refused("args.out_of_range", value=text, low=low, high=high)
    return int(text)


def ident(text: str) -> int:
    """A record's number as shown in replies: `12` or `#12`."""
    return whole(text.removeprefix("#"), 1, MAX_ID)


def looks_like_length(text: str) -> bool:
    return _LENGTH_LIKE.match(text) is not None


# Units as Chinese moderators type them (`10分钟`, `1小时`, `1天`), longest first.
_CHINESE_UNITS = (("分钟", "m"), ("小时", "h"), ("星期", "w"), ("秒", "s"), ("分", "m"),
                  ("时", "h"), ("天", "d"), ("日", "d"), ("周", "w"))  # fmt: skip


def _typed(text: str) -> str:
    """A length as typed on a Chinese keyboard, in the config's spelling:
    full-width forms folded (`１０ｍ`), Chinese units named by their letter."""
    folded = unicodedata.normalize("NFKC", text)
    for word, unit in _CHINESE_UNITS:
        folded = folded.replace(word, unit)
    return folded


def duration(text: str, low: timedelta, high: timedelta) -> timedelta:
    """A length such as `30m`, `2h`, `1h30m`, `10分钟`, from `low` to `high`."""
    try:
        span = parse_duration(_typed(text))
    except DurationTooLong:
        span = None
    except ValueError:
        raise Refused("args.not_a_duration", value=text) from None
    if span is None or not low <= span <= high:
        raise Refused(
            "args.out_of_range", value=text, low=format_duration(low), high=format_duration(high)
        )
    return span
