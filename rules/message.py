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

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded, self._plain, self._folded_utf8 = fold_view(self.text)
        return self._folded

    @property
    def plain(self) -> bool:
        """Whether the text is only Chinese ideographs, printable ASCII, tabs,
        line breaks and the common full-width punctuation: then it holds no
        emoji and no invisible character, which need not be looked for."""
        if self._plain is None:
            self._plain = is_plain(self.text)
        return self._plain

    @property
    def squashed(self) -> str:
        if self._squashed is None:
            folded = self.folded
            utf8 = self._folded_utf8
            self._squashed = squash(folded) if utf8 is None else squash_utf8(utf8)
        return self._squashed

    @property
    def latin(self) -> bool:
        """Whether the folded text has any ASCII letter or digit."""
        if self._latin is None:
            self._latin = has_latin(self.folded)
        return self._latin

    @property
    def despread(self) -> str:
        """The folded text with spread-out letters joined (`w e c h a t`)."""
        if self._despread is None:
            self._despread = despread(self.folded) if self.latin else self.folded
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
        if self._word_list is None:
            words = latin_word_list(self.folded) if self.latin else []
            spaced = None if self.plain else fold_spaced(self.text)
            if spaced is not None:
                words = [*words, *latin_word_list(spaced)]
            self._word_list = words
        return self._word_list

    @property
    def links(self) -> tuple[str, ...]:
        if self._links is None:
            self._links = detect.find_links(self.folded) if self.latin else ()
        return self._links

    @property
    def handles(self) -> tuple[str, ...]:
        """@usernames, without the @."""
        if self._handles is None:
            self._handles = detect.find_handles(self.folded) if self.latin else ()
        return self._handles

    @property
    def phones(self) -> tuple[str, ...]:
        if self._phones is None:
            self._phones = detect.find_phones(self.folded) if self.latin else ()
        return self._phones

    @property
    def mentions(self) -> int:
        if self._mentions < 0:
            self._mentions = detect.count_mentions(self.folded) if self.latin else 0
        return self._mentions

    @property
    def emoji(self) -> int:
        """Emoji as people see them (`detect.count_emoji`)."""
        if self._emoji < 0:
            self._emoji = detect.count_emoji(self.text, plain=self.plain)
        return self._emoji

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
