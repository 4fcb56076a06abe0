"""Engine throughput: generated community traffic through `Engine.handle`
with SQLite persistence (write-behind batches), on one core.

    .venv/bin/python bench/engine.py [--groups 100] [--members 50000] [--messages 200000]

Prints messages/s and µs per message for the message path, and the joins
separately. Not a test: figures go in the closing notes, not in assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.compose import open_engine  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.core.events import ChatRef, Event, MemberJoined, MessagePosted, ReplyRef, UserRef  # noqa: E402
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


def chat_text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        n = rng.choice([2, 4, 8, 16, 30, 60])
        return "".join(rng.choice(CHARS_ZH) for _ in range(n))
    n = rng.choice([1, 3, 6, 12, 25, 40])
    return " ".join(rng.choice(WORDS_EN) for _ in range(n))


def generate(
    groups: int, members: int, messages: int, seed: int = 7
) -> tuple[list[Event], list[Event]]:
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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=200_000)
    args = parser.parse_args()

    config = load_config(ROOT / "config.example.yaml")
    joins, traffic = generate(args.groups, args.members, args.messages)
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        engine = await open_engine(config, store, FakeClock(START), background_flush=False)
        t0 = time.perf_counter()
        for e in joins:
            await engine.handle(e)
        await engine.writes.flush()
        t_join = time.perf_counter() - t0

        kinds: dict[str, int] = {}
        t0 = time.perf_counter()
        for e in traffic:
            for a in await engine.handle(e):
                kinds[type(a).__name__] = kinds.get(type(a).__name__, 0) + 1
        await engine.stop()
        elapsed = time.perf_counter() - t0
        writes = engine.writes
        ledger = await store.ledger(config.community.slug, "telegram:10000", limit=1000)
        await store.close()

    n = len(traffic)
    print(f"engine: {args.groups} groups, {args.members} members, {n} messages, SQLite")
    per_join, per_msg = t_join / len(joins) * 1e6, elapsed / n * 1e6
    print(f"  joins:    {len(joins) / t_join:>10,.0f} joins/s    ({per_join:.1f} µs each)")
    print(f"  messages: {n / elapsed:>10,.0f} messages/s ({per_msg:.1f} µs each, writes included)")
    print(f"  writes:   {writes.rows:,} rows in {writes.batches:,} batches")
    print(f"  actions:  {dict(sorted(kinds.items()))}")
    print(f"  sanity:   member telegram:10000 has {len(ledger)} ledger entries")


if __name__ == "__main__":
    asyncio.run(main())
