"""Write-behind batching: the message path never waits for a commit per row.

Changes accumulate here and go to the store in one transaction per batch,
when the batch is full or every `interval` seconds, and on shutdown. Taking a
batch happens without awaiting, so a batch always holds the state of whole
events: a member row is serialized together with the ledger entries the same
events produced. After a crash, replaying events is safe because the store
skips ledger keys it already has and reports them back (`on_duplicates`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import fields, replace

from bot.core.copies import copy_group, copy_member, copy_membership
from bot.core.outage import Outage
from bot.core.ports import Store
from bot.core.records import (
    CaseRecord,
    ChatMoveRecord,
    CursorRecord,
    DailyStatsRecord,
    GroupRecord,
    LedgerEntry,
    MemberRecord,
    MembershipRecord,
    OutboxRecord,
    WarningRecord,
    WriteBatch,
)

log = logging.getLogger(__name__)


class WriteBehind:
    def __init__(
        self,
        store: Store,
        *,
        max_batch: int = 2000,
        interval: float = 0.1,
        on_duplicates: Callable[[list[LedgerEntry]], None] | None = None,
        on_unstorable: Callable[[str, BaseException], None] | None = None,
        collect: Callable[[], Iterable[DailyStatsRecord]] | None = None,
        soft_interval: float = 30.0,
        soft_limit: int = 60_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._max = max_batch
        self._interval = interval
        self.on_duplicates = on_duplicates
        # Told of each row the store refused and that was set aside: what it
        # was (`members console:42`) and why.
        self.on_unstorable = on_unstorable
        self._collect = collect
        self._members: dict[str, MemberRecord] = {}
        # Counters that do not need to be exact after a crash (last seen,
        # message count, cooldowns guarded by ledger keys) and daily stats are
        # written every `soft_interval` seconds and on shutdown, not per batch,
        # unless the batch carries a cursor (see `flush`). By time, not by a
        # count of flushes: under load a member who keeps talking is one row
        # per interval, not one per few batches (a count of 50 flushes came
        # round every second or two at full speed). `soft_limit` bounds what
        # waits: at 60,000 a batch binds at most that many member rows on the
        # loop (about 0.2 s, once per interval at the most); at 20,000 a
        # community of 50,000 talking members hit the cap every few seconds
        # and wrote 0.56 member rows per message instead of 0.32.
        self._soft: dict[str, MemberRecord] = {}
        self._soft_interval = soft_interval
        self._monotonic = monotonic
        self._soft_at = monotonic()
        self.outage = Outage(monotonic)
        self._groups: dict[str, GroupRecord] = {}
        self._memberships: dict[tuple[str, str], MembershipRecord] = {}
        self._warnings: dict[int, WarningRecord] = {}
        self._ledger: list[LedgerEntry] = []
        self._cases: list[CaseRecord] = []
        self._moves: list[ChatMoveRecord] = []
        self._cursors: dict[str, CursorRecord] = {}
        self._outbox: dict[str, OutboxRecord] = {}
        # Told of every part of a batch once it is stored (or set aside as
        # unstorable): the outbox sends the actions stored with it.
        self.on_stored: Callable[[WriteBatch], None] | None = None
        self._soft_limit = soft_limit
        self._lock = asyncio.Lock()
        self._holding = 0
        self._skipped = False
        self._task: asyncio.Task[None] | None = None
        self._inflight: asyncio.Task[None] | None = None
        self.batches = 0
        self.rows = 0

    @property
    def pending(self) -> int:
        rows = (self._members, self._groups, self._memberships, self._warnings, self._ledger)
        more: tuple[Sized, ...] = (self._cases, self._moves, self._outbox)
        return sum(map(len, rows + more))

    def member(self, record: MemberRecord, *, soft: bool = False) -> None:
        if soft:
            if record.key not in self._members:
                self._soft[record.key] = record
        else:
            self._members[record.key] = record
            self._soft.pop(record.key, None)

    def group(self, record: GroupRecord) -> None:
        self._groups[record.chat_key] = record

    def membership(self, record: MembershipRecord) -> None:
        self._memberships[(record.member_key, record.group_key)] = record

    def warning(self, record: WarningRecord) -> None:
        self._warnings[record.id] = record

    def ledger(self, entry: LedgerEntry) -> None:
        self._ledger.append(entry)

    def case(self, record: CaseRecord) -> None:
        self._cases.append(record)

    def move(self, record: ChatMoveRecord) -> None:
        """A group's stored past follows its chat (see `ChatMoveRecord`)."""
        self._moves.append(record)

    def cursor(self, record: CursorRecord) -> None:
        """Where a platform's updates are handled to; stored with the next
        batch, in its transaction."""
        self._cursors[record.platform] = record

    def outbox(self, record: OutboxRecord) -> None:
        """An action to store with the next batch, or its mark as sent."""
        self._outbox[record.key] = record

    def _take(self, *, everything: bool) -> WriteBatch:
        # Records are copied: the engine keeps mutating its live objects.
        members = list(self._members.values())
        collect = self._collect if everything else None
        if everything:
            members += self._soft.values()
            self._soft = {}
        batch = WriteBatch(
            members=[copy_member(m) for m in members],
            groups=[copy_group(g) for g in self._groups.values()],
            memberships=[copy_membership(m) for m in self._memberships.values()],
            ledger=self._ledger,
            cases=self._cases,
            warnings=[replace(w) for w in self._warnings.values()],
            moves=self._moves,
            stats=[replace(r) for r in collect()] if collect else [],
            cursors=list(self._cursors.values()),
            outbox=list(self._outbox.values()),
        )
        self._members, self._groups, self._memberships, self._warnings = {}, {}, {}, {}
        self._ledger, self._cases, self._cursors, self._outbox, self._moves = [], [], {}, {}, []
        return batch

    @contextlib.contextmanager
    def whole(self) -> Iterator[None]:
        """No batch is taken while held: the events of one platform update
        (several members added at once) reach the database together, with
        the cursor that marks the update handled, or not at all."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
            if not self._holding and self._skipped:
                # A flush asked for meanwhile runs now.
                self._skipped = False
                inflight = self._inflight
                if inflight is None or inflight.done():
                    loop = asyncio.get_running_loop()
                    self._inflight = loop.create_task(self._flush_logged())

    async def flush(self, *, everything: bool = False) -> bool:
        """Write what is pending; with `everything`, the soft counters too.
        While an update is held whole, nothing (the next flush takes it).
        Whether anything was written."""
        if self._holding and not everything:
            self._skipped = True
            return False
        async with self._lock:
            # A batch that moves a platform's cursor takes the soft counters
            # and daily stats too: the updates it covers are skipped after a
            # crash, so what they counted is never counted again.
            now = self._monotonic()
            everything = (
                everything
                or bool(self._cursors)
                or now - self._soft_at >= self._soft_interval
                or len(self._soft) >= self._soft_limit
            )
            if everything:
                self._soft_at = now
            batch = self._take(everything=everything)
            if not len(batch):
                return False
            duplicate_keys = await self._write([batch])
            self.batches += 1
            self.rows += len(batch)
            if duplicate_keys and self.on_duplicates:
                self.on_duplicates(_duplicates(batch.ledger, duplicate_keys))
            return True

    async def _write(self, parts: list[WriteBatch]) -> frozenset[str]:
        """Store the parts in order; the ledger keys stored before.

        A part the store refuses for its data is halved until the refused
        rows stand alone; those are set aside (`on_unstorable`) and the rest
        is stored, or one bad row would hold back every later batch. A
        database that cannot be reached (the store raises ConnectionError or
        another OSError) refuses every row alike: what is not stored yet goes
        back in the queue and the error is raised.
        """
        duplicates: set[str] = set()
        while parts:
            part = parts.pop(0)
            try:
                result = await self._store.write(part)
            except Exception as exc:
                if isinstance(exc, OSError):
                    self._requeue_all([part, *parts])
                    raise
                if len(part) > 1:
                    parts[:0] = _halves(part)
                else:
                    self._set_aside(part, exc)
                continue
            except BaseException:
                self._requeue_all([part, *parts])
                raise
            duplicates |= result.duplicate_keys
            self._stored(part)
        return frozenset(duplicates)

    def _stored(self, part: WriteBatch) -> None:
        if self.on_stored is not None and part.outbox:
            try:
                self.on_stored(part)
            except Exception:
                log.exception("write-behind: handing on what was stored failed")

    def _set_aside(self, row: WriteBatch, error: Exception) -> None:
        what = _describe(row)
        log.error("write-behind: the store refused %s; set aside: %r", what, error)
        if self.on_unstorable is not None:
            self.on_unstorable(what, error)
        # An action that cannot be stored is still sent, without the guarantee.
        self._stored(row)

    def _requeue_all(self, parts: list[WriteBatch]) -> None:
        # Requeued parts keep their order: each goes in front of the ones after it.
        for part in reversed(parts):
            self._requeue(part)

    def _requeue(self, batch: WriteBatch) -> None:
        """Put a batch the store refused back in front, so nothing is lost;
        newer versions of the same rows, queued meanwhile, win."""
        for m in batch.members:
            if m.key not in self._soft:
                self._members.setdefault(m.key, m)
        for g in batch.groups:
            self._groups.setdefault(g.chat_key, g)
        for ms in batch.memberships:
            self._memberships.setdefault((ms.member_key, ms.group_key), ms)
        for w in batch.warnings:
            self._warnings.setdefault(w.id, w)
        self._ledger = batch.ledger + self._ledger
        self._cases = batch.cases + self._cases
        self._moves = batch.moves + self._moves
        for c in batch.cursors:
            self._cursors.setdefault(c.platform, c)
        for o in batch.outbox:
            self._outbox.setdefault(o.key, o)

    def _hard(self) -> int:
        return len(self._ledger) + len(self._members) + len(self._cases) + len(self._outbox)

    def due(self) -> bool:
        """Whether a batch is full: `maybe_flush` has something to do."""
        return self._hard() >= self._max

    async def maybe_flush(self) -> None:
        """Called after each event. A full batch is written in the background
        (the database works while events go on); only when a second batch fills
        before the first is stored does the caller wait (backpressure)."""
        if self._hard() < self._max:
            return
        inflight = self._inflight
        if inflight is not None and not inflight.done():
            if self._hard() < 2 * self._max:
                return
            await asyncio.wait({inflight})
        self._inflight = asyncio.get_running_loop().create_task(self._flush_logged())

    async def _flush_logged(self) -> None:
        try:
            wrote = await self.flush()
        except Exception as exc:
            # flush() put the batch back; the next flush retries it.
            self.outage.failed(exc)
        else:
            if wrote:
                self.outage.stored()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self._flush_logged()

    def abandon(self) -> None:
        """Stop without writing what is pending: what a crash does. A batch
        already handed to the database completes, as it would have."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._members, self._groups, self._memberships, self._warnings = {}, {}, {}, {}
        self._soft = {}
        self._ledger, self._cases, self._cursors, self._outbox, self._moves = [], [], {}, {}, []

    async def close(self) -> None:
        if self._inflight is not None:
            await asyncio.wait({self._inflight})
            self._inflight = None
        if self._task is not None:
            # Cancel while holding the lock, so the background loop is never
            # cut off in the middle of a transaction.
            async with self._lock:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush(everything=True)


def _halves(batch: WriteBatch) -> list[WriteBatch]:
    """The batch's rows in two batches, in the order the store writes them
    (a member before the ledger entries that name it)."""
    rows = [(f.name, row) for f in fields(WriteBatch) for row in getattr(batch, f.name)]
    middle = len(rows) // 2
    return [_batch_of(rows[:middle]), _batch_of(rows[middle:])]


def _batch_of(rows: list[tuple[str, object]]) -> WriteBatch:
    batch = WriteBatch()
    for name, row in rows:
        getattr(batch, name).append(row)
    return batch


def _describe(row: WriteBatch) -> str:
    """A one-row batch as moderators can look it up: its table and its key,
    never the refused text itself (which the log chat would refuse too)."""
    for f in fields(WriteBatch):
        for record in getattr(row, f.name):
            key = next(
                (
                    getattr(record, k)
                    for k in ("key", "chat_key", "member_key", "id", "group_key", "platform")
                    if hasattr(record, k)
                ),
                "",
            )
            return f"{f.name} {key}"
    return "nothing"


def _duplicates(entries: list[LedgerEntry], keys: frozenset[str]) -> list[LedgerEntry]:
    """Entries that were not applied. A key repeated inside one batch was
    applied once (its first occurrence) unless it was stored before; the store
    cannot tell those apart, so the first occurrence is taken as applied."""
    counts: dict[str, int] = {}
    for e in entries:
        if e.key in keys:
            counts[e.key] = counts.get(e.key, 0) + 1
    seen: set[str] = set()
    out = []
    for e in entries:
        if e.key not in keys:
            continue
        if counts[e.key] > 1 and e.key not in seen:
            seen.add(e.key)
            continue
        out.append(e)
    return out
