"""What remembering message ids for /purge costs on the message path.

`Engine.handle` hands every event to `ChatHistory.saw` (bot/core/history.py)
before routing it: a group message or a typed command is kept in its chat's
ring of the last 500 (id, time, sender) in three flat arrays. This runs
bench/engine.py's realistic traffic (100 groups) through `saw` alone and,
in the same run as the reference, through the obvious alternative: a
`deque(maxlen=500)` of (id, datetime, user id) tuples per chat key. It
prints CPU µs per event (the best of `--rounds`) and, with tracemalloc, the
bytes each remembered message holds once every ring is full; the forget of
a deletion (a rule's removal, a purge) is timed too.

    .venv/bin/python bench/history.py [--messages 200000] [--rounds 5]

Not a test: figures go in the notes.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import engine as bench  # puts BENCH_TREE's tree on the path first

from bot.core.events import Event, MessagePosted
from bot.core.history import PER_CHAT, ChatHistory


class TupleRings:
    """The reference: a tuple per message in a bounded deque per chat key."""

    def __init__(self) -> None:
        self.chats: dict[str, deque[tuple[int, object, str]]] = {}

    def saw(self, event: Event) -> None:
        if type(event) is not MessagePosted or event.edited or event.chat.private:
            return
        key = event.chat.key
        ring = self.chats.get(key)
        if ring is None:
            ring = self.chats[key] = deque(maxlen=PER_CHAT)
        ring.append((event.message_id, event.at, event.sender.user_id))


def cpu_us(saw: Callable[[Event], None], traffic: list[Event]) -> float:
    gc.collect()
    t = time.process_time()
    for e in traffic:
        saw(e)
    return (time.process_time() - t) / len(traffic) * 1e6


def held_bytes(make: Callable[[], object], traffic: list[Event]) -> tuple[float, int]:
    """Bytes per remembered message once the rings are full, and how many."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = make()
    for e in traffic:
        kept.saw(e)  # type: ignore[attr-defined]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    if isinstance(kept, ChatHistory):
        count = sum(1 for c in chats(traffic) for _ in kept.latest(c))
    else:
        count = sum(len(r) for r in kept.chats.values())  # type: ignore[attr-defined]
    return (after - before) / count, count


def chats(traffic: list[Event]) -> set:  # type: ignore[type-arg]
    return {e.chat for e in traffic if type(e) is MessagePosted}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    traffic = bench.realistic(100, 50_000, args.messages).traffic
    # Events as the engine meets them: no datetime or string shared with an
    # earlier event (each update is parsed afresh).
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(args.rounds):
        history, rings = ChatHistory(), TupleRings()
        ours.append(cpu_us(history.saw, traffic))
        theirs.append(cpu_us(rings.saw, traffic))
    per_ours, n_ours = held_bytes(ChatHistory, traffic)
    per_theirs, n_theirs = held_bytes(TupleRings, traffic)
    history = ChatHistory()
    for e in traffic:
        history.saw(e)
    posted = [e for e in traffic if type(e) is MessagePosted][-2000:]
    gc.collect()
    t = time.process_time()
    for e in posted:
        history.forget(e.chat, (e.message_id,))
    forget_us = (time.process_time() - t) / len(posted) * 1e6
    print(f"events: {len(traffic)} (realistic mix, 100 groups), rings of {PER_CHAT}")
    print(f"ChatHistory.saw       {min(ours):6.3f} µs/event  rounds {_r(ours)}")
    print(f"reference deque+tuple {min(theirs):6.3f} µs/event  rounds {_r(theirs)}")
    print(f"held per message      {per_ours:6.1f} B ({n_ours} kept)")
    print(f"reference held        {per_theirs:6.1f} B ({n_theirs} kept)")
    print(f"forget one deletion   {forget_us:6.2f} µs (a scan of its chat's ring)")


def _r(times: list[float]) -> str:
    return " ".join(f"{t:.3f}" for t in times)


if __name__ == "__main__":
    main()
