"""The cyclic garbage collector: paused while the start-up snapshot loads,
and tuned for serving in a process that runs the bot.

Loading a million members makes a few million objects that all live on.
The collector, seeing them arrive, runs its full passes over everything
loaded so far again and again: on a million members that was a third of
the load's time, for no garbage at all. Reference counting still frees
what dies meanwhile; only cycles wait for the collector's next pass.

Serving, CPython's default thresholds (a young pass every 700 new
containers, an older one every 10 of those) made the collector 8-10% of a
message's CPU in bench/engine.py (7-9 µs of ~80 on the realistic mix,
16 µs of ~170 on the worst one), most of it in the middle and full passes
over state that lives as long as the process: members, windows, counters.
`serving` raises the thresholds for the process; `settled` then takes what
start-up loaded out of every later pass (`gc.freeze`), so a full pass on a
million-member community walks what arrived since, not the million.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# A young pass every 50,000 new containers (~30 ms, a few hundred messages);
# a middle one every 20 young passes, a full one every 100 middle passes
# (and then only when the survivors grew by a quarter, CPython's own rule).
# Cycles made and dropped within a few hundred messages, which is what the
# message path makes, still go at the next young pass.
SERVING_THRESHOLDS = (50_000, 20, 100)

_serving = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside; the collector's state is restored after
    (a caller that had paused it keeps it paused)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def serving() -> Iterator[None]:
    """Inside, this process serves a community (`groupkeeper run`,
    `replay`): the collector's thresholds for long runs. Outside, and in
    tests and one-shot commands, CPython's defaults; leaving puts back the
    thresholds and what `settled` froze (a command run in-process, as the
    tests do, leaves the process as it found it)."""
    global _serving
    was, thresholds = _serving, gc.get_threshold()
    _serving = True
    gc.set_threshold(*SERVING_THRESHOLDS)
    try:
        yield
    finally:
        _serving = was
        gc.set_threshold(*thresholds)
        if not was:
            gc.unfreeze()


def settled() -> None:
    """Start-up has loaded the community: in a serving process, what is
    alive now stays out of every later pass (it lives as long as the
    process; a cycle among it is never collected, which start-up does not
    make)."""
    if _serving:
        gc.freeze()
