"""`groupkeeper member export KEY` and `groupkeeper member erase KEY`: what
`/mydata` and `/forgetme` do for a member, done by an owner (a request that
came by mail, a member who left the platform).

Both start the community's engine on its database (no platform is reached),
so they keep exactly what `/forgetme` keeps. An erasure refuses while a bot
serves the community (`adapters.ops.offline`): it holds the member in memory
and would write some of it back.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable
from pathlib import Path

from adapters.app import open_existing, sql_stores
from adapters.ops.offline import CommunityServed, offline
from bot.compose import open_engine
from bot.config import Config
from bot.core.clock import SystemClock
from bot.core.i18n import t
from bot.features.mydata.feature import MyDataFeature

_MEMBER = re.compile(r"^(telegram|discord|console):[^\s:,]+$")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
    load: Callable[[Path | None], Config | None],
) -> None:
    member = sub.add_parser("member", help="a member's own data: a copy, or its erasure")
    msub = member.add_subparsers(dest="member_command", required=True)
    export = msub.add_parser("export", help="write everything stored about a member as JSON")
    common(export)
    export.add_argument("member", help="the member's key, e.g. telegram:1001")
    export.add_argument("--out", type=Path, default=None, help="the file (default: stdout)")
    export.set_defaults(func=lambda args: _export(args, load))
    erase = msub.add_parser("erase", help="erase a member's personal data (as /forgetme)")
    common(erase)
    erase.add_argument("member", help="the member's key, e.g. telegram:1001")
    erase.add_argument("--yes", action="store_true", help="erase (without it: only tell)")
    erase.set_defaults(func=lambda args: _erase(args, load))


def _export(args: argparse.Namespace, load: Callable[[Path | None], Config | None]) -> int:
    config = load(args.config)
    if config is None or not _valid(args.member):
        return 1
    body = asyncio.run(export_member(config, args.db, args.member))
    if body is None:
        print(f"no member {args.member} in {config.community.slug}", file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(body.decode("utf-8") + "\n")
    else:
        args.out.write_bytes(body)
        print(f"wrote {args.out} ({len(body)} bytes)")
    return 0


def _erase(args: argparse.Namespace, load: Callable[[Path | None], Config | None]) -> int:
    config = load(args.config)
    if config is None or not _valid(args.member):
        return 1
    try:
        lines = asyncio.run(erase_member(config, args.db, args.member, really=args.yes))
    except CommunityServed as served:
        print(f"groupkeeper: {served}", file=sys.stderr)
        return 1
    if lines is None:
        print(f"no member {args.member} in {config.community.slug}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def _valid(key: str) -> bool:
    if _MEMBER.match(key):
        return True
    print(f"{key!r} is not a member key (use e.g. telegram:1001)", file=sys.stderr)
    return False


async def export_member(config: Config, db_url: str | None, key: str) -> bytes | None:
    store = await open_existing(config, db_url)
    clock = SystemClock()
    engine = await open_engine(
        config, store, clock, stores=sql_stores(store), background_flush=False
    )
    try:
        member = engine.kit.directory.members.get(key)
        if member is None:
            return None
        return await engine.feature(MyDataFeature).data.export(member, clock.now())
    finally:
        await engine.stop()
        await store.close()


async def erase_member(
    config: Config, db_url: str | None, key: str, *, really: bool
) -> list[str] | None:
    """The lines to print: what was (or, without `really`, would be) kept
    and why, and what was erased. Raises `CommunityServed` (having done
    nothing) when `really` and a bot serves the community."""
    if really:
        async with offline(config, db_url, "member erase"):
            return await _erase_member(config, db_url, key, really=True)
    return await _erase_member(config, db_url, key, really=False)


async def _erase_member(
    config: Config, db_url: str | None, key: str, *, really: bool
) -> list[str] | None:
    store = await open_existing(config, db_url)
    clock = SystemClock()
    engine = await open_engine(
        config, store, clock, stores=sql_stores(store), background_flush=False
    )
    loc = config.community.locale
    try:
        member = engine.kit.directory.members.get(key)
        if member is None:
            return None
        data = engine.feature(MyDataFeature).data
        if not really:
            _, reasons = await data.kept(member, clock.now(), loc)
            head = [f"{key}: nothing erased yet (add --yes to erase).", t(loc, "mydata.would_keep")]
            return head + [f"  - {r}" for r in reasons]
        # Offline, the platforms are not reached: a season role the member
        # holds is not taken back (the running bot's /forgetme does).
        erased, reasons, _ = await data.forget(member, clock.now(), loc)
        lines = [f"{key}: erased."]
        lines += [f"  deleted {n} from {table}" for table, n in sorted(erased.deleted.items())]
        lines += [
            f"  made {n} anonymous in {table}" for table, n in sorted(erased.anonymised.items())
        ]
        lines.append(t(loc, "mydata.kept_head"))
        return lines + [f"  - {r}" for r in reasons]
    finally:
        await engine.stop()
        await store.close()
