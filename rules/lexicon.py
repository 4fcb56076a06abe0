"""Every word list a message is searched for, compiled into one Blocklist:
the rules' blocklists and the lists other features hand the rule set (the
spam detector's stop words, the risk monitors' watched keywords).

Each list alone costs a scan of the message's text forms; together they
cost one, whoever asks first, and the others read its answer from the
view's memo. A list keeps its own meaning there: `Blocklist` answers each
list's first match as it would alone, so a consumer takes its list's
answer by index.

The rule set is rebuilt on every reload with the lists the features hand
it then (`Feature.word_lists`); a consumer whose words the current lexicon
does not hold (a reload still on its way, a view built outside the engine)
searches a Blocklist of its own, so it never reads another list's answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import count

from rules.blocklist import Blocklist, Match, Matches
from rules.message import MessageView

# Each lexicon's number: a consumer remembers which lexicon it found its
# list in without holding it (a reload frees the old automaton at once).
_SERIALS = count(1)


class Lexicon:
    """The rules' lists (indexes 0 ...) and the tagged lists after them."""

    def __init__(self, lists: Sequence[Sequence[str]], tagged: Mapping[str, Sequence[str]]):
        kept = {tag: list(words) for tag, words in tagged.items() if words}
        everything = [*lists, *kept.values()]
        self.blocklist: Blocklist | None = Blocklist(everything) if everything else None
        self.serial = next(_SERIALS)
        self._tags = {tag: (len(lists) + i, words) for i, (tag, words) in enumerate(kept.items())}

    def index(self, tag: str, words: Sequence[str]) -> int | None:
        """Where `tag`'s list is in `search`'s answer, when the lexicon holds
        exactly `words` for it."""
        slot = self._tags.get(tag)
        if slot is None or slot[1] != list(words):
            return None
        return slot[0]

    def search(self, msg: MessageView) -> Matches:
        """Each list's first match, once per message (the memo key is the
        Blocklist's: the rules' blocklist checks share it)."""
        blocklist = self.blocklist
        if blocklist is None:
            return ()
        return msg.memo(blocklist, blocklist.search)


class Listed:
    """One feature's word list, matched as a blocklist entry is: through the
    rule set's lexicon when that holds it, else on its own."""

    def __init__(self, tag: str, words: Sequence[str]) -> None:
        self.tag = tag
        self.words = list(words)
        # The serial of the lexicon `_index` was found in.
        self._serial = 0
        self._index = -1
        self._own: Blocklist | None = None

    def first(self, msg: MessageView, lexicon: Lexicon | None) -> Match | None:
        """The list's first match in `msg` (see `Blocklist.search`)."""
        if lexicon is not None:
            if lexicon.serial != self._serial:
                index = lexicon.index(self.tag, self.words)
                self._index = -1 if index is None else index
                self._serial = lexicon.serial
            index = self._index
            if index >= 0:
                # `lexicon.search(msg)[index]`, a call less.
                blocklist = lexicon.blocklist
                assert blocklist is not None
                return msg.memo(blocklist, blocklist.search)[index]
        own = self._own
        if own is None:
            own = self._own = Blocklist([self.words])
        return msg.memo(own, own.search)[0]
