"""The spam classifier's pure parts: the tokenizer, naive Bayes, and the index
of known spam for similarity. No I/O: `bot.features.risk.spam.guard` feeds them samples from the
store and from moderators' `/spam` and `/ham`.

Features are what a spammer cannot easily change all at once: Chinese
character unigrams and bigrams (Chinese has no spaces, and bigrams catch
most words), Latin and Cyrillic words, and for links, phone numbers and
@handles both the thing itself (`host:t.me`) and its kind (`#link`), so a
new domain still counts as a link.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

from rules import detect
from rules.normalize import fold

SPAM, HAM = "spam", "ham"
LABELS = (SPAM, HAM)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
_DIGITS = re.compile(r"^\d+$")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_WORD = re.compile(r"^[\u0400-\u04ff]+$")
_WORDS = re.compile(r"\S+")


def _keep_cyrillic(text: str, folded: str) -> str:
    """The fold reads look-alike Cyrillic letters as Latin (against `wеchat`
    spelled with a Cyrillic е); a word all in Cyrillic is Russian, and stays."""
    plain = unicodedata.normalize("NFKC", text).casefold()
    words = []
    for word in _WORDS.findall(plain):
        core = word.strip(".,!?;:()\"'«»—-")
        words.append(core if core and _CYRILLIC_WORD.match(core) else fold(word))
    return " ".join(words)


_MANY_EMOJI = 3


def tokens(
    text: str,
    folded: str | None = None,
    *,
    links: tuple[str, ...] | None = None,
    handles: tuple[str, ...] | None = None,
    phones: tuple[str, ...] | None = None,
) -> frozenset[str]:
    """The features of a text, each once. The message path passes what the
    rules found already (links, handles, phones) rather than look again."""
    return split_tokens(text, folded, links=links, handles=handles, phones=phones)[0]


def split_tokens(
    text: str,
    folded: str | None = None,
    *,
    links: tuple[str, ...] | None = None,
    handles: tuple[str, ...] | None = None,
    phones: tuple[str, ...] | None = None,
) -> tuple[frozenset[str], frozenset[str]]:
    """Every feature, and the distinctive ones: all but single Chinese
    characters, which are in most texts and would make every known sample
    look a little alike (the bigrams carry the meaning)."""
    if folded is None:
        folded = fold(text)
    out: set[str] = set()
    unigrams: set[str] = set()
    if links is None:
        links = detect.find_links(folded)
    if links:
        out.add("#link")
        for link in links:
            out.add("host:" + detect.host_of(link).removeprefix("www."))
            folded = folded.replace(link, " ")
        if any(detect.is_invite(link) for link in links):
            out.add("#invite")
    if handles is None:
        handles = detect.find_handles(folded)
    for handle in handles:
        out.add("#handle")
        out.add("@" + handle)
    if phones is None:
        phones = detect.find_phones(folded)
    if phones:
        out.add("#phone")
    if not text.isascii() and detect.count_emoji(text) >= _MANY_EMOJI:
        out.add("#emoji")
    if not text.isascii() and _CYRILLIC.search(text):
        folded = _keep_cyrillic(text, folded)
    for cjk, word in _TOKEN.findall(folded):
        if cjk:
            unigrams.update(cjk)
            out.update(cjk[i : i + 2] for i in range(len(cjk) - 1))
        elif _DIGITS.match(word):
            # Amounts and codes vary; their length is what repeats (日赚3000).
            out.add(f"#n{min(len(word), 8)}")
        elif len(word) > 1:
            out.add(word)
    distinctive = frozenset(out)
    return (distinctive | unigrams if unigrams else distinctive), distinctive


class NaiveBayes:
    """Two-class naive Bayes over token sets, Laplace-smoothed. Tokens seen in
    neither class carry no evidence and are skipped (a new word is not
    spammy), so a message with no known token scores the prior."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {SPAM: {}, HAM: {}}
        self.docs = {SPAM: 0, HAM: 0}
        self._totals = {SPAM: 0, HAM: 0}
        self._weights: dict[str, float] = {}
        self._vocabulary: set[str] = set()

    def learn(self, label: str, features: Iterable[str]) -> None:
        counts = self.counts[label]
        n = 0
        for token in features:
            counts[token] = counts.get(token, 0) + 1
            self._vocabulary.add(token)
            n += 1
        self._totals[label] += n
        self.docs[label] += 1
        # Learning is rare (moderators teach it): recompute weights lazily.
        self._weights = {}

    def _weight(self, token: str) -> float:
        s = self.counts[SPAM].get(token, 0)
        h = self.counts[HAM].get(token, 0)
        if not s and not h:
            return 0.0
        v = len(self._vocabulary)
        return math.log((s + 1) / (self._totals[SPAM] + v)) - math.log(
            (h + 1) / (self._totals[HAM] + v)
        )

    def probability(self, features: Iterable[str]) -> float:
        """P(spam | features); 0.5 when nothing has been learned."""
        spam_docs, ham_docs = self.docs[SPAM], self.docs[HAM]
        if not spam_docs or not ham_docs:
            return 0.5
        weights = self._weights
        score = math.log(spam_docs / ham_docs)
        for token in features:
            w = weights.get(token)
            if w is None:
                w = weights[token] = self._weight(token)
            score += w
        if score > 30:
            return 1.0
        if score < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-score))

    def evidence(self, features: Iterable[str], n: int = 3) -> list[str]:
        """The tokens that pushed hardest towards spam, for the details."""
        weights = self._weights
        weighted = [(weights.get(t) or self._weight(t), t) for t in features]
        return [t for w, t in sorted(weighted, reverse=True)[:n] if w > 0]


class SimilarityIndex:
    """Known spam, for cosine similarity on token sets. An inverted index and
    prefix filtering keep it fast: a sample at least `threshold` similar
    shares a token with the message's rarest ones, so only those are
    looked up, and tokens no spam sample has rule most chat out at once."""

    def __init__(self) -> None:
        self._sets: list[frozenset[str]] = []
        self._texts: list[str] = []
        self._postings: dict[str, list[int]] = {}
        # The postings' keys as a set: set & set walks the smaller one.
        self._indexed: set[str] = set()

    def __len__(self) -> int:
        return len(self._sets)

    def add(self, features: frozenset[str], text: str) -> None:
        """`features`: the sample's distinctive tokens (`split_tokens`)."""
        i = len(self._sets)
        self._sets.append(features)
        self._texts.append(text)
        for token in features:
            self._postings.setdefault(token, []).append(i)
        self._indexed.update(features)

    def best(self, features: frozenset[str], threshold: float) -> tuple[float, str]:
        """The most similar known sample at least `threshold` (cosine) alike,
        and its text; (0.0, "") when there is none."""
        n = len(features)
        postings = self._postings
        if not n or not postings:
            return 0.0, ""
        known = features & self._indexed
        # cosine >= t needs at least t²·n shared tokens.
        need = max(1, math.ceil(threshold * threshold * n))
        if len(known) < need:
            return 0.0, ""
        probe = n - need + 1 - (n - len(known))
        rarest = sorted(known, key=lambda t: len(postings[t]))[:probe]
        sets, best, score = self._sets, -1, 0.0
        for i in set(chain.from_iterable(postings[t] for t in rarest)):
            other = sets[i]
            cosine = len(features & other) / math.sqrt(n * len(other))
            if cosine > score:
                best, score = i, cosine
        if best < 0 or score < threshold:
            return 0.0, ""
        return score, self._texts[best]


@dataclass(slots=True)
class SpamModel:
    """Naive Bayes over every sample, and the similarity index over spam."""

    bayes: NaiveBayes = field(default_factory=NaiveBayes)
    spam_index: SimilarityIndex = field(default_factory=SimilarityIndex)
    samples: int = 0

    def learn(self, label: str, text: str) -> None:
        features, distinctive = split_tokens(text)
        if not features:
            return
        self.bayes.learn(label, features)
        if label == SPAM and distinctive:
            self.spam_index.add(distinctive, text)
        self.samples += 1

    def learn_all(self, samples: Iterable[tuple[str, str]]) -> None:
        for label, text in samples:
            self.learn(label, text)


def parse_samples(lines: Sequence[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """`spam|ham<TAB>text` lines -> (samples, errors as `line N: reason`).
    Blank lines and `#` comments are skipped."""
    samples: list[tuple[str, str]] = []
    errors: list[str] = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, tab, text = line.partition("\t")
        label = label.strip().lower()
        if not tab or label not in LABELS or not text.strip():
            errors.append(f"line {n}: expected spam or ham, a tab, and the text")
            continue
        samples.append((label, text.strip().replace("\\n", "\n")))
    return samples, errors
