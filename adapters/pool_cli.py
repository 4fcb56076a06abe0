"""`groupkeeper pool status`: the community's groups per platform as the
database has them (members, places held by unused entry invites, where the
next newcomer goes) and the spare groups left in the pool.

It reads what a running bot last saved: counts queued in the bot's memory a
moment ago may not be there yet.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.app import open_store
from bot.config import Config
from bot.config.tiers import members_only
from bot.core.i18n import t
from bot.core.records import GroupRecord
from bot.features.overflow.commands import fill_lines
from bot.features.overflow.fill import first_with_room, open_groups, spare_groups
from storage.migrate import SchemaBehind
from storage.overflow_store import SqlOverflowStore


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
    load: Callable[[Path | None], Config | None],
) -> None:
    pool = sub.add_parser("pool", help="the overflow groups and the pool of spares")
    psub = pool.add_subparsers(dest="pool_command", required=True)
    status = psub.add_parser("status", help="each platform's groups, their fill and the spares")
    common(status)
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.set_defaults(func=lambda args: _status(args, load))


@dataclass(frozen=True, slots=True)
class PoolStatus:
    groups: list[GroupRecord]
    # group key -> places held by unused entry invites
    held: dict[str, int]
    log_chat: str | None
    # Members-only groups (a tier's): listed, never where newcomers go.
    closed: frozenset[str] = frozenset()

    def platforms(self) -> list[str]:
        return sorted({g.platform for g in self.groups if g.state in ("open", "spare")})


async def read_status(config: Config, db_url: str | None, now: datetime) -> PoolStatus:
    slug = config.community.slug
    try:
        store = await open_store(config, db_url, read_only=True)
    except SchemaBehind as exc:
        if exc.current is not None:
            raise
        # A database the bot never used: no group yet, nothing to migrate.
        return PoolStatus([], {}, config.community.log_chat, members_only(config.tiers))
    try:
        snapshot = await store.load(slug, now)
        saved = await SqlOverflowStore(store.engine).load_overflow(slug)
    finally:
        await store.close()
    held: dict[str, int] = {}
    for invite in saved.invites:
        if invite.expires_at > now:
            held[invite.group_key] = held.get(invite.group_key, 0) + 1
    return PoolStatus(snapshot.groups, held, config.community.log_chat, members_only(config.tiers))


def render(status: PoolStatus, config: Config) -> str:
    loc = config.community.locale
    lines = [t(loc, "overflow.groups_header", community=config.community.name)]

    def held(g: GroupRecord) -> int:
        return status.held.get(g.chat_key, 0)

    for platform in status.platforms():
        shown = open_groups(status.groups, platform, status.log_chat)
        spares = spare_groups(status.groups, platform)
        lines.append(f"[{platform}]")
        lines += fill_lines(loc, shown, held, first_with_room(shown, held, status.closed))
        lines.append(t(loc, "overflow.groups_spares", count=len(spares)))
        lines += [f"  {t(loc, 'overflow.pool_line', title=g.title)} ({g.chat_key})" for g in spares]
    if not status.platforms():
        lines.append(t(loc, "overflow.groups_none"))
    return "\n".join(lines)


def as_json(status: PoolStatus) -> dict[str, Any]:
    def held(g: GroupRecord) -> int:
        return status.held.get(g.chat_key, 0)

    out: dict[str, Any] = {}
    for platform in status.platforms():
        shown = open_groups(status.groups, platform, status.log_chat)
        entry = first_with_room(shown, held, status.closed)
        out[platform] = {
            "groups": [
                {
                    "chat": g.chat_key,
                    "serial": g.serial,
                    "title": g.title,
                    "members": g.member_count,
                    "held": held(g),
                    "capacity": g.capacity,
                    "entry": entry is not None and g.chat_key == entry.chat_key,
                }
                for g in shown
            ],
            "spares": [g.chat_key for g in spare_groups(status.groups, platform)],
        }
    return out


def _status(args: argparse.Namespace, load: Callable[[Path | None], Config | None]) -> int:
    config = load(args.config)
    if config is None:
        return 1
    status = asyncio.run(read_status(config, args.db, datetime.now(UTC)))
    if args.json:
        sys.stdout.write(json.dumps(as_json(status), ensure_ascii=False) + "\n")
    else:
        print(render(status, config))
    return 0
