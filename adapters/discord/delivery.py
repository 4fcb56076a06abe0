"""An event's actions on Discord leave only once the event's effects are
stored, and none is lost or sent twice across a stop or a crash.

The actions go to the outbox (`adapters.outbox`) with the event's effects,
in the write-behind batch; the batch's commit hands them to the gateway,
which carries them out per channel in the background and marks each sent.
`start` sends what was stored and never marked (the process died first);
`stop` commits what is held and waits for the channels to empty.

Discord does not send an event again after a crash, so an event's actions
need not wait for a slow batch: an event that holds actions asks for a
commit as soon as the loop is free (`flush_delay`), and events arriving
meanwhile share it. An event that made no action (most messages) asks for
none: nothing of it waits to be sent, and its effects go with the
write-behind's batches (a commit per message was most of what the bot paid
per message on Discord).

A command answers its invoker (for a slash command, the interaction's
follow-up, within the 15 minutes Discord keeps it open; the interaction
itself was acknowledged at once). Its actions are claimed: once stored they
come back to the command's own handler, which carries them out with the
answer in place and tells the invoker what failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from adapters.discord.gateway import DiscordGateway, Failure, Origin
from adapters.outbox import Outbox
from bot.core.actions import Action
from bot.core.batcher import WriteBehind
from bot.core.ports import Clock, Store

log = logging.getLogger(__name__)

PLATFORM = "discord"


class _Claim:
    """The actions of one command, gathered as their batch commits."""

    def __init__(self, actions: Sequence[Action]) -> None:
        self.actions = list(actions)
        self.waiting = {id(a) for a in actions}
        self.arrived: set[int] = set()
        self.complete = asyncio.Event()
        if not self.waiting:
            self.complete.set()

    def take(self, action: Action) -> None:
        self.arrived.add(id(action))
        if self.arrived >= self.waiting:
            self.complete.set()

    def ready(self) -> list[Action]:
        """What arrived, in the order the core made it."""
        return [a for a in self.actions if id(a) in self.arrived]


class Delivery:
    def __init__(
        self,
        community: str,
        gateway: DiscordGateway,
        writes: WriteBehind,
        store: Store,
        clock: Clock,
        *,
        flush_delay: float = 0.0,
        answer_within: float = 60.0,
    ) -> None:
        self.gateway = gateway
        self._writes = writes
        self.outbox = Outbox(community, PLATFORM, writes, store, clock, self._submit)
        gateway.on_done = self.outbox.done
        self._flush_delay = flush_delay
        # How long a command waits for its batch (a database that is down)
        # before its invoker is told it failed; its actions still go out
        # once stored.
        self._answer_within = answer_within
        self._claims: dict[int, _Claim] = {}
        self._flushing: asyncio.Task[None] | None = None
        self._answering: set[asyncio.Task[object]] = set()
        self._started = False
        self._stopped = False

    @property
    def idle(self) -> bool:
        """Nothing held for a commit, queued or being carried out."""
        return self.outbox.waiting == 0 and self.gateway.idle and not self._answering

    def hold(self, actions: Sequence[Action], origin: str) -> None:
        """Store the actions with the effects of the event `origin` names,
        and send them once stored. A commit is asked for while actions wait
        for one (this event's, or those a failed commit left): the effects
        of an event that made none (most messages) otherwise go with the
        write-behind's own batches, as on every other path."""
        if self.outbox.hold(actions, origin) and self.outbox.held:
            self._soon()

    async def answer(self, actions: Sequence[Action], origin: str, answer: Origin) -> list[Failure]:
        """Store a command's actions, then carry them out with `answer` in
        place; what failed. A batch not stored within `answer_within` is a
        failure of all (the actions still go out when it is)."""
        claim = _Claim(actions)
        for action in actions:
            self._claims[id(action)] = claim
        task = asyncio.current_task()
        if task is not None:
            self._answering.add(task)
        try:
            if not self.outbox.hold(actions, origin):
                return []  # handled before: answered then
            if self.outbox.held:
                self._soon()
            try:
                await asyncio.wait_for(claim.complete.wait(), self._answer_within)
            except TimeoutError:
                log.error("Discord: a command's actions were not stored in time")
            finally:
                for action in actions:
                    self._claims.pop(id(action), None)
            ready = claim.ready()
            failures = await self.gateway.run(ready, origin=answer)
            missing = [a for a in actions if id(a) not in claim.arrived]
            return failures + [Failure(a, "not stored") for a in missing]
        finally:
            if task is not None:
                self._answering.discard(task)

    def _submit(self, actions: Sequence[Action]) -> None:
        """The outbox's hand-over: stored actions (or passing ones) to the
        command that claimed them, the rest to the channels' lanes."""
        if self._stopped:
            # The client is closed: they stay stored unsent for the next start.
            return
        rest: list[Action] = []
        for action in actions:
            claim = self._claims.pop(id(action), None)
            if claim is not None:
                claim.take(action)
            else:
                rest.append(action)
        if rest:
            self.gateway.submit(rest)

    def _soon(self) -> None:
        """A commit as soon as the loop is free, shared by the events that
        arrive until then."""
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        """Commit until nothing is held: what events held while a commit
        was running goes with the next one at once."""
        while True:
            await asyncio.sleep(self._flush_delay)
            batches = self._writes.batches
            try:
                await self._writes.flush()
            except Exception as exc:
                # The batch stays queued; the background flush or the next
                # event tries again.
                log.error("Discord: storing handled events failed (%s)", exc)
                return
            # Nothing taken: another platform holds its update whole, and its
            # release runs the flush.
            if not self.outbox.held or self._writes.batches == batches:
                return

    async def start(self) -> int:
        """Once per process, when connected: what was stored and not sent
        before a restart is sent now; how many."""
        if self._started:
            return 0
        self._started = True
        return await self.outbox.resend()

    async def stop(self, grace: float) -> None:
        """Commit what is held, then wait (at most `grace` seconds) for the
        commands answering and the channels to finish; what is left stays
        stored unsent, for the next start."""
        try:
            await self._writes.flush()
        except Exception as exc:
            log.error("Discord: storing handled events on the way out failed (%s)", exc)
        pending = [t for t in self._answering if t is not asyncio.current_task()]

        async def finish() -> None:
            if pending:
                await asyncio.wait(pending)
            await self.gateway.drain()

        try:
            await asyncio.wait_for(finish(), grace)
        except TimeoutError:
            log.error("Discord: queued actions did not finish within %.0fs", grace)
        self._stopped = True
