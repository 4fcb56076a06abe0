"""What a check sees of a message: plain values, and the derived forms
(folded text, links, mentions ...) computed on first use and shared by every
check that asks for them.

It is the one text view of a message: the rules, the spam guard and the risk
monitors read the same instance (moderation builds it once per message, see
`bot/features/moderation/views.py`), so the text is folded, squashed and
split into words, hosts, handles, phones and digit shapes once, whoever asks
first. The spam detector's own tokenizer can take its pieces from here
(`hosts`, `handles`, `phones`, `digit_shapes`) instead of finding them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from rules import detect
from rules.normalize import (
    despread,
    fold_spaced,
    fold_view,
    has_latin,
    is_plain,
    latin_word_list,
    squash,
    squash_utf8,
)

T = TypeVar("T")
_NONE: frozenset[str] = frozenset()


@dataclass(slots=True)
class MessageView:
    text: str
    group: str
    sender: str
    # Seconds since the epoch.
    at: float
    role: str = "member"
    level: int = 0
    # Seconds since the member joined; None when unknown (treated as long ago).
    member_age: float | None = None
    # The member's messages in the community so far, this one included; 0
    # when unknown (treated as many).
    message_count: int = 0
    # photo, video, animation, sticker, voice, audio, video_note, document,
    # contact, location, venue, poll, dice ...; None for plain text.
    media: str | None = None
    forwarded: bool = False
    # Where a forward comes from: user, hidden_user, chat or channel; None
    # when the platform does not say.
    forward_origin: str | None = None
    _folded: str | None = field(default=None, init=False, repr=False)
    # A plain non-ASCII text's fold as UTF-8, for the squash; None otherwise.
    _folded_utf8: bytes | None = field(default=None, init=False, repr=False)
    _plain: bool | None = field(default=None, init=False, repr=False)
    _squashed: str | None = field(default=None, init=False, repr=False)
    _despread: str | None = field(default=None, init=False, repr=False)
    _latin: bool | None = field(default=None, init=False, repr=False)
    _words: frozenset[str] | None = field(default=None, init=False, repr=False)
    _word_list: list[str] | None = field(default=None, init=False, repr=False)
    _links: tuple[str, ...] | None = field(default=None, init=False, repr=False)
    _hosts: tuple[str, ...] | None = field(default=None, init=False, repr=False)
    _shapes: frozenset[str] | None = field(default=None, init=False, repr=False)
    _handles: tuple[str, ...] | None = field(default=None, init=False, repr=False)
    _phones: tuple[str, ...] | None = field(default=None, init=False, repr=False)
    _mentions: int = field(default=-1, init=False, repr=False)
    _emoji: int = field(default=-1, init=False, repr=False)
    _memo: dict[object, Any] | None = field(default=None, init=False, repr=False)

    def memo(self, key: object, compute: Callable[[MessageView], T]) -> T:
        """`compute(self)`, once per message for each `key`: checks that can
        share work (one scan for every blocklist) meet here."""
        memo = self._memo
        if memo is None:
            memo = self._memo = {}
        elif key in memo:
            return cast(T, memo[key])
        value = memo[key] = compute(self)
        return value

    # The forms below are read about twenty times a message between the
    # rules, the spam detector and the monitors. A property costs a call
    # from C each time; so the properties read their own slots first, and
    # reach each other through plain methods (`_fold`, `_latin_of`), which
    # the interpreter calls without leaving its loop.

    def _fold(self) -> str:
        folded = self._folded
        if folded is None:
            folded, self._plain, self._folded_utf8 = fold_view(self.text)
            self._folded = folded
        return folded

    def _latin_of(self) -> bool:
        latin = self._latin
        if latin is None:
            latin = self._latin = has_latin(self._fold())
        return latin

    @property
    def folded(self) -> str:
        folded = self._folded
        return self._fold() if folded is None else folded

    @property
    def plain(self) -> bool:
        """Whether the text is only Chinese ideographs, printable ASCII, tabs,
        line breaks and the common full-width punctuation: then it holds no
        emoji and no invisible character, which need not be looked for."""
        plain = self._plain
        if plain is None:
            plain = self._plain = is_plain(self.text)
        return plain

    @property
    def squashed(self) -> str:
        squashed = self._squashed
        if squashed is None:
            folded = self._fold()
            utf8 = self._folded_utf8
            squashed = self._squashed = squash(folded) if utf8 is None else squash_utf8(utf8)
        return squashed

    @property
    def latin(self) -> bool:
        """Whether the folded text has any ASCII letter or digit."""
        latin = self._latin
        return self._latin_of() if latin is None else latin

    @property
    def despread(self) -> str:
        """The folded text with spread-out letters joined (`w e c h a t`)."""
        if self._despread is None:
            folded = self._fold()
            self._despread = despread(folded) if self._latin_of() else folded
        return self._despread

    @property
    def words(self) -> frozenset[str]:
        """Latin words, for whole-word matching."""
        if self._words is None:
            self._words = frozenset(self.word_list)
        return self._words

    @property
    def word_list(self) -> list[str]:
        """`words` as a list, a word possibly more than once: what looking
        them up in a set needs, without a set built for every message."""
        words = self._word_list
        if words is None:
            words = latin_word_list(self._fold()) if self._latin_of() else []
            # `_fold` found out whether the text is plain.
            spaced = None if self._plain else fold_spaced(self.text)
            if spaced is not None:
                words = [*words, *latin_word_list(spaced)]
            self._word_list = words
        return words

    @property
    def links(self) -> tuple[str, ...]:
        links = self._links
        if links is None:
            links = self._links = detect.find_links(self._fold()) if self._latin_of() else ()
        return links

    @property
    def handles(self) -> tuple[str, ...]:
        """@usernames, without the @."""
        handles = self._handles
        if handles is None:
            handles = self._handles = detect.find_handles(self._fold()) if self._latin_of() else ()
        return handles

    @property
    def phones(self) -> tuple[str, ...]:
        phones = self._phones
        if phones is None:
            phones = self._phones = (
                detect.find_phones(self._fold(), plain=bool(self._plain))
                if self._latin_of()
                else ()
            )
        return phones

    @property
    def mentions(self) -> int:
        mentions = self._mentions
        if mentions < 0:
            mentions = self._mentions = (
                detect.count_mentions(self._fold()) if self._latin_of() else 0
            )
        return mentions

    @property
    def emoji(self) -> int:
        """Emoji as people see them (`detect.count_emoji`)."""
        emoji = self._emoji
        if emoji < 0:
            plain = self._plain
            if plain is None:
                plain = self._plain = is_plain(self.text)
            emoji = self._emoji = detect.count_emoji(self.text, plain=plain)
        return emoji

    @property
    def hosts(self) -> tuple[str, ...]:
        """The links' hosts, without `www.`, each once, in order."""
        if self._hosts is None:
            links = self.links
            self._hosts = (
                tuple(dict.fromkeys(detect.host_of(x).removeprefix("www.") for x in links))
                if links
                else ()
            )
        return self._hosts

    @property
    def digit_shapes(self) -> frozenset[str]:
        """The lengths of the runs of digits, as `#n<length>` (8 for eight or
        more): amounts and codes vary, their length is what repeats (日赚3000
        and 日赚5000 share `#n4`)."""
        if self._shapes is None:
            self._shapes = detect.digit_shapes(self.folded) if self.latin else _NONE
        return self._shapes
