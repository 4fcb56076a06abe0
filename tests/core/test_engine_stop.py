"""Stopping the engine: every feature is stopped even when one before it,
or the last flush, fails (a feature's stop saves what it keeps in memory:
the purge history, the hint's note), and the failure is still raised."""

from __future__ import annotations

import logging

import pytest

from bot.compose import open_engine
from bot.config import Config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.conftest import START


async def test_a_failing_stop_does_not_keep_the_features_after_it_from_stopping(
    example_config: Config, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    engine = await open_engine(example_config, store, FakeClock(START), background_flush=False)
    first, *rest = engine.features
    stopped: list[str] = []

    async def fails() -> None:
        raise RuntimeError("the first feature could not save")

    monkeypatch.setattr(first, "stop", fails)
    for feature in rest:

        async def records(name: str = type(feature).__name__) -> None:
            stopped.append(name)

        monkeypatch.setattr(feature, "stop", records)
    caplog.set_level(logging.ERROR)

    with pytest.raises(RuntimeError, match="could not save"):
        await engine.stop()

    assert stopped == [type(f).__name__ for f in rest]
    assert "could not save" in caplog.text
    await store.close()


async def test_a_failing_last_flush_still_stops_every_feature(
    example_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:")
    engine = await open_engine(example_config, store, FakeClock(START), background_flush=False)
    stopped: list[str] = []
    for feature in engine.features:

        async def records(name: str = type(feature).__name__) -> None:
            stopped.append(name)

        monkeypatch.setattr(feature, "stop", records)

    async def unreachable() -> None:
        raise ConnectionError("the database refused the write")

    monkeypatch.setattr(engine.kit.writes, "close", unreachable)

    with pytest.raises(ConnectionError):
        await engine.stop()

    assert stopped == [type(f).__name__ for f in engine.features]
    await store.close()
