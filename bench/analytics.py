"""Report generation over a large community: 100 groups, 90 days, 1 million
messages, inserted as the aggregates the bot keeps (daily counters per group,
members' activity days, memberships), not as messages.

    .venv/bin/python bench/analytics.py [--groups 100] [--days 90] [--messages 1000000]

Prints the time to read the aggregates and compute every metric, to draw the
charts and write the HTML, and the file's size. Not a test: figures go in the
closing notes. Target: under 5 s in all.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from adapters.report import build_report, render_html  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.features.analytics.metrics import COUNTERS  # noqa: E402
from storage.models.analytics import MemberActivity  # noqa: E402
from storage.models.core import DailyStats, Group, Member, Membership  # noqa: E402
from storage.sql_store import SqlStore  # noqa: E402

TODAY = date(2026, 4, 1)


async def populate(store: SqlStore, slug: str, groups: int, days: int, messages: int) -> int:
    rng = random.Random(7)
    members_per_group = 300
    start = TODAY - timedelta(days=days - 1)
    per_day = messages // (groups * days)
    stats, activity, members, memberships = [], [], [], []
    for g in range(groups):
        key = f"telegram:-{1000000 + g}"
        people = [f"telegram:{g * members_per_group + m}" for m in range(members_per_group)]
        for n, who in enumerate(people):
            joined = start + timedelta(days=rng.randrange(days)) if n % 3 else start
            at = datetime(joined.year, joined.month, joined.day, 4, tzinfo=UTC)
            members.append({"community": slug, "key": who, "platform": "telegram",
                            "user_id": who[9:], "name": f"user{who[9:]}", "username": None,
                            "role": "member", "language": None, "joined_at": at,
                            "last_seen": at, "message_count": 0, "streak": 0,
                            "last_checkin": None, "last_points_at": None})  # fmt: skip
            memberships.append({"community": slug, "member_key": who, "group_key": key,
                                "joined_at": at, "left_at": None, "invite": None})  # fmt: skip
        for d in range(days):
            day = start + timedelta(days=d)
            active = rng.sample(people, rng.randint(20, 60))
            row = {name: 0 for name in COUNTERS}
            row.update(messages=per_day, active_members=len(active), joins=rng.randint(0, 5),
                       leaves=rng.randint(0, 3), checkins=len(active) // 3)  # fmt: skip
            stats.append({"community": slug, "group_key": key, "day": day, **row})
            activity += [
                {"community": slug, "group_key": key, "member_key": who, "day": day}
                for who in active
            ]
    async with store.engine.begin() as conn:
        await conn.execute(insert(Group), [
            {"community": slug, "chat_key": f"telegram:-{1000000 + g}", "platform": "telegram",
             "chat_id": str(-1000000 - g), "title": f"Founders #{g + 1}", "serial": g + 1,
             "capacity": 500, "state": "open", "member_count": 300, "created_at": None}
            for g in range(groups)
        ])  # fmt: skip
        for table, rows in ((Member, members), (Membership, memberships),
                            (DailyStats, stats), (MemberActivity, activity)):  # fmt: skip
            for i in range(0, len(rows), 5000):
                await conn.execute(insert(table), rows[i : i + 5000])
    return len(activity)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--report-days", type=int, default=30)
    args = parser.parse_args()
    config = load_config(ROOT / "config.example.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        c = config.community
        await store.ensure_community(c.slug, c.name, c.timezone)
        t0 = time.perf_counter()
        rows = await populate(store, c.slug, args.groups, args.days, args.messages)
        print(f"setup:  {args.messages:,} messages as {args.groups * args.days:,} daily rows"
              f" and {rows:,} activity days, {time.perf_counter() - t0:.1f} s")  # fmt: skip
        t0 = time.perf_counter()
        report = await build_report(config, store, args.report_days, TODAY)
        t1 = time.perf_counter()
        page = render_html(report, c.locale)
        t2 = time.perf_counter()
        await store.close()
    print(f"read + metrics ({len(report.groups)} groups, {args.report_days} days): {t1 - t0:.2f} s")
    print(f"charts + HTML ({len(page) / 1e6:.1f} MB): {t2 - t1:.2f} s")
    print(f"report: {t2 - t0:.2f} s (target < 5 s)")


if __name__ == "__main__":
    asyncio.run(main())
