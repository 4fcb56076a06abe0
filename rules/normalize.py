"""Text normalization that makes blocklists hard to dodge.

Two forms are produced: `fold` (NFKC, case-folded, invisible and control
characters gone, accents dropped, look-alike letters mapped to Latin) and
`squash` (the fold with every space, punctuation mark and separator removed),
so `加 微 信`, `ｔ．ｍｅ` and `w.e.c.h.a.t` meet the entries `加微信`, `t.me` and
`wechat`.

Both run on every message, so the common case is kept on C-speed string
methods: the slow path (translation tables, decomposition) runs only when a
cheap scan finds a character that needs it.
"""

from __future__ import annotations

import re
import unicodedata

# Full-width punctuation that Chinese text is full of. NFKC maps each to its
# ASCII form; replacing them first keeps NFKC on its fast "already normal"
# path for ordinary Chinese messages (about 50 times faster).
_ASCII_NOT_ALNUM_BYTES = bytes(b for b in range(128) if not chr(b).isalnum())

_COMMON_WIDE = (
    ("，", ","), ("！", "!"), ("？", "?"), ("：", ":"), ("；", ";"), ("（", "("),
    ("）", ")"), ("\u3000", " "), ("…", "..."), ("～", "~"),
)  # fmt: skip

# Characters that render as nothing (or nearly) and are used to split words:
# C0/C1 controls other than tab and line breaks, soft hyphen, combining
# grapheme joiner, Arabic letter mark, Hangul fillers, Khmer inherent vowels,
# Mongolian selectors, zero-width space/joiners, direction marks and
# overrides, word joiner and invisible operators, variation selectors, BOM,
# interlinear annotations, shorthand format controls, musical format
# controls, tag characters.
_INVISIBLE_RANGES = (
    (0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x34F, 0x34F),
    (0x61C, 0x61C), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F),
    (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE007F), (0xE0100, 0xE01EF),
)  # fmt: skip

# Letters from other scripts that look like Latin ones (after case folding).
_LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h",
    "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i",
    "ї": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y",
    "ɡ": "g", "ı": "i", "ɑ": "a", "ʏ": "y",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u",
    "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    # Armenian
    "օ": "o", "ս": "u", "ց": "g", "զ": "q", "հ": "h", "ո": "n",
}  # fmt: skip

_CLEAN = str.maketrans(
    {
        **{cp: None for lo, hi in _INVISIBLE_RANGES for cp in range(lo, hi + 1)},
        **{ord(k): v for k, v in _LOOKALIKES.items()},
    }
)


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"{chr(lo)}-{chr(hi)}" if hi > lo else chr(lo) for lo, hi in ranges)


# Precomposed letters that decompose to a base and marks: Latin-1 letters,
# Latin Extended-A/B, IPA, Latin Extended Additional, Greek Extended ("ἀ" is
# "α" under a breathing mark, and so a look-alike of "a").
_LETTER_RANGES = ((0xC0, 0x24F), (0x1E00, 0x1EFF), (0x1F00, 0x1FFF))
# Combining marks used on Latin letters (and stacked into "zalgo" text).
_MARK_RANGES = ((0x300, 0x36F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
                (0xFE20, 0xFE2F))  # fmt: skip
_ACCENT_RANGES = _LETTER_RANGES + _MARK_RANGES
_MARKS = re.compile("[" + _char_class(_MARK_RANGES) + "]+")


def _bare(ch: str) -> str:
    return _MARKS.sub("", unicodedata.normalize("NFKD", ch))


# Each accented letter to its bare letters, letter by letter: a letter folds
# the same whatever else the message holds (a whole-text decomposition
# would also strip "й" to "и", but only in a message that has an "é").
_DECOMPOSE = str.maketrans(
    {
        cp: _bare(chr(cp))
        for lo, hi in _LETTER_RANGES
        for cp in range(lo, hi + 1)
        if _bare(chr(cp)) != chr(cp)
    }
)
_ACCENTED = re.compile("[" + _char_class(_ACCENT_RANGES) + "]")
# Anything the slow path handles: invisible characters, accents and marks,
# Greek, Cyrillic and Armenian letters, and the few Latin look-alikes. Only
# characters of the Basic Multilingual Plane: a class with higher ones is
# scanned range by range, three times slower. The invisible characters above
# it are format characters, which `str.isprintable` finds in C, and the
# variation selectors from U+E0100 (marks, "printable"), searched beside
# them.
_BMP = 0xFFFF
_SUSPICIOUS = re.compile(
    "["
    + _char_class(
        (*(r for r in _INVISIBLE_RANGES + _ACCENT_RANGES if r[1] <= _BMP), (0x370, 0x58F))
    )
    + "ɡıɑʏ]"
)
_ASTRAL_INVISIBLE = re.compile(
    "[" + _char_class(tuple(r for r in _INVISIBLE_RANGES if r[0] > _BMP)) + "]"
)
# The one printable range of them: the variation selectors from U+E0100.
# With it the class is still searched in one C pass (a scan with `max`
# built a string object for every character of a Chinese text).
_SUSPICIOUS_OR_SELECTOR = re.compile(_SUSPICIOUS.pattern[:-1] + "\U000e0100-\U000e01ef]")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = re.compile(
    "[" + _char_class(tuple(r for r in _INVISIBLE_RANGES if r[1] <= _BMP)) + "]"
)
_INVISIBLE_AS_SPACE = str.maketrans(
    {cp: " " for lo, hi in _INVISIBLE_RANGES for cp in range(lo, hi + 1)}
)


def fold_spaced(text: str) -> str | None:
    """The fold with invisible characters read as spaces rather than
    dropped, when the text has any: `w e c h\u200ba\u200bt` is spread out,
    not `w e c hat`. None when the text has none."""
    if text.isprintable() or not _INVISIBLE.search(text):
        return None
    return fold(text.translate(_INVISIBLE_AS_SPACE))


# Plain Chinese: unified ideographs, printable ASCII, tab and line breaks,
# the common full-width punctuation and the two marks NFKC keeps. For such
# a text NFKC does nothing once the punctuation is narrowed, case folding is
# ASCII `lower`, and nothing is invisible or a look-alike: the fold is the
# narrowing and `lower`, found with one C scan instead of five.
_PLAIN_CHARS = "\u4e00-\u9fff\t\n\r -~、。" + "".join(wide for wide, _ in _COMMON_WIDE)
_NOT_PLAIN_CHINESE = re.compile(f"[^{_PLAIN_CHARS}]")
# The same question asked the other way round: a run of plain characters
# that is the whole text (the engine counts a class in a tight loop, a
# third faster than searching for the first character outside it;
# possessive, so a text that is not plain is not backtracked over).
_PLAIN_CHINESE = re.compile(f"[{_PLAIN_CHARS}]*+")


def is_plain(text: str) -> bool:
    """Whether every character of `text` is plain (see `_NOT_PLAIN_CHINESE`):
    no emoji, invisible or control characters, accents or look-alikes."""
    return _PLAIN_CHINESE.fullmatch(text) is not None


def fold(text: str) -> str:
    return fold_plain(text)[0]


def fold_plain(text: str) -> tuple[str, bool]:
    """The fold, and whether the text is plain (`is_plain`), which the fold
    finds out on the way."""
    folded, plain, _ = fold_view(text)
    return folded, plain


def fold_view(text: str) -> tuple[str, bool, bytes | None]:
    """`fold_plain`, and for a plain text that is not all ASCII (a Chinese
    sentence), the fold's UTF-8 bytes, which `squash_utf8` squashes
    without encoding the text again.

    Such a text is narrowed as before, then encoded (the squash needs the
    bytes anyway); `bytes.lower` changes its ASCII capitals, the only
    letters of a plain text that have a case, and the text is decoded
    again only when there were some (`str.lower` looks up every
    ideograph's case)."""
    if text.isascii():
        if not text.isprintable() and _ASCII_CONTROL.search(text):
            return _ASCII_CONTROL.sub("", text).lower(), False, None
        return text.lower(), True, None
    if _PLAIN_CHINESE.fullmatch(text) is not None:
        for wide, narrow in _COMMON_WIDE:
            if wide in text:
                text = text.replace(wide, narrow)
        # A plain text has no surrogate: strict UTF-8 encodes it.
        data = text.encode()
        lower = data.lower()
        if lower == data:
            return text, True, data
        return lower.decode(), True, lower
    return _fold_rest(text), False, None


def _fold_rest(text: str) -> str:
    if not unicodedata.is_normalized("NFKC", text):
        for wide, narrow in _COMMON_WIDE:
            if wide in text:
                text = text.replace(wide, narrow)
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    if _SUSPICIOUS_OR_SELECTOR.search(text) or (
        not text.isprintable() and _ASTRAL_INVISIBLE.search(text)
    ):
        if _ACCENTED.search(text):
            text = _MARKS.sub("", text.translate(_DECOMPOSE))
        text = text.translate(_CLEAN)
    return text


_NOT_ALNUM = re.compile(r"[\W_]+")


def squash_utf8(folded: bytes) -> str:
    """`squash` of a plain text's fold, given as its UTF-8 bytes
    (`fold_view`): the ASCII separators are deleted on the bytes, the two
    marks NFKC keeps on the text (a three-byte needle is found faster in a
    string than in bytes). What is left is ideographs and ASCII letters and
    digits, all alphanumeric (a test holds every ideograph of the plain
    range to it), so the regular expression is never needed."""
    rest = folded.translate(None, _ASCII_NOT_ALNUM_BYTES).decode()
    if "、" in rest:
        rest = rest.replace("、", "")
    if "。" in rest:
        rest = rest.replace("。", "")
    return rest


def squash(folded: str) -> str:
    if folded.isascii():
        # Deleting bytes is a C loop; a deleting `str.translate` looks every
        # character up in the table one by one.
        return folded.encode("ascii").translate(None, _ASCII_NOT_ALNUM_BYTES).decode("ascii")
    # The ASCII separators go in one pass over the UTF-8 bytes (an ASCII
    # byte is never part of another character's bytes), then the two marks
    # Chinese keeps after NFKC; what is left is nearly always letters
    # already, told in C, and the regular expression (about twice the time
    # of all this for a Chinese sentence) runs only when it is not.
    rest = (
        folded.encode("utf-8", "surrogatepass")
        .translate(None, _ASCII_NOT_ALNUM_BYTES)
        .decode("utf-8", "surrogatepass")
    )
    if "、" in rest:
        rest = rest.replace("、", "")
    if "。" in rest:
        rest = rest.replace("。", "")
    if rest.isalnum():
        return rest
    return _NOT_ALNUM.sub("", rest)


# Letters or digits spread out with separators: "w.e.c.h.a.t", "w e c h a t",
# and with a pair here and there ("w e c h at": a zero-width space between
# "a" and "t" is gone once folded).
_SPREAD = re.compile(r"(?<![a-z0-9])[a-z0-9]{1,2}(?:[\W_]{1,3}[a-z0-9]{1,2}(?![a-z0-9])){2,}")
# Three single letters in a row: rules most texts out, fast.
_MAYBE_SPREAD = re.compile(r"[a-z0-9][\W_]{1,3}[a-z0-9][\W_]{1,3}[a-z0-9](?![a-z0-9])")


def has_latin(folded: str) -> bool:
    """Any ASCII letter or digit: without one, Latin words, links, phone
    numbers and mentions need not be looked for. (Dropping everything else
    in C beats a regular expression scanning Chinese text.)"""
    if folded.isascii():
        return True
    return bool(folded.encode("ascii", "ignore").translate(None, _ASCII_NOT_ALNUM_BYTES))


def _join_spread(m: re.Match[str]) -> str:
    runs = _RUN.findall(m.group())
    # Mostly single letters: spread out. Words of two letters ("is it on")
    # stay as they are.
    if 2 * sum(len(r) == 1 for r in runs) > len(runs):
        return "".join(runs)
    return m.group()


# Bytes of a text encoded to ASCII (anything else a "?"): letters and
# digits kept, or all as "a"; everything else a space.
_LATIN_ONLY = bytes(
    b if chr(b) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for b in range(256)
)
_SHAPE = _LATIN_ONLY.translate(bytes(ord("a") if b != 32 else 32 for b in range(256)))


# Two single letters in a row, in the shape below.
_SPREAD_SHAPE = re.compile(rb" a {1,3}a ")


def _maybe_spread(folded: str, ascii: bytes | None = None) -> bool:
    """`_MAYBE_SPREAD.search(folded)`, ruled out first for most texts on the
    text's shape (its ASCII bytes, letters and digits as "a", anything else
    a space), where a literal prefix lets the engine skip ahead: a match ends
    with two single letters, one to three separators apart."""
    if ascii is None:
        ascii = folded.encode("ascii", "replace")
    shape = _SPREAD_SHAPE.search(ascii.translate(_SHAPE) + b" ")
    if shape is None:
        return False
    # Every match has its two single letters where the shape has them (one
    # byte per character), at most four characters after its start: no
    # match starts before the first shape's start less three.
    return _MAYBE_SPREAD.search(folded, max(0, shape.start() - 3)) is not None


def despread(folded: str) -> str:
    """The folded text with spread-out letters joined: `w.e.c.h.a.t` -> `wechat`."""
    if not _maybe_spread(folded):
        return folded
    return _SPREAD.sub(_join_spread, folded)


_RUN = re.compile(r"[a-z0-9]+")
_LETTERS = re.compile(r"[a-z]+")
# A letter next to a digit, @ or $: the mark of "l33t" spelling (w3chat, c@sino).
_MIXED = re.compile(r"[a-z][0-9@$]|[0-9@$][a-z]")
_DIGIT_OR_SIGN = re.compile(r"[0-9@$]")
_NOT_DIGIT_OR_SIGN = bytes(b for b in range(256) if chr(b) not in "0123456789@$")
_LEET_RUN = re.compile(r"[a-z0-9@$]*[a-z][a-z0-9@$]*")
_LEET = str.maketrans("013457@$", "oieastas")
# Pieces of spread-out text joined at most (a listed word is rarely longer).
_LONGEST_SPREAD = 24


def latin_words(folded: str) -> frozenset[str]:
    """The Latin words in a folded text, for whole-word matching: runs of
    letters and digits, the letter runs inside them (`wechat123` holds
    `wechat`), "l33t" spellings read back, and every join of neighbouring
    pieces of spread-out text (`on w e c h a t` holds `wechat`)."""
    return frozenset(latin_word_list(folded))


def latin_word_list(folded: str) -> list[str]:
    """`latin_words` as a list, a word possibly more than once: enough to
    look each up in a set, without building one for the message."""
    ascii = folded.encode("ascii", "replace")
    # `_RUN.findall(folded)`, in C without the regular expression engine.
    runs = ascii.translate(_LATIN_ONLY).decode("ascii").split()
    if not runs:
        return runs
    # `_DIGIT_OR_SIGN.search(folded)`, told by deleting bytes in C (each
    # character is one byte of `ascii`, "?" when it is not ASCII).
    leet = bool(ascii.translate(None, _NOT_DIGIT_OR_SIGN)) and _MIXED.search(folded) is not None
    # Spread-out text has single letters; most texts have none, told in C.
    spread = _maybe_spread(folded, ascii)
    if not leet and not spread:
        return runs
    words = set(runs)
    # Letters next to digits (or @, $): split them apart, and read "l33t".
    if leet:
        for run in runs:
            if not run.isalpha() and not run.isdigit():
                words.update(_LETTERS.findall(run))
        for run in _LEET_RUN.findall(folded):
            plain = run.translate(_LEET)
            words.add(plain)
            words.update(_LETTERS.findall(plain))
    if spread:
        for m in _SPREAD.finditer(folded):
            pieces = _RUN.findall(m.group())
            for start in range(len(pieces)):
                joined = ""
                for piece in pieces[start : start + _LONGEST_SPREAD]:
                    joined += piece
                    words.add(joined)
    return list(words)
