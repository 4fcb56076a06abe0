"""Soft member fields (last seen, message count) go to the database every
`soft_interval` seconds, not with every batch: what a crash may cost is
that interval's counts, never a point. A batch that moves a platform's
cursor still takes them (the updates it covers are never handled again),
and so does shutdown."""

from __future__ import annotations

from datetime import timedelta

from bot.core.batcher import WriteBehind
from bot.core.records import CursorRecord, LedgerEntry, MemberRecord
from storage.sql_store import SqlStore
from tests.conftest import START

C = "green-energy"


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _ann(count: int) -> MemberRecord:
    return MemberRecord(C, "console:ann", "console", "ann", "Ann", message_count=count)


async def _stored_count(store: SqlStore) -> int | None:
    snapshot = await store.load(C, START)
    found = [m.message_count for m in snapshot.members if m.key == "console:ann"]
    return found[0] if found else None


def _paid(n: int) -> LedgerEntry:
    return LedgerEntry(C, "console:ben", 1, "message", f"msg:g1:{n}", START + timedelta(seconds=n))


async def _opened() -> tuple[SqlStore, Ticks, WriteBehind]:
    """A fresh store and a batcher whose soft interval runs on `ticks`."""
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    await store.ensure_community(C, "Green", "UTC")
    ticks = Ticks()
    return store, ticks, WriteBehind(store, soft_interval=30.0, monotonic=ticks)


async def test_soft_fields_wait_for_the_interval_and_a_cursor_or_shutdown() -> None:
    store, ticks, writes = await _opened()
    writes.member(_ann(0))
    await writes.flush()
    assert await _stored_count(store) == 0
    for n in range(1, 60):
        # Ann keeps talking (soft), Ben's points keep the batches coming.
        writes.member(_ann(n), soft=True)
        writes.ledger(_paid(n))
        ticks.now += 0.25
        await writes.flush()
    # Fifty-nine batches in under 15 s: the ledger is stored, Ann's count not yet.
    assert len(await store.ledger(C, "console:ben", limit=100)) == 59
    assert await _stored_count(store) == 0
    ticks.now += 16
    writes.member(_ann(60), soft=True)
    await writes.flush()
    assert await _stored_count(store) == 60
    # Within the next interval only a cursor takes them at once ...
    writes.member(_ann(61), soft=True)
    await writes.flush()
    assert await _stored_count(store) == 60
    writes.cursor(CursorRecord(C, "console", 7))
    await writes.flush()
    assert await _stored_count(store) == 61
    # ... and shutdown.
    writes.member(_ann(62), soft=True)
    await writes.close()
    assert await _stored_count(store) == 62
    await store.close()


async def test_a_crash_loses_soft_counts_of_the_interval_and_no_point() -> None:
    store, _, writes = await _opened()
    writes.member(_ann(1))
    await writes.flush()
    writes.member(_ann(2), soft=True)
    writes.ledger(_paid(1))
    await writes.flush()
    writes.abandon()
    assert await _stored_count(store) == 1
    assert [e.key for e in await store.ledger(C, "console:ben")] == ["msg:g1:1"]
    await store.close()
