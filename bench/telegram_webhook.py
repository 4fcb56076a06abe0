"""Telegram webhook benchmark: what serving one webhook request costs, ours
(adapters/telegram/webhook.py) against python-telegram-bot's own webhook
server (tornado, which parses each update into PTB objects), in the same run.

Both servers run in this process on 127.0.0.1 and are sent the same
generated updates (the replay benchmark's traffic) one request at a time by
one aiohttp client, as Telegram does per chat. Our server's handler and
store do nothing, PTB's queue is drained by nothing: what is measured is
the HTTP serving and the reading of the body up to the point where the bot
would handle the update. CPU time (process_time, client included: it is
the same for both) per request, best of `--rounds`.

    .venv/bin/python bench/telegram_webhook.py [--updates 3000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from telegram import Bot
from telegram.ext._utils.webhookhandler import WebhookAppClass
from telegram.ext._utils.webhookhandler import WebhookServer as PtbServer

# BENCH_TREE: another checkout to measure (an older commit, for before/after).
ROOT = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from telegram_replay import Traffic  # noqa: E402

from adapters.telegram.webhook import SECRET_HEADER, WebhookServer  # noqa: E402

SECRET = "bench-secret"
TOKEN = "123456:BENCH-token-made-to-look-like-a-real-one"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def post_all(url: str, bodies: list[bytes]) -> float:
    """CPU seconds to post every body and read every answer."""
    headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
    async with aiohttp.ClientSession() as session:
        start = time.process_time()
        for body in bodies:
            async with session.post(url, data=body, headers=headers) as response:
                if response.status != 200:
                    raise SystemExit(f"{url} answered {response.status}")
        return time.process_time() - start


async def ours(port: int) -> tuple[str, Callable[[], Awaitable[None]]]:
    async def nothing(data: dict[str, Any]) -> None:
        return None

    async def stored() -> None:
        return None

    server = WebhookServer("127.0.0.1", port, "hook", SECRET, nothing, stored)
    await server.start()
    return f"http://127.0.0.1:{port}/hook", server.stop


async def ptb(port: int) -> tuple[str, Callable[[], Awaitable[None]]]:
    queue: asyncio.Queue[object] = asyncio.Queue()
    bot = Bot(TOKEN)
    app = WebhookAppClass("/hook", bot, queue, SECRET)
    server = PtbServer("127.0.0.1", port, app, None)
    await server.serve_forever()

    async def stop() -> None:
        await server.shutdown()

    # The queue would grow with every update: emptied as it fills.
    drain = asyncio.get_running_loop().create_task(_drain(queue))

    async def stop_all() -> None:
        drain.cancel()
        await stop()

    return f"http://127.0.0.1:{port}/hook", stop_all


async def _drain(queue: asyncio.Queue[object]) -> None:
    while True:
        await queue.get()


async def measure(updates: int, rounds: int) -> None:
    traffic = Traffic()
    bodies = [json.dumps(traffic.next()).encode() for _ in range(updates)]
    results: dict[str, list[float]] = {"groupkeeper": [], "python-telegram-bot": []}
    for _ in range(rounds):
        for name, start in (("groupkeeper", ours), ("python-telegram-bot", ptb)):
            url, stop = await start(free_port())
            try:
                results[name].append(await post_all(url, bodies))
            finally:
                await stop()
    for name, seconds in results.items():
        best = min(seconds)
        print(f"{name:>20}: {best / len(bodies) * 1e6:7.1f} µs CPU per request (best of {rounds})")
    ratio = min(results["groupkeeper"]) / min(results["python-telegram-bot"])
    print(f"{'ours / PTB':>20}: {ratio:.2f}x  ({len(bodies)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(measure(args.updates, args.rounds))


if __name__ == "__main__":
    main()
