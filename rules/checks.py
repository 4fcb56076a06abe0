"""Check factories: each rule type compiles once into a named check.

A check takes a `MessageView` and returns a `CheckResult` with the rule id,
whether it hit and details a moderator can read ("matched 加微信"). Checks
that count over time (flood, duplicates, slow mode) keep their windows in
memory inside the compiled check, bounded and pruned as they go.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from rules import detect
from rules.blocklist import Blocklist
from rules.durations import format_duration
from rules.message import MessageView
from rules.schema import (
    FORWARD_ORIGINS,
    BlocklistRule,
    CapsRule,
    DuplicatesRule,
    EmojiRule,
    Feature,
    FloodRule,
    ForwardsRule,
    LengthRule,
    LinksRule,
    MediaRule,
    MentionsRule,
    NamesRule,
    NightModeRule,
    ProbationRule,
    Rule,
    SlowModeRule,
)


@dataclass(frozen=True, slots=True)
class CheckResult:
    rule: str
    hit: bool
    # English, for logs and tests; `code` and `args` let a front end say the
    # same in the moderators' language.
    details: str = ""
    code: str = ""
    args: tuple[tuple[str, str], ...] = ()


def _hit(rule: str, code: str, details: str, **args: str) -> CheckResult:
    return CheckResult(rule, True, details, code, tuple(args.items()))


Check = Callable[[MessageView], CheckResult]


def blocklist_check(rule: BlocklistRule, shared: tuple[Blocklist, int] | None = None) -> Check:
    """Words, phrases, wildcards and regexes on the normalized text; see
    `rules.blocklist` for how each kind of entry matches. With `shared`, the
    list is entry `owner` of a Blocklist that every blocklist rule of the rule
    set shares, so a message is scanned once for all of them."""
    words, owner = shared if shared is not None else (Blocklist([rule.words]), 0)
    search = words.search
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        m = msg.memo(words, search)[owner]
        if m is None:
            return miss
        if m.regex:
            return _hit(rule_id, "matched", f"matched /{m.text}/", text=m.text)
        return _hit(rule_id, "matched", f"matched {m.entry!r}", text=m.entry)

    return check


def _domains(names: list[str]) -> frozenset[str]:
    return frozenset(d.lower().removeprefix("www.") for d in names)


def links_check(rule: LinksRule) -> Check:
    allow = _domains(rule.allow)
    deny = _domains(rule.deny)
    probation = rule.probation.total_seconds() if rule.probation else None
    plain, invites, shorteners = rule.links, rule.invites, rule.shorteners
    handles = rule.handles
    allowed_handles = frozenset(h.lower().lstrip("@") for h in rule.allow_handles)
    phones = rule.phones
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        if probation is not None and (msg.member_age is None or msg.member_age >= probation):
            return miss
        for link in msg.links:
            host = detect.host_of(link)
            if invites and detect.is_invite(link):
                return _hit(rule_id, "invite", f"invite link {link}", link=link)
            if shorteners and detect.is_shortener(host) and host not in allow:
                return _hit(rule_id, "shortener", f"shortened link {link}", link=link)
            if not plain:
                continue
            if deny:
                if detect.within(host, deny):
                    return _hit(rule_id, "denied", f"denied domain {host}", host=host)
            elif not detect.within(host, allow):
                return _hit(rule_id, "link", f"link to {host}", host=host)
        if handles:
            for handle in msg.handles:
                if handle not in allowed_handles:
                    return _hit(rule_id, "handle", f"@{handle}", handle="@" + handle)
        if phones:
            for phone in msg.phones:
                return _hit(rule_id, "phone", f"phone number {phone}", phone=phone)
        return miss

    return check


def _last_of_window(window: deque[float]) -> float | None:
    return window[-1] if window else None


def flood_check(rule: FloodRule) -> Check:
    """More than `max` messages from one member in one group within `per`.

    The window is cleared when it fires, so one burst is punished once."""
    limit = rule.max
    per = rule.per.total_seconds()
    within = format_duration(rule.per)
    windows: dict[tuple[str, str], deque[float]] = {}
    calls = 0
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        nonlocal calls
        key = (msg.group, msg.sender)
        window = windows.pop(key, None)
        if window is None:
            window = deque()
        # Re-inserted at the end: the dict stays in order of last activity,
        # so idle members are dropped from its front.
        windows[key] = window
        window.append(msg.at)
        horizon = msg.at - per
        while window[0] <= horizon:
            window.popleft()
        calls += 1
        if not calls & 7:
            _forget_idle(windows, horizon, _last_of_window)
        if len(window) > limit:
            count = len(window)
            window.clear()
            details = f"{count} messages within {within}"
            return _hit(rule_id, "flood", details, count=str(count), per=within)
        return miss

    return check


K = TypeVar("K")
V = TypeVar("V")


def _forget_idle(
    table: dict[K, V], horizon: float, last: Callable[[V], float | None], budget: int = 16
) -> None:
    """Drop up to `budget` entries last active before `horizon` from the
    front of a dict kept in order of last activity. Called every few messages:
    bounded work per message, and memory that follows the active members,
    not every member ever seen."""
    for _ in range(budget):
        if not table:
            return
        key = next(iter(table))
        stamp = last(table[key])
        if stamp is not None and stamp > horizon:
            return
        del table[key]


_DIGITS = re.compile(r"\d+")


def _fingerprint(msg: MessageView) -> str:
    """The text as duplicates compare it: folded, without spaces, punctuation,
    emoji or digits (spam varies its numbers)."""
    squashed = msg.squashed
    # Letters only (CJK included) is the common case, told in C.
    if squashed.isalpha() or not _DIGITS.search(squashed):
        return squashed
    return _DIGITS.sub("", squashed)


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


def _last_of_history(past: deque[tuple[float, str]]) -> float | None:
    return past[-1][0] if past else None


def _last_of_raid(entry: tuple[float, dict[str, float]]) -> float:
    return entry[0]


def duplicates_check(rule: DuplicatesRule) -> Check:
    """The same (or nearly the same) text repeated by one member, and with
    `raid`, the same text from several members: the raid pattern."""
    limit, ratio, min_length = rule.max, rule.similarity, rule.min_length
    per = rule.per.total_seconds()
    within = format_duration(rule.per)
    history: dict[str, deque[tuple[float, str]]] = {}
    raid = rule.raid
    raid_members = raid.members if raid else 0
    raid_per = raid.per.total_seconds() if raid else 0.0
    raid_within = format_duration(raid.per) if raid else ""
    raid_min = raid.min_length if raid else 0
    # The beginning and the end of a text (a raid varies one or the other)
    # -> (last seen, member -> when they posted it).
    seen: dict[str, tuple[float, dict[str, float]]] = {}
    calls = 0
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def repeats_of(text: str, past: deque[tuple[float, str]]) -> int:
        if ratio >= 1:
            return sum(1 for _, earlier in past if earlier == text)
        shortest, longest = ratio * len(text), len(text) / ratio
        return sum(
            1
            for _, earlier in past
            if earlier == text
            or (shortest <= len(earlier) <= longest and _similar(text, earlier, ratio))
        )

    def check(msg: MessageView) -> CheckResult:
        nonlocal calls
        text = _fingerprint(msg)
        if len(text) < min_length:
            return miss
        now, sender = msg.at, msg.sender
        horizon = now - per
        past = history.pop(sender, None)
        if past is None:
            past = deque(maxlen=_HISTORY)
        history[sender] = past
        while past and past[0][0] <= horizon:
            past.popleft()
        repeats = 1 + repeats_of(text, past) if past else 1
        past.append((now, text))
        calls += 1
        if not calls & 7:
            _forget_idle(history, horizon, _last_of_history)
            _forget_idle(seen, now - raid_per, _last_of_raid)
        if repeats > limit:
            details = f"the same text {repeats} times within {within}"
            return _hit(rule_id, "repeated", details, count=str(repeats), per=within)
        if raid is not None and len(text) >= raid_min:
            members = raid_count(text, sender, now)
            if members >= raid_members:
                details = f"the same text from {members} members within {raid_within}"
                return _hit(rule_id, "raid", details, count=str(members), per=raid_within)
        return miss

    def raid_count(text: str, sender: str, now: float) -> int:
        horizon = now - raid_per
        most = 0
        for key in (text[:32], text[-32:]) if len(text) > 32 else (text,):
            entry = seen.pop(key, None)
            posters = entry[1] if entry is not None else {}
            posters[sender] = now
            if len(posters) >= raid_members:
                for member, at in list(posters.items()):
                    if at <= horizon:
                        del posters[member]
            seen[key] = (now, posters)
            most = max(most, len(posters))
        return most

    return check


def caps_check(rule: CapsRule) -> Check:
    ratio, min_letters = rule.max_ratio, rule.min_letters
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        upper, cased = detect.count_caps(msg.text)
        if cased < min_letters or upper <= ratio * cased:
            return miss
        share = f"{round(100 * upper / cased)}%"
        return _hit(rule_id, "caps", f"{share} capitals", share=share)

    return check


def mentions_check(rule: MentionsRule) -> Check:
    limit = rule.max
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        count = msg.mentions
        if count <= limit:
            return miss
        return _hit(rule_id, "mentions", f"{count} mentions", count=str(count))

    return check


def emoji_check(rule: EmojiRule) -> Check:
    limit, ratio = rule.max, rule.max_ratio
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        count = detect.count_emoji(msg.text)
        if count == 0:
            return miss
        if limit is not None and count > limit:
            return _hit(rule_id, "emoji", f"{count} emoji", count=str(count))
        if ratio is not None and count >= 3:
            visible = len(msg.text) - msg.text.count(" ")
            # An emoji may be several code points; count it as one character.
            if count > ratio * max(visible, 1) or visible - count <= 0:
                return _hit(rule_id, "emoji", f"{count} emoji", count=str(count))
        return miss

    return check


def forwards_check(rule: ForwardsRule) -> Check:
    origins = frozenset(rule.from_ if rule.from_ is not None else FORWARD_ORIGINS)
    every = origins >= frozenset(FORWARD_ORIGINS)
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        if not msg.forwarded:
            return miss
        origin = msg.forward_origin
        if origin is None:
            if not every:
                return miss
            return _hit(rule_id, "forward", "a forwarded message")
        if origin not in origins:
            return miss
        return _hit(rule_id, "forward_from", f"forwarded from a {origin}", origin=origin)

    return check


def media_check(rule: MediaRule) -> Check:
    deny, allow = frozenset(rule.deny), frozenset(rule.allow)
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        kind = msg.media
        if kind is None or kind in allow or (deny and kind not in deny):
            return miss
        return _hit(rule_id, "media", kind, kind=kind)

    return check


def length_check(rule: LengthRule) -> Check:
    limit, max_lines = rule.max, rule.max_lines
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        text = msg.text
        if limit is not None and len(text) > limit:
            n = str(len(text))
            return _hit(rule_id, "too_long", f"{n} characters", count=n, max=str(limit))
        if max_lines is not None:
            lines = text.count("\n") + 1
            if lines > max_lines:
                n = str(lines)
                return _hit(rule_id, "too_many_lines", f"{n} lines", count=n, max=str(max_lines))
        return miss

    return check


def _feature_finder(features: list[Feature]) -> Callable[[MessageView], Feature | None]:
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


def probation_check(rule: ProbationRule) -> Check:
    messages = rule.messages
    within = rule.within.total_seconds() if rule.within else None
    find = _feature_finder(rule.deny)
    max_length = rule.max_length
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def on_probation(msg: MessageView) -> bool:
        if messages is not None and 0 < msg.message_count <= messages:
            return True
        age = msg.member_age
        return within is not None and age is not None and age < within

    def check(msg: MessageView) -> CheckResult:
        if not on_probation(msg):
            return miss
        feature = find(msg)
        if feature is not None:
            return _hit(rule_id, "probation", f"new member: {feature}", what=feature)
        if max_length is not None and len(msg.text) > max_length:
            n = str(len(msg.text))
            return _hit(rule_id, "probation_length", f"new member: {n} characters", count=n)
        return miss

    return check


def night_mode_check(rule: NightModeRule, timezone: str) -> Check:
    tz = ZoneInfo(rule.timezone or timezone)
    start, end = rule.start, rule.end
    find = _feature_finder(rule.only) if rule.only is not None else None
    hours = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    rule_id = rule.id
    miss = CheckResult(rule_id, False)
    # Local time changes once a minute; remember the last minute's answer.
    last_minute = -1
    quiet = False

    def check(msg: MessageView) -> CheckResult:
        nonlocal last_minute, quiet
        minute = int(msg.at // 60)
        if minute != last_minute:
            local = datetime.fromtimestamp(minute * 60, tz)
            now = local.hour * 60 + local.minute
            quiet = start <= now < end if start < end else (now >= start or now < end)
            last_minute = minute
        if not quiet:
            return miss
        if find is not None:
            feature = find(msg)
            if feature is None:
                return miss
            details = f"{feature} during {hours}"
            return _hit(rule_id, "night_only", details, hours=hours, what=feature)
        return _hit(rule_id, "night", f"quiet hours {hours}", hours=hours)

    return check


def slow_mode_check(rule: SlowModeRule) -> Check:
    every = rule.every.total_seconds()
    span = format_duration(rule.every)
    last: dict[tuple[str, str], float] = {}
    calls = 0
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        nonlocal calls
        key = (msg.group, msg.sender)
        previous = last.get(key)
        if previous is not None and msg.at - previous < every:
            wait = format_duration(timedelta(seconds=max(1, round(every - msg.at + previous))))
            return _hit(rule_id, "slow", f"one message per {span}", every=span, wait=wait)
        # Only messages that were let through count; re-inserted at the end so
        # the dict stays in order of last activity.
        last.pop(key, None)
        last[key] = msg.at
        calls += 1
        if not calls & 7:
            _forget_idle(last, msg.at - every, float)
        return miss

    return check


def names_check(rule: NamesRule) -> Check:
    """A joining member's name: the view's text is the name and username."""
    # In a name, a listed word counts anywhere: "CryptoKing" holds "crypto".
    words = Blocklist([rule.words], whole_words=False) if rule.words else None
    links = rule.links
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        if words is not None:
            m = words.search(msg)[0]
            if m is not None:
                return _hit(rule_id, "name", f"name matches {m.entry!r}", text=m.entry)
        if links:
            found = msg.links or tuple("@" + h for h in msg.handles)
            if found:
                return _hit(rule_id, "name_link", f"link in name {found[0]}", link=found[0])
        return miss

    return check


_FACTORIES: dict[str, Callable[..., Check]] = {
    "blocklist": blocklist_check,
    "links": links_check,
    "flood": flood_check,
    "duplicates": duplicates_check,
    "caps": caps_check,
    "mentions": mentions_check,
    "emoji": emoji_check,
    "forwards": forwards_check,
    "media": media_check,
    "length": length_check,
    "probation": probation_check,
    "slow_mode": slow_mode_check,
    "names": names_check,
}

# Checks that remember earlier messages: a reload keeps them when their rule
# did not change.
STATEFUL = frozenset({"flood", "duplicates", "slow_mode"})


class Compiler:
    """Compiles the rules of one rule set, sharing what checks can share:
    every blocklist rule becomes one list of a single Blocklist."""

    def __init__(self, rules: Sequence[Rule], timezone: str = "UTC") -> None:
        self.timezone = timezone
        lists = [r for r in rules if isinstance(r, BlocklistRule)]
        self._blocklist = Blocklist([r.words for r in lists]) if lists else None
        self._owner = {id(r): i for i, r in enumerate(lists)}

    def compile(self, rule: Rule) -> Check:
        if isinstance(rule, NightModeRule):
            return night_mode_check(rule, self.timezone)
        if isinstance(rule, BlocklistRule) and self._blocklist is not None:
            return blocklist_check(rule, (self._blocklist, self._owner[id(rule)]))
        return _FACTORIES[rule.type](rule)


def compile_check(rule: Rule, timezone: str = "UTC") -> Check:
    return Compiler([rule], timezone).compile(rule)
