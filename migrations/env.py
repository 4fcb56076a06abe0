"""Alembic environment for groupkeeper.

Two ways in: `storage.migrate` hands over an open connection in
`config.attributes["connection"]` (the only way to migrate an in-memory SQLite
database the store then keeps using), or a hand-run `alembic` reads the URL
from `-x url=...`, `sqlalchemy.url` in alembic.ini, or GROUPKEEPER_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from storage.database import create_engine
from storage.models import Base

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def _url() -> str:
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("GROUPKEEPER_DATABASE_URL")
    )
    if not url:
        raise RuntimeError(
            "no database URL: pass -x url=..., set sqlalchemy.url or GROUPKEEPER_DATABASE_URL"
        )
    return url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite alters a table by copying it; batch mode does that. Foreign keys
        # are on, so copying a referenced table (communities) fails while rows
        # refer to it, where with cascades it would have emptied its children.
        render_as_batch=connection.dialect.name == "sqlite",
        # storage.database makes SQLAlchemy emit BEGIN on SQLite too, so its DDL
        # is transactional and a failed migration leaves nothing half done.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(url=_url(), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
elif (connection := config.attributes.get("connection")) is not None:
    _run(connection)
else:
    asyncio.run(_run_from_url(_url()))
