"""The command line's operations: `run --config-dir DIR`, `db backup FILE`
and `db restore FILE` (kept here so adapters/cli.py only registers them)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.app import database_url
from bot.config import Config

Load = Callable[[Path | None], Config | None]


def add_backup_parsers(
    dbsub: Any, common: Callable[[argparse.ArgumentParser], None], load: Load
) -> None:
    backup = dbsub.add_parser("backup", help="copy the database to FILE (SQLite; pg_dump)")
    common(backup)
    backup.add_argument("file", type=Path)
    backup.set_defaults(func=lambda args: _backup(args, load, restoring=False))
    restore = dbsub.add_parser("restore", help="restore FILE into an empty database")
    common(restore)
    restore.add_argument("file", type=Path)
    restore.set_defaults(func=lambda args: _backup(args, load, restoring=True))


def _backup(args: argparse.Namespace, load: Load, *, restoring: bool) -> int:
    from adapters.ops.backup import BackupError, backup, restore
    from adapters.ops.db_failure import kind_line

    config = load(args.config)
    if config is None:
        return 1
    url = database_url(config, args.db)
    try:
        outcome = (restore if restoring else backup)(url, args.file)
    except BackupError as exc:
        said = str(exc)
        if exc.kind is not None:
            said = kind_line(exc.kind, url, exc.detail, config.community.locale)
        print(f"groupkeeper: {said}", file=sys.stderr)
        return 1
    print(outcome.message)
    return 0


def community_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def run_config_dir(folder: Path, db_url: str | None, load: Load) -> int:
    """Every community file in the folder, each with a platform token, each
    community once."""
    from adapters.ops.fleet import Community, run_fleet
    from adapters.start_failure import malformed

    if not folder.is_dir():
        print(f"groupkeeper: {folder}: not a folder", file=sys.stderr)
        return 1
    files = community_files(folder)
    if not files:
        print(f"groupkeeper: {folder}: no community file (*.yaml) in it", file=sys.stderr)
        return 1
    communities: list[Community] = []
    seen: dict[str, Path] = {}
    failed = False
    # discord.py talks to one Discord per process (`adapters.discord.client.point_at`).
    discord_at: tuple[Path, tuple[str | None, str | None]] | None = None
    for path in files:
        config = load(path)
        if config is None:
            failed = True
            continue
        slug = config.community.slug
        if slug in seen:
            print(
                f"groupkeeper: {path}: community.slug: {slug!r} is also {seen[slug].name}'s",
                file=sys.stderr,
            )
            failed = True
            continue
        seen[slug] = path
        platforms = config.platforms
        wanted = [
            n
            for n, token in (
                ("telegram", platforms.telegram.token),
                ("discord", platforms.discord.token),
            )
            if token
        ]
        if not wanted:
            print(f"groupkeeper: {path}: platforms: no platform token set", file=sys.stderr)
            failed = True
            continue
        for line in malformed(config, wanted) or _unusable(config, db_url):
            print(f"groupkeeper: {path}: {line}", file=sys.stderr)
            failed = True
        if "discord" in wanted:
            endpoints = (platforms.discord.api_url, platforms.discord.gateway_url)
            if discord_at is None:
                discord_at = (path, endpoints)
            elif discord_at[1] != endpoints:
                print(
                    f"groupkeeper: {path}: platforms.discord.api_url/gateway_url: differ from"
                    f" {discord_at[0].name}'s (one process talks to one Discord)",
                    file=sys.stderr,
                )
                failed = True
        communities.append(Community(path, tuple(wanted)))
    if failed:
        return 1
    # Logging and metrics are the process's: the first file's settings.
    load(files[0])
    return asyncio.run(run_fleet(communities, db_url))


def _unusable(config: Config, db_url: str | None) -> list[str]:
    """The community's database as `run` finds it at start: one that cannot
    be used is said here, not waited for by a standby without end."""
    from adapters.ops.db_failure import unusable

    line = asyncio.run(unusable(config, db_url))
    return [line] if line else []
