"""The outbox's rows on SQLite and PostgreSQL: stored with a batch, read
back unsent in order, a mark replaces its row, an action stored again (its
event handled again after a crash) keeps the row and its mark."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.records import CursorRecord, OutboxRecord, WriteBatch
from storage.sql_store import SqlStore

T0 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    sql_store = await SqlStore.open(database_url)
    await sql_store.ensure_community("c", "c", "UTC")
    try:
        yield sql_store
    finally:
        await sql_store.close()


def row(key: str, at: datetime, platform: str = "telegram") -> OutboxRecord:
    return OutboxRecord("c", key, platform, f'{{"@": "x", "k": "{key} 群"}}', at)


async def test_unsent_rows_come_back_oldest_first_and_marks_clear_them(store: SqlStore) -> None:
    second, first = row("telegram:9:0000", T0 + timedelta(seconds=1)), row("telegram:8:0000", T0)
    other = row("discord:1:0000", T0, platform="discord")
    await store.write(
        WriteBatch(outbox=[second, first, other], cursors=[CursorRecord("c", "telegram", 9)])
    )
    assert await store.unsent("c", "telegram") == [first, second]
    await store.write(WriteBatch(outbox=[replace(first, sent=True, payload="")]))
    assert await store.unsent("c", "telegram") == [second]
    assert await store.unsent("c", "discord") == [other]
    assert await store.cursor("c", "telegram") == 9


async def test_an_action_stored_again_keeps_its_row_and_its_mark(store: SqlStore) -> None:
    first = row("telegram:8:0000", T0)
    await store.write(WriteBatch(outbox=[first]))
    await store.write(WriteBatch(outbox=[replace(first, sent=True, payload="")]))
    # The same update handled again: its action is not stored unsent again.
    await store.write(WriteBatch(outbox=[replace(first, at=T0 + timedelta(minutes=1))]))
    assert await store.unsent("c", "telegram") == []
