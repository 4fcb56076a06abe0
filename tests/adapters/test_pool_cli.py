"""`groupkeeper pool status`: each platform's groups as the database has
them, with the places unused entry invites hold, the entry marked, and the
spare groups left."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.console.session import ConsoleSession
from bot.config import load_config
from bot.core.clock import FakeClock
from storage.sql_store import SqlStore
from tests.conftest import ROOT

CONFIG = ROOT / "tests" / "scenarios" / "overflow_small.yaml"


async def fill(db_url: str, lines: list[str]) -> None:
    """A console bot on the database plays `lines` and stops."""
    store = await SqlStore.open(db_url)
    session = ConsoleSession(load_config(CONFIG), store, FakeClock(datetime.now(UTC)))
    await session.start()
    try:
        await session.run(lines)
    finally:
        await session.close()
        await store.close()


def test_pool_status_shows_fill_held_places_the_entry_and_spares(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    asyncio.run(
        fill(
            db,
            [
                "[g1] olga: /groups",
                "[g2] olga: /pool add",
                "[g3] olga: /pool add",
                "[dm] a1: /start join-green-energy",
                "+a1 [g1]",
                "[dm] a2: /start join-green-energy",
            ],
        )
    )

    assert main(["pool", "status", "--config", str(CONFIG), "--db", db]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "👥 Groups of Green:",
        "[console]",
        "#1 g1: 1/3 + 1 invited (66%) ← newcomers go here",
        "Spare groups in the pool: 2",
        "  - g2 (console:g2)",
        "  - g3 (console:g3)",
    ]

    assert main(["pool", "status", "--config", str(CONFIG), "--db", db, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["console"]["groups"][0]["held"] == 1
    assert status["console"]["spares"] == ["console:g2", "console:g3"]


def test_pool_status_of_an_empty_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'gk.db'}"
    assert main(["pool", "status", "--config", str(CONFIG), "--db", db]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "👥 Groups of Green:",
        "No groups are open yet.",
    ]
