"""Check factories: each rule type compiles once into a named check.

A check takes a `MessageView` and returns a `CheckResult` with the rule id,
whether it hit and details a moderator can read ("matched 加微信").
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from rules.durations import format_duration
from rules.message import MessageView
from rules.normalize import fold, squash
from rules.schema import BlocklistRule, FloodRule, LinksRule, Rule, _regex_entry


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

# Single characters spread out with separators: "w.e.c.h.a.t", "w e c h a t".
_SPREAD = re.compile(r"(?<![^\W_])[^\W_](?:[\W_]{1,3}[^\W_](?![^\W_])){2,}")


def _despread(folded: str) -> str:
    return _SPREAD.sub(lambda m: "".join(ch for ch in m.group() if ch.isalnum()), folded)


def _is_latin_word(entry: str) -> bool:
    return entry.isascii() and bool(re.fullmatch(r"[a-z0-9* ]+", entry))


def blocklist_check(rule: BlocklistRule) -> Check:
    """Latin words match whole words (so `ass` spares `class`), also when spread
    out with separators; other entries (Chinese, links, phrases with
    punctuation) match anywhere in the squashed text, so separators, spaces and
    look-alike characters inside them do not help."""
    word_parts: list[str] = []
    squash_parts: list[str] = []
    regex_parts: list[str] = []
    for entry in rule.words:
        regex = _regex_entry(entry)
        if regex is not None:
            regex_parts.append(f"(?:{regex})")
            continue
        folded = fold(entry)
        if _is_latin_word(folded):
            body = r"\s+".join(
                r"\w*".join(re.escape(p) for p in w.split("*")) for w in folded.split()
            )
            word_parts.append(rf"\b{body}\b")
        else:
            squash_parts.append(".*?".join(re.escape(squash(p)) for p in folded.split("*")))
    words = re.compile("|".join(word_parts)) if word_parts else None
    squashed = re.compile("|".join(squash_parts)) if squash_parts else None
    regexes = re.compile("|".join(regex_parts)) if regex_parts else None
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        folded = msg.folded
        if words is not None:
            m = words.search(folded) or words.search(_despread(folded))
            if m:
                return _hit(rule_id, "matched", f"matched {m.group()!r}", text=m.group())
        if squashed is not None:
            m = squashed.search(msg.squashed)
            if m:
                return _hit(rule_id, "matched", f"matched {m.group()!r}", text=m.group())
        if regexes is not None:
            m = regexes.search(folded)
            if m:
                return _hit(rule_id, "matched", f"matched /{m.group()}/", text=m.group())
        return miss

    return check


_TLDS = (
    "com|net|org|io|me|cn|ru|xyz|top|info|biz|co|ly|gg|app|dev|link|click|site|online|"
    "shop|store|live|vip|club|tk|ml|ga|cf|pw|cc|tv|ai|us|uk|de|fr|jp|kr|in|hk|tw|sg|"
    "to|su|ws|icu|fun|win|bet|cash|money|loan|finance|pro|one|today|work|xin|ink|ltd"
)
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/:?#\s]+)", re.IGNORECASE)
_INVITE = re.compile(
    r"(?:t\.me|telegram\.me)/(?:\+|joinchat/)|discord(?:\.gg|(?:app)?\.com/invite)/",
    re.IGNORECASE,
)


def _host(link: str) -> str:
    m = _HOST.match(link)
    return m.group(1).lower().rstrip(".") if m else link.lower()


def _within(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def links_check(rule: LinksRule) -> Check:
    allow = tuple(d.lower().removeprefix("www.") for d in rule.allow)
    deny = tuple(d.lower().removeprefix("www.") for d in rule.deny)
    probation = rule.probation.total_seconds() if rule.probation else None
    invites = rule.invites
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        if probation is not None and (msg.member_age is None or msg.member_age >= probation):
            return miss
        text = msg.folded
        if "." not in text:
            return miss
        for m in _LINK.finditer(text):
            link = m.group()
            host = _host(link)
            if invites and _INVITE.search(link):
                return _hit(rule_id, "invite", f"invite link {link}", link=link)
            if deny:
                if _within(host, deny):
                    return _hit(rule_id, "denied", f"denied domain {host}", host=host)
            elif not _within(host, allow):
                return _hit(rule_id, "link", f"link to {host}", host=host)
        return miss

    return check


def flood_check(rule: FloodRule) -> Check:
    """More than `max` messages from one member in one group within `per`.

    The window is cleared when it fires, so one burst is punished once."""
    limit = rule.max
    per = rule.per.total_seconds()
    within = format_duration(rule.per)
    windows: dict[tuple[str, str], deque[float]] = {}
    rule_id = rule.id
    miss = CheckResult(rule_id, False)

    def check(msg: MessageView) -> CheckResult:
        key = (msg.group, msg.sender)
        window = windows.get(key)
        if window is None:
            window = windows[key] = deque()
        window.append(msg.at)
        horizon = msg.at - per
        while window[0] <= horizon:
            window.popleft()
        if len(window) > limit:
            count = len(window)
            window.clear()
            details = f"{count} messages within {within}"
            return _hit(rule_id, "flood", details, count=str(count), per=within)
        return miss

    return check


_FACTORIES: dict[str, Callable[..., Check]] = {
    "blocklist": blocklist_check,
    "links": links_check,
    "flood": flood_check,
}


def compile_check(rule: Rule) -> Check:
    return _FACTORIES[rule.type](rule)
