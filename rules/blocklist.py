"""A word list compiled for speed: tens of thousands of entries, a few
microseconds per message.

How an entry matches depends on what it is:

- a Latin word (`wechat`, `b2b`) matches a whole word of the folded text, also
  when spread out (`w.e.c.h.a.t`), glued to digits (`wechat123`) or spelled
  with digits (`w3chat`), so `ass` spares `class`;
- anything else (Chinese, links, phrases with punctuation: `加微信`,
  `t.me/joinchat`) matches anywhere in the squashed text, so separators,
  spaces and look-alike characters inside it do not help; but where such an
  entry mixes Latin with other letters (`加v`), its Latin end must end a word
  of the message: squashing glues `参加 Vue` into `参加vue`, and a one-letter
  entry would otherwise punish every Chinese sentence before a Latin word;
- `*` matches any run of characters; a Latin phrase (`free money`) matches its
  words with anything but letters between them;
- `re:<pattern>` or `/<pattern>/` is a regular expression on the folded text.

Latin words are one set intersection. Every other entry, and the literal that
every match of a regular expression or wildcard entry must contain, is a
needle of one Aho-Corasick automaton over the squashed text; a regular
expression runs only when its literal is present. Only expressions without
such a literal run on every message.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

from rules.automaton import Automaton
from rules.message import MessageView
from rules.normalize import fold, squash


@dataclass(frozen=True, slots=True)
class Match:
    # The entry as the owner wrote it.
    entry: str
    # What matched in the message (the folded form).
    text: str
    regex: bool = False


def regex_entry(word: str) -> str | None:
    if word.startswith("re:"):
        return word[3:]
    if len(word) > 2 and word.startswith("/") and word.endswith("/"):
        return word[1:-1]
    return None


_SQUASHED, _FOLDED, _LATIN, _BOUNDED = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class _Needle:
    # Which list the entry belongs to.
    owner: int
    entry: str
    # None: the needle itself is the match. Otherwise the needle is a literal
    # every match contains, and the pattern decides.
    pattern: re.Pattern[str] | None = None
    haystack: int = _SQUASHED
    # ASCII punctuation every match of `pattern` holds (regular expressions).
    marks: str = ""


_LATIN_WORD = re.compile(r"[a-z0-9]+")
_LATIN_PHRASE = re.compile(r"[a-z0-9*]+(?: [a-z0-9*]+)*")
_SQUASH_SAFE = re.compile(r"[^\W_]+")
_LATIN_CHAR = re.compile(r"[a-z0-9]")

Matches = tuple[Match | None, ...]


class Blocklist:
    """Several word lists (one per rule) compiled together, so a message is
    scanned once however many blocklist rules there are. `search` gives,
    for each list, its first match or None."""

    def __init__(self, lists: Sequence[Sequence[str]], *, whole_words: bool = True) -> None:
        """With `whole_words` false, Latin words match anywhere too (names:
        `crypto` in "CryptoKing")."""
        self._size = len(lists)
        self._whole_words = whole_words
        # Latin word -> (list, entry as written), for each list that has it.
        words: dict[str, list[tuple[int, str]]] = {}
        needles: list[tuple[str, _Needle]] = []
        self._always: list[_Needle] = []
        for owner, entries in enumerate(lists):
            for entry in entries:
                self._compile(owner, entry, words, needles)
        self._words = words
        self._word_set = frozenset(words)
        self._automaton: Automaton[_Needle] | None = Automaton(needles) if needles else None
        self._none: Matches = (None,) * self._size

    def _compile(
        self,
        owner: int,
        entry: str,
        words: dict[str, list[tuple[int, str]]],
        needles: list[tuple[str, _Needle]],
    ) -> None:
        regex = regex_entry(entry)
        if regex is not None:
            # The text is folded to lower case; a capital in the pattern must
            # not make it miss.
            compiled = re.compile(regex, re.IGNORECASE)
            found = _Needle(owner, entry, compiled, _FOLDED, required_marks(regex))
            self._add(needles, found, required_literal(regex))
            return
        folded = " ".join(fold(entry).split())
        if not self._whole_words and "*" not in folded:
            needle = squash(folded)
            if needle:
                needles.append((needle, _Needle(owner, entry)))
                return
        if _LATIN_WORD.fullmatch(folded):
            words.setdefault(folded, []).append((owner, entry))
        elif _LATIN_PHRASE.fullmatch(folded):
            # A wildcard stands for the rest of a word, and for a literal `*`
            # too: the entry as written ("0*0") still finds itself.
            body = r"[\W_]+".join(
                "[a-z0-9*]*".join(re.escape(p) for p in w.split("*")) for w in folded.split()
            )
            pattern = re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")
            fragments = re.split(r"[ *]+", folded)
            self._add(needles, _Needle(owner, entry, pattern, _LATIN), max(fragments, key=len))
        else:
            parts = [squash(p) for p in folded.split("*")]
            if "*" not in folded and parts[0]:
                needles.append((parts[0], _bounded(owner, entry, parts[0])))
            elif any(parts):
                pattern = re.compile(".*?".join(re.escape(p) for p in parts if p))
                self._add(needles, _Needle(owner, entry, pattern), max(parts, key=len))
            else:
                # Nothing but punctuation ("!!!"): look for it as written.
                pattern = re.compile(re.escape(folded).replace(r"\*", ".*?"))
                self._always.append(_Needle(owner, entry, pattern, _FOLDED))

    def _add(
        self, needles: list[tuple[str, _Needle]], needle: _Needle, literal: str | None
    ) -> None:
        literal = squash(fold(literal)) if literal else ""
        if len(literal) >= 2:
            needles.append((literal, needle))
        else:
            self._always.append(needle)

    def search(self, msg: MessageView) -> Matches:
        if self._word_set:
            words = msg.word_list
            if words and not self._word_set.isdisjoint(words):
                return self._search(msg, words_hit=True)
        if self._always:
            return self._search(msg, words_hit=False)
        # No listed word and nothing to run on every message: one scan, and
        # for most messages nothing found, told without building anything.
        automaton = self._automaton
        if automaton is None:
            return self._none
        hits = automaton.matches(msg.squashed)
        if not hits:
            return self._none
        found: list[Match | None] = list(self._none)
        self._first_needles(hits, msg, found, self._size)
        return tuple(found)

    def _search(self, msg: MessageView, *, words_hit: bool) -> Matches:
        found: list[Match | None] = list(self._none)
        left = self._size
        if words_hit:
            left -= self._first_words(msg, found)
        if left and self._automaton is not None:
            left = self._first_needles(self._automaton.matches(msg.squashed), msg, found, left)
        if left:
            for needle in self._always:
                if found[needle.owner] is None:
                    found[needle.owner] = _verify(needle, msg)
        return tuple(found)

    @staticmethod
    def _first_needles(
        hits: list[tuple[_Needle, ...]], msg: MessageView, found: list[Match | None], left: int
    ) -> int:
        """Fill in each list's first needle (in text order) that its check
        confirms; returns how many lists are still without an answer."""
        for needles in hits:
            for needle in needles:
                if found[needle.owner] is not None:
                    continue
                match = _verify(needle, msg)
                if match is not None:
                    found[needle.owner] = match
                    left -= 1
                    # Stop once every list has its answer.
                    if not left:
                        return 0
        return left

    def _first_words(self, msg: MessageView, found: list[Match | None]) -> int:
        """Fill in each list's listed word that comes first in the message;
        returns how many lists got one."""
        text = msg.despread
        end = len(text) + 1
        hits = sorted(
            self._word_set.intersection(msg.word_list), key=lambda w: (text.find(w) % end, w)
        )
        filled = 0
        for word in hits:
            for owner, entry in self._words[word]:
                if found[owner] is None:
                    found[owner] = Match(entry, word)
                    filled += 1
        return filled


def _bounded(owner: int, entry: str, squashed: str) -> _Needle:
    """A squashed entry; one that mixes Latin with other letters keeps its
    Latin ends at the edges of Latin words (`加v` spares `参加 Vue`, `参加v2`),
    with separators still allowed between its characters (`加 . v`)."""
    first, last = (_LATIN_CHAR.match(c) is not None for c in (squashed[0], squashed[-1]))
    if not (first or last) or all(_LATIN_CHAR.match(c) for c in squashed):
        return _Needle(owner, entry)
    body = r"[\W_]*".join(re.escape(c) for c in squashed)
    before = "(?<![a-z0-9])" if first else ""
    after = "(?![a-z0-9])" if last else ""
    return _Needle(owner, entry, re.compile(before + body + after), _BOUNDED)


def _verify(needle: _Needle, msg: MessageView) -> Match | None:
    pattern = needle.pattern
    if pattern is None:
        return Match(needle.entry, needle.entry)
    if needle.haystack == _SQUASHED:
        m = pattern.search(msg.squashed)
    elif needle.marks and not all(mark in msg.folded for mark in needle.marks):
        return None
    else:
        m = pattern.search(msg.folded)
        if m is None and needle.haystack == _LATIN and msg.despread is not msg.folded:
            m = pattern.search(msg.despread)
    if m is None:
        return None
    return Match(needle.entry, m.group(), regex=needle.haystack == _FOLDED)


def required_literal(pattern: str) -> str | None:
    """The longest run of letters and digits that every match of `pattern`
    contains, or None when that cannot be told without doubt."""
    best = ""
    for r in _literal_runs(pattern) or ():
        for piece in _SQUASH_SAFE.findall(r):
            if len(piece) > len(best) and all(c.isascii() or c.lower() == c.upper() for c in piece):
                best = piece
    return best or None


def required_marks(pattern: str) -> str:
    """The ASCII punctuation every match of `pattern` contains (`@` in
    `\\w+@qq\\.com`): a text without one of them needs no search, which
    for such a pattern can cost tens of microseconds on a long text. Marks
    have no case, so ignoring case changes nothing."""
    runs = _literal_runs(pattern) or ()
    return "".join(sorted({c for r in runs for c in r if c in _ASCII_MARKS}))


_ASCII_MARKS = frozenset(string.punctuation)


def _literal_runs(pattern: str) -> list[str] | None:
    """The runs of literal characters every match of `pattern` contains, in
    order, or None when that cannot be told without doubt.

    Conservative by design: alternation at the top, verbose mode, and
    anything inside groups or classes give up or break the run; a quantified
    character leaves the run (or ends it, when it may be absent)."""
    if re.search(r"\(\?[a-zA-Z]*x", pattern):
        return None
    runs: list[str] = []
    run: list[str] = []
    i, n = 0, len(pattern)

    def close() -> None:
        if run:
            runs.append("".join(run))
            run.clear()

    while i < n:
        ch = pattern[i]
        if ch == "|":
            return None
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            i += 2
            if nxt.isalnum():
                # \d \w \b \1 \x41 \u4e00 ...: a class, an anchor, a reference
                # or a character written as a code; none is part of a run.
                close()
                i = _skip_quantifier(pattern, _skip_escape(pattern, nxt, i))
                continue
            atom = nxt
        elif ch == "[":
            close()
            i = _skip_quantifier(pattern, _skip_class(pattern, i))
            continue
        elif ch == "(":
            close()
            i = _skip_quantifier(pattern, _skip_group(pattern, i))
            continue
        elif ch in ".^$)":
            close()
            i = _skip_quantifier(pattern, i + 1)
            continue
        else:
            atom = ch
            i += 1
        if i < n and pattern[i] in "*?{+":
            optional = pattern[i] in "*?" or pattern.startswith("{0", i) or pattern[i] == "{"
            if pattern[i] == "{" and re.match(r"\{[1-9]", pattern[i:]):
                optional = False
            if not optional:
                run.append(atom)
            close()
            i = _skip_quantifier(pattern, i)
            continue
        run.append(atom)
    close()
    return runs


def _skip_escape(pattern: str, kind: str, i: int) -> int:
    """Past the rest of an escape whose letter `kind` ended before `i`."""
    if kind in "xuU":
        return i + {"x": 2, "u": 4, "U": 8}[kind]
    if kind == "N" and pattern.startswith("{", i):
        return pattern.find("}", i) + 1 or len(pattern)
    while kind.isdigit() and i < len(pattern) and pattern[i].isdigit():
        i += 1
    return i


def _skip_quantifier(pattern: str, i: int) -> int:
    n = len(pattern)
    if i < n and pattern[i] == "{":
        end = pattern.find("}", i)
        if end != -1 and re.fullmatch(r"\{\d*,?\d*\}", pattern[i : end + 1]):
            i = end + 1
    elif i < n and pattern[i] in "*+?":
        i += 1
    if i < n and pattern[i] in "?+":  # lazy or possessive
        i += 1
    return i


def _skip_class(pattern: str, i: int) -> int:
    i += 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def _skip_group(pattern: str, i: int) -> int:
    depth = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = _skip_class(pattern, i)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i
