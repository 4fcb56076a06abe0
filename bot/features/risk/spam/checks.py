"""The spam detector: small named checks, each returning a `CheckResult`
(name, hit, details), and the detector that runs the ones a member's standing
calls for. Pure and in memory; the spam guard acts on what it finds.

The main score is the linear model's (`model_check`); the named checks
around it are reasons a moderator can read at once. Newcomers (recently
joined, or within their first messages) face every check and the
threshold calibrated for them; other members not yet approved face the
content checks only. Who is spared altogether is decided before the
detector runs (`SpamGuard.scrutiny` in guard.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import chain, compress, filterfalse, repeat
from operator import attrgetter

from bot.config.risk import SpamConfig
from bot.features.risk.spam import native
from bot.features.risk.spam.calibration import logit
from bot.features.risk.spam.features import MAX_CHARS, grams, structure, tail
from bot.features.risk.spam.linear import LinearModel, sigmoid
from bot.features.risk.spam.model import SpamModel, distinctive
from bot.features.risk.word_lists import STOP_WORDS
from rules import detect
from rules.checks import CheckResult
from rules.lexicon import Lexicon, Listed
from rules.message import MessageView

SpamCheck = Callable[[MessageView, bool], CheckResult]
# The running rule set's lexicon, read when a message is checked: a reload
# of the rules swaps it.
RunningLexicon = Callable[[], Lexicon | None]

_FEATURES = object()
_TOKENS = object()
_DISTINCTIVE = object()
_DISTINCTIVE_KEYS = object()
_TAIL = object()
_NO_TAIL: tuple[str, ...] = ()
# Shorter texts repeat innocently ("ok", "谢谢").
_MIN_DUPLICATE = 12
# Tokens a message needs before similarity means anything.
_MIN_SIMILAR = 4
_SHOWN_MAX = 0.99
_SHOWN_PREFIXES = ("w:", "host:", "@", "#")
_HIT = attrgetter("hit")


def features(view: MessageView) -> frozenset[str]:
    """The message's features as strings, made once from what the rules
    found: for `/why`, the similarity index and training. Scoring does
    without them where the compiled scorer is built (`margin`)."""
    return view.memo(_FEATURES, _features)


def _features(v: MessageView) -> frozenset[str]:
    return frozenset(chain(grams(v.folded), tokens(v)))


def tokens(view: MessageView) -> list[str]:
    """The structural tokens (`features.structure`) and a long message's
    tail's: the features besides the folded text's n-grams and words."""
    return view.memo(_TOKENS, _tokens)


def _tokens(v: MessageView) -> list[str]:
    return [*structure(v.text, v.links, v.handles, v.phones), *v.memo(_TAIL, _no_tail)]


def margin(linear: LinearModel, view: MessageView) -> float:
    """The model's log-odds for the message: `linear.margin(features(view))`,
    computed by the compiled scorer from the folded text without the
    feature strings where it is built."""
    table = linear.table()
    if table is None:
        return linear.margin(features(view))
    return table.margin(view.folded, tokens(view))


def _no_tail(v: MessageView) -> tuple[str, ...]:
    return _NO_TAIL


def head(view: MessageView) -> MessageView:
    """What the detector reads of a message: all of it up to `MAX_CHARS`
    characters; of a longer one its head, with the tail's structural tokens
    (a 13k-character paste costs what a 1k one does)."""
    if len(view.text) <= MAX_CHARS:
        return view
    short = replace(view, text=view.text[:MAX_CHARS])
    rest = tail(view.text)
    short.memo(_TAIL, lambda v: rest)
    return short


def _distinctive(v: MessageView) -> frozenset[str]:
    return distinctive(features(v))


def _distinctive_keys(v: MessageView) -> frozenset[int]:
    return native.distinctive(v.folded, tokens(v))


def _hit(name: str, code: str, details: str, **args: str) -> CheckResult:
    return CheckResult(name, True, details, code, tuple(args.items()))


def stop_words_check(words: list[str], lexicon: RunningLexicon = lambda: None) -> SpamCheck:
    """Phrases spam uses and chat does not, matched the way blocklists are
    (through spaces, dots, full-width and look-alike letters); searched in
    the rules' own scan of the message when `lexicon()` (the running rule
    set's) holds them (see `bot.features.risk.word_lists`)."""
    name = "stop_words"
    miss = CheckResult(name, False)
    if not words:
        return lambda view, newcomer: miss
    listed = Listed(STOP_WORDS, words)
    first = listed.first

    def check(view: MessageView, newcomer: bool) -> CheckResult:
        m = first(view, lexicon())
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

    index, linear = model.spam_index, model.linear

    def check(view: MessageView, newcomer: bool) -> CheckResult:
        if not len(index):
            return miss
        # Where the compiled scorer is, the features' keys: no strings.
        if linear.table() is None:
            found = view.memo(_DISTINCTIVE, _distinctive)
            if len(found) < _MIN_SIMILAR:
                return miss
            score, text = index.best(found, threshold)
        else:
            keys = view.memo(_DISTINCTIVE_KEYS, _distinctive_keys)
            if len(keys) < _MIN_SIMILAR:
                return miss
            score, text = index.keyed().best(keys, threshold)
        if not text:
            return miss
        shown = text if len(text) <= 40 else text[:39] + "…"
        pct = f"{score:.0%}"
        return _hit(name, "spam_similar", f"{pct} like {shown!r}", score=pct, text=shown)

    return check


_NAMED = {
    "#link": "link", "#links": "links", "#invite": "invite link", "#shortener": "short link",
    "#handle": "@handle", "#phone": "phone number", "#mixed_script": "mixed-script word",
    "#styled": "styled letters", "#long": "long text", "#tail_link": "link far down",
    "#emoji1": "emoji", "#emoji2": "emoji", "#emoji3": "many emoji", "#len4": "length",
    "#len5": "length",
}  # fmt: skip


def _readable(feature: str) -> str | None:
    """A feature as a moderator can read it in `/why`: words, hosts,
    handles, the named structural tokens, and character n-grams with a
    Chinese (or other non-Latin) pair in them; None for the rest."""
    if feature.startswith("w:#n"):
        return f"{feature[4:]}-digit number"
    if feature.startswith("w:"):
        return feature[2:]
    if feature.startswith(("host:", "@")):
        return feature
    if feature.startswith("#"):
        return _NAMED.get(feature)
    core = feature.strip(" ,.!?:;()'\"-~")
    if len(core) >= 2 and not core.isascii():
        return core
    return None


def explain(model: SpamModel, found: Iterable[str], n: int = 3) -> list[str]:
    """The readable features that pushed hardest towards spam."""
    # Only these can be shown: words, hosts, handles, named tokens and
    # non-Latin n-grams; picked at C speed before anything is ranked.
    names = tuple(found)
    shown_kinds = compress(names, map(str.startswith, names, repeat(_SHOWN_PREFIXES)))
    candidates = {*shown_kinds, *filterfalse(str.isascii, names)}
    out: list[str] = []
    for feature in model.linear.contributions(candidates):
        shown = _readable(feature)
        if shown and shown not in out and not any(shown in o or o in shown for o in out):
            out.append(shown)
            if len(out) == n:
                break
    return out


def reasons(model: SpamModel, view: MessageView) -> list[str]:
    """`explain` for a flagged message: where the compiled scorer is built,
    of the strings of its features that push towards spam alone."""
    table = model.linear.table()
    if table is None:
        return explain(model, features(view))
    # Only the features `_readable` can show: the rest would be skipped.
    named = model.linear.named(_readable).get
    return explain(model, filter(None, map(named, table.positive(view.folded, tokens(view)))))


def model_check(model: SpamModel, regular: float, newcomer_margin: float) -> SpamCheck:
    """The linear model's score against the threshold calibrated for the
    member's standing (log-odds)."""
    name = "model"
    miss = CheckResult(name, False)
    linear = model.linear

    def check(view: MessageView, newcomer: bool) -> CheckResult:
        # A message always has a length token: never without features.
        score = margin(linear, view)
        if score < (newcomer_margin if newcomer else regular):
            return miss
        words = ", ".join(reasons(model, view))
        # Rounded, a margin of 5 log-odds or more would read "100%": a
        # score is evidence, never certainty.
        pct = f"{min(sigmoid(score), _SHOWN_MAX):.0%}"
        return _hit(name, "spam_model", f"spam score {pct} ({words})", p=pct, words=words)

    return check


@dataclass(frozen=True, slots=True)
class SpamVerdict:
    results: tuple[CheckResult, ...]

    @property
    def hits(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.hit)

    @property
    def spam(self) -> bool:
        return any(map(_HIT, self.results))


# Uncalibrated models (no held-out ham: a community that turned the
# shipped samples off) flag from these probabilities.
_UNCALIBRATED = (0.95, 0.9)


def thresholds(config: SpamConfig, model: SpamModel) -> tuple[float, float]:
    """The model's thresholds (log-odds) for members not yet approved and
    for newcomers: fixed by `threshold`/`newcomer_threshold` when set, else
    the calibration's for each false-positive rate, after the ham that the
    checks each standing faces catch anyway."""
    cal = model.calibration
    others = [
        stop_words_check(config.stop_words),
        meta_check(config),
        similarity_check(model, config.similarity),
    ]
    out: list[float] = []
    for newcomer, fixed, rate, fallback in (
        (False, config.threshold, config.max_false_positive_rate, _UNCALIBRATED[0]),
        (True, config.newcomer_threshold, config.newcomer_false_positive_rate, _UNCALIBRATED[1]),
    ):
        if fixed is not None:
            out.append(logit(fixed))
            continue
        caught = [
            any(
                c(MessageView(text=text, group="calibration", sender="c", at=0.0), newcomer).hit
                for c in others
            )
            for _, text in cal.ham
        ]
        found = cal.threshold(rate, caught)
        out.append(logit(fallback) if found is None else found)
    return out[0], out[1]


class Detector:
    """The checks a config enables, built once; `check` runs them all so that
    a moderator sees every reason, except similarity, which runs only when
    it can change the verdict."""

    def __init__(
        self, config: SpamConfig, model: SpamModel, lexicon: RunningLexicon = lambda: None
    ) -> None:
        self.config = config
        self.model = model
        self.regular, self.newcomer = thresholds(config, model)
        self.checks: list[SpamCheck] = [
            stop_words_check(config.stop_words, lexicon),
            meta_check(config),
            duplicates_check(config.duplicate_window.total_seconds()),
            model_check(model, self.regular, self.newcomer),
        ]
        self.similar = similarity_check(model, config.similarity)

    def check(self, view: MessageView, *, newcomer: bool) -> SpamVerdict:
        view = head(view)
        results = [check(view, newcomer) for check in self.checks]
        if not any(map(_HIT, results)):
            results.append(self.similar(view, newcomer))
        return SpamVerdict(tuple(results))
