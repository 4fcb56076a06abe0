"""Points at scale: check-ins, participation points and reactions through
`Engine.handle`, with SQLite persistence through the write-behind batcher,
then the ledger checked against the balances.

    .venv/bin/python bench/points.py [--members 50000] [--days 3] [--messages 100000]

Also times `Points.for_message` alone (the per-message hot path). CPU time
(process time, the database's thread included): steadier than wall time on a
shared machine. `BENCH_TREE=<checkout>` measures that checkout (an older
commit, for before/after, back to back). Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# BENCH_TREE: another checkout to measure (an older commit, for before/after).
ROOT = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from bot.compose import open_engine  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.core.events import ChatRef, CommandIssued, MessagePosted, ReactionAdded, UserRef  # noqa: E402
from bot.features import Stores  # noqa: E402
from bot.features.points.feature import PointsFeature  # noqa: E402
from storage.economy_store import SqlEconomyStore  # noqa: E402
from storage.sql_store import SqlStore  # noqa: E402

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--messages", type=int, default=100_000, help="per day")
    args = parser.parse_args()
    rng = random.Random(11)
    config = load_config(ROOT / "config.example.yaml")
    chats = [ChatRef("telegram", str(-1000000 - g)) for g in range(args.groups)]
    users = [UserRef("telegram", str(10_000 + m), f"u{m}", f"u{m}") for m in range(args.members)]
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        clock = FakeClock(START)
        engine = await open_engine(
            config,
            store,
            clock,
            stores=Stores(economy=SqlEconomyStore(store.engine)),
            background_flush=False,
        )
        t_checkin = t_msg = 0.0
        n_checkin = n_msg = 0
        mid = 0
        for day in range(args.days):
            day_start = START + timedelta(days=day)
            t0 = time.process_time()
            for i, u in enumerate(users):
                mid += 1
                at = day_start + timedelta(seconds=i * 0.5)
                # Every member twice: the second is the "already" path.
                for _ in range(2):
                    await engine.handle(
                        CommandIssued(chats[i % args.groups], u, mid, "checkin", (), at)
                    )
            t_checkin += time.process_time() - t0
            n_checkin += 2 * len(users)
            step = timedelta(seconds=43_200 / args.messages)
            t0 = time.process_time()
            for i in range(args.messages):
                mid += 1
                m = rng.randrange(args.members)
                chat = chats[m % args.groups]
                at = day_start + timedelta(hours=8) + step * i
                await engine.handle(MessagePosted(chat, users[m], mid, "talking about solar", at))
                if i % 10 == 0:
                    await engine.handle(ReactionAdded(chat, users[m - 1], mid, "👍", at))
            t_msg += time.process_time() - t0
            n_msg += args.messages
        await engine.stop()
        writes = engine.writes
        ledger = await SqlEconomyStore(store.engine).balances(config.community.slug)
        balances = {
            k: v
            for k, v in engine.feature(PointsFeature).points.balances.items()
            if v or k in ledger
        }
        await store.close()

    # The hot path alone: a member past the cooldown, points paid, batcher queue.
    points = engine.feature(PointsFeature).points
    member = engine.kit.directory.members[users[0].key]
    n = 200_000
    at = START + timedelta(days=args.days + 1)
    t0 = time.process_time()
    for i in range(n):
        member.last_points_at = None
        points.for_message(member, "talking about solar", at, "telegram:-1000000", 10_000_000 + i)
    t_hot = time.process_time() - t0

    print(f"points: {args.members} members, {args.days} days, {args.messages} messages a day")
    print(f"  check-ins: {n_checkin / t_checkin:>9,.0f} /s  ({t_checkin / n_checkin * 1e6:.1f} µs)")
    print(f"  messages:  {n_msg / t_msg:>9,.0f} /s  ({t_msg / n_msg * 1e6:.1f} µs; 10% react)")
    print(f"  writes:    {writes.rows:,} rows in {writes.batches:,} batches")
    print(f"  for_message alone: {t_hot / n * 1e9:.0f} ns")
    print(f"  ledger == balances: {ledger == balances} ({len(ledger):,} members)")


if __name__ == "__main__":
    asyncio.run(main())
