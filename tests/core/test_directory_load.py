"""The directory as a restarted process builds it from the snapshot: the
store's dict of members adopted as it is, usernames found in any case, and
told apart, members loaded at start from those first seen since (only the
former can have memberships the store knows and the events did not show)."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from bot.config import parse_config
from bot.core.batcher import WriteBehind
from bot.core.collector import collector_paused
from bot.core.directory import Directory
from bot.core.events import UserRef
from bot.core.records import MemberRecord, Snapshot
from storage.sql_store import SqlStore

CONFIG = "community: {name: Green, slug: green, language: en}\n"
NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


def loaded() -> list[MemberRecord]:
    return [
        MemberRecord("green", "telegram:1", "telegram", "1", "Ann", "Ann_Z"),
        MemberRecord("green", "telegram:2", "telegram", "2", "Bo", "bo"),
        MemberRecord("green", "telegram:3", "telegram", "3", "Cy"),
    ]


async def directory(snapshot: Snapshot) -> Directory:
    store = await SqlStore.open("sqlite+aiosqlite:///:memory:", migrate=False)
    return Directory(parse_config(CONFIG), snapshot, WriteBehind(store))


async def test_the_stores_dict_is_adopted_and_a_list_is_indexed_alike() -> None:
    members = loaded()
    index = {m.key: m for m in members}
    adopted = await directory(Snapshot(members=members, member_index=index))
    assert adopted.members is index
    built = await directory(Snapshot(members=loaded()))
    assert built.members == index
    for d in (adopted, built):
        assert d.find("@ann_z") is d.members["telegram:1"]
        assert d.find("@BO") is d.members["telegram:2"]
        assert d.find("@cy") is None


async def test_only_members_loaded_at_start_are_stored_before_it() -> None:
    d = await directory(Snapshot(members=loaded()))
    d.member(UserRef("telegram", "4", "Dee", "dee"), NOW)
    d.member(UserRef("telegram", "1", "Ann", "Ann_Z"), NOW)
    assert [d.stored_before_start(f"telegram:{n}") for n in (1, 2, 3)] == [True] * 3
    assert not d.stored_before_start("telegram:4")
    assert not d.stored_before_start("telegram:5")
    assert d.find("@dee") is d.members["telegram:4"]


def test_the_collector_rests_inside_and_is_restored_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        # The inner pause leaves the outer one in force.
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with collector_paused():
            raise RuntimeError("a failed load")
    except RuntimeError:
        pass
    assert gc.isenabled()
