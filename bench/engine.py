"""Engine throughput: generated community traffic through `Engine.handle`
with every feature of config.example.yaml on and SQLite persistence
(write-behind batches), on one core, in two mixes:

  realistic   a community that has been running: 90% of members are regulars
              (joined weeks to a year ago, past the spam guard's approval),
              10% a long tail of newcomers (joined in the last three days);
              regulars write about 90% of the messages (a few of them most
              of it); a join every 250 events and a leave every 400; 3%
              commands (/checkin, 签到, /me, /top); 3% links, 0.5% blocked.
  worst case  every member joined within the bench (a newcomer, so every
              message runs the whole spam detector), 5% check-ins, 5% links,
              2% blocked phrases: the bench as it always was.

Each mix runs on a fresh database. The reference, measured in the same run,
is python-telegram-bot's `Update.de_json` over the same messages as Bot API
updates: what merely parsing one update costs a Telegram bot in Python.

    .venv/bin/python bench/engine.py [--groups 100] [--members 50000] [--messages 200000]
                                     [--mix realistic|worst|both]

Prints CPU µs per message (process time: steadier than wall time on a shared
machine), messages/s per core, the ratio to PTB's parse, and the joins: the
best of `--rounds` (3) for the engine, each round on a fresh database, and
for PTB's parse, as timeit takes the best of its repeats (what is left above
the best is other load on the machine); every round's figure is printed too.

The engine runs with the collector tuned as `groupkeeper run` tunes it
(`bot.core.collector.serving`; a tree older than that keeps CPython's
defaults); PTB's parse is measured with CPython's default thresholds, as a
PTB bot runs. `BENCH_GC=default` runs the engine untuned too.
Not a test: figures go in the notes and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# BENCH_TREE: another checkout to measure (an older commit, for before/after).
ROOT = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from bot.compose import open_engine  # noqa: E402
from bot.config import Config, load_config  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from bot.core.events import (  # noqa: E402
    ChatRef,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReplyRef,
    UserRef,
)
from storage.sql_store import SqlStore  # noqa: E402

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
WORDS_EN = [
    "the", "a", "solar", "grid", "battery", "founders", "funding", "pitch", "deck", "market",
]  # fmt: skip
CHARS_ZH = "我们今天讨论新能源项目融资的经验欢迎大家分享观点储能光伏电池市场"
LINKS = [
    "https://github.com/green/grid",
    "see https://python.org/downloads",
    "https://deals.example.com/x",
]
BLOCKED = ["加微信领资料", "w.e.c.h.a.t me now", "代开发票 联系我"]
COMMANDS = ["签到", "/checkin", "/me", "/top", "打卡"]


def chat_text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        n = rng.choice([2, 4, 8, 16, 30, 60])
        return "".join(rng.choice(CHARS_ZH) for _ in range(n))
    n = rng.choice([1, 3, 6, 12, 25, 40])
    return " ".join(rng.choice(WORDS_EN) for _ in range(n))


def generate(
    groups: int, members: int, messages: int, seed: int = 7
) -> tuple[list[Event], list[Event]]:
    """The worst case: (joins, traffic), every member a newcomer."""
    rng = random.Random(seed)
    chats = [ChatRef("telegram", str(-1000000 - g)) for g in range(groups)]
    users = [UserRef("telegram", str(10_000 + m), f"user{m}", f"user{m}") for m in range(members)]
    home = [chats[m % groups] for m in range(members)]
    joins: list[Event] = [
        MemberJoined(home[m], users[m], START - timedelta(days=rng.choice([0, 3, 30])))
        for m in range(members)
    ]
    traffic: list[Event] = []
    # A day of traffic; members post in their own group.
    step = timedelta(seconds=86400 / messages)
    last_id: dict[str, int] = {}
    for i in range(messages):
        m = rng.randrange(members)
        chat = home[m]
        mid = last_id.get(chat.chat_id, 0) + 1
        last_id[chat.chat_id] = mid
        roll = rng.random()
        if roll < 0.05:
            text = rng.choice(["签到", "/checkin", "打卡"])
        elif roll < 0.10:
            text = rng.choice(LINKS)
        elif roll < 0.12:
            text = rng.choice(BLOCKED)
        else:
            text = chat_text(rng)
        reply = (
            ReplyRef(mid - 1, users[rng.randrange(members)]) if roll > 0.97 and mid > 1 else None
        )
        traffic.append(MessagePosted(chat, users[m], mid, text, START + step * i, reply))
    return joins, traffic


@dataclass(frozen=True, slots=True)
class Mix:
    name: str
    joins: list[Event]
    traffic: list[Event]
    # Member key -> messages written before the bench (regulars' history,
    # as a restart would load it).
    history: dict[str, int]


def realistic(groups: int, members: int, messages: int, seed: int = 11) -> Mix:
    """A community that has been running for a while; see the module's doc."""
    rng = random.Random(seed)
    chats = [ChatRef("telegram", str(-1000000 - g)) for g in range(groups)]
    users = [UserRef("telegram", str(10_000 + m), f"user{m}", f"user{m}") for m in range(members)]
    home = [chats[m % groups] for m in range(members)]
    regulars = members * 9 // 10
    joins: list[Event] = []
    history: dict[str, int] = {}
    for m in range(members):
        if m < regulars:
            days = rng.uniform(14, 365)
            history[users[m].key] = 11 + int(rng.paretovariate(1.0) * 10)
        else:
            days = rng.uniform(0, 3)
        joins.append(MemberJoined(home[m], users[m], START - timedelta(days=days)))
    # Arrivals during the day are new people, numbered after the members.
    newcomers = list(range(regulars, members))
    present = [True] * members
    traffic: list[Event] = []
    step = timedelta(seconds=86400 / messages)
    last_id: dict[str, int] = {}
    fresh = members
    for i in range(messages):
        at = START + step * i
        if i % 250 == 125:
            user = UserRef("telegram", str(10_000 + fresh), f"user{fresh}", f"user{fresh}")
            chat = chats[fresh % groups]
            fresh += 1
            users.append(user)
            home.append(chat)
            present.append(True)
            newcomers.append(len(users) - 1)
            traffic.append(MemberJoined(chat, user, at))
            continue
        if i % 400 == 200:
            m = rng.randrange(len(users))
            if present[m]:
                present[m] = False
                traffic.append(MemberLeft(home[m], users[m], at))
                continue
        # Regulars write 90%, skewed: the most active 1% of them write a
        # fifth of it, the most active 10% nearly half.
        if rng.random() < 0.9:
            m = int(regulars * rng.random() ** 3)
        else:
            m = newcomers[rng.randrange(len(newcomers))]
        if not present[m]:
            continue
        chat = home[m]
        mid = last_id.get(chat.chat_id, 0) + 1
        last_id[chat.chat_id] = mid
        roll = rng.random()
        if roll < 0.03:
            text = rng.choice(COMMANDS)
        elif roll < 0.06:
            text = rng.choice(LINKS)
        elif roll < 0.065:
            text = rng.choice(BLOCKED)
        else:
            text = chat_text(rng)
        reply = (
            ReplyRef(mid - 1, users[rng.randrange(regulars)]) if roll > 0.9 and mid > 1 else None
        )
        traffic.append(MessagePosted(chat, users[m], mid, text, at, reply))
    return Mix("realistic", joins, traffic, history)


def worst(groups: int, members: int, messages: int) -> Mix:
    joins, traffic = generate(groups, members, messages)
    return Mix("worst case", joins, traffic, {})


@dataclass(frozen=True, slots=True)
class Result:
    mix: Mix
    join_us: float
    message_us: float
    messages: int
    rows: int
    batches: int
    actions: dict[str, int]


async def loaded(mix: Mix, config: Config, store: SqlStore) -> tuple[Engine, float]:
    """The engine with the mix's members joined and their history set, all
    of it stored: what the traffic starts from. Also the joins' CPU time."""
    engine = await open_engine(config, store, FakeClock(START), background_flush=False)
    gc.collect()
    c0 = time.process_time()
    for e in mix.joins:
        await engine.handle(e)
    await engine.writes.flush()
    join_cpu = time.process_time() - c0
    directory = engine.kit.directory
    for key, count in mix.history.items():
        member = directory.members[key]
        member.message_count = count
        directory.touch(member)
    # Everything the set-up left pending (the joins' daily counters
    # included) is stored before the clock starts: the traffic pays only
    # for its own writes, whenever the batcher would have written them.
    await engine.writes.flush(everything=True)
    return engine, join_cpu


async def run(mix: Mix, config_path: Path) -> Result:
    config = load_config(config_path)
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        engine, join_cpu = await loaded(mix, config, store)
        rows0, batches0 = engine.writes.rows, engine.writes.batches

        kinds: dict[str, int] = {}
        gc.collect()
        c0 = time.process_time()
        for e in mix.traffic:
            for a in await engine.handle(e):
                kinds[type(a).__name__] = kinds.get(type(a).__name__, 0) + 1
        await engine.stop()
        cpu = time.process_time() - c0
        writes = engine.writes
        await store.close()
    n = len(mix.traffic)
    return Result(
        mix,
        join_cpu / len(mix.joins) * 1e6,
        cpu / n * 1e6,
        n,
        writes.rows - rows0,
        writes.batches - batches0,
        dict(sorted(kinds.items())),
    )


def ptb_reference(traffic: list[Event], limit: int = 50_000) -> float:
    """CPU µs per update for python-telegram-bot's `Update.de_json` over the
    traffic's messages written as the Bot API sends them."""
    from telegram import Bot, Update

    bot = Bot("123456:AAbench-reference-token-000000000000")
    updates: list[dict[str, Any]] = []
    for n, e in enumerate(traffic[:limit]):
        if not isinstance(e, MessagePosted):
            continue
        sender = e.sender
        msg: dict[str, Any] = {
            "message_id": e.message_id,
            "from": {
                "id": int(sender.user_id), "is_bot": False, "first_name": sender.name,
                "username": sender.username, "language_code": "zh-hans",
            },
            "chat": {"id": int(e.chat.chat_id), "title": "Green Energy", "type": "supergroup"},
            "date": int(e.at.timestamp()),
            "text": e.text,
        }  # fmt: skip
        if e.reply_to is not None:
            msg["reply_to_message"] = {
                "message_id": e.reply_to.message_id,
                "chat": msg["chat"],
                "date": msg["date"] - 60,
                "text": "earlier",
            }
        updates.append({"update_id": n + 1, "message": msg})
    for data in updates[:1000]:
        Update.de_json(data, bot)
    gc.collect()
    c0 = time.process_time()
    for data in updates:
        Update.de_json(data, bot)
    return (time.process_time() - c0) / len(updates) * 1e6


DEFAULT_THRESHOLDS = gc.get_threshold()


def serving() -> bool:
    """The collector as `groupkeeper run` sets it, when this tree has that
    (for the rest of the bench's process: entered, never left)."""
    try:
        from bot.core.collector import serving as tuned
    except ImportError:
        return False
    tuned().__enter__()
    return True


def report(result: Result, ptb_us: float) -> None:
    mix = result.mix
    per_msg = result.message_us
    print(f"  {mix.name}: {result.messages:,} events, {len(mix.joins):,} joins before")
    print(
        f"    joins:    {1e6 / result.join_us:>9,.0f} joins/s    "
        f"({result.join_us:6.1f} µs CPU each)"
    )
    print(
        f"    messages: {1e6 / per_msg:>9,.0f} msg/s/core  ({per_msg:6.1f} µs CPU each, "
        f"writes included) = {per_msg / ptb_us:.2f} x PTB's parse of one update"
    )
    print(
        f"    writes:   {result.rows:,} rows in {result.batches:,} batches "
        f"({result.rows / result.messages:.2f} rows per event)"
    )
    print(f"    actions:  {result.actions}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--mix", choices=["realistic", "worst", "both"], default="both")
    parser.add_argument("--config", type=Path, default=ROOT / "config.example.yaml")
    parser.add_argument("--rounds", type=int, default=3, help="best of, each on a fresh database")
    args = parser.parse_args()

    mixes = []
    if args.mix in ("realistic", "both"):
        mixes.append(realistic(args.groups, args.members, args.messages))
    if args.mix in ("worst", "both"):
        mixes.append(worst(args.groups, args.members, args.messages))
    tuned = os.environ.get("BENCH_GC") != "default" and serving()
    spread: list[list[float]] = []
    results = []
    for mix in mixes:
        rounds = [await run(mix, args.config) for _ in range(args.rounds)]
        results.append(min(rounds, key=lambda r: r.message_us))
        spread.append(sorted(r.message_us for r in rounds))
    gc.set_threshold(*DEFAULT_THRESHOLDS)
    ptb_rounds = sorted(ptb_reference(mixes[0].traffic) for _ in range(args.rounds))
    ptb_us = ptb_rounds[0]
    print(
        f"engine: {args.groups} groups, {args.members:,} members, every feature of "
        f"{args.config.name}, SQLite, CPU time on one core"
    )
    print(f"  collector: {'tuned as `groupkeeper run` tunes it' if tuned else 'CPython defaults'}")
    print(
        f"  reference: PTB Update.de_json {ptb_us:.1f} µs CPU per update "
        f"({1e6 / ptb_us:,.0f} updates/s), same run"
    )
    print(f"  best of {args.rounds} rounds; every round: PTB {_us(ptb_rounds)}")
    for result, times in zip(results, spread, strict=True):
        report(result, ptb_us)
        print(f"    every round: {_us(times)} µs per message")


def _us(times: list[float]) -> str:
    return " / ".join(f"{t:.1f}" for t in times)


if __name__ == "__main__":
    asyncio.run(main())
