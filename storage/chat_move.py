"""A group's past follows its chat to a new id (a Telegram group upgraded to
a supergroup, `ChatMoved`).

`move_chat` runs inside the transaction of the write-behind batch that
carries the move (`ChatMoveRecord`), after the batch's other rows and before
its daily stats, so the batch commits the move whole or not at all: a crash
mid-way leaves every row where it was and the platform's cursor before the
update, whose replay moves the group again. Every step only moves rows still
filed under the old key, so running it again (a replay, a second `ChatMoved`
for the same pair, the sweep at start) changes nothing.

Where a row exists under both keys, it is merged rather than duplicated:

- `daily_stats` (one row per group and day): every counter is summed; the
  day's active members are the most of the two rows and of the members the
  activity table holds for that day in either chat (a member active in both
  chats that day is one active member, and the activity table is written
  later than the counters, so it may know fewer);
- `member_activity` (member, group, day): one row is kept;
- `memberships` (member, group): the earlier `joined_at` and the old row's
  invite (how the member first came in), the newer row's `left_at`
  (whether they are still there);
- `post_runs` (post, group, fire time): the new chat's row is kept.

Left under the old key, on purpose: the `groups` row itself (it stays, as
state `moved`, the marker of the move); rows that name a message of the old
chat by its number (`flags`, pins and polls in `feature_notes`, purge notes,
`outbox` payloads): message ids count per chat, so a flag moved to the new
chat would make `/resolve` delete an unrelated message there, and a new
report of the new chat's message with the same number would be taken for the
old one; and ledger idempotency keys (`msg:telegram:<old>:<id>`), which name
old messages too and must stay unique as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.engine_store import dialect_insert
from storage.models import Base

# The note of a move (`feature_notes`, kind `chat_moved`, key the old chat):
# what the sweep at start reads to finish a move that a stale in-memory
# record undid afterwards.
MOVED_KIND = "chat_moved"

Merge = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Moved:
    """A column holding a chat key, and how rows under both keys merge (None:
    the column is in no unique key, rows are simply refiled)."""

    table: str
    column: str
    # The other columns of the unique key the chat column belongs to.
    peers: tuple[str, ...] = ()
    merge: Merge | None = None


def _keep_new(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return new


def _membership(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {
        "joined_at": min(old["joined_at"], new["joined_at"]),
        "left_at": new["left_at"],
        "invite": old["invite"] if old["invite"] is not None else new["invite"],
    }


_NOT_COUNTERS = frozenset({"community", "group_key", "day", "active_members"})


def _daily(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    summed = {k: old[k] + new[k] for k in new if k not in _NOT_COUNTERS}
    # Raised further from the merged activity table (see `_active_members`).
    summed["active_members"] = max(old["active_members"], new["active_members"])
    return summed


# Every column of the schema that holds a chat key, with what happens to it.
# `tests/storage/test_chat_move.py` fails when a table gains one unlisted.
MOVED: tuple[Moved, ...] = (
    # Before daily_stats: its active members are counted from the union.
    Moved("member_activity", "group_key", ("member_key", "day"), _keep_new),
    Moved("daily_stats", "group_key", ("day",), _daily),
    Moved("memberships", "group_key", ("member_key",), _membership),
    Moved("post_runs", "group_key", ("post_id", "fire_time"), _keep_new),
    Moved("points_ledger", "group_key"),
    Moved("mod_cases", "group_key"),
    Moved("risk_alerts", "group_key"),
    Moved("lockdowns", "group_key"),
    Moved("events", "group_key"),
    Moved("referrals", "group_key"),
    Moved("payments", "group_key"),
    Moved("entry_invites", "group_key"),
    Moved("entry_stages", "request_key"),
    Moved("entry_stages", "joined_key"),
)
# Chat-key columns left under the old key, and why (see the docstring above).
STAYS: dict[tuple[str, str], str] = {
    ("groups", "chat_key"): "the old record stays, state moved: the marker of the move",
    ("flags", "group_key"): "names a message of the old chat by its number",
}
# Chat keys inside a text column: scheduled posts' comma-separated groups.
LISTS: tuple[tuple[str, str], ...] = (("scheduled_posts", "groups"),)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


async def move_chat(
    conn: AsyncConnection,
    community: str,
    old: str,
    new: str,
    at: datetime | None = None,
    *,
    note: bool = True,
) -> None:
    """File every row of the community under chat key `old` under `new`,
    merging rows that exist under both (see the module's docstring). A
    table with nothing under `old` is only read: the sweep at start writes
    nothing when there is nothing left to move."""
    if old == new:
        return
    for moved in MOVED:
        table = _table(moved.table)
        column = table.c[moved.column]
        mine = and_(table.c.community == community, column == old)
        if await conn.scalar(select(literal(1)).where(mine).limit(1)) is None:
            continue
        if moved.merge is not None:
            await _merge_both(conn, community, old, new, moved)
        await conn.execute(update(table).where(mine).values({moved.column: new}))
    for name, column_name in LISTS:
        await _move_in_lists(conn, _table(name), column_name, community, old, new)
    if note:
        await _note(conn, community, old, new, at or datetime.now(UTC))


async def _merge_both(
    conn: AsyncConnection, community: str, old: str, new: str, moved: Moved
) -> None:
    """Rows under both keys: the new one takes the merge, the old one goes."""
    assert moved.merge is not None
    table = _table(moved.table)
    chat = table.c[moved.column]
    mine = table.c.community == community
    theirs = table.alias("theirs")
    same = and_(
        theirs.c.community == community,
        theirs.c[moved.column] == new,
        *(theirs.c[p] == table.c[p] for p in moved.peers),
    )
    pairs = (
        await conn.execute(
            select(table, theirs).select_from(table.join(theirs, same)).where(mine, chat == old)
        )
    ).all()
    width = len(table.c)
    names = [c.name for c in table.c]
    for row in pairs:
        old_row = dict(zip(names, row[:width], strict=True))
        new_row = dict(zip(names, row[width:], strict=True))
        merged = moved.merge(old_row, new_row)
        if moved.table == "daily_stats":
            merged["active_members"] = max(
                merged["active_members"],
                await _active_members(conn, community, new, new_row["day"]),
            )
        where = [table.c[p] == new_row[p] for p in moved.peers]
        if merged is not new_row:
            await conn.execute(update(table).where(mine, chat == new, *where).values(merged))
        await conn.execute(
            delete(table).where(mine, chat == old, *(table.c[p] == old_row[p] for p in moved.peers))
        )


async def _active_members(conn: AsyncConnection, community: str, group: str, day: Any) -> int:
    """Members the activity table holds for the group and day (already
    merged: `member_activity` moves first)."""
    activity = _table("member_activity")
    found = await conn.scalar(
        select(func.count()).where(
            activity.c.community == community,
            activity.c.group_key == group,
            activity.c.day == day,
        )
    )
    return int(found or 0)


async def _move_in_lists(
    conn: AsyncConnection, table: Table, column_name: str, community: str, old: str, new: str
) -> None:
    column = table.c[column_name]
    # A key is one item of the list: `,old,` inside `,list,`.
    rows = (
        await conn.execute(
            select(table.c.id, column).where(
                table.c.community == community,
                (literal(",") + column + literal(",")).contains(f",{old},", autoescape=True),
            )
        )
    ).all()
    for row_id, listed in rows:
        keys: list[str] = []
        for key in str(listed).split(","):
            key = new if key == old else key
            if key not in keys:
                keys.append(key)
        await conn.execute(
            update(table)
            .where(table.c.community == community, table.c.id == row_id)
            .values({column_name: ",".join(keys)})
        )


async def _note(conn: AsyncConnection, community: str, old: str, new: str, at: datetime) -> None:
    notes = _table("feature_notes")
    insert = dialect_insert(conn.dialect.name, notes).values(
        community=community, kind=MOVED_KIND, key=old, data=json.dumps({"to": new}), at=at
    )
    await conn.execute(
        insert.on_conflict_do_update(
            index_elements=["community", "kind", "key"],
            set_={"data": insert.excluded.data, "at": insert.excluded.at},
        )
    )


async def sweep_moves(conn: AsyncConnection, community: str) -> int:
    """Move again, in the order they happened, every chat the community's
    groups moved from: rows a stale in-memory record wrote under the old key
    after the move (a lockdown lifted, an alert acknowledged before the
    restart) join the group's past. Returns the moves swept."""
    notes = _table("feature_notes")
    rows = (
        await conn.execute(
            select(notes.c.key, notes.c.data, notes.c.at)
            .where(notes.c.community == community, notes.c.kind == MOVED_KIND)
            .order_by(notes.c.at, notes.c.key)
        )
    ).all()
    for old, data, at in rows:
        new = json.loads(data).get("to")
        if isinstance(new, str) and new:
            await move_chat(conn, community, old, new, at, note=False)
    return len(rows)
