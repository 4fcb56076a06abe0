"""Commands that only read (`points export`, `pool status`, `report`) work
with a PostgreSQL role granted SELECT and nothing else, and write nothing:
not the repair that moves rows left under a chat's old id after a
supergroup upgrade (the bot's next start does that), not a migration."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from adapters.cli import _read_report
from adapters.points_cli import export_csv
from adapters.pool_cli import read_status
from bot.config import Config, load_config
from bot.core.records import ChatMoveRecord, GroupRecord, LedgerEntry, MemberRecord, WriteBatch
from storage.migrate import SchemaBehind, downgrade_async
from storage.models import Base
from storage.sql_store import SqlStore
from tests.ops.processes import community_file
from tests.storage.conftest import PostgresServer

OLD, NEW = "telegram:-5001", "telegram:-1005001"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return load_config(community_file(tmp_path, "community.yaml"))


@pytest.fixture
def databases(postgres_server: PostgresServer) -> Iterator[tuple[str, str]]:
    """A fresh database: its owner's URL, and a role's that may only SELECT."""
    name = postgres_server.create_database()
    role = f"reader_{uuid.uuid4().hex[:8]}"
    owner = postgres_server.url(name)
    try:
        yield owner, owner.replace(f"//{postgres_server.user}@", f"//{role}@")
    finally:
        postgres_server.drop_database(name)
        _psql(postgres_server, "postgres", f"DROP ROLE IF EXISTS {role}")


def _psql(server: PostgresServer, database: str, sql: str) -> None:
    subprocess.run(
        [str(server.bindir / "psql"), "-h", "127.0.0.1", "-p", str(server.port),
         "-U", server.user, "-d", database, "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True, capture_output=True,
    )  # fmt: skip


def _grant_select(server: PostgresServer, owner: str, reader: str) -> None:
    database = owner.rsplit("/", 1)[1]
    role = reader.split("//", 1)[1].split("@", 1)[0]
    _psql(
        server,
        database,
        f"CREATE ROLE {role} LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
    )


async def _seed(owner: str, slug: str) -> None:
    """A group upgraded to a supergroup, then a row written back under the
    old chat (a record the running bot held): the repair's work."""
    store = await SqlStore.open(owner)
    try:
        await store.ensure_community(slug, "Test", "UTC")
        await store.write(
            WriteBatch(
                members=[MemberRecord(slug, "telegram:1", "telegram", "1", name="Ann")],
                groups=[GroupRecord(slug, OLD, "telegram", "-5001", "Basic", created_at=T0)],
                ledger=[LedgerEntry(slug, "telegram:1", 10, "checkin", "c:1", T0, OLD)],
            )
        )
        await store.write(WriteBatch(moves=[ChatMoveRecord(slug, OLD, NEW, T0)]))
        late = LedgerEntry(slug, "telegram:1", 3, "event", "late:1", T0 + timedelta(hours=1), OLD)
        await store.write(WriteBatch(ledger=[late]))
    finally:
        await store.close()


async def _ledger_groups(url: str) -> list[str | None]:
    store = await SqlStore.open(url, read_only=True)
    try:
        async with store.engine.connect() as connection:
            ledger = Base.metadata.tables["points_ledger"]
            rows = await connection.execute(select(ledger.c.group_key).order_by(ledger.c.key))
            return [row[0] for row in rows]
    finally:
        await store.close()


@pytest.mark.postgres
async def test_reading_commands_work_with_a_select_only_role_and_write_nothing(
    postgres_server: PostgresServer, databases: tuple[str, str], config: Config
) -> None:
    owner, reader = databases
    slug = config.community.slug
    await _seed(owner, slug)
    _grant_select(postgres_server, owner, reader)
    # The repair would write, and the role may not: this is what the
    # commands did before they opened the store read-only.
    store = await SqlStore.open(reader)
    try:
        with pytest.raises(DBAPIError, match="permission denied"):
            await store.load(slug, T0)
    finally:
        await store.close()

    exported = await export_csv(config, reader)
    assert exported.splitlines() == ["member,name,points", "telegram:1,Ann,13"]
    status = await read_status(config, reader, T0)
    assert [g.chat_key for g in status.groups] == [OLD]
    report = await _read_report(config, reader, 30, T0.date())
    assert report is not None
    # Nothing was written: the late row waits under the old chat ...
    assert await _ledger_groups(owner) == [NEW, OLD]
    # ... for the bot's next start, whose load moves it.
    store = await SqlStore.open(owner)
    try:
        await store.load(slug, T0)
    finally:
        await store.close()
    assert await _ledger_groups(owner) == [NEW, NEW]


@pytest.mark.postgres
async def test_a_reading_command_does_not_migrate_an_older_schema(
    postgres_server: PostgresServer, databases: tuple[str, str], config: Config
) -> None:
    owner, _ = databases
    await _seed(owner, config.community.slug)
    await downgrade_async(owner, "-1")
    with pytest.raises(SchemaBehind, match="groupkeeper db upgrade"):
        await export_csv(config, owner)
    with pytest.raises(SchemaBehind):
        await read_status(config, owner, T0)
