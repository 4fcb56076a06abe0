"""What the linear spam model reads of a message: one list of feature
strings, made once per message and shared by every check that needs it.

Three kinds, each cheap to make in Python:
- character 1-4-grams of the folded text (single characters outside
  ASCII only) (look-alike, full-width and styled
  letters already folded by `rules.normalize.fold`), digits written as `0`
  so that a phone number or a QQ number is a shape, not a value;
- word 1-2-grams of the Latin and Cyrillic words (`w:` prefix), numbers as
  their length (`#n5`: the short codes of premium-rate SMS);
- structural tokens (`#` prefix): links, their hosts and kinds, handles,
  phone numbers, emoji, letters mixed from two scripts in one word, styled
  Unicode letters, length.

Only the first `MAX_CHARS` characters are read for words, the first
`GRAM_CHARS` for character n-grams (a 10k-character
paste costs what a 1k one does); the structural tokens see the whole text,
as the rule engine found them.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import chain
from operator import add

from rules import detect
from rules.normalize import fold

MAX_CHARS = 1000
# Character n-grams come from the first `GRAM_CHARS` (four features per
# character: the costliest part); words from all of the first `MAX_CHARS`.
GRAM_CHARS = 500
# Digits are written as 0; a 0 is one already.
_NONZERO = re.compile("[1-9]")
_ASCII = frozenset(map(chr, range(128)))
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[^\W_{_CJK}]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z]")
# A word written with letters of two scripts: "Пpоходят" with a Latin p.
_MIXED_WORD = re.compile(r"(?=\w*[\u0400-\u04ff])(?=\w*[a-zA-Z])\w+")
_CURRENCY = re.compile(r"[$€£¥₽₿]|\b\d+\s?(?:usd|usdt|eur|rmb|btc|eth|руб|р\b|p/min|p/msg)")
# A count falls in the step `bisect_right(steps, count)`: 0 below the first.
_EMOJI_STEPS = (1, 3, 6)
_LENGTH_STEPS = (4, 12, 40, 120, 400)
_LENGTHS = tuple(f"#len{i}" for i in range(len(_LENGTH_STEPS) + 1))


def structure(
    text: str,
    links: tuple[str, ...],
    handles: tuple[str, ...],
    phones: tuple[str, ...],
) -> list[str]:
    """The structural tokens of a whole message (links, handles and phone
    numbers as the rule engine found them in the folded text)."""
    out = [_LENGTHS[bisect_right(_LENGTH_STEPS, len(text))]]
    if links:
        out.append("#link")
        if len(links) > 1:
            out.append("#links")
        for link in links:
            host = detect.host_of(link).removeprefix("www.")
            out.append("host:" + host)
            if detect.is_invite(link):
                out.append("#invite")
            elif detect.is_shortener(host):
                out.append("#shortener")
            tld = host.rpartition(".")[2]
            out.append("tld:" + tld)
    if handles:
        out.append("#handle")
        out.extend("@" + h for h in handles)
    if phones:
        out.append("#phone")
    if not text.isascii():
        emoji = detect.count_emoji(text)
        if emoji:
            out.append(f"#emoji{bisect_right(_EMOJI_STEPS, emoji)}")
        if _CYRILLIC.search(text) and _LATIN.search(text) and _MIXED_WORD.search(text):
            out.append("#mixed_script")
        if not unicodedata.is_normalized("NFKC", text) and any(
            "\U0001d400" <= c <= "\U0001d7ff" for c in text
        ):
            out.append("#styled")
    return out


def grams(folded: str) -> Iterator[str]:
    """Character 1-4-grams and word 1-2-grams of a folded text (its first
    `MAX_CHARS` characters), some of them more than once.

    Made without a Python-level step per n-gram (this is most of what the
    detector costs a newcomer's message): pairs are each character added
    to the next by `map`, triples a pair and the character after it,
    quadruples two pairs; the caller's set keeps each once."""
    short = folded[:MAX_CHARS]
    head = short[:GRAM_CHARS]
    if _NONZERO.search(head):
        head = _NONZERO.sub("0", head)
    s = f" {' '.join(head.split())} "
    # Python makes a new string for each character of a text past Latin-1
    # every time it is read: read it once. Single characters count only
    # outside ASCII: a Chinese character is a word, a comma or a Latin
    # letter says nothing.
    if s.isascii():
        chars: str | list[str] = s
        single: Iterable[str] = ()
    else:
        chars = list(s)
        single = set(chars).difference(_ASCII)
    pairs = list(map(add, chars, chars[1:]))
    words = _WORD.findall(short)
    # No letter of the words is a digit (most messages): no word is a number.
    if words and not "".join(words).isalpha():
        words = [f"#n{min(len(w), 8)}" if w.isdigit() else w for w in words]
    return chain(
        single,
        pairs,
        map(add, pairs, chars[2:]),
        map(add, pairs, pairs[2:]),
        map("w:".__add__, words),
        map("w:{} {}".format, words, words[1:]),
    )


def tail(text: str) -> tuple[str, ...]:
    """What the part of a long message past `MAX_CHARS` adds, found with
    C-speed substring tests only: that it is long, and whether links or
    handles hide down there."""
    rest = text[MAX_CHARS:].lower()
    out = ["#long"]
    if "://" in rest or "t.me/" in rest or "www." in rest:
        out.append("#tail_link")
    if "@" in rest:
        out.append("#tail_at")
    return tuple(out)


def features(
    text: str,
    folded: str | None = None,
    *,
    links: tuple[str, ...] | None = None,
    handles: tuple[str, ...] | None = None,
    phones: tuple[str, ...] | None = None,
) -> frozenset[str]:
    """Every feature of a message, each once. The message path passes what
    the rules found already (folded text, links, handles, phones)."""
    if folded is None:
        folded = fold(text)
    if links is None:
        links = detect.find_links(folded)
    if handles is None:
        handles = detect.find_handles(folded)
    if phones is None:
        phones = detect.find_phones(folded)
    return frozenset(chain(grams(folded), structure(text, links, handles, phones)))
