"""The overflow planner under a burst: newcomers asking in through the entry
link all at once, through `Engine.handle` with SQLite persistence (members
write-behind, the entry's invites saved before each reply leaves), and the
planner's decision alone.

    .venv/bin/python bench/overflow.py [--newcomers 2500] [--capacity 500] [--rounds 3]

Prints placements per second (burst and one at a time), the planner's µs per
decision, the largest fill against the capacity (overfill must be 0), and,
for the join that fills a group, how long handling it takes and where the
very next newcomer is sent. Not a test: figures go in the closing notes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.compose import open_engine  # noqa: E402
from bot.config import Config, parse_config  # noqa: E402
from bot.core.actions import Action, CreateInvite  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from bot.core.events import (  # noqa: E402
    BotRightsReported,
    ChatRef,
    CommandIssued,
    MemberJoined,
    UserRef,
)
from bot.features import Stores  # noqa: E402
from bot.features.overflow.feature import OverflowFeature  # noqa: E402
from storage.overflow_store import SqlOverflowStore  # noqa: E402
from storage.sql_store import SqlStore  # noqa: E402

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
CONFIG = """
community: {name: Green, slug: green, language: en, owners: ["telegram:1"]}
groups: {capacity: CAPACITY, prepare_at: PREPARE, title: "{name} #{serial}"}
welcome: {enabled: false}
"""
OWNER = UserRef("telegram", "1", "Olga", "olga")


def config(capacity: int) -> Config:
    text = CONFIG.replace("CAPACITY", str(capacity)).replace("PREPARE", str(capacity * 24 // 25))
    return parse_config(text)


def group(n: int) -> ChatRef:
    return ChatRef("telegram", str(-1000 - n))


def person(n: int) -> UserRef:
    return UserRef("telegram", str(100_000 + n), f"new{n}", f"new{n}")


async def command(engine: Engine, chat: ChatRef, who: UserRef, text: str) -> list[Action]:
    name, *args = text.lstrip("/").split()
    return await engine.handle(CommandIssued(chat, who, 1, name, tuple(args), engine.clock.now()))


async def enter(engine: Engine, who: UserRef) -> list[Action]:
    dm = ChatRef("telegram", who.user_id, private=True)
    return await command(engine, dm, who, "/start join-green")


def invited_to(actions: list[Action]) -> str | None:
    return next((a.chat.key for a in actions if isinstance(a, CreateInvite)), None)


async def community(path: Path, capacity: int, groups: int) -> tuple[Engine, SqlStore]:
    """A fresh database: group 1 open, `groups - 1` spares in the pool."""
    store = await SqlStore.open(f"sqlite+aiosqlite:///{path}")
    engine = await open_engine(
        config(capacity),
        store,
        FakeClock(START),
        stores=Stores(overflow=SqlOverflowStore(store.engine)),
        background_flush=False,
    )
    await command(engine, group(1), OWNER, "/groups")
    for n in range(2, groups + 1):
        await command(engine, group(n), OWNER, "/pool add")
        # The platform's part: it reads the bot's rights there, all granted.
        await engine.handle(BotRightsReported(group(n), (), engine.clock.now()))
    return engine, store


async def burst(folder: Path, newcomers: int, capacity: int, rounds: int) -> None:
    groups = newcomers // capacity + 2
    rates: list[float] = []
    worst = 0
    for r in range(rounds):
        engine, store = await community(folder / f"burst{r}.db", capacity, groups)
        t0 = time.perf_counter()
        results = await asyncio.gather(*(enter(engine, person(n)) for n in range(newcomers)))
        elapsed = time.perf_counter() - t0
        rates.append(newcomers / elapsed)
        placed = Counter(invited_to(a) for a in results)
        assert None not in placed, "a newcomer found no room"
        planner = engine.feature(OverflowFeature).overflow
        fills = [planner.fill(g) for g in planner.groups("telegram")]
        worst = max(worst, max(fills) - capacity)
        await engine.stop()
        await store.close()
    used = len(placed)
    print(
        f"  burst of {newcomers:,} at once:  {statistics.median(rates):8,.0f} placements/s"
        f"  ({used} groups of {capacity}, largest overfill {max(worst, 0)})"
    )


async def one_by_one(folder: Path, newcomers: int, capacity: int) -> None:
    engine, store = await community(folder / "sequential.db", capacity, newcomers // capacity + 2)
    t0 = time.perf_counter()
    for n in range(newcomers):
        await enter(engine, person(n))
    elapsed = time.perf_counter() - t0
    print(
        f"  one after another:      {newcomers / elapsed:8,.0f} placements/s"
        f"  ({elapsed / newcomers * 1e3:.2f} ms each, reply saved first)"
    )
    await engine.stop()
    await store.close()


async def decisions(folder: Path, newcomers: int, capacity: int) -> None:
    """The planner's choice and hold alone, no engine and no database."""
    engine, store = await community(folder / "planner.db", capacity, newcomers // capacity + 2)
    planner = engine.feature(OverflowFeature).overflow
    directory = engine.kit.directory
    members = [directory.member(person(n), START) for n in range(newcomers)]
    users = [person(n) for n in range(newcomers)]
    clock = time.perf_counter
    t0 = clock()
    for member, user in zip(members, users, strict=True):
        planner.place(member, user, START)
    elapsed = clock() - t0
    print(
        f"  planner decision alone: {newcomers / elapsed:8,.0f} decisions/s"
        f"  ({elapsed / newcomers * 1e6:.1f} µs each)"
    )
    await engine.stop()
    await store.close()


async def switch(folder: Path, capacity: int) -> None:
    """Group 1 one place short of full: the join that fills it, then the very
    next newcomer."""
    engine, store = await community(folder / "switch.db", capacity, 3)
    directory = engine.kit.directory
    g1 = directory.groups[group(1).key]
    for n in range(capacity - 1):
        directory.joined(directory.member(person(n), START), g1, START, None)
    filler = person(capacity)
    t0 = time.perf_counter()
    await engine.handle(MemberJoined(group(1), filler, START))
    handled = time.perf_counter() - t0
    entry = engine.feature(OverflowFeature).overflow.entry_group("telegram")
    t1 = time.perf_counter()
    nxt = await enter(engine, person(capacity + 1))
    placed = time.perf_counter() - t1
    target = invited_to(nxt)
    print(
        f"  the join that fills #1 ({capacity}/{capacity}): handled in {handled * 1e3:.2f} ms;"
        f" entry is now {entry.title if entry else None}"
    )
    print(
        f"  the very next newcomer: invited to {target}"
        f" ({'the new group' if target == group(2).key else 'NOT the new group'})"
        f" in {placed * 1e3:.2f} ms"
    )
    await engine.stop()
    await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--newcomers", type=int, default=2500)
    parser.add_argument("--capacity", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"overflow planner, SQLite, groups of {args.capacity}:")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        await burst(folder, args.newcomers, args.capacity, args.rounds)
        await one_by_one(folder, args.newcomers, args.capacity)
        await decisions(folder, args.newcomers, args.capacity)
        await switch(folder, args.capacity)


if __name__ == "__main__":
    asyncio.run(main())
