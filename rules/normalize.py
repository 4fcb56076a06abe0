"""Text normalization that makes blocklists hard to dodge.

Two forms are produced: `fold` (NFKC, case-folded, invisible characters gone,
look-alike letters mapped to Latin) and `squash` (the fold with every space,
punctuation mark and separator removed), so `加 微 信` and `w.e.c.h.a.t` meet
the entries `加微信` and `wechat`.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters used to split words: zero-width space/joiners, BOM,
# soft hyphen, word joiner, Mongolian vowel separator.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)

# Cyrillic and Greek letters that look like Latin ones (after case folding).
_LOOKALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "к": "k", "м": "m",
    "т": "t", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
}  # fmt: skip
_HOMOGLYPHS = str.maketrans(_LOOKALIKES)


def fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return text.casefold().translate(_HOMOGLYPHS)


_NOT_ALNUM = re.compile(r"[\W_]+")


def squash(folded: str) -> str:
    return _NOT_ALNUM.sub("", folded)
