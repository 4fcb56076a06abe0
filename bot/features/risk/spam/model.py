"""The spam model's pure parts: the linear classifier with its calibration,
and the index of known spam for similarity. No I/O: `bot.features.risk.spam.guard`
feeds them samples from the store and from moderators' `/spam` and `/ham`,
and `bot.features.risk.spam.training` fits them on a file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Generic, TypeVar

from bot.features.risk.spam import native
from bot.features.risk.spam.calibration import Calibration
from bot.features.risk.spam.features import features
from bot.features.risk.spam.linear import LinearModel

SPAM, HAM = "spam", "ham"
LABELS = (SPAM, HAM)
T = TypeVar("T", str, int)
# A moderator's sample is stepped on this many times: one step of a model
# trained on thousands of messages barely moves it.
_TEACH_STEPS = 3


def distinctive(found: Iterable[str]) -> frozenset[str]:
    """The features that make two texts alike: character 3- and 4-grams,
    words and structural tokens (single characters and pairs are in most
    texts and would make every known sample look a little alike)."""
    return frozenset(f for f in found if len(f) > 2)


class SimilarityIndex(Generic[T]):
    """Known spam, for cosine similarity on token sets. An inverted index and
    prefix filtering keep it fast: a sample at least `threshold` similar
    shares a token with the message's rarest ones, so only those are
    looked up, and tokens no spam sample has rule most chat out at once.

    The tokens are feature strings; `keyed()` is the same index over their
    64-bit keys, for the compiled scorer, which finds a message's
    distinctive features as keys without making their strings."""

    def __init__(self) -> None:
        self._sets: list[frozenset[T]] = []
        self._texts: list[str] = []
        self._postings: dict[T, list[int]] = {}
        # The postings' keys as a set: set & set walks the smaller one.
        self._indexed: set[T] = set()
        self._keyed: SimilarityIndex[int] | None = None

    def __len__(self) -> int:
        return len(self._sets)

    def copy(self) -> SimilarityIndex[T]:
        other = SimilarityIndex[T]()
        other._sets = list(self._sets)
        other._texts = list(self._texts)
        other._postings = {k: list(v) for k, v in self._postings.items()}
        other._indexed = set(self._indexed)
        return other

    def add(self, features: frozenset[T], text: str) -> None:
        """`features`: the sample's distinctive tokens (`distinctive`)."""
        i = len(self._sets)
        self._sets.append(features)
        self._texts.append(text)
        for token in features:
            self._postings.setdefault(token, []).append(i)
        self._indexed.update(features)

    def keyed(self: SimilarityIndex[str]) -> SimilarityIndex[int]:
        """This index with each feature string as its key (`native.key`),
        brought up to date on use (samples are only ever added)."""
        keyed = self._keyed
        if keyed is None:
            keyed = self._keyed = SimilarityIndex[int]()
        done = len(keyed)
        for found, text in zip(self._sets[done:], self._texts[done:], strict=True):
            keyed.add(frozenset(map(native.key, found)), text)
        return keyed

    def best(self, features: frozenset[T], threshold: float) -> tuple[float, str]:
        """The most similar known sample at least `threshold` (cosine) alike,
        and its text; (0.0, "") when there is none. Of samples alike as
        much, the first added: the same whichever of the message's rarest
        tokens are looked up, so feature strings and their keys agree."""
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
        for i in sorted(set(chain.from_iterable(postings[t] for t in rarest))):
            other = sets[i]
            cosine = len(features & other) / math.sqrt(n * len(other))
            if cosine > score:
                best, score = i, cosine
        if best < 0 or score < threshold:
            return 0.0, ""
        return score, self._texts[best]


@dataclass(slots=True)
class SpamModel:
    """The linear classifier, how its scores fall on held-out data, and the
    similarity index over spam."""

    linear: LinearModel = field(default_factory=LinearModel)
    calibration: Calibration = field(default_factory=Calibration)
    spam_index: SimilarityIndex[str] = field(default_factory=SimilarityIndex[str])
    samples: int = 0

    def learn(self, label: str, text: str) -> None:
        """Teach one sample online (a moderator's `/spam` or `/ham`)."""
        found = features(text)
        if not found:
            return
        for _ in range(_TEACH_STEPS):
            self.linear.update(found, label == SPAM, 1.0)
        self.index(label, text, found)
        self.samples += 1

    def index(self, label: str, text: str, found: frozenset[str]) -> None:
        if label == SPAM:
            close = distinctive(found)
            if close:
                self.spam_index.add(close, text)

    def learn_all(self, samples: Iterable[tuple[str, str]]) -> None:
        for label, text in samples:
            self.learn(label, text)

    def copy(self) -> SpamModel:
        """A model to teach without touching this one (the shipped model is
        shared by every community of the process)."""
        return SpamModel(self.linear.copy(), self.calibration, self.spam_index.copy(), self.samples)


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
