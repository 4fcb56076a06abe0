"""A row the database refuses (a name with a lone surrogate, which recorded
or bridged input can carry) is set aside and reported; it never holds back
the rest of its batch nor any later one."""

from __future__ import annotations

import pytest

from bot.compose import open_engine
from bot.config import Config
from bot.core.actions import SendMessage
from bot.core.clock import FakeClock
from bot.core.engine import Engine
from bot.core.events import ChatRef, MessagePosted, UserRef
from storage.batch_writes import BatchWrites
from storage.sql_store import SqlStore
from tests.conftest import START
from tests.core.conftest import locked

G1 = ChatRef("console", "g1")


async def test_an_unstorable_row_is_quarantined_and_the_rest_stored(
    example_config: Config,
) -> None:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    engine = await open_engine(example_config, store, FakeClock(START), background_flush=False)
    # Straight into the core: the translators clean names, this is the
    # batcher's own guard for whatever gets past them.
    names = ["ann", "ben", "bad \ud800 name", "cat", "dov"]
    for n, name in enumerate(names, 1):
        await engine.handle(MessagePosted(G1, UserRef("console", f"u{n}", name), n, "签到", START))

    await engine.writes.flush()

    for n in (1, 2, 4, 5):
        assert [e.reason for e in await store.ledger("green-energy", f"console:u{n}")] == [
            "checkin"
        ]
    reports = [a for a in engine.outbox if isinstance(a, SendMessage)]
    assert len(reports) == 1
    assert reports[0].chat == ChatRef.parse(example_config.community.log_chat or "")
    assert "console:u3" in reports[0].text, reports[0].text

    # Later batches are not held back by it.
    await engine.handle(MessagePosted(G1, UserRef("console", "u6", "eve"), 6, "签到", START))
    await engine.writes.flush()
    assert [e.reason for e in await store.ledger("green-energy", "console:u6")] == ["checkin"]
    await engine.stop()
    await store.close()


async def test_a_database_that_cannot_be_written_sets_nothing_aside(
    checked_in: tuple[SqlStore, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's "database is locked" is the database, not a row: the batch
    waits whole for the next flush, as a dropped connection's would."""
    store, engine = checked_in

    with monkeypatch.context() as patch:
        patch.setattr(BatchWrites, "write", locked)
        with pytest.raises(ConnectionError):
            await engine.writes.flush()
    assert engine.outbox == []

    await engine.writes.flush()
    for n in range(1, 4):
        assert [e.reason for e in await store.ledger("green-energy", f"console:u{n}")] == [
            "checkin"
        ]
    await engine.stop()
