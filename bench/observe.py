"""What /metrics and the JSON logs' ids cost on the message path.

`adapters.ops.metrics.Metrics.observe` wraps a running App's engine
`handle` (an event counter, a histogram, the chat and member context
variables, a DEBUG line that is off), its store's `write` and its daily
counters' `add`. This runs the same generated traffic (bench/engine.py's)
through two engines on SQLite, one plain (the reference) and one observed,
alternating rounds so both meet the same machine, and prints µs per message
for each and the difference.

    .venv/bin/python bench/observe.py [--members 5000] [--messages 40000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from engine import START, generate  # noqa: E402

from adapters.app import App  # noqa: E402
from adapters.ops.metrics import Metrics  # noqa: E402
from bot.compose import open_engine  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.core.events import Event  # noqa: E402
from storage.sql_store import SqlStore  # noqa: E402


async def one_run(joins: list[Event], traffic: list[Event], observed: bool) -> float:
    """µs per message."""
    config = load_config(ROOT / "config.example.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        clock = FakeClock(START)
        engine = await open_engine(config, store, clock, background_flush=False)
        if observed:
            Metrics().observe(App(store, engine, clock))
        for e in joins:
            await engine.handle(e)
        await engine.writes.flush()
        t0 = time.perf_counter()
        for e in traffic:
            await engine.handle(e)
        await engine.stop()
        elapsed = time.perf_counter() - t0
        await store.close()
    return elapsed / len(traffic) * 1e6


class _Idle:
    """Just enough of an App for `observe`, with an engine that does nothing."""

    def __init__(self) -> None:
        self.config = load_config(ROOT / "config.example.yaml")
        self.engine = self
        self.store = self
        self.kit = self
        self.stats = self

    async def handle(self, event: Event) -> list[object]:
        return []

    async def write(self, batch: object) -> None:
        return None

    def add(self, *args: object) -> None:
        return None


async def wrapper_cost(event: Event, n: int) -> tuple[float, float]:
    plain, observed = _Idle(), _Idle()
    Metrics().observe(observed)  # type: ignore[arg-type]
    timings = []
    for app in (plain, observed, plain, observed):
        handle = app.engine.handle
        t0 = time.perf_counter()
        for _ in range(n):
            await handle(event)
        timings.append((time.perf_counter() - t0) / n * 1e6)
    return min(timings[0], timings[2]), min(timings[1], timings[3])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--messages", type=int, default=40_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    joins, traffic = generate(args.groups, args.members, args.messages)
    plain: list[float] = []
    observed: list[float] = []
    for _ in range(args.rounds):
        plain.append(await one_run(joins, traffic, observed=False))
        observed.append(await one_run(joins, traffic, observed=True))
    p, o = statistics.median(plain), statistics.median(observed)
    print(f"observe: {args.groups} groups, {args.members} members, {len(traffic)} messages, "
          f"SQLite, median of {args.rounds} rounds")  # fmt: skip
    print(f"  reference (no metrics): {p:7.1f} µs/message  {1e6 / p:>9,.0f} messages/s")
    print(f"  observed (metrics, ids): {o:6.1f} µs/message  {1e6 / o:>9,.0f} messages/s")
    print(f"  cost: {o - p:+.1f} µs/message ({(o - p) / p:+.1%})")
    print(f"  rounds: reference {[round(x, 1) for x in plain]},", end=" ")
    print(f"observed {[round(x, 1) for x in observed]}")
    bare, wrapped = await wrapper_cost(joins[0], 200_000)
    print(f"  the wrapper alone, around a handle that does nothing: {bare:.2f} µs plain,")
    print(f"  {wrapped:.2f} µs wrapped: {wrapped - bare:+.2f} µs per event")


if __name__ == "__main__":
    asyncio.run(main())
