"""Discord: what the outbox costs a command's answer and a reply, end to end
through the real bot (discord.py's parsers on simcord's in-memory Discord,
SQLite on a temporary file).

    .venv/bin/python bench/discord_outbox.py [--commands 200]

Three timings, wall clock, per event (median and 95th percentile):
  slash, outbox   a slash /me: acknowledged at once (Discord's 3 s), then
                  the engine, the commit of its batch, the follow-up answer;
  slash, inline   the reference in the same run: the same command with its
                  actions carried out as soon as made, no commit waited for
                  (the bot before the outbox);
  message reply   a typed /me: the reply through the outbox and the lanes;
and the commits the write-behind made for the typed ones.

Then throughput without Discord (no network, the actions marked sent as a
gateway would): a day of traffic in 3 channels (members joined a year ago,
3% commands, 1% blocked phrases) through `Engine.handle`, each event's
actions held in the outbox with a commit asked for at once (`Delivery`),
beside the reference in the same run: the same events with the write-behind
committing every 100 ms and the actions not stored (the bot before the
outbox). Events are offered as fast as the loop takes them, so commits
share what arrived meanwhile.
Not a test: figures go in the closing notes.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import simcord  # noqa: E402

from adapters.app import build_app  # noqa: E402
from adapters.discord.client import build_client  # noqa: E402
from adapters.discord.delivery import Delivery  # noqa: E402
from adapters.discord.gateway import Failure, Origin  # noqa: E402
from adapters.discord.lanes import Lanes  # noqa: E402
from bot.core.actions import Action  # noqa: E402
from bot.core.events import ChatRef, MessagePosted, UserRef  # noqa: E402

CONFIG = ROOT / "tests" / "discord" / "community.yaml"


def figures(name: str, seconds: Sequence[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[int(len(ms) * 0.95) - 1]
    median = statistics.median(ms)
    print(f"  {name:<16} median {median:6.2f} ms   p95 {p95:6.2f} ms   (n={len(ms)})")


async def main(commands: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        bot, app = await build_client(CONFIG, db, background_flush=False)
        try:
            async with simcord.run(bot) as env:
                guild = env.create_guild("Bench")
                general = guild.create_text_channel("general")
                member = guild.add_member(env.create_user("alice"))
                await env.settle()
                delivery = bot.community.delivery
                writes = app.engine.writes

                outbox: list[float] = []
                for _ in range(commands):
                    began = time.perf_counter()
                    await member.slash(general, "me")
                    outbox.append(time.perf_counter() - began)

                async def inline(
                    actions: Sequence[Action], origin: str, answer: Origin
                ) -> list[Failure]:
                    return await bot.community.gateway.run(actions, origin=answer)

                stored = delivery.answer
                delivery.answer = inline  # type: ignore[method-assign]
                reference: list[float] = []
                for _ in range(commands):
                    began = time.perf_counter()
                    await member.slash(general, "me")
                    reference.append(time.perf_counter() - began)
                delivery.answer = stored  # type: ignore[method-assign]

                batches = writes.batches
                replies: list[float] = []
                for _ in range(commands):
                    began = time.perf_counter()
                    await member.send(general, "/me")
                    await env.settle()
                    replies.append(time.perf_counter() - began)
                one_by_one = writes.batches - batches

        finally:
            await app.close()
    print(f"{commands} slash commands and typed commands each, one member, SQLite")
    figures("slash, outbox", outbox)
    figures("slash, inline", reference)
    figures("message reply", replies)
    print(f"  commits: {one_by_one} for {commands} typed commands one after another")


def traffic(count: int, members: int = 500, seed: int = 5) -> list[MessagePosted]:
    rng = random.Random(seed)
    chats = [ChatRef("discord", str(1_400_000_000_000_000_000 + c)) for c in range(3)]
    joined = datetime.now(UTC) - timedelta(days=365)
    users = [
        UserRef("discord", str(1_500_000_000_000_000_000 + m), f"m{m}", f"m{m}", joined_at=joined)
        for m in range(members)
    ]
    words = ["the", "solar", "grid", "battery", "funding", "pitch", "储能", "光伏", "市场"]
    out = []
    start = datetime.now(UTC)
    for n in range(count):
        roll = rng.random()
        if roll < 0.03:
            text = rng.choice(["/me", "签到", "/top"])
        elif roll < 0.04:
            text = "加微信领资料"
        else:
            text = " ".join(rng.choice(words) for _ in range(rng.choice([2, 6, 15])))
        at = start + timedelta(milliseconds=50 * n)
        out.append(MessagePosted(rng.choice(chats), rng.choice(users), 10_000 + n, text, at))
    return out


class MarkingGateway:
    """Carries nothing out; tells the outbox each action is done, per
    channel in order, as the Discord gateway's lanes do."""

    def __init__(self) -> None:
        self.on_done: Any = None
        self._lanes = Lanes(self.run)
        self.carried = 0

    def submit(self, actions: Sequence[Action]) -> None:
        self._lanes.submit(actions)

    async def run(self, actions: Sequence[Action], **_: Any) -> list[Failure]:
        for action in actions:
            self.carried += 1
            await self.on_done(action)
        return []

    @property
    def idle(self) -> bool:
        return self._lanes.idle

    async def drain(self) -> None:
        await self._lanes.drain()


async def throughput(events: list[MessagePosted], *, outbox: bool) -> tuple[float, int, int]:
    """Seconds for the events, commits made, actions decided."""
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        app = await build_app(ROOT / "config.example.yaml", db, background_flush=not outbox)
        gateway = MarkingGateway()
        delivery = Delivery(
            app.config.community.slug,
            gateway,  # type: ignore[arg-type]
            app.engine.writes,
            app.store,
            app.clock,
        )
        decided = 0
        try:
            writes = app.engine.writes
            batches = writes.batches
            began = time.perf_counter()
            for event in events:
                actions = await app.engine.handle(event)
                decided += len(actions)
                if outbox:
                    delivery.hold(actions, f"discord:m:{event.message_id}")
                # A gateway hands events over one task each: let the loop turn.
                await asyncio.sleep(0)
            if outbox:
                await delivery.stop(60.0)
            else:
                await writes.flush()
            elapsed = time.perf_counter() - began
            return elapsed, writes.batches - batches, decided
        finally:
            await app.close()


async def bench_throughput(count: int) -> None:
    events = traffic(count)
    print(f"{count} messages, 500 members, 3 channels, SQLite, no network")
    for name, outbox in (("outbox", True), ("reference", False)):
        elapsed, commits, decided = await throughput(events, outbox=outbox)
        print(
            f"  {name:<10} {count / elapsed:8.0f} msg/s   {elapsed * 1e6 / count:7.1f} µs/msg"
            f"   {commits} commits   {decided} actions"
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commands", type=int, default=200)
    ap.add_argument("--messages", type=int, default=20_000)
    args = ap.parse_args()
    asyncio.run(main(args.commands))
    asyncio.run(bench_throughput(args.messages))
