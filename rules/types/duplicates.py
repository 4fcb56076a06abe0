"""`type: duplicates`: one member repeating the same (or nearly the same)
text, and with `raid`, the same text from several members."""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import timedelta
from typing import Literal

from pydantic import Field

from rules.checks import Check, CheckResult, forget_idle, hit
from rules.durations import format_duration
from rules.message import MessageView
from rules.types.base import Duration, RuleBase, Strict, Translate


class Raid(Strict):
    """The same text from `members` different members (in any groups) within `per`."""

    members: int = Field(default=3, ge=2, le=1000)
    per: Duration = timedelta(minutes=10)
    # Short texts ("谢谢", "good morning") are said by many; they never count.
    min_length: int = Field(default=12, ge=1)


class DuplicatesRule(RuleBase):
    type: Literal["duplicates"]
    # One member posting the same text more than `max` times within `per`
    # (in any groups of the community).
    max: int = Field(default=2, ge=1, le=1000)
    per: Duration = timedelta(minutes=10)
    # 1.0: the same text (after folding, ignoring digits, spaces and
    # punctuation); lower also counts nearly the same text.
    similarity: float = Field(default=0.9, gt=0, le=1)
    # Shorter texts (counting letters, digits and CJK characters) never count.
    min_length: int = Field(default=5, ge=1)
    raid: Raid | None = None

    def describe(self, tr: Translate) -> str:
        text = tr("rules.duplicates", max=self.max, per=format_duration(self.per))
        if self.raid is not None:
            per = format_duration(self.raid.per)
            text += tr("rules.raid", members=self.raid.members, per=per)
        return text


_DIGITS = re.compile(r"\d+")


def _similar(a: str, b: str, ratio: float) -> bool:
    """Nearly the same: a shared beginning and end cover `ratio` of the longer
    text (so an edit in one place, or a tag added, still counts)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    longest = max(la, lb)
    need = ratio * longest
    if min(la, lb) < need:
        return False
    # Neither a shared first nor a shared last character: nothing is shared
    # (most pairs of different texts, told without a slice).
    if a[0] != b[0] and a[-1] != b[-1]:
        return False
    prefix = _common_prefix(a, b)
    if prefix >= need:
        return True
    rest = min(la, lb) - prefix
    return prefix + _common_suffix(a, b, rest) >= need


def _common_prefix(a: str, b: str) -> int:
    # Binary search on slice equality: string compares run in C.
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


# A member's last texts kept for comparison; more is never needed to see a
# repeat, and keeps the comparison cost fixed.
_HISTORY = 20


def _last_of_history(past: list[tuple[float, str]]) -> float | None:
    return past[-1][0] if past else None


def _last_of_raid(members: dict[str, float]) -> float | None:
    """When a raid entry (member -> when they posted it, in the order they
    last did) was last posted to."""
    return next(reversed(members.values()), None)


def duplicates_check(rule: DuplicatesRule) -> Check:
    """The same (or nearly the same) text repeated by one member, and with
    `raid`, the same text from several members: the raid pattern."""
    limit, ratio, min_length = rule.max, rule.similarity, rule.min_length
    per = rule.per.total_seconds()
    within = format_duration(rule.per)
    # Member -> their last texts, oldest first (at most `_HISTORY`; a list,
    # which costs less to make than a bounded deque and is as quick this short).
    history: OrderedDict[str, list[tuple[float, str]]] = OrderedDict()
    raid = rule.raid
    raid_members = raid.members if raid else 0
    raid_per = raid.per.total_seconds() if raid else 0.0
    raid_within = format_duration(raid.per) if raid else ""
    raid_min = raid.min_length if raid else 0
    # The beginning and the end of a text (a raid varies one or the other)
    # -> member -> when they posted it, the latest last.
    seen: OrderedDict[str, dict[str, float]] = OrderedDict()
    calls = 0
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def repeats_of(text: str, past: list[tuple[float, str]]) -> int:
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
        # The text as duplicates compare it: folded, without spaces,
        # punctuation, emoji or digits (spam varies its numbers). Letters
        # only (CJK included) is the common case, told in C.
        text = msg.squashed
        if not text.isalpha() and _DIGITS.search(text):
            text = _DIGITS.sub("", text)
        if len(text) < min_length:
            return miss
        now, sender = msg.at, msg.sender
        horizon = now - per
        past = history.get(sender)
        if past is None:
            history[sender] = [(now, text)]
            repeats = 1
        else:
            history.move_to_end(sender)
            while past and past[0][0] <= horizon:
                del past[0]
            if past:
                repeats = 1 + repeats_of(text, past)
                if len(past) >= _HISTORY:
                    del past[0]
            else:
                repeats = 1
            past.append((now, text))
        calls += 1
        if not calls & 7:
            forget_idle(history, horizon, _last_of_history)
            forget_idle(seen, now - raid_per, _last_of_raid)
        if repeats > limit:
            details = f"the same text {repeats} times within {within}"
            return hit(rule_id, "repeated", details, count=str(repeats), per=within)
        if raid is not None and len(text) >= raid_min:
            # The beginning and the end of the text; a key first seen (most
            # texts) is entered here, without a call.
            raid_horizon = now - raid_per
            key = text if len(text) <= 32 else text[:32]
            entry = seen.get(key)
            if entry is None:
                seen[key] = {sender: now}
                members = 1
            else:
                members = posters(entry, key, sender, now, raid_horizon)
            if len(text) > 32:
                key = text[-32:]
                entry = seen.get(key)
                if entry is None:
                    seen[key] = {sender: now}
                    tail = 1
                else:
                    tail = posters(entry, key, sender, now, raid_horizon)
                if tail > members:
                    members = tail
            if members >= raid_members:
                details = f"the same text from {members} members within {raid_within}"
                return hit(rule_id, "raid", details, count=str(members), per=raid_within)
        return miss

    def posters(
        members: dict[str, float], key: str, sender: str, now: float, horizon: float
    ) -> int:
        """How many members posted `key` (whose entry is `members`) within
        the raid window, this one included; the entry moves to the end of the
        table (last active)."""
        seen.move_to_end(key)
        # Re-inserted, so the last entry is the latest post (`_last_of_raid`).
        members.pop(sender, None)
        members[sender] = now
        if len(members) >= raid_members:
            for member, at in list(members.items()):
                if at <= horizon:
                    del members[member]
        return len(members)

    return check
