"""The Alembic migrations: a stairway over every revision, and agreement with the models."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.database import create_engine
from storage.migrate import alembic_config, downgrade, upgrade, upgrade_async
from storage.models import Base


def _revisions() -> list[tuple[str, str]]:
    """(revision, the one below it), from the first to the head."""
    script = ScriptDirectory.from_config(alembic_config())
    steps = [
        (revision.revision, str(revision.down_revision or "base"))
        for revision in script.walk_revisions()
    ]
    return list(reversed(steps))


async def _inspect(url: str, look: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(look)
    finally:
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _schema_diff(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def test_the_revisions_form_one_line() -> None:
    script = ScriptDirectory.from_config(alembic_config())

    assert len(script.get_heads()) == 1
    assert _revisions()[0][1] == "base"


def test_every_revision_upgrades_downgrades_and_upgrades_again(database_url: str) -> None:
    for revision, below in _revisions():
        upgrade(database_url, revision)
        downgrade(database_url, below)
        upgrade(database_url, revision)

    downgrade(database_url, "base")
    assert asyncio.run(_inspect(database_url, _tables)) <= {"alembic_version"}


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    upgrade(database_url)

    assert asyncio.run(_inspect(database_url, _schema_diff)) == []
    assert asyncio.run(_inspect(database_url, _tables)) == {
        *Base.metadata.tables,
        "alembic_version",
    }


async def test_upgrade_async_runs_inside_an_event_loop_and_is_idempotent(
    database_url: str,
) -> None:
    await upgrade_async(database_url)
    await upgrade_async(database_url)

    assert await _inspect(database_url, _schema_diff) == []
