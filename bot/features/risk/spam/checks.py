"""The spam detector: small named checks, each returning a `CheckResult`
(name, hit, details), and the detector that runs the ones a member's standing
calls for. Pure and in memory; the spam guard acts on what it finds.

Newcomers (recently joined, or within their first messages) face every
check and a lower Bayes threshold; other members not yet approved face the
content checks only. Who is spared altogether is decided before the
detector runs (`SpamGuard.scrutiny` in guard.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config.risk import SpamConfig
from bot.features.risk.spam.model import SpamModel, split_tokens
from rules import detect
from rules.blocklist import Blocklist
from rules.checks import CheckResult
from rules.message import MessageView

SpamCheck = Callable[[MessageView, bool], CheckResult]

_TOKENS = object()
# Shorter texts repeat innocently ("ok", "谢谢").
_MIN_DUPLICATE = 12
# Tokens a message needs before similarity means anything.
_MIN_SIMILAR = 4


def features(view: MessageView) -> tuple[frozenset[str], frozenset[str]]:
    """The message's tokens and its distinctive ones, computed once."""
    return view.memo(_TOKENS, _tokens)


def _tokens(v: MessageView) -> tuple[frozenset[str], frozenset[str]]:
    return split_tokens(v.text, v.folded, links=v.links, handles=v.handles, phones=v.phones)


def _hit(name: str, code: str, details: str, **args: str) -> CheckResult:
    return CheckResult(name, True, details, code, tuple(args.items()))


def stop_words_check(words: list[str]) -> SpamCheck:
    """Phrases spam uses and chat does not, matched the way blocklists are
    (through spaces, dots, full-width and look-alike letters)."""
    name = "stop_words"
    miss = CheckResult(name, False)
    if not words:
        return lambda view, newcomer: miss
    found = Blocklist([words])
    search = found.search

    def check(view: MessageView, newcomer: bool) -> CheckResult:
        m = view.memo(found, search)[0]
        if m is None:
            return miss
        return _hit(name, "spam_stop_word", f"spam phrase {m.entry!r}", text=m.entry)

    return check


def meta_check(config: SpamConfig) -> SpamCheck:
    """Newcomers only: forwards from channels and hidden users, contact cards,
    more links, @mentions or emoji than allowed."""
    name = "meta"
    miss = CheckResult(name, False)
    max_links, max_mentions, max_emoji = config.max_links, config.max_mentions, config.max_emoji

    def check(view: MessageView, newcomer: bool) -> CheckResult:
        if not newcomer:
            return miss
        if view.forwarded and view.forward_origin in ("channel", "hidden_user", "chat"):
            origin = view.forward_origin or ""
            return _hit(name, "spam_forward", f"forward from a {origin}", origin=origin)
        if view.media == "contact":
            return _hit(name, "spam_contact", "a contact card")
        links = len(view.links)
        if links > max_links:
            return _hit(name, "spam_links", f"{links} links", count=str(links))
        mentions = view.mentions
        if mentions > max_mentions:
            return _hit(name, "spam_mentions", f"{mentions} mentions", count=str(mentions))
        if not view.text.isascii():
            emoji = detect.count_emoji(view.text)
            if emoji > max_emoji:
                return _hit(name, "spam_emoji", f"{emoji} emoji", count=str(emoji))
        return miss

    return check


@dataclass(slots=True)
class _Seen:
    first: float
    members: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)


def duplicates_check(window_seconds: float, limit: int = 20_000) -> SpamCheck:
    """Newcomers only: the same text in two groups of the community from one
    of them, or from three of them, within the window: a spam wave rather
    than a chat (members who have been around may cross-post)."""
    name = "duplicates"
    miss = CheckResult(name, False)
    recent: dict[str, _Seen] = {}

    def check(view: MessageView, newcomer: bool) -> CheckResult:
        if not newcomer:
            return miss
        key = view.squashed
        if len(key) < _MIN_DUPLICATE:
            return miss
        seen = recent.get(key)
        if seen is None or view.at - seen.first > window_seconds:
            if len(recent) >= limit:
                cutoff = view.at - window_seconds
                for k in [k for k, s in recent.items() if s.first < cutoff] or list(recent):
                    del recent[k]
            seen = recent[key] = _Seen(view.at)
        seen.members.add(view.sender)
        seen.groups.add(view.group)
        if len(seen.members) >= 3:
            n = str(len(seen.members))
            return _hit(name, "spam_duplicate_members", f"posted by {n} members", count=n)
        if len(seen.groups) >= 2 and len(seen.members) == 1:
            n = str(len(seen.groups))
            return _hit(name, "spam_duplicate_groups", f"posted in {n} groups", count=n)
        return miss

    return check


def similarity_check(model: SpamModel, threshold: float) -> SpamCheck:
    """Close to a sample moderators marked as spam."""
    name = "similarity"
    miss = CheckResult(name, False)

    def check(view: MessageView, newcomer: bool) -> CheckResult:
        found = features(view)[1]
        if len(found) < _MIN_SIMILAR:
            return miss
        score, text = model.spam_index.best(found, threshold)
        if not text:
            return miss
        shown = text if len(text) <= 40 else text[:39] + "…"
        pct = f"{score:.0%}"
        return _hit(name, "spam_similar", f"{pct} like {shown!r}", score=pct, text=shown)

    return check


def bayes_check(model: SpamModel, threshold: float, newcomer_threshold: float) -> SpamCheck:
    """Naive Bayes over the samples; newcomers meet the lower threshold."""
    name = "bayes"
    miss = CheckResult(name, False)

    def check(view: MessageView, newcomer: bool) -> CheckResult:
        found = features(view)[0]
        if not found:
            return miss
        p = model.bayes.probability(found)
        if p < (newcomer_threshold if newcomer else threshold):
            return miss
        words = ", ".join(model.bayes.evidence(found))
        pct = f"{p:.0%}"
        return _hit(name, "spam_bayes", f"spam probability {pct} ({words})", p=pct, words=words)

    return check


@dataclass(frozen=True, slots=True)
class SpamVerdict:
    results: tuple[CheckResult, ...]

    @property
    def hits(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.hit)

    @property
    def spam(self) -> bool:
        return any(r.hit for r in self.results)


class Detector:
    """The checks a config enables, built once; `check` runs them all so that
    a moderator sees every reason, not only the first."""

    def __init__(self, config: SpamConfig, model: SpamModel) -> None:
        self.config = config
        self.model = model
        self.checks: list[SpamCheck] = [
            stop_words_check(config.stop_words),
            meta_check(config),
            duplicates_check(config.duplicate_window.total_seconds()),
            similarity_check(model, config.similarity),
            bayes_check(model, config.threshold, config.newcomer_threshold),
        ]

    def check(self, view: MessageView, *, newcomer: bool) -> SpamVerdict:
        return SpamVerdict(tuple(check(view, newcomer) for check in self.checks))
