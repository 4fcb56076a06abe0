"""The points ledger, check-in streaks, participation points and levels.

Balances live in memory (loaded from the ledger's sums at start); every change
is an append-only ledger entry with an idempotency key, so replaying an event
never pays twice.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.batcher import WriteBehind
from bot.config import Level, PointsConfig
from bot.ranking import RankIndex
from bot.records import LedgerEntry, MemberRecord, Snapshot


@dataclass(frozen=True, slots=True)
class LevelUp:
    level: int
    title: str
    role: str | None = None
    previous_role: str | None = None


@dataclass(frozen=True, slots=True)
class Checkin:
    already: bool
    points: int
    bonus: int
    streak: int
    balance: int
    level_up: LevelUp | None = None


class Points:
    def __init__(
        self,
        config: PointsConfig,
        community: str,
        tz: ZoneInfo,
        snapshot: Snapshot,
        writes: WriteBehind,
        loaded_on: date,
    ) -> None:
        self._community = community
        self._tz = tz
        self._writes = writes
        self.balances: dict[str, int] = dict(snapshot.balances)
        self._ranks = RankIndex(self.balances.values())
        self._today_points: dict[str, int] = dict(snapshot.message_points_today)
        self._day_from = self._day_until = datetime.min.replace(tzinfo=UTC)
        self._day = loaded_on
        # The local day the snapshot's message points belong to.
        self._today = loaded_on
        self.configure(config)

    def configure(self, config: PointsConfig) -> None:
        self._config = config
        self._levels: list[Level] = list(config.levels)
        self._thresholds = [lv.min for lv in self._levels]
        msg = config.message
        self._msg_points = msg.points
        self._cooldown = msg.cooldown
        self._min_length = msg.min_length
        self._daily_cap = msg.daily_cap

    @property
    def checkin_words(self) -> frozenset[str]:
        return frozenset(self._config.checkin.words)

    def local_date(self, at: datetime) -> date:
        # Every message asks; the answer changes once a day.
        if self._day_from <= at < self._day_until:
            return self._day
        start = self.day_start(at)
        # Bounds in UTC: comparing datetimes that share a tzinfo skips the
        # offset lookups a comparison across zones costs.
        self._day_from = start.astimezone(UTC)
        self._day_until = self.day_start(start + timedelta(hours=25)).astimezone(UTC)
        self._day = start.date()
        return self._day

    def day_start(self, at: datetime) -> datetime:
        """Start of the local day containing `at`, as an aware datetime."""
        local = at.astimezone(self._tz)
        return datetime(local.year, local.month, local.day, tzinfo=self._tz)

    def balance(self, key: str) -> int:
        return self.balances.get(key, 0)

    def level(self, balance: int) -> tuple[int, Level]:
        i = bisect_right(self._thresholds, balance) - 1
        return i + 1, self._levels[max(i, 0)]

    def next_level(self, balance: int) -> Level | None:
        i = bisect_right(self._thresholds, balance)
        return self._levels[i] if i < len(self._levels) else None

    def rank(self, key: str) -> int:
        return self._ranks.rank(self.balance(key))

    def _set(self, key: str, before: int | None, after: int) -> None:
        self.balances[key] = after
        if before is None:
            self._ranks.add(after)
        else:
            self._ranks.move(before, after)

    def top(self, n: int) -> list[tuple[str, int]]:
        ranked = sorted(self.balances.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(k, b) for k, b in ranked if b > 0][:n]

    def award(
        self,
        member: MemberRecord,
        delta: int,
        reason: str,
        key: str,
        at: datetime,
        group_key: str | None = None,
    ) -> LevelUp | None:
        known = self.balances.get(member.key)
        before = known or 0
        after = before + delta
        self._set(member.key, known, after)
        self._writes.ledger(
            LedgerEntry(self._community, member.key, delta, reason, key, at, group_key)
        )
        old_level, old = self.level(before)
        new_level, lv = self.level(after)
        if new_level <= old_level:
            return None
        return LevelUp(new_level, lv.title, lv.role, old.role)

    def checkin(self, member: MemberRecord, now: datetime, group_key: str | None) -> Checkin:
        today = self.local_date(now)
        if member.last_checkin == today:
            return Checkin(True, 0, 0, member.streak, self.balance(member.key))
        yesterday = today - timedelta(days=1)
        member.streak = member.streak + 1 if member.last_checkin == yesterday else 1
        member.last_checkin = today
        cfg = self._config.checkin
        bonus = cfg.bonus(member.streak)
        points = cfg.base + bonus
        level_up = self.award(
            member, points, "checkin", f"checkin:{member.key}:{today.isoformat()}", now, group_key
        )
        self._writes.member(member)
        return Checkin(False, points, bonus, member.streak, self.balance(member.key), level_up)

    def for_message(
        self, member: MemberRecord, text: str, now: datetime, group_key: str, message_id: int
    ) -> LevelUp | None:
        """Participation points: cooldown, minimum length, daily cap."""
        if not self._msg_points or len(text.strip()) < self._min_length:
            return None
        last = member.last_points_at
        if last is not None and now - last < self._cooldown:
            return None
        today = self.local_date(now)
        if today != self._today:
            self._today_points.clear()
            self._today = today
        earned = self._today_points.get(member.key, 0)
        points = min(self._msg_points, self._daily_cap - earned)
        if points <= 0:
            return None
        self._today_points[member.key] = earned + points
        member.last_points_at = now
        # Soft: after a crash a lost cooldown only lets a replayed message try
        # again, and its ledger key refuses the second payment.
        self._writes.member(member, soft=True)
        return self.award(
            member, points, "message", f"msg:{group_key}:{message_id}", now, group_key
        )

    def undo(self, entries: list[LedgerEntry]) -> None:
        """Take back entries the store already had (a replay after a crash)."""
        for e in entries:
            known = self.balances.get(e.member_key)
            self._set(e.member_key, known, (known or 0) - e.delta)
            if e.reason == "message" and e.member_key in self._today_points:
                self._today_points[e.member_key] -= e.delta
