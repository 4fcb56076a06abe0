"""How fast SqlStore writes, batched and row by row.

    .venv/bin/python bench/storage_write.py [--url URL] [--rows N] [--batch N]

Writes ledger entries plus the upserts of the members they touch, in batches,
to a fresh SQLite file (or to --url, which must point at an empty database);
then batches of ledger entries alone, the engine's usual batch (its members'
counters go in bulk now and then); then a few thousand entries one commit each
for comparison. It prints figures and asserts nothing about them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a plain script from a checkout, where the project is not installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.records import LedgerEntry, MemberRecord, WriteBatch
from storage.sql_store import SqlStore

COMMUNITY = "bench"
MEMBERS = 5_000
START = datetime(2026, 1, 1, tzinfo=UTC)


def _entry(i: int, prefix: str) -> LedgerEntry:
    return LedgerEntry(
        community=COMMUNITY,
        member_key=f"telegram:{i % MEMBERS}",
        delta=1,
        reason="message",
        key=f"{prefix}:telegram:-1001:{i}",
        at=START + timedelta(seconds=i),
        group_key="telegram:-1001",
    )


def _member(i: int) -> MemberRecord:
    return MemberRecord(
        community=COMMUNITY,
        key=f"telegram:{i % MEMBERS}",
        platform="telegram",
        user_id=str(i % MEMBERS),
        name=f"member {i % MEMBERS}",
        last_seen=START + timedelta(seconds=i),
        message_count=i // MEMBERS + 1,
    )


def _batch(first: int, size: int) -> WriteBatch:
    indexes = range(first, first + size)
    return WriteBatch(
        ledger=[_entry(i, "msg") for i in indexes],
        members=[_member(i) for i in indexes],
    )


def _report(label: str, rows: int, seconds: float) -> float:
    rate = rows / seconds
    print(f"{label:<34} {rows:>9,} rows {seconds:>8.2f} s {rate:>11,.0f} rows/s "
          f"{seconds / rows * 1e6:>8.1f} µs/row")  # fmt: skip
    return rate


async def _run(url: str, rows: int, batch_size: int, single_rows: int) -> None:
    store = await SqlStore.open(url)
    try:
        await store.ensure_community(COMMUNITY, "Bench", "UTC")
        print(f"database: {store.engine.url.render_as_string(hide_password=True)}")

        # Each batch holds batch_size ledger entries and as many member upserts.
        batches = [_batch(first, batch_size) for first in range(0, rows, batch_size)]
        written = sum(len(batch) for batch in batches)
        started = time.perf_counter()
        for batch in batches:
            await store.write(batch)
        batched = _report(
            f"batches of {batch_size} entries + members", written, time.perf_counter() - started
        )

        started = time.perf_counter()
        for batch in batches[:20]:
            await store.write(batch)
        _report(
            "replayed batches (all duplicates)", 20 * 2 * batch_size, time.perf_counter() - started
        )

        ledger_only = [
            WriteBatch(ledger=[_entry(i, "solo") for i in range(first, first + batch_size)])
            for first in range(0, rows // 2, batch_size)
        ]
        started = time.perf_counter()
        for batch in ledger_only:
            await store.write(batch)
        _report(
            f"batches of {batch_size} entries alone",
            sum(len(batch) for batch in ledger_only),
            time.perf_counter() - started,
        )

        singles = [WriteBatch(ledger=[_entry(i, "single")]) for i in range(single_rows)]
        started = time.perf_counter()
        for single in singles:
            await store.write(single)
        one_by_one = _report("one commit per row", single_rows, time.perf_counter() - started)

        print(f"batching writes {batched / one_by_one:,.0f}x more rows per second")
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an empty database; default: a temporary SQLite file")
    parser.add_argument("--rows", type=int, default=200_000, help="ledger entries to write")
    parser.add_argument("--batch", type=int, default=500, help="ledger entries per batch")
    parser.add_argument("--single", type=int, default=2_000, help="rows written one by one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="groupkeeper-bench-") as directory:
        url = args.url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(_run(url, args.rows, args.batch, args.single))


if __name__ == "__main__":
    main()
