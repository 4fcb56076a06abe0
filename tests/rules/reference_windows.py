"""The window checks (flood, duplicates) and caps as they were before they
were rewritten for speed (main at 01f4a4e, verbatim but for the imports):
`test_window_checks.py` holds the new checks to these over random streams."""

from __future__ import annotations

import re
from collections import OrderedDict, deque
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from rules import detect
from rules.checks import Check, CheckResult, forget_idle, hit
from rules.durations import format_duration
from rules.message import MessageView
from rules.types.caps import CapsRule
from rules.types.duplicates import DuplicatesRule, _similar
from rules.types.flood import FloodRule

_DIGITS = re.compile(r"\d+")


def _fingerprint(msg: MessageView) -> str:
    """The text as duplicates compare it: folded, without spaces, punctuation,
    emoji or digits (spam varies its numbers)."""
    squashed = msg.squashed
    # Letters only (CJK included) is the common case, told in C.
    if squashed.isalpha() or not _DIGITS.search(squashed):
        return squashed
    return _DIGITS.sub("", squashed)


# A member's last texts kept for comparison; more is never needed to see a
# repeat, and keeps the comparison cost fixed.
_HISTORY = 20


def _last_of_history(past: deque[tuple[float, str]]) -> float | None:
    return past[-1][0] if past else None


# A raid entry is [last seen, member -> when they posted it].
_last_of_raid: Callable[[list[Any]], float] = itemgetter(0)


def duplicates_check(rule: DuplicatesRule) -> Check:
    """The same (or nearly the same) text repeated by one member, and with
    `raid`, the same text from several members: the raid pattern."""
    limit, ratio, min_length = rule.max, rule.similarity, rule.min_length
    per = rule.per.total_seconds()
    within = format_duration(rule.per)
    history: OrderedDict[str, deque[tuple[float, str]]] = OrderedDict()
    raid = rule.raid
    raid_members = raid.members if raid else 0
    raid_per = raid.per.total_seconds() if raid else 0.0
    raid_within = format_duration(raid.per) if raid else ""
    raid_min = raid.min_length if raid else 0
    # The beginning and the end of a text (a raid varies one or the other)
    # -> [last seen, member -> when they posted it].
    seen: OrderedDict[str, list[Any]] = OrderedDict()
    calls = 0
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def repeats_of(text: str, past: deque[tuple[float, str]]) -> int:
        n = 0
        if ratio >= 1:
            for _, earlier in past:
                if earlier == text:
                    n += 1
            return n
        shortest, longest = ratio * len(text), len(text) / ratio
        for _, earlier in past:
            if earlier == text or (
                shortest <= len(earlier) <= longest and _similar(text, earlier, ratio)
            ):
                n += 1
        return n

    def check(msg: MessageView) -> CheckResult:
        nonlocal calls
        text = _fingerprint(msg)
        if len(text) < min_length:
            return miss
        now, sender = msg.at, msg.sender
        horizon = now - per
        past = history.get(sender)
        if past is None:
            past = history[sender] = deque(maxlen=_HISTORY)
        else:
            history.move_to_end(sender)
        while past and past[0][0] <= horizon:
            past.popleft()
        repeats = 1 + repeats_of(text, past) if past else 1
        past.append((now, text))
        calls += 1
        if not calls & 7:
            forget_idle(history, horizon, _last_of_history)
            forget_idle(seen, now - raid_per, _last_of_raid)
        if repeats > limit:
            details = f"the same text {repeats} times within {within}"
            return hit(rule_id, "repeated", details, count=str(repeats), per=within)
        if raid is not None and len(text) >= raid_min:
            members = raid_count(text, sender, now)
            if members >= raid_members:
                details = f"the same text from {members} members within {raid_within}"
                return hit(rule_id, "raid", details, count=str(members), per=raid_within)
        return miss

    def raid_count(text: str, sender: str, now: float) -> int:
        horizon = now - raid_per
        if len(text) <= 32:
            return posters(text, sender, now, horizon)
        head = posters(text[:32], sender, now, horizon)
        tail = posters(text[-32:], sender, now, horizon)
        return head if head > tail else tail

    def posters(key: str, sender: str, now: float, horizon: float) -> int:
        """How many members posted `key` within the raid window, this one
        included; the entry moves to the end of the table (last active)."""
        entry = seen.get(key)
        if entry is None:
            seen[key] = [now, {sender: now}]
            return 1
        seen.move_to_end(key)
        entry[0] = now
        members: dict[str, float] = entry[1]
        members[sender] = now
        if len(members) >= raid_members:
            for member, at in list(members.items()):
                if at <= horizon:
                    del members[member]
        return len(members)

    return check


def _last_of_window(window: deque[float]) -> float | None:
    return window[-1] if window else None


def flood_check(rule: FloodRule) -> Check:
    """More than `max` messages from one member in one group within `per`.

    The window is cleared when it fires, so one burst is punished once."""
    limit = rule.max
    per = rule.per.total_seconds()
    within = format_duration(rule.per)
    windows: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
    calls = 0
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        nonlocal calls
        key = (msg.group, msg.sender)
        window = windows.get(key)
        # Moved to the end: the table stays in order of last activity, so
        # idle members are dropped from its front.
        if window is None:
            window = windows[key] = deque()
        else:
            windows.move_to_end(key)
        window.append(msg.at)
        horizon = msg.at - per
        while window[0] <= horizon:
            window.popleft()
        calls += 1
        if not calls & 7:
            forget_idle(windows, horizon, _last_of_window)
        if len(window) > limit:
            count = len(window)
            window.clear()
            details = f"{count} messages within {within}"
            return hit(rule_id, "flood", details, count=str(count), per=within)
        return miss

    return check


def caps_check(rule: CapsRule) -> Check:
    ratio, min_letters = rule.max_ratio, rule.min_letters
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        upper, cased = detect.count_caps(msg.text, plain=msg.plain)
        if cased < min_letters or upper <= ratio * cased:
            return miss
        share = f"{round(100 * upper / cased)}%"
        return hit(rule_id, "caps", f"{share} capitals", share=share)

    return check
