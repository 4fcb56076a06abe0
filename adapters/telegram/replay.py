"""`groupkeeper replay --platform telegram FILE`: recorded Bot API updates
through the real translate code and the engine, with a recording gateway.

Owners dry-run a new rules file against recorded traffic with it: each action
the bot would have taken is printed in the console's text or JSON format, then
one summary line with the count per kind. Without `--db` the run uses a
throwaway in-memory database, so a dry run never touches the real one. Bad
lines are reported with their number and skipped; the exit code is 1 when
there were any, 0 otherwise. It is the Telegram benchmark too
(bench/telegram_replay.py).

With `--db` the run keeps its position as the live runner does: the last
update_id goes with the batch that stores its effects, and a file replayed
again (after a crash, or to finish it) skips what was stored. The position is
the replay's own, so a recording replayed into the live database never makes
the live runner skip Telegram's updates.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from adapters.app import open_store, sql_stores
from adapters.console.gateway import Output
from adapters.console.session import render_text
from adapters.telegram.joins import JoinReports
from adapters.telegram.recording import RecordingGateway
from adapters.telegram.translate import (
    PLATFORM,
    AdminsChanged,
    BotStatusChanged,
    ButtonPressed,
    PollAnswered,
    admin_chat,
    read,
)
from bot.compose import open_engine
from bot.config import Config
from bot.core.clock import FakeClock, SystemClock
from bot.core.engine import Engine
from bot.core.events import Event, MemberJoined, MemberLeft
from bot.core.records import CursorRecord

THROWAWAY_DB = "sqlite+aiosqlite:///:memory:"

CURSOR = f"{PLATFORM}-replay"

_NO_ADMINS: frozenset[int] = frozenset()


class Replay:
    def __init__(self, config: Config, out: TextIO, *, json_output: bool) -> None:
        self.config = config
        self.out = out
        self.json_output = json_output
        self.counts: Counter[str] = Counter()
        self.updates = 0
        self.bad = 0
        # Updates stored by an earlier run into the same database.
        self.skipped = 0
        self.gateway = RecordingGateway(config.community.log_chat)
        # Admins as the recording shows them (promotions in chat_member updates).
        self.admins: dict[int, frozenset[int]] = {}
        self.joins = JoinReports()

    def emit(self, record: Output) -> None:
        if self.json_output:
            line = json.dumps(record.as_json(), ensure_ascii=False)
        else:
            line = render_text(record)
        self.out.write(line + "\n")

    def error(self, lineno: int, reason: str) -> None:
        self.bad += 1
        self.emit(Output("error", None, actor="replay", text=f"line {lineno}: {reason}"))

    async def run(self, engine: Engine, clock: FakeClock, lines: TextIO) -> None:
        gateway = self.gateway
        outputs = gateway.outputs
        community = self.config.community.slug
        cursor = await engine.kit.store.cursor(community, CURSOR)
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                update = json.loads(line)
                if not isinstance(update, dict) or "update_id" not in update:
                    raise ValueError("not a Bot API Update (no update_id)")
                chat_id = admin_chat(update)
                admins = self.admins.get(chat_id, _NO_ADMINS) if chat_id is not None else _NO_ADMINS
                items = read(update, admins=admins)
            except ValueError as exc:
                self.error(lineno, _reason(exc))
                continue
            update_id = update["update_id"]
            if isinstance(update_id, int):
                if cursor is not None and update_id <= cursor:
                    self.skipped += 1
                    continue
                cursor = update_id
            self.updates += 1
            # Its events reach the database together, with the position.
            with engine.writes.whole() if len(items) > 1 else nullcontext():
                for item in items:
                    if isinstance(item, AdminsChanged):
                        self._promote(item)
                        continue
                    if isinstance(item, BotStatusChanged | ButtonPressed | PollAnswered):
                        continue
                    if isinstance(item, MemberJoined | MemberLeft) and not self.joins.first(
                        item, service="message" in update
                    ):
                        continue  # the second report of one join (joins.py)
                    clock.set(item.at)
                    try:
                        await gateway.execute(await engine.handle(item))
                    except Exception as exc:
                        self.error(lineno, f"the engine failed: {exc!r}")
                        outputs.clear()
                        continue
                    for record in outputs:
                        self.counts[record.kind] += 1
                        self.emit(record)
                    outputs.clear()
            if isinstance(update_id, int):
                # After the update's events, as the live runner does: a batch
                # taken in between never carries the position without them.
                engine.writes.cursor(CursorRecord(community, CURSOR, update_id))

    def _promote(self, change: AdminsChanged) -> None:
        chat_id = int(change.chat.chat_id)
        user_id = int(change.user.user_id)
        admins = self.admins.get(chat_id, _NO_ADMINS)
        self.admins[chat_id] = admins | {user_id} if change.is_admin else admins - {user_id}

    def summary(self) -> None:
        counts = dict(sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])))
        if self.json_output:
            record: dict[str, Any] = {
                "kind": "summary",
                "updates": self.updates,
                "bad_lines": self.bad,
                "skipped": self.skipped,
                "actions": counts,
            }
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        done = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no actions"
        bad = f", {self.bad} bad lines skipped" if self.bad else ""
        if self.skipped:
            bad += f", {self.skipped} updates stored by an earlier run skipped"
        self.out.write(f"replayed {self.updates} updates{bad}: {done}\n")


def _resumes_at(path: Path, cursor: int) -> datetime | None:
    """When the first update after the stored position happened: the engine
    loads that day's counters, as the live bot would have restarting then."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                update = json.loads(line)
                if update["update_id"] <= cursor:
                    continue
                items = read(update)
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            for item in items:
                if isinstance(item, Event):
                    return item.at
    return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON ({exc.msg} at column {exc.colno})"
    return str(exc) or type(exc).__name__


async def replay_file(
    config: Config,
    db_url: str | None,
    path: Path,
    *,
    json_output: bool = False,
    out: TextIO | None = None,
) -> int:
    """Replay one JSON Lines file of Bot API updates; returns the exit code."""
    out = out or sys.stdout
    try:
        lines = path.open(encoding="utf-8")
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror}", file=sys.stderr)
        return 2
    store = await open_store(config, db_url or THROWAWAY_DB, migrate=db_url is not None)
    # Each update moves the clock to its own date, so windows, streaks and
    # mutes come out as they would have live.
    clock = FakeClock(SystemClock().now())
    replay = Replay(config, out, json_output=json_output)
    try:
        cursor = await store.cursor(config.community.slug, CURSOR)
        resumed = _resumes_at(path, cursor) if cursor is not None else None
        if resumed is not None:
            clock.set(resumed)
        # Into a database of its own the replay keeps what the live bot keeps
        # (activity days, spam samples, captchas), so a second run resumes
        # the first instead of counting its members again.
        stores = sql_stores(store) if db_url else None
        engine = await open_engine(config, store, clock, stores=stores, background_flush=False)
        with lines:
            await replay.run(engine, clock, lines)
        await engine.stop()
    finally:
        await store.close()
    replay.summary()
    return 1 if replay.bad else 0
