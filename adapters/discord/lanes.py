"""Actions queued per channel and carried out in the background, each
channel's in the order they were made, channels side by side.

The outbox hands the gateway an event's actions once they are stored; the
event's handler does not wait for them. A channel's worker takes everything
queued for that channel at once and carries it out in order (the gateway
marks each one sent before the next goes), so a crash can send again at
most the one action per channel whose mark it cut off.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from adapters.gateway import lane_of
from bot.core import actions as act

log = logging.getLogger(__name__)

Carry = Callable[[list[act.Action]], Awaitable[object]]


class Lanes:
    """`carry` runs a channel's actions in order and never raises (the
    gateway's `run`: failures are logged and reported)."""

    def __init__(self, carry: Carry) -> None:
        self._carry = carry
        self._lanes: dict[str, deque[act.Action]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    def submit(self, actions: Sequence[act.Action]) -> None:
        for action in actions:
            key = lane_of(action)
            lane = self._lanes.get(key)
            if lane is None:
                lane = self._lanes[key] = deque()
            lane.append(action)
            if key not in self._workers:
                self._workers[key] = asyncio.get_running_loop().create_task(self._work(key))

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing being carried out."""
        return not self._workers

    def queued(self) -> int:
        return sum(len(lane) for lane in list(self._lanes.values()))

    async def drain(self) -> None:
        """Until every submitted action has been carried out (or failed)."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def _work(self, key: str) -> None:
        lane = self._lanes[key]
        try:
            while lane:
                taken = list(lane)
                lane.clear()
                try:
                    await self._carry(taken)
                except Exception:
                    log.exception(
                        "Discord: carrying out %d action(s) for %s failed", len(taken), key
                    )
        finally:
            if lane:
                # Cut off by a shutdown: still stored unsent, sent at the next start.
                log.warning("Discord: %d action(s) for %s left for the next start", len(lane), key)
            del self._lanes[key]
            del self._workers[key]
