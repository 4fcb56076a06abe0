"""How alike a member's question is to an entry's phrasings.

Words are compared, not characters: English words (folded, a plural's s
dropped, the commonest function words ignored) and, for Chinese, pairs of
neighbouring characters (a single character alone), since Chinese has no
spaces to split at. The score of a question against a phrasing is the
cosine of the two word sets (shared / sqrt(len × len)); an entry scores its
best phrasing. An inverted index from word to phrasings means a message is
compared only with phrasings sharing a word with it; and when the message
has words few phrasings use, only with the phrasings holding those: words
most phrasings share ("how much", "when is") would otherwise make every
question a comparison with every phrasing (bench/faq.py).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from itertools import pairwise

from bot.features.faq.entries import Entry
from rules.cues import Cues

_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff\uf900-\ufaff]+")
_STOP_WORDS = (
    "a an the is are am was were be do does did i you we it to of in on for and or "
    "what how can could my your me this that there any with at by"
)
_STOP = frozenset(_STOP_WORDS.split())
_STOP_CJK = frozenset("的了吗呢吧啊是我你他她它们在有和就都也还请问")
# Questions, in either language: a question mark, or a question word. Split
# for speed (see rules.cues): the same as one search for
# `[?？]|吗|...|是不是|\b(?:how|...|do)\b`.
_BOUNDED = r"\b(?:how|what|why|when|where|which|who|can|could|is there|are there|does|do)\b"
_HINT = r"how|what|why|when|where|which|who|can|could|is there|are there|does|do"
_QUESTION = Cues(
    r"\?|？|吗|呢|怎么|如何|为什么|什么|多少|哪|几|能不能|可不可以|有没有|是不是", _BOUNDED, _HINT
)
_BOUNDED_RE, _HINT_RE = re.compile(_BOUNDED), re.compile(_HINT)


def is_question(folded: str) -> bool:
    if folded.isascii():
        # Of the plain cues only the question mark is ASCII: no search for
        # the Chinese ones in an English message.
        if "?" in folded:
            return True
        return _HINT_RE.search(folded) is not None and _BOUNDED_RE.search(folded) is not None
    return _QUESTION.found(folded)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def words(text: str) -> frozenset[str]:
    out: set[str] = set()
    for run in _WORD.findall(fold(text)):
        if run[0].isascii():
            if run in _STOP:
                continue
            out.add(run[:-1] if len(run) > 3 and run.endswith("s") else run)
            continue
        chars = [c for c in run if c not in _STOP_CJK]
        if len(chars) == 1:
            out.add(chars[0])
        out.update(a + b for a, b in pairwise(chars))
    return frozenset(out)


class Matcher:
    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        # Phrasing number -> (entry index, its words, 1/sqrt(how many)).
        self._phrasings: list[tuple[int, frozenset[str], float]] = []
        self._index: dict[str, list[int]] = {}
        for i, entry in enumerate(self.entries):
            for q in entry.questions:
                ws = words(q)
                if not ws:
                    continue
                n = len(self._phrasings)
                self._phrasings.append((i, ws, 1 / math.sqrt(len(ws))))
                for w in ws:
                    self._index.setdefault(w, []).append(n)
        # A word in more phrasings than this is common: it finds candidates
        # only for a message that has no rarer word.
        self._common = max(8, len(self._phrasings) // 20)

    def best(self, text: str, limit: int = 3, floor: float = 0.0) -> list[tuple[float, Entry]]:
        """The best-matching entries scoring at least `floor`, best first."""
        asked = words(text)
        if not asked or not self._index:
            return []
        postings = sorted((len(self._index[w]), w) for w in asked if w in self._index)
        candidates: set[int] = set()
        for df, w in postings:
            if df > self._common and candidates:
                break
            candidates.update(self._index[w])
        scores: dict[int, float] = {}
        norm = 1 / math.sqrt(len(asked))
        for n in candidates:
            entry, ws, inverse = self._phrasings[n]
            score = len(asked & ws) * norm * inverse
            if score > scores.get(entry, 0.0):
                scores[entry] = score
        ranked = sorted(
            ((s, i) for i, s in scores.items() if s >= floor), key=lambda p: (-p[0], p[1])
        )
        return [(round(s, 2), self.entries[i]) for s, i in ranked[:limit]]
