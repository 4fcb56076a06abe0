"""The per-message cost of the features beside the rules, the spam scorer and
points: the risk monitors, the spam guard's bookkeeping (who is checked,
the messages /spam cleans up, pictures, second opinions), the FAQ, thanks,
overflow's seats and the entry gate's pending-save check.

bench/engine.py's mix is run through `Engine.handle` once, recording each
message as the risk feature received it; then each piece runs alone over
those messages (thread CPU, the best of `--repeat` passes, a fresh rules'
view for each with what the rules had derived already), so a piece's
figure holds none of the others' and no wrapper. The risk path is also
timed whole with the detector answering "not spam" at no cost: the
detector is bench/spam.py's.

    .venv/bin/python bench/features.py [--mix realistic|worst] [--messages 30000] [--repeat 5]

References in the same run: `Engine.handle` per event of the recording run,
and python-telegram-bot's `Update.de_json` per update (bench/engine.py's).
BENCH_TREE=<checkout> measures another tree (a before/after). Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import engine as bench  # puts BENCH_TREE's tree on the path first

from bot.config import load_config
from bot.core.feature import Seen
from rules.message import MessageView
from storage.sql_store import SqlStore


def fresh(view: MessageView) -> MessageView:
    """The view as the rules leave it: folded, squashed, split; nothing of
    the features' own (their memo entries) kept."""
    copy = dataclasses.replace(view)
    _ = copy.folded, copy.squashed, copy.word_list, copy.despread
    return copy


class _NotSpam:
    spam = False
    hits = ()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mix", choices=["realistic", "worst"], default="realistic")
    parser.add_argument("--messages", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    make = bench.realistic if args.mix == "realistic" else bench.worst
    mix = make(100, 50_000, args.messages)
    config = load_config(bench.ROOT / "config.example.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        engine, _ = await bench.loaded(mix, config, store)
        features: dict[str, Any] = {type(f).__name__: f for f in engine.features}
        risk_feature = features["RiskFeature"]
        seen: list[Seen] = []
        handed = risk_feature.on_message

        async def record(s: Seen) -> Any:
            seen.append(s)
            return await handed(s)

        risk_feature.on_message = record
        gc.collect()
        c0 = time.process_time()
        for e in mix.traffic:
            await engine.handle(e)
        handle_us = (time.process_time() - c0) / len(mix.traffic) * 1e6
        await engine.stop()
        await store.close()
    ptb_us = bench.ptb_reference(mix.traffic)
    views = [fresh(risk_feature._view(s)) for s in seen]
    n = len(seen)
    figures: dict[str, float] = {}

    def best(run: Callable[[list[MessageView]], float]) -> float:
        return min(run([fresh(v) for v in views]) for _ in range(args.repeat)) / n * 1e6

    def piece(name: str, fn: Callable[[Seen, MessageView], object]) -> None:
        def run(vs: list[MessageView]) -> float:
            gc.collect()
            t = time.thread_time()
            for s, v in zip(seen, vs, strict=True):
                fn(s, v)
            return time.thread_time() - t

        figures[name] = best(run)

    async def apiece(name: str, fn: Callable[[Seen, MessageView], Awaitable[object]]) -> None:
        laps: list[float] = []
        for _ in range(args.repeat):
            vs = [fresh(v) for v in views]
            gc.collect()
            t = time.thread_time()
            for s, v in zip(seen, vs, strict=True):
                await fn(s, v)
            laps.append(time.thread_time() - t)
        figures[name] = min(laps) / n * 1e6

    risk = risk_feature.risk
    spam, monitors = risk.spam, risk.monitors
    piece("(an empty loop)", lambda s, v: None)
    piece("spam guard: scrutiny", lambda s, v: spam.scrutiny(v, s.member, s.role))
    piece("spam guard: remember", lambda s, v: spam.remember(s.event, s.member))
    piece(
        "spam guard: pictures.ask",
        lambda s, v: spam.pictures.ask(spam.config.ocr, s.event, v, None),
    )
    piece(
        "spam guard: second_opinions", lambda s, v: spam.second_opinions(s.event, s.member, v, True)
    )
    piece(
        "risk monitors: on_message",
        lambda s, v: monitors.on_message(s.event, s.member, s.group, s.role, v),
    )
    piece("overflow entry: has_pending", lambda s, v: features["EntryFeature"].has_pending())
    for name in ("FaqFeature", "ThanksFeature", "OverflowFeature"):
        hook = features[name].on_message
        await apiece(f"{name}.on_message", lambda s, v, hook=hook: hook(s))
    detector = spam.detector
    checked = detector.check
    detector.check = lambda view, newcomer: _NotSpam
    monitors._alerted.clear()
    await apiece(
        "risk: on_message, detector stubbed",
        lambda s, v: risk.on_message(s.event, s.member, s.group, s.role, v),
    )
    detector.check = checked
    empty = figures.pop("(an empty loop)")
    print(f"features beside rules, spam scoring and points: {args.mix} mix, {n:,} messages")
    print(f"  reference: Engine.handle {handle_us:.1f} µs CPU per event (the recording run)")
    print(f"  reference: PTB Update.de_json {ptb_us:.1f} µs CPU per update, same run")
    for name, us in figures.items():
        print(f"    {name:38} {us - empty:6.2f} µs per message")


if __name__ == "__main__":
    asyncio.run(main())
