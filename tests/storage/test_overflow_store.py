"""SqlOverflowStore on SQLite and PostgreSQL: the entry gate's rows round-trip,
upsert by member (or note) key, go when named gone, and stay within their
community."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.features.overflow.records import (
    EntryInviteRecord,
    EntryStageRecord,
    OverflowChanges,
    OverflowNoteRecord,
)
from storage.overflow_store import SqlOverflowStore
from storage.sql_store import SqlStore

GREEN, BLUE = "green-energy", "blue-sky"
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
async def overflow(database_url: str) -> AsyncIterator[SqlOverflowStore]:
    store = await SqlStore.open(database_url)
    await store.ensure_community(GREEN, "Green Energy Founders", "Asia/Shanghai")
    await store.ensure_community(BLUE, "Blue Sky", "UTC")
    yield SqlOverflowStore(store.engine)
    await store.close()


def captcha(member: str, tries: int) -> EntryStageRecord:
    return EntryStageRecord(
        GREEN, member, "captcha", T0, "Ann Lee", "ann", expires_at=T0 + timedelta(minutes=5),
        answers="10\nten", tries_left=tries, request_key="telegram:-1001",
        joined_key="telegram:-1002",
    )  # fmt: skip


async def test_rows_round_trip_and_upsert_by_key(overflow: SqlOverflowStore) -> None:
    invite = EntryInviteRecord(GREEN, "telegram:1", "telegram:-1001", T0 + timedelta(minutes=10))
    waiting = EntryStageRecord(GREEN, "telegram:2", "waiting", T0, "Ben", None)
    note = OverflowNoteRecord(GREEN, "warned:telegram:overflow.pool_empty", 0, T0)
    await overflow.save_overflow(
        OverflowChanges(GREEN, invites=[invite], stages=[captcha("telegram:1", 3), waiting],
                        notes=[note])
    )  # fmt: skip
    moved = EntryInviteRecord(GREEN, "telegram:1", "telegram:-1003", T0 + timedelta(minutes=20))
    await overflow.save_overflow(
        OverflowChanges(GREEN, invites=[moved], stages=[captcha("telegram:1", 2)])
    )

    saved = await overflow.load_overflow(GREEN)
    assert saved.invites == [moved]
    assert sorted(saved.stages, key=lambda r: r.member_key) == [captcha("telegram:1", 2), waiting]
    assert saved.notes == [note]


async def test_gone_keys_are_deleted_and_communities_kept_apart(
    overflow: SqlOverflowStore,
) -> None:
    mine = EntryInviteRecord(GREEN, "telegram:1", "telegram:-1001", T0)
    theirs = EntryInviteRecord(BLUE, "telegram:1", "telegram:-2001", T0)
    note = OverflowNoteRecord(GREEN, "cloning:discord", 3, T0)
    await overflow.save_overflow(
        OverflowChanges(GREEN, invites=[mine], stages=[captcha("telegram:1", 3)], notes=[note])
    )
    await overflow.save_overflow(OverflowChanges(BLUE, invites=[theirs]))

    await overflow.save_overflow(
        OverflowChanges(
            GREEN,
            invites_gone=["telegram:1"],
            stages_gone=["telegram:1"],
            notes_gone=["cloning:discord"],
        )
    )

    green, blue = await overflow.load_overflow(GREEN), await overflow.load_overflow(BLUE)
    assert (green.invites, green.stages, green.notes) == ([], [], [])
    assert blue.invites == [theirs]


def test_an_empty_change_set_is_falsy() -> None:
    assert not OverflowChanges(GREEN)
    assert OverflowChanges(GREEN, notes_gone=["x"])
