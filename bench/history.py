"""What remembering message ids for /purge costs on the message path, before
and after a change, beside a plain reference, in one run.

`Engine.handle` hands every event to `ChatHistory.saw` (bot/core/history.py)
before routing it: a group message or a typed command is kept in its chat's
ring of the last 500 (id, time, sender) in three flat arrays; the bot's own
messages come back as `MessageSent` and are kept too; a Telegram forum's
topics each have a ring.

This runs bench/engine.py's realistic traffic (100 groups) through `saw`
alone, round after round, in three hands:

  after       this tree's ChatHistory
  before      the ChatHistory of `--before` (another checkout, e.g. a plain
              copy of main: `git worktree add --detach /tmp/base main`), loaded
              from its file beside this one; skipped without it
  reference   the obvious alternative: a `deque(maxlen=500)` of (id, datetime,
              user id) tuples per chat key

It prints CPU µs per event (the best of `--rounds`, every round too) and,
with tracemalloc, the bytes each remembered message holds once the rings
are full; the forget of a deletion (a rule's removal, a purge) is timed too.
Two more traffics show what is new, each through the three hands:
`+bot replies` adds the bot's answer to one event in ten as `MessageSent`
(a hand that does not keep them pays only the type test), and `forum` puts
the groups' messages in four topics each (`ChatRef.thread`).

`--engine` also times, with config.example.yaml's every feature on, one
`MessageSent` through `Engine.handle` (what the gateways now tell for every
message the bot posts in a group) beside a member's message through it.

    .venv/bin/python bench/history.py [--messages 200000] [--rounds 5]
                                      [--before /tmp/base] [--engine]

Not a test: figures go in the notes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import engine as bench  # puts BENCH_TREE's tree on the path first

from bot.core.events import ChatRef, Event, MessagePosted, MessageSent
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


def load_before(tree: Path) -> ModuleType:
    """The other checkout's bot/core/history.py as a module of its own (it
    imports this tree's events, which it must still fit)."""
    path = tree / "bot" / "core" / "history.py"
    spec = importlib.util.spec_from_file_location("history_before", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"--before: no {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu_us(saw: Callable[[Event], None], traffic: list[Event]) -> float:
    gc.collect()
    t = time.process_time()
    for e in traffic:
        saw(e)
    return (time.process_time() - t) / len(traffic) * 1e6


def held_bytes(make: Callable[[], Any], traffic: list[Event]) -> tuple[float, int]:
    """Bytes per remembered message once the rings are full, and how many."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = make()
    for e in traffic:
        kept.saw(e)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    if isinstance(kept, TupleRings):
        count = sum(len(r) for r in kept.chats.values())
    else:
        count = sum(1 for c in chats(traffic) for _ in kept.latest(c))
    return (after - before) / count, count


def chats(traffic: list[Event]) -> set[ChatRef]:
    return {e.chat for e in traffic if type(e) in (MessagePosted, MessageSent)}


def with_replies(traffic: list[Event]) -> list[Event]:
    """The bot answers one event in ten (in its chat, the id after it)."""
    out: list[Event] = []
    for n, e in enumerate(traffic):
        out.append(e)
        if n % 10 == 0 and type(e) is MessagePosted and not e.chat.private:
            out.append(MessageSent(e.chat, e.message_id + 1_000_000, "", e.at))
    return out


def in_topics(traffic: list[Event]) -> list[Event]:
    """Every group a forum of four topics (one ChatRef per topic, as the
    Telegram adapter's cache hands them out)."""
    refs: dict[tuple[str, int], ChatRef] = {}
    out: list[Event] = []
    for n, e in enumerate(traffic):
        if type(e) is MessagePosted and not e.chat.private:
            chat, topic = e.chat, n % 4 + 1
            forum = refs.get((chat.chat_id, topic))
            if forum is None:
                forum = ChatRef(chat.platform, chat.chat_id, thread=str(topic), forum=True)
                refs[(chat.chat_id, topic)] = forum
            e = replace(e, chat=forum)
        out.append(e)
    return out


def hands(before: ModuleType | None) -> dict[str, Callable[[], Any]]:
    made: dict[str, Callable[[], Any]] = {"after": ChatHistory}
    if before is not None:
        made["before"] = before.ChatHistory
    made["reference"] = TupleRings
    return made


def timed(name: str, traffic: list[Event], made: dict[str, Callable[[], Any]], rounds: int) -> None:
    times: dict[str, list[float]] = {k: [] for k in made}
    order = list(made)
    for n in range(rounds):
        # Each hand goes first in turn: no hand always meets a warm cache.
        for k in order[n % len(order) :] + order[: n % len(order)]:
            times[k].append(cpu_us(made[k]().saw, traffic))
    print(f"{name}: {len(traffic)} events")
    for k, ts in times.items():
        print(f"  {k:<10} {min(ts):6.3f} µs/event  rounds {_r(ts)}")


def forget_us(make: Callable[[], Any], traffic: list[Event]) -> float:
    history = make()
    for e in traffic:
        history.saw(e)
    posted = [e for e in traffic if type(e) is MessagePosted][-2000:]
    gc.collect()
    t = time.process_time()
    for e in posted:
        history.forget(e.chat, (e.message_id,))
    return (time.process_time() - t) / len(posted) * 1e6


async def engine_us(traffic: list[Event], joins: list[Event], count: int = 20_000) -> None:
    """One told `MessageSent` through the whole engine, beside a member's
    message, on config.example.yaml with SQLite (write-behind)."""
    from bot.compose import open_engine
    from bot.config import load_config
    from bot.core.clock import FakeClock
    from storage.sql_store import SqlStore

    config = load_config(bench.ROOT / "config.example.yaml")
    posted = [e for e in traffic if type(e) is MessagePosted][:count]
    sent = [MessageSent(e.chat, e.message_id + 1_000_000, "", e.at) for e in posted]
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        engine = await open_engine(config, store, FakeClock(bench.START), background_flush=False)
        for e in joins:
            await engine.handle(e)
        await engine.writes.flush(everything=True)
        figures = {}
        for name, events in (("member message", posted), ("MessageSent", sent)):
            gc.collect()
            t = time.process_time()
            for e in events:
                await engine.handle(e)
            figures[name] = (time.process_time() - t) / len(events) * 1e6
        await engine.stop()
        await store.close()
    print(f"Engine.handle, {len(posted)} each (config.example.yaml, SQLite):")
    for name, us in figures.items():
        print(f"  {name:<15} {us:7.2f} µs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, default=None)
    parser.add_argument("--engine", action="store_true")
    args = parser.parse_args()
    mix = bench.realistic(100, 50_000, args.messages)
    traffic = mix.traffic
    before = load_before(args.before) if args.before is not None else None
    made = hands(before)
    print(f"rings of {PER_CHAT}; before: {args.before or '(not given)'}")
    timed("realistic mix, 100 groups", traffic, made, args.rounds)
    timed("+bot replies (1 in 10)", with_replies(traffic), made, args.rounds)
    timed("forum (4 topics a group)", in_topics(traffic), made, args.rounds)
    print("held per message (realistic):")
    for k, make in made.items():
        per, n = held_bytes(make, traffic)
        print(f"  {k:<10} {per:6.1f} B ({n} kept)")
    print("forget one deletion (a scan of its chat's ring):")
    for k, make in made.items():
        if k != "reference":
            print(f"  {k:<10} {forget_us(make, traffic):6.2f} µs")
    if args.engine:
        asyncio.run(engine_us(traffic, mix.joins))


def _r(times: list[float]) -> str:
    return " ".join(f"{t:.3f}" for t in times)


if __name__ == "__main__":
    main()
