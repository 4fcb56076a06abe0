"""How busy each community this process serves has been lately, for the
balance's choice of which one to hand over.

Nothing is added to the message path: the metrics already count every
event a community's engine handles (`Metrics.handled`, a running total
kept across takeovers). At each heartbeat the balance samples those totals;
a community's recent load is the events since the oldest sample still in
the window, per minute of that span. Sampling per beat costs a few
microseconds per community (bench/recent.py), against a counter bumped on
every message.

A community's samples start again when this process takes it: the events
another process handled are not in this one's totals, and a span measured
from the taking keeps a community held for ten seconds comparable with
one held for an hour.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

# "The last few minutes": long enough that a lull between two messages
# does not make a busy community look idle, short enough that one that
# has gone quiet is soon seen as such.
WINDOW = 300.0
# Samples kept per window: the window's start is known to within
# window/STEPS, and a community costs that many pairs, whatever the beat.
STEPS = 30


class RecentLoad:
    """Events per minute of each owned community over the last `window`."""

    def __init__(self, total: Callable[[str], int], window: float = WINDOW) -> None:
        # Events handled here so far, by slug; only ever grows.
        self._total = total
        self._window = window
        self._step = window / STEPS
        self._samples: dict[str, deque[tuple[float, int]]] = {}

    def took(self, slug: str, now: float) -> None:
        """This process serves `slug` from `now` on."""
        self._samples[slug] = deque([(now, self._total(slug))])

    def sample(self, owned: Iterable[str], now: float) -> None:
        """At every beat: note the totals, forget what left the window."""
        mine = set(owned)
        for slug in [s for s in self._samples if s not in mine]:
            del self._samples[slug]
        for slug in mine:
            samples = self._samples.setdefault(slug, deque())
            # Only the oldest sample is ever read (with the total at the
            # time asked): the later ones are where the window will start.
            if samples and now - samples[-1][0] < self._step:
                continue
            samples.append((now, self._total(slug)))
            # The oldest kept is the last one at or before the window's start.
            while len(samples) > 2 and samples[1][0] <= now - self._window:
                samples.popleft()

    def per_minute(self, slug: str, now: float) -> float:
        samples = self._samples.get(slug)
        if not samples:
            return 0.0
        since, before = samples[0]
        span = now - since
        return 0.0 if span <= 0 else (self._total(slug) - before) * 60.0 / span
