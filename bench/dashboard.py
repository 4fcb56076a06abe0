"""The dashboard's pages on a community of many members: how long each takes
to answer (ASGI in process, no network), beside the login page, which reads
nothing of the community, as the reference measured in the same run.

    .venv/bin/python bench/dashboard.py [--members 5000] [--rounds 20]

The dashboard is off the message path: these are figures for the owner's
wait, not the members'. Not a test: figures go in the closing notes.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from adapters.console.session import ConsoleSession  # noqa: E402
from adapters.web.app import Dashboard  # noqa: E402
from adapters.web.bridge import ConsoleBot  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from storage.sql_store import SqlStore  # noqa: E402

PAGES = ("/login", "/", "/risk", "/members", "/members?q=member12", "/members/console:member7",
         "/schedule", "/config", "/analytics", "/analytics.csv?table=daily")  # fmt: skip


async def main(members: int, rounds: int) -> None:
    folder = Path(tempfile.mkdtemp())
    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    config = parse_config(text)
    store = await SqlStore.open(f"sqlite+aiosqlite:///{folder / 'gk.db'}")
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    session = ConsoleSession(config, store, FakeClock(start), config_path=path)
    await session.start()
    started = time.perf_counter()
    for n in range(members):
        await session.feed(f"!group g{n % 5 + 1}")
        await session.feed(f"member{n}: hello, this is message {n}")
    fed = time.perf_counter() - started
    dash = Dashboard(ConsoleBot(session), path)
    link = dash.login_link().split("8080", 1)[1]
    transport = httpx.ASGITransport(dash.app)
    base = "http://127.0.0.1:8080"
    async with (
        httpx.AsyncClient(transport=transport, base_url=base) as web,
        httpx.AsyncClient(transport=transport, base_url=base) as anon,
    ):
        await web.get(link)
        print(f"{members} members in 5 groups (fed through the console in {fed:.1f}s)")
        print(f"{'page':34} {'median ms':>10} {'max ms':>8} {'bytes':>8}")
        for page in PAGES:
            times = []
            size = 0
            for _ in range(rounds):
                t0 = time.perf_counter()
                r = await (anon if page == "/login" else web).get(page)
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (page, r.status_code)
                size = len(r.content)
            label = page + ("  (reference)" if page == "/login" else "")
            print(f"{label:34} {statistics.median(times):10.2f} {max(times):8.2f} {size:8d}")
        # The bot's own pace while an owner opens the overview (its report
        # computed afresh in a thread): a message every 10 ms, each timed from
        # when it was due to when it was handled, against the same idle.
        idle = await _paced(session, lambda: False, 100)
        dash.reports.clear()
        opening = asyncio.create_task(web.get("/"))
        t0 = time.perf_counter()
        busy = await _paced(session, opening.done, 10_000)
        took = (time.perf_counter() - t0) * 1000
        for name, lags in (("idle (reference)", idle), ("during the overview", busy)):
            print(
                f"message lag {name}: {len(lags)} messages, median"
                f" {statistics.median(lags):.2f} ms, max {max(lags):.2f} ms"
            )
        print(f"the overview took {took:.0f} ms")
    await session.close()
    await store.close()


_SEQ = iter(range(10**9))


async def _paced(session: ConsoleSession, done: Callable[[], bool], most: int) -> list[float]:
    lags: list[float] = []
    due = time.perf_counter()
    while not done() and len(lags) < most:
        due += 0.01
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        n = next(_SEQ)
        await session.feed(f"pacer{n % 50}: paced message number {n}")
        lags.append((time.perf_counter() - due) * 1000)
    return lags


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.rounds))
