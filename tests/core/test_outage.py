"""A database out of reach while the bot serves (SQLite locked, a dropped
connection): the write-behind says so once, keeps every row, says once when
the database answers again, and the log chat hears it with the next event."""

from __future__ import annotations

import logging

import pytest

from bot.config import Config
from bot.core.actions import SendMessage
from bot.core.engine import Engine
from bot.core.events import ChatRef
from bot.core.outage import Outage
from storage.batch_writes import BatchWrites
from storage.sql_store import SqlStore
from tests.core.conftest import locked

G1 = ChatRef("console", "g1")


async def test_an_outage_is_said_once_and_its_end_once(
    example_config: Config,
    checked_in: tuple[SqlStore, Engine],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, engine = checked_in

    caplog.set_level(logging.INFO, logger="bot.core.batcher")
    with monkeypatch.context() as patch:
        patch.setattr(BatchWrites, "write", locked)
        for _ in range(20):  # two seconds of the background flush's retries
            await engine.writes._flush_logged()
    down = [r for r in caplog.records if "cannot reach the database" in r.getMessage()]
    assert len(down) == 1 and down[0].exc_info is None
    assert len(caplog.records) == 1
    assert engine.outbox == []

    await engine.writes._flush_logged()
    back = [r.getMessage() for r in caplog.records if "database answers again" in r.getMessage()]
    assert len(back) == 1 and "(20 tries)" in back[0]
    for n in range(1, 4):
        assert [e.reason for e in await store.ledger("green-energy", f"console:u{n}")] == [
            "checkin"
        ]
    [told] = [a for a in engine.outbox if isinstance(a, SendMessage)]
    assert told.chat == ChatRef.parse(example_config.community.log_chat or "")
    assert "数据库" in told.text  # the example community speaks Chinese
    # A flush with nothing to write says nothing more.
    await engine.writes._flush_logged()
    assert len(caplog.records) == 2
    await engine.stop()


def test_a_fault_that_is_not_the_database_s_is_said_every_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outage = Outage()
    for _ in range(3):
        outage.failed(ValueError("a bug"))
    assert [r.exc_info is not None for r in caplog.records] == [True, True, True]
    assert outage.since is None
