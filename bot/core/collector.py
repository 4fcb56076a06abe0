"""The cyclic garbage collector, paused while the start-up snapshot loads.

Loading a million members makes a few million objects that all live on.
The collector, seeing them arrive, runs its full passes over everything
loaded so far again and again: on a million members that was a third of
the load's time, for no garbage at all. Reference counting still frees
what dies meanwhile; only cycles wait for the collector's next pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
