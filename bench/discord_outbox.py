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
Not a test: figures go in the closing notes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import simcord  # noqa: E402

from adapters.discord.client import build_client  # noqa: E402
from adapters.discord.gateway import Failure, Origin  # noqa: E402
from bot.core.actions import Action  # noqa: E402

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


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commands", type=int, default=200)
    asyncio.run(main(ap.parse_args().commands))
