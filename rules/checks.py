"""What a compiled check is, and the pieces the checks of several rule types
share.

A check takes a `MessageView` and returns a `CheckResult` with the rule id,
whether it hit and details a moderator can read ("matched 加微信"). Checks
that count over time (flood, duplicates, slow mode) keep their windows in
memory inside the compiled check, bounded and pruned as they go.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from rules import detect
from rules.message import MessageView
from rules.types.base import Feature


@dataclass(frozen=True, slots=True)
class CheckResult:
    rule: str
    hit: bool
    # English, for logs and tests; `code` and `args` let a front end say the
    # same in the moderators' language.
    details: str = ""
    code: str = ""
    args: tuple[tuple[str, str], ...] = ()


def hit(rule: str, code: str, details: str, **args: str) -> CheckResult:
    return CheckResult(rule, True, details, code, tuple(args.items()))


Check = Callable[[MessageView], CheckResult]

K = TypeVar("K")
V = TypeVar("V")


def forget_idle(
    table: OrderedDict[K, V], horizon: float, last: Callable[[V], float | None], budget: int = 16
) -> None:
    """Drop up to `budget` entries last active before `horizon` from the
    front of a table kept in order of last activity (`move_to_end` on each
    use). Called every few messages: bounded work per message, and memory
    that follows the active members, not every member ever seen.

    An OrderedDict, not a dict: a dict's first entry is found by skipping
    the slots its deleted entries left at the front, thousands of them in a
    busy table between two resizes (up to tens of microseconds a call); an
    OrderedDict keeps a link to its first entry."""
    popitem = table.popitem
    for _ in range(budget):
        if not table:
            return
        key, value = popitem(False)
        stamp = last(value)
        if stamp is not None and stamp > horizon:
            # Still active: back to the front, where it was.
            table[key] = value
            table.move_to_end(key, False)
            return


def feature_finder(features: list[Feature]) -> Callable[[MessageView], Feature | None]:
    """The first of `features` the message carries, or None."""
    wanted = tuple(dict.fromkeys(features))

    def present(msg: MessageView, feature: Feature) -> bool:
        if feature == "links":
            return bool(msg.links)
        if feature == "invites":
            return any(detect.is_invite(link) for link in msg.links)
        if feature == "media":
            return msg.media is not None
        if feature == "forwards":
            return msg.forwarded
        if feature == "mentions":
            return msg.mentions > 0
        if feature == "phones":
            return bool(msg.phones)
        return bool(msg.handles)

    def find(msg: MessageView) -> Feature | None:
        for feature in wanted:
            if present(msg, feature):
                return feature
        return None

    return find
