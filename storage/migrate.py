"""Run the Alembic migrations in `migrations/` without an alembic.ini.

`upgrade` and `downgrade` are for synchronous callers (the command line);
async code, such as the app on start, awaits `upgrade_async`. `run_upgrade`
migrates through a connection the caller already holds, which is the only way
to migrate an in-memory SQLite database that must outlive the migration.
"""

from __future__ import annotations

import asyncio
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy.engine import URL, Connection

from storage.database import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported where it runs: `check-config`, `--help` and a replay
# into a throwaway database (built from the models) never load it.


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    # The option goes through configparser interpolation, where % is special.
    location = str(resources.files("migrations")).replace("%", "%%")
    config.set_main_option("script_location", location)
    return config


def run_upgrade(connection: Connection, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


class SchemaBehind(RuntimeError):
    """A command that only reads found the schema older than this version's
    (or none): migrating is a write, which it must not do."""

    def __init__(self, current: str | None) -> None:
        self.current = current
        super().__init__(
            f"the database's schema is at {current or 'nothing'}, older than this version's:"
            " run `groupkeeper db upgrade` (as a role that may write) first"
        )


def check_head(connection: Connection) -> None:
    """Raises SchemaBehind unless the schema is at the migrations' head.
    Reads only (the version table), so a read-only role may ask."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    current = MigrationContext.configure(connection).get_current_heads()
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if set(current) != set(heads):
        raise SchemaBehind(current[0] if current else None)


def run_downgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def upgrade_async(url: str | URL, revision: str = "head") -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_upgrade, revision)
    finally:
        await engine.dispose()


async def downgrade_async(url: str | URL, revision: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_downgrade, revision)
    finally:
        await engine.dispose()


def upgrade(url: str | URL, revision: str = "head") -> None:
    asyncio.run(upgrade_async(url, revision))


def downgrade(url: str | URL, revision: str) -> None:
    asyncio.run(downgrade_async(url, revision))
