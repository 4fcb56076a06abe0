"""The transactional outbox: an update's replies and removals leave only once
its effects are stored, and none is lost or sent twice across a crash.

What an update made the engine do (its points, cases, the platform's cursor)
and the actions it produced go to the database in one transaction: `hold`
puts the actions in the write-behind batch beside the effects, and the batch's
commit (`WriteBehind.on_stored`) hands them to the gateway. The gateway tells
`done` when it has carried one out (or given up on it, reported), and the
action's mark as sent is committed before that chat's next action goes. On
start, `resend` sends what was stored and never marked: the actions queued
when the process died.

What stays open: an action carried out in the moment between the platform's
answer and the commit of its mark is sent again after a crash in that
moment: at most one action per chat lane, since a lane waits for the mark
before its next action. No platform API takes an idempotency key for a
message, so no bot can close that moment.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.core.action_codec import decode, encode
from bot.core.actions import Action, AnswerPress, CheckBotRights, CountMembers
from bot.core.batcher import WriteBehind
from bot.core.ports import Clock, Store
from bot.core.records import OutboxRecord, WriteBatch

log = logging.getLogger(__name__)

# Not worth a second attempt after a restart: a button press is answered
# within seconds or never, and reads are made again when needed.
_PASSING = (AnswerPress, CheckBotRights, CountMembers)
# How many origins an outbox remembers, to hold an event's actions once when
# the platform hands the same event over again.
_REMEMBERED = 10_000

Submit = Callable[[Sequence[Action]], None]


class Outbox:
    def __init__(
        self,
        community: str,
        platform: str,
        writes: WriteBehind,
        store: Store,
        clock: Clock,
        submit: Submit,
    ) -> None:
        self.community = community
        self.platform = platform
        self._writes = writes
        self._store = store
        self._clock = clock
        self._submit = submit
        # Stored with the next batch, sent once it commits: key -> action.
        self._held: dict[str, tuple[OutboxRecord, Action]] = {}
        # Handed to the gateway, waiting to be marked sent.
        self._sending: dict[int, OutboxRecord] = {}
        self._origins: OrderedDict[str, None] = OrderedDict()
        # Marks waiting for their commit, and the commit they will join.
        self._marks: list[OutboxRecord] = []
        self._round: asyncio.Future[None] | None = None
        self._marking = False
        chained = writes.on_stored

        def stored(batch: WriteBatch) -> None:
            if chained is not None:
                chained(batch)
            self._stored(batch)

        writes.on_stored = stored

    @property
    def held(self) -> int:
        """Actions waiting for a commit."""
        return len(self._held)

    @property
    def waiting(self) -> int:
        """Actions held for a commit or out with the gateway."""
        return len(self._held) + len(self._sending)

    def hold(self, actions: Sequence[Action], origin: str) -> bool:
        """Store the actions with the effects of what made them (`origin`
        names it: the same update handled again after a crash gives the same
        keys, and its actions are stored once; handled again by this process,
        they are not held again, and False is returned). They are this
        platform's to send, also those for another platform's chat (its
        gateway forwards them)."""
        if origin in self._origins:
            log.info("outbox: %s was handled before; its actions are not sent again", origin)
            return False
        self._origins[origin] = None
        if len(self._origins) > _REMEMBERED:
            self._origins.popitem(last=False)
        now = self._clock.now()
        passing: list[Action] = []
        for index, action in enumerate(actions):
            if isinstance(action, _PASSING):
                passing.append(action)
                continue
            try:
                payload = encode(action)
            except TypeError:
                log.exception("outbox: %s cannot be stored; sent unguarded", type(action).__name__)
                passing.append(action)
                continue
            key = f"{origin}:{index:04d}"
            record = OutboxRecord(self.community, key, self.platform, payload, now)
            self._held[key] = (record, action)
            self._writes.outbox(record)
        if passing:
            self._submit(passing)
        return True

    def _stored(self, batch: WriteBatch) -> None:
        ready: list[Action] = []
        for record in batch.outbox:
            held = self._held.pop(record.key, None) if not record.sent else None
            if held is not None:
                self._sending[id(held[1])] = held[0]
                ready.append(held[1])
        if ready:
            self._submit(ready)

    async def done(self, action: Action) -> None:
        """The gateway carried the action out, or gave up on it (and said
        so): it is not sent again. The mark is committed before the chat's
        next action goes, so a crash can send again at most the one action
        per chat whose mark it cut off. Marks of several chats made while
        one commit runs share the next (a transaction each would cost more
        than the actions)."""
        record = self._sending.pop(id(action), None)
        if record is None:
            return
        self._marks.append(replace(record, sent=True, payload=""))
        if self._round is None:
            self._round = asyncio.get_running_loop().create_future()
        joined = self._round
        if not self._marking:
            await self._commit_marks()
        await asyncio.shield(joined)

    async def _commit_marks(self) -> None:
        """Commit the marks waiting, round after round, until none is left."""
        self._marking = True
        try:
            while self._marks:
                marks, self._marks = self._marks, []
                joined, self._round = self._round, None
                try:
                    await self._store.write(WriteBatch(outbox=marks))
                except Exception as exc:
                    # The next batch takes them instead.
                    log.warning(
                        "outbox: marking %d sent failed (%s): left to the batch", len(marks), exc
                    )
                    for mark in marks:
                        self._writes.outbox(mark)
                finally:
                    if joined is not None and not joined.done():
                        joined.set_result(None)
        finally:
            self._marking = False
            if self._marks:
                # Cut off (a shutdown cancelled the commit): the batch takes
                # the marks left, and nobody waits for them.
                for mark in self._marks:
                    self._writes.outbox(mark)
                self._marks = []
                left, self._round = self._round, None
                if left is not None and not left.done():
                    left.set_result(None)

    async def resend(self) -> int:
        """Send what was stored and never marked sent; how many."""
        actions: list[Action] = []
        for record in await self._store.unsent(self.community, self.platform):
            try:
                action = decode(record.payload)
            except ValueError as exc:
                log.error("outbox: %s cannot be read back (%s): skipped", record.key, exc)
                self._writes.outbox(replace(record, sent=True, payload=""))
                continue
            self._sending[id(action)] = record
            actions.append(action)
        if actions:
            log.info(
                "%s: sending %d action(s) stored before the restart", self.platform, len(actions)
            )
            self._submit(actions)
        return len(actions)
