"""A group's daily counters in memory follow its chat to a new id
(`Stats.move`), merged as the store merges the stored rows."""

from __future__ import annotations

from datetime import date

from bot.core.records import ActivityRecord, Snapshot
from bot.core.stats import Stats

C, OLD, NEW = "c", "telegram:-5001", "telegram:-1005001"
DAY = date(2026, 1, 5)


def test_the_day_s_rows_merge_and_a_member_in_both_chats_is_one_active_member() -> None:
    stats = Stats(C, Snapshot())
    stats.message(OLD, DAY, "ann")
    stats.message(OLD, DAY, "bob")
    stats.add(OLD, DAY, "checkins")
    stats.add(OLD, date(2026, 1, 4), "joins", 3)
    stats.message(NEW, DAY, "ann")
    stats.collect()
    stats.move(OLD, NEW)
    row = stats.get(NEW, DAY)
    assert row is not None
    assert (row.messages, row.active_members, row.checkins) == (3, 2, 1)
    assert stats.get(OLD, DAY) is None and stats.get(OLD, date(2026, 1, 4)) is None
    moved = stats.get(NEW, date(2026, 1, 4))
    assert moved is not None and moved.joins == 3
    # Both days are written whole with the next batch, under the new key only.
    assert {(r.group_key, r.day) for r in stats.collect()} == {
        (NEW, DAY),
        (NEW, date(2026, 1, 4)),
    }
    # Activity not stored yet is stored under the new key, once per member.
    assert sorted((a.group_key, a.member_key) for a in stats.activity) == [
        (NEW, "ann"),
        (NEW, "bob"),
    ]
    # Bob's next message in the new chat makes no second active member.
    assert not stats.message(NEW, DAY, "bob")
    assert row.active_members == 2


def test_moving_a_chat_without_rows_changes_nothing() -> None:
    stats = Stats(C, Snapshot())
    stats.message(NEW, DAY, "ann")
    stats.collect()
    stats.move(OLD, NEW)
    assert stats.collect() == []
    assert stats.activity == [ActivityRecord(C, NEW, "ann", DAY)]
