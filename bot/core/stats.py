"""Daily counters per group, kept in memory and flushed with each batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.core.records import ActivityRecord, DailyStatsRecord, Snapshot

_FIELDS = frozenset(
    {"messages", "joins", "leaves", "checkins", "points_issued", "removed", "warnings"}
    | {"points_spent", "spam_removed", "reports", "alerts", "rsvps", "attended"}
    | {"invites_issued", "invites_used", "poll_votes"}
)


class Stats:
    def __init__(self, community: str, snapshot: Snapshot) -> None:
        self._community = community
        self._rows: dict[tuple[str, date], DailyStatsRecord] = {
            (r.group_key, r.day): r for r in snapshot.stats
        }
        self._active: dict[tuple[str, date], set[str]] = {}
        self._dirty: set[tuple[str, date]] = set()
        # The newest day a row was made for.
        self._latest: date | None = max((r.day for r in snapshot.stats), default=None)
        # Each member's first activity of the day in a group, not yet stored
        # (analytics takes them on its schedule), in order; a dict, so a
        # removal finds its record at once.
        self._activity: dict[ActivityRecord, None] = {}

    def _row(self, group_key: str, day: date) -> DailyStatsRecord:
        key = (group_key, day)
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = DailyStatsRecord(self._community, group_key, day)
            if self._latest is None or day > self._latest:
                self._latest = day
                self._forget_before(day.fromordinal(day.toordinal() - 1))
        self._dirty.add(key)
        return row

    def _forget_before(self, day: date) -> None:
        """Only the current days are kept: older rows are already stored, or
        (dirty) will be with the next batch that collects them. Run when a
        new day starts, not on every new row: events dated in the past (a
        replay, joins of long ago) would make every row a scan of all."""
        for old in [k for k in self._rows if k[1] < day and k not in self._dirty]:
            del self._rows[old]
            self._active.pop(old, None)

    def add(self, group_key: str, day: date, field: str, n: int = 1) -> None:
        if field not in _FIELDS:
            raise ValueError(f"unknown counter {field!r}")
        row = self._row(group_key, day)
        setattr(row, field, getattr(row, field) + n)

    def message(self, group_key: str, day: date, member_key: str) -> bool:
        """Whether this message made the member active that day."""
        key = (group_key, day)
        row = self._rows.get(key)
        # Every message comes here: the usual case (the day's row exists)
        # without a second key or a set made only to be thrown away.
        if row is None:
            row = self._row(group_key, day)
        else:
            self._dirty.add(key)
        row.messages += 1
        active = self._active.get(key)
        if active is None:
            active = self._active[key] = set()
        if member_key not in active:
            active.add(member_key)
            # After a restart the set holds what the activity table had (see
            # `remember`); activity not stored before a crash is counted again.
            row.active_members += 1
            self._activity[ActivityRecord(self._community, group_key, member_key, day)] = None
            return True
        return False

    def move(self, old: str, new: str) -> None:
        """The group's chat moved (`ChatMoved`): its rows of the current days
        join the new chat's, merged as the store merges the stored ones
        (`storage.chat_move`: counters summed, a member active in both chats
        counted once), and are written whole with the next batch, so the
        merged row the store made from what it held is replaced by the one
        that counts everything."""
        for key in [k for k in self._rows if k[0] == old]:
            day = key[1]
            row = self._rows.pop(key)
            self._dirty.discard(key)
            active = self._active.pop(key, set())
            into = self._rows.get((new, day))
            if into is None:
                self._rows[(new, day)] = replace(row, group_key=new)
            else:
                for name in _FIELDS:
                    setattr(into, name, getattr(into, name) + getattr(row, name))
                mine = self._active.get((new, day), set())
                into.active_members = max(
                    into.active_members, row.active_members, len(active | mine)
                )
            self._active.setdefault((new, day), set()).update(active)
            self._dirty.add((new, day))
        self._activity = {
            (replace(a, group_key=new) if a.group_key == old else a): None for a in self._activity
        }

    def removed(self, group_key: str, day: date, member_key: str) -> None:
        """The message that made the member active was removed (an ad, a
        flood): a spammer is no active member. Activity already stored by
        the time of the removal stays."""
        record = ActivityRecord(self._community, group_key, member_key, day)
        if record in self._activity:
            del self._activity[record]
            self._active[(group_key, day)].discard(member_key)
            self._row(group_key, day).active_members -= 1

    def seen(self, group_key: str, day: date, member_key: str) -> None:
        """Activity without a message (a command): counts the member active."""
        active = self._active.setdefault((group_key, day), set())
        if member_key not in active:
            active.add(member_key)
            self._row(group_key, day).active_members += 1
            self._activity[ActivityRecord(self._community, group_key, member_key, day)] = None

    @property
    def activity(self) -> list[ActivityRecord]:
        """The activity not stored yet, oldest first."""
        return list(self._activity)

    @activity.setter
    def activity(self, rows: list[ActivityRecord]) -> None:
        self._activity = dict.fromkeys(rows)

    def remember(self, rows: list[ActivityRecord]) -> None:
        """Activity already stored for the current days (after a restart)."""
        for r in rows:
            self._active.setdefault((r.group_key, r.day), set()).add(r.member_key)

    def current(self) -> list[DailyStatsRecord]:
        """The rows of the days kept in memory, newer than what is stored."""
        return list(self._rows.values())

    def get(self, group_key: str, day: date) -> DailyStatsRecord | None:
        return self._rows.get((group_key, day))

    def collect(self) -> list[DailyStatsRecord]:
        rows = [self._rows[k] for k in self._dirty if k in self._rows]
        self._dirty.clear()
        return rows
