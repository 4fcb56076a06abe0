"""`SqlMemberDataStore`: every row about one member (`/mydata`,
`groupkeeper member export`) and their erasure (`/forgetme`, `groupkeeper
member erase`), on the same database as `SqlStore`.

Each table that names a member says, here, in which columns and what an
erasure does with its rows: delete them (only about the member), move them
to an anonymous alias with their words blanked (the community's numbers
rest on them), or keep them (what moderators and accounts must keep). A
table added later that names members belongs in `TABLES` too; a test holds
every `*_key` column of the schema to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, false, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.mydata.store import Erased, Kept, Rows
from bot.features.seasons.places import season_alias, season_place
from storage.alert_erasure import alerts_of, erase_alerts, shown_now
from storage.engine_store import EngineStore
from storage.lockdown_erasure import erase_lockdowns, lockdowns_of
from storage.models.base import Base

DELETE, ANONYMISE, KEEP, PROFILE = "delete", "anonymise", "keep", "profile"
# Risk alerts naming the member: their texts rewritten (storage/alert_erasure.py).
ALERTS = "alerts"


@dataclass(frozen=True, slots=True)
class MemberTable:
    """Where a table names a member, and what an erasure does there."""

    name: str
    # The columns holding the member's key; the first is the row's subject.
    columns: tuple[str, ...]
    policy: str
    # Columns of the member's own words, blanked when the row is anonymised.
    words: tuple[str, ...] = ()
    # Rows an erasure must leave alone: (kept, table) -> a condition.
    keep: Callable[[Kept, Table], ColumnElement[bool]] | None = None
    # The name of the section in the member's copy.
    section: str = ""


def _in(column: Any, ids: frozenset[int]) -> ColumnElement[bool]:
    return column.in_(sorted(ids)) if ids else false()


TABLES: tuple[MemberTable, ...] = (
    MemberTable("members", ("key",), PROFILE, section="stored_profile"),
    MemberTable("memberships", ("member_key",), KEEP, section="groups"),
    MemberTable("points_ledger", ("member_key",), DELETE, section="points_ledger"),
    MemberTable(
        "mod_cases",
        ("member_key",),
        ANONYMISE,
        words=("message_text",),
        keep=lambda k, t: _in(t.c.id, k.cases),
        section="cases",
    ),
    MemberTable(
        "warnings",
        ("member_key",),
        DELETE,
        keep=lambda k, t: _in(t.c.id, k.warnings),
        section="warnings",
    ),
    MemberTable(
        "flags",
        ("member_key",),
        ANONYMISE,
        words=("text", "reasons"),
        keep=lambda k, t: _in(t.c.id, k.flags),
        section="flags_about_you",
    ),
    MemberTable("reports", ("reporter_key",), ANONYMISE, words=("reason",), section="reports_made"),
    # The moderators' alerts keep their meaning; the member's name and words
    # go from their texts. The member's copy holds them, as it holds flags.
    MemberTable("risk_alert_members", ("member_key",), ALERTS, section="alerts_about_you"),
    MemberTable("spam_samples", ("member_key",), ANONYMISE, section="spam_samples_of_yours"),
    MemberTable(
        "appeals",
        ("member_key",),
        DELETE,
        keep=lambda k, t: _in(t.c.id, k.appeals),
        section="appeals",
    ),
    MemberTable("payments", ("member_key",), KEEP, section="payments"),
    MemberTable(
        "shop_redemptions",
        ("member_key",),
        ANONYMISE,
        keep=lambda k, t: t.c.status == "pending",
        section="redemptions",
    ),
    MemberTable("event_rsvps", ("member_key",), ANONYMISE, section="event_rsvps"),
    MemberTable("referral_invites", ("member_key",), DELETE, section="invite_links"),
    MemberTable("referrals", ("invitee_key", "inviter_key"), ANONYMISE, section="referrals"),
    MemberTable("member_activity", ("member_key",), ANONYMISE, section="active_days"),
    MemberTable("entry_invites", ("member_key",), DELETE, section="entry_invite"),
    MemberTable("entry_stages", ("member_key",), DELETE, section="entry_stage"),
)
# Notes (`feature_notes`) whose JSON names a member under "member": what a
# member wrote there is theirs (feedback); their words are blanked and the
# note moved to the alias on erasure.
NOTE_KINDS: dict[str, tuple[str, ...]] = {"feedback": ("text", "answer")}
# Closed seasons (bot/features/seasons) name members by key on the board, in
# the honours and the prizes: a member's places are in their copy, and an
# erasure moves them to the alias (the board keeps its ranks and scores; the
# name goes, as it does from every other row the community's numbers keep).
SEASON = "season"
# Columns that name a member only as the one who acted on others' rows
# (a moderator's, a resolver's): not the member's own data.
ACTORS = frozenset(
    {
        "moderator_key", "resolved_by", "acked_by", "started_by", "lifted_by", "created_by",
        "decided_by", "added_by", "group_key", "request_key", "joined_key", "chat_key",
    }
)  # fmt: skip
# Blanked in the member's row by an erasure (the row stays: roles and places).
_PROFILE_BLANK: dict[str, Any] = {
    "name": "", "username": None, "language": None, "message_count": 0, "streak": 0,
    "last_checkin": None, "last_points_at": None, "last_seen": None,
}  # fmt: skip


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class SqlMemberDataStore(EngineStore):
    async def export(self, community: str, member_key: str) -> dict[str, Rows]:
        out: dict[str, Rows] = {}
        async with self._reading() as c:
            for spec in TABLES:
                if spec.policy == ALERTS:
                    out[spec.section] = await alerts_of(c, community, member_key)
                    continue
                table = _table(spec.name)
                where = or_(*(table.c[col] == member_key for col in spec.columns))
                rows = await c.execute(select(table).where(table.c.community == community, where))
                out[spec.section] = [
                    {k: _json(v) for k, v in row._mapping.items() if k != "community"}
                    for row in rows
                ]
            for kind, data in await _notes_of(c, community, member_key):
                out.setdefault(kind, []).append(data)
            out["lockdowns_muted_you"] = await lockdowns_of(c, community, member_key)
            places = await _season_places(c, community, member_key)
            if places:
                out["season_boards"] = places
        return out

    async def erase(self, community: str, member_key: str, kept: Kept, alias: str) -> Erased:
        erased = Erased()
        async with self._writing() as c:
            # Before the profile is blanked: older alerts are found by name.
            shown = await shown_now(c, community, member_key)
            count = await erase_alerts(c, community, member_key, alias, shown)
            _add(erased.anonymised, "risk_alerts", count)
            done, held = await erase_lockdowns(c, community, member_key, alias, kept.lockdowns)
            _add(erased.anonymised, "lockdowns", done)
            _add(erased.kept, "lockdowns", held)
            for spec in TABLES:
                if spec.policy == ALERTS:
                    continue
                await self._erase_table(c, spec, community, member_key, kept, alias, erased)
            await _erase_notes(c, community, member_key, alias, erased)
            await _erase_season_places(c, community, member_key, alias, erased)
        return erased

    @staticmethod
    async def _erase_table(
        c: AsyncConnection,
        spec: MemberTable,
        community: str,
        member_key: str,
        kept: Kept,
        alias: str,
        erased: Erased,
    ) -> None:
        table = _table(spec.name)
        for column in spec.columns:
            mine = [table.c.community == community, table.c[column] == member_key]
            keep = spec.keep(kept, table) if spec.keep is not None else None
            if spec.policy == KEEP:
                count = await _count(c, table, mine)
                _add(erased.kept, spec.name, count)
                continue
            if keep is not None:
                _add(erased.kept, spec.name, await _count(c, table, [*mine, keep]))
                mine.append(not_(keep))
            if spec.policy == PROFILE:
                result = await c.execute(update(table).where(*mine).values(**_PROFILE_BLANK))
                _add(erased.anonymised, spec.name, result.rowcount)
            elif spec.policy == DELETE:
                result = await c.execute(delete(table).where(*mine))
                _add(erased.deleted, spec.name, result.rowcount)
            else:
                values: dict[str, Any] = dict.fromkeys(spec.words, "")
                nullable = table.c[column].nullable
                values[column] = None if nullable else alias
                result = await c.execute(update(table).where(*mine).values(**values))
                _add(erased.anonymised, spec.name, result.rowcount)


async def _count(c: AsyncConnection, table: Table, where: Sequence[ColumnElement[bool]]) -> int:
    result = await c.execute(select(func.count()).select_from(table).where(*where))
    return int(result.scalar_one())


def _add(into: dict[str, int], name: str, count: int) -> None:
    if count:
        into[name] = into.get(name, 0) + count


async def _member_notes(
    c: AsyncConnection, community: str, member_key: str
) -> list[tuple[str, str, dict[str, Any], datetime]]:
    """(kind, key, data, at) of the notes naming the member. Notes are few
    (feedback comes in by the dozen), so they are read and matched here
    rather than by each database's own JSON functions."""
    notes = _table("feature_notes").c
    rows = await c.execute(
        select(notes.kind, notes.key, notes.data, notes.at).where(
            notes.community == community, notes.kind.in_(sorted(NOTE_KINDS))
        )
    )
    found = []
    for kind, key, text, at in rows:
        data = json.loads(text)
        if isinstance(data, dict) and data.get("member") == member_key:
            found.append((kind, key, data, at))
    return found


async def _notes_of(
    c: AsyncConnection, community: str, member_key: str
) -> list[tuple[str, dict[str, Any]]]:
    return [
        (kind, {"id": key, **data, "at": _json(at)})
        for kind, key, data, at in await _member_notes(c, community, member_key)
    ]


async def _erase_notes(
    c: AsyncConnection, community: str, member_key: str, alias: str, erased: Erased
) -> None:
    notes = _table("feature_notes")
    for kind, key, data, _ in await _member_notes(c, community, member_key):
        data.update(dict.fromkeys(NOTE_KINDS[kind], ""), member=alias)
        await c.execute(
            update(notes)
            .where(notes.c.community == community, notes.c.kind == kind, notes.c.key == key)
            .values(data=json.dumps(data, ensure_ascii=False))
        )
        _add(erased.anonymised, "feature_notes", 1)


async def _seasons(c: AsyncConnection, community: str) -> list[tuple[str, dict[str, Any]]]:
    """(key, data) of every closed season, oldest key first: a few a month."""
    notes = _table("feature_notes").c
    rows = await c.execute(
        select(notes.key, notes.data)
        .where(notes.community == community, notes.kind == SEASON)
        .order_by(notes.key)
    )
    return [(key, json.loads(text)) for key, text in rows]


async def _season_places(
    c: AsyncConnection, community: str, member_key: str
) -> list[dict[str, Any]]:
    places = (season_place(data, member_key) for _, data in await _seasons(c, community))
    return [p for p in places if p is not None]


async def _erase_season_places(
    c: AsyncConnection, community: str, member_key: str, alias: str, erased: Erased
) -> None:
    notes = _table("feature_notes")
    for key, data in await _seasons(c, community):
        if season_place(data, member_key) is None:
            continue
        season_alias(data, member_key, alias)
        await c.execute(
            update(notes)
            .where(notes.c.community == community, notes.c.kind == SEASON, notes.c.key == key)
            .values(data=json.dumps(data, ensure_ascii=False))
        )
        _add(erased.anonymised, "feature_notes", 1)
