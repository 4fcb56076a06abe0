"""One scheduled post to 300 groups through the Telegram gateway.

The path is the production one: the schedule claims the fire time in SQLite
(one run row per group), the driver's `deliver` posts through
`TelegramOutlet` -> `TelegramGateway.call` (rate limiter, 429 handling) ->
python-telegram-bot -> HTTP -> the fake Bot API server of the tests, which
answers 429 the way Telegram does (about 30 messages a second overall, 20 a
minute per group). It prints the completion time beside the ideal time at the
allowed rate, and how many 429s the server gave.

    .venv/bin/python bench/broadcast.py [--groups 300]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from telegram import Bot

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.scheduler import TelegramOutlet, deliver  # noqa: E402
from adapters.telegram.gateway import TelegramGateway  # noqa: E402
from adapters.telegram.limiter import Limits, RateLimiter  # noqa: E402
from bot.compose import open_engine  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.core.events import ChatRef  # noqa: E402
from bot.features import Stores  # noqa: E402
from bot.features.schedule.feature import ScheduleFeature  # noqa: E402
from storage.schedule_store import SqlScheduleStore  # noqa: E402
from storage.sql_store import SqlStore  # noqa: E402
from tests.telegram.fake_bot_api import FakeBotApi  # noqa: E402

CONFIG = """
community: {name: Broadcast Bench, slug: bench, language: en, timezone: Europe/Berlin}
schedule:
  - {id: news, cron: "0 9 * * *", text: "📰 Morning news for {group}: {member_count} members."}
"""


async def run(groups: int) -> None:
    api = FakeBotApi()
    await api.start()
    first_chat = -1001000000000
    for i in range(groups):
        api.add_group(first_chat - i, f"Group {i + 1}")
    config = parse_config(CONFIG)
    clock = FakeClock(datetime(2026, 1, 5, 7, 59, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        engine = await open_engine(
            config,
            store,
            clock,
            stores=Stores(schedule=SqlScheduleStore(store.engine)),
            background_flush=False,
        )
        for i in range(groups):
            chat = ChatRef("telegram", str(first_chat - i))
            engine.kit.directory.group(chat, clock.now(), f"Group {i + 1}")
        await engine.writes.flush(everything=True)
        schedule = engine.feature(ScheduleFeature).schedule
        assert schedule is not None
        limits = Limits()
        bot = Bot(api.token, base_url=api.base_url)
        async with bot:
            gateway = TelegramGateway(bot, config, clock, limiter=RateLimiter(limits))
            outlet = TelegramOutlet(gateway)
            clock.set(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
            started = time.perf_counter()
            deliveries = await schedule.due(clock.now())
            sent = await deliver(schedule, deliveries, {"telegram": outlet})
            elapsed = time.perf_counter() - started
        await engine.stop()
        runs = await SqlScheduleStore(store.engine).post_runs("bench")
        await store.close()
    await api.stop()
    too_many = sum(1 for c in api.calls if not c.ok and "Too Many Requests" in (c.error or ""))
    delivered = sum(1 for c in api.calls if c.method == "sendMessage" and c.ok)
    # Every message at exactly the allowed overall rate.
    ideal = groups * limits.overall_period / limits.overall
    sent_rows = sum(1 for r in runs if r.status == "sent")
    print(f"groups:            {groups}")
    print(f"delivered:         {delivered} messages ({sent} by the driver, {sent_rows} runs sent)")
    print(f"completion time:   {elapsed:.2f} s")
    print(
        f"ideal at the rate: {ideal:.2f} s ({limits.overall} messages per "
        f"{limits.overall_period:g} s)"
    )
    print(f"vs ideal:          {(elapsed / ideal - 1) * 100 if ideal else 0:+.1f} %")
    print(f"429 answers:       {too_many}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=300)
    asyncio.run(run(parser.parse_args().groups))


if __name__ == "__main__":
    main()
