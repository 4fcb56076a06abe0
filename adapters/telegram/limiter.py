"""Outgoing rate limits, so that the bot uses Telegram's allowance fully
without being answered 429.

Telegram documents about 30 messages per second overall, about one message per
second in a private chat and 20 messages per minute in a group. Each limit is
a sliding window: a call waits until every window it belongs to has room,
then takes a place in all of them at once. A call Telegram refuses with a
429 gives its place back: only what was sent counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    overall: int = 30
    overall_period: float = 1.0
    group: int = 20
    group_period: float = 60.0
    private: int = 1
    private_period: float = 1.0


class Window:
    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._stamps: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until this window has room (0 when it has room now)."""
        stamps = self._stamps
        horizon = now - self.period
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        if len(stamps) < self.limit:
            return 0.0
        return stamps[0] - horizon

    def take(self, now: float) -> None:
        self._stamps.append(now)

    def give_back(self, stamp: float) -> None:
        # Gone already when the refused call outlasted the window.
        with contextlib.suppress(ValueError):
            self._stamps.remove(stamp)

    @property
    def idle(self) -> bool:
        return not self._stamps


class RateLimiter:
    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        self._sleep = sleep
        self._overall = Window(self.limits.overall, self.limits.overall_period)
        self._chats: dict[int, Window] = {}
        self.waited = 0.0

    def _chat_window(self, chat_id: int) -> Window:
        window = self._chats.get(chat_id)
        if window is None:
            lim = self.limits
            if chat_id < 0:
                window = Window(lim.group, lim.group_period)
            else:
                window = Window(lim.private, lim.private_period)
            if len(self._chats) > 10_000:
                self._forget_idle()
            self._chats[chat_id] = window
        return window

    def _forget_idle(self) -> None:
        now = self._clock()
        for key in [k for k, w in self._chats.items() if w.wait(now) == 0 and w.idle]:
            del self._chats[key]

    async def acquire(self, chat_id: int | None = None) -> float:
        """Wait for a place for one message to `chat_id` (None: a call that
        only counts against the overall limit). Returns when the place was
        taken, for `give_back`."""
        windows = [self._overall]
        if chat_id is not None:
            windows.append(self._chat_window(chat_id))
        while True:
            now = self._clock()
            delay = max(w.wait(now) for w in windows)
            if delay <= 0:
                for w in windows:
                    w.take(now)
                return now
            self.waited += delay
            await self._sleep(delay)

    def give_back(self, chat_id: int | None, taken: float) -> None:
        """A call Telegram refused with a 429 sent nothing: the place it took
        at `taken` is free again, or a flood-control storm would spend the
        allowance on refusals."""
        self._overall.give_back(taken)
        window = self._chats.get(chat_id) if chat_id is not None else None
        if window is not None:
            window.give_back(taken)
