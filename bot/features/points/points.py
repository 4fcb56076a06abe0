"""The points ledger, check-in streaks, participation and reaction points,
levels, and the week/month boards.

Balances live in memory (loaded from the ledger's sums at start); every change
is an append-only ledger entry with an idempotency key, so replaying an event
never pays twice. Levels follow the points earned over a lifetime (the
ledger without its `spent` entries), so spending in the shop never costs a
level; a removed message or a moderator's take can, and the level's role
goes with it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from bot.config.points import Level, PointsConfig
from bot.core.batcher import WriteBehind
from bot.core.calendar import Calendar
from bot.core.records import LedgerEntry, MemberRecord, Snapshot
from bot.features.economy.records import EconomySnapshot
from bot.features.points.outcomes import Award, Checkin, LevelUp
from bot.features.points.ranking import RankIndex, TopBoard
from bot.features.points.recent import Recent

# Ledger reasons. Message points carry "message" (the store sums those for the
# daily cap after a restart); the others are listed for /me and the export.
MESSAGE = "message"
MESSAGE_REMOVED = "message_removed"
REACTION = "reaction"
CHECKIN = "checkin"

# Recent messages remembered for reactions and removals, per generation.
_RECENT = 50_000
_EPOCH = datetime.min.replace(tzinfo=UTC)


class Points:
    def __init__(
        self,
        config: PointsConfig,
        community: str,
        calendar: Calendar,
        snapshot: Snapshot,
        writes: WriteBehind,
        loaded_on: date,
        economy: EconomySnapshot | None = None,
    ) -> None:
        self._community = community
        self._calendar = calendar
        self._writes = writes
        self.balances: dict[str, int] = dict(snapshot.balances)
        # Points earned over a lifetime: what levels follow.
        self.lifetime: dict[str, int] = dict(snapshot.lifetime)
        # Levels lost when a removed message's points went back, with the
        # group, until the feature's next tick swaps the roles back.
        self.fallen: list[tuple[str, str, LevelUp]] = []
        self._ranks = RankIndex(self.balances.values())
        self._today_points: dict[str, int] = dict(snapshot.message_points_today)
        economy = economy or EconomySnapshot()
        self._today_reactions: dict[str, int] = dict(economy.reactions_today)
        # The local day the snapshot's message and reaction points belong to.
        self._today = loaded_on
        self._reactions_day = loaded_on
        # Recent messages, (group, message id) -> the author's key, or for a
        # paid message (author's key, points): reactions need the author and a
        # removal the payment. Two generations of dicts, inlined on the hot path.
        self._recent: dict[tuple[str, int], str | tuple[str, int]] = {}
        self._recent_before: dict[tuple[str, int], str | tuple[str, int]] = {}
        # (group, message id) -> who reacted: one payment per member and message.
        self._reactors: Recent[set[str]] = Recent(_RECENT)
        # The boards loaded at start belong to the week and month of `loaded_on`.
        self.week: dict[str, int] = dict(economy.week)
        self.month: dict[str, int] = dict(economy.month)
        # /top reads these rather than sorting every member.
        self._boards = {
            "all": TopBoard(self.balances),
            "week": TopBoard(self.week),
            "month": TopBoard(self.month),
        }
        self._week_from = self._month_from = self._period_until = _EPOCH
        self._periods(
            datetime(loaded_on.year, loaded_on.month, loaded_on.day, 12, tzinfo=calendar.tz)
        )
        self.configure(config)

    def configure(self, config: PointsConfig) -> None:
        self.config = config
        self._levels: list[Level] = list(config.levels)
        self._thresholds = [lv.min for lv in self._levels]
        msg = config.message
        self._msg_points = msg.points
        self._cooldown = msg.cooldown
        self._min_length = msg.min_length
        self._daily_cap = msg.daily_cap
        self._excluded = frozenset(msg.exclude_groups)
        self._multipliers = msg.multipliers if msg.multipliers.any else None

    @property
    def checkin_words(self) -> frozenset[str]:
        return frozenset(self.config.checkin.words)

    def balance(self, key: str) -> int:
        return self.balances.get(key, 0)

    def earned(self, key: str) -> int:
        """Points earned over a lifetime (spending does not lower it)."""
        return self.lifetime.get(key, 0)

    def level(self, earned: int) -> tuple[int, Level]:
        """The level (from 1) and its definition for lifetime points."""
        i = bisect_right(self._thresholds, earned) - 1
        return i + 1, self._levels[max(i, 0)]

    def level_of(self, key: str) -> int:
        return self.level(self.earned(key))[0]

    def next_level(self, earned: int) -> Level | None:
        i = bisect_right(self._thresholds, earned)
        return self._levels[i] if i < len(self._levels) else None

    def rank(self, key: str) -> int:
        return self._ranks.rank(self.balance(key))

    def _set(self, key: str, before: int | None, after: int) -> None:
        self.balances[key] = after
        self._boards["all"].moved(key, before or 0, after)
        if before is None:
            self._ranks.add(after)
        else:
            self._ranks.move(before, after)

    def top(
        self, n: int, period: str = "all", now: datetime | None = None
    ) -> list[tuple[str, int]]:
        """The board for `all` time, this `week` or this `month`."""
        if period != "all" and now is not None and now >= self._period_until:
            self._periods(now)
        return self._boards[period].top(n)

    def _periods(self, at: datetime) -> None:
        """Move the week and month boards forward to the ones containing `at`."""
        week = self._calendar.week_start(at).astimezone(UTC)
        month = self._calendar.month_start(at).astimezone(UTC)
        if self._week_from != _EPOCH and week != self._week_from:
            self.week = {}
            self._boards["week"].rebind(self.week)
        if self._month_from != _EPOCH and month != self._month_from:
            self.month = {}
            self._boards["month"].rebind(self.month)
        self._week_from, self._month_from = week, month
        next_week = self._calendar.week_start(week + timedelta(days=7, hours=12)).astimezone(UTC)
        next_month = self._calendar.month_start(month + timedelta(days=32)).astimezone(UTC)
        self._period_until = min(next_week, next_month)

    def _count(self, key: str, delta: int, at: datetime) -> None:
        if at >= self._period_until:
            self._periods(at)
        if at >= self._week_from:
            before = self.week.get(key, 0)
            self.week[key] = before + delta
            self._boards["week"].moved(key, before, before + delta)
        if at >= self._month_from:
            before = self.month.get(key, 0)
            self.month[key] = before + delta
            self._boards["month"].moved(key, before, before + delta)

    def award(
        self,
        member_key: str,
        delta: int,
        reason: str,
        key: str,
        at: datetime,
        group_key: str | None = None,
    ) -> LevelUp | None:
        """Change a balance and queue the ledger entry that says why."""
        up = self._apply(member_key, delta, at)
        self._writes.ledger(
            LedgerEntry(self._community, member_key, delta, reason, key, at, group_key)
        )
        return up

    def entry(
        self,
        member_key: str,
        delta: int,
        reason: str,
        key: str,
        at: datetime,
        group_key: str | None = None,
        *,
        spent: bool = False,
    ) -> LedgerEntry:
        """A ledger entry for a write the caller makes itself (the economy
        store's transactions); `applied` puts it in memory once stored.
        `spent`: spending or its refund, which moves the balance only."""
        return LedgerEntry(
            self._community, member_key, delta, reason, key, at, group_key, spent=spent
        )

    def applied(self, entries: Iterable[LedgerEntry]) -> list[tuple[str, LevelUp]]:
        """Entries the economy store has written: balances follow."""
        ups: list[tuple[str, LevelUp]] = []
        for e in entries:
            up = self._apply(e.member_key, e.delta, e.at, e.spent)
            if up is not None:
                ups.append((e.member_key, up))
        return ups

    def _apply(
        self, member_key: str, delta: int, at: datetime, spent: bool = False
    ) -> LevelUp | None:
        known = self.balances.get(member_key)
        self._set(member_key, known, (known or 0) + delta)
        self._count(member_key, delta, at)
        if spent or not delta:
            return None
        before = self.lifetime.get(member_key, 0)
        after = self.lifetime[member_key] = before + delta
        old_level, old = self.level(before)
        new_level, lv = self.level(after)
        if new_level == old_level:
            return None
        return LevelUp(new_level, lv.title, lv.role, old.role, down=new_level < old_level)

    def checkin(
        self,
        member: MemberRecord,
        now: datetime,
        group_key: str | None,
        *,
        can_freeze: bool = False,
    ) -> Checkin:
        """Once per local day. With `can_freeze`, a streak survives exactly one
        missed day (the caller then uses up the member's streak freeze)."""
        today = self._calendar.local_date(now)
        # A check-in dated after today: the clock went back (a restart on a
        # machine whose clock was behind, the console's own clock). Today
        # may be paid already, and the streak must not restart: done.
        if member.last_checkin is not None and member.last_checkin >= today:
            return Checkin(True, 0, 0, member.streak, self.balance(member.key))
        yesterday = today - timedelta(days=1)
        froze = False
        if member.last_checkin == yesterday:
            member.streak += 1
        elif can_freeze and member.last_checkin == today - timedelta(days=2):
            member.streak += 1
            froze = True
        else:
            member.streak = 1
        member.last_checkin = today
        cfg = self.config.checkin
        bonus = cfg.bonus(member.streak)
        points = cfg.base + bonus
        level_up = self.award(
            member.key, points, CHECKIN, f"checkin:{member.key}:{today.isoformat()}", now, group_key
        )
        self._writes.member(member)
        balance = self.balance(member.key)
        return Checkin(False, points, bonus, member.streak, balance, level_up, froze)

    def missed_one_day(self, member: MemberRecord, now: datetime) -> bool:
        """Whether today's check-in would break a streak over a single missed day."""
        last = member.last_checkin
        return last is not None and last == self._calendar.local_date(now) - timedelta(days=2)

    def for_message(
        self, member: MemberRecord, text: str, now: datetime, group_key: str, message_id: int
    ) -> LevelUp | None:
        """Participation points: cooldown, minimum length, daily cap, excluded
        groups and multipliers."""
        where = (group_key, message_id)
        recent = self._recent
        if len(recent) >= _RECENT:
            self._recent_before = recent
            recent = self._recent = {}
        recent[where] = member.key
        if not self._msg_points or len(text.strip()) < self._min_length:
            return None
        last = member.last_points_at
        if last is not None and now - last < self._cooldown:
            return None
        if group_key in self._excluded:
            return None
        today = self._calendar.local_date(now)
        if today != self._today:
            self._today_points.clear()
            self._today = today
        earned = self._today_points.get(member.key, 0)
        points = self._msg_points
        if self._multipliers is not None:
            points = self._multiplied(points, member.key, group_key, now)
        points = min(points, self._daily_cap - earned)
        if points <= 0:
            return None
        self._today_points[member.key] = earned + points
        member.last_points_at = now
        # Soft: after a crash a lost cooldown only lets a replayed message try
        # again, and its ledger key refuses the second payment.
        self._writes.member(member, soft=True)
        recent[where] = (member.key, points)
        return self.award(
            member.key, points, MESSAGE, f"msg:{group_key}:{message_id}", now, group_key
        )

    def _multiplied(self, points: int, member_key: str, group_key: str, now: datetime) -> int:
        m = self._multipliers
        assert m is not None
        factor = m.groups.get(group_key, 1.0)
        if m.levels:
            factor *= m.levels.get(self.level_of(member_key), 1.0)
        if m.windows:
            local = now.astimezone(self._calendar.tz)
            minute = local.hour * 60 + local.minute
            for w in m.windows:
                start, end = w.start, w.end
                inside = start <= minute < end if start <= end else minute >= start or minute < end
                if inside and (not w.days or local.isoweekday() in w.days):
                    factor *= w.factor
        return round(points * factor)

    def _recent_get(self, where: tuple[str, int]) -> str | tuple[str, int] | None:
        found = self._recent.get(where)
        return found if found is not None else self._recent_before.get(where)

    def author(self, group_key: str, message_id: int) -> str | None:
        found = self._recent_get((group_key, message_id))
        return found if found is None or isinstance(found, str) else found[0]

    def take_back(self, group_key: str, message_id: int, now: datetime) -> str | None:
        """A paid message was removed: reverse its payment. Returns the member."""
        where = (group_key, message_id)
        paid = self._recent_get(where)
        if paid is None or isinstance(paid, str):
            return None
        member_key, points = paid
        # Still the author (for reactions), no longer paid.
        for generation in (self._recent, self._recent_before):
            if where in generation:
                generation[where] = member_key
        # The reversal is keyed by the payment's key, so it happens once.
        key = f"unmsg:{group_key}:{message_id}"
        down = self.award(member_key, -points, MESSAGE_REMOVED, key, now, group_key)
        if down is not None:
            self.fallen.append((member_key, group_key, down))
        return member_key

    def for_reaction(
        self, reactor_key: str, group_key: str, message_id: int, now: datetime
    ) -> Award | None:
        """Points for the author of a message another member reacted to; once
        per reacting member and message, capped per day, never for oneself."""
        cfg = self.config.reactions
        where = (group_key, message_id)
        author = self.author(group_key, message_id)
        if author is None or author == reactor_key or not cfg.points:
            return None
        reactors = self._reactors.get(where)
        if reactors is None:
            reactors = set()
            self._reactors.put(where, reactors)
        elif reactor_key in reactors:
            return None
        today = self._calendar.local_date(now)
        if today != self._reactions_day:
            self._today_reactions.clear()
            self._reactions_day = today
        earned = self._today_reactions.get(author, 0)
        points = min(cfg.points, cfg.daily_cap - earned)
        if points <= 0:
            return None
        self._today_reactions[author] = earned + points
        reactors.add(reactor_key)
        key = f"react:{group_key}:{message_id}:{reactor_key}"
        return Award(author, points, self.award(author, points, REACTION, key, now, group_key))

    def forget(self, key: str) -> None:
        """`/forgetme` erased the member's ledger: their balance and boards go."""
        before = self.balances.pop(key, None)
        if before is not None:
            self._ranks.remove(before)
        for board in (self.week, self.month, self._today_points, self._today_reactions):
            board.pop(key, None)

    def undo(self, entries: list[LedgerEntry]) -> None:
        """Take back entries the store already had (a replay after a crash)."""
        for e in entries:
            known = self.balances.get(e.member_key)
            self._set(e.member_key, known, (known or 0) - e.delta)
            if not e.spent:
                self.lifetime[e.member_key] = self.lifetime.get(e.member_key, 0) - e.delta
            self._count(e.member_key, -e.delta, e.at)
            if e.reason == MESSAGE and e.member_key in self._today_points:
                self._today_points[e.member_key] -= e.delta
            elif e.reason == REACTION and e.member_key in self._today_reactions:
                self._today_reactions[e.member_key] -= e.delta
