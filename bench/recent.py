"""What measuring each community's recent load costs (adapters/ops/recent.py).

The balance hands over the least busy community; how busy is read from the
metrics' running count of events (`Metrics.handled`), which the message
path already bumps, and sampled once per heartbeat. This prints, in one
run and in CPU time (the machine is shared):

- on the message path, per event: a plain int increment (the reference)
  and the per-kind Counter increment the load is read from (already paid
  before the load existed: nothing is added per message);
- once per heartbeat (every 0.5 s at the shortest): sampling the totals of
  N communities, each with the event kinds a busy community has, and
  choosing among them, in µs per beat, and the share of one core that is
  at the shortest beat.

    .venv/bin/python bench/recent.py [--events 2000000] [--communities 4,100]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.ops.balance import Balance, Pace  # noqa: E402
from adapters.ops.metrics import Figures, Metrics  # noqa: E402

KINDS = ("MessagePosted", "CommandIssued", "MemberJoined", "ReactionAdded", "TimerFired")


class _Plain:
    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0


def per_event(events: int) -> tuple[float, float]:
    """ns per event: a plain int increment; the Counter increment."""
    plain, counter, kind = _Plain(), Counter[str](), "MessagePosted"
    best_plain = best_counter = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        for _ in range(events):
            plain.n += 1
        t1 = time.process_time()
        for _ in range(events):
            counter[kind] += 1
        t2 = time.process_time()
        best_plain = min(best_plain, (t1 - t0) / events * 1e9)
        best_counter = min(best_counter, (t2 - t1) / events * 1e9)
    return best_plain, best_counter


def per_beat(communities: int, beats: int) -> float:
    """µs per heartbeat: sample every community's total, then choose."""
    slugs = tuple(f"c{i:03}" for i in range(communities))
    metrics = Metrics()
    for slug in slugs:
        figures = metrics.figures[slug] = Figures()
        for kind in KINDS:
            figures.events[kind] = 1_000
    balance = Balance(
        slugs, Pace.within(5, 0.5), lambda: list(slugs), lambda _: None, total=metrics.handled
    )
    now = 1_000.0
    for slug in slugs:
        balance.took(slug, now)
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        for _ in range(beats):
            now += 0.5
            for slug in slugs:
                metrics.figures[slug].events["MessagePosted"] += 5
            balance.recent.sample(slugs, now)
            balance.choose(slugs, now + 10)
        best = min(best, (time.process_time() - t0) / beats * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--communities", default="4,100")
    parser.add_argument("--beats", type=int, default=2_000)
    args = parser.parse_args()
    plain, counter = per_event(args.events)
    print(f"recent load: CPU time, best of 3, {args.events:,} events")
    print(f"  reference, a plain int increment:        {plain:6.1f} ns/event")
    print(f"  the metrics' Counter[kind] += 1 (as on main, unchanged): {counter:6.1f} ns/event")
    print("  added on the message path by the load:      0 (read from that counter)")
    for n in (int(x) for x in args.communities.split(",")):
        beat = per_beat(n, args.beats)
        print(
            f"  per beat, {n:>3} communities (30 samples each): {beat:7.1f} µs,"
            f" {beat / 0.5e6:.4%} of a core at a beat every 0.5 s"
        )


if __name__ == "__main__":
    main()
