"""Start-up at scale: a community of 1,000,000 members in 2,000 groups (every
member with a membership and a ledger entry, a tenth with a warning's worth
of history: check-in streaks, message counts) is loaded from SQLite into a
running engine: `SqlStore.open` (migrations checked), `open_engine` (the
snapshot into memory, every feature built).

    .venv/bin/python bench/load.py [--members 1000000] [--groups 2000] [--db FILE]

The database is made once (a minute or two) and kept at `--db` for the next
run. The load runs in a fresh process, which reports its wall and CPU time
and its peak resident memory; the reference beside it, in the same run, is
that same process's memory before it loads anything (the interpreter and
the imported code). Targets: < 10 s, < 1 GiB. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

# BENCH_TREE: another checkout to measure (an older commit, for before/after).
ROOT = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from bot.compose import open_engine  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from storage.models.core import Group, Member, Membership, PointsEntry  # noqa: E402
from storage.sql_store import SqlStore  # noqa: E402

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
CHUNK = 50_000


def _rss_mib() -> float:
    """The peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _now_mib() -> float:
    """The resident memory now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def make(db: Path, members: int, groups: int, slug: str, name: str) -> None:
    store = await SqlStore.open(f"sqlite+aiosqlite:///{db}")
    await store.ensure_community(slug, name, "Asia/Shanghai")
    engine = store.engine
    per_group = members // groups
    async with engine.begin() as connection:
        await connection.execute(
            Group.__table__.insert(),
            [
                {
                    "community": slug, "chat_key": f"telegram:-100{g:06d}", "platform": "telegram",
                    "chat_id": f"-100{g:06d}", "title": f"{name} #{g + 1}", "serial": g + 1,
                    "capacity": per_group + 100, "state": "open", "member_count": per_group,
                    "created_at": START - timedelta(days=400),
                }
                for g in range(groups)
            ],
        )  # fmt: skip
    for first in range(0, members, CHUNK):
        span = range(first, min(first + CHUNK, members))
        rows: list[dict[str, Any]] = []
        seats: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        for m in span:
            key = f"telegram:{10_000_000 + m}"
            joined = START - timedelta(days=m % 365, seconds=m % 86_400)
            active = m % 10 == 0
            rows.append(
                {
                    "community": slug, "key": key, "platform": "telegram",
                    "user_id": str(10_000_000 + m), "name": f"Member {m}",
                    "username": f"member_{m}" if m % 2 else None, "role": "member",
                    "language": "zh" if m % 3 else "en", "joined_at": joined,
                    "last_seen": START - timedelta(hours=m % 500),
                    "message_count": (m * 7919) % 400 if active else m % 12,
                    "streak": m % 9 if active else 0,
                    "last_checkin": date(2026, 1, 4) if active else None,
                    "last_points_at": START - timedelta(hours=m % 300) if active else None,
                }
            )  # fmt: skip
            seats.append(
                {
                    "community": slug, "member_key": key,
                    "group_key": f"telegram:-100{m % groups:06d}", "joined_at": joined,
                    "left_at": None, "invite": None,
                }
            )  # fmt: skip
            entries.append(
                {
                    "community": slug, "member_key": key, "delta": 10 + m % 50,
                    "reason": "checkin", "key": f"checkin:{key}:2026-01-04",
                    "at": START - timedelta(days=1), "group_key": None,
                }
            )  # fmt: skip
        async with engine.begin() as connection:
            await connection.execute(Member.__table__.insert(), rows)
            await connection.execute(Membership.__table__.insert(), seats)
            await connection.execute(PointsEntry.__table__.insert(), entries)
        print(f"  made {span.stop:,} members", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    await store.close()


async def measure(db: Path, config_path: Path) -> dict[str, float]:
    """In a fresh process: open the store and start the engine."""
    config = load_config(config_path)
    before = _now_mib()
    w0, c0 = time.perf_counter(), time.process_time()
    store = await SqlStore.open(f"sqlite+aiosqlite:///{db}")
    engine = await open_engine(config, store, FakeClock(START), background_flush=False)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    members = len(engine.kit.directory.members)
    groups = len(engine.kit.directory.groups)
    peak = _rss_mib()
    await engine.stop()
    await store.close()
    return {
        "wall": wall, "cpu": cpu, "peak_mib": peak, "before_mib": before,
        "members": members, "groups": groups,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=2_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/groupkeeper-load-bench.db"))
    parser.add_argument("--config", type=Path, default=ROOT / "config.example.yaml")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.db, args.config))))
        return 0
    marker = args.db.with_suffix(".size")
    wanted = f"{args.members} {args.groups}"
    if not args.db.exists() or not marker.exists() or marker.read_text() != wanted:
        args.db.unlink(missing_ok=True)
        config = load_config(args.config)
        print(f"making {args.db} ...", file=sys.stderr)
        community = config.community
        asyncio.run(make(args.db, args.members, args.groups, community.slug, community.name))
        marker.write_text(wanted)
    done = subprocess.run(
        [sys.executable, __file__, "--measure", "--db", str(args.db), "--config", str(args.config)],
        capture_output=True, text=True, check=True, env=os.environ | {"BENCH_TREE": str(ROOT)},
    )  # fmt: skip
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"load: {r['members']:,} members in {r['groups']:,} groups from SQLite "
        f"({args.db.stat().st_size / 2**20:,.0f} MiB file)"
    )
    print(f"  start-up:  {r['wall']:6.2f} s wall, {r['cpu']:6.2f} s CPU   (target < 10 s)")
    print(
        f"  memory:    {r['peak_mib']:6.0f} MiB peak RSS (target < 1024); "
        f"{r['before_mib']:.0f} MiB of it before the load (interpreter and code, same process)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
