"""Reading `/poll "question" option | option ... [in all|g1,g2] [for 2d]`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from rules.durations import parse_duration

# Telegram allows 2-10 options of 1-100 characters and a question of up to
# 300; Discord 1-10 answers of 55 and a question of 300. The stricter wins.
MAX_OPTIONS = 10
OPTION_LENGTH = 55
QUESTION_LENGTH = 300

_QUOTES = {'"': '"', "“": "”", "「": "」", "'": "'"}
_TAIL = re.compile(r"\s+(?P<word>in|for)\s+(?P<value>\S+)\s*$", re.IGNORECASE)


class PollError(ValueError):
    """What is wrong with the command, as a catalogue key."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True, slots=True)
class PollRequest:
    question: str
    options: tuple[str, ...]
    # Group names or chat keys; None: where the command was sent (or all).
    groups: tuple[str, ...] | None
    lasts: timedelta | None


def parse_poll(text: str, is_group: Callable[[str], bool] | None = None) -> PollRequest:
    """`text` is what follows the command word. With `is_group`, a last
    `in X` naming no group is words of the last option ("Made in China"),
    not a place to send the poll."""
    rest = text.strip()
    groups: tuple[str, ...] | None = None
    lasts: timedelta | None = None
    while (m := _TAIL.search(rest)) is not None:
        word, value = m["word"].lower(), m["value"]
        if word == "for" and not value[:1].isdigit():
            # "yes | no, for now": words, not a length.
            break
        if word == "for" and lasts is None:
            try:
                lasts = parse_duration(value)
            except ValueError:
                raise PollError("polls.bad_duration", value=value) from None
        elif word == "in" and groups is None:
            names = tuple(v for v in value.split(",") if v)
            if value.lower() == "all":
                groups = ()
            elif is_group is not None and not any(map(is_group, names)):
                break
            else:
                groups = names
        else:
            break
        rest = rest[: m.start()].rstrip()
    question, body = _question(rest)
    options = tuple(o.strip() for o in body.split("|") if o.strip())
    if not question or len(options) < 2:
        raise PollError("polls.usage")
    if len(options) > MAX_OPTIONS:
        raise PollError("polls.too_many", most=MAX_OPTIONS)
    if len(question) > QUESTION_LENGTH:
        raise PollError("polls.too_long", most=QUESTION_LENGTH)
    long = next((o for o in options if len(o) > OPTION_LENGTH), None)
    if long is not None:
        raise PollError("polls.option_too_long", option=long[:20], most=OPTION_LENGTH)
    if len(set(options)) != len(options):
        raise PollError("polls.duplicate")
    return PollRequest(question, options, groups, lasts)


def _question(text: str) -> tuple[str, str]:
    """The quoted question (or the words up to a question mark) and the rest."""
    if text and text[0] in _QUOTES:
        end = text.find(_QUOTES[text[0]], 1)
        if end < 0:
            raise PollError("polls.usage")
        return text[1:end].strip(), text[end + 1 :]
    for mark in ("?", "？"):
        cut = text.find(mark)
        if cut >= 0:
            return text[: cut + 1].strip(), text[cut + 1 :]
    raise PollError("polls.usage")
