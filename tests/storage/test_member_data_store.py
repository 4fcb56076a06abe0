"""Members' own data on SQLite and PostgreSQL: `/mydata` reads every row
about a member and no one else's; `/forgetme` deletes what is only theirs,
moves what the community's numbers rest on to an anonymous alias with their
words blanked, and keeps what the moderators must keep. Every column of the
schema that names a member is covered by the erasure's table list."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.records import (
    CaseRecord,
    LedgerEntry,
    MemberRecord,
    MembershipRecord,
    WarningRecord,
    WriteBatch,
)
from bot.features.appeals.records import AppealRecord
from bot.features.fee.records import PaymentRecord
from bot.features.mydata.store import Kept
from bot.features.notes.store import Note
from bot.features.risk.records import FlagRecord, ReportRecord
from storage.appeals_store import SqlAppealsStore, SqlPaymentsStore
from storage.member_data_store import ACTORS, TABLES, SqlMemberDataStore
from storage.models.base import Base
from storage.note_store import SqlNoteStore
from storage.spam_store import SqlSpamStore
from storage.sql_store import SqlStore

GREEN = "green-energy"
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
EVE, BOB = "telegram:2001", "telegram:2002"


@dataclass
class Stores:
    core: SqlStore
    data: SqlMemberDataStore
    appeals: SqlAppealsStore
    payments: SqlPaymentsStore
    spam: SqlSpamStore


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[Stores]:
    core = await SqlStore.open(database_url)
    await core.ensure_community(GREEN, "Green", "Asia/Shanghai")
    engine = core.engine
    yield Stores(
        core,
        SqlMemberDataStore(engine),
        SqlAppealsStore(engine),
        SqlPaymentsStore(engine),
        SqlSpamStore(engine),
    )
    await core.close()


def member(key: str, name: str) -> MemberRecord:
    platform, _, uid = key.partition(":")
    return MemberRecord(GREEN, key, platform, uid, name, name.lower(), language="en",
                        message_count=12, streak=3, last_checkin=date(2026, 1, 5))  # fmt: skip


def case(n: int, who: str, action: str, text: str = "") -> CaseRecord:
    return CaseRecord(GREEN, n, T0 + timedelta(minutes=n), action, who, "telegram:-1001",
                      "telegram:1002", None, "why", "", None, text)  # fmt: skip


async def fill(s: Stores) -> None:
    """Eve: points, a closed case and a ban in force under appeal, a warning
    in force and an expired one, a report she made, a payment. Bob: some
    rows of his own, which no erasure of Eve's may touch."""
    await s.core.write(
        WriteBatch(
            members=[member(EVE, "Eve"), member(BOB, "Bob")],
            memberships=[MembershipRecord(GREEN, EVE, "telegram:-1001", T0)],
            ledger=[
                LedgerEntry(GREEN, EVE, 10, "checkin", "checkin:eve:1", T0),
                LedgerEntry(GREEN, EVE, 1, "message", "msg:eve:1", T0),
                LedgerEntry(GREEN, BOB, 10, "checkin", "checkin:bob:1", T0),
            ],
            cases=[
                case(1, EVE, "mute", "buy followers"),
                case(2, EVE, "ban", "buy followers again"),
                case(3, BOB, "warn", "bob's words"),
            ],
            warnings=[
                WarningRecord(GREEN, 1, EVE, T0, T0 + timedelta(days=30), 1),
                WarningRecord(GREEN, 2, EVE, T0, T0 + timedelta(days=1), 1, active=False),
            ],
        )
    )
    await s.appeals.save_appeal(AppealRecord(GREEN, 1, EVE, 2, T0, "I am sorry"))
    await s.payments.save_payment(PaymentRecord(GREEN, "ch-1", EVE, 50, "XTR", "entry", T0))
    flag = FlagRecord(GREEN, 1, "telegram:-1001", 7, BOB, "bob's message", T0, "reports")
    await s.spam.save_flag(flag)
    await s.spam.add_report(ReportRecord(GREEN, 1, EVE, T0, 2, "rude"))


async def test_a_copy_holds_every_row_about_the_member_and_no_one_elses(stores: Stores) -> None:
    await fill(stores)

    copy = await stores.data.export(GREEN, EVE)

    assert copy["stored_profile"][0]["name"] == "Eve"
    assert sorted(r["key"] for r in copy["points_ledger"]) == ["checkin:eve:1", "msg:eve:1"]
    assert sorted(r["id"] for r in copy["cases"]) == [1, 2]
    assert [r["id"] for r in copy["warnings"]] == [1, 2]
    assert [r["reason"] for r in copy["reports_made"]] == ["rude"]
    assert [r["reason"] for r in copy["appeals"]] == ["I am sorry"]
    assert [r["charge"] for r in copy["payments"]] == ["ch-1"]
    assert [r["group_key"] for r in copy["groups"]] == ["telegram:-1001"]
    assert copy["flags_about_you"] == []
    # Values are ready for JSON: datetimes as ISO text.
    assert copy["cases"][0]["at"] == (T0 + timedelta(minutes=1)).isoformat()


async def test_an_erasure_deletes_anonymises_and_keeps_what_must_stay(stores: Stores) -> None:
    await fill(stores)
    kept = Kept(cases=frozenset({1, 2}), warnings=frozenset({1}), appeals=frozenset({1}))

    erased = await stores.data.erase(GREEN, EVE, kept, "erased:abc")

    assert erased.deleted == {"points_ledger": 2, "warnings": 1}
    assert erased.anonymised == {"members": 1, "reports": 1}
    assert erased.kept == {"memberships": 1, "mod_cases": 2, "warnings": 1, "appeals": 1,
                           "payments": 1}  # fmt: skip
    copy = await stores.data.export(GREEN, EVE)
    profile = copy["stored_profile"][0]
    assert (profile["name"], profile["username"], profile["message_count"]) == ("", None, 0)
    assert copy["points_ledger"] == [] and copy["reports_made"] == []
    assert [r["id"] for r in copy["cases"]] == [1, 2]
    assert [r["id"] for r in copy["warnings"]] == [1]
    # The report still counts on its flag, made by no one nameable, its words gone.
    reports = Base.metadata.tables["reports"]
    async with stores.core.engine.connect() as c:
        rows = (await c.execute(select(reports.c.reporter_key, reports.c.reason))).all()
    assert [tuple(r) for r in rows] == [("erased:abc", "")]
    # Bob's rows are untouched.
    bob = await stores.data.export(GREEN, BOB)
    assert bob["stored_profile"][0]["name"] == "Bob"
    assert [r["key"] for r in bob["points_ledger"]] == ["checkin:bob:1"]
    assert [r["message_text"] for r in bob["cases"]] == ["bob's words"]


async def test_closed_cases_lose_the_name_and_the_words(stores: Stores) -> None:
    await fill(stores)

    await stores.data.erase(GREEN, EVE, Kept(), "erased:abc")

    copy = await stores.data.export(GREEN, EVE)
    left = {section for section, rows in copy.items() if rows}
    assert left == {"stored_profile", "groups", "payments"}
    cases = await stores.appeals.cases_of(GREEN, "erased:abc", T0 - timedelta(days=1))
    assert [(c.id, c.message_text) for c in cases] == [(1, ""), (2, "")]


def test_every_column_naming_a_member_is_covered() -> None:
    """A table added later that names members must say what an erasure does
    with it; columns naming only who acted (a moderator) are not the
    member's data."""
    covered = {(spec.name, col) for spec in TABLES for col in spec.columns}
    naming = {
        (table.name, col.name)
        for table in Base.metadata.tables.values()
        for col in table.columns
        if (col.name.endswith("_key") or col.name == "key") and col.name not in ACTORS
    }
    # Keys that are not members: the ledger's idempotency key, notes' keys.
    # (An outbox row's key is an action's; a sent row drops its payload.)
    # Feature notes name members inside their JSON (NOTE_KINDS), not by key.
    not_members = {
        ("points_ledger", "key"),
        ("overflow_notes", "key"),
        ("outbox", "key"),
        ("feature_notes", "key"),
    }
    assert naming - not_members <= covered | {("members", "key")}


async def test_feedback_a_member_sent_is_in_their_copy_and_erased_with_them(
    stores: Stores,
) -> None:
    notes = SqlNoteStore(stores.core.engine)
    await fill(stores)
    mine = {"member": EVE, "text": "more Rust talks please", "group": None,
            "answer": "noted!", "answered_by": "telegram:1002"}  # fmt: skip
    theirs = {"member": BOB, "text": "bob's idea", "group": None,
              "answer": None, "answered_by": None}  # fmt: skip
    await notes.claim(Note(GREEN, "feedback", "000001", mine, T0))
    await notes.claim(Note(GREEN, "feedback", "000002", theirs, T0))

    copy = await stores.data.export(GREEN, EVE)
    assert [(f["id"], f["text"]) for f in copy["feedback"]] == [
        ("000001", "more Rust talks please")
    ]

    erased = await stores.data.erase(GREEN, EVE, Kept(), "erased:abc")

    assert erased.anonymised["feature_notes"] == 1
    left = {n.key: n.data for n in await notes.notes(GREEN, "feedback")}
    assert left["000001"]["member"] == "erased:abc"
    assert left["000001"]["text"] == "" and left["000001"]["answer"] == ""
    assert left["000002"] == theirs
    assert "feedback" not in await stores.data.export(GREEN, EVE)


async def test_season_boards_naming_the_member_are_in_their_copy_and_lose_the_name(
    stores: Stores,
) -> None:
    """A closed season keeps its board, honours and prizes by member key:
    the member's places are theirs to read, and an erasure moves them to
    the alias (the board keeps its ranks and scores, not the name)."""
    notes = SqlNoteStore(stores.core.engine)
    await fill(stores)
    week = {"kind": "week", "id": "2026-W02", "start": "s", "end": "e",
            "board": [[BOB, 9], [EVE, 6]],
            "honours": {BOB: {"title": "Star", "rank": 1, "role": "star"},
                        EVE: {"title": "Active", "rank": 2, "role": None}},
            "paid": [[BOB, 1, 30], [EVE, 2, 10]], "items": [[EVE, 2, "A book"]],
            "settled": True}  # fmt: skip
    quiet = {"kind": "month", "id": "2026-01", "start": "s", "end": "e", "board": [[BOB, 3]],
             "honours": {}, "paid": [], "items": []}  # fmt: skip
    await notes.claim(Note(GREEN, "season", "week:2026-W02", week, T0))
    await notes.claim(Note(GREEN, "season", "month:2026-01", quiet, T0))

    copy = await stores.data.export(GREEN, EVE)
    assert copy["season_boards"] == [
        {"season": "2026-W02", "kind": "week", "rank": 2, "score": 6, "honour": "Active",
         "prize_points": 10, "prize_item": "A book"}
    ]  # fmt: skip
    assert [s["season"] for s in (await stores.data.export(GREEN, BOB))["season_boards"]] == [
        "2026-01",
        "2026-W02",
    ]

    erased = await stores.data.erase(GREEN, EVE, Kept(), "erased:abc")

    assert erased.anonymised["feature_notes"] == 1
    left = {n.key: n.data for n in await notes.notes(GREEN, "season")}
    after = left["week:2026-W02"]
    assert after["board"] == [[BOB, 9], ["erased:abc", 6]]
    assert set(after["honours"]) == {BOB, "erased:abc"}
    assert after["paid"] == [[BOB, 1, 30], ["erased:abc", 2, 10]]
    assert after["items"] == [["erased:abc", 2, "A book"]]
    assert left["month:2026-01"] == quiet
    assert "season_boards" not in await stores.data.export(GREEN, EVE)
