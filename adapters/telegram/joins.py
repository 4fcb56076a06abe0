"""One join counted once, whichever way Telegram reported it.

A join or a leave reaches the bot as a `chat_member` update (administrator
bots only), as a `new_chat_members` / `left_chat_member` service message
(every bot, unless the group hides them), or both. translate reads service
messages only where the bot is not among the chat's administrators, which
settles most cases; what it cannot settle is an admin list read before the
bot was promoted (a cached list, or one Telegram refused to give), and a
replay, which does not know the bot's id. Both reports then arrive.

The rule, deterministic and in memory: per chat and member the last counted
change is kept (join or leave, from which source, at what time Telegram
stamped it). A change is dropped when it repeats that one (same kind) from
the other source within `WINDOW` of it; anything else is counted. So the
second report of one join goes, while a member who leaves and comes back
is counted each time (the leave in between is a change of its own), and
two joins reported by the same source are both counted as Telegram sent
them. The first report wins: where the service message arrives first, the
join is counted without the invite link only `chat_member` carries.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from bot.core.events import MemberJoined, MemberLeft

# Both reports of one change carry the same Telegram date; a minute covers
# a clock step between them and nothing like a member's real second join.
WINDOW = timedelta(seconds=60)
# Chats x members remembered; the oldest are forgotten first.
_KEPT = 4096

Change = MemberJoined | MemberLeft


class JoinReports:
    def __init__(self, window: timedelta = WINDOW, kept: int = _KEPT) -> None:
        self.window = window
        self.kept = kept
        self._last: OrderedDict[tuple[str, str], tuple[bool, bool, datetime]] = OrderedDict()
        self.dropped = 0

    def first(self, change: Change, *, service: bool) -> bool:
        """Whether `change` is to be counted (`service`: it came as a
        service message, not as a `chat_member` update)."""
        where = (change.chat.chat_id, change.member.user_id)
        joined = type(change) is MemberJoined
        last = self._last.get(where)
        if (
            last is not None
            and last[0] == joined
            and last[1] != service
            and abs(change.at - last[2]) <= self.window
        ):
            self.dropped += 1
            return False
        self._last[where] = (joined, service, change.at)
        self._last.move_to_end(where)
        if len(self._last) > self.kept:
            self._last.popitem(last=False)
        return True
