"""`groupkeeper points export --csv` and `groupkeeper points import FILE.csv`:
balances out for a spreadsheet, and balances in when moving from another bot.

An import is one ledger entry per member, keyed `import:<member>`, so running
the same import twice changes nothing. An import refuses while a bot serves
the community (`adapters.ops.offline`): it keeps balances in memory and would
not see the entries until it starts again.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from adapters.app import open_existing, open_store
from adapters.ops.offline import CommunityServed, offline
from bot.config import Config
from bot.core.records import LedgerEntry
from storage.economy_store import SqlEconomyStore

IMPORT_REASON = "import"
_MEMBER = re.compile(r"^(telegram|discord|console):[^\s:,]+$")


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
    load: Callable[[Path | None], Config | None],
) -> None:
    points = sub.add_parser("points", help="export or import points balances")
    psub = points.add_subparsers(dest="points_command", required=True)
    export = psub.add_parser("export", help="print member,name,points as CSV")
    common(export)
    export.add_argument("--csv", action="store_true", help="CSV (the only format)")
    export.set_defaults(func=lambda args: _export(args, load))
    imp = psub.add_parser("import", help="add balances from a CSV of member,points")
    common(imp)
    imp.add_argument("file", type=Path, help="CSV: member (e.g. telegram:1001), points")
    imp.set_defaults(func=lambda args: _import(args, load))


def _export(args: argparse.Namespace, load: Callable[[Path | None], Config | None]) -> int:
    config = load(args.config)
    if config is None:
        return 1
    sys.stdout.write(asyncio.run(export_csv(config, args.db)))
    return 0


async def export_csv(config: Config, db_url: str | None) -> str:
    slug = config.community.slug
    store = await open_existing(config, db_url, read_only=True)
    try:
        balances = await SqlEconomyStore(store.engine).balances(slug)
        snapshot = await store.load(slug, datetime.now(UTC))
    finally:
        await store.close()
    names = {m.key: m.name or m.username or "" for m in snapshot.members}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["member", "name", "points"])
    for key, points in sorted(balances.items(), key=lambda kv: (-kv[1], kv[0])):
        writer.writerow([key, names.get(key, ""), points])
    return out.getvalue()


def parse_import(text: str) -> tuple[dict[str, int], list[str]]:
    """member -> points, and every problem as `line N: reason`."""
    rows: dict[str, int] = {}
    errors: list[str] = []
    for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if not row or not "".join(row).strip():
            continue
        member, points = row[0].strip(), (row[-1].strip() if len(row) > 1 else "")
        if n == 1 and member.lower() == "member":
            continue
        if not _MEMBER.match(member):
            errors.append(f"line {n}: {member!r} is not a member (use e.g. telegram:1001)")
        elif not re.fullmatch(r"-?\d{1,9}", points):
            errors.append(f"line {n}: {points!r} is not a whole number of points")
        elif member in rows:
            errors.append(f"line {n}: {member} appears twice")
        else:
            rows[member] = int(points)
    return rows, errors


def _import(args: argparse.Namespace, load: Callable[[Path | None], Config | None]) -> int:
    config = load(args.config)
    if config is None:
        return 1
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    rows, errors = parse_import(text)
    if errors:
        for line in errors:
            print(f"{args.file}: {line}", file=sys.stderr)
        print("nothing imported", file=sys.stderr)
        return 1
    try:
        added, skipped = asyncio.run(import_balances(config, args.db, rows))
    except CommunityServed as served:
        print(f"groupkeeper: {served}", file=sys.stderr)
        return 1
    print(f"imported {added} balances" + (f", {skipped} already imported" if skipped else ""))
    return 0


async def import_balances(
    config: Config, db_url: str | None, rows: dict[str, int]
) -> tuple[int, int]:
    slug = config.community.slug
    now = datetime.now(UTC)
    entries = [
        LedgerEntry(slug, member, points, IMPORT_REASON, f"import:{member}", now)
        for member, points in rows.items()
        if points
    ]
    async with offline(config, db_url, "points import"):
        store = await open_store(config, db_url)
        try:
            c = config.community
            await store.ensure_community(slug, c.name, c.timezone)
            stored = await SqlEconomyStore(store.engine).save([], entries)
        finally:
            await store.close()
    return len(entries) - len(stored), len(stored)
