"""`/event new`'s words as moderators type them: the date first, as the usage
says (`2026-01-07 20:00 30 max=50 Founders AMA`), or the title first
(`"Book club" 2026-01-10 19:00 [30] [max=8]`), which is unambiguous
because a time of day (`19:00`) marks where the date is. Quotes around the
title are the moderator's, not part of it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.arguments import Refused

CAPACITY = re.compile(r"^(?:max|cap|capacity|名额)=(\S*)$", re.IGNORECASE)
_CLOCK = re.compile(r"^\d{1,2}[:：]\d{2}$")
# The quotes a title may be typed in, on either keyboard.
QUOTES = "\"'“”‘’「」『』"


@dataclass(frozen=True, slots=True)
class EventWords:
    day: str
    clock: str
    points: str
    capacity: str | None
    title: str


def read_event_words(args: Sequence[str]) -> EventWords:
    """What follows `/event new`, split into its parts; `Refused` with the
    usage (both orders) when there is no time of day to find the date by,
    or no title."""
    bare = [a.strip(QUOTES) for a in args]
    at = next((i for i, a in enumerate(bare) if i >= 1 and _CLOCK.match(a)), None)
    if at is None:
        raise Refused("event.usage")
    day, clock = bare[at - 1], bare[at].replace("：", ":")
    before, after = list(args[: at - 1]), list(args[at + 1 :])
    if before:
        # Title first: the points and the seats are optional after the time.
        title, points = " ".join(before), "0"
        if after and not CAPACITY.match(after[0]):
            points = after.pop(0)
    else:
        if not after:
            raise Refused("event.usage")
        points, title = after.pop(0), ""
    capacity = None
    if after and (m := CAPACITY.match(after[0])):
        capacity = m.group(1)
        after.pop(0)
    if not before:
        title = " ".join(after)
    elif after:
        raise Refused("event.usage")
    title = title.strip().strip(QUOTES).strip()
    if not title:
        raise Refused("event.usage")
    return EventWords(day, clock, points, capacity, title)
